"""Around the article: related articles, the previous and next issue, the contents list,
the links beside section headings and the source list's entries (brief.related, and
the article and issue pages that show them)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from brief.model import Article, ArticleContent, ArticleSource, Author, Site, SiteConfig, Topic
from brief.related import issue_neighbours, related_articles
from brief.render import full_stop, host_name
from sites import article, build_errors, build_ok, write_site


# -- ranking related articles, on a model built by hand ---------------------------------------------

def make_site(specs: dict[str, tuple[str, list[str], list[str]]]) -> Site:
    """A site of articles by URL: (date, topics, authors); the site's order is newest first."""
    articles = {}
    for url, (date, topics, authors) in specs.items():
        source = ArticleSource(path=url, file_name=url, issue_key="i", slug=url, title=url.upper(), authors=(), body="", body_line=1)
        content = ArticleContent(body_html="", summary_html=(), notes=(), sources=(), figures=(), images=())
        articles[url] = Article(
            source=source, content=content, publication="p", issue_key="i", date=dt.date.fromisoformat(date), url=url,
            authors=tuple(Author(a, a) for a in authors), topics=tuple(Topic(t, t.lower()) for t in topics),
        )
    newest = sorted(articles.values(), key=lambda a: (-a.date.toordinal(), a.url))
    return Site(
        config=SiteConfig("T", "https://x.org/"), publications=(), issues={}, articles=articles, authors={},
        article_rank={a.url: rank for rank, a in enumerate(newest)},
    )


def test_related_articles_share_topics_first_then_authors_then_are_nearest_in_date() -> None:
    site = make_site({
        "me": ("2026-01-10", ["Navy", "Coast Guard"], ["ann"]),
        "two-topics": ("2020-01-01", ["Navy", "Coast Guard"], []),
        "one-topic-and-author": ("2019-01-01", ["Navy"], ["ann"]),
        "one-topic-near": ("2026-01-12", ["Coast Guard"], []),
        "one-topic-far": ("2024-01-12", ["Navy"], []),
        "author-only": ("2026-01-10", ["Army"], ["ann"]),
        "nothing-shared": ("2026-01-10", ["Air Force"], ["bo"]),
    })
    assert related_articles(site, 3)["me"] == ("two-topics", "one-topic-and-author", "one-topic-near")
    assert related_articles(site, 10)["me"] == (
        "two-topics", "one-topic-and-author", "one-topic-near", "one-topic-far", "author-only",
    )  # never itself, never one that shares nothing
    assert related_articles(site, 1)["nothing-shared"] == ()
    assert related_articles(site, 0) == {}


def test_ties_in_date_are_broken_by_the_sites_order() -> None:
    site = make_site({
        "me": ("2026-01-10", ["Navy"], []),
        "b-before": ("2026-01-08", ["Navy"], []),
        "a-after": ("2026-01-12", ["Navy"], []),
        "c-same-day": ("2026-01-08", ["Navy"], []),
    })
    # Two days away on either side; the site's order (newest first, then by URL here) decides.
    assert related_articles(site, 3)["me"] == ("a-after", "b-before", "c-same-day")


def test_ranking_equals_a_plain_sort_of_every_candidate_on_random_sites() -> None:
    """The fast ranking (set intersections, a binary search by date) gives what sorting every
    other article by the rules gives."""
    rng = random.Random(16)
    for _ in range(40):
        specs = {
            f"a{n}": (
                str(dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(60))),
                rng.sample(["A", "B", "C", "D", "E"], rng.randrange(4)),
                rng.sample(["x", "y", "z"], rng.randrange(3)),
            )
            for n in range(rng.randrange(2, 40))
        }
        site = make_site(specs)
        count = rng.randrange(1, 6)
        found = related_articles(site, count)
        for url, a in site.articles.items():
            topics = {t.slug for t in a.topics}
            authors = {p.id for p in a.authors}

            def key(o: Article) -> tuple[int, int, int, int]:
                return (
                    -len(topics & {t.slug for t in o.topics}), -len(authors & {p.id for p in o.authors}),
                    abs((o.date - a.date).days), site.article_rank[o.url],
                )

            expected = sorted(
                (o for o in site.articles.values() if o.url != url and key(o)[:2] != (0, 0)), key=key
            )[:count]
            assert found[url] == tuple(o.url for o in expected), (url, specs)


# -- pages --------------------------------------------------------------------------------------------

def body(sections: list[str]) -> str:
    return "Intro.\n\n" + "".join(f"## {title}\n\nText.\n\n" for title in sections)


