"""The render stage, before and after a change: alternating builds of two versions of Brief.

Writes the corpus of :mod:`corpus` once, then for each of ``--rounds`` rounds builds it
with the code of ``--before`` (a git revision) and with this working tree, each in its
own copy of the project (the content, and that version's templates and static files):
a cold build (no cache, no output), then a build after a comment is appended to
``templates/base.html``. Each build is ``python -m brief build --timings`` in a child
process; the table gives, per build, the CPU of the render, write and Markdown stages
and of the whole build (worker processes included, as ``--timings`` prints them), and
the CPU the rest of the machine used meanwhile (from ``/proc/stat``), to say how loaded
it was. Compare within one run: on a shared machine CPU times stretch with the load.

    python benchmarks/bench_render.py --before b0bf66a               # 4,000 articles, 2 rounds
    python benchmarks/bench_render.py --before HEAD~3 --n 300 --rounds 1
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
from bench_build import _TIMING_LINE  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
STAGES = ("render", "write", "markdown", "total")


def code_of(revision: str, target: Path) -> Path:
    """brief/ as it is at ``revision``, unpacked into ``target``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "brief"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target)
    return target


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since it started."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return (sum(fields[:3]) + sum(fields[5:8])) / os.sysconf("SC_CLK_TCK")


def measure(project: Path, source: Path) -> dict[str, float]:
    """One ``brief build --timings``: CPU of each stage in ``STAGES``, and others' CPU."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "brief", "build", "--content", "content", "--out", "_site", "--timings", "--no-search", "--no-pdf"]
    busy = busy_seconds()
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    busy = busy_seconds() - busy
    if done.returncode != 0:
        raise SystemExit(f"bench_render: the build failed:\n{done.stdout}{done.stderr}")
    found: dict[str, float] = {}
    for line in done.stdout.splitlines():
        match = _TIMING_LINE.match(line)
        if match and match.group(1) in STAGES and match.group(3):
            found[match.group(1)] = float(match.group(3)) / 1000
    found["others"] = busy - found.get("total", 0.0)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="git revision of the code to compare with")
    parser.add_argument("--n", type=int, default=4000, help="articles (default 4000)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as scratch:
        work = Path(scratch)
        sources = {"before": code_of(args.before, work / "before"), "after": REPO}
        corpus.generate(work / "corpus", args.n, 1)
        print(f"| round | build | code | {' | '.join(STAGES)} | others |")
        print("|---:|---|---|" + "---:|" * (len(STAGES) + 1))
        for round_ in range(1, args.rounds + 1):
            projects = {}
            for name, source in sources.items():
                project = projects[name] = work / name / "project"
                shutil.rmtree(project, ignore_errors=True)
                shutil.copytree(work / "corpus" / "content", project / "content")
                for folder in ("templates", "static"):
                    shutil.copytree(source / "brief" / folder, project / folder)
            for label in ("cold", "template edited"):
                for name, source in sources.items():
                    if label == "template edited":
                        with open(projects[name] / "templates" / "base.html", "a", encoding="utf-8") as base:
                            base.write(f"<!-- edited at {time.time()} -->\n")
                    figures = measure(projects[name], source)
                    cells = " | ".join(f"{figures.get(stage, 0.0):.2f}" for stage in STAGES)
                    print(f"| {round_} | {label} | {name} | {cells} | {figures['others']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
