"""Focused rendering tests, each on a small site written inline into ``tmp_path``.

Every test writes the files it needs (``content/site.yaml``, one author, one
publication, issues, articles), builds them with the real pipeline and reads
the pages through the output contract: roles, ``rel``, ``lang``, ``<figure>``,
meta tags and JSON-LD, never the templates' CSS classes. Pages are found
through the build's model (which file became which page), not through the
URL scheme.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from brief.pipeline import BuildOptions, BuildReport, build
from test_site import HAN, SITEMAP_NS, broken_links, h1_text, meta, norm, resolve, resource_urls, url_to_file

BASE_URL = "https://brief.example.org/"

AUTHOR_A = """---
name: Ann Author
affiliation: Example Institute
---

Ann Author writes about harbours and their hinterlands.
"""

AUTHOR_B = """---
name: Bo Byline
---

Bo Byline covers shipping.
"""


def site_files(base_url: str = BASE_URL) -> dict[str, str | bytes]:
    """The fixed part of every test site: site, two authors, one publication."""
    return {
        "content/site.yaml": f"title: Test Brief\nbase_url: {base_url}\npublisher: Example Institute\n",
        "content/authors/a.md": AUTHOR_A,
        "content/authors/b.md": AUTHOR_B,
        "content/pub/publication.yaml": "title: The Harbour Brief\n",
    }


def issue(volume: int, number: int, date: str, articles: list[str] | None = None) -> str:
    text = f"volume: {volume}\nnumber: {number}\ndate: {date}\n"
    if articles is not None:
        text += "articles:\n" + "".join(f"  - {name}\n" for name in articles)
    return text


def article(title: str, front: str = "", body: str = "A paragraph.\n", authors: str = "[a]") -> str:
    """An article file: quoted title, authors, extra front-matter lines, body."""
    title_yaml = json.dumps(title, ensure_ascii=False)
    return f"---\ntitle: {title_yaml}\nauthors: {authors}\n{front}---\n\n{body}"


def png(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Site:
    """A built test site: its output folder, the build's report and its pages."""

    out: Path
    report: BuildReport
    base_url: str

    def pages(self) -> dict[str, BeautifulSoup]:
        return {
            p.relative_to(self.out).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in sorted(self.out.rglob("*.html"))
        }

    def article_page(self, file: str) -> str:
        """Output path of the page of the article in ``content/<file>``."""
        assert self.report.site is not None
        matches = [a.url for a in self.report.site.articles.values() if a.source.path.endswith(file)]
        assert len(matches) == 1, f"{file}: {matches}"
        return url_to_file(matches[0])

    def soup(self, page: str) -> BeautifulSoup:
        return BeautifulSoup((self.out / page).read_text(encoding="utf-8"), "html.parser")

    def article(self, file: str) -> BeautifulSoup:
        return self.soup(self.article_page(file))

    def pages_with_h1(self, text: str) -> list[str]:
        return [p for p, soup in self.pages().items() if h1_text(soup) == text]

    def follow(self, page: str, href: str) -> str | None:
        return resolve(page, href, self.base_url)[0]


def make_site(root: Path, files: Mapping[str, str | bytes], base_url: str = BASE_URL) -> Site:
    """Write the fixed files plus ``files`` (paths relative to the project) and build them."""
    for rel, data in {**site_files(base_url), **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    out = root / "_site"
    report = build(BuildOptions(content=root / "content", project=root, out=out))
    return Site(out, report, base_url)


def pager(site: Site, file: str) -> tuple[str | None, str | None]:
    """Where an article's rel=prev and rel=next links lead (output paths, or None)."""
    page = site.article_page(file)
    soup = site.soup(page)
    found: dict[str, list[str]] = {"prev": [], "next": []}
    for a in soup.find_all("a", href=True):
        for rel in a.get("rel") or []:
            if rel in found:
                found[rel].append(site.follow(page, a["href"]) or a["href"])
    for rel, targets in found.items():
        assert len(targets) <= 1, f"{file}: {len(targets)} rel={rel} links"
    return (found["prev"] or [None])[0], (found["next"] or [None])[0]


# -- previous / next ------------------------------------------------------------------------


def test_previous_and_next_link_articles_within_one_issue(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-alpha.md": article("Alpha"),
        "content/pub/i1/02-beta.md": article("Beta"),
        "content/pub/i1/03-gamma.md": article("Gamma"),
        "content/pub/i2/issue.yaml": issue(1, 2, "2025-03-18"),
        "content/pub/i2/01-delta.md": article("Delta"),
    })
    alpha, beta, gamma = (site.article_page(f"i1/0{n}-{s}.md") for n, s in ((1, "alpha"), (2, "beta"), (3, "gamma")))
    assert pager(site, "i1/01-alpha.md") == (None, beta)
    assert pager(site, "i1/02-beta.md") == (alpha, gamma)
    assert pager(site, "i1/03-gamma.md") == (beta, None)
    # The only article of the next issue links to nothing: pages do not run across issues.
    assert pager(site, "i2/01-delta.md") == (None, None)


