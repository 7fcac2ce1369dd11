"""Search in Chromium: queries in English, in simplified and in traditional Chinese and
across the two scripts, the filters, the header's field, and the search page's promises
(no other host, axe, its width, without JavaScript and from disk).

The site is tests/sites.py's SEARCH_SITE: one article that writes Chinese in simplified
characters only, one in traditional only, one in English only.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sites import SEARCH_SITE, write_site

from .conftest import OUTPUT, SCHEMES, PageView, page_opener, serve_folder

DRILLS, COAST, BUDGET = "Eastern Theater Drills", "Coast Guard Patrols", "Budget Politics"


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("search"), SEARCH_SITE)
    # Built by another process: the build forks workers for images, which can hang when
    # forked from a process that already runs Playwright's threads.
    subprocess.run([sys.executable, "-m", "brief", "build", "--no-cache", "-q"], cwd=root, check=True, timeout=300)
    return root / "_site"


@pytest.fixture(scope="module")
def search_url(search_site: Path) -> Iterator[str]:
    url, stop = serve_folder(search_site)
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def open_search_site(browser: Any, search_url: str, axe_source: str) -> Iterator[Callable[..., PageView]]:
    contexts: list[Any] = []
    yield page_opener(browser, search_url, axe_source, contexts)
    for context in contexts:
        context.close()


def results(view: PageView) -> list[dict[str, Any]]:
    """The results shown, once the search has answered: title, excerpt (HTML), tags."""
    page = view.page
    # The message says how many results there are ("3 results for ..."); wait until that many
    # (at most a page of five) are loaded and shown.
    page.wait_for_function(
        """() => {
          const message = document.querySelector('.pagefind-ui__message');
          if (!message) return false;
          if (/^No results/.test(message.innerText)) return true;
          const found = /^(\\d+) results? for/.exec(message.innerText);
          return found !== null && document.querySelectorAll('.pagefind-ui__result-link').length === Math.min(5, Number(found[1]));
        }""", timeout=15_000,
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('.pagefind-ui__result')].map(r => ({
          title: r.querySelector('.pagefind-ui__result-title').innerText.trim(),
          href: r.querySelector('.pagefind-ui__result-link').getAttribute('href'),
          excerpt: r.querySelector('.pagefind-ui__result-excerpt').innerHTML,
          marked: [...r.querySelectorAll('.pagefind-ui__result-excerpt mark')].map(m => m.innerText),
          tags: [...r.querySelectorAll('.pagefind-ui__result-tag')].map(t => t.innerText.trim()),
        }))"""
    )


def search(open_search_site: Callable[..., PageView], query: str, **kwargs: Any) -> tuple[PageView, list[dict[str, Any]]]:
    view = open_search_site(f"search/?q={query}", name=f"search-{query}", **kwargs)
    return view, results(view)


@pytest.mark.parametrize("query, expected, marked", [
    ("legislature", [BUDGET], "legislature"),  # English
    ("drill", [DRILLS], "drills"),  # English, a word's start
    ("东部战区", [DRILLS], "东部战区"),  # simplified, as written
    ("海巡署", [COAST], "海巡署"),  # traditional, as written
    ("東部戰區", [DRILLS], "东部战区"),  # traditional finds simplified; the excerpt shows it as written
    ("国防部", [COAST], "國防部"),  # simplified finds traditional
    ("共军", [COAST], "共軍"),
    ("台灣", [DRILLS], "台湾"),  # the Taiwan variant finds the mainland form
    ("人民解放軍", [DRILLS], "人民解放军"),  # part of a longer run, in the other script
])
def test_a_query_finds_the_articles_that_hold_it_in_either_script(
    open_search_site: Callable[..., PageView], query: str, expected: list[str], marked: str
) -> None:
    view, found = search(open_search_site, query)
    assert [r["title"] for r in found] == expected
    result = found[0]
    assert marked in [m.strip() for m in result["marked"]], result["excerpt"]
    assert "\u2042" not in result["excerpt"]  # the hidden part of the index never shows
    assert result["tags"][0].startswith("Authors: ") and result["tags"][1].startswith("Issue: ")
    assert result["tags"][2].startswith("Date: ")
    assert view.problems() == []


def test_a_query_that_matches_nothing_says_so(open_search_site: Callable[..., PageView]) -> None:
    view, found = search(open_search_site, "潜艇")
    assert found == []
    assert "No results" in view.page.inner_text(".pagefind-ui__message")


def test_results_show_authors_issue_and_date_and_link_to_the_article(open_search_site: Callable[..., PageView], search_url: str) -> None:
    view, found = search(open_search_site, "budget")
    assert found[0]["tags"] == ["Authors: Ann Lee, Bo Chen", "Issue: Budget Monitor, Volume 2, Issue 1", "Date: January 14, 2026"]
    view.page.click(".pagefind-ui__result-link")
    view.page.wait_for_url(search_url + "second/budget-politics/")
    assert view.page.inner_text("h1") == BUDGET


