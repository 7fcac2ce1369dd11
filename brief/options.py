"""Build options: what to build, from where, to where.

Kept apart from :mod:`brief.pipeline` so that the command line can tell that a
build has nothing to do without importing the stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .progress import ProgressCallback

#: The package folder, which holds the default templates/ and static/.
PACKAGE_ROOT = Path(__file__).resolve().parent


@dataclass
class BuildOptions:
    """What to build, from where, to where."""

    content: Path
    project: Path
    out: Path | None = None  #: None: check only, write nothing
    templates: Path | None = None
    static: Path | None = None
    strict: bool = False
    #: Worker processes for Markdown (None: one per core).
    jobs: int | None = None
    #: Reuse what earlier builds left in ``.brief-cache/`` (``--no-cache`` turns it off).
    use_cache: bool = True
    #: Called as long stages advance (see :mod:`brief.progress`).
    progress: ProgressCallback | None = None
    #: Build draft articles too, each marked as a draft (``brief serve --drafts``).
    drafts: bool = False
    #: Build issues and articles dated after today too, each marked as scheduled
    #: (``brief serve --future``); see :mod:`brief.schedule`.
    future: bool = False
    #: The address pages are built for instead of ``base_url`` in ``site.yaml`` (the preview's own).
    base_url: str | None = None

    def templates_folder(self) -> Path:
        if self.templates is not None:
            return self.templates
        own = self.project / "templates"
        return own if own.is_dir() else PACKAGE_ROOT / "templates"

    def static_folder(self) -> Path:
        if self.static is not None:
            return self.static
        own = self.project / "static"
        return own if own.is_dir() else PACKAGE_ROOT / "static"