def test_previous_and_next_follow_issue_yaml_order_and_skip_drafts(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04", ["zulu", "draft.md", "alpha", "mike"]),
        "content/pub/i1/alpha.md": article("Alpha"),
        "content/pub/i1/draft.md": article("Unfinished", "draft: true\n"),
        "content/pub/i1/mike.md": article("Mike"),
        "content/pub/i1/zulu.md": article("Zulu"),
    })
    zulu, alpha, mike = (site.article_page(f"i1/{n}.md") for n in ("zulu", "alpha", "mike"))
    assert pager(site, "i1/zulu.md") == (None, alpha)
    assert pager(site, "i1/alpha.md") == (zulu, mike)
    assert pager(site, "i1/mike.md") == (alpha, None)
    # The issue's contents follow the same order.
    issue_pages = [p for p, soup in site.pages().items() if soup.find(attrs={"role": "doc-toc"}) and "Issue 1" in (h1_text(soup) or "")]
    assert len(issue_pages) == 1
    toc = site.soup(issue_pages[0]).find(attrs={"role": "doc-toc"})
    listed: list[str] = []
    for a in toc.find_all("a", href=True):
        target = site.follow(issue_pages[0], a["href"])
        if target in (zulu, alpha, mike) and target not in listed:
            listed.append(target)
    assert listed == [zulu, alpha, mike]
    assert "Unfinished" not in toc.get_text()


# -- bios, disclaimer ------------------------------------------------------------------------


def test_bios_override_replaces_the_default_bio_on_that_article_only(tmp_path: Path) -> None:
    override = "Ann Author wrote this piece during a fellowship at sea."
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-with-override.md": article("With Override", f"bios:\n  a: \"{override}\"\n", authors="[a, b]"),
        "content/pub/i1/02-without.md": article("Without Override"),
    })
    default = "Ann Author writes about harbours and their hinterlands."
    with_override = norm(site.article("i1/01-with-override.md").get_text(" "))
    assert override in with_override
    assert default not in with_override
    assert "Bo Byline covers shipping." in with_override  # the co-author keeps the default bio
    without = norm(site.article("i1/02-without.md").get_text(" "))
    assert default in without
    assert override not in without
    (author_page,) = site.pages_with_h1("Ann Author")
    author_text = norm(site.soup(author_page).get_text(" "))
    assert default in author_text and override not in author_text


def test_disclaimer_is_shown_after_the_article(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-disclaimed.md": article(
            "Disclaimed", 'disclaimer: "The views expressed are *solely* those of the author."\n',
            body="The body of the article.\n",
        ),
        "content/pub/i1/02-plain.md": article("Plain"),
    })
    soup = site.article("i1/01-disclaimed.md")
    text = norm(soup.get_text(" "))
    assert "The views expressed are solely those of the author." in text
    assert text.index("The body of the article.") < text.index("The views expressed")
    emphasis = [em.get_text() for em in soup.find_all("em")]
    assert "solely" in emphasis, "the disclaimer's Markdown is not rendered"
    assert "The views expressed" not in site.article("i1/02-plain.md").get_text()


# -- lead image ------------------------------------------------------------------------------


def test_lead_image_has_its_caption_and_credit_link(tmp_path: Path) -> None:
    front = (
        "image:\n"
        "  src: images/harbour.png\n"
        '  alt: "Cranes over a container harbour at dawn"\n'
        '  caption: "The harbour at *dawn*, before the shift change."\n'
        '  credit: "Example Photo Agency"\n'
        '  credit_url: "https://photos.example.net/harbour/1"\n'
    )
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/images/harbour.png": png(),
        "content/pub/i1/01-lead.md": article("Lead Image", front),
    })
    page = site.article_page("i1/01-lead.md")
    soup = site.soup(page)
    images = [img for img in soup.find_all("img") if img.get("alt") == "Cranes over a container harbour at dawn"]
    assert len(images) == 1
    target = site.follow(page, images[0]["src"])
    assert target is not None and (site.out / target).is_file()
    figure = images[0].find_parent("figure")
    assert figure is not None, "the lead image is not in a <figure>"
    caption = figure.find("figcaption")
    assert caption is not None
    assert "The harbour at dawn, before the shift change." in norm(caption.get_text())
    assert caption.find("em") is not None and caption.find("em").get_text() == "dawn"
    credits = [a for a in caption.find_all("a", href=True) if a["href"] == "https://photos.example.net/harbour/1"]
    assert len(credits) == 1
    assert norm(credits[0].get_text()) == "Example Photo Agency"


