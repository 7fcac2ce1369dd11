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
        (tmp_path / folder).symlink_to(REPO / "brief" / folder)
    monkeypatch.chdir(tmp_path)

    def explode(source, issue_date, raw_html, base_url=""):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "render_article", explode)
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


def test_internal_error_in_a_worker_process_names_the_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sites import article

    files = {f"pub/v1n1/{i:02d}-a{i}.md": article(f"title: A{i}\nauthors: [ann-lee]") for i in range(pipeline.PARALLEL_THRESHOLD + 2)}
    files["pub/v1n1/article.md"] = None
    write_site(tmp_path, files)
    (tmp_path / "content/pub/v1n1/07-a7.md").write_text(article("title: A7\nauthors: [ann-lee]", "x" * 10 + "\n"), encoding="utf-8")
    for folder in ("templates", "static"):
        (tmp_path / folder).symlink_to(REPO / "brief" / folder)
    monkeypatch.chdir(tmp_path)
    real = pipeline.render_article

    def explode_on_a7(source, issue_date, raw_html, base_url=""):  # type: ignore[no-untyped-def]
        if source.path.endswith("07-a7.md"):
            raise KeyError("boom")
        return real(source, issue_date, raw_html, base_url)

    monkeypatch.setattr(pipeline, "render_article", explode_on_a7)  # inherited by forked workers
    code, out, err = run(["build"])
    assert code == 3
    assert err.splitlines()[0] == "brief: internal error while rendering content/pub/v1n1/07-a7.md: KeyError: 'boom'"


def test_a_refused_write_exits_4_and_keeps_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from brief import write

    write_site(tmp_path)
    for folder in ("templates", "static"):
        (tmp_path / folder).symlink_to(REPO / "brief" / folder)
    monkeypatch.chdir(tmp_path)
    assert run(["build"])[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "_site").rglob("*") if p.is_file()}

    def full_disk(self, item):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device", str(self.folder / item.path))

    monkeypatch.setattr(write.Staging, "write", full_disk)
    code, out, err = run(["build", "--no-cache"])
    assert code == cli.EXIT_WRITE == 4
    assert err.startswith("brief: cannot write the site while rendering pages: No space left on device (")
    assert err.rstrip().endswith("; the previous output is unchanged")
    assert {p: p.read_bytes() for p in (tmp_path / "_site").rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
