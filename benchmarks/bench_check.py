"""`brief check` against an incremental `brief build` on the same content.

For each size N (default 4,000) it writes the corpus of :mod:`corpus` (or, with
``--sample``, copies the repository's sample site), builds it once from cold, and
then measures, each in a child process (see :func:`bench_build.measure`):

* ``build, one article edited``: an incremental build after editing one article;
* ``check, one article edited``: a check after editing another article (the
  cache the build left is all it has: it has never run before);
* ``check, no-op``: the same check again, nothing changed;
* ``build, after the check``: the build that publishes the second edit;
* ``check --images``: a check that decodes every image and redraws every card again.

    python benchmarks/bench_check.py                 # N = 4000
    python benchmarks/bench_check.py --sizes 1000
    python benchmarks/bench_check.py --sample        # the repository's content/
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
from bench_build import REPO, Report, edit_article, machine, snapshot_brief  # noqa: E402


def runs(project: Path, articles: list[Path], size: int, report: Report, source: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(source)}
    brief = [sys.executable, "-m", "brief"]
    build = [*brief, "build", "--timings", "--no-pdf"]  # a check makes no PDFs: nor does the build it is compared with
    check = [*brief, "check", "--timings"]
    report.measure(build, project, "brief", size, "build, cold", env)
    edit_article(articles[0], 1)
    report.measure(build, project, "brief", size, "build, one article edited", env)
    edit_article(articles[1], 2)
    report.measure(check, project, "brief", size, "check, one article edited", env)
    report.measure(check, project, "brief", size, "check, no-op", env)
    report.measure(build, project, "brief", size, "build, after the check", env)
    report.measure([*check, "--images"], project, "brief", size, "check --images", env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `brief check` against an incremental `brief build`.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000], metavar="N", help="article counts (default: 4000)")
    parser.add_argument("--sample", action="store_true", help="measure the repository's sample site instead")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--wait-idle", type=float, default=15.0, metavar="S",
                        help="before each run, wait up to S seconds for a quiet machine (default 15; 0: don't)")
    args = parser.parse_args(argv)
    report = Report(args.wait_idle)
    report.note(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="brief-bench-check-"))
    try:
        source, digest = snapshot_brief(work)
        report.note(f"brief: files sha256 {digest}")
        if args.sample:
            project = work / "sample"
            shutil.copytree(REPO / "content", project / "content")
            found = sorted((project / "content").glob("*/*/*.md"))
            runs(project, [found[0], found[-1]], len(found), report, source)
        for size in [] if args.sample else args.sizes:
            project = work / f"corpus-{size}"
            made = corpus.generate(project, size, args.seed)
            picked = [made.articles[len(made.articles) // 3], made.articles[2 * len(made.articles) // 3]]
            paths = [project / "content" / a.publication / a.issue.folder / f"{a.file_stem}.md" for a in picked]
            runs(project, paths, size, report, source)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(report.table())
    print()
    print(report.stages())
    return 0


if __name__ == "__main__":
    sys.exit(main())
