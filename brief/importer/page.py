"""Reading one published article page: where its title, byline, date, summary, body, notes,
lead image and topics are, in Brief's own pages and in the usual CMS themes.

Each field is looked for in the page's machine-readable metadata first (Google Scholar
``citation_*`` tags, schema.org JSON-LD, Open Graph), then in the markup that themes
share (WordPress's ``entry-content``, ``rel="author"``, ``rel="tag"``, DPUB-ARIA roles).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..citations import parse_date as parse_written_date

#: Largest page the importer reads: article pages are far smaller; more is not an article.
MAX_PAGE_BYTES = 16 * 1024 * 1024
#: Deepest element nesting the importer follows (real pages stay well below 100).
MAX_DEPTH = 400

#: Where the article's body is, most specific first.
BODY_SELECTORS = (
    "div.article-body", "[itemprop=articleBody]", ".entry-content", ".post-content", ".article-content",
    ".article__body", ".story-body", ".td-post-content", "article .content", "article", "main", "[role=main]", "body",
)
#: Site chrome inside the body: share buttons, related posts, comments, newsletter boxes, ads.
CHROME = re.compile(
    r"(^|[-_ ])(share|sharing|sharedaddy|social|related|jp-relatedposts|comments?|respond|newsletter|subscribe|"
    r"advert|ads?|sponsor|promo|author-?box|author-?bio|about-?author|entry-author|saboxplugin\w*|post-?navigation|"
    r"nav-?links|breadcrumbs?|tags-?links|cat-?links|entry-meta|entry-footer|byline|print|screen-reader-text|"
    r"sr-only|visually-hidden|hidden|popup|modal|cookie|wp-block-buttons|addtoany|a2a\w*|sd-\w+)($|[-_ ])",
    re.I,
)
SUMMARY_HEADING = re.compile(r"^\s*(executive summary|key points|key takeaways|key findings|summary|highlights|in brief|at a glance|main points)\s*:?\s*$", re.I)
NOTES_HEADING = re.compile(r"^\s*(notes|endnotes|end notes|footnotes|references and notes)\s*:?\s*$", re.I)
ISSUE_TEXT = re.compile(r"\bvol(?:ume|\.)?\s*(\d{1,4})\s*[,;:·/–—-]?\s*(?:issue|iss\.|no\.?|number|#)\s*(\d{1,4})\b", re.I)


class PageError(Exception):
    """The page cannot be imported; the message says why."""


@dataclass
class Person:
    name: str
    affiliation: str = ""
    bio: Tag | None = None  #: the author box's biography, as markup to convert


@dataclass
class LeadImage:
    img: Tag
    caption: Tag | None = None
    credit: str = ""
    credit_url: str = ""


@dataclass
class Note:
    ids: list[str]  #: element ids that references point to
    content: Tag  #: the note's text (backlinks removed)


@dataclass
class Page:
    """What one article page says, before conversion to Markdown."""

    title: str
    authors: list[Person]
    date: dt.date | None
    body: Tag
    address: str = ""  #: the page's own (canonical) address
    volume: int | None = None
    number: int | None = None
    issue_date: dt.date | None = None
    issue_title: str = ""
    summary: list[Tag] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    lead: LeadImage | None = None
    disclaimer: Tag | None = None


def decode(data: bytes) -> str:
    """The page's text, in the encoding it declares (UTF-8 by default)."""
    if b"\x00" in data[:65536]:
        raise PageError("the page is not HTML text (it contains NUL bytes)")
    from bs4.dammit import UnicodeDammit

    text = UnicodeDammit(data, ["utf-8"], is_html=True).unicode_markup
    if text is None:
        raise PageError("the page is not HTML text (its encoding cannot be recognised)")
    return text


def parse(text: str) -> BeautifulSoup:
    soup = BeautifulSoup(text, "lxml")
    if soup.find() is None:
        raise PageError("the page has no HTML elements")
    depth = deepest(soup)
    if depth > MAX_DEPTH:
        raise PageError(f"the page nests elements {depth} deep, more than the {MAX_DEPTH} the importer follows")
    return soup


