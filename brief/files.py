"""Writing a file whole: the one way Brief's caches write their files.

A reader (another build, a worker process, the next build after a crash) never
sees part of a file: the data goes into a temporary file beside it, which is
then renamed over it.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole, making its folder if it is missing."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
    os.replace(temporary, path)
