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


#: A small site for search: one article in simplified Chinese only, one in traditional
#: only, one in English only, across two publications, two authors, three topics and
#: two years (tests/test_search.py, tests/browser/test_search.py).
SEARCH_SITE: dict[str, str | bytes | None] = {
    "authors/bo-chen.md": "---\nname: Bo Chen\naffiliation: Strait Institute\n---\nBo Chen follows the coast guards.\n",
    "pub/v1n1/issue.yaml": "volume: 1\nnumber: 1\ndate: 2025-12-10\n",
    "pub/v1n1/article.md": None,
    "pub/v1n1/eastern-theater-drills.md": article(
        "title: Eastern Theater Drills\nauthors: [ann-lee]\ntopics: [Military]\n"
        "summary: ['The drills ran for three days.']",
        "State media said the 中国人民解放军东部战区 began drills near the 台湾海峡 on Monday "
        "([Xinhua](https://example.org/xinhua/1208), December 8).[^1]\n\n"
        "[^1]: The command's statement named the 海军 and the rocket force.\n",
    ),
    "pub/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-14\n",
    "pub/v1n2/coast-guard-patrols.md": article(
        "title: Coast Guard Patrols\nauthors: [bo-chen]\ntopics: [Maritime]",
        "Taiwan's 海巡署 and the 國防部 reported 共軍 ships near Kinmen "
        "([Focus Taiwan](https://example.org/cna/0112), January 12).\n",
    ),
    "second/publication.yaml": "title: Budget Monitor\n",
    "second/v2n1/issue.yaml": "volume: 2\nnumber: 1\ndate: 2026-01-14\n",
    "second/v2n1/budget-politics.md": article(
        "title: Budget Politics\nauthors: [ann-lee, bo-chen]\ntopics: [Politics]",
        "The legislature debated the special defense budget for a week "
        "([Reuters](https://example.org/reuters/0109), January 9).\n",
    ),
}
