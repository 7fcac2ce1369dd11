"""Atom feeds: the site's newest articles, and each publication's, author's and topic's.

A feed is another view of the assembled :class:`~brief.model.Site`, rendered by
the render stage like a page (:meth:`brief.render.Renderer.jobs` asks for it and
gives it a fingerprint, so an incremental build rewrites it only when an entry
in it changed). Each entry carries the whole article, its notes and its sources,
with every link absolute: a feed reader shows the entry away from the site.

Nothing in a feed comes from the clock: an entry's ``published`` and ``updated``
are its date (midnight where the site is, by ``time_zone``), the feed's
``updated`` is its newest entry's.

Entry ids are ``tag:`` URIs (RFC 4151) made of a domain, the article's date and
its address inside the site: ``tag:briefs.example.org,2026-01-15:field-notes/why-dates/``.
An id must never change, or feed readers show the article again as new. The
article's canonical URL would change with any change of ``base_url``: a move
from http to https, to another base path, or to another domain. The tag id
does not depend on the scheme or the base path at all, and the domain is
the ``feeds: id_domain`` setting when the site moves to another one.
The feed's own id is its address: readers subscribe to that address and follow
a redirect to a new one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from .model import Article, Site

#: Where a feed lives, next to the page it follows (the site's feed beside the home page).
FEED_FILE = "feed.xml"
#: The explanation of feeds, with the list of the site's feeds.
FOLLOW_PAGE = "follow/"
#: The media type of an Atom feed (RFC 4287).
ATOM_TYPE = "application/atom+xml"

_URL_ATTRIBUTE = re.compile(r' (href|src)="([^"]*)"')
_SRCSET = re.compile(r' srcset="([^"]*)"')
#: Characters XML 1.0 cannot hold at all, even escaped (C0 controls but tab and line ends).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Its C0 controls, as bytes (in UTF-8 each is its own byte, and no other character has one).
_C0_NOT_XML = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
#: Addresses that are absolute already: most links of an article (its sources) are.
_ABSOLUTE = ("https://", "http://", "mailto:")


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: its file, the page it follows, its title, and its articles, newest first."""

    path: str  #: the output path, e.g. ``field-notes/feed.xml``
    page: str  #: the site-relative URL of the page it follows (``""``: the home page)
    title: str
    #: What the Follow link and the list of feeds call it: "the whole site", "Field Notes"...
    label: str
    kind: str  #: "site", "publication", "author" or "topic"
    articles: tuple[Article, ...]


def plan_feeds(site: Site, newest_first: Callable[[Iterable[Article]], list[Article]]) -> list[Feed]:
    """Every feed of the site (none when ``feeds: entries`` is 0); a feed with no
    articles is left out. ``newest_first`` orders articles as lists of them do."""
    limit = site.config.feed_entries
    if limit <= 0:
        return []
    title = site.config.title
    feeds: list[Feed] = []

    def add(path: str, page: str, feed_title: str, label: str, kind: str, articles: list[Article]) -> None:
        if articles:
            feeds.append(Feed(path, page, feed_title, label, kind, tuple(newest_first(articles)[:limit])))

    add(FEED_FILE, "", title, "everything on " + title, "site", list(site.articles.values()))
    for publication in site.publications:
        add(f"{publication.slug}/{FEED_FILE}", f"{publication.slug}/", _joined(publication.title, title), publication.title,
            "publication", [a for a in site.articles.values() if a.publication == publication.slug])
    by_author: dict[str, list[Article]] = {}
    by_topic: dict[str, list[Article]] = {}
    for article in site.articles.values():
        for author in article.authors:
            if author.has_page:
                by_author.setdefault(author.id, []).append(article)
        for topic in article.topics:
            by_topic.setdefault(topic.slug, []).append(article)
    for author in site.authors.values():
        add(f"authors/{author.id}/{FEED_FILE}", f"authors/{author.id}/", _joined(author.name, title), author.name,
            "author", by_author.get(author.id, []))
    for topic in site.topics.values():
        add(f"{topic.url}{FEED_FILE}", topic.url, _joined(topic.name, title), topic.name, "topic", by_topic.get(topic.slug, []))
    return feeds


def _joined(name: str, site_title: str) -> str:
    return name if name == site_title else f"{name} · {site_title}"


def feeds_of_page(url: str, feeds_by_page: dict[str, Feed], site: Site) -> list[Feed]:
    """The feeds a page names in its ``<link rel="alternate">``: the site's, and the one of
    what the page belongs to (a publication's issues and articles have the publication's)."""
    found = [feeds_by_page[""]] if "" in feeds_by_page else []
    own = feeds_by_page.get(url) if url else None
    if own is None and url:
        first = url.split("/", 1)[0] + "/"
        if first not in ("authors/", "topics/") and any(p.slug + "/" == first for p in site.publications):
            own = feeds_by_page.get(first)
    if own is not None:
        found.append(own)
    return found


def timestamp(date: dt.date, time_zone: str) -> str:
    """An RFC 3339 date-time for a calendar day: its midnight in the site's time zone."""
    moment = dt.datetime(date.year, date.month, date.day, tzinfo=ZoneInfo(time_zone))
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def entry_id(article: Article, base_url: str, id_domain: str) -> str:
    """The entry's permanent id (see the module's docstring)."""
    domain = id_domain or (urlsplit(base_url).hostname or "localhost")
    return f"tag:{domain},{article.date.isoformat()}:{article.url}"


def absolute_links(html: str, base: str) -> str:
    """``html`` with every ``href``, ``src`` and ``srcset`` address made absolute against
    ``base`` (the article's own address, so ``#note-1`` leads to the note on its page)."""

    def join(address: str) -> str:
        if address.startswith(_ABSOLUTE):
            return address
        if address.startswith("#"):
            return base + address
        return urljoin(base, address)

    def srcset(match: re.Match[str]) -> str:
        items = []
        for item in match.group(1).split(","):
            parts = item.strip().split(" ", 1)
            items.append(" ".join([join(parts[0]), *parts[1:]]))
        return ' srcset="' + ", ".join(items) + '"'

    # Most addresses (an article's sources) are absolute already: only the others are
    # replaced, each between the pieces of text around it.
    pieces, done = [], 0
    for match in _URL_ATTRIBUTE.finditer(html):
        address = match.group(2)
        if not address.startswith(_ABSOLUTE):
            pieces += (html[done : match.start(2)], join(address))
            done = match.end(2)
    pieces.append(html[done:])
    return _SRCSET.sub(srcset, "".join(pieces))


def xml_text(text: str) -> str:
    """A feed's text without the control characters XML cannot hold (a page shows nothing
    for them either; a feed reader would refuse the whole feed)."""
    return _NOT_XML.sub("", text)


def xml_bytes(text: str) -> bytes:
    """:func:`xml_text` in UTF-8. A feed carries whole articles (a megabyte, often) and hardly
    ever one of those characters: they are looked for in the encoded bytes first, which is
    several times faster than searching the text."""
    data = text.encode("utf-8")
    if len(data.translate(None, _C0_NOT_XML)) == len(data) and "\ufffe" not in text and "\uffff" not in text:
        return data
    return xml_text(text).encode("utf-8")
