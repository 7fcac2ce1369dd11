"""Markdown benchmark: :func:`brief.markdown.render_article` against markdown-it-py's floor.

Writes the synthetic corpus of :mod:`corpus` (``--n`` articles, 300 by default)
into a temporary folder, loads it with :func:`brief.load.load_content`, and
times, in this one process (no workers):

* ``brief``: ``render_article`` over every article (body, notes, summary
  bullets, everything the Markdown stage does);
* ``floor``: ``MarkdownIt("commonmark").enable("table").render(body)`` over the
  same bodies, i.e. plain markdown-it-py on the body alone, with none of Brief's
  rules; front-matter notes and summary bullets are not rendered;
* ``settings``: the same, with the parser settings Brief uses (raw HTML rules
  off, :mod:`brief.mdplugins.speedups`) but none of Brief's own rules: what
  markdown-it-py itself costs inside ``brief``.

Each is the best of ``--repeat`` passes (3 by default) after one warm-up pass
(imports, compiled regular expressions, caches). It prints milliseconds per
article of CPU time (``time.process_time``: the figure to compare, as it hardly
moves when other processes share the machine) and of wall time
(``time.perf_counter``), and the ratio of CPU times to the floor, under a line
naming the versions of Python, markdown-it-py and mdit-py-plugins measured (the
speed-ups copy markdown-it-py's internals: figures hold for the pinned versions).

    python benchmarks/bench_markdown.py
    python benchmarks/bench_markdown.py --n 1000 --repeat 5
    python benchmarks/bench_markdown.py --profile        # cProfile of one brief pass, top 30
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

from brief.errors import Diagnostics  # noqa: E402
from brief.load import load_content  # noqa: E402
from brief.markdown import render_article  # noqa: E402
from brief.mdplugins.speedups import speedups_plugin  # noqa: E402


def best_of(repeat: int, run: Callable[[], None]) -> tuple[float, float]:
    """The shortest CPU and wall times (seconds) of ``repeat`` passes of ``run``, after one untimed pass."""
    run()
    cpu, wall = [], []
    for _ in range(repeat):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return min(cpu), min(wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="articles in the corpus (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best counts (default 3)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one brief pass")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="brief-bench-md-") as folder:
        root = Path(folder)
        corpus.generate(root, args.n, args.seed)
        diagnostics = Diagnostics()
        loaded = load_content(root / "content", root, diagnostics)
    if list(diagnostics):
        print(f"the corpus has {len(list(diagnostics))} load problems, e.g. {list(diagnostics)[0]}", file=sys.stderr)
        return 1
    dates = {issue.key: issue.date for issue in loaded.issues}
    tasks = [(source, dates[source.issue_key]) for source in loaded.articles]
    bodies = [source.body for source, _date in tasks]
    count = len(tasks)

    problems = sum(len(render_article(source, date)[1]) for source, date in tasks)
    if problems:
        print(f"rendering reported {problems} problems; the corpus should have none", file=sys.stderr)
        return 1

    def run_brief() -> None:
        for source, date in tasks:
            render_article(source, date)

    floor_md = MarkdownIt("commonmark").enable("table")
    settings_md = MarkdownIt("commonmark").enable("table").disable(["html_block", "html_inline"]).use(speedups_plugin)

    def run_floor() -> None:
        for body in bodies:
            floor_md.render(body)

    def run_settings() -> None:
        for body in bodies:
            settings_md.render(body)

    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(run_brief)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)

    rows = [
        ("brief", "render_article (body, notes, summary, checks)", best_of(args.repeat, run_brief)),
        ("floor", "MarkdownIt('commonmark').enable('table'), body", best_of(args.repeat, run_floor)),
        ("settings", "the floor with Brief's parser settings, body", best_of(args.repeat, run_settings)),
    ]
    words = sum(len(body.split()) for body in bodies) / count
    print(f"Python {platform.python_version()} on {platform.machine()}, markdown-it-py {version('markdown-it-py')}, "
          f"mdit-py-plugins {version('mdit-py-plugins')}; {count} articles "
          f"(about {words:,.0f} words each), best of {args.repeat}")
    print(f"{'':9} {'CPU ms/article':>14} {'wall ms/article':>15} {'CPU / floor':>11}")
    floor_cpu = rows[1][2][0]
    for name, what, (cpu, wall) in rows:
        print(f"{name:9} {cpu * 1000 / count:14.2f} {wall * 1000 / count:15.2f} {cpu / floor_cpu:11.2f}  {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
