"""Every page type of the sample site in Chromium: at four widths, light and dark, in
print, by keyboard and without JavaScript.

Screenshots of each page type go to the folder the run names at its end
(``test-output/browser/`` unless ``BRIEF_BROWSER_OUTPUT`` says otherwise).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import (
    OUTPUT,
    PAGES,
    SAMPLE_PAGES,
    SCHEMES,
    WIDTHS,
    PageView,
    sample_only,
)

#: The paper sizes of the printers our readers use.
PAPERS = ("A4", "Letter")


def assert_fits(view: PageView) -> None:
    overflow = view.overflow()
    assert overflow["scrollWidth"] <= overflow["viewport"], (
        f"{view.label} scrolls sideways: {overflow['scrollWidth']} px wide in a {overflow['viewport']} px viewport,"
        f" widened by {overflow['elements']}"
    )


def assert_clean(view: PageView) -> None:
    assert view.problems() == [], view.label
    violations = view.axe()
    assert violations == [], f"{view.label}: axe-core reports {violations}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_its_width_and_passes_axe(open_page: Callable[..., PageView], name: str, width: int, scheme: str) -> None:
    view = open_page(PAGES[name], width=width, scheme=scheme, name=name)
    view.screenshot()
    assert_fits(view)
    assert_clean(view)


@pytest.mark.parametrize("name", PAGES)
def test_page_in_print_media(open_page: Callable[..., PageView], name: str) -> None:
    """Print styles: the page fits the paper's width, navigation is gone, links in the
    text print as their text only, and axe finds nothing."""
    view = open_page(PAGES[name], width=718, media="print", name=name)  # A4 less 16 mm margins, in CSS px
    view.screenshot()
    assert_fits(view)
    assert_clean(view)
    assert not view.page.locator(".site-nav").is_visible()
    written_out = view.page.evaluate(
        "[...document.querySelectorAll('.article-body a, .summary a, .lead-image a, .bios a, .teaser a')]"
        ".map(a => getComputedStyle(a, '::after').content).filter(c => c.includes('http'))"
    )
    assert written_out == []


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def poppler() -> None:
    if not shutil.which("pdftotext") or not shutil.which("pdfimages"):
        from .conftest import _unavailable

        _unavailable("poppler-utils (pdftotext, pdfimages)")


@sample_only
@pytest.mark.parametrize("paper", PAPERS)
def test_printed_article_has_every_figure_and_addresses_only_in_back_matter(
    open_page: Callable[..., PageView], poppler: None, paper: str
) -> None:
    # A short window, printed at once: figures far below it must print all the same.
    view = open_page(SAMPLE_PAGES["article-tables"], width=1280, height=600, name="article-tables")
    images = view.page.evaluate("document.querySelectorAll('main img').length")
    pdf = view.pdf(paper)
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    printed = [line for line in listed.splitlines()[2:] if line.split()[2] == "image"]
    assert len(printed) == images == 3  # the lead image and both charts
    text = pdf_text(pdf)
    body, _, back = text.partition("NOTES")
    assert back, "the printed article has its notes"
    assert "https://" not in body  # inline links print as their text
    assert "https://github.github.com/gfm/#tables-extension-" in back.replace("\n", "")  # notes and sources do not
    assert "Scroll sideways" not in text


@sample_only
def test_long_table_repeats_its_header_row_on_each_printed_page(
    open_page: Callable[..., PageView], poppler: None
) -> None:
    view = open_page(SAMPLE_PAGES["article-tables"], name="article-long-table")
    # Make Table 2 four pages long.
    view.page.evaluate("""() => {
      const body = document.querySelector('#table-2 tbody');
      const rows = [...body.rows];
      for (let i = 0; i < 30; i++) rows.forEach(r => body.appendChild(r.cloneNode(true)));
    }""")
    pdf = view.pdf("A4")
    pages_with_rows = [
        n for n in range(1, pdf_pages(pdf) + 1) if len(re.findall(r"^\s*September\b", pdf_text(pdf, n), re.MULTILINE)) >= 3
    ]
    assert len(pages_with_rows) >= 3
    for n in pages_with_rows:
        text = pdf_text(pdf, n)
        assert "Structured" in text and "Consecutive" in text, f"page {n} of the long table has no header row"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_every_focusable_element_shows_focus(open_page: Callable[..., PageView], name: str, scheme: str) -> None:
    view = open_page(PAGES[name], width=1280, scheme=scheme, name=name)
    assert view.focus_problems() == []


@pytest.mark.parametrize("name", PAGES)
def test_page_works_without_javascript(open_page: Callable[..., PageView], name: str) -> None:
    view = open_page(PAGES[name], width=390, javascript=False, name=name)
    page = view.page
    assert page.locator("h1").first.is_visible()
    assert page.locator("main a[href]").count() > 0
    # Scripts are first-party files that only add to the page (note previews), never inline code.
    scripts = page.evaluate("[...document.scripts].filter(s => s.type !== 'application/ld+json')"
                            ".map(s => s.src ? new URL(s.src).pathname.replace(/^.*\\/static\\//, 'static/') : 'inline')")
    assert all(script == "static/js/notes.js" for script in scripts), scripts
    assert_fits(view)
    assert view.problems() == []


def test_screenshots_are_saved_for_people_to_look_at(open_page: Callable[..., PageView]) -> None:
    view = open_page("", width=390, name="home")
    path = view.screenshot()
    assert path.parent == OUTPUT and path.stat().st_size > 1000


@sample_only
@pytest.mark.parametrize("paper", PAPERS)
def test_printed_issue_lists_every_article(open_page: Callable[..., PageView], poppler: None, paper: str) -> None:
    view = open_page(SAMPLE_PAGES["issue"], name="issue")
    titles = view.page.evaluate("[...document.querySelectorAll('.toc .teaser-title')].map(h => h.textContent.trim())")
    text = " ".join(pdf_text(view.pdf(paper)).split())
    assert len(titles) == 3 and all(title in text for title in titles)


@sample_only
@pytest.mark.parametrize("width", [320, 390])
def test_tables_on_a_phone_show_all_their_data_or_say_they_scroll(open_page: Callable[..., PageView], width: int) -> None:
    """A table of up to five columns has no hidden columns (each row is a block, each
    value labelled with its heading); a wider one scrolls and says so above it."""
    tables = []
    for name in ("article-tables", "article-chinese"):
        view = open_page(SAMPLE_PAGES[name], width=width, name=name)
        tables += view.page.evaluate("""[...document.querySelectorAll('.table-wrap')].map(w => ({
          columns: Number(w.dataset.columns),
          scrolls: w.scrollWidth > w.clientWidth + 1,
          cue: getComputedStyle(w, '::before').content,
          labels: [...w.querySelectorAll('tbody td')].map(td => getComputedStyle(td, '::before').content),
          headerShown: w.querySelector('thead').getBoundingClientRect().height > 1,
        }))""")
    narrow = [t for t in tables if t["columns"] <= 5]
    wide = [t for t in tables if t["columns"] > 5]
    assert len(narrow) == 2 and len(wide) == 1
    for table in narrow:
        assert not table["scrolls"] and not table["headerShown"]
        assert all(label not in ("none", "normal", '""') for label in table["labels"])
    for table in wide:
        assert table["scrolls"]
        assert table["cue"].startswith('"Scroll sideways for all ') and "8" in table["cue"]


@sample_only
def test_print_leaves_the_paper_size_to_the_printer(open_page: Callable[..., PageView]) -> None:
    view = open_page(SAMPLE_PAGES["article-tables"], media="print", name="article-tables")
    sizes = view.page.evaluate("""[...document.styleSheets].flatMap(sheet => [...sheet.cssRules])
      .flatMap(rule => rule instanceof CSSMediaRule ? [...rule.cssRules] : [rule])
      .filter(rule => rule instanceof CSSPageRule).map(rule => rule.style.getPropertyValue('size'))""")
    assert sizes and all(size == "" for size in sizes)
