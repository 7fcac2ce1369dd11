"""Helpers for the importer's tests: run ``brief import`` in a project, and read the fields
of a built article page that a round trip must keep."""

from __future__ import annotations

import difflib
import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from brief.cli import main
from brief.importer.page import CREDIT_LABEL
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
    """The text a reader sees, whitespace collapsed."""
    return re.sub(r"\s+", " ", tag.get_text() if isinstance(tag, Tag) else "").strip()


def article_fields(path: Path) -> dict[str, Any]:
    """The fields of a built article page that an import must keep."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for marker in soup.select("a[role=doc-backlink], sup.note-ref"):
        marker.decompose()
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
        "tables": [[[text(c) for c in tr.find_all(["td", "th"])] for tr in table.find_all("tr")] for table in body.find_all("table")]
        + [[line.split(" | ") for line in code.get_text().strip().split("\n")] for code in body.select("pre > code") if " | " in code.get_text()],
        "pipe_tables": len(body.find_all("table")),
        "figures": [
            (text(f.find("figcaption")), str(f.find("img")["alt"]) if f.find("img") else "", source_text(f.select_one(".figure-source")))  # type: ignore[index]
            for f in body.select("figure.captioned")
        ],
        "lead": lead_fields(lead) if isinstance(lead, Tag) else None,
        "bios": [text(bio) for bio in soup.select("section.bios .bio")],
        "disclaimer": text(soup.select_one("aside.disclaimer")),
    }
    return fields


def source_text(tag: Any) -> str:
    """A source line's content, without its ``(Source: …)`` wrapping."""
    return re.sub(r"^\(?\s*(Sources?|Data)\s*:\s*(.*?)\)?$", r"\2", text(tag))


def lead_fields(figure: Tag) -> tuple[str, str, str]:
    """The lead image's alt text, caption and credit."""
    caption = figure.find("figcaption")
    credit = caption.select_one(".credit") if isinstance(caption, Tag) else None
    # the credit without the house's label around it ("Image: X", "(Source: X)")
    credit_text = CREDIT_LABEL.sub(r"\1", text(credit)).strip()
    if isinstance(credit, Tag):
        credit.decompose()
    return str(figure.find("img")["alt"]), text(caption), credit_text  # type: ignore[index]


def article_pages(site: Path) -> dict[str, Path]:
    """Built article pages by their address (``field-notes/<slug>``)."""
    return {
        page.parent.relative_to(site).as_posix(): page
        for page in sorted(site.glob("*/*/index.html"))
        if page.parent.parent.name not in ("authors", "topics") and not page.parent.name.startswith("volume-")
    }


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> tuple[int, list[str]]:
    """Field by field (each paragraph, note, source, table cell and figure is one field):
    how many agree, and a line for each that does not. Lists are aligned, so that one
    missing paragraph counts once and does not shift the rest."""
    agree, differences = 0, []
    for key, want in expected.items():
        got = actual.get(key)
        if key in ("paragraphs", "notes", "sources", "figures", "summary", "tables"):
            if key == "tables":
                want = [(t, r, c, cell) for t, table in enumerate(want) for r, row in enumerate(table) for c, cell in enumerate(row)]
                got = [(t, r, c, cell) for t, table in enumerate(got or []) for r, row in enumerate(table) for c, cell in enumerate(row)]
            matcher = difflib.SequenceMatcher(None, want, got or [], autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    agree += i2 - i1
                    continue
                for k in range(max(i2 - i1, j2 - j1)):
                    w = want[i1 + k] if i1 + k < i2 else None
                    g = got[j1 + k] if j1 + k < j2 else None  # type: ignore[index]
                    differences.append(f"{key}: expected {w!r}, got {g!r}")
        elif want == got:
            agree += 1
        else:
            differences.append(f"{key}: expected {want!r}, got {got!r}")
    return agree, differences
