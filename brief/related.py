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

    found: dict[str, tuple[str, ...]] = {}
    for url, article in articles.items():
        topics = list(dict.fromkeys(t.slug for t in article.topics))
        authors = list(dict.fromkeys(a.id for a in article.authors))
        found[url] = tuple(_rank(url, day[url], topics, authors, count, topic_lists, topic_days, topic_sets, by_author, day, rank))
    return found


def _rank(
    url: str, today: int, topics: list[str], authors: list[str], count: int,
    topic_lists: dict[str, list[str]], topic_days: dict[str, list[int]], topic_sets: dict[str, frozenset[str]],
    by_author: dict[str, list[str]], day: dict[str, int], rank: dict[str, int],
) -> list[str]:
    """The ``count`` articles most related to the one at ``url``."""
    def nearness(other: str) -> tuple[int, int]:
        return (abs(day[other] - today), rank[other])

    # Who shares an author, and how many.
    shared_authors: dict[str, int] = {}
    for author in authors:
        for other in by_author.get(author, ()):
            if other != url:
                shared_authors[other] = shared_authors.get(other, 0) + 1
    # Who shares two topics or more (rare, so counted one by one), and who shares an
    # author and one topic: each ranks above every article that shares one topic only.
    shared_topics: dict[str, int] = {}
    for i, first in enumerate(topics):
        for second in topics[i + 1:]:
            for other in topic_sets[first] & topic_sets[second]:
                shared_topics[other] = 0
    for other in shared_topics:
        shared_topics[other] = sum(1 for t in topics if other in topic_sets[t])
    for other in shared_authors:
        if other not in shared_topics:
            n = sum(1 for t in topics if other in topic_sets[t])
            if n:
                shared_topics[other] = n
    shared_topics.pop(url, None)
    chosen = heapq.nsmallest(
        count, shared_topics, key=lambda o: (-shared_topics[o], -shared_authors.get(o, 0), *nearness(o))
    )
    if len(chosen) < count:
        # One topic shared and no author: the nearest in date of each topic's articles.
        skip = set(shared_topics) | {url}
        nearest: list[str] = []
        for topic in topics:
            nearest.extend(_nearest(topic_lists[topic], topic_days[topic], today, count - len(chosen), skip))
        chosen.extend(heapq.nsmallest(count - len(chosen), set(nearest), key=nearness))
    if len(chosen) < count:
        # No topic shared: authors alone.
        rest = [o for o in shared_authors if o not in shared_topics]
        chosen.extend(heapq.nsmallest(count - len(chosen), rest, key=lambda o: (-shared_authors[o], *nearness(o))))
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
