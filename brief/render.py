"""The render stage: a linked :class:`~brief.model.Site` → output files, in memory.

Rendering is a pure function of the site and the templates: it returns
:class:`OutputFile` objects and writes nothing (:mod:`brief.write` does). Every
link inside the site is relative to the page it is on, so the output works
from any base path and from a local folder; canonical links, the sitemap and
social metadata use absolute URLs built from ``base_url``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import json
import operator
import posixpath
import re
import zlib
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from .cache import fingerprint, folder_digest
from .cite import FORMATS, WRITERS, csl_record, references
from .citations import format_date, format_long_date
from .feeds import ATOM_TYPE, FOLLOW_PAGE, Feed, absolute_links, entry_id, feeds_of_page, plan_feeds, timestamp, xml_bytes
from .images import image_html
from .links import resolve_markers, root_links
from .markdown import IMAGE_MARKER, resolve_image_path
from .mdplugins.chinese import mark_text
from .model import (
    Article, ArticleContent, ArticlePages, Author, Heading, issue_file_stem, ImageAsset, ImageUse, Issue, OutputFile, Publication,
    Redirect, Site, Topic,
)
from .schedule import MARK_TEXT

#: Content-Security-Policy of every page: nothing from other origins, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
#: The search page's: Pagefind compiles WebAssembly, which needs ``'wasm-unsafe-eval'`` (and nothing else).
SEARCH_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
RECENT_ARTICLES = 10
#: The most URLs one sitemap file may list (the sitemaps protocol's limit; search engines
#: ignore the rest). A larger site gets a sitemap index, sitemap.xml, and numbered parts.
SITEMAP_URLS = 50_000
#: Issues per publication in the home page's archive column.
ARCHIVE_ISSUES = 6


@dataclass
class Fingerprints:
    """Fingerprints of page inputs, remembered from one build to the next by a process that
    makes many builds (the preview), so that a rebuild hashes only the inputs that changed.

    Each entry is kept with the inputs it is the fingerprint of, and used only when this
    build's inputs are equal to them (equal model values have equal ``repr``, which is what
    :func:`~brief.cache.fingerprint` hashes). What a build did not ask for is forgotten at
    the next (:meth:`next_build`), once there is much of it.
    """

    known: dict[Any, tuple[Any, Any]] = field(default_factory=dict)
    #: The names asked for by this build.
    asked: set[Any] = field(default_factory=set)
    #: The last build's pages and what they were made from (see :meth:`Renderer.patched_jobs`).
    last: "LastPages | None" = None
    #: Whether this build looked at every page.
    whole: bool = False
    #: Each article's feed entry, compressed, with what it shows (see :meth:`Renderer.entry_html`).
    entries: dict[str, tuple[Any, bytes]] = field(default_factory=dict)

    def of(self, name: Any, inputs: Any, compute: Callable[[], Any]) -> Any:
        """What ``compute`` gives (a fingerprint) for ``inputs``, by ``name``: remembered if
        the inputs are equal."""
        known = self.known.get(name)
        if known is None or known[0] != inputs:
            known = self.known[name] = (inputs, compute())
        self.asked.add(name)
        return known[1]

    def made(self, name: Any, objects: tuple[Any, ...], values: Any, compute: Callable[[], Any]) -> Any:
        """:meth:`of` for what is made from ``objects``, which must be the very same objects
        (an object made again from changed inputs may still be equal to the old one: an
        article of an issue whose number changed), and from ``values``, which must be equal."""
        known = self.known.get(name)
        if known is None or known[0][1] != values or len(known[0][0]) != len(objects) or not all(map(operator.is_, known[0][0], objects)):
            known = self.known[name] = ((objects, values), compute())
        self.asked.add(name)
        return known[1]

    def next_build(self) -> None:
        """Start another build. What the last one did not ask for is kept (a list page not
        rendered again still shows its articles) until a build that looked at every page
        asked for less than half of it."""
        if self.whole and len(self.known) > 2 * len(self.asked) + 1024:
            self.known = {name: self.known[name] for name in self.asked}
        self.asked, self.whole = set(), False


@dataclass
class LastPages:
    """The last build's pages, and what a build that changes only some articles needs to
    find the pages that show them (kept by a process that builds again and again)."""

    site: Site
    #: What every page depends on (see :meth:`Renderer.jobs`).
    base: str
    jobs: list["PageJob"]
    #: Each page's place in ``jobs``, by output path.
    where: dict[str, int]
    #: The addresses of the articles newest first, by author and by topic.
    ranked: list[str]
    by_author: dict[str, list[str]]
    by_topic: dict[str, list[str]]
    #: By article address, the articles that list it among their related articles.
    listed_by: dict[str, list[str]]
    #: The home page's latest issue and archive column.
    home: tuple[Any, Any]
    feeds: list[Feed]
    #: By article address, the places in ``feeds`` of the feeds that carry it.
    carried_by: dict[str, list[int]]


@dataclass
class Renderer:
    """Renders pages from templates. One per build."""

    site: Site
    #: The template folders, searched in order (the site's own first, then Brief's).
    templates: Sequence[Path]
    #: Reads an article's full content by its key, for articles the build holds only
    #: the light part of (see :mod:`brief.cache`).
    full_content: Callable[[str], ArticleContent] | None = None
    #: Where compiled templates are kept between builds (``None``: compile them each time).
    bytecode: Path | None = None
    #: Fingerprints remembered from the builds before (a process that makes many: the preview).
    remembered: "Fingerprints | None" = None
    #: Set when the site is the last build's with the articles at these addresses made
    #: again and nothing else changed (see :func:`brief.assemble.assemble_site`).
    patch: "tuple[Site, list[str]] | None" = None
    env: jinja2.Environment = field(init=False)
    _digests: dict[int, tuple[Any, str]] = field(init=False, default_factory=dict)
    _teasers: dict[str, str] = field(init=False, default_factory=dict)
    _publications: dict[str, Publication] = field(init=False, default_factory=dict)
    #: The site's feeds, and each by the page it follows (see :mod:`brief.feeds`).
    feeds: list[Feed] = field(init=False, default_factory=list)
    _feeds_by_page: dict[str, Feed] = field(init=False, default_factory=dict)
    _entries: dict[str, bytes] = field(init=False, default_factory=dict)
    #: What every page depends on, once :meth:`jobs` has found it.
    _base: str = field(init=False, default="")
    _entry_keys: dict[str, str] = field(init=False, default_factory=dict)
    #: The articles whose feed entries this build will show, and the entries made since the
    #: last :meth:`take_entries` (see :meth:`plan_entries`).
    _wanted_entries: set[str] = field(init=False, default_factory=set)
    _made_entries: dict[str, bytes] = field(init=False, default_factory=dict)
    _feed_paths: set[str] = field(init=False, default_factory=set)
    _records: dict[str, dict[str, Any]] = field(init=False, default_factory=dict)
    #: What the feeds' and the citation files' fingerprints start from (see :meth:`jobs`).
    _feed_base: str = field(init=False, default="")
    _records_base: str = field(init=False, default="")
    _template_digests: dict[tuple[str, ...], str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(folder) for folder in self.templates]),
            autoescape=jinja2.select_autoescape(("html", "xml", "htm"), default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=None if self.bytecode is None else _bytecode_cache(self.bytecode),
            # One renderer per build, during which no template changes: no file is looked at
            # again each time a page includes or imports a template.
            auto_reload=False,
        )
        self.env.filters["zh"] = mark_text
        self.env.filters["long_date"] = format_long_date
        self.env.filters["iso_date"] = lambda d: d.isoformat()
        self.env.filters["page_title"] = page_title
        self.env.filters["file_size"] = file_size
        self.env.filters["host"] = host_name
        self.env.filters["stop"] = full_stop
        self.env.globals.update(site=self.site, config=self.site.config, csp=CSP, sections=self.sections(), mark_text=MARK_TEXT, atom_type=ATOM_TYPE)
        self._publications = {p.slug: p for p in self.site.publications}
        self.feeds = self.plan_feeds()
        self._feeds_by_page = {feed.page: feed for feed in self.feeds}
        self._feed_paths = {feed.path for feed in self.feeds}

    def patched_from(self) -> "LastPages | None":
        """What the last build's pages were made from, when this site is that build's with
        only some articles made again (:attr:`patch`); else ``None``."""
        last = self.remembered.last if self.remembered is not None else None
        if self.patch is None or last is None or last.site is not self.patch[0]:
            return None
        return last

    def plan_feeds(self) -> list[Feed]:
        """The site's feeds (see :func:`brief.feeds.plan_feeds`): after a patch, the last
        build's, with the articles made again in those that carry them."""
        last = self.patched_from()
        if last is None:
            return plan_feeds(self.site, self.articles_newest_first)
        assert self.patch is not None
        feeds = list(last.feeds)
        for place in sorted({place for url in self.patch[1] for place in last.carried_by.get(url, ())}):
            feeds[place] = dataclasses.replace(feeds[place], articles=tuple(self.site.articles[a.url] for a in feeds[place].articles))
        return feeds

    # -- helpers available to templates ------------------------------------------------
    def sections(self) -> list[tuple[str, str]]:
        """The site's sections that have something to show, as (url, name), for the
        navigation: each publication with an issue, the authors, the topics."""
        found = [(f"{p.slug}/", p.title) for p in self.site.publications if self.site.issues_by_publication.get(p.slug)]
        indexes = {"authors/": ("Authors", self.site.authors), "topics/": ("Topics", self.site.topics)}
        return found + [(url, name) for url, (name, members) in indexes.items() if members]

    def absolute(self, url: str) -> str:
        return self.site.config.base_url + url

    def publication(self, slug: str) -> Publication:
        return self._publications[slug]

    def issue_articles(self, issue: Issue) -> list[Article]:
        return [self.site.articles[u] for u in self.site.articles_by_issue.get(issue.key, ())]

    def articles_newest_first(self, articles: Iterable[Article]) -> list[Article]:
        """Newest first; articles of one date in the order their issue gives them (see
        :attr:`~brief.model.Site.article_rank`)."""
        rank = self.site.article_rank
        return sorted(articles, key=lambda a: rank[a.url])

    def template_digest(self, *names: str) -> str:
        """A hash of the templates ``names``, as the template folders give them, and of every
        template they extend, include or import, and so on. When one of them names a template
        by an expression, which template it is cannot be known before rendering: then the
        hash is of every template folder."""
        known = self._template_digests.get(names)
        if known is not None:
            return known
        sources: dict[str, str] = {}
        waiting = list(names)
        while waiting:
            name = waiting.pop()
            if name in sources:
                continue
            assert self.env.loader is not None
            try:
                sources[name] = self.env.loader.get_source(self.env, name)[0]
                referenced = list(jinja2.meta.find_referenced_templates(self.env.parse(sources[name])))
            except jinja2.TemplateError:  # missing or broken: rendering it says so
                referenced = [None]
            if None in referenced:
                sources = {"": folder_digest(self.templates)}
                break
            waiting += [n for n in referenced if n is not None]
        known = self._template_digests[names] = fingerprint(sorted(sources.items()))
        return known

    # -- pages -----------------------------------------------------------------------------
    def page(self, template: str, url: str, **context: Any) -> OutputFile:
        """Render one page at ``url`` (``''`` is the home page, ``x/`` is ``x/index.html``)."""
        path = url + "index.html" if url == "" or url.endswith("/") else url
        # The 404 page is served at any address, so its links start from the site's root path.
        root = urlsplit(self.site.config.base_url).path if template == "404.html" else "../" * path.count("/")

        def link(target: str) -> str:
            if target == "":
                return root or "./"
            return root + target

        def picture(asset: ImageAsset, alt: str, lazy: bool = True) -> Markup:
            return Markup(image_html(asset, alt, root, lazy=lazy))

        text = self.env.get_template(template).render(
            url=url, root=root, link=link, picture=picture, absolute=self.absolute,
            canonical=self.absolute(url), feeds=self.page_feeds(url), follow=FOLLOW_PAGE if self.feeds else "",
            **context,
        )
        # Links between pages, resolved when the site was assembled, start from this page.
        return OutputFile(path, root_links(text, link).encode("utf-8"))

    # -- which pages there are, and what each depends on ------------------------------------
    def jobs(self, base: str = "", patch: "tuple[Site, list[str]] | None" = None, generator: str = "") -> list["PageJob"]:
        """Every page of the site, each with a fingerprint of everything it shows.

        ``base`` fingerprints what all pages share (templates, configuration, the
        generator). Two builds that give a page the same fingerprint render it to
        the same bytes, which lets an incremental build reuse the page.

        ``generator`` fingerprints the generator alone. When it is given, the files that
        no page template makes are fingerprinted without the templates: a feed by the
        templates it is rendered from (:meth:`template_digest`), a citation file by none
        (it is written by :mod:`brief.cite`). A change to the pages' templates then
        leaves them as they are.

        ``patch`` says that the site is the site of the last build (of a process that
        builds again and again) with the articles at these addresses made again and
        nothing else changed (see :func:`brief.assemble.assemble_site`): then only the
        pages that show one of them are looked at (:meth:`patched_jobs`).
        """
        site = self.site
        base = self._bases(base, generator)
        remembered = self.remembered
        if remembered is not None and patch is not None:
            last = remembered.last
            if last is not None and last.site is patch[0] and last.base == base:
                self.patched_jobs(base, patch[1])
                return list(last.jobs)
        jobs: list[PageJob] = []
        ranked = self.articles_newest_first(site.articles.values())
        home = (self.latest_issue(), self.home_archive())
        jobs.append(self._home_job(base, ranked, home))
        for publication in site.publications:
            jobs.append(self._job(base, f"{publication.slug}/index.html", functools.partial(self.render_publication, publication), publication,
                [(site.issues[k], len(site.articles_by_issue.get(k, ()))) for k in site.issues_by_publication.get(publication.slug, ())]))
        jobs += [self._issue_job(base, issue) for issue in site.issues.values()]
        jobs += [self._article_job(base, article) for article in site.articles.values()]
        by_author = self.articles_by_author(ranked)
        jobs += [self._author_job(base, author, by_author.get(author.id, [])) for author in site.authors.values()]
        people = sorted(site.authors.values(), key=_sort_key)
        counts = {a.id: len(by_author.get(a.id, [])) for a in people}
        if people:
            jobs.append(self._job(base, "authors/index.html", functools.partial(self.page, "authors.html", "authors/", authors=people, counts=counts),
                [(a.id, a.name, a.affiliation) for a in people], counts))
        by_topic = self.articles_by_topic(ranked)
        jobs += [self._topic_job(base, topic, by_topic.get(topic.slug, [])) for topic in site.topics.values()]
        topics = sorted(site.topics.values(), key=lambda t: t.name.lower())
        topic_counts = {t.slug: len(by_topic.get(t.slug, [])) for t in topics}
        if topics:
            jobs.append(self._job(base, "topics/index.html", functools.partial(self.page, "topics.html", "topics/", topics=topics, counts=topic_counts),
                topics, topic_counts))
        if site.config.search:
            jobs.append(self._job(base, "search/index.html", functools.partial(self.page, "search.html", "search/", csp=SEARCH_CSP)))
        jobs.append(self._job(base, "404.html", functools.partial(self.page, "404.html", "404.html")))

        def add(path: str, render: Callable[[], OutputFile], *deps: Any, own: str = "") -> None:
            jobs.append(self._job(own or base, path, render, *deps))

        self.add_feed_jobs(add)
        self.add_citation_jobs(add)
        entries = self.sitemap_entries([job.path for job in jobs if job.path not in ("404.html", "search/index.html")])
        if len(entries) <= SITEMAP_URLS:
            jobs.append(self._job(base, "sitemap.xml", functools.partial(self.render_sitemap, entries), entries))
        else:
            parts = [entries[start : start + SITEMAP_URLS] for start in range(0, len(entries), SITEMAP_URLS)]
            names = [f"sitemap-{number}.xml" for number in range(1, len(parts) + 1)]
            for name, part in zip(names, parts):
                jobs.append(self._job(base, name, functools.partial(self.render_sitemap, part, name), part))
            jobs.append(self._job(base, "sitemap.xml", functools.partial(self.render_sitemap_index, names), names))
        jobs.append(self._job(base, "robots.txt", self.render_robots))
        # Redirect pages last: they are in no listing and not in the sitemap.
        for redirect in site.redirects:
            path = redirect.path + "index.html" if redirect.path.endswith("/") else redirect.path
            jobs.append(self._job(base, path, functools.partial(self.render_redirect, redirect), redirect.path, redirect.target))
        if remembered is not None:
            remembered.whole = True
            if len(remembered.entries) > len(site.articles):  # (of articles since removed)
                remembered.entries = {url: kept for url, kept in remembered.entries.items() if url in site.articles}
            listed_by: dict[str, list[str]] = {}
            for url, related in site.related.items():
                for other in related:
                    listed_by.setdefault(other, []).append(url)
            carried_by: dict[str, list[int]] = {}
            for place, feed in enumerate(self.feeds):
                for article in feed.articles:
                    carried_by.setdefault(article.url, []).append(place)
            remembered.last = LastPages(
                site, base, list(jobs), {job.path: place for place, job in enumerate(jobs)}, [a.url for a in ranked],
                {k: [a.url for a in v] for k, v in by_author.items()}, {k: [a.url for a in v] for k, v in by_topic.items()},
                listed_by, home, list(self.feeds), carried_by,
            )
        return jobs

    def _bases(self, base: str, generator: str) -> str:
        """The fingerprint every page starts from (kept as ``_base``), and those of the feeds and
        the citation files (see :meth:`jobs`)."""
        site = self.site
        if generator:
            self._feed_base = fingerprint(generator, site.config, self.template_digest("feed.xml", "feed-entry.html"))
            self._records_base = fingerprint(generator, site.config)
        base = self._base = fingerprint(base, site.config, self.sections())
        if not generator:
            self._feed_base = self._records_base = base
        return base

    def _entry_shown(self, article: Article) -> tuple[str, str] | None:
        """What a kept feed entry is known by from one build to the next (a process that builds
        again and again): the feeds' own fingerprint and the entry's."""
        if self.remembered is None or not self._feed_base:
            return None
        return (self._feed_base, self.entry_key(article))

    def changed_jobs(self, base: str, patch: "tuple[Site, list[str]] | None", generator: str = "") -> list["PageJob"] | None:
        """After a patch (see :meth:`jobs`), only the pages that show an article made again,
        each with its new fingerprint (every other page is the last build's, unchanged);
        ``None`` when the site is not the last build's patched."""
        remembered = self.remembered
        if remembered is None or patch is None or remembered.last is None or remembered.last.site is not patch[0]:
            return None
        base = self._bases(base, generator)
        if remembered.last.base != base:
            return None
        return self.patched_jobs(base, patch[1])

    def patched_jobs(self, base: str, urls: list[str]) -> list["PageJob"]:
        """The pages that show one of the articles at ``urls`` made again, looked at again: the
        article's own page, its neighbours', its issue's, its authors' and topics', the home
        page, the pages that list it among their related articles, the feeds that carry it
        and its citation files and its issue's. (Its address, date, place, authors and topics
        are as they were: the other pages, the lists' order, the sitemap and the redirects
        are too.) The last build's pages (:class:`LastPages`) are updated with them."""
        assert self.remembered is not None and self.remembered.last is not None
        site = self.site
        last = self.remembered.last
        changed = [site.articles[url] for url in urls if url in site.articles]
        redone: dict[str, PageJob] = {}

        def redo(job: PageJob) -> None:
            last.jobs[last.where[job.path]] = redone[job.path] = job

        redo(self._home_job(base, (site.articles[url] for url in last.ranked), last.home))
        for article in {a.url: a for a in changed}.values():
            for url in (article.url, article.previous, article.next):
                if url:
                    redo(self._article_job(base, site.articles[url]))
            redo(self._issue_job(base, site.issues[article.issue_key]))
            for author in article.authors:
                if author.has_page and author.id in site.authors:
                    redo(self._author_job(base, site.authors[author.id], [site.articles[u] for u in last.by_author.get(author.id, [])]))
            for topic in article.topics:
                if topic.slug in site.topics:
                    redo(self._topic_job(base, site.topics[topic.slug], [site.articles[u] for u in last.by_topic.get(topic.slug, [])]))
        urls_changed = {a.url for a in changed}
        for url in sorted({other for changed_url in urls_changed for other in last.listed_by.get(changed_url, ())} - urls_changed):
            redo(self._article_job(base, site.articles[url]))

        def add(path: str, render: Callable[[], OutputFile], *deps: Any, own: str = "") -> None:
            redo(self._job(own or base, path, render, *deps))

        self.add_feed_jobs(add, urls_changed)
        self.add_citation_jobs(add, urls_changed)
        last.site, last.feeds = site, list(self.feeds)
        return list(redone.values())

    # -- one page each ------------------------------------------------------------------------
    def _job(self, base: str, path: str, render: Callable[[], OutputFile], *deps: Any) -> "PageJob":
        if path.endswith(".html"):  # the feeds a page names in its head and Follow link
            deps = (*deps, self.feed_deps(path))
        # A page's key is the fingerprint of what all pages share (``base``) and of its own inputs,
        # hashed apart: a process that builds again and again rehashes only the second when
        # they change, and after a template edit (a new ``base``) none of them.
        if self.remembered is None:
            own = fingerprint(deps)
        else:
            own = self.remembered.of(path, deps, lambda: fingerprint(deps))
        return PageJob(path, fingerprint(base, path, own), render)

    def _made_job(
        self, base: str, path: str, render: Callable[[], OutputFile], made_from: tuple[Any, ...],
        deps: Callable[[], tuple[Any, ...]], values: Any = None,
    ) -> "PageJob":
        """:meth:`_job` for a page whose ``deps()`` are a function of the objects ``made_from``
        (and ``values``): a process that builds again and again hashes them only when one
        of those objects is another (or the values changed)."""
        if path.endswith(".html"):  # the feeds a page names in its head and Follow link
            feeds, made = self.feed_deps(path), deps
            values, deps = (values, feeds), lambda: (*made(), feeds)
        if self.remembered is None:
            own = fingerprint(deps())
        else:
            own = self.remembered.made(path, made_from, values, lambda: fingerprint(deps()))
        return PageJob(path, fingerprint(base, path, own), render)

    def feed_deps(self, path: str) -> list[tuple[str, str, str]]:
        """What a page at output ``path`` shows of the feeds it names."""
        return [(f.path, f.title, f.label) for f in self.page_feeds(_page_url(path))]

    def _home_job(self, base: str, ranked: Iterable[Article], home: tuple[Any, Any] | None = None) -> "PageJob":
        """``home``: the latest issue and the archive column, when known."""
        latest_issue, archive = home if home is not None else (self.latest_issue(), self.home_archive())
        latest, latest_articles, recent = self.home_lists(ranked, latest_issue)
        return self._job(base, "index.html", functools.partial(self.render_home, latest, latest_articles, recent, archive), latest,
            [self.teaser(a) for a in latest_articles],
            [self.teaser(a) for a in recent], [(p.slug, p.title) for p in self.site.publications],
            [(p.slug, [(i.url, i.label, i.title, i.date) for i in issues]) for p, issues in archive])

    def _issue_job(self, base: str, issue: Issue) -> "PageJob":
        members = self.issue_articles(issue)
        publication = self.publication(issue.publication)
        pdf = self.site.pdfs.get(issue.key)
        neighbours = self.neighbour_issues(issue)
        return self._made_job(
            base, issue.url + "index.html", functools.partial(self.render_issue, issue), (issue, publication, pdf, *neighbours, *members),
            lambda: (
                self.digest(issue), self.digest(publication), [self.teaser(a) for a in members], pdf,
                [(i.url, i.label, i.title, i.date, i.mark) if i else None for i in neighbours],
            ),
        )

    def _article_job(self, base: str, article: Article) -> "PageJob":
        return self._made_job(
            base, article.url + "index.html", functools.partial(self.render_article, article), self.article_inputs(article),
            functools.partial(self._article_deps, article), self.article_images(article),
        )

    def _author_job(self, base: str, author: Author, articles: list[Article]) -> "PageJob":
        """``articles``: the author's, newest first."""
        return self._made_job(
            base, f"authors/{author.id}/index.html", functools.partial(self.render_author, author, articles), (author, *articles),
            lambda: (self.digest(author), [self.teaser(a) for a in articles]),
        )

    def _topic_job(self, base: str, topic: Topic, articles: list[Article]) -> "PageJob":
        """``articles``: the topic's, newest first."""
        return self._made_job(
            base, topic.url + "index.html", functools.partial(self.page, "topic.html", topic.url, topic=topic, articles=articles),
            (topic, *articles), lambda: (topic, [self.teaser(a) for a in articles]),
        )

    def digest(self, item: Any) -> str:
        """:func:`fingerprint` of a model object that many pages show (an issue, an author),
        computed once per build."""
        known = self._digests.get(id(item))
        if known is None or known[0] is not item:
            try:
                value = self.remembered.of(item, item, lambda: fingerprint(item)) if self.remembered is not None else fingerprint(item)
            except TypeError:  # a value that cannot be a dictionary's key
                value = fingerprint(item)
            known = self._digests[id(item)] = (item, value)
        return known[1]

    def teaser(self, article: Article) -> str:
        """A fingerprint of what a list of articles shows of one article."""
        known = self._teasers.get(article.url)
        if known is None:
            issue = self.site.issues[article.issue_key]

            def shown() -> str:
                return fingerprint(
                    article.url, article.title, article.date, issue.url, issue.label,
                    tuple((a.id, a.name, a.has_page) for a in article.authors), article.content.teaser_html,
                    article.mark,
                )

            # Made from the article and its issue: the same objects show the same.
            known = shown() if self.remembered is None else self.remembered.made(("teaser", article.url), (article, issue), None, shown)
            self._teasers[article.url] = known
        return known

    def article_inputs(self, article: Article) -> tuple[Any, ...]:
        """The objects an article's page is made from: :meth:`_article_deps` is a function of
        them and of :meth:`article_images`."""
        site = self.site
        return (
            article, site.issues[article.issue_key], self._publications[article.publication],
            site.articles.get(article.previous or ""), site.articles.get(article.next or ""),
            site.social.get(article.url), site.pdfs.get(article.issue_key), *self.related(article),
        )

    def article_images(self, article: Article) -> tuple[ImageAsset | None, ...]:
        """The processed images an article's page shows (lead image first)."""
        source = article.source
        if not article.content.images and (source.image is None or not source.image.src):
            return ()
        named = [source.image.src] if source.image is not None and source.image.src else []
        named += [use.src for use in article.content.images]
        return tuple(self.site.images.get(resolve_image_path(source.path, src)) for src in named)

    def _article_deps(self, article: Article) -> tuple[Any, ...]:
        source = article.source
        lead = None
        if source.image is not None and source.image.src:
            lead = self.site.images.get(resolve_image_path(source.path, source.image.src))
        body_images = tuple(self.site.images.get(resolve_image_path(source.path, u.src)) for u in article.content.images)
        neighbours = tuple(
            (a.url, a.title) if a else None
            for a in (self.site.articles.get(article.previous or ""), self.site.articles.get(article.next or ""))
        )
        return (
            article.content_key, article.url, article.date, self.digest(self.site.issues[article.issue_key]),
            self.digest(self.publication(article.publication)), tuple(map(self.digest, article.authors)),
            tuple(map(self.digest, article.topics)), neighbours, article.links,
            lead, body_images, self.site.social.get(article.url), article.mark, self.site.pdfs.get(article.issue_key),
            tuple((a.url, a.title, a.date, a.mark, tuple((p.id, p.name, p.has_page) for p in a.authors)) for a in self.related(article)),
        )

    def article_pages(self, article: Article) -> ArticlePages | None:
        """Where the article is in its issue's PDF (``None`` when the issue has none)."""
        pdf = self.site.pdfs.get(article.issue_key)
        return pdf.of(article.url) if pdf is not None else None

    def related(self, article: Article) -> list[Article]:
        """The article's related articles (see :mod:`brief.related`), most related first."""
        return [self.site.articles[url] for url in self.site.related.get(article.url, ())]

    def neighbour_issues(self, issue: Issue) -> tuple[Issue | None, Issue | None]:
        """The previous and the next issue of the issue's publication (``None`` where there is none)."""
        older, newer = self.site.issue_neighbours.get(issue.key, (None, None))
        return (self.site.issues.get(older or ""), self.site.issues.get(newer or ""))

    def articles_by_author(self, articles: Iterable[Article] | None = None) -> dict[str, list[Article]]:
        """Each author's articles (of ``articles``, in their order; all the site's by default)."""
        found: dict[str, list[Article]] = {}
        for article in self.site.articles.values() if articles is None else articles:
            for author in article.authors:
                if author.has_page:
                    found.setdefault(author.id, []).append(article)
        return found

    def articles_by_topic(self, articles: Iterable[Article] | None = None) -> dict[str, list[Article]]:
        """Each topic's articles (of ``articles``, in their order; all the site's by default)."""
        found: dict[str, list[Article]] = {}
        for article in self.site.articles.values() if articles is None else articles:
            for topic in article.topics:
                found.setdefault(topic.slug, []).append(article)
        return found

    def home_lists(
        self, ranked: Iterable[Article] | None = None, latest: "Issue | None | bool" = False,
    ) -> tuple[Issue | None, list[Article], list[Article]]:
        """The latest issue with articles, its articles, and recent articles from earlier issues
        (``ranked``: the site's articles newest first, if known; ``latest``: the latest issue, if known)."""
        if latest is False:
            latest = self.latest_issue()
        assert latest is None or isinstance(latest, Issue)
        if ranked is None:
            ranked = self.articles_newest_first(self.site.articles.values())
        recent = list(itertools.islice((a for a in ranked if latest is None or a.issue_key != latest.key), RECENT_ARTICLES))
        return latest, self.issue_articles(latest) if latest else [], recent

    def latest_issue(self) -> Issue | None:
        """The latest issue with articles."""
        issues = sorted(self.site.issues.values(), key=lambda i: (i.date, i.volume, i.number), reverse=True)
        return next((i for i in issues if self.site.articles_by_issue.get(i.key)), None)

    def home_archive(self) -> list[tuple[Publication, list[Issue]]]:
        """Each publication with its newest issues (up to :data:`ARCHIVE_ISSUES`), for the home page's side column."""
        found = []
        for publication in self.site.publications:
            issues = [self.site.issues[k] for k in self.site.issues_by_publication.get(publication.slug, ())]
            issues.sort(key=lambda i: (i.date, i.volume, i.number), reverse=True)
            if issues:
                found.append((publication, issues[:ARCHIVE_ISSUES]))
        return found

    def render_home(
        self, latest: Issue | None, latest_articles: list[Article], recent: list[Article],
        archive: list[tuple[Publication, list[Issue]]],
    ) -> OutputFile:
        return self.page(
            "home.html", "", latest=latest, latest_articles=latest_articles,
            recent=recent, archive=archive, publication_of=self.publication,
        )

    def render_publication(self, publication: Publication) -> OutputFile:
        keys = self.site.issues_by_publication.get(publication.slug, ())
        volumes: dict[int, list[Issue]] = {}
        for key in keys:
            issue = self.site.issues[key]
            volumes.setdefault(issue.volume, []).append(issue)
        return self.page(
            "publication.html", f"{publication.slug}/", publication=publication,
            volumes=sorted(volumes.items(), reverse=True), issue_articles=self.issue_articles,
        )

    def render_issue(self, issue: Issue) -> OutputFile:
        publication = self.publication(issue.publication)
        older, newer = self.neighbour_issues(issue)
        return self.page(
            "issue.html", issue.url, issue=issue, publication=publication, articles=self.issue_articles(issue),
            pdf=self.site.pdfs.get(issue.key), previous_issue=older, next_issue=newer,
            issue_downloads=self.downloads(issue.url, issue_file_stem(issue)) if self.issue_articles(issue) else [],
        )

    def render_article(self, article: Article) -> OutputFile:
        article = self.full_article(article)
        if article.url in self._wanted_entries and article.url not in self._entries:
            self.make_entry(article)  # while the full content is at hand (see plan_entries)
        issue = self.site.issues[article.issue_key]
        publication = self.publication(article.publication)
        depth_root = "../" * article.url.count("/")

        def with_images(html: str) -> Markup:
            return Markup(IMAGE_MARKER.sub(
                lambda m: self.image_html(article, article.content.images[int(m.group(1))], depth_root), html
            ))

        body = Markup(with_heading_anchors(with_images(article.content.body_html), article.content.headings))
        notes = [(note, with_images(note.html)) for note in article.content.notes]
        lead = None
        if article.source.image is not None and article.source.image.src:
            lead = self.site.images.get(resolve_image_path(article.source.path, article.source.image.src))
        # Each author with a biography, with this article's own version of it if it has one.
        own = dict(article.content.bios_html)
        bios = [(a, own.get(a.id) or a.bio_html) for a in article.authors if own.get(a.id) or a.bio_html]
        pdf = self.site.pdfs.get(article.issue_key)
        pages = self.article_pages(article)
        return self.page(
            "article.html", article.url, article=article, issue=issue, publication=publication,
            body=body, notes=notes, lead=lead, social=self.site.social.get(article.url), bios=bios,
            json_ld=Markup(self.json_ld(article, issue, publication, lead, pages)), pdf=pdf, pages=pages,
            previous=self.site.articles.get(article.previous or ""), next=self.site.articles.get(article.next or ""),
            citation_date=article.date.strftime("%Y/%m/%d"), format_date=format_date,
            contents=contents_list(article.content.headings, self.site.config.contents_list),
            related=self.related(article), cite=self.cite_view(article),
        )

    # -- feeds (see :mod:`brief.feeds`) ---------------------------------------------------------
    def page_feeds(self, url: str) -> list[Feed]:
        return feeds_of_page(url, self._feeds_by_page, self.site) if self.feeds else []

    def add_feed_jobs(self, add: Callable[..., None], only: set[str] | None = None) -> None:
        """A job for each feed, fingerprinted by what each of its entries shows; and the
        page that explains feeds and lists the site's and the publications' feeds. With
        ``only``, just the feeds that carry one of the articles at those addresses."""
        last = self.patched_from() if only is not None else None
        feeds: Iterable[Feed] = self.feeds
        if last is not None and only is not None:  # (the feeds are planned alike: see plan_feeds)
            feeds = [self.feeds[place] for place in sorted({p for url in only for p in last.carried_by.get(url, ())})]
        for feed in feeds:
            if only is not None and not any(a.url in only for a in feed.articles):
                continue
            add(feed.path, functools.partial(self.render_feed, feed), feed.title, feed.page,
                [self.entry_key(a) for a in feed.articles], own=self._feed_base)
        if self.feeds and only is None:
            listed = [f for f in self.feeds if f.kind in ("site", "publication")]
            add(FOLLOW_PAGE + "index.html", functools.partial(self.page, "follow.html", FOLLOW_PAGE, listed=listed),
                [(f.path, f.title, f.label) for f in listed])

    def entry_key(self, article: Article) -> str:
        """A fingerprint of everything an article's feed entry shows."""
        known = self._entry_keys.get(article.url)
        if known is None:
            known = self._entry_keys[article.url] = fingerprint(self._article_deps(article))
        return known

    def render_feed(self, feed: Feed) -> OutputFile:
        config = self.site.config
        entries = []
        for article in feed.articles:
            issue = self.site.issues[article.issue_key]
            entries.append({
                "article": article, "id": entry_id(article, config.base_url, config.feed_id_domain),
                "date": timestamp(article.date, config.time_zone), "issue": issue,
                "publication": self.publication(article.publication), "html": self.entry_html(article),
            })
        text = self.env.get_template("feed.xml").render(
            feed=feed, entries=entries, absolute=self.absolute,
            updated=entries[0]["date"] if entries else "",
        )
        return OutputFile(feed.path, xml_bytes(text))

    def entry_html(self, article: Article) -> Markup:
        """The whole article as a feed entry's HTML, every link absolute, escaped for the
        feed's XML; made once per build however many feeds hold the article."""
        known = self._entries.get(article.url)
        if known is not None:
            return Markup(zlib.decompress(known).decode("utf-8"))
        # A process that builds again and again keeps each entry for the next build, by the
        # fingerprint of what it shows (what the feeds that carry it are fingerprinted by).
        shown = self._entry_shown(article)
        kept = self.remembered.entries.get(article.url) if self.remembered is not None and shown is not None else None
        if kept is not None and kept[0] == shown:
            self._entries[article.url] = kept[1]
            return Markup(zlib.decompress(kept[1]).decode("utf-8"))
        return self.make_entry(self.full_article(article))

    def plan_entries(self, paths: Iterable[str]) -> None:
        """Say which files will be rendered: the entries of the feeds among them are made
        as their articles' pages are rendered, which have read the full content already
        (else each entry reads it again)."""
        wanted = set(paths)
        self._wanted_entries = {a.url for feed in self.feeds if feed.path in wanted for a in feed.articles}

    def is_feed(self, path: str) -> bool:
        return path in self._feed_paths

    def take_entries(self) -> dict[str, bytes]:
        """The feed entries made since the last call (compressed), to be :meth:`add_entries`'d
        to the renderer of another process."""
        made, self._made_entries = self._made_entries, {}
        return made

    def add_entries(self, entries: dict[str, bytes]) -> None:
        self._entries.update(entries)

    def make_entry(self, article: Article) -> Markup:
        """:meth:`entry_html` of an article whose full content is at hand (see :meth:`full_article`)."""
        base = self.site.config.base_url

        def with_images(html: str) -> Markup:
            return Markup(IMAGE_MARKER.sub(
                lambda m: self.image_html(article, article.content.images[int(m.group(1))], base), html
            ))

        def link(target: str) -> str:
            return base + target

        issue = self.site.issues[article.issue_key]
        text = self.env.get_template("feed-entry.html").render(
            article=article, issue=issue, publication=self.publication(article.publication),
            body=with_images(article.content.body_html), notes=[(n, with_images(n.html)) for n in article.content.notes],
            link=link,
        )
        # Escaped once here, as the feed's XML holds it, however many feeds hold the entry; kept
        # compressed (a large archive's entries would take hundreds of megabytes otherwise).
        html = escape(absolute_links(root_links(text, link), self.absolute(article.url)))
        self._entries[article.url] = self._made_entries[article.url] = zlib.compress(html.encode("utf-8"), 1)
        shown = self._entry_shown(article)
        if self.remembered is not None and shown is not None:
            self.remembered.entries[article.url] = (shown, self._entries[article.url])
        return html

    def full_article(self, article: Article) -> Article:
        """The article with its full content (read from the cache when the build holds only
        the light part) and its links to other pages put in."""
        if not article.content.complete:
            assert self.full_content is not None
            article = dataclasses.replace(article, content=self.full_content(article.content_key))
        if article.links:
            article = dataclasses.replace(article, content=with_addresses(article.content, article.links))
        return article

    # -- citing (see :mod:`brief.cite`) ------------------------------------------------------------
    def csl(self, article: Article) -> dict[str, Any]:
        """The article's CSL-JSON record, made once per build."""
        known = self._records.get(article.url)
        if known is None:
            issue = self.site.issues[article.issue_key]
            known = self._records[article.url] = csl_record(
                article, issue, self.publication(article.publication), self.site.config, self.article_pages(article),
            )
        return known

    def downloads(self, url: str, stem: str) -> list[tuple[str, str, str]]:
        """The citation files of a page at ``url``: (site-relative path, format name, media type)."""
        return [(f"{url}{stem}.{ext}", name, media) for ext, name, media in FORMATS]

    def cite_view(self, article: Article) -> dict[str, Any]:
        """What the article page's Cite section shows."""
        return {"references": references(self.csl(article), mark_text), "downloads": self.downloads(article.url, article.slug)}

    def add_citation_jobs(self, add: Callable[..., None], only: set[str] | None = None) -> None:
        """The citation files: each article's, and each issue's (all its articles in one).
        With ``only``, just those of the articles at those addresses and of their issues."""
        articles = self.site.articles.values() if only is None else [self.site.articles[u] for u in sorted(only) if u in self.site.articles]
        issues = self.site.issues.values() if only is None else [self.site.issues[k] for k in sorted({a.issue_key for a in articles})]
        keys: dict[str, str] = {}

        def key(article: Article) -> str:
            if article.url not in keys:
                if self.remembered is None:
                    keys[article.url] = fingerprint(self.csl(article))
                else:  # (made from these objects and values alone: see brief.cite.csl_record)
                    made_from = (article, self.site.issues[article.issue_key], self.publication(article.publication))
                    keys[article.url] = self.remembered.made(
                        ("csl", article.url), made_from, (self.site.config, self.article_pages(article)),
                        lambda: fingerprint(self.csl(article)),
                    )
            return keys[article.url]

        for article in articles:
            for ext, _name, _media in FORMATS:
                path = f"{article.url}{article.slug}.{ext}"
                add(path, functools.partial(self.render_records, path, [article]), key(article), own=self._records_base)
        for issue in issues:
            members = self.issue_articles(issue)
            if not members:
                continue
            for ext, _name, _media in FORMATS:
                path = f"{issue.url}{issue_file_stem(issue)}.{ext}"
                add(path, functools.partial(self.render_records, path, members), [key(a) for a in members], own=self._records_base)

    def render_records(self, path: str, articles: list[Article]) -> OutputFile:
        write = WRITERS[path.rsplit(".", 1)[1]]
        return OutputFile(path, write([self.csl(a) for a in articles]).encode("utf-8"))

    def image_html(self, article: Article, use: ImageUse, root: str) -> str:
        """An image of the article's body, linked to its largest published file (a
        chart or map is often too small to read in the column).

        Not lazy: a browser that prints the page does not wait for lazy images it
        has not loaded yet, and the printed article would lose its figures. It is
        fetched at low priority instead, after the text, the styles and the lead image.
        """
        asset = self.site.images.get(resolve_image_path(article.source.path, use.src))
        if asset is None:
            return ""
        name = "" if use.alt.strip() else ' aria-label="The image at full size"'
        return (
            f'<a class="image-link" href="{escape(root + asset.url)}"{name}>'
            + image_html(asset, use.alt, root, lazy=False, title=use.title, priority="low") + "</a>"
        )

    def json_ld(
        self, article: Article, issue: Issue, publication: Publication, lead: ImageAsset | None,
        pages: ArticlePages | None = None,
    ) -> str:
        periodical: dict[str, Any] = {"@type": "Periodical", "name": publication.title}
        if publication.issn:
            periodical["issn"] = publication.issn
        if self.site.config.publisher:
            periodical["publisher"] = {"@type": "Organization", "name": self.site.config.publisher}
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ScholarlyArticle",
            "headline": article.title,
            "url": self.absolute(article.url),
            "datePublished": article.date.isoformat(),
            "inLanguage": self.site.config.language,
            "author": [
                {"@type": "Person", "name": a.name, **({"url": self.absolute(f"authors/{a.id}/")} if a.has_page else {}),
                 **({"affiliation": {"@type": "Organization", "name": a.affiliation}} if a.affiliation else {})}
                for a in article.authors
            ],
            "isPartOf": {
                "@type": "PublicationIssue",
                "issueNumber": str(issue.number),
                "datePublished": issue.date.isoformat(),
                "url": self.absolute(issue.url),
                "isPartOf": {"@type": "PublicationVolume", "volumeNumber": str(issue.volume), "isPartOf": periodical},
            },
        }
        if article.content.summary_text:
            data["abstract"] = " ".join(article.content.summary_text)
        if article.content.description:
            data["description"] = article.content.description
        if article.topics:
            data["keywords"] = [t.name for t in article.topics]
        if lead is not None:
            data["image"] = self.absolute(lead.url)
        if pages is not None:
            data["pageStart"], data["pageEnd"] = pages.first, pages.last
            data["encoding"] = {"@type": "MediaObject", "contentUrl": self.absolute(pages.pdf_url), "encodingFormat": "application/pdf"}
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
        # Keep the JSON inert inside <script>: no '</script>' or '<!--' can form.
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def render_redirect(self, redirect: Redirect) -> OutputFile:
        """A page at an old address that sends the reader on to the current one."""
        return self.page("redirect.html", redirect.path, target=redirect.target)

    def render_author(self, author: Author, articles: list[Article]) -> OutputFile:
        return self.page("author.html", f"authors/{author.id}/", author=author, articles=articles)

    def sitemap_entries(self, paths: list[str]) -> list[tuple[str, dt.date | None]]:
        lastmod: dict[str, dt.date] = {}
        for article in self.site.articles.values():
            lastmod[article.url + "index.html"] = article.date
        for issue in self.site.issues.values():
            lastmod[issue.url + "index.html"] = issue.date
        entries = []
        for path in sorted(p for p in paths if p.endswith(".html")):
            url = path[: -len("index.html")] if path.endswith("index.html") else path
            entries.append((self.absolute(url), lastmod.get(path)))
        return entries

    def render_sitemap(self, entries: list[tuple[str, dt.date | None]], path: str = "sitemap.xml") -> OutputFile:
        text = self.env.get_template("sitemap.xml").render(entries=entries)
        return OutputFile(path, text.encode("utf-8"))

    def render_sitemap_index(self, names: list[str]) -> OutputFile:
        """``sitemap.xml`` as an index of the sitemap files ``names`` (see :data:`SITEMAP_URLS`)."""
        listed = "".join(f"  <sitemap><loc>{escape(self.absolute(name))}</loc></sitemap>\n" for name in names)
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + listed + "</sitemapindex>\n"
        )
        return OutputFile("sitemap.xml", text.encode("utf-8"))

    def render_robots(self) -> OutputFile:
        return OutputFile("robots.txt", self.env.get_template("robots.txt").render(absolute=self.absolute).encode())


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page to publish: its path, the fingerprint of its inputs, and how to render it."""

    path: str
    key: str
    render: Callable[[], OutputFile]


def with_addresses(content: ArticleContent, addresses: tuple[str, ...]) -> ArticleContent:
    """An article's content with the addresses of its links to other pages put in."""
    def put(html: str) -> str:
        return resolve_markers(html, addresses)

    return dataclasses.replace(
        content, body_html=put(content.body_html), summary_html=tuple(map(put, content.summary_html)),
        notes=tuple(dataclasses.replace(note, html=put(note.html)) for note in content.notes),
        disclaimer_html=put(content.disclaimer_html), bios_html=tuple((a, put(h)) for a, h in content.bios_html),
        image_caption_html=put(content.image_caption_html),
    )


