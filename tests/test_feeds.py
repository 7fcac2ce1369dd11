"""Atom feeds: valid by RFC 4287's schema and to a feed reader, complete, absolute, stable."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree as etree
import pytest
import rnc2rng
from hypothesis import given, settings
from hypothesis import strategies as st
from bs4 import BeautifulSoup

from conftest import ARTICLE, ISSUE_DIR, SITE, article, build_site, errors_of, make_site, png, snapshot

from brief.feeds import absolute_links, xml_bytes, xml_text
from brief.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
SITE_YAML = "title: Test Brief\nbase_url: https://brief.example.org/\n"


@functools.cache
def atom_schema() -> etree.RelaxNG:
    """RFC 4287's schema, converted from the compact syntax (see tests/fixtures/atom/README.md)."""
    grammar = rnc2rng.dumps(rnc2rng.load(str(REPO / "tests/fixtures/atom/atom.rnc")))
    return etree.RelaxNG(etree.fromstring(grammar.replace('xmlns:local=""', "").encode("utf-8")))


def assert_valid_feed(data: bytes) -> feedparser.FeedParserDict:
    """The feed is valid by the schema and by the RFC's two rules the schema leaves to
    Schematron, and a feed reader reads it without complaint."""
    document = etree.fromstring(data)
    schema = atom_schema()
    assert schema.validate(document), schema.error_log
    for entry in document.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}author") is not None or document.find(f"{ATOM}author") is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None or entry.find(f"{ATOM}content") is not None
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "_site"
    build(BuildOptions(content=REPO / "content", project=REPO, out=out, use_cache=False, jobs=1))
    return out


def feeds_of(out: Path) -> list[Path]:
    return sorted(out.rglob("feed.xml"))


def test_every_feed_of_the_sample_is_valid_atom(sample: Path) -> None:
    feeds = [p.relative_to(sample).as_posix() for p in feeds_of(sample)]
    assert feeds[:2] == ["authors/dawit-bekele/feed.xml", "authors/lin-jiahui/feed.xml"]
    assert {"feed.xml", "field-notes/feed.xml", "topics/accessibility/feed.xml"} <= set(feeds)
    for path in feeds_of(sample):
        assert_valid_feed(path.read_bytes())


