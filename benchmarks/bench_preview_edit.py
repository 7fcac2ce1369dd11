"""The preview's rebuild after one article's body is edited, inside the process, on the CPU clock.

For each size N it writes the corpus of :mod:`corpus` (or uses ``--project``), builds
it as ``brief serve`` does (:class:`brief.serve.session.Preview`, which keeps its
state in memory), then edits the bodies of articles one after another, each rebuild
told which file changed as the server's watcher tells it, and prints for each rebuild
its CPU time (this process's, so the machine's other work changes it little) and the
calls it made into Brief's own functions (``cProfile``). Two kinds of articles:

* ``no feed``: articles no feed carries among its newest entries, whose edit renders
  the same kind and number of pages at any size (their own, their neighbours', their
  issue's, their authors', topics' and related pages, their citation files);
* ``any``: articles picked evenly through the archive, some of which feeds carry
  (each such feed is rendered again): the cost varies with the article.

The first edit is left out of the medians (it pays one-off set-up in the process).

    python benchmarks/bench_preview_edit.py --sizes 1000 4000
    python benchmarks/bench_preview_edit.py --project /path/to/corpus --edits 5
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import corpus  # noqa: E402
from brief.options import BuildOptions  # noqa: E402
from brief.serve.session import Preview  # noqa: E402


def calls_into_brief(profile: cProfile.Profile) -> int:
    """Calls the profile counted into functions of the ``brief`` package (templates left out)."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return sum(v[1] for k, v in stats.items() if "/brief/" in k[0] and "/templates/" not in k[0])


def run(project: Path, edits: int, out: Path | None = None) -> None:
    options = BuildOptions(
        content=project / "content", project=project, out=out or project / ".brief" / "preview" / "bench-preview-edit",
        base_url="http://127.0.0.1:8000/", pdf=False, search_index=False,
    )
    preview = Preview(options)
    started = time.process_time()
    outcome = preview.build()
    assert not outcome.problems, outcome.problems
    print(f"{project}: {outcome.articles} articles, first build {time.process_time() - started:.1f} CPU-s", flush=True)
    state = preview.state
    if state.published is None:  # the output was up to date: nothing was built, nothing is in memory yet
        first = next(p for p in sorted((project / "content").rglob("*.md")) if "authors" not in p.parts)
        first.write_text(first.read_text(encoding="utf-8") + "\nA sentence added by the benchmark.\n", encoding="utf-8")
        assert not preview.build({str(first)}).problems
    assert state.published is not None and state.fingerprints.last is not None
    carried = {a.url for feed in state.fingerprints.last.feeds for a in feed.articles}
    articles = sorted(state.published.articles.values(), key=lambda a: a.source.path)
    quiet = [a for a in articles if a.url not in carried]
    kinds = {
        "no feed": [quiet[i * len(quiet) // (edits + 2)] for i in range(1, edits + 2)],
        "any": [articles[i * len(articles) // (edits + 2)] for i in range(1, edits + 2)],
    }
    for kind, picks in kinds.items():
        seconds, calls = [], []
        for number, article in enumerate(picks):
            path = project / article.source.path
            text = path.read_text(encoding="utf-8")
            end = text.index("\n---\n", 4) + len("\n---\n")
            path.write_text(text[:end] + f"\nA sentence added by the benchmark ({kind} {number} {time.time_ns()}).\n" + text[end:], encoding="utf-8")
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            outcome = preview.build({str(path)})
            profile.disable()
            assert not outcome.problems, outcome.problems
            calls.append(calls_into_brief(profile))
            started = time.process_time()  # the same edit's cost without the profiler: edit again
            path.write_text(path.read_text(encoding="utf-8").replace("added by the benchmark", "added again by the benchmark", 1), encoding="utf-8")
            outcome = preview.build({str(path)})
            seconds.append(time.process_time() - started)
            preview.tidy()
        print(
            f"  {kind:8} ({len(quiet) if kind == 'no feed' else len(articles)} such articles): "
            f"CPU per edit, median {statistics.median(seconds[1:]):.4f} s "
            f"({', '.join(f'{s:.3f}' for s in seconds)}); calls into Brief per edit, median {statistics.median(calls[1:]):,.0f}",
            flush=True,
        )
    preview.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--edits", type=int, default=7, help="edits of each kind counted (one more is made first)")
    parser.add_argument("--project", type=Path, help="a corpus written before (corpus.py --out), instead of --sizes")
    parser.add_argument("--out", type=Path, help="with --project: the preview's output folder (one of an earlier run is quicker)")
    args = parser.parse_args(argv)
    if args.project is not None:
        run(args.project.resolve(), args.edits, args.out.resolve() if args.out else None)
        return 0
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="bench-preview-edit-"))
        try:
            corpus.generate(work, size)
            run(work, args.edits)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