def deepest(soup: BeautifulSoup) -> int:
    depth = 0
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        if level <= MAX_DEPTH:
            stack.extend((child, level + 1) for child in node.children if isinstance(child, Tag))
    return depth


def read_page(soup: BeautifulSoup) -> Page:
    """The article in a whole page (``<html>`` with its head)."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    meta = Metadata(soup)
    title = meta.title()  # before find_body, which takes the title out of a whole <article>
    body = find_body(soup)
    if body is None:
        raise PageError("found no article text in the page (no <article>, entry-content or <main>)")
    if not title:
        raise PageError("found no title in the page (no <h1>, citation_title, og:title or <title>)")
    authors = meta.authors(soup)
    lead = find_lead(soup, body)
    summary = take_summary(soup, body)
    notes = take_notes(soup, body)
    disclaimer = soup.select_one("aside.disclaimer")
    clean(body)
    volume, number = meta.issue()
    page = Page(
        title=title, authors=authors, date=meta.date(), body=body, address=meta.address(),
        volume=volume, number=number, issue_date=meta.issue_date(), issue_title=meta.issue_title(),
        summary=summary, topics=meta.topics(soup), notes=notes, lead=lead,
        disclaimer=disclaimer,
    )
    return page


def find_body(soup: BeautifulSoup) -> Tag | None:
    for selector in BODY_SELECTORS:
        found = soup.select_one(selector)
        if isinstance(found, Tag) and (visible_text(found) or found.find("img")):
            if found.name in ("article", "main", "body"):
                # the whole article: leave out its header (title, byline) and footer
                for part in found.find_all(["header", "footer"]):
                    part.decompose()
                for h1 in found.find_all("h1"):
                    h1.decompose()
            return found
    return None


def visible_text(tag: Tag) -> str:
    """The text of ``tag`` outside menus, headers, footers, scripts and forms."""
    chrome = ("nav", "header", "footer", "script", "style", "noscript", "form", "aside", "template")
    return "".join(s for s in tag.find_all(string=True) if not any(p.name in chrome for p in s.parents)).strip()


def clean(body: Tag) -> None:
    """Drop site chrome from the body: share buttons, related posts, author boxes, comments."""
    for tag in list(body.find_all(True)):
        if tag.decomposed:
            continue
        names = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")])
        if names.strip() and CHROME.search(names) and tag.name not in ("table", "td", "th", "tr"):
            tag.decompose()
            continue
        style = str(tag.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or tag.get("hidden") is not None or tag.get("aria-hidden") == "true":
            tag.decompose()
    for tag in body.select("h1, h2, h3, h4, h5, h6, p, strong"):
        if not tag.decomposed and re.fullmatch(r"\s*(share( this)?|related( posts| articles)?|you may also like|read more|comments?|leave a reply)\s*:?\s*", tag.get_text(), re.I):
            following = tag.find_next_sibling()
            if following is not None and following.name in ("ul", "ol", "div"):
                following.decompose()
            tag.decompose()


def text_of(tag: Tag | None) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ")).strip() if isinstance(tag, Tag) else ""


def heading_like(tag: Tag) -> bool:
    if tag.name in ("h2", "h3", "h4", "h5", "h6"):
        return True
    if tag.name == "p":
        strong = tag.find(["strong", "b"])
        return strong is not None and text_of(strong) == text_of(tag)
    return False


def take_summary(soup: BeautifulSoup, body: Tag) -> list[Tag]:
    """The executive summary's bullets, taken out of the page."""
    box = soup.select_one("[role=doc-abstract]") or body.select_one(".executive-summary, .key-points, .key-takeaways, .summary-box")
    if isinstance(box, Tag):
        items = [li for li in box.find_all("li")]
        if not items:
            items = [p for p in box.find_all("p")]
        box.extract()
        return [i for i in items if text_of(i)]
    for heading in body.find_all(["h2", "h3", "h4", "h5", "h6", "p"]):
        if not heading_like(heading) or not SUMMARY_HEADING.match(text_of(heading)):
            continue
        following = heading.find_next_sibling()
        if following is not None and following.name in ("ul", "ol"):
            items = [li for li in following.find_all("li", recursive=False) if text_of(li)]
            following.extract()
            heading.decompose()
            return items
        if following is not None and following.name == "p":
            following.extract()
            heading.decompose()
            return [following]
    return []


