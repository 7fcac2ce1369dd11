"""The only module that touches the output folder.

Nothing is published until every file of the build is written. There are two
ways to publish:

* :class:`Staging`, for a full build: the whole site is written into a fresh
  folder beside the output (``.<name>.tmp-<pid>``), and only when every file is
  written is it swapped in with two renames.
* :class:`Update`, for an incremental build over an output that an earlier
  build wrote: only the files that changed are written, into the same kind of
  folder beside the output, and then each is moved over its old version with
  one rename, and the files the site no longer has are deleted. Creating a
  fresh folder tree costs one folder per page, which on a large archive would
  be most of a small rebuild.

Either way, a build that fails, is interrupted or runs out of disk before it
publishes leaves the previous output exactly as it was, and no reader ever sees
a half-written file. (If an update is killed while it moves its files in, the
output holds whole old and new pages side by side; the build records that it
was publishing, so the next build replaces the output whole.) A lock file beside
the output (``.<name>.lock``) keeps two builds from publishing at once.

The output folder must be one Brief made (it holds a ``.brief-output`` marker)
or empty or new; the content folder, its parents, the project folder, the
file-system root and the home folder are refused.
"""

from __future__ import annotations

import errno
import fcntl
import os
import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Iterable, Mapping, Union

from .cache import MARKER
from .errors import UsageError
from .model import OutputFile

MARKER_TEXT = b"This folder is written by Brief. Each build replaces what it holds.\n"


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


class _Writer:
    """What both ways of publishing share: where a file goes is theirs (:meth:`_target`);
    each method returns the written file's stat (the manifest records size and time)."""

    def _target(self, path: str) -> Path:
        raise NotImplementedError

    def write(self, item: OutputFile) -> os.stat_result:
        return write_file(self._target(item.path), item.data)

    def reserve(self, path: str) -> Path:
        """The file that the output's ``path`` is to be written to, by :func:`write_file`
        (in another process, perhaps): counted as written."""
        return self._target(path)

    def copy(self, path: str, source: Path) -> os.stat_result:
        target = self._target(path)
        shutil.copyfile(source, target)
        return os.stat(target)

    def link(self, path: str, source: Path) -> os.stat_result:
        """Publish a file that never changes in place (a cache entry, a page of the previous
        output) by a hard link, falling back to a copy where links are not possible."""
        target = self._target(path)
        _link_or_copy(source, target)
        return os.stat(target)


def write_file(target: "Path | str", data: bytes) -> os.stat_result:
    """Write one file of the output where :meth:`_Writer.reserve` said; returns its status.
    (By the descriptor: Python's buffered file would add calls for each of 20,000 files.)"""
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        return os.fstat(handle)
    finally:
        os.close(handle)


class Staging(_Writer):
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
        _remove_stale(self.out)
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

    def keep(self, path: str) -> None:
        """Publish the previous output's file at ``path`` again, unchanged."""
        self.link(path, self.out / _safe_relative(path))

    def commit(self) -> None:
        (self.folder / MARKER).write_bytes(MARKER_TEXT)
        _swap(self.folder, self.out)


