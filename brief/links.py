"""Links between pages: check each one and find the address it leads to.

The Markdown stage records every link to another page of the site as a
:class:`~brief.model.PageLink` and leaves the marker ``brief-link:N`` in the
HTML (see :mod:`brief.mdplugins.pagelinks`). Once the site is assembled,
:class:`LinkTargets` knows where every content file is published and resolves
each link to a site-relative address, or reports why it cannot: a missing
file, a draft, an article or issue held back until its date, a heading the
page does not have. :func:`resolve_markers` then puts the address into the HTML
as ``brief-root:<address>``, which the render stage makes relative to the page
it is on (the same HTML can appear on pages at different depths: a summary in
lists, a bio on each article's page).
"""

from __future__ import annotations

import difflib
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .errors import Diagnostics, SourceLocation, did_you_mean
from .mdplugins.pagelinks import LINK_MARKER
from .model import Article, PageLink, Site

if TYPE_CHECKING:
    from .load import LoadedContent
    from .schedule import Schedule

#: An address in HTML, waiting for the page it is on: the render stage makes it relative.
ROOT_MARKER = "brief-root:"
_ROOTED_HREF = re.compile(r'href="brief-root:([^"]*)"')

_HELD_HINT = "link to it once it is out, or build with --future to publish it now"
#: Ids every article page has besides its headings (the templates' own).
PAGE_IDS = ("main", "article-title", "summary-heading", "notes-heading", "sources-heading", "bios-heading")


def resolve_markers(html: str, addresses: tuple[str, ...]) -> str:
    """``html`` with each link marker ``brief-link:N`` replaced by ``brief-root:`` and the
    N-th address."""
    if "brief-link:" not in html:
        return html
    return LINK_MARKER.sub(lambda m: ROOT_MARKER + addresses[int(m.group(1))], html)


def root_links(html: str, link: Callable[[str], str]) -> str:
    """A page's HTML with every ``brief-root:`` address made relative to the page by ``link``."""
    if ROOT_MARKER not in html:
        return html
    return _ROOTED_HREF.sub(lambda m: 'href="' + link(m.group(1)) + '"', html)


def content_display(loaded: "LoadedContent") -> str:
    """The content folder as display paths start with it (``content``, or ``""``)."""
    try:
        text = Path(loaded.content).resolve().relative_to(Path(loaded.project).resolve()).as_posix()
    except ValueError:
        text = Path(loaded.content).as_posix()
    return "" if text == "." else text


