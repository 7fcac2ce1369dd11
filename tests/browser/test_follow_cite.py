"""The Cite section of an article and the Follow links, in Chromium: they fit a phone,
pass axe in both colour schemes, work without JavaScript, and print without the
download and Follow links."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import OUTPUT, SCHEMES, PageView, sample_only

pytestmark = sample_only

ARTICLE = "field-notes/marking-chinese-script/"
WIDTHS = (390, 1280)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_cite_section_fits_and_passes_axe(open_page: Callable[..., PageView], width: int, scheme: str) -> None:
    view = open_page(ARTICLE, width=width, scheme=scheme, name="cite")
    cite = view.page.locator("section.cite")
    assert cite.count() == 1
    overflow = view.overflow()
    assert overflow["scrollWidth"] <= overflow["viewport"], overflow["elements"]
    assert view.axe() == []
    assert view.problems() == []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    cite.screenshot(path=str(OUTPUT / f"cite-section-{width}-{scheme}.png"))
    # Three references, each in its own labelled block, wrapped inside the column.
    styles = cite.locator(".cite-style")
    assert styles.count() == 3
    column = cite.bounding_box()
    assert column is not None
    for index in range(3):
        box = styles.nth(index).locator("dd").bounding_box()
        assert box is not None and box["x"] >= column["x"] - 0.5 and box["x"] + box["width"] <= column["x"] + column["width"] + 0.5


def test_cite_downloads_are_served_and_work_without_javascript(open_page: Callable[..., PageView]) -> None:
    view = open_page(ARTICLE, javascript=False, name="cite-nojs")
    links = view.page.locator(".cite-downloads a")
    assert [links.nth(i).inner_text() for i in range(links.count())] == ["BibTeX", "RIS", "CSL-JSON"]
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        response = view.page.request.get(view.page.url.rsplit("/", 1)[0] + "/" + href)
        assert response.status == 200, href
        assert "Lin" in response.text()
    assert view.problems() == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["follow/", "field-notes/", "topics/accessibility/"])
def test_follow_links_and_page_fit_and_pass_axe(open_page: Callable[..., PageView], path: str, width: int, scheme: str) -> None:
    view = open_page(path, width=width, scheme=scheme, name="follow-" + path.strip("/").replace("/", "-"))
    overflow = view.overflow()
    assert overflow["scrollWidth"] <= overflow["viewport"], overflow["elements"]
    assert view.axe() == []
    assert view.problems() == []
    footer = view.page.locator(".footer-follow a")
    assert footer.inner_text() == "Follow by feed"
    if path != "follow/":
        follow = view.page.locator(".follow-feed")
        assert follow.is_visible()
        assert follow.get_attribute("href").endswith("feed.xml")
    view.screenshot(full_page=path == "follow/")


def test_the_follow_link_leads_to_a_feed_a_reader_can_subscribe_to(open_page: Callable[..., PageView]) -> None:
    view = open_page("field-notes/", javascript=False, name="follow-feed")
    href = view.page.locator(".follow-feed").get_attribute("href")
    response = view.page.request.get(view.page.url + href)
    assert response.status == 200
    assert response.text().startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"')
    alternate = view.page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert [alternate.nth(i).get_attribute("href") for i in range(alternate.count())] == ["../feed.xml", "../field-notes/feed.xml"]


def test_print_keeps_the_references_and_drops_the_links(open_page: Callable[..., PageView]) -> None:
    view = open_page(ARTICLE, media="print", name="cite-print")
    assert view.page.locator(".cite-style dd").first.is_visible()
    assert not view.page.locator(".cite-downloads").is_visible()
    assert not view.page.locator(".footer-follow").is_visible()
