"""Reading aids in Chromium: note and source previews (static/js/notes.js) by keyboard,
mouse and touch; the contents list and the links beside section headings; related
articles and the previous and next issue."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from .conftest import SAMPLE_PAGES, SCHEMES, PageView, sample_only
from .test_pages import assert_clean, assert_fits

NOTES = SAMPLE_PAGES["article-notes"]
#: What a preview shows: whether it is on screen, its label and text, its box, its
#: accessibility attributes and the links inside it that Tab could reach.
_PREVIEW_JS = """() => {
  const box = document.querySelector('.preview');
  if (!box || box.hidden) return {shown: false};
  const r = box.getBoundingClientRect();
  return {
    shown: r.width > 0 && r.height > 0,
    label: box.querySelector('.preview-label').textContent.trim(),
    text: box.querySelector('.preview-body').textContent.replace(/\\s+/g, ' ').trim(),
    left: r.left, right: r.right, top: r.top, bottom: r.bottom,
    hidden: box.getAttribute('aria-hidden'),
    tabbable: [...box.querySelectorAll('a, button, [tabindex]')].filter(e => e.tabIndex >= 0).length,
    ids: box.querySelectorAll('[id]').length,
  };
}"""


def preview(view: PageView) -> dict:
    return view.page.evaluate(_PREVIEW_JS)  # type: ignore[no-any-return]


def note_text(view: PageView, number: int) -> str:
    """The note's text as the list shows it, without its back links."""
    return view.page.evaluate(
        """n => { const li = document.getElementById('note-' + n).cloneNode(true);
        li.querySelectorAll('[role="doc-backlink"]').forEach(a => a.remove());
        return li.textContent.replace(/\\s+/g, ' ').trim(); }""",
        number,
    )


