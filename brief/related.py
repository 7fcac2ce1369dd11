"""The ways from one page to others that the site's order gives: related articles,
and the previous and next issue of a publication (filled in by :mod:`brief.assemble`).

Related articles are ranked by

1. the number of topics they share with the article (more first),
2. then the number of authors they share (more first),
3. then how near their date is to the article's (nearer first),
4. then the site's order of articles (newest first; see :attr:`~brief.model.Site.article_rank`).

An article is never related to itself, and one that shares neither a topic nor an
author is never listed. Ties are broken by date nearness rather than by recency on
purpose: publishing a new issue then changes the related articles of the articles
near it in time only, not of every older article on the same topics, so an
incremental build re-renders few pages.

The ranking never looks at every article that shares one topic with the article:
those that share more (two topics, or a topic and an author) come from an index of
pairs, and among the rest only the nearest in date count, found by a binary search
in each topic's articles by date. A large archive whose topics hold thousands of
articles each is ranked in time proportional to its articles, not to their square
(unless thousands of articles share the same two topics).
"""

from __future__ import annotations

import bisect
import functools
import heapq
from typing import Iterable, Sequence

from .model import Article, Site


def issue_neighbours(site: Site) -> dict[str, tuple[str | None, str | None]]:
    """Each issue's previous (older) and next (newer) issue of the same publication, by
    key, in the order of :attr:`~brief.model.Site.issues_by_publication` (issues that
    are not in the site, held back or empty, are never anyone's neighbour)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for keys in site.issues_by_publication.values():  # newest first
        for index, key in enumerate(keys):
            older = keys[index + 1] if index + 1 < len(keys) else None
            newer = keys[index - 1] if index > 0 else None
            found[key] = (older, newer)
    return found


def related_articles(site: Site, count: int) -> dict[str, tuple[str, ...]]:
    """Up to ``count`` related articles of each article, by URL (see the module's docstring)."""
    if count <= 0:
        return {}
    facts = tuple(
        (url, a.date.toordinal(), site.article_rank[url], tuple(_topics(a)), tuple(_authors(a)))
        for url, a in site.articles.items()
    )
    return dict(_related(facts, count))


@functools.lru_cache(maxsize=1)
def _related(facts: tuple[tuple[str, int, int, tuple[str, ...], tuple[str, ...]], ...], count: int) -> dict[str, tuple[str, ...]]:
    """:func:`related_articles` from what it reads of each article: its URL, day, place in the
    site's order, topics and authors. Remembered: the preview rebuilds the site after each
    edit, and most edits change none of these."""
    rank = {url: place for url, _, place, _, _ in facts}
    day = {url: ordinal for url, ordinal, _, _, _ in facts}
    by_topic: dict[str, list[str]] = {}
    by_author: dict[str, list[str]] = {}
    for url, _, _, topics, authors in facts:
        for topic in topics:
            by_topic.setdefault(topic, []).append(url)
        for author in authors:
            by_author.setdefault(author, []).append(url)
    # Each topic's articles oldest first, with their days.
    topic_lists = {slug: sorted(urls, key=day.__getitem__) for slug, urls in by_topic.items()}
    topic_days = {slug: [day[u] for u in urls] for slug, urls in topic_lists.items()}
    topic_sets = {slug: frozenset(urls) for slug, urls in by_topic.items()}

    author_sets = {author: frozenset(urls) for author, urls in by_author.items()}
    # The articles of each pair of topics, and of each topic and author, that some article
    # has: who ranks above an article that shares one topic only (see _rank).
    pairs: dict[tuple[str, str], list[str]] = {}
    for url, _, _, topics, authors in facts:
        for key in _pairs(topics, authors):
            pairs.setdefault(key, []).append(url)

    found: dict[str, tuple[str, ...]] = {}
    for url, today, _, topics, authors in facts:
        above = set().union(*(pairs[key] for key in _pairs(topics, authors)))
        found[url] = tuple(_rank(url, today, topics, authors, above, count, topic_lists, topic_days, topic_sets, author_sets, day, rank))
    return found


def _topics(article: Article) -> list[str]:
    return list(dict.fromkeys(t.slug for t in article.topics))


def _authors(article: Article) -> list[str]:
    return list(dict.fromkeys(a.id for a in article.authors))


def _pairs(topics: Sequence[str], authors: Sequence[str]) -> Iterable[tuple[str, str]]:
    """The keys of an article's pairs of topics (in order) and of topic and author (``@``-marked)."""
    for i, first in enumerate(topics):
        for second in topics[i + 1:]:
            yield (first, second) if first < second else (second, first)
        for author in authors:
            yield (first, "@" + author)


def _rank(
    url: str, today: int, topics: Sequence[str], authors: Sequence[str], above: set[str], count: int,
    topic_lists: dict[str, list[str]], topic_days: dict[str, list[int]], topic_sets: dict[str, frozenset[str]],
    author_sets: dict[str, frozenset[str]], day: dict[str, int], rank: dict[str, int],
) -> list[str]:
    """The ``count`` articles most related to the one at ``url``."""
    def nearness(other: str) -> tuple[int, int]:
        return (abs(day[other] - today), rank[other])

    def topics_of(other: str) -> int:
        return sum(1 for t in topics if other in topic_sets[t])

    def authors_of(other: str) -> int:
        return sum(1 for a in authors if other in author_sets[a])

    # ``above``: who ranks above every article that shares one topic only, because it
    # shares two topics or more, or a topic and an author.
    above.discard(url)
    scored = {other: (-topics_of(other), -authors_of(other), *nearness(other)) for other in above}
    chosen = heapq.nsmallest(count, scored, key=scored.__getitem__)
    if len(chosen) < count:
        # One topic shared and no author: the nearest in date of each topic's articles.
        skip = above | {url}
        nearest: set[str] = set()
        for topic in topics:
            nearest.update(_nearest(topic_lists[topic], topic_days[topic], today, count - len(chosen), skip))
        chosen.extend(heapq.nsmallest(count - len(chosen), nearest, key=nearness))
    if len(chosen) < count:
        # No topic shared: authors alone.
        rest = set().union(*(author_sets[a] for a in authors)) - above - {url}
        rest = {o for o in rest if not topics_of(o)}
        chosen.extend(heapq.nsmallest(count - len(chosen), rest, key=lambda o: (-authors_of(o), *nearness(o))))
    return chosen


def _nearest(urls: list[str], days: list[int], today: int, wanted: int, skip: set[str]) -> Iterable[str]:
    """The first ``wanted`` of ``urls`` (sorted by ``days``) on each side of ``today`` that are
    not in ``skip``, and the others of the last one's day: among them are the ``wanted``
    nearest to ``today``, whatever breaks the ties of a day."""
    middle = bisect.bisect_left(days, today)
    for step in (range(middle - 1, -1, -1), range(middle, len(urls))):
        taken, last = 0, None
        for index in step:
            if taken >= wanted and days[index] != last:
                break
            if urls[index] not in skip:
                yield urls[index]
                taken, last = taken + 1, days[index]
