"""Serve the preview's output folder over HTTP, and push reload events to open pages.

The server only serves bytes: files of the output folder (a folder serves its
``index.html``, a missing file gets the site's 404 page with status 404, exactly
as a web server in front of ``brief build``'s output would), and nothing outside
that folder, however the path is written. HTML pages get one ``<script>`` tag
at serve time, for :file:`live.js` (same origin, so the site's
Content-Security-Policy, ``script-src 'self'``, allows it); the files on disk
never hold it. ``live.js`` listens to ``/__brief__/events`` (server-sent
events) and reloads the page when its output changed, or shows the problems of
a failed build over it.
"""

from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import queue
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

#: Where the preview's own files are served; no page of a site can be there (a hidden name).
PREFIX = "/__brief__/"
SCRIPT_URL = PREFIX + "live.js"
EVENTS_URL = PREFIX + "events"
SCRIPT_TAG = f'<script src="{SCRIPT_URL}" defer></script>'.encode()
SCRIPT = (Path(__file__).parent / "live.js").read_bytes()
#: The answer to every address before a build has succeeded (its script shows the problems).
NOT_BUILT = (
    b'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Not built yet</title>\n</head>\n'
    b"<body>\n<p>The site has not been built yet: the problems that stop it are listed below and in the terminal."
    b" Fix them and save; this page reloads by itself.</p>\n</body>\n</html>\n"
)
#: Seconds between keep-alive comments on an idle event stream (and checks for shutdown).
KEEP_ALIVE = 10.0
#: Above this many changed files, pages are told that everything changed.
MANY = 500

_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".svg": "image/svg+xml", ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".webp": "image/webp", ".avif": "image/avif", ".json": "application/json"}


class Hub:
    """The open pages' event streams, and the problems of the last build."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: dict[queue.Queue[bytes | None], str] = {}
        self.problems: list[str] = []
        self.closed = False

    def subscribe(self, page: str) -> queue.Queue[bytes | None]:
        """A stream for the page at output path ``page``; it starts with the problems, if any."""
        stream: queue.Queue[bytes | None] = queue.Queue()
        with self.lock:
            if self.problems:
                stream.put(_event("problems", {"problems": self.problems}))
            self.clients[stream] = page
        return stream

    def unsubscribe(self, stream: queue.Queue[bytes | None]) -> None:
        with self.lock:
            self.clients.pop(stream, None)

    def open_pages(self) -> set[str]:
        """The output paths of the pages a browser shows now."""
        with self.lock:
            return set(self.clients.values())

    def changed(self, paths: list[str]) -> None:
        """Tell the pages which output files changed (each reloads if it is among them)."""
        if not paths:
            return
        everything = len(paths) > MANY
        self._send(_event("changed", {"all": True, "paths": []} if everything else {"all": False, "paths": paths}))

    def report(self, problems: list[str]) -> None:
        """Show the problems of the last build on every page; an empty list removes them."""
        with self.lock:
            had, self.problems = self.problems, list(problems)
        if problems:
            self._send(_event("problems", {"problems": problems}))
        elif had:
            self._send(_event("ok", {}))

    def close(self) -> None:
        with self.lock:
            self.closed = True
            streams = list(self.clients)
        for stream in streams:
            stream.put(None)

    def _send(self, data: bytes) -> None:
        with self.lock:
            streams = list(self.clients)
        for stream in streams:
            stream.put(data)


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def output_path(url_path: str) -> str:
    """The output file a page's URL path stands for (``/a/`` → ``a/index.html``)."""
    path = url_path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def locate(root: str, raw_path: str) -> tuple[str | None, bool]:
    """The file under ``root`` (a real path) that the request path names, or ``None``;
    and whether the path names a folder without its trailing slash (to redirect).

    Refused (``None``): an undecodable path, a ``..`` or hidden segment (however it is
    encoded), a backslash or NUL, and anything that resolves, through links, outside ``root``.
    """
    try:
        decoded = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return None, False
    if "\0" in decoded or "\\" in decoded or not decoded.startswith("/"):
        return None, False
    parts = [part for part in decoded.split("/") if part]
    if any(part.startswith(".") for part in parts):
        return None, False
    target = os.path.realpath(os.path.join(root, *parts))
    if target != root and not target.startswith(root + os.sep):
        return None, False
    if os.path.isdir(target):
        if not decoded.endswith("/"):
            return target, True
        target = os.path.join(target, "index.html")
    return (target, False) if os.path.isfile(target) else (None, False)


class PreviewServer(ThreadingHTTPServer):
    """Serves ``root`` (the preview's output folder) and the event streams of ``hub``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], root: Path, hub: Hub):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.root = os.path.realpath(root)
        self.hub = hub


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "brief-preview"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the requests are not worth a line each
        pass

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def do_GET(self) -> None:
        self.respond(head=False)

    def respond(self, head: bool) -> None:
        split = urlsplit(self.path)
        if split.path == EVENTS_URL and not head:
            page = parse_qs(split.query).get("page", [""])[0]
            self.stream_events(output_path(page))
            return
        if split.path == SCRIPT_URL:
            self.send_bytes(HTTPStatus.OK, SCRIPT, _TYPES[".js"], head)
            return
        target, folder = locate(self.server.root, split.path)
        if folder:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", split.path + "/" + (f"?{split.query}" if split.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target is None:
            missing = os.path.join(self.server.root, "404.html")
            if os.path.isfile(missing):
                self.send_file(HTTPStatus.NOT_FOUND, missing, head)
            else:  # nothing built yet (the first build failed): a page that can show why
                self.send_bytes(HTTPStatus.NOT_FOUND, with_script(NOT_BUILT), _TYPES[".html"], head)
            return
        self.send_file(HTTPStatus.OK, target, head)

    def send_file(self, status: HTTPStatus, path: str, head: bool) -> None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:  # removed by a rebuild since it was found
            self.send_bytes(HTTPStatus.NOT_FOUND, b"Not found\n", _TYPES[".txt"], head)
            return
        kind = _TYPES.get(posixpath.splitext(path)[1].lower()) or mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind.startswith("text/html"):
            data = with_script(data)
        self.send_bytes(status, data, kind, head)

    def send_bytes(self, status: HTTPStatus, data: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def stream_events(self, page: str) -> None:
        hub = self.server.hub
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        stream = hub.subscribe(page)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not hub.closed:
                try:
                    data = stream.get(timeout=KEEP_ALIVE)
                except queue.Empty:
                    data = b": still here\n\n"
                if data is None:
                    break
                self.wfile.write(data)
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            pass
        finally:
            hub.unsubscribe(stream)


def with_script(page: bytes) -> bytes:
    """The page with the preview's script, at the end of its ``<head>`` (or at its start)."""
    at = page.find(b"</head>")
    if at < 0:
        return SCRIPT_TAG + page
    return page[:at] + SCRIPT_TAG + page[at:]
