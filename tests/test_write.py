"""Publishing: atomic swap, the lock, the output-folder guard."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from brief import write
from brief.errors import UsageError
from brief.pipeline import build
from brief.render import OutputFile
from brief.write import MARKER, BuildLocked, OutputLock, Staging, check_output_folder
from sites import build_ok, options, write_site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def publish(out: Path, files: list[OutputFile], copies: list[tuple[str, Path]]) -> int:
    """Publish ``files`` and copies of files (output path, source) as a full build does."""
    with Staging(out) as staging:
        for item in files:
            staging.write(item)
        for rel, source in copies:
            staging.copy(rel, source)
        staging.commit()
        return staging.count


def test_publish_writes_every_file_and_the_marker(tmp_path: Path) -> None:
    source = tmp_path / "img.png"
    source.write_bytes(b"png")
    out = tmp_path / "site"
    count = publish(out, [OutputFile("index.html", b"home"), OutputFile("a/b/index.html", b"deep")], [("media/x/img.png", source)])
    assert count == 3
    assert tree(out) == {MARKER: write.MARKER_TEXT, "a/b/index.html": b"deep", "index.html": b"home", "media/x/img.png": b"png"}


def test_publish_replaces_the_old_output_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish(out, [OutputFile("old.html", b"old")], [])
    publish(out, [OutputFile("new.html", b"new")], [])
    assert tree(out) == {MARKER: write.MARKER_TEXT, "new.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_failure_while_writing_leaves_previous_output_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException) -> None:
    out = tmp_path / "site"
    publish(out, [OutputFile("index.html", b"published")], [])
    before = tree(out)
    source = tmp_path / "img.png"
    source.write_bytes(b"png")

    def broken_copy(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(shutil, "copyfile", broken_copy)
    with pytest.raises(type(failure)):
        publish(out, [OutputFile("index.html", b"half-written")], [("media/img.png", source)])
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img.png", "site"]


def test_output_paths_cannot_escape(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="escapes the output folder"):
        publish(tmp_path / "site", [OutputFile("../evil.html", b"x")], [])
    assert not (tmp_path / "evil.html").exists()
    assert not (tmp_path / "site").exists()


def test_second_build_while_one_publishes_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path)
    with OutputLock(tmp_path / "_site"):
        with pytest.raises(BuildLocked, match="another build is publishing into .*_site right now; wait for it to finish"):
            build(options(tmp_path))
    assert not (tmp_path / "_site").exists()
    build_ok(tmp_path)
    assert (tmp_path / "_site" / MARKER).is_file()


@pytest.mark.parametrize(
    "choose,message",
    [
        (lambda root: root / "content", "refusing to use the content folder"),
        (lambda root: root / "content" / "..", "refusing to use the project folder"),
        (lambda root: root, "refusing to use the project folder"),
        (lambda root: root / "content" / "out", "it is inside the content folder"),
        (lambda root: Path("/"), "refusing to use the file-system root"),
        (lambda root: Path.home(), "refusing to use your home folder"),
    ],
)
def test_output_folder_guard(tmp_path: Path, choose, message: str) -> None:
    write_site(tmp_path)
    with pytest.raises(UsageError, match=message):
        check_output_folder(choose(tmp_path), tmp_path / "content", tmp_path)


def test_foreign_non_empty_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    write_site(tmp_path)
    foreign = tmp_path / "_site"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(UsageError, match=r"not empty and was not made by Brief \(no \.brief-output file in it\)"):
        build(options(tmp_path))
    assert tree(foreign) == {"thesis.docx": b"precious"}


def test_empty_folder_and_own_output_are_accepted(tmp_path: Path) -> None:
    write_site(tmp_path)
    (tmp_path / "_site").mkdir()
    build_ok(tmp_path)
    build_ok(tmp_path)
    assert (tmp_path / "_site/index.html").is_file()
