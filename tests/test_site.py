"""End to end over the sample site: the output contract of content-format.md.

The sample ``content/`` is built once per module into a temporary folder. The
expected values come from reading ``content/`` directly (YAML front-matter,
issue files, author files), not from Brief's own loader, so a loader bug
cannot hide behind a matching renderer bug. Pages are found through the
sitemap and the build's model, and inspected with BeautifulSoup through the
contract's hooks only (roles, ``lang``, ``rel``, ``<figure>``, ``<h1>``, meta
names, JSON-LD): never through the templates' CSS classes.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from brief.pipeline import BuildOptions, BuildReport, build

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
DRAFT_FILE = "04-transliteration-style-sheet.md"
PUBLISHED_ARTICLES = 7
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MD_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$", re.M)
CITE = re.compile(r"\[(@[^\]]+)\]")
CAPTION = re.compile(r"^(Table|Figure) (\d+): (.+)$", re.M)


# -- reading the sample content ourselves -------------------------------------------------


def split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front) or {}, body


@dataclass
class Expected:
    """What one published article should show, read straight from its file."""

    path: Path
    title: str
    slug: str
    author_names: list[str]
    author_ids: list[str]
    inline_names: list[str]
    date: dt.date
    volume: int
    number: int
    issue_date: dt.date
    publication: str
    summary: list[str]
    topics: list[str]
    body: str
    notes: dict[str, str]
    citations: dict[str, dict[str, Any]]
    front: dict[str, Any] = field(default_factory=dict)

    def note_order(self) -> list[str]:
        """Labels in order of first reference in the body."""
        body = NOTE_DEF.sub("", self.body)
        order: list[str] = []
        for label in NOTE_REF.findall(body):
            if label not in order:
                order.append(label)
        return order

    def outside_urls(self) -> set[str]:
        """Every outside URL the body and notes link to or cite by key."""
        texts = [self.body, *self.notes.values()]
        urls = {url for text in texts for url in MD_LINK.findall(text)}
        for text in texts:
            for group in CITE.findall(text):
                for key in (k.strip().lstrip("@") for k in group.split(";")):
                    if key in self.citations:
                        urls.add(self.citations[key]["url"])
        return urls


@dataclass
class SampleIssue:
    folder: Path
    publication: str
    volume: int
    number: int
    date: dt.date
    order: list[Path]  #: published articles in table-of-contents order


@dataclass
class Sample:
    base_url: str
    authors: dict[str, str]  #: id → name
    publications: dict[str, str]  #: slug → title
    issues: list[SampleIssue]
    articles: dict[Path, Expected]
    drafts: list[Path]


def read_sample(content: Path) -> Sample:
    site = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
    authors = {p.stem: split_front_matter(p)[0]["name"] for p in sorted((content / "authors").glob("*.md"))}
    publications: dict[str, str] = {}
    issues: list[SampleIssue] = []
    articles: dict[Path, Expected] = {}
    drafts: list[Path] = []
    for pub_file in sorted(content.glob("*/publication.yaml")):
        pub = yaml.safe_load(pub_file.read_text(encoding="utf-8"))
        slug = pub.get("slug") or pub_file.parent.name
        publications[slug] = pub["title"]
        for issue_file in sorted(pub_file.parent.glob("*/issue.yaml")):
            data = yaml.safe_load(issue_file.read_text(encoding="utf-8"))
            files = sorted(issue_file.parent.glob("*.md"))
            if "articles" in data:
                by_name = {p.name: p for p in files}
                files = [by_name[n if n.endswith(".md") else n + ".md"] for n in data["articles"]]
            issue = SampleIssue(issue_file.parent, slug, data["volume"], data["number"], data["date"], [])
            for path in files:
                front, body = split_front_matter(path)
                if front.get("draft"):
                    drafts.append(path)
                    continue
                issue.order.append(path)
                ids, names, inline = [], [], []
                for author in front["authors"]:
                    if isinstance(author, dict):
                        names.append(author["name"])
                        inline.append(author["name"])
                    else:
                        ids.append(author)
                        names.append(authors[author])
                notes = {str(k): v for k, v in (front.get("notes") or {}).items()}
                notes.update(dict(NOTE_DEF.findall(body)))
                articles[path] = Expected(
                    path=path,
                    title=front["title"],
                    slug=front.get("slug") or re.sub(r"^\d+-", "", path.stem),
                    author_names=names,
                    author_ids=ids,
                    inline_names=inline,
                    date=front.get("date") or data["date"],
                    volume=data["volume"],
                    number=data["number"],
                    issue_date=data["date"],
                    publication=pub["title"],
                    summary=list(front.get("summary") or []),
                    topics=list(front.get("topics") or []),
                    body=body,
                    notes=notes,
                    citations={str(k): v for k, v in (front.get("citations") or {}).items()},
                    front=front,
                )
            issues.append(issue)
    base_url = site["base_url"] if site["base_url"].endswith("/") else site["base_url"] + "/"
    return Sample(base_url, authors, publications, issues, articles, drafts)


def plain(markdown: str) -> str:
    """Inline Markdown as the text a reader sees (CommonMark only), whitespace collapsed."""
    html = MarkdownIt("commonmark").render(markdown)
    return norm(BeautifulSoup(html, "html.parser").get_text())


def norm(text: str) -> str:
    return " ".join(text.split())


# -- reading the output -------------------------------------------------------------------


def url_to_file(url: str) -> str:
    """A site-relative URL → its file in the output (``x/`` is ``x/index.html``)."""
    path = unquote(url)
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def resolve(page: str, href: str, base_url: str) -> tuple[str | None, str]:
    """Where a link on ``page`` (an output path) leads: (output path, fragment).

    The output path is ``None`` for links to other origins (or mailto: and the like).
    Raises AssertionError for a link that leaves the site's folder.
    """
    parts = urlsplit(href)
    base_path = urlsplit(base_url).path
    if parts.scheme or parts.netloc:
        if not href.startswith(base_url):
            return None, parts.fragment
        target = url_to_file(urlsplit(href[len(base_url):]).path)
        return target, parts.fragment
    if parts.path == "":
        return page, parts.fragment
    if parts.path.startswith("/"):
        assert parts.path.startswith(base_path), f"{page}: {href!r} is outside the site's path {base_path!r}"
        return url_to_file(parts.path[len(base_path):]), parts.fragment
    is_folder = parts.path.endswith("/") or parts.path.split("/")[-1] in (".", "..")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    assert joined != ".." and not joined.startswith("../"), f"{page}: {href!r} leaves the output folder"
    if joined == ".":
        return "index.html", parts.fragment
    return (joined + "/index.html" if is_folder else joined), parts.fragment


def resource_urls(soup: BeautifulSoup) -> Iterator[tuple[Tag, str]]:
    """Every URL a page loads or links to: (element, URL)."""
    for tag in soup.find_all(True):
        for attr in ("href", "src", "poster") + (("data",) if tag.name == "object" else ()):
            value = tag.get(attr)
            if isinstance(value, str):
                yield tag, value.strip()
        srcset = tag.get("srcset")
        if isinstance(srcset, str):
            for candidate in srcset.split(","):
                if candidate.strip():
                    yield tag, candidate.split()[0]


def broken_links(out: Path, pages: dict[str, BeautifulSoup], base_url: str) -> list[str]:
    """Every link, src or srcset on ``pages`` that leads into the site but to no file
    (or to no element with the fragment's id); links to other origins are skipped."""
    ids_of = {
        page: {t["id"] for t in soup.find_all(id=True)} | {t["name"] for t in soup.find_all("a", attrs={"name": True})}
        for page, soup in pages.items()
    }
    broken = []
    for page, soup in pages.items():
        urls = list(resource_urls(soup))
        # Absolute addresses in metadata (og:url, og:image, citation_abstract_html_url, ...) too.
        urls += [(m, m["content"]) for m in soup.find_all("meta", content=True) if m["content"].startswith(base_url)]
        for _tag, url in urls:
            target, fragment = resolve(page, url, base_url)
            if target is None:
                continue
            if not (out / target).is_file():
                broken.append(f"{page}: {url} → {target} (no such file)")
            elif fragment and target.endswith(".html") and fragment not in ids_of.get(target, set()):
                broken.append(f"{page}: {url} → no id {fragment!r} in {target}")
    return broken


def h1_text(soup: BeautifulSoup) -> str | None:
    headings = soup.find_all("h1")
    return norm(headings[0].get_text()) if len(headings) == 1 else None


def meta(soup: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


def json_ld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    return [json.loads(s.string or "") for s in soup.find_all("script", attrs={"type": "application/ld+json"})]


def outside(element: Tag, role: str) -> bool:
    return element.find_parent(attrs={"role": role}) is None


# -- fixtures ----------------------------------------------------------------------------


@dataclass
class Built:
    out: Path
    report: BuildReport
    sample: Sample
    pages: dict[str, BeautifulSoup]  #: every HTML file, by output path
    #: Published articles: output path of the page → what the file says.
    articles: dict[str, Expected]
    sitemap: list[str]

    def page_of(self, path: Path) -> str:
        return next(page for page, exp in self.articles.items() if exp.path == path)

    def links_in_main(self, page: str) -> list[str]:
        """Output paths that the page's <main> links to, in order, without repeats."""
        main = self.pages[page].find("main") or self.pages[page]
        seen: list[str] = []
        for a in main.find_all("a", href=True):
            target, _ = resolve(page, a["href"], self.sample.base_url)
            if target is not None and target != page and target not in seen:
                seen.append(target)
        return seen

    def article_links(self, page: str) -> list[str]:
        return [t for t in self.links_in_main(page) if t in self.articles]

    def pages_with_h1(self, text: str) -> list[str]:
        return [p for p, soup in self.pages.items() if h1_text(soup) == text]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("sample") / "_site"
    report = build(BuildOptions(content=CONTENT, project=REPO, out=out))
    sample = read_sample(CONTENT)
    pages = {
        p.relative_to(out).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(out.rglob("*.html"))
    }
    assert report.site is not None
    by_path = {REPO / a.source.path: url_to_file(a.url) for a in report.site.articles.values()}
    articles = {page: sample.articles[path] for path, page in by_path.items()}
    tree = ET.parse(out / "sitemap.xml")
    locs = [(loc.text or "").strip() for loc in tree.getroot().iter(f"{SITEMAP_NS}loc")]
    return Built(out, report, sample, pages, articles, locs)


def article_pages() -> list[str]:
    """Parameter ids for the article tests: the sample's published article files."""
    sample = read_sample(CONTENT)
    return sorted(p.relative_to(CONTENT).as_posix() for p in sample.articles)


@pytest.fixture(params=article_pages())
def article(request: pytest.FixtureRequest, site: Built) -> tuple[str, Expected, BeautifulSoup]:
    """One published article: (output path, expected values, parsed page)."""
    page = site.page_of(CONTENT / request.param)
    return page, site.articles[page], site.pages[page]


# -- the site as a whole -----------------------------------------------------------------


def test_publishes_the_seven_articles_and_no_draft(site: Built) -> None:
    assert len(site.articles) == PUBLISHED_ARTICLES
    assert sorted(e.path for e in site.articles.values()) == sorted(site.sample.articles)
    assert [p.name for p in site.sample.drafts] == [DRAFT_FILE]
    for page, expected in site.articles.items():
        assert page.endswith(f"/{expected.slug}/index.html"), page
    pages_with_scholarly = [p for p, soup in site.pages.items() if any(d.get("@type") == "ScholarlyArticle" for d in json_ld(soup))]
    assert sorted(pages_with_scholarly) == sorted(site.articles)


def test_draft_is_absent_everywhere(site: Built) -> None:
    draft_front, draft_body = split_front_matter(site.sample.drafts[0])
    slug = re.sub(r"^\d+-", "", Path(DRAFT_FILE).stem)
    markers = [draft_front["title"], "working draft and stays out of the published build", "https://www.unicode.org/charts/"]
    files = [p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file()]
    assert not [f for f in files if slug in f or "transliteration" in f]
    for path in files:
        if path.endswith((".html", ".xml", ".txt", ".json")):
            text = (site.out / path).read_text(encoding="utf-8")
            for marker in [slug, *markers]:
                assert marker not in text, f"{path} mentions the draft ({marker!r})"
    assert not [loc for loc in site.sitemap if slug in loc]


def test_sitemap_lists_every_page_and_only_real_files(site: Built) -> None:
    base = site.sample.base_url
    assert site.sitemap, "the sitemap lists nothing"
    assert len(site.sitemap) == len(set(site.sitemap)), "the sitemap lists a page twice"
    listed = set()
    for loc in site.sitemap:
        assert loc.startswith(base), loc
        target = url_to_file(loc[len(base):])
        assert (site.out / target).is_file(), f"{loc} has no file ({target})"
        listed.add(target)
    assert set(site.pages) - {"404.html", "search/index.html"} == listed  # the search page is for readers, not crawlers
    assert "404.html" not in listed
    for page in site.articles:
        assert page in listed


def test_robots_txt_points_at_the_sitemap(site: Built) -> None:
    lines = (site.out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {site.sample.base_url}sitemap.xml" in [line.strip() for line in lines]


def test_404_page_exists(site: Built) -> None:
    assert "404.html" in site.pages
    assert site.pages["404.html"].find("h1") is not None


def test_no_page_loads_anything_from_another_origin(site: Built) -> None:
    base = site.sample.base_url
    problems = []
    for page, soup in site.pages.items():
        for tag, url in resource_urls(soup):
            if tag.name == "a":
                continue  # links to outside pages are what citations are
            parts = urlsplit(url)
            if (parts.scheme or parts.netloc or url.startswith("//")) and not url.startswith(base):
                problems.append(f"{page}: <{tag.name}> {url}")
    assert problems == []


def test_no_inline_script_or_style(site: Built) -> None:
    problems = []
    for page, soup in site.pages.items():
        for script in soup.find_all("script"):
            if not script.get("src") and script.get("type") != "application/ld+json":
                problems.append(f"{page}: inline <script type={script.get('type')!r}>")
        for tag in soup.find_all(True):
            if tag.has_attr("style"):
                problems.append(f"{page}: style= on <{tag.name}>")
            handlers = [a for a in tag.attrs if a.lower().startswith("on")]
            if handlers:
                problems.append(f"{page}: event handler {handlers} on <{tag.name}>")
        if soup.find("style"):
            problems.append(f"{page}: a <style> element")
    assert problems == []


def test_json_ld_blocks_parse(site: Built) -> None:
    for page, soup in site.pages.items():
        for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
            json.loads(script.string or "")  # raises on a broken block


def test_every_internal_link_resolves(site: Built) -> None:
    assert broken_links(site.out, site.pages, site.sample.base_url) == []


def test_every_han_run_on_every_page_is_marked(site: Built) -> None:
    unmarked = []
    for page, soup in site.pages.items():
        for text in soup.find_all(string=HAN):
            if text.parent is None or text.parent.name in ("script", "title", "style"):
                continue
            holder = text.find_parent(attrs={"lang": True})
            lang = holder.get("lang") if holder else None
            if lang not in ("zh-Hans", "zh-Hant"):
                unmarked.append(f"{page}: {str(text).strip()[:40]!r} has lang={lang!r}")
    assert unmarked == []


# -- every article page ----------------------------------------------------------------------


def test_article_has_one_h1_equal_to_the_title(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    assert len(soup.find_all("h1")) == 1
    assert h1_text(soup) == norm(expected.title)


def test_article_canonical_link(article: tuple[str, Expected, BeautifulSoup], site: Built) -> None:
    page, expected, soup = article
    canonical = [link for link in soup.find_all("link") if "canonical" in (link.get("rel") or [])]
    assert len(canonical) == 1
    assert canonical[0]["href"] == site.sample.base_url + page[: -len("index.html")]


def test_article_byline_names_every_author(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    h1 = soup.find("h1")
    assert h1 is not None
    header = h1.find_parent("header") or h1.find_parent("article")
    assert header is not None
    text = norm(header.get_text(" "))
    positions = [text.find(name) for name in expected.author_names]
    assert -1 not in positions, f"byline {text!r} lacks one of {expected.author_names}"
    assert positions == sorted(positions), "authors are not in front-matter order"


def test_article_summary_is_a_doc_abstract(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    abstracts = soup.find_all(attrs={"role": "doc-abstract"})
    if not expected.summary:
        assert abstracts == []
        return
    assert len(abstracts) == 1
    items = [norm(li.get_text()) for li in abstracts[0].find_all("li")]
    assert items == [plain(s) for s in expected.summary]


def test_article_note_references_and_backlinks(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    order = expected.note_order()
    refs = soup.find_all(attrs={"role": "doc-noteref"})
    sections = soup.find_all(attrs={"role": "doc-endnotes"})
    if not order:
        assert refs == [] and sections == []
        return
    assert len(sections) == 1
    notes = [li for li in sections[0].find_all("li") if li.find_parent("li") is None]
    assert len(notes) == len(order) == len(expected.notes)
    note_ids = [li.get("id") for li in notes]
    assert all(note_ids) and len(set(note_ids)) == len(note_ids)

    assert len(refs) == len(NOTE_REF.findall(NOTE_DEF.sub("", expected.body)))
    first_reference: list[str] = []
    for ref in refs:
        assert ref.name == "a", f"a note reference is a <{ref.name}>"
        assert outside(ref, "doc-endnotes"), "a note reference inside the notes section"
        href = ref.get("href", "")
        assert href.startswith("#"), href
        target = soup.find(id=href[1:])
        assert target is not None, f"note reference {href} points at nothing"
        note = target if target in notes else target.find_parent(lambda t: t in notes)
        assert note is not None, f"note reference {href} does not point into the notes section"
        assert ref.get("id"), "a note reference has no id to come back to"
        backlinks = [a.get("href") for a in note.find_all("a", attrs={"role": "doc-backlink"})]
        assert f"#{ref['id']}" in backlinks, f"note {note.get('id')} has no back-link to {ref['id']}"
        number = notes.index(note) + 1
        assert norm(ref.get_text()) == str(number), f"reference to note {number} reads {ref.get_text()!r}"
        if note.get("id") not in first_reference:
            first_reference.append(note.get("id"))
    # Numbered 1..N in order of first reference.
    assert first_reference == note_ids
    # And each position holds the note that the body refers to first, second, ...
    for li, label in zip(notes, order):
        rendered = norm(li.get_text())
        wanted = plain(expected.notes[label])[:40]
        assert rendered.startswith(wanted), f"note {li.get('id')} should be [^{label}]: {wanted!r}, is {rendered[:60]!r}"


def test_article_sources_list_every_outside_url_once_in_order(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    urls = expected.outside_urls()
    lists = soup.find_all(attrs={"role": "doc-bibliography"})
    if not urls:
        assert lists == []
        return
    assert len(lists) == 1
    entries = [li for li in lists[0].find_all("li") if li.find_parent("li") is None]
    entry_urls = []
    for li in entries:
        hrefs = {a["href"] for a in li.find_all("a", href=True)}
        assert len(hrefs) == 1, f"a source entry should link one URL, has {hrefs}"
        entry_urls.extend(hrefs)
    assert len(entry_urls) == len(set(entry_urls)), "a URL is listed twice"
    assert set(entry_urls) == urls
    # Order of first appearance: the body, then the notes, as the page reads.
    main = soup.find("main") or soup
    appearance: list[str] = []
    for a in main.find_all("a", href=True):
        if a["href"] in urls and outside(a, "doc-bibliography") and outside(a, "doc-abstract") and a["href"] not in appearance:
            appearance.append(a["href"])
    assert entry_urls == appearance


def test_article_captions_are_figures_with_figcaptions(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    main = soup.find("main") or soup
    for element in main.find_all(["table", "img"]):
        figure = element.find_parent("figure")
        assert figure is not None, f"a captioned <{element.name}> is not in a <figure>"
        assert figure.find("figcaption") is not None, f"a <figure> with a <{element.name}> has no <figcaption>"
    figures = main.find_all("figure")
    ids = [f.get("id") for f in figures if f.get("id")]
    assert len(ids) == len(set(ids)), "two figures share an anchor"
    for kind, number, title in CAPTION.findall(expected.body):
        matching = [
            f for f in figures
            if f.find("figcaption") is not None
            and norm(f.find("figcaption").get_text()).startswith(f"{kind} {number}")
            and plain(title) in norm(f.find("figcaption").get_text())
        ]
        assert len(matching) == 1, f"{kind} {number}: {title!r} is not one captioned <figure>"
        figure = matching[0]
        assert figure.find("table" if kind == "Table" else "img") is not None
        assert figure.get("id"), f"{kind} {number} has no anchor"


def test_article_json_ld(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    blocks = [d for d in json_ld(soup) if d.get("@type") == "ScholarlyArticle"]
    assert len(blocks) == 1
    data = blocks[0]
    assert data["headline"] == expected.title
    authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
    assert [a["name"] for a in authors] == expected.author_names
    assert str(data["datePublished"]).startswith(expected.date.isoformat())
    issue = data["isPartOf"]
    assert issue["@type"] == "PublicationIssue"
    assert str(issue["issueNumber"]) == str(expected.number)
    volume = issue["isPartOf"]
    assert volume["@type"] == "PublicationVolume"
    assert str(volume["volumeNumber"]) == str(expected.volume)
    periodical = volume["isPartOf"]
    assert periodical["@type"] == "Periodical"
    assert periodical["name"] == expected.publication


def test_article_citation_meta(article: tuple[str, Expected, BeautifulSoup]) -> None:
    page, expected, soup = article
    assert meta(soup, "citation_title") == [expected.title]
    assert meta(soup, "citation_author") == expected.author_names
    assert meta(soup, "citation_publication_date") == [expected.date.strftime("%Y/%m/%d")]
    assert meta(soup, "citation_journal_title") == [expected.publication]
    assert meta(soup, "citation_volume") == [str(expected.volume)]
    assert meta(soup, "citation_issue") == [str(expected.number)]


# -- Chinese --------------------------------------------------------------------------------

#: Terms of the sample's glossary and the script each is written in.
CHINESE_TERMS = {
    "解放军": "zh-Hans", "解放軍": "zh-Hant",
    "国防部": "zh-Hans", "國防部": "zh-Hant",
    "东部战区": "zh-Hans", "東部戰區": "zh-Hant",
    "简体字": "zh-Hans", "簡體字": "zh-Hant",
    "繁体字": "zh-Hans", "繁體字": "zh-Hant",
    "台湾": "zh-Hans", "臺灣": "zh-Hant",
    "共軍": "zh-Hant",
}


def test_chinese_terms_carry_their_script(site: Built) -> None:
    checked = 0
    for page, expected in site.articles.items():
        source = expected.path.read_text(encoding="utf-8")
        soup = site.pages[page]
        for term, lang in CHINESE_TERMS.items():
            if term not in source:
                continue
            found = soup.find_all(string=lambda s: s is not None and term in s and s.parent.name not in ("script", "title"))
            assert found, f"{page}: {term} is missing"
            for text in found:
                holder = text.find_parent(attrs={"lang": True})
                assert holder is not None and holder["lang"] == lang, f"{page}: {term} is marked {holder and holder.get('lang')!r}, not {lang}"
                checked += 1
    assert checked >= 20  # the glossary table alone has more


def test_chinese_in_a_title_is_marked(site: Built) -> None:
    page = site.page_of(CONTENT / "field-notes/2025-12-vol1-no1/marking-chinese-script.md")
    h1 = site.pages[page].find("h1")
    marks = {(s.get_text(), s["lang"]) for s in h1.find_all(attrs={"lang": True})}
    assert marks == {("簡體", "zh-Hant"), ("繁體", "zh-Hant")}


# -- the year rule on real data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("article_file", "url", "shown"),
    [
        # Issue of 2025-12-10: "December 15" would be after it, so it is 2024.
        ("field-notes/2025-12-vol1-no1/why-inline-citations-carry-dates.md",
         "https://www.zotero.org/support/dev/exposing_metadata", "December 15, 2024"),
        # Issue of 2026-01-14: "December 9" is the December just past.
        ("field-notes/2026-01-vol1-no2/02-accessible-publishing-with-dpub-aria.md",
         "https://www.w3.org/TR/dpub-aria-1.1/", "December 9, 2025"),
        # A written year is kept.
        ("field-notes/2025-12-vol1-no1/why-inline-citations-carry-dates.md",
         "https://www.w3.org/TR/dpub-aria-1.0/", "December 14, 2017"),
    ],
)
def test_year_rule_in_the_sources_list(site: Built, article_file: str, url: str, shown: str) -> None:
    soup = site.pages[site.page_of(CONTENT / article_file)]
    bibliography = soup.find(attrs={"role": "doc-bibliography"})
    entries = [li for li in bibliography.find_all("li") if li.find("a", href=url)]
    assert len(entries) == 1
    assert shown in norm(entries[0].get_text())


# -- issue, home, publication, author and topic pages --------------------------------------------


def test_issue_pages_list_articles_in_issue_order(site: Built) -> None:
    assert site.sample.issues
    for issue in site.sample.issues:
        pages = [
            p for p, soup in site.pages.items()
            if soup.find(attrs={"role": "doc-toc"}) is not None
            and h1_text(soup) is not None
            and f"Volume {issue.volume}, Issue {issue.number}" in (h1_text(soup) or "")
        ]
        assert len(pages) == 1, f"volume {issue.volume} issue {issue.number}: pages {pages}"
        page = pages[0]
        soup = site.pages[page]
        tocs = soup.find_all(attrs={"role": "doc-toc"})
        assert len(tocs) == 1
        entries = [li for li in tocs[0].find_all("li") if li.find_parent("li") is None]
        wanted = [site.page_of(path) for path in issue.order]
        listed = []
        for li in entries:
            targets = [resolve(page, a["href"], site.sample.base_url)[0] for a in li.find_all("a", href=True)]
            article_targets = [t for t in targets if t in site.articles]
            assert len(set(article_targets)) == 1, f"a contents entry should link one article: {targets}"
            target = article_targets[0]
            listed.append(target)
            expected = site.articles[target]
            text = norm(li.get_text(" "))
            for name in expected.author_names:
                assert name in text, f"{page}: the entry for {expected.title!r} lacks its author {name}"
            if expected.summary:
                first = norm(site.pages[target].find(attrs={"role": "doc-abstract"}).find("li").get_text(" "))
                assert first in text, f"{page}: the entry for {expected.title!r} lacks its first summary line"
        assert listed == wanted


def test_issue_order_follows_issue_yaml_not_file_names(site: Built) -> None:
    listed = next(i for i in site.sample.issues if i.number == 1)
    names = [p.name for p in listed.order]
    assert names != sorted(names), "the sample's issue 1 should list its articles out of name order"


def test_home_page_shows_the_latest_issue_and_recent_articles(site: Built) -> None:
    latest = max(site.sample.issues, key=lambda i: i.date)
    issue_page = next(
        p for p, soup in site.pages.items()
        if f"Volume {latest.volume}, Issue {latest.number}" in (h1_text(soup) or "") and soup.find(attrs={"role": "doc-toc"})
    )
    home = site.links_in_main("index.html")
    assert issue_page in home
    for path in latest.order:
        assert site.page_of(path) in home
    # Recent articles: all of them, since the sample has fewer than ten; the older issue too.
    assert set(site.article_links("index.html")) == set(site.articles)


def test_publication_page_lists_issues_by_volume(site: Built) -> None:
    for slug, title in site.sample.publications.items():
        candidates = [p for p in site.pages_with_h1(title) if not site.pages[p].find(attrs={"role": "doc-toc"})]
        assert len(candidates) == 1, candidates
        page = candidates[0]
        soup = site.pages[page]
        for issue in (i for i in site.sample.issues if i.publication == slug):
            anchors = [
                a for a in (soup.find("main") or soup).find_all("a", href=True)
                if (target := resolve(page, a["href"], site.sample.base_url)[0]) is not None
                and target in site.pages
                and f"Volume {issue.volume}, Issue {issue.number}" in (h1_text(site.pages[target]) or "")
            ]
            assert anchors, f"the archive does not link volume {issue.volume} issue {issue.number}"
            heading = next(
                (h for h in anchors[0].find_all_previous(re.compile(r"^h[1-6]$")) if re.search(r"\bVolume \d+\b", h.get_text())),
                None,
            )
            assert heading is not None and re.search(rf"\bVolume {issue.volume}\b", heading.get_text()), (
                f"issue {issue.number} is not under a 'Volume {issue.volume}' heading"
            )


def test_author_pages_list_their_articles_newest_first(site: Built) -> None:
    for author_id, name in site.sample.authors.items():
        pages = site.pages_with_h1(name)
        assert len(pages) == 1, f"{name}: {pages}"
        page = pages[0]
        wanted = {p for p, e in site.articles.items() if author_id in e.author_ids}
        listed = site.article_links(page)
        assert set(listed) == wanted, name
        dates = [site.articles[p].date for p in listed]
        assert dates == sorted(dates, reverse=True), f"{name}: not newest first: {dates}"


def test_author_page_order_on_real_data(site: Built) -> None:
    (page,) = site.pages_with_h1("Mara Okafor")
    titles = [site.articles[p].title for p in site.article_links(page)]
    assert titles == [
        "Tables and Figures That Cite Their Sources",  # 2026-01-14
        "Why Inline Citations Carry Dates",  # 2025-12-10
        "Front-Matter as a Contract",  # 2025-12-08 (its own date)
    ]


def test_inline_author_has_no_page(site: Built) -> None:
    inline = {n for e in site.articles.values() for n in e.inline_names}
    assert inline == {"Chen Wei-ling"}
    for name in inline:
        assert site.pages_with_h1(name) == []
        for page, soup in site.pages.items():
            for a in soup.find_all("a"):
                assert norm(a.get_text()) != name, f"{page} links the inline author {name}"
        assert not [loc for loc in site.sitemap if "chen-wei-ling" in loc]
    page = site.page_of(CONTENT / "field-notes/2025-12-vol1-no1/marking-chinese-script.md")
    assert "Chen Wei-ling" in site.pages[page].get_text()


def test_topic_pages_list_the_right_articles(site: Built) -> None:
    topics = sorted({t for e in site.articles.values() for t in e.topics})
    assert topics
    for topic in topics:
        pages = site.pages_with_h1(topic)
        assert len(pages) == 1, f"{topic}: {pages}"
        wanted = {p for p, e in site.articles.items() if topic in e.topics}
        assert set(site.article_links(pages[0])) == wanted, topic
        # And every article page links to the page of each of its topics.
        for article_page in wanted:
            assert pages[0] in site.links_in_main(article_page), f"{article_page} does not link topic {topic}"
