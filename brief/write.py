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
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Iterable

from .cache import MARKER
from .errors import UsageError
from .model import OutputFile

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


class Staging:
    """A new output folder being written beside the old one; :meth:`commit` swaps it in.

    Leaving the ``with`` block without committing (an error, Ctrl-C) removes it,
    and the old output stays exactly as it was. Use with the :class:`OutputLock` held.
    """

    def __init__(self, out: Path):
        self.out = out.absolute()
        self.folder = self.out.parent / f".{self.out.name}.tmp-{os.getpid()}"
        self.count = 0
        self._made: set[Path] = set()

    def __enter__(self) -> "Staging":
        parent = self.out.parent
        parent.mkdir(parents=True, exist_ok=True)
        for stale in [*parent.glob(f".{self.out.name}.tmp-*"), *parent.glob(f".{self.out.name}.old-*")]:
            shutil.rmtree(stale, ignore_errors=True)  # left by a build that was killed
        self.folder.mkdir()
        self._made = {self.folder}
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def _target(self, path: str) -> Path:
        target = self.folder / _safe_relative(path)
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        self.count += 1
        return target

    def write(self, item: OutputFile) -> os.stat_result:
        """Write one file; returns its stat (the manifest records size and time)."""
        target = self._target(item.path)
        target.write_bytes(item.data)
        return os.stat(target)

    def copy(self, path: str, source: Path) -> None:
        shutil.copyfile(source, self._target(path))

    def link(self, path: str, source: Path) -> None:
        """Publish a file that never changes in place (a cache entry, a page of the previous
        output) by a hard link, falling back to a copy where links are not possible."""
        target = self._target(path)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def commit(self) -> None:
        (self.folder / MARKER).write_bytes(MARKER_TEXT)
        _swap(self.folder, self.out)


def publish(out: Path, files: Iterable[OutputFile], copies: Iterable[tuple[str, Path]]) -> int:
    """Write ``files`` and copy ``copies`` (output path, source) into ``out``, atomically.

    Call with the :class:`OutputLock` held. Returns the number of files written.
    """
    with Staging(out) as staging:
        for item in files:
            staging.write(item)
        for rel, source in copies:
            staging.copy(rel, source)
        staging.commit()
        return staging.count


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
    _remove_later(old)


def _remove_later(folder: Path) -> None:
    """Delete the replaced output. The new one is already in place, so this need not
    hold up the build: on a large site it is handed to a child process."""
    if sum(1 for _ in zip(range(200), folder.rglob("*"))) < 200:
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
