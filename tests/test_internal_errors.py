"""An internal error prints one line naming what was being processed, never a traceback (unless --debug)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from brief import cli, pipeline
from sites import REPO, write_site


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_site(tmp_path)
    for folder in ("templates", "static"):
        (tmp_path / folder).symlink_to(REPO / folder)
    monkeypatch.chdir(tmp_path)

    def explode(task):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "_render_task", explode)
    return tmp_path


def test_internal_error_is_one_line_with_the_file_and_exit_3(project: Path) -> None:
    code, out, err = run(["build"])
    assert code == cli.EXIT_INTERNAL == 3
    assert "Traceback" not in err
    assert err.splitlines()[0] == (
        "brief: internal error while rendering content/pub/v1n1/article.md: ZeroDivisionError: division by zero"
    )
    assert "Run again with --debug for the full traceback." in err
    assert not (project / "_site").exists()


def test_debug_shows_the_traceback(project: Path) -> None:
    code, out, err = run(["build", "--debug"])
    assert code == 3
    assert "Traceback (most recent call last)" in err
    assert "ZeroDivisionError: division by zero" in err