def _page_url(path: str) -> str:
    """The URL of the page at output ``path``: ``x/index.html`` is ``x/``."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates (keyed by each template's name and source)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def contents_list(headings: Sequence[Heading], fewest: int) -> list[tuple[Heading, list[Heading]]]:
    """The entries of an article's contents list: each ``##`` heading with the ``###``
    headings under it, when the article has at least ``fewest`` ``##`` headings
    (``fewest`` 0: no list). A ``###`` before the first ``##`` is an entry of its own."""
    if fewest <= 0 or sum(1 for h in headings if h.level == 2) < fewest:
        return []
    entries: list[tuple[Heading, list[Heading]]] = []
    for heading in headings:
        if heading.level == 3 and entries and entries[-1][0].level == 2:
            entries[-1][1].append(heading)
        elif heading.level <= 3:
            entries.append((heading, []))
    return entries


def with_heading_anchors(html: str, headings: Sequence[Heading]) -> str:
    """The body's HTML with a link to each section heading after it (a reader copies the
    link to a section from it). The heading and its link are wrapped together, so the link
    is not part of the heading's name and shows beside it; its name for screen readers is
    written out ("Link to the section ..."), and the visible sign is hidden from them."""
    parts: list[str] = []
    start = 0
    for heading in headings:
        tag = f"<h{heading.level} id=\"{escape(heading.id)}\">"
        at = html.find(tag, start)
        end = html.find(f"</h{heading.level}>", at)
        if at < 0 or end < 0:
            continue
        end += len(f"</h{heading.level}>")
        parts.append(html[start:at])
        parts.append(
            f'<div class="section-heading level-{heading.level}">{html[at:end]}'
            f'<a class="heading-anchor" href="#{escape(heading.id)}" data-pagefind-ignore>'
            f'<span aria-hidden="true">#</span><span class="visually-hidden">Link to the section “{mark_text(heading.text)}”</span></a></div>'
        )
        start = end
    parts.append(html[start:])
    return "".join(parts)