class LinkTargets:
    """Where each content file and each address of one site is published."""

    def __init__(self, site: Site, loaded: "LoadedContent", schedule: "Schedule"):
        self.site = site
        self.schedule = schedule
        self.root = content_display(loaded)
        self.sources = {source.path: source for source in loaded.articles}
        self.issue_dates = {issue.key: issue.date for issue in loaded.issues}
        self.by_path = {article.source.path: article for article in site.articles.values()}
        #: folder or file → (address, what it is)
        self.files: dict[str, str] = {}
        for issue in site.issues.values():
            self.files[issue.key] = issue.url
            self.files[issue.key + "/issue.yaml"] = issue.url
        for publication in site.publications:
            self.files[publication.folder] = f"{publication.slug}/"
            self.files[publication.folder + "/publication.yaml"] = f"{publication.slug}/"
        for author in site.authors.values():
            if author.has_page and author.location.path:
                self.files[author.location.path] = f"authors/{author.id}/"
        self.files[self.root or "."] = ""
        # Every page's address, for links written as URLs of the site.
        self.addresses: dict[str, Article | None] = {"": None, "authors/": None, "topics/": None, "404.html": None}
        for publication in site.publications:
            self.addresses[f"{publication.slug}/"] = None
        for issue in site.issues.values():
            self.addresses[issue.url] = None
        for author in site.authors.values():
            self.addresses[f"authors/{author.id}/"] = None
        for topic in site.topics.values():
            self.addresses[topic.url] = None
        for article in site.articles.values():
            self.addresses[article.url] = article
        self.redirects = {redirect.path: redirect.target for redirect in site.redirects}

    # -- resolving ---------------------------------------------------------------------
    def resolve_all(self, origin: str, links: tuple[PageLink, ...], diagnostics: Diagnostics) -> tuple[str, ...]:
        """The address of each link from the file ``origin`` ("" for a link that is wrong,
        which is reported)."""
        return tuple(self.resolve(origin, link, diagnostics) for link in links)

    def resolve(self, origin: str, link: PageLink, diagnostics: Diagnostics) -> str:
        where = SourceLocation(origin, link.line)
        if link.kind == "address":
            return self.resolve_address(origin, link, where, diagnostics)
        folder = posixpath.dirname(origin)
        candidate = posixpath.normpath(posixpath.join(folder, link.target)) if link.target else origin
        found = self.target_of(candidate)
        if found is None and link.target and not link.target.startswith(("../", "./")):
            # A path from the content folder (``authors/<id>.md``) works from any file.
            from_root = posixpath.normpath(posixpath.join(self.root, link.target))
            if self.target_of(from_root) is not None:
                candidate, found = from_root, self.target_of(from_root)
        if found is None:
            diagnostics.error(
                where, f"the link '{link.written}' leads to no page: there is no article, issue or author at {candidate}",
                self.suggest(origin, candidate),
            )
            return ""
        address, problem = found
        if problem:
            diagnostics.error(where, f"the link '{link.written}' leads to {candidate}, {problem[0]}", problem[1])
            return ""
        return address + self.fragment(link, address, candidate, where, diagnostics)

    def target_of(self, path: str) -> tuple[str, tuple[str, str] | None] | None:
        """The address of a content file or folder, and why it cannot be linked to (or
        ``None``); ``None`` when nothing is published from it."""
        path = path.rstrip("/") or "."
        source = self.sources.get(path)
        if source is not None:
            article = self.by_path.get(path)
            if source.draft:
                return "", ("which is a draft", "link to it once it is published, or remove the link")
            held = self.schedule.held_until(source)
            if held is not None:
                return "", (f"which is held back until {held.isoformat()}", _HELD_HINT)
            if article is None:
                return "", ("which is not published", "fix the problems reported for that article")
            return article.url, None
        if path in self.files:
            return self.files[path], None
        key = path[: -len("/issue.yaml")] if path.endswith("/issue.yaml") else path
        if key in self.issue_dates:
            held = self.schedule.held.get(key)
            if held is not None:
                return "", (f"an issue held back until {held.isoformat()}", _HELD_HINT)
            return "", ("an issue with no published article", "link to it once one of its articles is published")
        return None

    def fragment(self, link: PageLink, address: str, path: str, where: SourceLocation, diagnostics: Diagnostics) -> str:
        """``#fragment`` of a link, checked against the headings of the article it leads to."""
        if not link.fragment:
            return ""
        article = self.site.articles.get(address)
        if article is not None:
            anchors = (*article.content.anchors, *PAGE_IDS)
            if link.fragment not in anchors:
                diagnostics.error(
                    where, f"the link '{link.written}' leads to no heading '#{link.fragment}' in {path}",
                    did_you_mean(link.fragment, article.content.anchors, list_others=False)
                    or "link to one of its headings, tables, figures or notes by its id (see the published page)",
                )
        return "#" + link.fragment

    def resolve_address(self, origin: str, link: PageLink, where: SourceLocation, diagnostics: Diagnostics) -> str:
        """A link to a URL of this site: published as a relative link, with a warning
        suggesting the file path (which keeps working when addresses change)."""
        address = link.target
        if address.endswith("index.html"):
            address = address[: -len("index.html")]
        if address and not address.endswith(("/", ".html")) and "." not in posixpath.basename(address):
            address += "/"
        address = self.redirects.get(address, address)
        fragment = "#" + link.fragment if link.fragment else ""
        if address not in self.addresses:
            if address.endswith(("/", ".html")):
                diagnostics.error(
                    where, f"the link '{link.written}' leads to no page of this site",
                    "check the address, or link to the article's file (e.g. ../2026-01-vol7-no2/02-coast-guard.md)",
                )
                return ""
            return address + fragment  # a file of the site (static/report.pdf): relative, like every link inside
        article = self.addresses.get(address)
        if article is not None:
            hint = "link to its file instead, which keeps working if its address changes: " + self.relative(origin, article.source.path)
        else:
            hint = "write it as a path relative to this file, so it also works in a preview and a copy of the site"
        diagnostics.warning(where, f"the link '{link.written}' is to this site's own address", hint, code="own-site-link")
        if article is not None and link.fragment:
            return address + self.fragment(link, address, article.source.path, where, diagnostics)
        return address + fragment

    def check_own_anchors(self, article: Article, diagnostics: Diagnostics) -> None:
        """``#id`` links within an article lead to one of its headings."""
        anchors = (*article.content.anchors, *PAGE_IDS)
        for fragment, line in article.content.own_anchors:
            if fragment and fragment not in anchors and not fragment.startswith("noteref-"):
                diagnostics.error(
                    SourceLocation(article.source.path, line),
                    f"the link '#{fragment}' leads to no heading of this article",
                    did_you_mean(fragment, article.content.anchors, list_others=False)
                    or "link to a heading, table, figure or note of the article by its id",
                )

    # -- hints -------------------------------------------------------------------------
    @staticmethod
    def relative(origin: str, path: str) -> str:
        return posixpath.relpath(path, posixpath.dirname(origin) or ".")

    def suggest(self, origin: str, candidate: str) -> str:
        """A did-you-mean hint: the published file whose path is closest to ``candidate``."""
        known = [*self.by_path, *(p for p in self.files if p.endswith(".md"))]
        name = posixpath.basename(candidate)
        close = difflib.get_close_matches(name, [posixpath.basename(p) for p in known], n=1, cutoff=0.6)
        if close:
            options = [p for p in known if posixpath.basename(p) == close[0]]
            best = min(options, key=lambda p: -difflib.SequenceMatcher(None, p, candidate).ratio())
            return f"did you mean '{self.relative(origin, best)}'?"
        return "link to an article's .md file, an issue's folder or authors/<id>.md, as a path relative to this file"

