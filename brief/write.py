"""The only module that touches the output folder.

Publishing is atomic: the whole site is written into a fresh folder beside the
output (``.<name>.tmp-<pid>``), and only when every file is written is it
swapped in with two renames. A build that fails, is interrupted or runs out of
disk leaves the previous output exactly as it was. A lock file beside the
output (``.<name>.lock``) keeps two builds from publishing at once.

The output folder must be one Brief made (it holds a ``.brief-output`` marker)
or empty or new; the content folder, its parents, the project folder, the
file-system root and the home folder are refused.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import Iterable

from .errors import UsageError
from .render import OutputFile

MARKER = ".brief-output"
MARKER_TEXT = b"This folder is written by Brief. Each build replaces it whole.\n"


class BuildLocked(UsageError):
    """Another build is publishing into the same output folder."""


def check_output_folder(out: Path, content: Path, project: Path) -> None:
    """Refuse output folders whose replacement would destroy something else."""
    target = out.resolve()
    forbidden = {
        Path("/"): "the file-system root",
        Path.home().resolve(): "your home folder",
        project.resolve(): "the project folder",
    }
    if target in forbidden:
        raise UsageError(f"refusing to use {forbidden[target]} ({out}) as the output folder; choose a new folder such as _site")
    content_resolved = content.resolve()
    if target == content_resolved:
        raise UsageError(f"refusing to use the content folder {out} as the output folder; choose a separate folder such as _site")
    if target in content_resolved.parents:
        raise UsageError(f"refusing to use {out} as the output folder: it holds the content folder {content}; choose a separate folder such as _site")
    if content_resolved in target.parents:
        raise UsageError(f"refusing to use {out} as the output folder: it is inside the content folder; choose a folder outside it")
    if target.exists():
        if not target.is_dir():
            raise UsageError(f"the output {out} exists and is not a folder; remove it or choose another path")
        if not (target / MARKER).is_file() and any(target.iterdir()):
            raise UsageError(
                f"refusing to replace {out}: it is not empty and was not made by Brief "
                f"(no {MARKER} file in it); empty it or choose another folder"
            )


class OutputLock:
    """An exclusive lock on publishing into one output folder."""

    def __init__(self, out: Path):
        self.path = out.parent / f".{out.name}.lock"
        self.handle: int | None = None

    def __enter__(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self.handle)
            self.handle = None
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise BuildLocked(
                    f"another build is publishing into {self.path.parent / self.path.name[1:-5]} right now; "
                    "wait for it to finish and build again"
                ) from None
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


def _safe_relative(path: str) -> str:
    normal = os.path.normpath(path)
    if os.path.isabs(normal) or normal == ".." or normal.startswith("../") or normal.startswith("/"):
        raise ValueError(f"output path escapes the output folder: {path!r}")
    return normal


def publish(out: Path, files: Iterable[OutputFile], copies: Iterable[tuple[str, Path]]) -> int:
    """Write ``files`` and copy ``copies`` (output path, source) into ``out``, atomically.

    Call with the :class:`OutputLock` held. Returns the number of files written.
    """
    out = out.absolute()
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = parent / f".{out.name}.tmp-{os.getpid()}"
    staging.mkdir()
    count = 0
    try:
        made: set[Path] = {staging}
        for item in files:
            target = staging / _safe_relative(item.path)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(item.data)
            count += 1
        for rel, source in copies:
            target = staging / _safe_relative(rel)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            shutil.copyfile(source, target)
            count += 1
        (staging / MARKER).write_bytes(MARKER_TEXT)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, keeping the old output until the new one is in place."""
    if not out.exists():
        os.rename(staging, out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
