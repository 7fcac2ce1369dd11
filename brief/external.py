"""``brief check --external``: do the outside links still lead somewhere?

Every outside link of every published article (body, notes, summary, caption,
bios, disclaimer) is asked for once, however many articles cite it: a ``HEAD``
request, or a ``GET`` when the server refuses ``HEAD``, following redirects.
At most :data:`CONCURRENCY` requests run at once, each gives up after
:data:`TIMEOUT` seconds, and each answer is remembered for a day in the
project's cache (``.brief-cache/build/external.json``), so checking again soon
after asks nothing of the servers. A link that does not work is a warning (the
page may be down for an hour) with each file and line that has it.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from . import __version__
from .errors import Diagnostics, SourceLocation
from .files import write_whole

#: Requests at once, seconds before one gives up, seconds an answer is remembered.
CONCURRENCY = 8
TIMEOUT = 10.0
CACHE_FOR = 24 * 60 * 60
_USER_AGENT = f"Brief/{__version__} link checker"


def check_external_links(
    links: Iterable[tuple[str, str, int]], diagnostics: Diagnostics, cache: Path | None = None,
    timeout: float | None = None, now: float | None = None,
) -> int:
    """Check ``links`` (url, file, line) and warn about each that does not work; returns
    how many addresses were asked for (the rest came from the cache)."""
    timeout = TIMEOUT if timeout is None else timeout
    now = time.time() if now is None else now
    where: dict[str, list[tuple[str, int]]] = {}
    for url, path, line in links:
        where.setdefault(url, []).append((path, line))
    known = _read(cache)
    fresh = {url: known[url] for url in where if url in known and now - known[url][1] < CACHE_FOR}
    asked = [url for url in where if url not in fresh]
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for url, problem in zip(asked, pool.map(lambda u: probe(u, timeout), asked)):
            fresh[url] = (problem, now)
    for url, places in where.items():
        problem = fresh[url][0]
        if problem:
            for path, line in places:
                diagnostics.warning(
                    SourceLocation(path, line), f"the link '{url}' does not work: {problem}",
                    "check the address; if the page is gone for good, link to an archived copy of it",
                    code="dead-link",
                )
    if cache is not None:
        kept = {u: v for u, v in known.items() if now - v[1] < CACHE_FOR}
        kept.update(fresh)
        try:
            write_whole(cache, json.dumps(kept, sort_keys=True).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time
    return len(asked)


def probe(url: str, timeout: float) -> str:
    """"" when ``url`` answers with a page, else what went wrong, in a few words."""
    if url.startswith("//"):
        url = "https:" + url
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": _USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if method == "GET":
                    response.read(1024)
                return ""
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (400, 403, 405, 501):
                continue  # some servers refuse HEAD: ask for the page itself
            return f"HTTP {exc.code}" + (f" {exc.reason}" if exc.reason else "")
        except (TimeoutError, socket.timeout):
            return f"no answer within {timeout:g} seconds"
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                return f"no answer within {timeout:g} seconds"
            return f"cannot connect ({getattr(reason, 'strerror', None) or reason})"
        except (OSError, ValueError) as exc:  # a malformed address, a reset connection
            return f"cannot connect ({exc})"
    return "HTTP error"


def _read(cache: Path | None) -> dict[str, tuple[str, float]]:
    if cache is None:
        return {}
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return {str(k): (str(v[0]), float(v[1])) for k, v in data.items()}
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}
