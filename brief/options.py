"""Build options: what to build, from where, to where.

Kept apart from :mod:`brief.pipeline` so that the command line can tell that a
build has nothing to do without importing the stages.
"""

from __future__ import annotations

import datetime as dt
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
    #: The site's own templates and static files (default: ``templates/`` and ``static/`` in
    #: the project folder). Each file there overrides the one of the same name Brief ships.
    templates: Path | None = None
    static: Path | None = None
    strict: bool = False
    #: Worker processes for Markdown (None: one per core).
    jobs: int | None = None
    #: Reuse what earlier builds left in ``.brief-cache/`` (``--no-cache`` turns it off).
    use_cache: bool = True
    #: ``brief check``: decode every image again, even those the image cache already knows.
    verify_images: bool = False
    #: Called as long stages advance (see :mod:`brief.progress`).
    progress: ProgressCallback | None = None
    #: The date to build as of (``--now``); ``None``: today in the site's time zone.
    now: dt.date | None = None
    #: Publish issues and articles dated after today too (``--future``); in the preview,
    #: each is marked as scheduled (see :mod:`brief.schedule`).
    future: bool = False
    #: Also check outside links (``brief check --external``).
    external: bool = False
    #: Build draft articles too, each marked as a draft (``brief serve --drafts`` only).
    drafts: bool = False
    #: The address pages are built for instead of ``base_url`` in ``site.yaml`` (the preview's own).
    base_url: str | None = None
    #: Make the issue PDFs that ``site.yaml`` asks for (``--no-pdf`` and the preview turn it off).
    pdf: bool = True
    #: The search page and index (``--no-search`` turns both off, as ``search: false`` does).
    search: bool = True
    #: Write the search index; when off, the pages keep their search field and the output
    #: keeps the index it has (the preview, unless ``brief serve --search``).
    search_index: bool = True

    def template_folders(self) -> list[Path]:
        """Where templates are looked up, in order: the site's own folder (which may not
        exist), then the templates Brief ships. The first folder that has a file wins."""
        return _layers(self.templates or self.project / "templates", PACKAGE_ROOT / "templates")

    def static_folders(self) -> list[Path]:
        """Where static files come from, in the same order as :meth:`template_folders`."""
        return _layers(self.static or self.project / "static", PACKAGE_ROOT / "static")


def _layers(own: Path, shipped: Path) -> list[Path]:
    return [shipped] if own.resolve() == shipped else [own, shipped]