def test_the_site_feed_lists_the_newest_articles_with_everything_an_entry_needs(sample: Path) -> None:
    parsed = assert_valid_feed((sample / "feed.xml").read_bytes())
    assert parsed.feed.title == "Brief Field Notes"
    assert parsed.feed.links[0].href == "https://brief.example.org/feed.xml" and parsed.feed.links[0].rel == "self"
    assert len(parsed.entries) == 7  # every article of the sample (fewer than 20)
    dates = [e.published for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    assert parsed.feed.updated == dates[0] == "2026-01-14T00:00:00Z"
    entry = next(e for e in parsed.entries if e.title == "Marking Chinese Script: 簡體 and 繁體 on One Page")
    assert entry.id == "tag:brief.example.org,2025-12-10:field-notes/marking-chinese-script/"
    assert entry.link == "https://brief.example.org/field-notes/marking-chinese-script/"
    assert [a.name for a in entry.authors] == ["Lin Jiahui", "Chen Wei-ling"]
    assert entry.authors[0].href == "https://brief.example.org/authors/lin-jiahui/"
    related = [link for link in entry.links if link.rel == "related"]
    assert [(r.href, r.title) for r in related] == [("https://brief.example.org/field-notes/volume-1/issue-1/", "Field Notes, Volume 1, Issue 1")]
    assert [t.term for t in entry.tags] == ["chinese-script", "accessibility", "markdown"]
    assert entry.summary.startswith("A brief about China and Taiwan routinely quotes both scripts")


def test_an_entry_carries_the_whole_article_with_notes_and_sources_every_link_absolute(sample: Path) -> None:
    page = BeautifulSoup((sample / "field-notes/endnotes-vs-footnotes/index.html").read_text("utf-8"), "html.parser")
    parsed = assert_valid_feed((sample / "field-notes/feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.link.endswith("/endnotes-vs-footnotes/"))
    html = BeautifulSoup(entry.content[0].value, "html.parser")
    # The article's paragraphs, its notes and its sources, in full.
    body_text = [p.get_text(" ", strip=True) for p in page.select(".article-body > p")]
    entry_text = html.get_text(" ", strip=True)
    assert body_text and all(text in entry_text for text in body_text)
    notes = [li.get_text(" ", strip=True) for li in page.select(".notes li")]
    assert notes and [li.get_text(" ", strip=True) for li in html.find("h2", string="Notes").find_next("ol").find_all("li")] == notes
    sources = [a["href"] for a in page.select(".sources a")]
    assert sources and [a["href"] for a in html.find("h2", string="Sources").find_next("ol").find_all("a")] == sources
    for element in html.find_all(href=True) + html.find_all(src=True):
        address = element.get("href") or element.get("src")
        assert urlsplit(address).scheme in ("https", "http") and urlsplit(address).netloc, address
    refs = [a["href"] for a in html.select('a[href*="#note-"]')]
    assert refs and all(r.startswith("https://brief.example.org/field-notes/endnotes-vs-footnotes/#note-") for r in refs)


def test_images_in_an_entry_are_absolute(sample: Path) -> None:
    parsed = feedparser.parse((sample / "feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.link.endswith("/tables-and-figures-that-cite-their-sources/"))
    html = BeautifulSoup(entry.content[0].value, "html.parser")
    images = html.find_all("img")
    assert len(images) == 2
    for image in images:
        assert image["src"].startswith("https://brief.example.org/")
        for candidate in image.get("srcset", "").split(","):
            if candidate.strip():
                assert candidate.strip().startswith("https://brief.example.org/")


def test_pages_name_their_feeds_and_show_a_follow_link(sample: Path) -> None:
    def alternates(path: str) -> list[tuple[str, str]]:
        soup = BeautifulSoup((sample / path).read_text("utf-8"), "html.parser")
        return [(link["href"], link["title"]) for link in soup.find_all("link", rel="alternate", type="application/atom+xml")]

    assert alternates("index.html") == [("feed.xml", "Brief Field Notes")]
    assert alternates("field-notes/index.html") == [("../feed.xml", "Brief Field Notes"), ("../field-notes/feed.xml", "Field Notes · Brief Field Notes")]
    assert alternates("field-notes/endnotes-vs-footnotes/index.html")[1] == ("../../field-notes/feed.xml", "Field Notes · Brief Field Notes")
    assert alternates("field-notes/volume-1/issue-2/index.html")[1][0] == "../../../field-notes/feed.xml"
    assert alternates("authors/lin-jiahui/index.html")[1] == ("../../authors/lin-jiahui/feed.xml", "Lin Jiahui · Brief Field Notes")
    assert alternates("topics/accessibility/index.html")[1][0] == "../../topics/accessibility/feed.xml"
    for path, feed in [("field-notes/index.html", "../field-notes/feed.xml"), ("authors/lin-jiahui/index.html", "../../authors/lin-jiahui/feed.xml")]:
        soup = BeautifulSoup((sample / path).read_text("utf-8"), "html.parser")
        follow = soup.select_one(".follow a.follow-feed")
        assert follow is not None and follow["href"] == feed and follow.get_text().startswith("Follow ")
        assert soup.select_one(".follow a.follow-help")["href"].endswith("follow/")
    follow_page = BeautifulSoup((sample / "follow/index.html").read_text("utf-8"), "html.parser")
    assert [a["href"] for a in follow_page.select(".feed-list a")] == ["../feed.xml", "../field-notes/feed.xml"]
    assert "https://brief.example.org/field-notes/feed.xml" in follow_page.select_one(".feed-list").get_text()
    assert "feed reader" in follow_page.select_one(".lede").get_text()


def test_the_sitemap_lists_the_follow_page_not_the_feeds(sample: Path) -> None:
    sitemap = (sample / "sitemap.xml").read_text("utf-8")
    assert "https://brief.example.org/follow/" in sitemap
    assert "feed.xml" not in sitemap


def many_articles(n: int) -> dict[str, str | bytes | None]:
    files: dict[str, str | bytes | None] = {ARTICLE: None}
    for i in range(1, n + 1):
        files[f"{ISSUE_DIR}/piece-{i:02d}.md"] = article(f"title: Piece {i}\nauthors: [jane-doe]\ntopics: [Navy]\ndate: 2026-01-{i:02d}\n")
    files[f"{ISSUE_DIR}/issue.yaml"] = "volume: 1\nnumber: 1\ndate: 2026-01-01\n"
    return files


def test_a_feed_holds_the_newest_twenty_by_default_and_the_setting_changes_it(tmp_path: Path) -> None:
    project = make_site(tmp_path / "a", many_articles(25))
    build_site(project)
    parsed = assert_valid_feed((project / "_site/feed.xml").read_bytes())
    assert [e.title for e in parsed.entries] == [f"Piece {i}" for i in range(25, 5, -1)]
    assert parsed.feed.updated == "2026-01-25T00:00:00Z"
    project = make_site(tmp_path / "b", {**many_articles(5), SITE: SITE_YAML + "feeds:\n  entries: 2\n"})
    build_site(project)
    for name in ("feed.xml", "brief/feed.xml", "authors/jane-doe/feed.xml", "topics/navy/feed.xml"):
        assert [e.title for e in assert_valid_feed((project / "_site" / name).read_bytes()).entries] == ["Piece 5", "Piece 4"]


def test_entries_zero_writes_no_feeds_and_no_follow_links(tmp_path: Path) -> None:
    project = make_site(tmp_path, {SITE: SITE_YAML + "feeds:\n  entries: 0\n"})
    build_site(project)
    out = project / "_site"
    assert feeds_of(out) == [] and not (out / "follow").exists()
    home = (out / "index.html").read_text("utf-8")
    assert "application/atom+xml" not in home and "Follow" not in home


def test_dates_are_midnight_where_the_site_is(tmp_path: Path) -> None:
    project = make_site(tmp_path, {SITE: SITE_YAML + "time_zone: Asia/Taipei\n"})
    build_site(project)
    parsed = assert_valid_feed((project / "_site/feed.xml").read_bytes())
    assert parsed.entries[0].published == parsed.entries[0].updated == "2025-12-09T00:00:00+08:00"


def test_entry_ids_survive_a_new_scheme_and_base_path_and_with_id_domain_a_new_domain(tmp_path: Path) -> None:
    def ids(base_url: str, extra: str = "") -> list[str]:
        project = make_site(tmp_path / str(len(list(tmp_path.iterdir()))), {SITE: f"title: Test Brief\nbase_url: {base_url}\n{extra}"})
        build_site(project)
        return [e.id for e in feedparser.parse((project / "_site/feed.xml").read_bytes()).entries]

    first = ids("https://brief.example.org/")
    assert first == ["tag:brief.example.org,2025-12-09:brief/first-article/"]
    assert ids("http://brief.example.org/archive/briefs/") == first
    assert ids("https://new.example.net/", "feeds:\n  id_domain: brief.example.org\n") == first
    assert ids("https://new.example.net/") == ["tag:new.example.net,2025-12-09:brief/first-article/"]


def test_a_feed_is_the_same_whenever_it_is_built(tmp_path: Path) -> None:
    """No clock in a feed: builds on other days (the schedule's 'now') give the same bytes."""
    project = make_site(tmp_path)
    outputs = []
    for now in ("2026-02-01", "2030-07-09"):
        out = tmp_path / f"out-{now}"
        build(BuildOptions(content=project / "content", project=project, out=out, now=__import__("datetime").date.fromisoformat(now), use_cache=False))
        outputs.append({p: b for p, b in snapshot(out).items() if p.endswith(".xml")})
    assert outputs[0] == outputs[1] and "feed.xml" in outputs[0]


def test_hostile_text_is_escaped_in_the_feed(tmp_path: Path) -> None:
    project = make_site(tmp_path, {ARTICLE: article('title: "Ships & <script>alert(1)</script> ]]> \\"quotes\\""\nauthors: [jane-doe]\n', "Text with <b>tags</b> & ampersands ]]>.\n")})
    build_site(project)
    parsed = assert_valid_feed((project / "_site/feed.xml").read_bytes())
    assert parsed.entries[0].title == 'Ships & <script>alert(1)</script> ]]> "quotes"'
    assert "&lt;b&gt;tags&lt;/b&gt; &amp; ampersands ]]&gt;" in parsed.entries[0].content[0].value


def test_control_characters_do_not_make_the_feed_unreadable(tmp_path: Path) -> None:
    project = make_site(tmp_path, {ARTICLE: article('title: "Bell\\a and form feed\\f"\nauthors: [jane-doe]\n', "Text.\n")})
    build_site(project)
    parsed = assert_valid_feed((project / "_site/feed.xml").read_bytes())
    assert parsed.entries[0].title == "Bell and form feed"


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["\x00", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1f", " ", "\x7f", "\ufffd", "\ufffe",
                                  "\uffff", "\uef00", "\U0010fffe", "中文", "é", "<a>", "&amp;"]) | st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=5)).map("".join))
def test_feed_bytes_are_the_text_without_what_xml_cannot_hold(text: str) -> None:
    """The fast check over the encoded bytes gives what removing the characters from the text gives."""
    assert xml_bytes(text) == xml_text(text).encode("utf-8")


def absolute_links_by_substitution(html: str, base: str) -> str:
    """:func:`absolute_links` as first written: every address through one substitution."""
    def join(address: str) -> str:
        if address.startswith(("https://", "http://", "mailto:")):
            return address
        return base + address if address.startswith("#") else urljoin(base, address)

    def srcset(match: re.Match[str]) -> str:
        items = [item.strip().split(" ", 1) for item in match.group(1).split(",")]
        return ' srcset="' + ", ".join(" ".join([join(parts[0]), *parts[1:]]) for parts in items) + '"'

    html = re.sub(r' (href|src)="([^"]*)"', lambda m: f' {m.group(1)}="{join(m.group(2))}"', html)
    return re.sub(r' srcset="([^"]*)"', srcset, html)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([
    ' href="', ' src="', ' srcset="', '"', "https://e.org/a", "http://x", "mailto:a@b", "#note-1", "../a/", "b.png 2x",
    ", ", " ", "<a", ">", "text", "=", "href", "src=", " href=", "?q", "&amp;",
]) | st.text(max_size=3), max_size=30).map("".join))
def test_absolute_links_replace_only_what_is_not_absolute(html: str) -> None:
    base = "https://brief.example.org/pub/piece/"
    assert absolute_links(html, base) == absolute_links_by_substitution(html, base)