def page(root: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_an_article_with_three_sections_gets_a_contents_list_of_them(tmp_path: Path) -> None:
    write_site(tmp_path, {"pub/v1n1/article.md": article(
        "title: T\nauthors: [ann-lee]", body(["The coast", "解放军海军", "The coast"]) + "### A detail\n\nMore.\n"
    )})
    build_ok(tmp_path)
    soup = page(tmp_path, "pub/article")
    contents = soup.find("nav", attrs={"aria-labelledby": "contents-heading"})
    entries = [(a["href"], a.get_text()) for a in contents.find_all("a")]
    assert entries == [("#the-coast", "The coast"), ("#解放军海军", "解放军海军"), ("#the-coast-1", "The coast"), ("#a-detail", "A detail")]
    assert contents.find("ol").find_all("li", recursive=False)[2].find("ol") is not None  # the ### under its ##
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for href, _ in entries:  # every entry leads to a heading
        assert soup.find(id=href[1:]).name in ("h2", "h3")


@pytest.mark.parametrize(("setting", "sections", "listed"), [("", 2, False), ("", 3, True), ("contents_list: 2\n", 2, True), ("contents_list: false\n", 5, False), ("contents_list: 0\n", 5, False)])
def test_the_contents_list_setting(tmp_path: Path, setting: str, sections: int, listed: bool) -> None:
    write_site(tmp_path, {
        "site.yaml": "title: Test Brief\nbase_url: https://brief.example.org/\n" + setting,
        "pub/v1n1/article.md": article("title: T\nauthors: [ann-lee]", body([f"Part {n}" for n in range(sections)])),
    })
    build_ok(tmp_path)
    assert (page(tmp_path, "pub/article").find(attrs={"aria-labelledby": "contents-heading"}) is not None) is listed


def test_the_settings_must_be_counts(tmp_path: Path) -> None:
    write_site(tmp_path, {"site.yaml": "title: T\nbase_url: https://brief.example.org/\nrelated_articles: -1\ncontents_list: many\n"})
    assert build_errors(tmp_path) == [
        "content/site.yaml:3: 'related_articles' must be at least 0, not -1",
        "content/site.yaml:4: 'contents_list' must be a whole number, not text — write e.g. 'contents_list: 3'",
    ]


def test_each_section_heading_has_a_link_to_itself_beside_it(tmp_path: Path) -> None:
    write_site(tmp_path, {"pub/v1n1/article.md": article("title: T\nauthors: [ann-lee]", "Intro.[^1]\n\n## Why 台湾 matters[^1]\n\nText.\n\n[^1]: A note.\n")})
    build_ok(tmp_path)
    soup = page(tmp_path, "pub/article")
    heading = soup.find("h2", id="why-台湾-matters")
    link = heading.find_next_sibling("a")
    assert link["href"] == "#why-台湾-matters"
    # The heading's name is its own text; the link's is written out, its sign hidden.
    assert heading.find("a", href="#why-台湾-matters") is None
    assert link.find(attrs={"aria-hidden": "true"}).get_text() == "#"
    assert link.find(class_="visually-hidden").get_text() == "Link to the section “Why 台湾 matters”"
    assert link.find(lang="zh-Hans") is not None  # the Chinese in its name is marked too
    assert heading.parent is link.parent and heading.parent.name == "div"


def test_source_entries_read_like_a_bibliography(tmp_path: Path) -> None:
    front = (
        "title: T\nauthors: [ann-lee]\ncitations:\n"
        "  cna: {outlet: CNA, title: 'Coast guard drills off Kinmen', url: 'https://www.cna.com.tw/news/1', date: 2025-12-08}\n"
        "  why: {outlet: Reuters, title: 'Why now?', url: 'https://reuters.com/x', accessed: 2025-12-01}\n"
    )
    text = (
        "Drills ([MND](https://www.mnd.gov.tw/news/123?lang=en), December 9). Reported [@cna] [@why]. "
        "See the [ministry's page](https://example.org/page).\n"
    )
    write_site(tmp_path, {"pub/v1n1/article.md": article(front, text)})
    build_ok(tmp_path)
    entries = page(tmp_path, "pub/article").find(attrs={"role": "doc-bibliography"}).find_all("li")
    # The full address is in the markup too, hidden on screen and printed.
    assert [li.find(class_="source-address").get_text() for li in entries] == [li.find("a")["href"] for li in entries]
    for li in entries:
        li.find(class_="source-address").decompose()
    shown = [" ".join(li.get_text().split()) for li in entries]
    assert [li.find("a")["title"] for li in entries] == [li.find("a")["href"] for li in entries] == [
        "https://www.mnd.gov.tw/news/123?lang=en", "https://www.cna.com.tw/news/1", "https://reuters.com/x", "https://example.org/page",
    ]
    assert shown == [
        "MND. December 9, 2025. mnd.gov.tw",
        "CNA. “Coast guard drills off Kinmen.” December 8, 2025. cna.com.tw",
        "Reuters. “Why now?” Accessed December 1, 2025. reuters.com",
        "ministry's page. example.org",
    ]


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.mnd.gov.tw/x", "mnd.gov.tw"), ("http://WWW.Example.ORG:8080/", "example.org"),
    ("https://www.org/", "www.org"), ("//cdn.example.net/a", "cdn.example.net"), ("https://user@news.ycombinator.com/", "news.ycombinator.com"), ("https://[x/", "https://[x/"),
])
def test_host_name(url: str, host: str) -> None:
    assert host_name(url) == host