def take_notes(soup: BeautifulSoup, body: Tag) -> list[Note]:
    """The notes list, taken out of the page, with what references point to."""
    section = soup.select_one("[role=doc-endnotes]") or body.select_one(
        "section.footnotes, div.footnotes, ol.footnotes, .endnotes, .easy-footnotes-wrapper, .footnotes-list"
    )
    items: list[Tag] = []
    if isinstance(section, Tag):
        ol = section if section.name == "ol" else section.find("ol")
        items = ol.find_all("li", recursive=False) if isinstance(ol, Tag) else section.find_all("p")
        notes = [to_note(item) for item in items]
        section.extract()
        return notes
    for heading in body.find_all(["h2", "h3", "h4", "h5", "h6", "p"]):
        if not heading_like(heading) or not NOTES_HEADING.match(text_of(heading)):
            continue
        following = heading.find_next_sibling()
        if following is not None and following.name == "ol":
            notes = [to_note(li) for li in following.find_all("li", recursive=False)]
            following.extract()
            heading.decompose()
            return notes
        paragraphs = []  # "[1] text" paragraphs, as word processors export them
        while following is not None and following.name == "p" and re.match(r"^\s*\[?\d+\]?[.)]?\s", text_of(following) + " "):
            paragraphs.append(following)
            following = following.find_next_sibling()
        if paragraphs:
            notes = [to_note(p, marker=True) for p in paragraphs]
            for p in paragraphs:
                p.extract()
            heading.decompose()
            return notes
    return []


def to_note(item: Tag, marker: bool = False) -> Note:
    ids = [str(item["id"])] if item.get("id") else []
    for anchor in item.find_all(["a", "span"]):
        for key in ("id", "name"):
            if anchor.get(key):
                ids.append(str(anchor[key]))
    for back in item.select("a[role=doc-backlink], a.footnote-backref, a.footnote-back, a.easy-footnote-to-top"):
        back.decompose()
    for link in item.find_all("a"):
        if text_of(link) in ("↩", "↩︎", "↑", "^", "back", "Back", "⤴") or re.fullmatch(r"↩\S*", text_of(link)):
            link.decompose()
    if marker:
        first = next((c for c in item.children if not (isinstance(c, NavigableString) and not c.strip())), None)
        if isinstance(first, Tag) and re.fullmatch(r"\[?\d+\]?[.)]?", text_of(first)):
            first.decompose()
        elif isinstance(first, NavigableString):
            first.replace_with(re.sub(r"^\s*\[?\d+\]?[.)]?\s*", "", str(first)))
    return Note(ids, item)


#: The words that label an image credit ("Photo credit:", "Image:"); a credit element may also say "Source:".
_CREDIT_WORDS = r"(?:Photo|Image|Photograph|Credit|Picture)s?\s*(?:credit)?\s*:"
#: A credit element's text with the label printed around it: "Image: X", "(Source: X)" → X.
CREDIT_LABEL = re.compile(r"^\s*\(?\s*(?:" + _CREDIT_WORDS + r"|Sources?\s*:)\s*(.+?)\s*\)?\s*$", re.I | re.S)
#: A credit written at the end of a plain caption: "… (Photo: X)".
_CAPTION_CREDIT = re.compile(r"\s*\(?\b" + _CREDIT_WORDS + r"\s*([^()]+?)\)?\s*$")


