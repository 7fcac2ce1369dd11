"""The preview server (``brief serve``), run as an editor runs it: a child process on a
free port, edited files, HTTP requests and the server-sent events a page listens to."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from bs4 import BeautifulSoup

from brief.pipeline import build
from brief.serve.server import SCRIPT_TAG, locate, output_path, with_script
from sites import REPO, article
from test_incremental import EDITS, article_path, corpus, edit, project_options, tree, write_site

#: How long to wait for the server to start or rebuild (it is a loaded test machine, not a timing).
PATIENCE = 120.0
#: A rebuild is over when the server has printed nothing more for this long.
SETTLE = 0.8


class Served:
    """``brief serve`` running in a child process on a project, with its output read as it comes."""

    def __init__(self, project: Path, *options: str):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        env.pop("BRIEF_DEBUG", None)
        if "--now" not in options:  # the date the project's builds run on (see test_incremental)
            options = ("--now", project_options(project).now.isoformat(), *options)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "brief", "serve", "--port", "0", *options],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, seen in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, seen), daemon=True).start()
        self.url = ""
        deadline = time.monotonic() + PATIENCE
        while not self.url:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            found = re.search(r"serving the preview at (http://\S+/) ", line)
            if found:
                self.url = found.group(1)
        self.address = self.url[len("http://"):].rstrip("/")

    def _read(self, stream: object, seen: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            seen.append(line)
            self.lines.put(line)

    def wait_rebuild(self) -> list[str]:
        """The lines the server prints for the next rebuild(s), once it has gone quiet."""
        got = [self.lines.get(timeout=PATIENCE)]
        while True:
            try:
                got.append(self.lines.get(timeout=SETTLE))
            except queue.Empty:
                return got

    def quiet(self, seconds: float = 1.5) -> list[str]:
        """What the server prints within ``seconds`` (nothing, when it does not rebuild)."""
        got: list[str] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                got.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                break
        return got

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        """A request as a browser sends it (the path is sent exactly as given)."""
        connection = http.client.HTTPConnection(self.address, timeout=30)
        try:
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()

    def events(self, page: str) -> "Events":
        return Events(self, page)

    def stop(self) -> int:
        """Ctrl-C, as an editor stops it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()


class Events:
    """The event stream the reload script of the page at ``page`` (a URL path) listens to."""

    def __init__(self, served: Served, page: str):
        self.received: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        self.response = urllib.request.urlopen(f"{served.url}__brief__/events?page={page}", timeout=PATIENCE)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        name = ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    self.received.put((name, json.loads(line[len("data: "):])))
        except (OSError, ValueError):
            pass

    def next(self, timeout: float = PATIENCE) -> tuple[str, dict[str, object]]:
        return self.received.get(timeout=timeout)

    def none_within(self, seconds: float) -> bool:
        try:
            self.received.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.response.close()


def reload_script_removed(page: bytes) -> bytes:
    assert page.count(SCRIPT_TAG) == 1, "an HTML page is served with the reload script once"
    return page.replace(SCRIPT_TAG, b"")


def cold_build(project: Path, url: str, **changes: object) -> dict[str, bytes | None]:
    """A build from nothing of the same content with the preview's options, in a folder of its own."""
    out = project.parent / f"{project.name}-cold"
    if out.exists():
        shutil.rmtree(out)
    # The preview does not write the search index (brief serve --search does).
    build(project_options(project, out=out, use_cache=False, base_url=url, **{"search_index": False, **changes}))
    return tree(out)


def preview_folder(project: Path, name: str = "site") -> Path:
    return project / ".brief-cache/preview" / name


