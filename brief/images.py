"""Images: find every image the site publishes and plan where it goes.

Each image an article uses (lead image or in the body) is published once under
``media/<hash>/<name>``, where ``<hash>`` is taken from the file's bytes, so a
changed image gets a new URL and an unchanged one keeps it. Its pixel size is
read from the file header (Pillow, without decoding) for ``width`` and
``height`` attributes.
"""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path

from markupsafe import escape
from PIL import Image, UnidentifiedImageError

from .errors import Diagnostics, SourceLocation
from .markdown import resolve_image_path
from .model import ImageAsset, Site


def plan_images(site: Site, content: Path, project: Path, diagnostics: Diagnostics) -> dict[str, ImageAsset]:
    """Every image used by a published article, by content-relative path."""
    uses: dict[str, tuple[str, int]] = {}
    for article in site.articles.values():
        source = article.source
        if source.image is not None and source.image.src:
            uses.setdefault(resolve_image_path(source.path, source.image.src), (source.path, source.image.line))
        for use in article.content.images:
            uses.setdefault(resolve_image_path(source.path, use.src), (source.path, use.line))
    assets: dict[str, ImageAsset] = {}
    for key in sorted(uses):
        path = project / key
        try:
            data = path.read_bytes()
        except OSError as exc:
            where, line = uses[key]
            diagnostics.error(SourceLocation(where, line), f"cannot read the image '{key}': {exc.strerror}", "")
            continue
        digest = hashlib.sha256(data).hexdigest()[:12]
        width = height = 0
        if not key.lower().endswith(".svg"):
            try:
                with Image.open(path) as image:
                    width, height = image.size
            except (UnidentifiedImageError, OSError, ValueError) as exc:
                where, line = uses[key]
                diagnostics.error(SourceLocation(where, line), f"the image '{key}' cannot be read: {exc}", "replace it with a JPEG, PNG, WebP or SVG file")
                continue
        assets[key] = ImageAsset(key, f"media/{digest}/{posixpath.basename(key)}", width, height)
    return assets


def image_html(asset: ImageAsset, alt: str, root: str, lazy: bool = True, title: str = "") -> str:
    """The markup of one published image; ``root`` leads from the page to the site root.

    Images below the fold load lazily; the lead image does not.
    """
    attrs = [f'src="{escape(root + asset.url)}"', f'alt="{escape(alt)}"']
    if asset.width and asset.height:
        attrs.append(f'width="{asset.width}" height="{asset.height}"')
    if title:
        attrs.append(f'title="{escape(title)}"')
    if lazy:
        attrs.append('loading="lazy"')
    attrs.append('decoding="async"')
    return "<img " + " ".join(attrs) + ">"
