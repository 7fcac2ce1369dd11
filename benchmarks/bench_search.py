"""Search benchmark: the cost of the search index on a synthetic archive.

For each size N (default 1,000 and 4,000 articles) it writes the corpus of
:mod:`corpus` into a temporary project and builds it without search (so that
the Markdown cache is warm), then, in this process, makes the index the way a
build does (:func:`brief.search.search_documents` and
:func:`brief.search.write_index`), and measures:

* time: wall time of the documents (Python) and of Pagefind (its binary);
* CPU: user + system time of this process while it makes the documents, and of
  Pagefind (from ``os.wait4``, which counts all the binary's threads);
* peak memory: Pagefind's peak RSS (``ru_maxrss`` from ``os.wait4`` on the binary's
  process; the benchmark runs it through a wrapper of ``subprocess.run`` that waits so);
* size: the published bundle (files and bytes; the index proper, its fragments,
  and Pagefind's scripts);
* what a first search downloads: the search page is opened in Chromium, a
  query typed in, and the bytes of every response counted (HTML, CSS, scripts,
  WebAssembly, index chunks, fragments for the first page of results).

``--without-hidden`` also makes the index with the hidden converted forms of
Chinese terms left out, to show what they cost.

    python benchmarks/bench_search.py                  # N = 1000 and 4000
    python benchmarks/bench_search.py --sizes 200      # a quick check
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import generate  # noqa: E402

from brief import search  # noqa: E402
from brief.options import BuildOptions  # noqa: E402
from brief.pipeline import BuildReport, build  # noqa: E402

QUERIES = ("liberation", "解放军")


#: The resource usage of the last process run through :func:`_run_measured`.
USAGE: dict[str, Any] = {}


def _run_measured(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` as :func:`brief.search.write_index` calls it, keeping the process's rusage."""
    kwargs.pop("capture_output", None)
    timeout = kwargs.pop("timeout", None)
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        USAGE["rusage"] = usage
        out.seek(0)
        said = out.read().decode("utf-8", "replace")
    del timeout
    return subprocess.CompletedProcess(command, process.returncode, said, "")


def measure_index(report: BuildReport, project: Path, hidden: bool = True) -> dict[str, Any]:
    assert report.site is not None
    saved = search.hidden_words
    if not hidden:
        search.hidden_words = lambda text, segmented=False: ""  # type: ignore[assignment]
    try:
        start, cpu = time.perf_counter(), os.times()
        documents = search.search_documents(report.site, report.content_of)
        docs_wall, docs_cpu = time.perf_counter() - start, _own_cpu(os.times(), cpu)
        folder = project / "index"
        start, cpu = time.perf_counter(), os.times()
        search.subprocess.run = _run_measured  # type: ignore[attr-defined]
        bundle = search.write_index(documents, folder)
        index_wall = time.perf_counter() - start
    finally:
        search.hidden_words = saved
        search.subprocess.run = subprocess.run  # type: ignore[attr-defined]
    usage = USAGE["rusage"]
    files = search.bundle_files(bundle)
    sizes = {rel: path.stat().st_size for rel, path in files}
    return {
        "documents": len(documents),
        "docs_bytes": sum(len(d.html.encode()) for d in documents),
        "docs_wall": docs_wall, "docs_cpu": docs_cpu,
        "index_wall": index_wall, "index_cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "files": len(files), "bytes": sum(sizes.values()),
        "fragment_bytes": sum(v for k, v in sizes.items() if "/fragment/" in k),
        "index_bytes": sum(v for k, v in sizes.items() if "/index/" in k),
        "bundle": bundle,
    }


def _own_cpu(after: Any, before: Any) -> float:
    return (after.user - before.user) + (after.system - before.system)


def first_search_bytes(site: Path, query: str) -> tuple[int, int, dict[str, int]]:
    """Bytes (and requests) the search page downloads to show the first results for ``query``,
    and the bytes by kind of file."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sizes: list[tuple[str, int]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "chromium", args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.on("response", lambda r: sizes.append((r.url, len(r.body()))) if r.ok else None)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/")
            page.wait_for_selector(".pagefind-ui__search-input")
            page.fill(".pagefind-ui__search-input", query)
            page.wait_for_selector(".pagefind-ui__result-title")
            page.wait_for_timeout(1000)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    kinds: dict[str, int] = {}
    for url, size in sizes:
        name = url.rsplit("/", 1)[-1] or "search page"
        kind = next((k for k in ("pf_fragment", "pf_index", "pf_filter", "pf_meta", "wasm") if k in name), name)
        kinds[kind] = kinds.get(kind, 0) + size
    return sum(size for _, size in sizes), len(sizes), kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--without-hidden", action="store_true", help="also index without the converted Chinese forms")
    args = parser.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="brief-bench-search-") as temp:
            project = Path(temp)
            generate(project, n)
            report = build(BuildOptions(content=project / "content", project=project, out=project / "_site", search=False))
            runs = [("with hidden forms", True)] + ([("without them", False)] if args.without_hidden else [])
            for label, hidden in runs:
                m = measure_index(report, project, hidden)
                print(f"N={n} ({label}): {m['documents']} documents, {m['docs_bytes'] / 1e6:.1f} MB")
                print(f"  documents: {m['docs_wall']:.2f} s wall, {m['docs_cpu']:.2f} s CPU")
                print(f"  pagefind:  {m['index_wall']:.2f} s wall, {m['index_cpu']:.2f} s CPU, peak RSS {m['peak_mb']:.0f} MB")
                print(f"  bundle:    {m['files']} files, {m['bytes'] / 1e6:.1f} MB"
                      f" (fragments {m['fragment_bytes'] / 1e6:.1f} MB, index {m['index_bytes'] / 1e6:.1f} MB)")
                if hidden:
                    site = project / "_site"
                    shutil.rmtree(site / search.SEARCH_FOLDER, ignore_errors=True)
                    for rel, path in search.bundle_files(m["bundle"]):
                        (site / rel).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(path, site / rel)
                    page = search.SEARCH_PAGE + "index.html"
                    if not (site / page).is_file():  # built without search: the page comes from a build with it
                        build(BuildOptions(content=project / "content", project=project, out=project / "_page"))
                        (site / page).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(project / "_page" / page, site / page)
                    for query in QUERIES:
                        total, requests, kinds = first_search_bytes(site, query)
                        print(f"  first search for {query}: {total / 1024:.0f} KiB in {requests} responses")
                        print("    " + ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