def assert_serves_exactly(served: Served, project: Path, expected: dict[str, bytes | None], name: str = "site") -> None:
    """What the server serves is the cold build, byte for byte, apart from the reload script; its
    folder holds exactly that and nothing else."""
    output = tree(preview_folder(project, name))
    output.pop(".brief-output")
    expected = {k: v for k, v in expected.items() if k != ".brief-output"}
    assert sorted(output) == sorted(expected)
    for path, data in expected.items():
        if data is None:
            continue
        status, body, headers = served.get("/" + path)
        assert status == 200, path
        if path.endswith(".html") and path != "404.html":
            assert headers["content-type"].startswith("text/html")
            body = reload_script_removed(body)
        elif path == "404.html":
            body = reload_script_removed(body)
        assert body == data, path


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "project"
    write_site(root, corpus())
    shutil.copytree(REPO / "brief/templates", root / "templates")
    shutil.copytree(REPO / "brief/static", root / "static")
    yield root


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    """One server for the tests that only read (no edits)."""
    root = tmp_path_factory.mktemp("shared") / "project"
    write_site(root, corpus())
    shutil.copytree(REPO / "brief/templates", root / "templates")
    shutil.copytree(REPO / "brief/static", root / "static")
    server = Served(root)
    yield server, root
    server.stop()


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project)
    yield server
    server.stop()


def content_files(project: Path) -> dict[str, bytes | None]:
    return tree(project / "content")


# -- the site as served -----------------------------------------------------------------------


def test_serves_the_site_at_its_own_address_with_pretty_urls_and_a_404(shared: tuple[Served, Path]) -> None:
    served, project = shared
    status, home, headers = served.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    soup = BeautifulSoup(home, "html.parser")
    assert soup.find("link", rel="canonical")["href"] == served.url
    assert served.url.startswith("http://127.0.0.1:") and "brief.example.org" not in home.decode()
    status, issue, _ = served.get("/pub/volume-1/issue-1/")
    assert status == 200 and b"V1N1 piece 1" in issue
    status, _, headers = served.get("/pub/volume-1/issue-1")
    assert status == 301 and headers["location"] == "/pub/volume-1/issue-1/"
    status, missing, _ = served.get("/pub/no-such-article/")
    assert status == 404
    assert BeautifulSoup(missing, "html.parser").find("link", rel="canonical")["href"] == served.url + "404.html"
    assert missing == with_script((preview_folder(project) / "404.html").read_bytes())
    status, css, headers = served.get("/static/css/brief.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert css == (project / "static/css/brief.css").read_bytes()  # only pages carry the script
    status, script, headers = served.get("/__brief__/live.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"EventSource" in script


def test_the_reload_script_is_first_party_and_the_content_security_policy_holds(shared: tuple[Served, Path]) -> None:
    served = shared[0]
    _, page, _ = served.get("/pub/v1n1-piece-1/")
    soup = BeautifulSoup(page, "html.parser")
    scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
    assert [s["src"] for s in scripts] == ["/__brief__/live.js"]  # same origin, no inline script
    assert "script-src 'self'" in soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd", "/pub/../../outside.txt", "/%2e%2e/outside.txt", "/%2E%2E/%2E%2E/etc/passwd",
    "/pub/%2e%2e%2f%2e%2e%2foutside.txt", "/..%2f..%2foutside.txt", "//etc/passwd", "/etc/passwd",
    "/%2fetc%2fpasswd", "http://example.org/../outside.txt", "/pub/..\\..\\outside.txt", "/%00/outside.txt",
    "/.brief-output", "/link/secret.txt", "/linked-file.txt",
])
def test_nothing_outside_the_preview_can_be_read(shared: tuple[Served, Path], path: str) -> None:
    served, project = shared
    secret = project.parent / "outside.txt"
    secret.write_text("secret outside the preview\n", encoding="utf-8")
    outside = project.parent / "link-target"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("secret outside the preview\n", encoding="utf-8")
    folder = preview_folder(project)
    if not (folder / "link").exists():
        (folder / "link").symlink_to(outside, target_is_directory=True)
        (folder / "linked-file.txt").symlink_to(secret)
    status, body, _ = served.get(path)
    assert status in (400, 404), (path, status)
    assert b"secret" not in body and b"root:" not in body


def test_locate_keeps_to_the_root(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "a").mkdir(parents=True)
    (root / "a/index.html").write_text("a")
    (root / "page.html").write_text("p")
    real = os.path.realpath(root)
    assert locate(real, "/a/") == (os.path.join(real, "a/index.html"), False)
    assert locate(real, "/a") == (os.path.join(real, "a"), True)
    assert locate(real, "/page.html") == (os.path.join(real, "page.html"), False)
    assert locate(real, "/a/%2e%2e/page.html") == (None, False)
    assert locate(real, "/%ff") == (None, False)
    assert output_path("/") == "index.html" and output_path("/a/") == "a/index.html"