def find_lead(soup: BeautifulSoup, body: Tag) -> LeadImage | None:
    figure = soup.select_one("figure.lead-image, figure.post-thumbnail, .post-thumbnail, figure.featured-image, .featured-image, .entry-featured-image")
    img = figure.find("img") if isinstance(figure, Tag) else soup.select_one("img.wp-post-image")
    if not isinstance(img, Tag):
        return None
    container = figure if isinstance(figure, Tag) else img.find_parent("figure")
    caption = container.find("figcaption") if isinstance(container, Tag) else None
    credit, credit_url = "", ""
    if isinstance(caption, Tag):
        credit_tag = caption.select_one(".credit, .wp-caption-credit, .photo-credit")
        if isinstance(credit_tag, Tag):
            # the credit as printed, less a house label around it ("Image: X", "(Source: X)")
            credit = CREDIT_LABEL.sub(r"\1", text_of(credit_tag)).strip()
            link = credit_tag.find("a")
            credit_url = str(link.get("href") or "") if isinstance(link, Tag) else ""
            credit_tag.decompose()
        else:
            children = list(caption.children)
            last = children[-1] if children else None
            match = _CAPTION_CREDIT.search(text_of(caption))
            if match and isinstance(last, NavigableString) and match.group(0).strip() in str(last):
                credit = match.group(1).strip()
                last.replace_with(str(last)[: str(last).rfind(match.group(0).strip())])
    if isinstance(container, Tag) and container in body.descendants:
        container.extract()
    elif img in body.descendants:
        img.extract()
    return LeadImage(img, caption if isinstance(caption, Tag) and text_of(caption) else None, credit, credit_url)


