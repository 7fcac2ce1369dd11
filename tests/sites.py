"""Small inline sites for tests that need whole builds (Hugo-style: the site is written in the test).

``write_site(root, overrides)`` writes a minimal valid project: one author, one
publication, one issue, one article. ``overrides`` maps a path under
``content/`` to its text, or to ``None`` to delete that default file, or to
bytes for binary files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from conftest import build_options

from brief.errors import ContentError
from brief.pipeline import BuildOptions, BuildReport, build

REPO = Path(__file__).resolve().parent.parent

ARTICLE = """---
title: "A Test Article"
authors: [ann-lee]
summary:
  - "The first point."
---

Body text citing ([MND](https://example.org/mnd/1209), December 9).
"""

DEFAULT_FILES: dict[str, str | bytes | None] = {
    "site.yaml": "title: Test Brief\nbase_url: https://brief.example.org/\npdf: false\n",  # PDFs: tests/test_pdf.py
    "authors/ann-lee.md": "---\nname: Ann Lee\naffiliation: Test Institute\n---\nAnn Lee writes tests.\n",
    "pub/publication.yaml": "title: Test Publication\n",
    "pub/v1n1/issue.yaml": "volume: 1\nnumber: 1\ndate: 2026-01-14\n",
    "pub/v1n1/article.md": ARTICLE,
}


def write_site(root: Path, overrides: dict[str, str | bytes | None] | None = None) -> Path:
    """Write a project at ``root`` (content under ``root/content``) and return ``root``."""
    files = dict(DEFAULT_FILES)
    files.update(overrides or {})
    content = root / "content"
    for rel, text in files.items():
        if text is not None:
            write_file(content / rel, text)
    return root


def write_file(path: Path, data: str | bytes) -> Path:
    """Write text (as UTF-8) or bytes to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def options(root: Path, out: bool = True, strict: bool = False) -> BuildOptions:
    """conftest's build options, with the repository's templates and static files."""
    return dataclasses.replace(
        build_options(root, strict=strict, write=out), templates=REPO / "brief/templates", static=REPO / "brief/static"
    )


def build_ok(root: Path, strict: bool = False) -> BuildReport:
    return build(options(root, strict=strict))


def build_errors(root: Path, strict: bool = False) -> list[str]:
    """The diagnostics of a build that must fail, as printed."""
    try:
        build(options(root, strict=strict))
    except ContentError as exc:
        return [str(d) for d in exc.diagnostics]
    raise AssertionError("the build succeeded but should have failed")


def article(front: str, body: str = "Text.\n") -> str:
    """An article file from front-matter lines (without fences) and a body."""
    return f"---\n{front.strip()}\n---\n\n{body}"
