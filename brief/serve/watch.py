"""Watch the files a build reads, and tell real changes from saves of the same bytes.

watchfiles (the Rust ``notify`` crate: inotify on Linux, FSEvents on macOS)
reports changes; a burst of them (an editor's "save all", a ``git checkout``)
comes as one set, once no new change has come for :data:`QUIET_MS`. Changes
made while a build runs wait for it, and make the next build.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from pathlib import Path
from typing import Callable, Iterable

#: A burst of changes ends when none has come for this long (milliseconds).
QUIET_MS = 30
#: ... or, at the latest, after this long.
LONGEST_MS = 1600
#: The preview tidies its memory once no change has come for this long (seconds).
IDLE_SECONDS = 3.0


class Watcher(threading.Thread):
    """Watches ``folders`` in the background; each burst of changes is put on :attr:`changes`
    as the set of paths that changed. :attr:`ready` is set once the watches are in place."""

    def __init__(self, folders: Iterable[Path]):
        super().__init__(name="brief-watcher", daemon=True)
        self.folders = [f for f in folders if f.is_dir()]
        self.changes: queue.Queue[set[str]] = queue.Queue()
        self.ready = threading.Event()
        self.stop = threading.Event()
        #: Why watching failed, if it did.
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.watch()
        except Exception as exc:  # e.g. the system's limit on watched folders
            self.error = exc
            self.ready.set()

    def watch(self) -> None:
        from watchfiles import DefaultFilter, watch

        for changes in watch(
            *self.folders, watch_filter=DefaultFilter(), debounce=LONGEST_MS, step=QUIET_MS, stop_event=self.stop,
            rust_timeout=200, yield_on_timeout=True, raise_interrupt=False,
        ):
            self.ready.set()  # the first time round, an empty set: the watches are in place
            if changes:
                self.changes.put({path for _change, path in changes})

    def next_changes(self, idle: Callable[[], None] | None = None) -> set[str]:
        """The next burst of changes (waits for it). ``idle`` is called once if none has
        come for :data:`IDLE_SECONDS`."""
        waited = 0.0
        while True:
            try:
                return self.changes.get(timeout=0.5)
            except queue.Empty:
                waited += 0.5
                if idle is not None and waited >= IDLE_SECONDS:
                    idle()
                    idle = None


class Snapshot:
    """The hash of every watched file, so that a save of the same bytes changes nothing.

    Taken (:meth:`fill`) after the watcher is in place and before the first build reads
    the files: a change after it is reported by the watcher and differs from it.
    """

    def __init__(self, folders: Iterable[Path]):
        self.folders = [f for f in folders if f.is_dir()]
        self.hashes: dict[str, str | None] = {}

    def fill(self) -> None:
        for folder in self.folders:
            for root, _dirs, files in os.walk(folder):
                for name in files:
                    path = os.path.join(root, name)
                    self.hashes[path] = _digest(path)

    def changed(self, paths: set[str]) -> tuple[set[str], bool]:
        """Which of ``paths`` really changed; and whether a folder is among them (then
        which files inside it changed is not known)."""
        real: set[str] = set()
        folders = False
        for path in paths:
            if os.path.isdir(path):
                folders = True
                real.add(path)
                continue
            digest = _digest(path)
            before = self.hashes.get(path, "unknown")
            self.hashes[path] = digest
            if digest != before and not (digest is None and before == "unknown"):  # not a file that came and went
                real.add(path)
        return real, folders


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
