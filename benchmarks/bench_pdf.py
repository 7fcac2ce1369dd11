"""What the issue PDFs cost: one issue's layout (time and memory), and their share of a
cold and an incremental build of a large archive.

    python benchmarks/bench_pdf.py --n 4000 --issues 5

1. Writes the synthetic corpus (``corpus.py``: issues of 4–6 articles of about 1,800
   words, a table, notes and Chinese terms each, no images) into a temporary folder.
2. Builds it cold without PDFs (``pdf: false``): the baseline.
3. Turns PDFs on for the newest ``--issues`` issues of each publication and builds again:
   only the pdf stage has work (the Markdown and the images are cached), so its time and
   CPU are the cost of laying out those issues; the cost per issue, times the archive's
   issues, is the cost of ``pdf: all`` in a cold build (an extrapolation, labelled so:
   laying out every issue of a 4,000-article archive takes many minutes).
4. Edits one article of the newest issue and builds again: one issue is laid out anew,
   the others come from the cache.
5. Builds again with nothing changed but the output's manifest removed, so that the
   whole pipeline runs: the pdf stage only reads its cache (page ranges) for every issue.
6. Lays out one issue in a fresh process, alone: its time, and the process's peak memory
   (``VmHWM``: WeasyPrint and the fonts loaded, the document laid out and written).

Every step runs the real pipeline in this process (worker processes for the layouts);
CPU figures add this process's and its children's.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402

from brief import pdf as pdfstage  # noqa: E402
from brief.options import BuildOptions  # noqa: E402
from brief.pipeline import BuildReport, build  # noqa: E402


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def set_pdf(project: Path, value: str) -> None:
    site = project / "content" / "site.yaml"
    text = re.sub(r"(?m)^pdf: .*\n", "", site.read_text(encoding="utf-8"))
    site.write_text(text + f"pdf: {value}\n", encoding="utf-8")


def timed_build(project: Path, label: str, jobs: int | None) -> tuple[BuildReport, float, float]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    report = build(BuildOptions(content=project / "content", project=project, out=project / "_site", jobs=jobs))
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    stage = dict(report.timings).get("pdf", 0.0)
    print(f"{label:<48} wall {wall:7.1f} s  CPU {cpu:7.1f} s  pdf stage {stage:6.2f} s  PDFs laid out {report.pdfs_made}", flush=True)
    return report, wall, cpu


def newest_issue(project: Path) -> Path:
    """The folder of China Brief's newest issue (by the date in its issue.yaml)."""
    folders = [p for p in (project / "content" / "china-brief").iterdir() if (p / "issue.yaml").is_file()]
    return max(folders, key=lambda p: re.findall(r"(?m)^date: *(\S+)", (p / "issue.yaml").read_text(encoding="utf-8")))


def one_issue(project: Path, jobs: int | None) -> None:
    """Capture the layout jobs of a build (with the PDF cache emptied), then run the one with
    the most articles alone in a fresh process."""
    captured: list[pdfstage.PdfJob] = []
    original = pdfstage._run_jobs

    def capture(jobs_: list[pdfstage.PdfJob], workers: int | None, progress: object) -> list[str]:
        captured.extend(jobs_)
        return original(jobs_, workers, progress)  # type: ignore[arg-type]

    pdfstage._run_jobs = capture  # type: ignore[assignment]
    try:
        shutil.rmtree(project / pdfstage.CACHE_FOLDER, ignore_errors=True)
        for manifest in (project / ".brief-cache" / "build").glob("manifest-*.json"):
            manifest.unlink()
        build(BuildOptions(content=project / "content", project=project, out=project / "_site", jobs=jobs))
    finally:
        pdfstage._run_jobs = original  # type: ignore[assignment]
    job = max(captured, key=lambda j: (len(j.articles), len(j.html)))
    with tempfile.TemporaryDirectory() as scratch:
        job_file = Path(scratch) / "job.pickle"
        job = type(job)(job.key, job.html, job.address, Path(scratch) / "entry", job.files, job.articles, job.missing_cjk)
        job_file.write_bytes(pickle.dumps(job))
        script = (
            "import json, pickle, resource, sys, time\n"
            "from brief import pdf\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
            "def peak():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            return int(line.split()[1]) / 1024\n"
            "job = pickle.load(open(sys.argv[1], 'rb'))\n"
            "start = time.process_time(); pdf._worker_start(); fonts = time.process_time() - start\n"
            "start = time.process_time(); pdf.layout_issue(job); layout = time.process_time() - start\n"
            "pages = json.load(open(job.entry / 'pages.json'))['pages']\n"
            "print(json.dumps({'fonts': fonts, 'layout': layout, 'pages': pages, "
            "'articles': len(job.articles), 'peak_mib': peak(), "
            "'bytes': (job.entry / 'issue.pdf').stat().st_size}))\n"
        )
        done = subprocess.run([sys.executable, "-c", script, str(job_file)], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        figures = json.loads(done.stdout)
    print(
        f"one issue alone: {figures['articles']} articles, {figures['pages']} pages, {figures['bytes'] / 1e6:.2f} MB; "
        f"loading WeasyPrint and the fonts {figures['fonts']:.2f} CPU-s, layout and writing (issue and article PDFs) "
        f"{figures['layout']:.2f} CPU-s; peak memory of the process {figures['peak_mib']:.0f} MiB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the issue PDFs on a synthetic corpus.")
    parser.add_argument("--n", type=int, default=4000, help="articles in the corpus (default 4000)")
    parser.add_argument("--issues", type=int, default=5, help="newest issues of each publication to lay out (default 5)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--work", type=Path, help="a folder to work in (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="brief-bench-pdf-"))
    try:
        project = work / f"corpus-{args.n}"
        if project.exists():
            shutil.rmtree(project)
        corpus = generate(project, args.n)
        issues = len(corpus.issues)
        print(f"corpus: {args.n} articles in {issues} issues; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
        set_pdf(project, "false")
        _, base_wall, base_cpu = timed_build(project, "cold build, pdf: false", args.jobs)
        set_pdf(project, str(args.issues))
        report, wall, cpu = timed_build(project, f"pdf: {args.issues} (only the PDFs to make)", args.jobs)
        laid = report.pdfs_made
        per_issue_cpu = cpu / max(1, laid)
        per_issue_wall = dict(report.timings)["pdf"] / max(1, laid)
        print(
            f"per issue: {per_issue_cpu:.2f} CPU-s, {per_issue_wall:.2f} s of the pdf stage's wall time "
            f"({os.cpu_count()} workers)", flush=True,
        )
        print(
            f"EXTRAPOLATED, pdf: all for the {issues} issues: + {per_issue_cpu * issues / 60:.1f} CPU-min, "
            f"+ {per_issue_wall * issues / 60:.1f} min of wall time over a cold build without PDFs "
            f"({base_wall:.0f} s wall, {base_cpu:.0f} CPU-s here)", flush=True,
        )
        newest = newest_issue(project)
        article = sorted(newest.glob("*.md"))[-1]
        article.write_text(article.read_text(encoding="utf-8").replace("\n\n", "\n\nAn edited sentence.\n\n", 1), encoding="utf-8")
        timed_build(project, "one article edited (its issue laid out again)", args.jobs)
        for manifest in (project / ".brief-cache" / "build").glob("manifest-*.json"):
            manifest.unlink()
        timed_build(project, "nothing changed, the whole pipeline run", args.jobs)
        one_issue(project, args.jobs)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