def host_by_urlsplit(url: str) -> str:
    """:func:`host_name` as it was written before its fast path: by ``urlsplit`` alone."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return url
    if host.startswith("www.") and host.count(".") > 1:
        host = host[4:]
    return host or url


#: Pieces of addresses, ordinary and odd: what urlsplit strips, splits on or refuses.
URL_PIECES = st.sampled_from([
    "https", "http", "HTTP", "ftp", "a+b-c.d", "1x", "mailto", ":", "//", "///", "/", "?", "#", "@", "[", "]", "::1", "%41",
    "www.", "WWW.", "mnd.gov.tw", "example.org", "xn--fiqs8s", "localhost", "-", ".", "80", ":8080", "\t", "\n", "\r",
    " ", "\x00", "\x1f", "\x7f", "é", "中文", "\u2100", "\uff0f", "\u3002", "a", "Z", "_", "~",
])
ADDRESSES = st.one_of(
    st.lists(URL_PIECES | st.text(max_size=3), max_size=12).map("".join),
    st.builds(
        lambda scheme, host, port, rest: f"{scheme}://{host}{port}{rest}",
        st.sampled_from(["https", "http", "HTTPS", "git+ssh", "h"]) | st.text(max_size=4),
        st.lists(URL_PIECES | st.text(alphabet="abcXYZ019.-_@[]:%", max_size=5), max_size=5).map("".join),
        st.sampled_from(["", ":", ":80", ":x", ":8080"]),
        st.sampled_from(["", "/", "/a?b#c", "?q", "#f", "\t/", "\n", " /x", "/\tx"]) | st.text(max_size=6),
    ),
)


@settings(max_examples=3000, deadline=None)
@given(ADDRESSES)
def test_host_name_is_what_urlsplit_gives(url: str) -> None:
    """The fast path for plain addresses gives what ``urlsplit`` gives, on any input."""
    assert host_name(url) == host_by_urlsplit(url)


@pytest.mark.parametrize(("text", "stop"), [("MND", "."), ("Why now?", ""), ("Inc.", ""), ("“Quoted.”", ""), ("新华社", "."), ("完了。", "")])
def test_full_stop(text: str, stop: str) -> None:
    assert full_stop(text) == stop


ISSUES = {
    "pub/v1n1/issue.yaml": "volume: 1\nnumber: 1\ndate: 2026-01-14\n",
    "pub/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-28\ntitle: Coast guards\n",
    "pub/v1n3/issue.yaml": "volume: 1\nnumber: 3\ndate: 2099-01-01\n",  # held back: dated in the future
    "pub/v1n2/b.md": article("title: B\nauthors: [ann-lee]\ntopics: [Navy]"),
    "pub/v1n3/c.md": article("title: C\nauthors: [ann-lee]\ntopics: [Navy]"),
    "pub/v1n1/article.md": article("title: A\nauthors: [ann-lee]\ntopics: [Navy]"),
}


def test_issues_link_to_the_previous_and_next_issue_but_never_to_a_held_one(tmp_path: Path) -> None:
    write_site(tmp_path, ISSUES)
    report = build_ok(tmp_path)
    assert report.site is not None and issue_neighbours(report.site) == {
        "content/pub/v1n2": ("content/pub/v1n1", None), "content/pub/v1n1": (None, "content/pub/v1n2"),
    }
    first = page(tmp_path, "pub/volume-1/issue-1").find("nav", class_="issue-pager")
    second = page(tmp_path, "pub/volume-1/issue-2").find("nav", class_="issue-pager")
    assert [(a["rel"], a["href"]) for a in first.find_all("a")] == [(["next"], "../../../pub/volume-1/issue-2/")]
    assert " ".join(first.a.get_text(" ").split()) == "Next issue Volume 1, Issue 2: Coast guards January 28, 2026"
    assert [(a["rel"], a["href"]) for a in second.find_all("a")] == [(["prev"], "../../../pub/volume-1/issue-1/")]
    assert not (tmp_path / "_site/pub/volume-1/issue-3").exists()


def test_related_articles_on_the_page_are_published_ones_only(tmp_path: Path) -> None:
    write_site(tmp_path, {**ISSUES, "pub/v1n2/d.md": article("title: D\ndraft: true\nauthors: [ann-lee]\ntopics: [Navy]")})
    build_ok(tmp_path)
    related = page(tmp_path, "pub/article").find("aside", attrs={"aria-labelledby": "related-heading"})
    assert [a.get_text() for a in related.select("li > a")] == ["B"]  # not the held C, not the draft D
    assert related.find("a", href="../../pub/b/") is not None


def test_no_related_articles_when_the_setting_is_zero(tmp_path: Path) -> None:
    write_site(tmp_path, {**ISSUES, "site.yaml": "title: T\nbase_url: https://brief.example.org/\nrelated_articles: 0\n"})
    build_ok(tmp_path)
    assert page(tmp_path, "pub/article").find(attrs={"aria-labelledby": "related-heading"}) is None