def test_lead_image_credit_without_url_is_plain_text(tmp_path: Path) -> None:
    front = (
        "image:\n  src: images/harbour.png\n  alt: \"A harbour\"\n"
        '  caption: "A harbour."\n  credit: "Staff photo"\n'
    )
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/images/harbour.png": png(),
        "content/pub/i1/01-lead.md": article("Lead Image", front),
    })
    figure = site.article("i1/01-lead.md").find("img", alt="A harbour").find_parent("figure")
    caption = figure.find("figcaption")
    assert "Staff photo" in caption.get_text()
    assert not [a for a in caption.find_all("a") if "Staff photo" in a.get_text()]


# -- base_url with a path --------------------------------------------------------------------


def test_base_url_with_a_path(tmp_path: Path) -> None:
    base = "https://example.org/brief/"
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/images/harbour.png": png(),
        "content/pub/i1/01-one.md": article(
            "One", "image:\n  src: images/harbour.png\n  alt: \"A harbour\"\n",
            body="See [two](https://example.com/two). Then Figure 1.\n\nFigure 1: A chart\n\n![A chart of things](images/harbour.png)\n",
        ),
        "content/pub/i1/02-two.md": article("Two"),
    }, base_url=base)
    assert site.report.site is not None
    pages = site.pages()
    for article_ in site.report.site.articles.values():
        soup = pages[url_to_file(article_.url)]
        canonical = [link["href"] for link in soup.find_all("link") if "canonical" in (link.get("rel") or [])]
        assert canonical == [base + article_.url]
        assert article_.url and not article_.url.startswith("/")
    # Internal links stay relative (or root-relative under /brief/) and all resolve.
    assert broken_links(site.out, pages, base) == []
    for page, soup in pages.items():
        for _tag, url in resource_urls(soup):
            if url.startswith("/"):
                assert url.startswith("/brief/"), f"{page}: {url} ignores the base path"
    # The 404 page is served at any depth: its own links must not be relative to its folder.
    for _tag, url in resource_urls(pages["404.html"]):
        assert url.startswith(("/brief/", base, "#", "https://", "http://", "mailto:")), f"404.html: {url} depends on the request path"
    # Sitemap and robots.txt use the full base URL.
    locs = [(loc.text or "").strip() for loc in ET.parse(site.out / "sitemap.xml").getroot().iter(f"{SITEMAP_NS}loc")]
    assert locs and all(loc.startswith(base) for loc in locs)
    assert {url_to_file(loc[len(base):]) for loc in locs} == set(pages) - {"404.html", "search/index.html"}
    assert f"Sitemap: {base}sitemap.xml" in (site.out / "robots.txt").read_text(encoding="utf-8").splitlines()
    # JSON-LD and citation meta of the article carry the path too.
    soup = pages[site.article_page("i1/01-one.md")]
    data = json.loads(soup.find("script", attrs={"type": "application/ld+json"}).string)
    assert data.get("url", base).startswith(base)
    assert all(m["content"].startswith(base) for m in soup.find_all("meta", attrs={"property": "og:url"}))


# -- author pages ------------------------------------------------------------------------------


def test_author_page_lists_articles_newest_first(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        # Folder names sort in a different order from the dates.
        "content/pub/a-march/issue.yaml": issue(1, 3, "2025-03-05"),
        "content/pub/a-march/01-march.md": article("March Piece"),
        "content/pub/b-january/issue.yaml": issue(1, 1, "2025-01-10"),
        "content/pub/b-january/01-january.md": article("January Piece", authors="[b, a]"),
        "content/pub/b-january/02-april.md": article("April Piece", "date: 2025-04-01\n"),
        "content/pub/c-february/issue.yaml": issue(1, 2, "2025-02-01"),
        "content/pub/c-february/01-february.md": article("February Piece"),
        "content/pub/c-february/02-other.md": article("Someone Else's Piece", authors="[b]"),
    })
    (page,) = site.pages_with_h1("Ann Author")
    titles = {site.article_page(f): t for f, t in (
        ("a-march/01-march.md", "March Piece"),
        ("b-january/01-january.md", "January Piece"),
        ("b-january/02-april.md", "April Piece"),
        ("c-february/01-february.md", "February Piece"),
        ("c-february/02-other.md", "Someone Else's Piece"),
    )}
    listed: list[str] = []
    for a in (site.soup(page).find("main") or site.soup(page)).find_all("a", href=True):
        target = site.follow(page, a["href"])
        if target in titles and titles[target] not in listed:
            listed.append(titles[target])
    assert listed == ["April Piece", "March Piece", "February Piece", "January Piece"]