class Metadata:
    """The page's machine-readable metadata, with the markup to fall back on."""

    def __init__(self, soup: BeautifulSoup):
        self.soup = soup
        self.ld = list(json_ld(soup))
        self.article = next((item for item in self.ld if "Article" in str(item.get("@type")) or "BlogPosting" in str(item.get("@type"))), {})

    def meta(self, *names: str) -> list[str]:
        values = []
        for name in names:
            for tag in self.soup.find_all("meta", attrs={"name": name}) + self.soup.find_all("meta", attrs={"property": name}):
                content = str(tag.get("content") or "").strip()
                if content:
                    values.append(content)
        return values

    def title(self) -> str:
        for h1 in self.soup.select("h1#article-title, h1.entry-title, article h1, h1.article-title, h1.post-title"):
            if text_of(h1):
                return text_of(h1)
        found = self.meta("citation_title", "og:title", "twitter:title")
        if found:
            return found[0]
        if isinstance(self.article.get("headline"), str):
            return str(self.article["headline"]).strip()
        first = self.soup.find("h1")
        if isinstance(first, Tag) and text_of(first):
            return text_of(first)
        title = text_of(self.soup.find("title"))
        return re.split(r"\s+[|–—·-]\s+", title)[0] if title else ""

    def authors(self, soup: BeautifulSoup) -> list[Person]:
        names = self.meta("citation_author")
        affiliations: dict[str, str] = {}
        for tag in soup.find_all("meta", attrs={"name": "citation_author"}):
            following = tag.find_next("meta")
            if isinstance(following, Tag) and following.get("name") == "citation_author_institution":
                affiliations[str(tag.get("content") or "").strip()] = str(following.get("content") or "").strip()
        if not names:
            ld_authors = self.article.get("author")
            ld_list = ld_authors if isinstance(ld_authors, list) else [ld_authors] if ld_authors else []
            names = [str(a.get("name")).strip() for a in ld_list if isinstance(a, dict) and a.get("name")]
            names += [a.strip() for a in ld_list if isinstance(a, str)]
        if not names:
            seen: list[str] = []
            for link in soup.select("a[rel~=author], .byline .author a, .byline .author, .author.vcard .fn, .entry-author-name, .author-name"):
                if link.find_parent(class_=re.compile(r"author-?box|author-?bio|about-?author|related|comment")):
                    continue
                name = text_of(link)
                if name and name not in seen:
                    seen.append(name)
            names = seen
        if not names:
            byline = soup.select_one(".byline, .entry-byline, .post-byline, .author")
            text = re.sub(r"^\s*by\s+", "", text_of(byline), flags=re.I) if isinstance(byline, Tag) else ""
            names = [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", text) if n.strip()]
        if not names:
            names = self.meta("author")
        bios = self.bios(soup)
        return [Person(name, affiliations.get(name, ""), bios.get(name)) for name in dict.fromkeys(names)]

    def bios(self, soup: BeautifulSoup) -> dict[str, Tag]:
        """Author boxes: the author's name → the biography's markup."""
        found: dict[str, Tag] = {}
        for box in soup.select("section.bios .bio, .author-box, .author-bio, .about-author, .saboxplugin-wrap, .entry-author, .author-info"):
            heading = box.find(["h2", "h3", "h4", "h5", "strong"]) or box.select_one(".author-name, .fn")
            name = text_of(heading.find("a") or heading) if isinstance(heading, Tag) else ""
            if isinstance(heading, Tag):
                affiliation = heading.select_one(".affiliation")
                if isinstance(affiliation, Tag):
                    name = text_of(heading.find("a")) if heading.find("a") else text_of(heading).removesuffix(text_of(affiliation)).strip()
                heading.decompose()
            for extra in box.find_all(["img", "ul"]):
                extra.decompose()
            if name and text_of(box):
                found[name] = box
        return found

    def date(self) -> dt.date | None:
        candidates = self.meta("citation_publication_date", "article:published_time", "citation_date", "DC.date.issued", "date")
        if isinstance(self.article.get("datePublished"), str):
            candidates.append(self.article["datePublished"])
        for time in self.soup.select(".article-meta time[datetime], time.entry-date[datetime], time.published[datetime], article time[datetime], time[datetime]"):
            candidates.append(str(time["datetime"]))
        for value in candidates:
            parsed = parse_date(value)
            if parsed:
                return parsed
        return None

    def part_of(self) -> dict[str, Any]:
        issue = self.article.get("isPartOf")
        return issue if isinstance(issue, dict) and "Issue" in str(issue.get("@type")) else {}

    def issue(self) -> tuple[int | None, int | None]:
        issue = self.part_of()
        part = issue.get("isPartOf")
        volume_ld: dict[str, Any] = part if isinstance(part, dict) else {}
        volume = to_int(volume_ld.get("volumeNumber")) or to_int(next(iter(self.meta("citation_volume")), None))
        number = to_int(issue.get("issueNumber")) or to_int(next(iter(self.meta("citation_issue")), None))
        if volume and number:
            return volume, number
        texts = [text_of(t) for t in self.soup.select(".kicker, .cat-links a, .tags-links a, a[rel~=tag], a[rel~=category], .breadcrumbs, .breadcrumb, .issue, .entry-meta")]
        texts += self.meta("article:section", "article:tag")
        for text in texts:
            match = ISSUE_TEXT.search(text)
            if match:
                return int(match.group(1)), int(match.group(2))
        return volume, number

    def issue_date(self) -> dt.date | None:
        value = self.part_of().get("datePublished")
        return parse_date(value) if isinstance(value, str) else None

    def issue_title(self) -> str:
        value = self.part_of().get("name")
        return str(value).strip() if isinstance(value, str) else ""

    def address(self) -> str:
        """The page's own web address (canonical link, og:url, JSON-LD), or ""."""
        link = self.soup.find("link", rel="canonical")
        candidates = [str(link.get("href") or "")] if isinstance(link, Tag) else []
        candidates += self.meta("og:url", "citation_abstract_html_url") + [str(self.article.get("url") or "")]
        return next((c.strip() for c in candidates if re.match(r"^https?://[^/\s]", c.strip(), re.I)), "")

    def topics(self, soup: BeautifulSoup) -> list[str]:
        names = [text_of(a) for a in soup.select("ul.topics a, a[rel~=tag], a[rel~=category], .cat-links a, .tags-links a, .post-tags a, .entry-tags a")]
        if not names:
            names = self.meta("article:tag", "citation_keywords") + self.meta("article:section")
        names = [n for n in names if n and n.lower() not in ("uncategorized", "uncategorised") and not ISSUE_TEXT.search(n)]
        return list(dict.fromkeys(names))


def json_ld(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                yield item


def parse_date(value: str) -> dt.date | None:
    """A whole date as old pages write it: ``2025-12-09`` or ``2025/12/09`` (a time may
    follow), or any full date the citation reader knows (``December 9, 2025``,
    ``9 Dec 2025``); ``None`` otherwise."""
    value = value.strip()
    match = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        written = parse_written_date(value)
        if written is None or written.day is None or written.year is None:
            return None
        year, month, day = written.year, written.month, written.day
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def to_int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