#: An address whose host :func:`urllib.parse.urlsplit` would find without any of its special
#: cases: a scheme, ``//``, a host of letters, digits, dots and hyphens (no user, no IPv6
#: brackets, nothing to strip or normalise), perhaps a port, then ``/ ? #`` or the end.
#: Almost every source's address is one; tests/test_render.py checks the two agree.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|\Z)")


def host_name(url: str) -> str:
    """The host an address points to, as a reader knows it: ``https://www.mnd.gov.tw/x`` →
    ``mnd.gov.tw`` (the address itself when it has no host). The host is what
    ``urlsplit(url).hostname`` gives; a plain address is read by one pattern instead (the
    source list shows about 50 addresses per article)."""
    plain = _PLAIN_ADDRESS.match(url)
    if plain is not None:
        host = plain.group(1).lower()
    else:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:  # an address no browser could open either ("https://[x")
            return url
    if host.startswith("www.") and host.count(".") > 1:
        host = host[4:]
    return host or url


#: What may end a sentence already: its stop (Western or CJK), and closing quotes or brackets after it.
_SENTENCE_DONE = tuple(".!?\u3002\uff01\uff1f")


def full_stop(text: str) -> str:
    """The full stop that ends ``text`` as a sentence: "." unless it ends in a stop, a question
    or an exclamation mark already (then "")."""
    if text.rstrip().rstrip("\"'\u201d\u2019\u300d\u300f)]\uff09").endswith(_SENTENCE_DONE):
        return ""
    return "."