class Update(_Writer):
    """Brings an output folder up to date in place: the files that changed are written
    beside it, then each is renamed over its old version (see the module's notes).

    Every file of the site passes through: :meth:`keep` for those that stay as they
    are, the others to be written. On :meth:`commit`, whatever else the folder holds
    (pages of deleted articles, files put there by hand) is deleted, so that it holds
    exactly what a full build would write. Leaving the ``with`` block without
    committing leaves the output as it was. Make one with :meth:`over`.
    """

    def __init__(self, out: Path, files: set[str], folders: list[str] | None):
        self.out = out.absolute()
        self.folder = self.out.parent / f".{self.out.name}.tmp-{os.getpid()}"
        #: What the output holds now: its files and its folders (parents before children;
        #: ``None``: only the folders of those files, found when needed).
        self.files, self.folders = files, folders
        self.published: set[str] = set()
        self.pending: list[tuple[str, Path]] = []
        self.count = 0
        #: Set for :meth:`patching`: the files not published again stay.
        self.patch = False

    @classmethod
    def over(cls, out: Path) -> "Update | None":
        """An update of ``out``, or ``None`` if it holds anything but files and folders
        (Brief writes no symbolic links, and an update must not write through one)."""
        files: set[str] = set()
        folders: list[str] = []
        pending = [("", str(out))]
        while pending:
            prefix, folder = pending.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None
                    if entry.is_dir():
                        folders.append(prefix + entry.name)
                        pending.append((prefix + entry.name + "/", entry.path))
                    elif entry.is_file():
                        files.add(prefix + entry.name)
                    else:
                        return None
        return cls(out, files, folders)

    @classmethod
    def listed(cls, out: Path, files: Iterable[str]) -> "Update":
        """An update of ``out``, which is known to hold exactly ``files`` (and the marker),
        without looking at it: for an output only these builds write (the preview's)."""
        return cls(out, set(files) | {MARKER}, None)

    @classmethod
    def patching(cls, out: Path, files: "Mapping[str, object]") -> "Update":
        """An update of ``out``, known to hold exactly ``files`` (and the marker), that
        publishes some of them again and keeps every other as it is (a preview's rebuild
        after an edit of some articles, which knows which files those change)."""
        update = cls(out, files.keys(), None)  # type: ignore[arg-type]  # (a view: only looked up)
        update.patch, update.count = True, len(files)
        return update

    def __enter__(self) -> "Update":
        _remove_stale(self.out)
        self.folder.mkdir()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def _claim(self, path: str) -> str:
        relative = path if path in self.files else _safe_relative(path)  # the output's own paths are safe
        if relative in self.published:
            raise ValueError(f"two files of the build have the same path: {path!r}")
        self.published.add(relative)
        if not (self.patch and relative in self.files):  # (counted already)
            self.count += 1
        return relative

    def _target(self, path: str) -> Path:
        relative = self._claim(path)
        target = self.folder / str(len(self.pending))
        self.pending.append((relative, target))
        return target

    def publish_now(self, paths: set[str]) -> list[str]:
        """Move the files among ``paths`` written so far into the output now, before
        :meth:`commit` (the preview publishes the pages a browser shows first); returns them."""
        moved, waiting = [], []
        for relative, source in self.pending:
            if relative in paths:
                target = self.out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                moved.append(relative)
            else:
                waiting.append((relative, source))
        self.pending = waiting
        return moved

    def keep(self, path: str) -> None:
        """The output's file at ``path`` stays as it is."""
        self._claim(path)

    def keep_all(self, paths: list[str]) -> None:
        """:meth:`keep` for each of ``paths``, files of the output."""
        claimed = set(paths)
        if len(claimed) != len(paths) or not claimed.isdisjoint(self.published) or not claimed <= self.files:
            for path in paths:  # one at a time: says which path is the problem
                self._claim(path)
            return
        self.published |= claimed
        self.count += len(claimed)

    def commit(self) -> None:
        # Deletions first: a path the site no longer has may be where a new folder goes.
        removed = set() if self.patch else self.files - self.published - {MARKER}
        for relative in removed:
            os.unlink(self.out / relative)
        if self.folders is None:  # the output holds only the folders of its files
            # (Those of the removed files: few. One still in use is not empty, and stays.)
            self.folders, needed = _folders_of(removed) if removed else [], set()
        else:
            needed = {posixpath.dirname(p) for p in self.published} if self.folders else set()
        for relative in reversed(self.folders):  # children before parents
            if relative not in needed:
                try:
                    os.rmdir(self.out / relative)
                except OSError:
                    pass  # not empty: it holds a folder that is needed
        made: set[Path] = set()
        for relative, source in self.pending:
            target = self.out / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.replace(source, target)
        if MARKER not in self.files and not self.patch:
            (self.out / MARKER).write_bytes(MARKER_TEXT)


def _folders_of(files: Iterable[str]) -> list[str]:
    """The folders that hold ``files`` and their parents, parents before children."""
    folders: set[str] = set()
    for path in files:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return sorted(folders, key=lambda f: (f.count("/"), f))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _remove_stale(out: Path) -> None:
    """Remove what a build that was killed left beside the output."""
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in [*parent.glob(f".{out.name}.tmp-*"), *parent.glob(f".{out.name}.old-*")]:
        shutil.rmtree(stale, ignore_errors=True)


#: What a build publishes through: a whole new folder, or an update in place.
Publisher = Union[Staging, Update]


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
