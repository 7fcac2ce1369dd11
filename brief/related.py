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

The ranking looks at every article that shares a topic with the article only
through set intersections and a binary search in each topic's articles by date:
a large archive whose topics hold thousands of articles each is ranked in time
proportional to the articles, not to their square.
"""

from __future__ import annotations

import bisect
import heapq
from typing import Iterable

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
    articles = site.articles
    rank = site.article_rank
    day = {url: a.date.toordinal() for url, a in articles.items()}

    by_topic: dict[str, list[str]] = {}
    by_author: dict[str, list[str]] = {}
    for url, article in articles.items():
        for topic in dict.fromkeys(t.slug for t in article.topics):
            by_topic.setdefault(topic, []).append(url)
        for author in dict.fromkeys(a.id for a in article.authors):
            by_author.setdefault(author, []).append(url)
    # Each topic's articles oldest first, with their days.
    topic_lists = {slug: sorted(urls, key=day.__getitem__) for slug, urls in by_topic.items()}
    topic_days = {slug: [day[u] for u in urls] for slug, urls in topic_lists.items()}
    topic_sets = {slug: frozenset(urls) for slug, urls in by_topic.items()}

    author_sets = {author: frozenset(urls) for author, urls in by_author.items()}

    found: dict[str, tuple[str, ...]] = {}
    for url, article in articles.items():
        topics = list(dict.fromkeys(t.slug for t in article.topics))
        authors = list(dict.fromkeys(a.id for a in article.authors))
        found[url] = tuple(_rank(url, day[url], topics, authors, count, topic_lists, topic_days, topic_sets, author_sets, day, rank))
    return found


def _rank(
    url: str, today: int, topics: list[str], authors: list[str], count: int,
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

    # Who ranks above every article that shares one topic only: who shares two topics
    # or more, and who shares a topic and an author (few; found by set intersections).
    above: set[str] = set()
    for i, first in enumerate(topics):
        for second in topics[i + 1:]:
            above |= topic_sets[first] & topic_sets[second]
        for author in authors:
            above |= topic_sets[first] & author_sets[author]
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