# -- rebuilding -------------------------------------------------------------------------------


def test_after_every_kind_of_edit_the_preview_serves_what_a_cold_build_writes(served: Served, project: Path) -> None:
    assert not (project / "_site").exists()
    assert_serves_exactly(served, project, cold_build(project, served.url))
    # "issue deleted" last: the others edit that issue; "article deleted" after "article file
    # renamed", which moves the same file (so then there is nothing left to delete).
    for kind in sorted(EDITS, key=lambda kind: (kind == "issue deleted", kind == "article deleted")):
        if kind == "held issue's date arrives":
            continue  # no file changes: the preview runs on the date given with --now
        try:
            EDITS[kind](project)
        except FileNotFoundError:
            continue  # an earlier edit already moved or removed the file this one changes
        lines = served.wait_rebuild()
        assert any("rebuilt in" in line for line in lines), (kind, lines, served.err)
        assert_serves_exactly(served, project, cold_build(project, served.url))
    assert not (project / "_site").exists()  # never a build's output folder
    assert not [p for p in (project / "content").rglob("*") if ".brief" in p.name or ".tmp-" in p.name]


def test_a_page_that_is_not_open_reloads_nothing_and_a_save_of_the_same_bytes_rebuilds_nothing(served: Served, project: Path) -> None:
    open_page = served.events("/pub/v1n1-piece-1/")
    other = served.events("/pub/v1n2-piece-2/")
    edit(article_path(project, "v1n1", 2), "Point 2", "A revised point 2")
    served.wait_rebuild()
    name, data = open_page.next()
    assert name == "changed" and data["all"] is False
    assert "pub/v1n1-piece-2/index.html" in data["paths"]  # the edited page ...
    assert "pub/v1n1-piece-1/index.html" not in data["paths"]  # ... not the pages open in the browser
    assert "pub/v1n2-piece-2/index.html" not in data["paths"]
    assert other.next()[0] == "changed"  # every page hears it, and reloads only if it is listed
    path = article_path(project, "v1n1", 2)
    path.write_bytes(path.read_bytes())  # saved again, unchanged
    assert served.quiet() == []
    assert open_page.none_within(0.5)
    open_page.close()
    other.close()


def test_a_burst_of_saves_is_one_rebuild(served: Served, project: Path) -> None:
    for issue in ("v1n1", "v1n2"):
        for i in (1, 2, 3):
            edit(article_path(project, issue, i), "Point", "Revised point")
    lines = served.wait_rebuild()
    assert len([line for line in lines if "rebuilt in" in line]) == 1, lines
    assert_serves_exactly(served, project, cold_build(project, served.url))


def test_a_template_change_publishes_the_open_page_first(served: Served, project: Path) -> None:
    events = served.events("/pub/v1n2-piece-3/")
    edit(project / "templates/article.html", "Executive Summary", "Key Points")
    name, data = events.next()
    assert name == "changed" and data["paths"] == ["pub/v1n2-piece-3/index.html"]
    name, data = events.next()
    assert name == "changed" and "pub/v1n1-piece-1/index.html" in data["paths"]
    assert "pub/v1n2-piece-3/index.html" not in data["paths"]
    served.wait_rebuild()
    assert_serves_exactly(served, project, cold_build(project, served.url))
    events.close()


def test_a_removed_static_file_is_removed_from_the_preview(served: Served, project: Path) -> None:
    (project / "static/extra.txt").write_text("extra\n", encoding="utf-8")
    served.wait_rebuild()
    assert served.get("/static/extra.txt")[1] == b"extra\n"
    (project / "static/extra.txt").unlink()
    served.wait_rebuild()
    assert served.get("/static/extra.txt")[0] == 404
    assert_serves_exactly(served, project, cold_build(project, served.url))


# -- problems ----------------------------------------------------------------------------------