def page_title(parts: Iterable[str]) -> str:
    """A page's ``<title>``: its parts joined with " · ", leaving out a part that an
    earlier one already says (a publication named like its site: "China Brief", not
    "China Brief · China Brief")."""
    kept: list[str] = []
    for part in parts:
        part = part.strip()
        if part and not any(part in earlier for earlier in kept):
            kept.append(part)
    return " · ".join(kept)


def file_size(size: int) -> str:
    """A file's size for readers: ``840 KB``, ``1.2 MB`` (decimal units, as file managers show)."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"


def _sort_key(author: Author) -> tuple[str, str]:
    """Where the list of authors files a person: by ``sort_as`` when given, else by the
    name's last word."""
    if author.sort_as:
        return (author.sort_as.lower(), author.name.lower())
    parts = author.name.split()
    return (parts[-1].lower() if parts else "", author.name.lower())


def static_files(folders: Sequence[Path]) -> list[tuple[str, Path]]:
    """The static files, as (output path, source path), in name order. ``folders`` are
    searched in order: a file in an earlier folder hides the one of the same name in a later."""
    found: dict[str, Path] = {}
    for static in folders:
        if not static.is_dir():
            continue
        for path in static.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                found.setdefault(posixpath.join("static", path.relative_to(static).as_posix()), path)
    return sorted(found.items())