@pytest.mark.parametrize(("settings", "message"), [
    ("feeds:\n  entries: -1\n", "content/site.yaml:4: 'entries' must be at least 0, not -1"),
    ("feeds:\n  entries: many\n", "content/site.yaml:4: 'entries' must be a whole number, not text"),
    ("feeds:\n  id_domain: https://old.example.org/\n", "content/site.yaml:4: 'id_domain' must be a domain name such as example.org, not 'https://old.example.org/'"),
    ("feeds:\n  entry: 5\n", "content/site.yaml:4: unknown key 'entry' in the 'feeds' settings"),
])
def test_bad_feed_settings_are_errors_at_their_line(tmp_path: Path, settings: str, message: str) -> None:
    project = make_site(tmp_path, {SITE: SITE_YAML + settings})
    errors = errors_of(project)
    assert any(e.startswith(message) for e in errors), errors


def test_an_author_without_articles_has_no_feed(tmp_path: Path) -> None:
    project = make_site(tmp_path, {"content/authors/no-one.md": "---\nname: No One\n---\n\nBio.\n", f"{ISSUE_DIR}/img.png": png()})
    build_site(project)
    assert not (project / "_site/authors/no-one/feed.xml").exists()
    page = (project / "_site/authors/no-one/index.html").read_text("utf-8")
    assert "authors/no-one/feed.xml" not in page and 'class="follow"' not in page


def test_follow_is_a_reserved_publication_slug(tmp_path: Path) -> None:
    project = make_site(tmp_path, {"content/brief/publication.yaml": "title: The Brief\nslug: follow\n"})
    assert any("'follow' cannot be the publication's slug" in e for e in errors_of(project))
