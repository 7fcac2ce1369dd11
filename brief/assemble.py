"""Link the model: URLs, order, authors, topics, previous/next, related articles, collision checks.

Takes what :mod:`brief.load` read and what :mod:`brief.markdown` rendered, and
builds one :class:`~brief.model.Site`. What is not to be published was left
out before (:mod:`brief.schedule`), so nothing after this stage sees it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import Diagnostic, Diagnostics, SourceLocation
from .links import LinkTargets, resolve_markers
from .load import LoadedContent, reference_problem, slugify
from .markdown import render_text
from .model import Article, ArticleContent, ArticleSource, Author, Issue, PageLink, Site, Topic
from .redirects import plan_redirects
from .related import issue_neighbours, related_articles
from .schedule import Schedule, plan_schedule, site_today


@functools.lru_cache(maxsize=1 << 14)
def topic_slug(name: str) -> str:
    """A topic's URL slug: its name in ASCII, in pinyin for a name in Chinese
    characters only (台湾 → ``taiwan``), or for a name with neither a short stable hash of it."""
    slug = slugify(name)
    if slug:
        return slug
    return "topic-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def issue_url(issue: Issue) -> str:
    return f"{issue.publication}/volume-{issue.volume}/issue-{issue.number}/"


@dataclass
class Assembled:
    """What one assembly made from what, kept by a process that assembles the site again and
    again (the preview): the next assembly reuses each issue, author and article made from
    the same objects (unchanged files load to the same objects; see :mod:`brief.load`), so
    what comes after can tell an unchanged one by its identity. Only what was made without
    a diagnostic is kept; what the last assembly did not make is forgotten."""

    issues: dict[str, tuple[tuple[object, ...], Issue]] = field(default_factory=dict)
    authors: dict[str, tuple[tuple[object, ...], Author, tuple[Diagnostic, ...]]] = field(default_factory=dict)
    articles: dict[str, tuple[tuple[object, ...], Article]] = field(default_factory=dict)
    #: The last assembly: what it was made from and what it made (see :func:`_patched`).
    last: "_Last | None" = None
    #: Cleared by the caller when a file other than an article may have changed since the
    #: last assembly (an image, which an article may name; a folder): then it is not patched.
    patchable: bool = False
    #: Set when the last assembly patched the site before it: that site, and the addresses
    #: of the articles made again.
    patch: tuple[Site, list[str]] | None = None


@dataclass
class _Last:
    articles: list[ArticleSource]
    contents: dict[str, ArticleContent]
    content_keys: dict[str, str]
    others: tuple[object, ...]
    site: Site
    #: What it told, in three parts: about what the articles are made of (their images,
    #: authors, topics), about links between pages, and the rest.
    told_articles: list[Diagnostic]
    told_links: list[Diagnostic]
    told_others: list[Diagnostic]
    #: Which load of a preview it was made from (see :attr:`brief.load.LoadedContent.generation`).
    generation: int = 0


#: Above this many changed articles, an assembly starts from scratch.
PATCH_LIMIT = 64


def _made(kept: dict[str, tuple], made: dict[str, tuple] | None, key: str, inputs: tuple[object, ...]) -> tuple | None:
    """The entry ``kept[key]`` if it was made from ``inputs`` (moved into ``made``), else ``None``."""
    entry = kept.get(key)
    if entry is None or entry[0] != inputs:
        return None
    if made is not None:
        made[key] = entry
    return entry


def assemble_site(
    loaded: LoadedContent,
    contents: dict[str, ArticleContent],
    diagnostics: Diagnostics,
    content_keys: dict[str, str] | None = None,
    schedule: Schedule | None = None,
    marks: dict[str, str] | None = None,
    kept: Assembled | None = None,
) -> Site:
    """Join sources and rendered content into a linked :class:`Site`.

    ``content_keys`` (by article path) identify what each article's content was
    rendered from; pages use them to tell whether an article changed. Issues and
    articles that ``schedule`` holds back are left out, as are issues with no
    published article, and drafts unless ``marks`` (by article path and issue key)
    flags them: marks flag pieces built although not published (the preview's
    ``--drafts`` and ``--future``; see :mod:`brief.schedule`). Links between pages
    are checked and resolved last, when every page's address is known. ``kept`` is what
    the last assembly made (see :class:`Assembled`); it is updated to this one's.
    """
    marks = marks or {}
    assert loaded.config is not None
    config = loaded.config
    if schedule is None:
        schedule = plan_schedule(loaded, site_today(config.time_zone))
    others = (config, tuple(loaded.authors.items()), tuple(loaded.publications), tuple(loaded.issues), dict(schedule.held), dict(marks), loaded.project, loaded.content)
    if kept is not None:
        kept.patch = None
    if kept is not None and kept.last is not None and kept.patchable:
        patched = _patched(kept, kept.last, loaded, contents, content_keys or {}, others, schedule, diagnostics)
        if patched is not None:
            return patched
    if kept is not None:
        kept.last, kept.patchable = None, True
    start = len(diagnostics.items)
    newest = max((issue.date for issue in loaded.issues), default=dt.date(2000, 1, 1))
    before = kept or Assembled()
    now = Assembled() if kept is not None else None
    authors: dict[str, Author] = {}
    for key, author in loaded.authors.items():
        bio_inputs: tuple[object, ...] = (author, newest, config.raw_html, config.base_url)
        entry = _made(before.authors, now.authors if now else None, key, bio_inputs)
        if entry is None:
            told_before = len(diagnostics.items)
            made_author = _with_bio(author, newest, config.raw_html, config.base_url, diagnostics)
            entry = (bio_inputs, made_author, tuple(diagnostics.items[told_before:]))
            if now is not None:
                now.authors[key] = entry
        else:
            diagnostics.extend(entry[2])
        authors[key] = entry[1]
    authored = len(diagnostics.items)
    issues: dict[str, Issue] = {}
    for issue in loaded.issues:
        if issue.key in schedule.held:
            continue
        mark = marks.get(issue.key, "")
        entry = _made(before.issues, now.issues if now else None, issue.key, (issue, mark))
        if entry is None:
            entry = ((issue, mark), dataclasses.replace(issue, url=issue_url(issue), mark=mark))
            if now is not None:
                now.issues[issue.key] = entry
        issues[issue.key] = entry[1]
    topics: dict[str, Topic] = {}
    by_url: dict[str, ArticleSource] = {}
    pending: list[tuple[str, ArticleSource, Issue, ArticleContent]] = []
    for source in loaded.articles:
        if (source.draft and source.path not in marks) or source.path not in contents:
            continue
        if schedule.holds(source) or source.issue_key not in issues:
            continue
        issue = issues[source.issue_key]
        url = f"{issue.publication}/{source.slug}/"
        if url in by_url:
            other = by_url[url]
            diagnostics.error(
                SourceLocation(source.path, source.line_of("slug") if "slug" in dict(source.lines) else 1),
                f"two articles have the slug '{source.slug}' (the other is {other.path})",
                "set a different 'slug:' in one of them",
            )
            continue
        by_url[url] = source
        content = contents[source.path]
        _check_images(source, content, loaded.project, loaded.content, diagnostics)
        pending.append((url, source, issue, content))

    # Each issue's articles in the issue's order, so that every article is made once,
    # with its neighbours.
    in_issue: dict[str, list[tuple[str, ArticleSource, Issue, ArticleContent]]] = {}
    for url, source, issue, content in pending:
        in_issue.setdefault(issue.key, []).append((url, source, issue, content))
    articles: dict[str, Article] = {}
    articles_by_issue: dict[str, tuple[str, ...]] = {}
    for issue in list(issues.values()):
        members = in_issue.get(issue.key, [])
        if not members:
            del issues[issue.key]
            own = [s for s in loaded.articles if s.issue_key == issue.key]
            # Warn only when each of its articles is a draft (not when one failed to load or is held back).
            reported = any(d.location.path.startswith(issue.key + "/") for d in diagnostics.errors)
            if len(own) == len(issue.order) and all(s.draft for s in own) and not reported:
                diagnostics.warning(
                    issue.location, f"{issue.label} has no published article, so it is not published",
                    "add an article to it, or publish one of its drafts (remove 'draft: true')", code="empty-issue",
                )
            continue
        position = {name: i for i, name in enumerate(issue.order)}
        members.sort(key=lambda member: position.get(member[1].file_name, 0))
        urls = tuple(member[0] for member in members)
        articles_by_issue[issue.key] = urls
        for index, (url, source, issue, content) in enumerate(members):
            content_key, mark = (content_keys or {}).get(source.path, ""), marks.get(source.path, "")
            previous, following = urls[index - 1] if index > 0 else None, urls[index + 1] if index + 1 < len(urls) else None
            inputs: tuple[object, ...] = (
                source, content, issue, content_key, mark, previous, following,
                config.raw_html, config.base_url, *(authors.get(ref.id) for ref in source.authors if ref.inline is None),
            )
            entry = _made(before.articles, None, url, inputs)
            if entry is not None and _add_topics(entry[1].topics, topics):
                if now is not None:
                    now.articles[url] = entry
                articles[url] = entry[1]
                continue
            told_before = len(diagnostics.items)
            articles[url] = Article(
                source=source,
                content=content,
                publication=issue.publication,
                issue_key=issue.key,
                date=source.date or issue.date,
                url=url,
                authors=_article_authors(source, issue, authors, config.raw_html, config.base_url, diagnostics),
                topics=_article_topics(source, topics, diagnostics),
                content_key=content_key,
                mark=mark,
                previous=previous,
                next=following,
            )
            if now is not None and len(diagnostics.items) == told_before:
                now.articles[url] = (inputs, articles[url])
    issues_by_publication = {
        pub.slug: tuple(
            key for key, _ in sorted(
                ((i.key, i) for i in issues.values() if i.publication == pub.slug),
                key=lambda item: (item[1].date, item[1].volume, item[1].number),
                reverse=True,
            )
        )
        for pub in loaded.publications
    }
    publication_index = {pub.slug: i for i, pub in enumerate(loaded.publications)}
    place = {url: i for urls in articles_by_issue.values() for i, url in enumerate(urls)}
    newest_first = sorted(
        articles.values(),
        key=lambda a: (
            -a.date.toordinal(), -issues[a.issue_key].date.toordinal(), -issues[a.issue_key].volume,
            -issues[a.issue_key].number, publication_index.get(a.publication, 0),
            place[a.url],
        ),
    )
    site = Site(
        config=config,
        publications=tuple(loaded.publications),
        issues=issues,
        articles=articles,
        authors=authors,
        topics=dict(sorted(topics.items())),
        issues_by_publication=issues_by_publication,
        articles_by_issue=articles_by_issue,
        article_rank={article.url: rank for rank, article in enumerate(newest_first)},
    )
    redirecting = len(diagnostics.items)
    site.redirects = plan_redirects(site, diagnostics)
    site.related = related_articles(site, config.related_articles)
    site.issue_neighbours = issue_neighbours(site)
    linking = len(diagnostics.items)
    _resolve_links(site, lambda: LinkTargets(site, loaded, schedule), diagnostics)
    if kept is not None and now is not None:
        kept.issues, kept.authors, kept.articles = now.issues, now.authors, now.articles
        told = diagnostics.items[start:]
        if not any(d.severity == "error" for d in told):  # (a build that stops is not patched)
            made = told[authored - start : redirecting - start]
            kept.last = _Last(
                list(loaded.articles), dict(contents), dict(content_keys or {}), others, site,
                [d for d in made if d.location.path in contents], told[linking - start :],
                told[: authored - start] + [d for d in made if d.location.path not in contents] + told[redirecting - start : linking - start],
                loaded.generation,
            )
    return site


def _patched(
    kept: Assembled, last: _Last, loaded: LoadedContent, contents: dict[str, ArticleContent], content_keys: dict[str, str],
    others: tuple[object, ...], schedule: Schedule, diagnostics: Diagnostics,
) -> Site | None:
    """The last assembly's site with the articles that changed since made again, when that
    is all that changed; ``None`` when the site must be assembled from scratch.

    It is all when only what some articles say changed (their text, title, summary,
    notes...): each is still the same file, with the same slug, issue, date, draft flag,
    topics, authors and aliases, and its headings have the same ids, so every other
    article, address, redirect and link is what it was. Anything else (an issue, an
    author, the settings, a file added or removed, more than :data:`PATCH_LIMIT` articles)
    is assembled from scratch. The last assembly's diagnostics about the other articles
    and everything else are told again; those about the changed articles are found again.
    """
    if others != last.others or len(loaded.articles) != len(last.articles):
        return None
    site = last.site
    changed: list[tuple[ArticleSource, Article]] = []
    pairs: Iterable[tuple[ArticleSource, ArticleSource]] = zip(loaded.articles, last.articles)
    if loaded.edited is not None and loaded.since == last.generation:
        # Only these articles' files were loaded again (see brief.load.Loader.load_edited).
        if any(last.articles[place] is not before for place, before in loaded.edited.values()):
            return None
        pairs = [(loaded.articles[place], before) for place, before in loaded.edited.values()]
    for source, before in pairs:
        path = source.path
        if source is before and contents.get(path) is last.contents.get(path) and content_keys.get(path) == last.content_keys.get(path):
            continue
        if (
            path != before.path or source.slug != before.slug or source.issue_key != before.issue_key
            or source.file_name != before.file_name or source.draft != before.draft or source.date != before.date
            or source.topics != before.topics or source.authors != before.authors or source.aliases != before.aliases
            or (path in contents) != (path in last.contents) or len(changed) >= PATCH_LIMIT
        ):
            return None
        issue = site.issues.get(source.issue_key)
        old = site.articles.get(f"{issue.publication}/{source.slug}/") if issue is not None else None
        if old is None or old.source.path != path:
            if path in contents:
                return None  # not in the site (it lost to another with its slug...): start afresh
            continue  # not published (a draft, held back): nothing else depends on its content
        if contents[path].anchors != old.content.anchors:
            return None  # links from other pages to its headings are checked again
        changed.append((source, old))
    paths = {source.path for source, _ in changed}
    config = site.config
    authors = {key: entry[1] for key, entry in kept.authors.items()}
    # Told again, and found again in assemble_site's order: images, authors and topics, then links.
    diagnostics.extend(last.told_others)
    diagnostics.extend(d for d in last.told_articles if d.location.path not in paths)
    first = len(diagnostics.items)
    for source, _old in changed:
        _check_images(source, contents[source.path], loaded.project, loaded.content, diagnostics)
    articles = dict(site.articles)
    topics = dict(site.topics)
    for source, old in changed:
        issue = site.issues[old.issue_key]
        content, content_key = contents[source.path], content_keys.get(source.path, "")
        inputs: tuple[object, ...] = (
            source, content, issue, content_key, old.mark, old.previous, old.next,
            config.raw_html, config.base_url, *(authors.get(ref.id) for ref in source.authors if ref.inline is None),
        )
        told_before = len(diagnostics.items)
        articles[old.url] = Article(
            source=source, content=content, publication=old.publication, issue_key=old.issue_key, date=old.date, url=old.url,
            authors=_article_authors(source, issue, authors, config.raw_html, config.base_url, diagnostics),
            topics=_article_topics(source, topics, diagnostics), content_key=content_key, mark=old.mark,
            previous=old.previous, next=old.next,
        )
        if len(diagnostics.items) == told_before:
            kept.articles[old.url] = (inputs, articles[old.url])
    told_articles = [d for d in last.told_articles if d.location.path not in paths] + diagnostics.items[first:]
    told_links = [d for d in last.told_links if d.location.path not in paths]
    diagnostics.extend(told_links)
    patched = dataclasses.replace(site, articles=articles)
    linking = len(diagnostics.items)
    targets = _lazy(lambda: LinkTargets(patched, loaded, schedule))
    resolved = dict(site.authors)
    for _source, old in changed:
        _resolve_article(patched, old.url, targets, resolved, diagnostics)
    kept.last = _Last(
        list(loaded.articles), dict(contents), dict(content_keys), others, patched,
        told_articles, told_links + diagnostics.items[linking:], list(last.told_others), loaded.generation,
    )
    kept.patch = (site, [old.url for _source, old in changed])
    return patched


def _lazy(make: Callable[[], LinkTargets]) -> Callable[[], LinkTargets]:
    """``make``, called once, when first needed."""
    found: list[LinkTargets] = []

    def targets() -> LinkTargets:
        if not found:
            found.append(make())
        return found[0]

    return targets


def _add_topics(made: tuple[Topic, ...], topics: dict[str, Topic]) -> bool:
    """Gather the topics of an article made before into ``topics``; ``False`` (and nothing
    gathered) when one of them is now spelt otherwise by an article before it."""
    for topic in made:
        known = topics.get(topic.slug)
        if known is not None and known.name != topic.name:
            return False
    for topic in made:
        topics.setdefault(topic.slug, topic)
    return True


def _resolve_links(site: Site, make_targets: Callable[[], LinkTargets], diagnostics: Diagnostics) -> None:
    """Check every link between pages and put each page's address into the HTML that
    the site holds (summaries, bios); an article's other HTML is resolved when its page is
    rendered, from the addresses kept in ``Article.links``. The site's addresses are
    gathered (``make_targets``) only if some page links to another."""
    targets = _lazy(make_targets)
    resolved: dict[str, Author] = {}
    for key, author in site.authors.items():
        site.authors[key] = resolved[key] = _resolved_bio(author, author.location.path, targets, diagnostics)
    for url in list(site.articles):
        _resolve_article(site, url, targets, resolved, diagnostics)


def _resolve_article(
    site: Site, url: str, targets: Callable[[], LinkTargets], resolved: dict[str, Author], diagnostics: Diagnostics
) -> None:
    """:func:`_resolve_links` for one article (``resolved``: the site's authors, their bios resolved)."""
    article = site.articles[url]
    if not (article.content.links or article.content.own_anchors or any(a.bio_links for a in article.authors)):
        return  # nothing to resolve or check
    addresses = targets().resolve_all(article.source.path, article.content.links, diagnostics)
    targets().check_own_anchors(article, diagnostics)
    content = article.content
    if addresses:
        content = dataclasses.replace(
            content,
            summary_html=tuple(resolve_markers(h, addresses) for h in content.summary_html),
            teaser_html=resolve_markers(content.teaser_html, addresses),
        )
    people = tuple(
        resolved[a.id] if a.has_page and a.id in resolved else _resolved_bio(a, article.source.path, targets, diagnostics)
        for a in article.authors
    )
    if addresses or people != article.authors:
        site.articles[url] = dataclasses.replace(article, content=content, links=addresses, authors=people)


def _resolved_bio(author: Author, origin: str, targets: Callable[[], LinkTargets], diagnostics: Diagnostics) -> Author:
    if not author.bio_links:
        return author
    addresses = targets().resolve_all(origin, author.bio_links, diagnostics)
    return dataclasses.replace(author, bio_html=resolve_markers(author.bio_html, addresses))


def _article_authors(
    source: ArticleSource, issue: Issue, authors: dict[str, Author], raw_html: bool, base_url: str, diagnostics: Diagnostics
) -> tuple[Author, ...]:
    return tuple(
        authors[ref.id] if ref.inline is None else _with_bio(ref.inline, issue.date, raw_html, base_url, diagnostics)
        for ref in source.authors
    )


def _article_topics(source: ArticleSource, topics: dict[str, Topic], diagnostics: Diagnostics) -> tuple[Topic, ...]:
    """The article's topics; ``topics`` gathers every topic of the site by slug."""
    found = []
    for name in source.topics:
        slug = topic_slug(name)
        topic = topics.setdefault(slug, Topic(name, slug))
        if topic.name != name:
            diagnostics.error(
                SourceLocation(source.path, source.line_of("topics")),
                f"the topics '{name}' and '{topic.name}' would share the page topics/{slug}/",
                "spell the topic the same way everywhere, or rename one of them",
            )
            continue
        found.append(topic)
    return tuple(found)


def _with_bio(author: Author, reference: dt.date, raw_html: bool, base_url: str, diagnostics: Diagnostics) -> Author:
    if not author.bio_md:
        return author
    html, told, links = _render_bio(author.bio_md, author.location.path, author.location.line, reference, raw_html, base_url)
    problems = list(told)
    if not author.has_page:  # an inline author's: the Markdown stage told its HTML with the article's
        problems = [p for p in problems if p.code not in ("raw-html", "html-removed")]
    diagnostics.extend(problems)
    return dataclasses.replace(author, bio_html=html, bio_links=tuple(links))


@functools.lru_cache(maxsize=1 << 12)
def _render_bio(
    text: str, path: str, line: int, reference: dt.date, raw_html: bool, base_url: str
) -> tuple[str, tuple[Diagnostic, ...], tuple[PageLink, ...]]:
    """A biography's HTML, problems and links to pages (remembered: a preview assembles
    every author on every rebuild)."""
    links: list[PageLink] = []
    html, problems = render_text(text, path, line, reference, raw_html, base_url, links)
    return html, tuple(problems), tuple(links)


def _check_images(source: ArticleSource, content: ArticleContent, project: Path, root: Path, diagnostics: Diagnostics) -> None:
    """Every image the article names (lead image and body) must be a file inside the content folder."""
    named = [(use.src, use.line) for use in content.images]
    if source.image is not None and source.image.src:
        named.insert(0, (source.image.src, source.image.src_line))
    if not named:
        return
    folder = (project / source.path).parent
    for src, line in named:
        problem = reference_problem(src, folder, root)
        if problem:
            diagnostics.error(SourceLocation(source.path, line), *problem)