def filter_by(view: PageView, group: str, value: str) -> None:
    page = view.page
    block = page.locator("details.pagefind-ui__filter-block", has=page.locator("summary", has_text=group))
    if not block.get_attribute("open") == "":
        block.locator("summary").click()
    block.locator("label", has_text=value).click()


def titles_after_filter(view: PageView, count: int) -> list[str]:
    view.page.wait_for_function(
        f"() => /^{count} results? for/.test((document.querySelector('.pagefind-ui__message') || {{}}).innerText || '')", timeout=15_000,
    )
    return sorted(r["title"] for r in results(view))


def test_filters_narrow_the_results(open_search_site: Callable[..., PageView]) -> None:
    view, found = search(open_search_site, "the")
    assert sorted(r["title"] for r in found) == sorted([DRILLS, COAST, BUDGET])
    groups = view.page.eval_on_selector_all(".pagefind-ui__filter-name", "els => els.map(e => e.innerText.trim())")
    assert sorted(groups) == ["Author", "Publication", "Topic", "Year"]
    filter_by(view, "Author", "Ann Lee")
    assert titles_after_filter(view, 2) == sorted([DRILLS, BUDGET])
    filter_by(view, "Year", "2025")
    assert titles_after_filter(view, 1) == [DRILLS]
    view2, _ = search(open_search_site, "the")
    filter_by(view2, "Publication", "Budget Monitor")
    assert titles_after_filter(view2, 1) == [BUDGET]
    view3, _ = search(open_search_site, "the")
    filter_by(view3, "Topic", "Maritime")
    assert titles_after_filter(view3, 1) == [COAST]
    assert view.problems() == [] and view2.problems() == [] and view3.problems() == []


def test_the_header_field_opens_the_search_page_with_the_query(open_search_site: Callable[..., PageView], search_url: str) -> None:
    view = open_search_site("pub/coast-guard-patrols/", name="header-field")
    view.page.fill("#site-search-q", "解放军")
    view.page.press("#site-search-q", "Enter")
    view.page.wait_for_url(search_url + "search/?q=%E8%A7%A3%E6%94%BE%E5%86%9B")
    assert [r["title"] for r in results(view)] == [DRILLS]
    assert view.page.input_value(".pagefind-ui__search-input") == "解放军"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", (390, 1280))
def test_the_search_page_fits_passes_axe_and_asks_no_other_host(
    open_search_site: Callable[..., PageView], width: int, scheme: str
) -> None:
    view, found = search(open_search_site, "the", width=width, scheme=scheme)
    assert len(found) == 3
    view.screenshot()
    overflow = view.overflow()
    assert overflow["scrollWidth"] <= overflow["viewport"], overflow
    assert view.problems() == []  # console errors (a refused inline style or image would be one), other hosts
    assert view.axe() == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_focusable_element_of_the_search_page_shows_focus(open_search_site: Callable[..., PageView], scheme: str) -> None:
    view, _ = search(open_search_site, "drills", scheme=scheme)
    # Open the filter groups: a closed group's checkboxes are not reached by Tab, though
    # the harness counts them.
    # Pagefind adds the groups as their filters load: wait for all four, then open each that is
    # closed (a click on a group it opened itself would close it).
    view.page.wait_for_function("() => document.querySelectorAll('details.pagefind-ui__filter-block').length === 4", timeout=15_000)
    view.page.evaluate("() => document.querySelectorAll('details.pagefind-ui__filter-block').forEach(d => { d.open = true; })")
    view.page.wait_for_function("() => document.querySelectorAll('details.pagefind-ui__filter-block[open]').length === 4", timeout=15_000)
    # Tab starts from the top of the page again.
    view.page.evaluate("() => { const b = document.body; b.tabIndex = -1; b.focus(); b.removeAttribute('tabindex'); }")
    assert view.focus_problems() == []


def assert_fallback(view: PageView) -> None:
    page = view.page
    assert page.locator("#search-fallback").is_visible()
    assert "needs JavaScript" in page.inner_text("#search-unavailable")
    links = page.eval_on_selector_all("#search-fallback a", "els => els.map(a => a.innerText.trim())")
    assert links == ["Test Publication", "Budget Monitor", "Authors", "Topics"]


def test_without_javascript_the_search_page_says_so_and_links_the_archive(open_search_site: Callable[..., PageView]) -> None:
    view = open_search_site("search/?q=drills", javascript=False, width=390, name="search-no-js")
    view.page.screenshot(path=str(OUTPUT / f"{view.label}.png"), full_page=True)
    assert_fallback(view)
    assert view.problems() == []


def test_opened_from_disk_the_search_page_says_so(browser: Any, search_site: Path) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        requested: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((search_site / "search/index.html").as_uri())
        view = PageView(page, "search-file", 1280, "light", "screen", "")
        assert_fallback(view)
        assert not [url for url in requested if "pagefind" in url and url.endswith(".js")]
        assert errors == []
    finally:
        context.close()
