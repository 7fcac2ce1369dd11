"""``brief serve``: build the preview, serve it, rebuild on every save, until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import ipaddress
import os
import shutil
import signal
import socket
import tempfile
import threading
import webbrowser
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from ..cache import CACHE_FOLDER
from ..options import BuildOptions
from ..progress import TerminalProgress, wants_progress
from .server import Hub, PreviewServer
from .session import Outcome, Preview
from .watch import Snapshot, Watcher

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
#: The preview's output folders, in the project's cache folder (kept: the next start is quick).
PREVIEW_FOLDER = CACHE_FOLDER.parent / "preview"


def run_serve(args: argparse.Namespace, content: Path, project: Path, out: TextIO, err: TextIO) -> int:
    """Run the preview until Ctrl-C (exit 0), or return the status of why it cannot start."""
    with ExitStack() as cleanup:
        try:
            return _serve(args, content, project, out, err, cleanup)
        except KeyboardInterrupt:
            # A second Ctrl-C while the preview shuts down must not interrupt the clean-up.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if not args.quiet:
                out.write("brief: preview stopped\n")
            return EXIT_OK


def _serve(args: argparse.Namespace, content: Path, project: Path, out: TextIO, err: TextIO, cleanup: ExitStack) -> int:
    """Start the preview; returns only when it cannot start (Ctrl-C ends it with KeyboardInterrupt)."""
    folder = _output_folder(project, args, cleanup)
    hub = Hub()
    try:
        server = PreviewServer((args.bind, args.port), folder, hub)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            err.write(f"brief: port {args.port} is already in use on {args.bind}; choose another with --port N (--port 0 picks a free one)\n")
        else:
            err.write(f"brief: cannot serve on {args.bind} port {args.port}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    cleanup.callback(server.server_close)
    cleanup.callback(hub.close)
    port = server.server_address[1]
    url = f"http://{_url_host(args.bind)}:{port}/"
    if not _is_loopback(args.bind):
        err.write(f"brief: warning: the preview on {args.bind} can be reached from other machines; use --bind 127.0.0.1 to keep it on this one\n")
    options = BuildOptions(
        content=content, project=project, out=folder, strict=args.strict,
        drafts=args.drafts, future=args.future, now=args.now, base_url=url, pdf=args.pdf,
        search_index=getattr(args, "search", False),
    )
    watched = [content, *options.template_folders(), *options.static_folders()]
    watcher = Watcher(watched)
    watcher.start()
    cleanup.callback(watcher.join)
    cleanup.callback(watcher.stop.set)
    watcher.ready.wait()
    if watcher.error is not None:
        err.write(f"brief: cannot watch the files for changes: {watcher.error}\n")
        return EXIT_USAGE
    snapshot = Snapshot(watched)
    snapshot.fill()
    bars = TerminalProgress(err) if wants_progress(err, args.quiet) else None
    options.progress = bars
    preview = Preview(options)
    cleanup.callback(preview.close)
    with bars if bars is not None else contextlib.nullcontext():
        outcome = preview.build()
    options.progress = None
    _print(outcome, args, out, err, first=True)
    hub.report(outcome.problems)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="brief-server", daemon=True)
    thread.start()
    cleanup.callback(thread.join)
    cleanup.callback(server.shutdown)
    out.write(f"brief: serving the preview at {url} (Ctrl-C to stop)\n")
    out.flush()
    if args.open:
        webbrowser.open(url)
    while True:
        changed, folders = snapshot.changed(watcher.next_changes(idle=preview.tidy))
        if not changed:
            continue  # saved with the same bytes: nothing to build
        # A folder moved or copied in: which files it holds is not known, so look at every file.
        outcome = preview.build(None if folders else changed, first=hub.open_pages(), early=hub.changed)
        _print(outcome, args, out, err)
        hub.report(outcome.problems)
        hub.changed(outcome.changed)


def _print(outcome: Outcome, args: argparse.Namespace, out: TextIO, err: TextIO, first: bool = False) -> None:
    for line in [*outcome.problems, *outcome.warnings]:
        err.write(f"{line}\n")
    if outcome.failed:
        err.write(f"brief: {plural(len(outcome.problems), 'problem')} found; the preview shows the last good build until they are fixed\n")
    elif not args.quiet:
        if first:
            out.write(f"brief: built the preview: {plural(outcome.articles, 'article')} in {outcome.seconds:.1f} s\n")
        else:
            out.write(f"brief: rebuilt in {outcome.seconds:.2f} s: {plural(outcome.files, 'file')} changed\n")
    err.flush()
    out.flush()


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _output_folder(project: Path, args: argparse.Namespace, cleanup: ExitStack) -> Path:
    """Where the preview's site is built: a folder of its own in the cache, kept for the next
    start, or, while another preview of the project uses that one, a temporary folder."""
    name = "site" + ("-drafts" if args.drafts else "") + ("-future" if args.future else "")
    parent = project / PREVIEW_FOLDER
    try:
        parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(parent / f".{name}.serving", os.O_CREAT | os.O_RDWR, 0o644)
    except OSError:
        handle = None
    if handle is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
        else:
            cleanup.callback(os.close, handle)
            return parent / name
    scratch = Path(tempfile.mkdtemp(prefix="brief-preview-"))
    cleanup.callback(shutil.rmtree, scratch, True)
    return scratch / "site"


def _url_host(bind: str) -> str:
    if bind in ("", "0.0.0.0"):
        return "127.0.0.1"
    if bind == "::":
        return "[::1]"
    return f"[{bind}]" if ":" in bind else bind


def _is_loopback(bind: str) -> bool:
    try:
        return ipaddress.ip_address(bind).is_loopback
    except ValueError:
        pass
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(bind, None))
    except (OSError, ValueError):
        return False