def test_inline_author_has_no_page_but_is_credited(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-guest.md": article(
            "Guest Piece", authors='\n  - a\n  - name: "Gil Guest"\n    bio: "Gil Guest is a visiting pilot."\n',
        ),
    })
    assert site.pages_with_h1("Gil Guest") == []
    soup = site.article("i1/01-guest.md")
    assert "Gil Guest is a visiting pilot." in soup.get_text()
    assert not [a for a in soup.find_all("a") if norm(a.get_text()) == "Gil Guest"]
    assert meta(soup, "citation_author") == ["Ann Author", "Gil Guest"]
    data = json.loads(soup.find("script", attrs={"type": "application/ld+json"}).string)
    assert [a["name"] for a in data["author"]] == ["Ann Author", "Gil Guest"]


# -- Chinese in a title ------------------------------------------------------------------------


def test_title_with_chinese_is_marked(tmp_path: Path) -> None:
    title = "解放军 or 解放軍: Naming the PLA"
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-pla.md": article(title, 'summary:\n  - "Two scripts."\n'),
    })
    page = site.article_page("i1/01-pla.md")
    soup = site.soup(page)
    h1 = soup.find("h1")
    assert norm(h1.get_text()) == title
    assert [(s.get_text(), s["lang"]) for s in h1.find_all(attrs={"lang": True})] == [("解放军", "zh-Hans"), ("解放軍", "zh-Hant")]
    # Where markup cannot go, the title stays plain text.
    assert title in soup.find("title").get_text()
    assert meta(soup, "citation_title") == [title]
    data = json.loads(soup.find("script", attrs={"type": "application/ld+json"}).string)
    assert data["headline"] == title
    # Lists that show the title mark it too.
    for listing, listing_soup in site.pages().items():
        if listing == page:
            continue
        for a in listing_soup.find_all("a", href=True):
            if site.follow(listing, a["href"]) == page and "解放" in a.get_text():
                langs = [s["lang"] for s in a.find_all(attrs={"lang": True})]
                assert langs == ["zh-Hans", "zh-Hant"], f"{listing}: the title is not marked"


def test_chinese_everywhere_on_an_article_is_marked(tmp_path: Path) -> None:
    """Summary, caption, credit, table, notes, house-style citation, bio, disclaimer, topics."""
    front = (
        'summary:\n  - "摘要 解放军"\n'
        "topics: [台湾]\n"
        'image:\n  src: images/x.png\n  alt: "图"\n  caption: "说明 國防部"\n  credit: "新华社"\n  credit_url: "https://example.net/x"\n'
        'notes:\n  n1: "注释 ([新华社](https://example.net/n1), December 9)"\n'
        'bios:\n  a: "作者简介"\n'
        'disclaimer: "免责声明"\n'
    )
    body = (
        "正文 解放軍 ([人民日报](https://example.net/a), December 9).[^n1] [链接](https://example.net/b)\n\n"
        "Table 1: 表格 國防部\n\n| 简体 | 繁體 |\n|---|---|\n| 国防部 | 國防部 |\n\n(Source: 来源)\n\n## 小标题\n"
    )
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04") + 'title: "特刊 專題"\n',
        "content/pub/i1/images/x.png": png(),
        "content/pub/i1/01-zh.md": article("中文标题", front, body),
        "content/pub/i1/02-next.md": article("下一篇"),
    })
    unmarked = []
    for page, soup in site.pages().items():
        for text in soup.find_all(string=HAN):
            if text.parent.name in ("script", "title", "style"):
                continue
            holder = text.find_parent(attrs={"lang": True})
            if holder is None or holder["lang"] not in ("zh-Hans", "zh-Hant"):
                unmarked.append(f"{page}: {str(text).strip()!r}")
    assert unmarked == []


def test_chinese_outlet_of_a_key_citation_is_marked(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-cna.md": article(
            "CNA", 'citations:\n  cna: {outlet: 中央社, url: "https://example.net/cna", date: 2025-01-02}\n',
            body="The agency reported it [@cna].\n",
        ),
    })
    soup = site.article("i1/01-cna.md")
    body_links = [a for a in soup.find_all("a", href="https://example.net/cna") if a.find_parent(attrs={"role": "doc-bibliography"}) is None]
    assert len(body_links) == 1
    holder = body_links[0].find(string=HAN).find_parent(attrs={"lang": True})
    assert holder is not None and holder["lang"] in ("zh-Hans", "zh-Hant"), f"the outlet is marked {holder and holder.get('lang')!r}"