def test_a_content_error_shows_in_the_terminal_and_on_the_page_until_it_is_fixed(served: Served, project: Path) -> None:
    events = served.events("/pub/v1n1-piece-2/")
    before = served.get("/pub/v1n1-piece-2/")[1]
    path = article_path(project, "v1n1", 2)
    edit(path, "title:", "sumary: oops\ntitle:")
    lines = served.wait_rebuild()
    expected = (
        "content/pub/v1n1/02-v1n1-piece-2.md:2: unknown key 'sumary' in the article's front-matter — did you mean 'summary'?"
    )
    assert expected + "\n" in lines
    assert "brief: 1 problem found; the preview shows the last good build until they are fixed\n" in lines
    assert events.next() == ("problems", {"problems": [expected]})
    assert served.get("/pub/v1n1-piece-2/")[1] == before  # the last good site stays browsable
    late = served.events("/pub/v1n1-piece-1/")  # a page opened now shows the problem too
    assert late.next() == ("problems", {"problems": [expected]})
    edit(path, "sumary: oops\n", "")
    served.wait_rebuild()
    assert events.next()[0] == "ok"
    assert late.next()[0] == "ok"
    events.close()
    late.close()


def test_an_internal_error_is_reported_and_the_server_goes_on(served: Served, project: Path) -> None:
    events = served.events("/pub/v1n1-piece-2/")
    edit(project / "templates/article.html", "Executive Summary", "{{ no_such_thing.attribute }}")
    lines = served.wait_rebuild()
    assert any(line.startswith("brief: internal error while rendering pages: UndefinedError") for line in lines), lines
    name, data = events.next()
    assert name == "problems" and data["problems"][0].startswith("brief: internal error while rendering pages")
    edit(project / "templates/article.html", "{{ no_such_thing.attribute }}", "Executive Summary")
    served.wait_rebuild()
    assert events.next()[0] == "ok"
    assert_serves_exactly(served, project, cold_build(project, served.url))
    events.close()


# -- drafts and scheduled pieces --------------------------------------------------------------


def test_drafts_and_future_pieces_are_shown_marked_only_when_asked_for(project: Path) -> None:
    edit(article_path(project, "v1n2", 3), "title:", "draft: true\ntitle:")
    edit(article_path(project, "v1n1", 1), "title:", "date: 2999-01-01\ntitle:")
    (project / "content/pub/v9n9").mkdir()
    (project / "content/pub/v9n9/issue.yaml").write_text("volume: 9\nnumber: 9\ndate: 2999-02-02\n", encoding="utf-8")
    (project / "content/pub/v9n9/soon.md").write_text(article("title: Coming soon\nauthors: [ann-lee]"), encoding="utf-8")
    plain = Served(project)
    try:
        assert plain.get("/pub/v1n2-piece-3/")[0] == 404
        assert plain.get("/pub/v1n1-piece-1/")[0] == 404
        assert plain.get("/pub/volume-9/issue-9/")[0] == 404
        assert b"Draft" not in plain.get("/pub/volume-1/issue-2/")[1]
        assert_serves_exactly(plain, project, cold_build(project, plain.url))
    finally:
        assert plain.stop() == 0
    shown = Served(project, "--drafts", "--future")
    try:
        page = BeautifulSoup(shown.get("/pub/v1n2-piece-3/")[1], "html.parser")
        assert page.select_one("article .preview-mark").get_text() == "Draft: not published"
        issue = BeautifulSoup(shown.get("/pub/volume-1/issue-2/")[1], "html.parser")
        marked = {e.select_one("a").get_text(): e.select_one(".preview-mark") for e in issue.select(".toc-entry")}
        assert marked["V1N2 piece 3"].get_text() == "Draft: not published"
        assert marked["V1N2 piece 1"] is None
        page = BeautifulSoup(shown.get("/pub/v1n1-piece-1/")[1], "html.parser")
        assert page.select_one("article .preview-mark").get_text() == "Scheduled: not yet published"
        issue = BeautifulSoup(shown.get("/pub/volume-9/issue-9/")[1], "html.parser")
        assert issue.select_one("main > .preview-mark").get_text() == "Scheduled: not yet published"
        assert_serves_exactly(shown, project, cold_build(project, shown.url, drafts=True, future=True), "site-drafts-future")
    finally:
        assert shown.stop() == 0
    build(project_options(project))  # brief build, as published
    published = tree(project / "_site")
    assert not any(k.startswith(("pub/v1n2-piece-3", "pub/v1n1-piece-1", "pub/volume-9")) for k in published)
    assert not any(data and (b'class="preview-mark"' in data or b"__brief__" in data) for data in published.values())


