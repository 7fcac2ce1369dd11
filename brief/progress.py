"""Progress bars for long builds, on a terminal only.

A build reports progress through a callback, ``progress(stage, done, total)``;
the command line passes one that draws rich progress bars when its error stream
is a terminal, and none in CI, in pipes or with ``--quiet``.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Callable, TextIO

#: What a stage calls as it goes: the stage's name, items done, items in all.
ProgressCallback = Callable[[str, int, int], None]


def wants_progress(stream: TextIO, quiet: bool) -> bool:
    """Bars only for a person at a terminal: not in CI, not when quiet, not into a pipe."""
    return not quiet and not os.environ.get("CI") and hasattr(stream, "isatty") and stream.isatty()


class TerminalProgress:
    """Rich progress bars, one per stage, cleared when the build ends."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bars = Progress(
            TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=Console(file=stream), transient=True,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> "TerminalProgress":
        self.bars.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.bars.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=total)
        self.bars.update(self.tasks[stage], completed=done, total=total)