# -- notes -------------------------------------------------------------------------------------


def test_note_referred_to_twice_links_back_to_both_references(tmp_path: Path) -> None:
    body = "First claim.[^b] Second claim.[^a] The first again.[^b]\n\n[^a]: Note A.\n[^b]: Note B.\n"
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-notes.md": article("Notes", body=body),
    })
    soup = site.article("i1/01-notes.md")
    refs = soup.find_all("a", attrs={"role": "doc-noteref"})
    assert [norm(r.get_text()) for r in refs] == ["1", "2", "1"]
    assert len({r["id"] for r in refs}) == 3, "each reference needs its own id"
    notes = [li for li in soup.find(attrs={"role": "doc-endnotes"}).find_all("li")]
    assert [norm(li.get_text()).split(" ")[:2] for li in notes] == [["Note", "B."], ["Note", "A."]]
    for ref in refs:
        note = soup.find(id=ref["href"][1:])
        note = note if note in notes else note.find_parent("li")
        backs = [a["href"] for a in note.find_all("a", attrs={"role": "doc-backlink"})]
        assert f"#{ref['id']}" in backs
    assert len(notes[0].find_all("a", attrs={"role": "doc-backlink"})) == 2


# -- publication archive -----------------------------------------------------------------------


def test_publication_archive_groups_issues_by_volume(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/v1n1/issue.yaml": issue(1, 1, "2024-11-05"),
        "content/pub/v1n1/01-one-one.md": article("One One"),
        "content/pub/v1n2/issue.yaml": issue(1, 2, "2024-12-03"),
        "content/pub/v1n2/01-one-two.md": article("One Two"),
        "content/pub/v2n1/issue.yaml": issue(2, 1, "2025-01-07"),
        "content/pub/v2n1/01-two-one.md": article("Two One"),
    })
    (page,) = [p for p in site.pages_with_h1("The Harbour Brief")]
    soup = site.soup(page)
    issue_pages = {
        p: h1_text(s) for p, s in site.pages().items() if s.find(attrs={"role": "doc-toc"}) and "Issue" in (h1_text(s) or "")
    }
    seen = set()
    for a in (soup.find("main") or soup).find_all("a", href=True):
        target = site.follow(page, a["href"])
        if target not in issue_pages:
            continue
        volume = issue_pages[target].split("Volume ")[1].split(",")[0]
        heading = next(h for h in a.find_all_previous(["h2", "h3", "h4", "h5", "h6"]) if "Volume" in h.get_text())
        assert norm(heading.get_text()).endswith(f"Volume {volume}"), f"{issue_pages[target]} is under {heading.get_text()!r}"
        seen.add(target)
    assert seen == set(issue_pages)


def test_topic_pages_list_their_articles(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-ports.md": article("On Ports", "topics: [Ports, Shipping Lanes]\n"),
        "content/pub/i1/02-lanes.md": article("On Lanes", "topics: [Shipping Lanes]\n"),
        "content/pub/i1/03-draft.md": article("Hidden", "draft: true\ntopics: [Secret Topic, Ports]\n"),
    })
    ports, lanes = site.article_page("i1/01-ports.md"), site.article_page("i1/02-lanes.md")
    for topic, wanted in (("Ports", {ports}), ("Shipping Lanes", {ports, lanes})):
        (page,) = site.pages_with_h1(topic)
        targets = {site.follow(page, a["href"]) for a in site.soup(page).find_all("a", href=True)}
        assert targets & {ports, lanes} == wanted
        assert "Hidden" not in site.soup(page).get_text()
    assert site.pages_with_h1("Secret Topic") == [], "a topic used only by a draft has a page"


def test_each_chinese_topic_gets_its_own_page(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-strait.md": article("Strait", "topics: [台湾]\n"),
        "content/pub/i1/02-ministry.md": article("Ministry", "topics: [國防]\n"),
    })
    assert len(site.pages_with_h1("台湾")) == 1
    assert len(site.pages_with_h1("國防")) == 1, "the topic 國防 has no page"
    soup = site.article("i1/02-ministry.md")
    assert "國防" in soup.get_text(), "the article's own topic list lost 國防"


