"""Links between pages: written as file paths, published as relative addresses, checked."""

from __future__ import annotations

import posixpath
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ARTICLE, ISSUE_DIR, article, build_site, errors_of, make_site, warnings_of

SECOND = f"{ISSUE_DIR}/02-coast-guard.md"
OTHER_ISSUE = "content/brief/v1n2"


def second(body: str = "## The coast guard's role\n\nText.\n", front: str = "") -> str:
    return article(f"title: Coast Guard\nauthors: [jane-doe]\n{front}", body)


def page(root: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def target_of(root: Path, url: str, href: str) -> Path:
    """The file a relative link on the page at ``url`` leads to."""
    path, _, _ = href.partition("#")
    resolved = posixpath.normpath(posixpath.join(url, path))
    return root / "_site" / resolved / "index.html" if not resolved.endswith(".html") else root / "_site" / resolved


def hrefs(soup: BeautifulSoup, text: str) -> list[str]:
    return [a["href"] for a in soup.find_all("a") if a.get_text() == text]


def test_links_to_articles_issues_and_authors_become_relative_addresses(tmp_path: Path) -> None:
    body = (
        "See [the coast guard](02-coast-guard.md#the-coast-guards-role), [the next issue](../v1n2/),\n"
        "[its first piece](../v1n2/01-later.md), [Jane](../../authors/jane-doe.md) and [Jane again](authors/jane-doe.md).\n"
    )
    root = make_site(tmp_path, {
        ARTICLE: article("title: First Article\nauthors: [jane-doe]", body),
        SECOND: second(),
        f"{OTHER_ISSUE}/issue.yaml": "volume: 1\nnumber: 2\ndate: 2025-12-16\n",
        f"{OTHER_ISSUE}/01-later.md": article("title: Later\nauthors: [jane-doe]"),
    })
    report = build_site(root)
    assert warnings_of(report) == []
    soup = page(root, "brief/first-article/")
    assert hrefs(soup, "the coast guard") == ["../../brief/coast-guard/#the-coast-guards-role"]
    assert hrefs(soup, "the next issue") == ["../../brief/volume-1/issue-2/"]
    assert hrefs(soup, "its first piece") == ["../../brief/later/"]
    assert hrefs(soup, "Jane") == hrefs(soup, "Jane again") == ["../../authors/jane-doe/"]
    for text in ("the coast guard", "the next issue", "its first piece", "Jane"):
        assert target_of(root, "brief/first-article/", hrefs(soup, text)[0]).is_file()
    target = page(root, "brief/coast-guard/")
    assert target.find(id="the-coast-guards-role") is not None
    # Links between pages are not sources.
    assert soup.find(attrs={"role": "doc-bibliography"}) is None


def test_a_link_to_a_missing_file_is_an_error_with_the_line_and_a_suggestion(tmp_path: Path) -> None:
    body = "Intro.\n\nSee [the coast guard](02-coast-gaurd.md) and [nothing](../v9/x.md).\n"
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]", body), SECOND: second()})
    assert errors_of(root) == [
        f"{ARTICLE}:8: the link '../v9/x.md' leads to no page: there is no article, issue or author at content/brief/v9/x.md"
        " — link to an article's .md file, an issue's folder or authors/<id>.md, as a path relative to this file",
        f"{ARTICLE}:8: the link '02-coast-gaurd.md' leads to no page: there is no article, issue or author at"
        f" {ISSUE_DIR}/02-coast-gaurd.md — did you mean '02-coast-guard.md'?",
    ]


def test_a_link_to_a_draft_or_a_missing_heading_is_an_error(tmp_path: Path) -> None:
    body = "[draft](02-coast-guard.md) and [heading](03-third.md#the-coast-guard-role).\n"
    root = make_site(tmp_path, {
        ARTICLE: article("title: First Article\nauthors: [jane-doe]", body),
        SECOND: second(front="draft: true\n"),
        f"{ISSUE_DIR}/03-third.md": article("title: Third\nauthors: [jane-doe]", "## The coast guard's role\n\nText.\n"),
    })
    assert errors_of(root) == [
        f"{ARTICLE}:6: the link '02-coast-guard.md' leads to {SECOND}, which is a draft"
        " — link to it once it is published, or remove the link",
        f"{ARTICLE}:6: the link '03-third.md#the-coast-guard-role' leads to no heading '#the-coast-guard-role'"
        f" in {ISSUE_DIR}/03-third.md — did you mean 'the-coast-guards-role'?",
    ]


def test_a_link_to_a_heading_of_the_same_article_is_checked(tmp_path: Path) -> None:
    body = "## Background\n\nSee [above](#background) and [below](#conclusion).\n"
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]", body)})
    assert errors_of(root) == [
        f"{ARTICLE}:8: the link '#conclusion' leads to no heading of this article"
        " — link to a heading, table, figure or note of the article by its id",
    ]


