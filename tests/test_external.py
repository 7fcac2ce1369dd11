"""``brief check --external`` against a server on this machine (127.0.0.1), never the network."""

from __future__ import annotations

import dataclasses
import http.server
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from brief import external
from brief.errors import Diagnostics
from brief.external import check_external_links
from brief.pipeline import build
from conftest import ARTICLE, article, build_options, make_site, warnings_of


class Handler(http.server.BaseHTTPRequestHandler):
    requests: list[tuple[str, str]] = []
    active = 0
    most = 0
    lock = threading.Lock()

    def answer(self, method: str) -> None:
        with Handler.lock:
            Handler.requests.append((method, self.path))
            Handler.active += 1
            Handler.most = max(Handler.most, Handler.active)
        try:
            if self.path.startswith("/slow"):
                time.sleep(1.0)
            elif self.path.startswith("/busy"):
                time.sleep(0.2)
            if self.path == "/gone":
                self.send_error(404, "Not Found")
            elif self.path == "/no-head" and method == "HEAD":
                self.send_error(405, "Method Not Allowed")
            else:
                body = b"<p>fine</p>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method == "GET":
                    self.wfile.write(body)
        finally:
            with Handler.lock:
                Handler.active -= 1

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self.answer("GET")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.requests, Handler.most = [], 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_check_external_warns_about_dead_links_with_file_and_line(tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(external, "TIMEOUT", 0.5)
    body = (
        f"Fine ([A]({server}/ok), December 9).\n\n"
        f"Gone ([B]({server}/gone), December 9) and [no HEAD]({server}/no-head).[^1]\n\n"
        f"Slow [C]({server}/slow).\n"
    )
    front = f"title: First Article\nauthors: [jane-doe]\nnotes:\n  1: 'Again [B]({server}/gone).'\n"
    root = make_site(tmp_path, {ARTICLE: article(front, body)})
    report = build(dataclasses.replace(build_options(root, write=False), external=True))
    assert warnings_of(report) == [  # the body's links, then the notes'
        f"{ARTICLE}:10: warning [dead-link]: the link '{server}/gone' does not work: HTTP 404 Not Found"
        " — check the address; if the page is gone for good, link to an archived copy of it",
        f"{ARTICLE}:5: warning [dead-link]: the link '{server}/gone' does not work: HTTP 404 Not Found"
        " — check the address; if the page is gone for good, link to an archived copy of it",
        f"{ARTICLE}:12: warning [dead-link]: the link '{server}/slow' does not work: no answer within 0.5 seconds"
        " — check the address; if the page is gone for good, link to an archived copy of it",
    ]
    # One request per address, though /gone is linked twice; GET only where HEAD is refused.
    assert sorted(Handler.requests) == sorted([
        ("HEAD", "/ok"), ("HEAD", "/gone"), ("HEAD", "/no-head"), ("GET", "/no-head"), ("HEAD", "/slow"),
    ])
    # Without --external, nothing is asked.
    Handler.requests = []
    assert warnings_of(build(build_options(root, write=False))) == []
    assert Handler.requests == []


def test_answers_are_remembered_for_a_day(tmp_path: Path, server: str) -> None:
    cache = tmp_path / "external.json"
    links = [(f"{server}/ok", "a.md", 3), (f"{server}/gone", "a.md", 4)]
    start = 1_800_000_000.0
    diagnostics = Diagnostics()
    assert check_external_links(links, diagnostics, cache, now=start) == 2
    assert check_external_links(links, Diagnostics(), cache, now=start + 3600) == 0  # from the cache
    again = Diagnostics()
    assert check_external_links(links, again, cache, now=start + 3600) == 0
    assert [str(d) for d in again.warnings] == [str(d) for d in diagnostics.warnings]
    assert check_external_links(links, Diagnostics(), cache, now=start + 25 * 3600) == 2  # a day later: asked again
    assert len(Handler.requests) == 4


def test_requests_run_a_bounded_number_at_a_time(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(external, "CONCURRENCY", 3)
    links = [(f"{server}/busy/{i}", "a.md", i) for i in range(9)]
    assert check_external_links(links, Diagnostics()) == 9
    assert 1 < Handler.most <= 3


def test_an_unreachable_server_is_a_dead_link(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port on this machine that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    diagnostics = Diagnostics()
    check_external_links([(f"http://127.0.0.1:{port}/x", "a.md", 2)], diagnostics, timeout=1)
    assert [d.message for d in diagnostics.warnings] == [
        f"the link 'http://127.0.0.1:{port}/x' does not work: cannot connect (Connection refused)"
    ]


def test_the_command_line_checks_outside_links_only_when_asked(tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from brief.cli import main

    make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]", f"Gone [B]({server}/gone).\n")})
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--external"], out, err) == 0
    assert err.getvalue() == f"{ARTICLE}:6: warning [dead-link]: the link '{server}/gone' does not work: HTTP 404 Not Found — check the address; if the page is gone for good, link to an archived copy of it\n"
    assert main(["check", "--external", "--strict"], io.StringIO(), io.StringIO()) == 1
    assert len(Handler.requests) == 1  # the second check answered from the cache
    assert main(["build", "--external"], io.StringIO(), io.StringIO()) == 2  # a check's option only