@pytest.mark.parametrize("base_url", ["https://brief.example.org/", "https://brief.example.org"])
def test_canonical_url_is_base_url_plus_article_url(tmp_path: Path, base_url: str) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-only.md": article("Only"),
    }, base_url=base_url)
    assert site.report.site is not None
    (url,) = [a.url for a in site.report.site.articles.values()]
    soup = site.article("i1/01-only.md")
    canonical = [link["href"] for link in soup.find_all("link") if "canonical" in (link.get("rel") or [])]
    assert canonical == ["https://brief.example.org/" + url]
    assert url.endswith("/only/")  # the slug: the file name without its NN- prefix


# -- lists of articles: order and teasers ------------------------------------------------------


def listed_titles(site: Site, page: str, titles: dict[str, str]) -> list[str]:
    """The titles of the articles ``page`` links to in its main content, in order (``titles``:
    article page → title)."""
    soup = site.soup(page)
    listed: list[str] = []
    for a in (soup.find("main") or soup).find_all("a", href=True):
        target = site.follow(page, a["href"])
        if target in titles and titles[target] not in listed:
            listed.append(titles[target])
    return listed


def test_lists_keep_the_issue_order_for_articles_of_one_date(tmp_path: Path) -> None:
    # The issues' orders differ from the alphabetical order of the addresses, both ways.
    files: dict[str, str | bytes] = {
        "content/pub/v1n2/issue.yaml": issue(1, 2, "2025-02-01", ["mike", "alpha", "zulu"]),
        "content/pub/v1n1/issue.yaml": issue(1, 1, "2025-01-01", ["yankee", "bravo", "xray"]),
    }
    for folder, names in (("v1n2", ("alpha", "mike", "zulu")), ("v1n1", ("bravo", "xray", "yankee"))):
        for name in names:
            files[f"content/pub/{folder}/{name}.md"] = article(name.title(), "topics: [Ports]\n")
    site = make_site(tmp_path, files)
    titles = {site.article_page(f"{folder}/{name}.md"): name.title()
              for folder, names in (("v1n2", ("alpha", "mike", "zulu")), ("v1n1", ("bravo", "xray", "yankee")))
              for name in names}
    newest_first = ["Mike", "Alpha", "Zulu", "Yankee", "Bravo", "Xray"]
    (author_page,) = site.pages_with_h1("Ann Author")
    (topic_page,) = site.pages_with_h1("Ports")
    assert listed_titles(site, author_page, titles) == newest_first
    assert listed_titles(site, topic_page, titles) == newest_first
    # the home page: the latest issue's contents, then the earlier issues' articles
    assert listed_titles(site, "index.html", titles) == newest_first


def test_an_article_without_summary_is_described_by_its_first_paragraph(tmp_path: Path) -> None:
    body = (
        "> A quotation that opens the article.\n\n"
        "The first sentence is the lede.[^1] The second one adds a detail. "
        "A third sentence goes on " + "and on " * 30 + "until it is far too long.\n\n"
        "A second paragraph.\n\n[^1]: A note.\n"
    )
    site = make_site(tmp_path, {
        "content/pub/v1n1/issue.yaml": issue(1, 1, "2025-01-10"),
        "content/pub/v1n1/01-plain.md": article("Plain", body=body),
        "content/pub/v1n1/02-summarised.md": article("Summarised", 'summary: ["The *summary* comes first."]\n'),
    })
    lede = "The first sentence is the lede. The second one adds a detail."
    soup = site.article("v1n1/01-plain.md")
    assert meta(soup, "description") == [lede]
    assert [m["content"] for m in soup.find_all("meta", attrs={"property": "og:description"})] == [lede]
    assert json.loads(soup.find("script", attrs={"type": "application/ld+json"}).string)["description"] == lede
    assert "abstract" not in json.loads(soup.find("script", attrs={"type": "application/ld+json"}).string)
    summarised = site.article("v1n1/02-summarised.md")
    assert meta(summarised, "description") == ["The summary comes first."]
    # the teaser in lists of articles: the issue's contents and the home page
    issue_page = next(p for p in site.pages() if p.endswith("issue-1/index.html"))
    for page in (issue_page, "index.html"):
        text = norm(site.soup(page).find("main").get_text(" "))
        assert lede in text, page
        assert "A third sentence" not in text
        assert "The summary comes first." in text