def tab_to(view: PageView, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        view.page.keyboard.press("Tab")
        if view.page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def wait_hidden(view: PageView) -> None:
    view.page.wait_for_function("() => { const b = document.querySelector('.preview'); return !b || b.hidden; }", timeout=3000)


@sample_only
@pytest.mark.parametrize("scheme", SCHEMES)
def test_tab_to_a_note_reference_shows_the_note_and_escape_closes_it(open_page: Callable[..., PageView], scheme: str) -> None:
    view = open_page(NOTES, width=1280, scheme=scheme, name="article-notes-preview")
    assert preview(view) == {"shown": False}
    tab_to(view, 'a[role="doc-noteref"]')
    shown = preview(view)
    assert shown["shown"] and shown["label"] == "Note 1"
    assert shown["text"] == note_text(view, 1) and shown["text"].startswith("In print the two forms differ")
    # Nothing a screen reader hears twice, nothing Tab stops at, no duplicate ids.
    assert shown["hidden"] == "true" and shown["tabbable"] == 0 and shown["ids"] == 0
    ref = view.page.evaluate("""() => { const a = document.activeElement;
      return {name: a.getAttribute('aria-label'), described: a.getAttribute('aria-describedby')}; }""")
    assert ref == {"name": "Note 1", "described": None}
    view.screenshot(full_page=False)
    assert_clean(view)  # axe, with the preview open
    view.page.keyboard.press("Escape")
    assert preview(view) == {"shown": False}
    assert view.page.evaluate("document.activeElement.getAttribute('role')") == "doc-noteref"  # focus stays
    # The next reference shows its own note; moving focus on to a heading's link closes it at once.
    tab_to(view, 'a[role="doc-noteref"][href="#note-2"]')
    assert preview(view)["text"] == note_text(view, 2)
    tab_to(view, ".heading-anchor")
    assert preview(view) == {"shown": False}
    assert view.problems() == []


@sample_only
def test_hovering_a_note_reference_shows_the_note_and_moving_away_closes_it(open_page: Callable[..., PageView]) -> None:
    view = open_page(NOTES, width=1280, name="article-notes-hover")
    ref = view.page.locator('a[role="doc-noteref"][href="#note-3"]')
    ref.scroll_into_view_if_needed()
    ref.hover()
    view.page.wait_for_function("() => !document.querySelector('.preview').hidden", timeout=3000)
    shown = preview(view)
    assert shown["label"] == "Note 3" and shown["text"] == note_text(view, 3)
    box = ref.bounding_box()
    assert box is not None and (shown["top"] >= box["y"] + box["height"] or shown["bottom"] <= box["y"])  # beside it, not over it
    # The pointer may move into the preview (to select its text) without closing it ...
    view.page.mouse.move((shown["left"] + shown["right"]) / 2, (shown["top"] + shown["bottom"]) / 2, steps=4)
    view.page.wait_for_timeout(500)
    assert preview(view)["shown"]
    # ... and closes it by going elsewhere.
    view.page.mouse.move(5, 5, steps=4)
    wait_hidden(view)
    assert view.problems() == []


@sample_only
def test_a_citation_previews_its_source_entry(open_page: Callable[..., PageView]) -> None:
    view = open_page(SAMPLE_PAGES["article-tables"], width=1280, name="article-tables-source")
    link = view.page.locator('.article-body a[href="https://www.w3.org/WAI/tutorials/tables/"]').first
    link.scroll_into_view_if_needed()
    link.hover()
    view.page.wait_for_function("() => !document.querySelector('.preview').hidden", timeout=3000)
    shown = preview(view)
    assert shown["label"] == "Source"
    # The source list's entry: outlet, date and host (the full address is the link's title).
    assert shown["text"] == "W3C. December 9, 2025. w3.org"
    view.screenshot(full_page=False)
    view.page.keyboard.press("Escape")
    assert preview(view) == {"shown": False}
    assert view.problems() == []


@sample_only
def test_a_link_that_is_not_a_citation_previews_nothing(open_page: Callable[..., PageView]) -> None:
    view = open_page(NOTES, width=1280, name="article-notes-plain-link")
    link = view.page.locator('.article-body a[href="https://pandoc.org/MANUAL.html"]')
    assert link.count() == 1  # "compare the [Pandoc manual](…)": a link, not a citation
    link.scroll_into_view_if_needed()
    link.hover()
    view.page.wait_for_timeout(500)
    assert preview(view) == {"shown": False}
    link.focus()
    assert preview(view) == {"shown": False}


@sample_only
@pytest.mark.parametrize("width", [320, 390])
def test_a_tap_shows_the_note_and_a_second_tap_follows_the_link(open_page: Callable[..., PageView], width: int) -> None:
    view = open_page(NOTES, width=width, touch=True, name=f"article-notes-tap-{width}")
    page = view.page
    for number in (1, 2, 3, 4, 5):
        ref = page.locator(f'a[role="doc-noteref"][href="#note-{number}"]').first
        ref.scroll_into_view_if_needed()
        ref.tap()
        page.wait_for_function("() => !document.querySelector('.preview').hidden", timeout=3000)
        shown = preview(view)
        assert shown["text"] == note_text(view, number)
        assert page.evaluate("location.hash") == ""  # the first tap stayed
        # Inside the viewport, whatever the reference's place on the line.
        assert 0 <= shown["left"] and shown["right"] <= width, (number, shown)
        assert_fits(view)
        if number == 1:
            view.screenshot(full_page=False)
            # A tap elsewhere closes it.
            page.touchscreen.tap(width // 2, 10)
            wait_hidden(view)
    ref = page.locator('a[role="doc-noteref"][href="#note-5"]').first
    ref.tap()
    page.wait_for_function("() => location.hash === '#note-5'", timeout=3000)  # the second tap followed the link
    assert preview(view) == {"shown": False}
    assert view.problems() == []


@sample_only
def test_without_javascript_a_note_reference_jumps_to_its_note(open_page: Callable[..., PageView]) -> None:
    view = open_page(NOTES, width=390, javascript=False, name="article-notes-nojs")
    view.page.locator('a[role="doc-noteref"][href="#note-1"]').click()
    assert view.page.evaluate("location.hash") == "#note-1"
    assert view.page.locator(".preview").count() == 0
    assert view.page.evaluate("document.getElementById('note-1').getBoundingClientRect().top") < 900


@sample_only
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", [390, 1280])
def test_contents_list_links_to_each_section_and_headings_show_their_link_on_focus(
    open_page: Callable[..., PageView], width: int, scheme: str
) -> None:
    view = open_page(NOTES, width=width, scheme=scheme, name="article-notes-contents")
    page = view.page
    entries = page.evaluate("[...document.querySelectorAll('.contents a')].map(a => [a.getAttribute('href'), a.textContent.trim()])")
    headings = page.evaluate("[...document.querySelectorAll('.article-body h2')].map(h => ['#' + h.id, h.textContent.trim()])")
    assert entries == headings and len(entries) == 4
    anchor = ".section-heading .heading-anchor"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{anchor}')).opacity") == "0"
    tab_to(view, anchor)
    # (Reduced motion still fades over 0.01 ms: wait for it.)
    page.wait_for_function("() => getComputedStyle(document.activeElement).opacity === '1'", timeout=2000)
    focused = page.evaluate("""() => { const a = document.activeElement;
      return {opacity: getComputedStyle(a).opacity, href: a.getAttribute('href'), text: a.textContent.trim()}; }""")
    assert focused["opacity"] == "1" and focused["href"] == entries[0][0]
    assert focused["text"] == f"#Link to the section “{entries[0][1]}”"
    # The heading's own name is its text alone.
    assert page.evaluate("document.querySelector('.article-body h2').textContent.trim()") == entries[0][1]
    view.screenshot(full_page=False)
    page.locator(".contents a").nth(2).click()
    assert page.evaluate("location.hash") == entries[2][0]
    assert_fits(view)
    assert_clean(view)


@sample_only
def test_related_articles_and_the_other_issue_are_links_that_work(open_page: Callable[..., PageView]) -> None:
    view = open_page(NOTES, width=1280, name="article-notes-related")
    related = view.page.evaluate("[...document.querySelectorAll('.related li > a')].map(a => a.href)")
    assert 1 <= len(related) <= 3 and view.page.url not in related
    for href in related:
        assert view.page.request.get(href).ok
    issue = open_page(SAMPLE_PAGES["issue"], width=390, name="issue-pager")
    previous = issue.page.locator('.issue-pager a[rel="prev"]')
    assert re.sub(r"\s+", " ", previous.inner_text()).startswith("PREVIOUS ISSUE Volume 1, Issue 1")
    assert issue.page.locator('.issue-pager a[rel="next"]').count() == 0  # the newest issue
    previous.click()
    issue.page.wait_for_url("**/volume-1/issue-1/")
    assert issue.page.locator('.issue-pager a[rel="next"]').get_attribute("href").endswith("issue-2/")
    assert_fits(issue)