def test_a_link_to_the_sites_own_address_is_internal_with_a_warning(tmp_path: Path) -> None:
    body = "See [our piece](https://brief.example.org/brief/coast-guard/), December 9.\n\nAnd [home](https://brief.example.org/).\n"
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]", body), SECOND: second()})
    report = build_site(root)
    assert warnings_of(report) == [
        f"{ARTICLE}:6: warning [own-site-link]: the link 'https://brief.example.org/brief/coast-guard/' is to this site's"
        " own address — link to its file instead, which keeps working if its address changes: 02-coast-guard.md",
        f"{ARTICLE}:8: warning [own-site-link]: the link 'https://brief.example.org/' is to this site's own address"
        " — write it as a path relative to this file, so it also works in a preview and a copy of the site",
    ]
    soup = page(root, "brief/first-article/")
    assert hrefs(soup, "our piece") == ["../../brief/coast-guard/"]
    assert hrefs(soup, "home") == ["../../"]
    assert soup.find(attrs={"role": "doc-bibliography"}) is None  # never a source
    assert report.site is not None
    assert report.content_of("brief/first-article/").sources == ()


def test_a_link_to_a_missing_page_of_the_site_is_an_error(tmp_path: Path) -> None:
    body = "See [our piece](https://brief.example.org/brief/coast-gaurd/).\n"
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]", body)})
    assert errors_of(root) == [
        f"{ARTICLE}:6: the link 'https://brief.example.org/brief/coast-gaurd/' leads to no page of this site"
        " — check the address, or link to the article's file (e.g. ../2026-01-vol7-no2/02-coast-guard.md)",
    ]


def test_links_in_notes_summaries_and_bios_are_resolved_for_each_page(tmp_path: Path) -> None:
    front = (
        "title: First Article\nauthors: [jane-doe]\n"
        "summary: ['Follows [the coast guard piece](02-coast-guard.md).']\n"
        "notes:\n  1: 'See [the issue](../v1n1/).'\n"
        "bios:\n  jane-doe: 'Jane wrote [the coast guard piece](02-coast-guard.md) too.'\n"
        "disclaimer: 'Our [policy](../../authors/jane-doe.md#bio).'\n"
    )
    root = make_site(tmp_path, {
        ARTICLE: article(front, "Text.[^1]\n"),
        SECOND: second(),
        "content/authors/jane-doe.md": "---\nname: Jane Doe\n---\n\nJane wrote [a piece](../brief/v1n1/02-coast-guard.md).\n",
    })
    assert warnings_of(build_site(root)) == []
    soup = page(root, "brief/first-article/")
    assert hrefs(soup, "the coast guard piece") == ["../../brief/coast-guard/", "../../brief/coast-guard/"]  # summary and bio
    assert hrefs(soup, "the issue") == ["../../brief/volume-1/issue-1/"]
    assert hrefs(soup, "policy") == ["../../authors/jane-doe/#bio"]
    # The summary in the issue's table of contents, from the issue's page.
    assert hrefs(page(root, "brief/volume-1/issue-1/"), "the coast guard piece") == ["../../../brief/coast-guard/"]
    # The author's own bio, on the author's page and on an article that shows it.
    assert hrefs(page(root, "authors/jane-doe/"), "a piece") == ["../../brief/coast-guard/"]
    assert hrefs(page(root, "brief/coast-guard/"), "a piece") == ["../../brief/coast-guard/"]


def test_bad_links_in_notes_and_bios_are_reported_at_their_lines(tmp_path: Path) -> None:
    front = "title: First Article\nauthors: [jane-doe]\nnotes:\n  1: 'See [x](missing.md).'\n"
    root = make_site(tmp_path, {
        ARTICLE: article(front, "Text.[^1]\n"),
        "content/authors/jane-doe.md": "---\nname: Jane Doe\n---\n\nJane wrote [a piece](gone.md).\n",
    })
    errors = errors_of(root)
    assert [e.split(" — ")[0] for e in errors] == [
        "content/authors/jane-doe.md:5: the link 'gone.md' leads to no page: there is no article, issue or author at content/authors/gone.md",
        f"{ARTICLE}:5: the link 'missing.md' leads to no page: there is no article, issue or author at {ISSUE_DIR}/missing.md",
    ]


def test_a_link_to_a_file_of_the_site_by_its_address_is_made_relative(tmp_path: Path) -> None:
    body = "The [full report](https://brief.example.org/static/report.pdf) and [again](/static/report.pdf).\n"
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]", body)})
    report = build_site(root)
    assert warnings_of(report) == []
    soup = page(root, "brief/first-article/")
    assert hrefs(soup, "full report") == hrefs(soup, "again") == ["../../static/report.pdf"]
    assert report.content_of("brief/first-article/").sources == ()
