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
import itertools
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
    facts = tuple(
        (url, a.date.toordinal(), site.article_rank[url], tuple(_topics(a)), tuple(_authors(a)))
        for url, a in site.articles.items()
    )
    return dict(_related(facts, count))


#: How many shared topics and authors together the index lists articles by; articles that
#: share more are few, and are ranked by counting.
INDEXED = 3


@functools.lru_cache(maxsize=1)
def _related(facts: tuple[tuple[str, int, int, tuple[str, ...], tuple[str, ...]], ...], count: int) -> dict[str, tuple[str, ...]]:
    """:func:`related_articles` from what it reads of each article: its URL, day, place in the
    site's order, topics and authors. Remembered: the preview rebuilds the site after each
    edit, and most edits change none of these.

    Each article's topics and authors (marked ``@``) are its features. An index lists, for
    every set of up to :data:`INDEXED` features that some article has, the articles that have
    them all, by date. Candidates are taken class by class, the best class first, where a
    class is a number of shared topics and of shared authors: the members of a class are in
    the index lists of its sets of features, and only the nearest in date of each list count.
    Every article of a better class has been taken by then (or enough were taken), so a list
    yields its class's members only. Classes of more than :data:`INDEXED` features are ranked
    by counting what each article that shares that many has in common."""
    rank = {url: place for url, _, place, _, _ in facts}
    day = {url: ordinal for url, ordinal, _, _, _ in facts}
    features = {url: (topics, tuple("@" + a for a in authors)) for url, _, _, topics, authors in facts}
    index: dict[tuple[str, ...], list[str]] = {}
    for url, (topics, authors) in features.items():
        mine = sorted(topics + authors)
        for size in range(1, INDEXED + 1):
            for key in itertools.combinations(mine, size):
                index.setdefault(key, []).append(url)
    for urls in index.values():
        urls.sort(key=day.__getitem__)
    days = {key: [day[u] for u in urls] for key, urls in index.items()}

    found: dict[str, tuple[str, ...]] = {}
    for url, today, _, _, _ in facts:
        topics, authors = features[url]

        def nearness(other: str) -> tuple[int, int]:
            return (abs(day[other] - today), rank[other])

        chosen: list[str] = []
        taken = {url}
        shared: dict[str, tuple[int, int]] | None = None
        classes = sorted(((t, a) for t in range(len(topics) + 1) for a in range(len(authors) + 1)), reverse=True)
        for t, a in classes[:-1]:  # the last is (0, 0): nothing shared
            need = count - len(chosen)
            if need <= 0:
                break
            members: set[str] = set()
            if t + a <= INDEXED:
                for some_topics in itertools.combinations(topics, t):
                    for some_authors in itertools.combinations(authors, a):
                        key = tuple(sorted(some_topics + some_authors))
                        if key in index:
                            members.update(_nearest(index[key], days[key], today, need, taken))
            else:
                if shared is None:
                    shared = _shared(url, topics, authors, index, features)
                members = {o for o, score in shared.items() if score == (t, a) and o not in taken}
            picked = heapq.nsmallest(need, members, key=nearness)
            chosen.extend(picked)
            taken.update(picked)
        found[url] = tuple(chosen)
    return found


def _shared(
    url: str, topics: tuple[str, ...], authors: tuple[str, ...], index: dict[tuple[str, ...], list[str]],
    features: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
) -> dict[str, tuple[int, int]]:
    """How many topics and authors each article that shares :data:`INDEXED` or more of them
    with the article at ``url`` shares, counted."""
    rich: set[str] = set()
    for key in itertools.combinations(sorted(topics + authors), INDEXED):
        rich.update(index.get(key, ()))
    rich.discard(url)
    mine_t, mine_a = set(topics), set(authors)
    return {
        other: (len(mine_t.intersection(features[other][0])), len(mine_a.intersection(features[other][1])))
        for other in rich
    }


def _topics(article: Article) -> list[str]:
    return list(dict.fromkeys(t.slug for t in article.topics))


def _authors(article: Article) -> list[str]:
    return list(dict.fromkeys(a.id for a in article.authors))


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
