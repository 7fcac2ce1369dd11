"""Related-articles benchmark: :func:`brief.related.related_articles` on the synthetic corpus.

Plans the corpus of :mod:`corpus` (``--n`` articles; the same authors, topics and dates a
build of it would see) and builds the part of the site model that the ranking reads
(articles with their date, topics, authors and place in the site's order), without
writing or parsing any file. Then times, in this one process:

* ``first``: the ranking of every article, as a build computes it;
* ``again``: the same call on the same site, as the preview's next rebuild makes it
  after an edit that changes no article's date, topics or authors (it is remembered).

It prints CPU seconds (``time.process_time``: the figure to compare when other processes
share the machine) and wall seconds.

    python benchmarks/bench_related.py --sizes 4000 40000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import plan_corpus  # noqa: E402

from brief.model import Article, ArticleContent, ArticleSource, Author, Site, SiteConfig, Topic  # noqa: E402
from brief.related import related_articles  # noqa: E402


def model(n: int) -> Site:
    corpus = plan_corpus(n)
    content = ArticleContent(body_html="", summary_html=(), notes=(), sources=(), figures=(), images=())
    articles: dict[str, Article] = {}
    for planned in corpus.articles:
        url = f"{planned.publication}/{planned.slug}/"
        source = ArticleSource(
            path=url, file_name=planned.file_stem, issue_key=planned.issue.folder, slug=planned.slug,
            title=planned.title, authors=(), body="", body_line=1,
        )
        articles[url] = Article(
            source=source, content=content, publication=planned.publication, issue_key=planned.issue.folder,
            date=planned.issue.date, url=url, authors=tuple(Author(a, a) for a in planned.authors),
            topics=tuple(Topic(t, t.lower()) for t in planned.topics),
        )
    newest = sorted(articles.values(), key=lambda a: (-a.date.toordinal(), a.url))
    return Site(
        config=SiteConfig("Bench", "https://bench.example.org/"), publications=(), issues={}, articles=articles,
        authors={}, article_rank={a.url: rank for rank, a in enumerate(newest)},
    )


def timed(site: Site) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    related_articles(site, 3)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000])
    args = parser.parse_args()
    print("| N | call | CPU (s) | wall (s) |\n|---:|---|---:|---:|")
    for n in args.sizes:
        site = model(n)
        for call in ("first", "again"):
            cpu, wall = timed(site)
            print(f"| {n:,} | {call} | {cpu:.3f} | {wall:.3f} |", flush=True)


if __name__ == "__main__":
    main()