# -- starting and stopping ----------------------------------------------------------------------


def child_processes(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry))
    return found


def test_ctrl_c_stops_it_cleanly(project: Path) -> None:
    temporary = set(Path(tempfile.gettempdir()).glob("brief-preview-*"))
    server = Served(project)
    events = server.events("/")
    children = child_processes(server.process.pid)
    assert server.stop() == 0
    assert "brief: preview stopped\n" in server.out
    assert not any("Traceback" in line for line in server.err), server.err
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert set(Path(tempfile.gettempdir()).glob("brief-preview-*")) == temporary
    assert not [p for p in project.rglob("*") if ".tmp-" in p.name or ".old-" in p.name]
    events.close()


def test_a_second_ctrl_c_while_it_stops_prints_no_traceback(project: Path) -> None:
    server = Served(project)
    events = server.events("/")  # an open page: shutting down has a stream to close
    server.process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    server.process.send_signal(signal.SIGINT)
    assert server.stop() == 0
    assert "brief: preview stopped\n" in server.out
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in server.err), server.err
    events.close()


def test_a_second_preview_of_the_same_project_builds_in_a_temporary_folder_it_removes(served: Served, project: Path) -> None:
    temporary = set(Path(tempfile.gettempdir()).glob("brief-preview-*"))
    second = Served(project)
    try:
        assert len(set(Path(tempfile.gettempdir()).glob("brief-preview-*")) - temporary) == 1
        assert second.get("/pub/v1n1-piece-1/")[0] == 200
    finally:
        assert second.stop() == 0
    assert set(Path(tempfile.gettempdir()).glob("brief-preview-*")) == temporary


def run_brief(project: Path, *args: str, timeout: float = PATIENCE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "brief", *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


def test_a_port_in_use_is_named_with_the_way_out(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_brief(project, "serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == (
        f"brief: port {port} is already in use on 127.0.0.1; choose another with --port N (--port 0 picks a free one)\n"
    )


def test_binding_beyond_this_machine_warns(project: Path) -> None:
    server = Served(project, "--bind", "0.0.0.0")
    try:
        assert server.get("/")[0] == 200
    finally:
        assert server.stop() == 0
    assert (
        "brief: warning: the preview on 0.0.0.0 can be reached from other machines; use --bind 127.0.0.1 to keep it on this one\n"
        in server.err
    )
    loopback = Served(project)
    assert loopback.stop() == 0
    assert not any("warning" in line for line in loopback.err)


def test_content_errors_at_start_are_shown_and_the_server_waits_for_a_fix(project: Path) -> None:
    path = article_path(project, "v1n1", 2)
    edit(path, "title:", "sumary: oops\ntitle:")
    server = Served(project)
    try:
        assert any("unknown key 'sumary'" in line for line in server.err)
        status, page, _ = server.get("/")  # nothing was built: a page that shows the problems
        assert status == 404 and b"<title>Not built yet</title>" in page and page.count(SCRIPT_TAG) == 1
        events = server.events("/")
        assert events.next()[0] == "problems"
        edit(path, "sumary: oops\n", "")
        server.wait_rebuild()
        assert events.next()[0] == "ok"
        assert_serves_exactly(server, project, cold_build(project, server.url))
        events.close()
    finally:
        assert server.stop() == 0


def test_the_published_build_has_no_reload_script(project: Path) -> None:
    build(project_options(project))
    for path in (project / "_site").rglob("*"):
        if path.is_file():
            assert b"__brief__" not in path.read_bytes(), path


def test_help_lists_the_options(project: Path) -> None:
    result = run_brief(project, "serve", "--help")
    for option in ("--content", "--port", "--bind", "--drafts", "--future", "--open"):
        assert option in result.stdout
