"""Helpers for the importer's tests: run ``brief import`` in a project, and read the fields
of a built article page that a round trip must keep."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from brief.cli import main
from brief.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str


def brief(project: Path, *argv: str) -> Run:
    """Run the command line in ``project`` as an editor would."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(project)
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def new_project(root: Path, site_from: Path | None = None) -> Path:
    """An empty project: site.yaml, one publication (``field-notes``), no authors, no issues."""
    content = root / "content"
    (content / "authors").mkdir(parents=True)
    (content / "field-notes").mkdir()
    source = site_from or REPO / "content"
    shutil.copy(source / "site.yaml", content / "site.yaml")
    shutil.copy(source / "field-notes" / "publication.yaml", content / "field-notes" / "publication.yaml")
    return root


def build_project(project: Path) -> Path:
    out = project / "_site"
    build(BuildOptions(content=project / "content", project=project, out=out, use_cache=False))
    return out


def text(tag: Any) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ") if isinstance(tag, Tag) else "").replace(" ,", ",").replace(" .", ".").strip()


def article_fields(path: Path) -> dict[str, Any]:
    """The fields of a built article page that an import must keep."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for back in soup.select("a[role=doc-backlink]"):
        back.decompose()
    body = soup.select_one("div.article-body")
    assert isinstance(body, Tag)
    lead = soup.select_one("figure.lead-image")
    fields: dict[str, Any] = {
        "title": text(soup.find("h1")),
        "authors": [str(m["content"]) for m in soup.find_all("meta", attrs={"name": "citation_author"})],
        "date": str(soup.select_one(".article-meta time")["datetime"]),  # type: ignore[index]
        "summary": [text(li) for li in soup.select("[role=doc-abstract] li")],
        "topics": [text(a) for a in soup.select("ul.topics a")],
        "paragraphs": [text(p) for p in body.find_all(["p", "h2", "h3", "h4", "li"]) if not p.find_parent("figure")],
        "notes": [text(li) for li in soup.select("[role=doc-endnotes] li")],
        "sources": [
            (text(li.find("cite")), str(li.select_one("a.source-url")["href"]), str(li.find("time")["datetime"]) if li.find("time") else "")  # type: ignore[index]
            for li in soup.select("[role=doc-bibliography] li")
        ],
        "tables": [[[text(c) for c in tr.find_all(["td", "th"])] for tr in table.find_all("tr")] for table in body.find_all("table")],
        "figures": [
            (text(f.find("figcaption")), str(f.find("img")["alt"]) if f.find("img") else "", text(f.select_one(".figure-source")))  # type: ignore[index]
            for f in body.select("figure.captioned")
        ],
        "lead": (str(lead.find("img")["alt"]), text(lead.find("figcaption"))) if isinstance(lead, Tag) else None,  # type: ignore[index]
    }
    return fields


def article_pages(site: Path) -> dict[str, Path]:
    """Built article pages by their address (``field-notes/<slug>``)."""
    return {
        page.parent.relative_to(site).as_posix(): page
        for page in sorted(site.glob("*/*/index.html"))
        if page.parent.parent.name not in ("authors", "topics") and not page.parent.name.startswith("volume-")
    }


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> tuple[int, list[str]]:
    """Field by field (each paragraph, note, source, table cell, figure is one field):
    how many agree, and a line for each that does not."""
    agree, differences = 0, []
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, list) and key != "authors" and key != "topics":
            rows_want = [cell for row in want for cell in row] if key == "tables" else want
            rows_got = [cell for row in (got or []) for cell in row] if key == "tables" else (got or [])
            for i in range(max(len(rows_want), len(rows_got))):
                w = rows_want[i] if i < len(rows_want) else None
                g = rows_got[i] if i < len(rows_got) else None
                if w == g:
                    agree += 1
                else:
                    differences.append(f"{key}[{i}]: expected {w!r}, got {g!r}")
        elif want == got:
            agree += 1
        else:
            differences.append(f"{key}: expected {want!r}, got {got!r}")
    return agree, differences