def test_an_author_without_a_bio_gets_no_about_the_author_box(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/authors/c.md": "---\nname: Cy Nobio\n---\n",
        "content/pub/v1n1/issue.yaml": issue(1, 1, "2025-01-10"),
        "content/pub/v1n1/01-alone.md": article("Alone", authors="[c]"),
        "content/pub/v1n1/02-together.md": article("Together", authors="[c, a]"),
    })
    alone = site.article("v1n1/01-alone.md")
    assert alone.find(id="bios-heading") is None
    assert "About the author" not in alone.get_text()
    together = site.article("v1n1/02-together.md")
    box = together.find(id="bios-heading").find_parent("section")
    assert norm(together.find(id="bios-heading").get_text()) == "About the author"
    assert "Ann Author writes about harbours" in box.get_text()
    assert "Cy Nobio" not in box.get_text()
    assert "Cy Nobio" in norm(together.find("article").find("header").get_text())  # still in the byline


def test_the_list_of_authors_files_names_by_sort_as_or_last_word(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/authors/lin.md": '---\nname: Lin Jiahui\nsort_as: "Lin Jiahui"\n---\n',
        "content/authors/kim.md": "---\nname: Jia Kim\n---\n",
        "content/pub/v1n1/issue.yaml": issue(1, 1, "2025-01-10"),
        "content/pub/v1n1/01-one.md": article("One", authors="[lin, kim, a, b]"),
    })
    page = site.soup("authors/index.html")
    names = [norm(a.get_text()) for a in page.find("main").find_all("a") if "/" in a.get("href", "").strip("./")]
    # Ann Author (A), Bo Byline (B), Jia Kim (K), Lin Jiahui (L, not J)
    assert [n for n in names if n in {"Ann Author", "Bo Byline", "Jia Kim", "Lin Jiahui"}] == [
        "Ann Author", "Bo Byline", "Jia Kim", "Lin Jiahui",
    ]


def test_a_site_past_the_sitemap_limit_gets_a_sitemap_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import brief.render

    monkeypatch.setattr(brief.render, "SITEMAP_URLS", 4)
    files: dict[str, str | bytes] = {"content/pub/v1n1/issue.yaml": issue(1, 1, "2025-01-10")}
    for n in range(6):
        files[f"content/pub/v1n1/{n:02}-piece-{n}.md"] = article(f"Piece {n}")
    site = make_site(tmp_path, files)
    root = ET.parse(site.out / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}sitemapindex"
    parts = [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")]
    assert parts == [f"{BASE_URL}sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) > 1
    listed: list[str] = []
    for part in parts:
        urls = [(loc.text or "").strip() for loc in ET.parse(site.out / part.removeprefix(BASE_URL)).getroot().iter(f"{SITEMAP_NS}loc")]
        assert 0 < len(urls) <= 4
        listed += urls
    pages = sorted(BASE_URL + p.removesuffix("index.html") for p in site.pages() if p not in ("404.html", "search/index.html"))
    assert sorted(listed) == pages
# -- the frame: bylines, credits, navigation, titles, image links -----------------------------


THREE_AUTHORS = "[a, b, {name: Cy Third}]"


@pytest.mark.parametrize(("setting", "expected"), [
    ("", "By Ann Author, Bo Byline, and Cy Third"),
    ("serial_comma: true\n", "By Ann Author, Bo Byline, and Cy Third"),
    ("serial_comma: false\n", "By Ann Author, Bo Byline and Cy Third"),
])
def test_byline_of_three_follows_the_serial_comma_setting(tmp_path: Path, setting: str, expected: str) -> None:
    site = make_site(tmp_path, {
        "content/site.yaml": f"title: Test Brief\nbase_url: {BASE_URL}\n{setting}",
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-three.md": article("Three", authors=THREE_AUTHORS),
        "content/pub/i1/02-two.md": article("Two", authors="[a, b]"),
    })
    meta_line = site.article("i1/01-three.md").find("h1").find_next("p")
    assert norm(meta_line.get_text()).startswith(expected + " ")
    two = site.article("i1/02-two.md").find("h1").find_next("p")
    assert norm(two.get_text()).startswith("By Ann Author and Bo Byline ")
    issue_page = site.soup("pub/volume-1/issue-1/index.html")
    assert expected.removeprefix("By ") in norm(issue_page.get_text())


LEAD = (
    "image:\n  src: images/harbour.png\n  alt: \"A harbour\"\n"
    '  caption: "A harbour."\n  credit: "Xinhua"\n'
)


@pytest.mark.parametrize(("setting", "expected"), [
    ("", "A harbour. Image: Xinhua"),
    ('image_credit: "(Source: {credit})"\n', "A harbour. (Source: Xinhua)"),
])
def test_lead_image_credit_carries_the_house_label(tmp_path: Path, setting: str, expected: str) -> None:
    site = make_site(tmp_path, {
        "content/site.yaml": f"title: Test Brief\nbase_url: {BASE_URL}\n{setting}",
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/images/harbour.png": png(1600, 900),
        "content/pub/i1/01-lead.md": article("Lead", LEAD),
    })
    caption = site.article("i1/01-lead.md").find("img", alt="A harbour").find_parent("figure").find("figcaption")
    assert norm(caption.get_text()) == expected


def test_lead_image_and_body_images_link_to_their_largest_file(tmp_path: Path) -> None:
    body = "Figure 1: A wide map\n\n![A wide map of the strait](images/map.png)\n\n(Source: Survey office)\n"
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/images/harbour.png": png(1600, 900),
        "content/pub/i1/images/map.png": png(2400, 1200),
        "content/pub/i1/01-lead.md": article("Lead", LEAD, body=body),
    })
    page = site.article_page("i1/01-lead.md")
    soup = site.soup(page)
    for alt in ("A harbour", "A wide map of the strait"):
        img = soup.find("img", alt=alt)
        link = img.find_parent("a", href=True)
        assert link is not None, f"the image '{alt}' is not a link"
        target = site.follow(page, link["href"])
        assert target is not None and (site.out / target).is_file()
        widths = [int(w.split()[-1].rstrip("w")) for w in img["srcset"].split(",")]
        with Image.open(site.out / target) as opened:
            assert opened.width == max(widths), f"'{alt}' links to a {opened.width} px file, not the largest"


def test_navigation_and_404_offer_only_sections_with_content(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-only.md": article("Only"),
        "content/empty/publication.yaml": "title: The Empty Brief\n",
    })
    assert not (site.out / "topics/index.html").exists()
    for page in ("index.html", "404.html", site.article_page("i1/01-only.md")):
        soup = site.soup(page)
        nav = soup.find("nav", attrs={"aria-label": "Site"})
        assert [norm(a.get_text()) for a in nav.find_all("a")] == ["The Harbour Brief", "Authors"]
        assert not [a for a in soup.find_all("a", href=True) if "topics" in a["href"]], page
    not_found = norm(site.soup("404.html").find("main").get_text())
    assert "or browse The Harbour Brief and Authors." in not_found


def test_navigation_offers_topics_when_there_are_some(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-only.md": article("Only", "topics: [Ports]\n"),
    })
    nav = site.soup("index.html").find("nav", attrs={"aria-label": "Site"})
    assert [norm(a.get_text()) for a in nav.find_all("a")] == ["The Harbour Brief", "Authors", "Topics"]
    assert (site.out / "topics/index.html").is_file()
    assert "The Harbour Brief, Authors, and Topics." in norm(site.soup("404.html").find("main").get_text())


def test_page_titles_do_not_repeat_a_publication_named_like_its_site(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/site.yaml": f"title: The Harbour Brief\nbase_url: {BASE_URL}\n",
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-only.md": article("Only", "topics: [Ports]\n"),
    })
    titles = {page: norm(soup.find("title").get_text()) for page, soup in site.pages().items()}
    assert titles["pub/index.html"] == "The Harbour Brief"
    assert titles["pub/volume-1/issue-1/index.html"] == "The Harbour Brief, Volume 1, Issue 1"
    assert titles[site.article_page("i1/01-only.md")] == "Only · The Harbour Brief"
    assert titles["authors/a/index.html"] == "Ann Author · The Harbour Brief"
    assert titles["topics/ports/index.html"] == "Ports · Topics · The Harbour Brief"
    assert all(" · ".join([t.split(" · ")[-1]] * 2) not in t for t in titles.values())


def test_article_uses_no_deprecated_aria_roles(tmp_path: Path) -> None:
    body = "A claim ([Outlet](https://example.org/a), March 1).[^n]\n\n[^n]: A note.\n"
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-only.md": article("Only", body=body),
    })
    soup = site.article("i1/01-only.md")
    assert soup.find(attrs={"role": "doc-endnotes"}).find("li") is not None
    assert soup.find(attrs={"role": "doc-bibliography"}).find("li") is not None
    deprecated = {"doc-endnote", "doc-biblioentry"}
    assert [tag.name for tag in soup.find_all(attrs={"role": True}) if tag["role"] in deprecated] == []


def test_home_page_shows_the_archive_beside_the_latest_issue(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/pub/i1/issue.yaml": issue(1, 1, "2025-03-04"),
        "content/pub/i1/01-only.md": article("Only"),
    })
    home = site.soup("index.html")
    archive = home.find("h2", string="Archive").find_parent("section")
    targets = [site.follow("index.html", a["href"]) for a in archive.find_all("a", href=True)]
    assert targets == ["pub/volume-1/issue-1/index.html", "pub/index.html"]
