"""The browser harness: the sample site, built and served locally, in Debian's Chromium.

Playwright drives the Chromium that the system package manager installed (never a
browser that Playwright downloads). Fixtures, from the bottom up:

* ``chromium`` — the path of the browser; a missing browser fails the run in CI
  (``CI`` set) and skips the browser tests elsewhere, with the reason;
* ``sample_site`` — the project's ``content/`` built into a temporary folder
  (``BRIEF_BROWSER_CONTENT`` names another site's content folder instead: the
  tests then visit one page of each type of it and every article of its newest
  issue, and skip the tests of the sample's own pages);
* ``site_url`` — that folder served over HTTP on 127.0.0.1 (a free port);
* ``browser`` — one headless Chromium for the session;
* ``open_page`` — a factory: ``open_page("field-notes/", width=390, scheme="dark",
  media="print", javascript=False)`` gives a :class:`PageView`, a page loaded in a
  fresh context with a plain viewport of that width (no mobile emulation, which
  would widen the viewport to fit the page), recording console errors, failed
  requests and any request to another host (which is refused); ``touch=True``
  gives the context a touch screen (for ``locator.tap()``).

A :class:`PageView` measures what the tests assert: :meth:`PageView.overflow`
(elements that make the page scroll sideways), :meth:`PageView.axe` (axe-core's
violations), :meth:`PageView.focus_problems` (focusable elements without a visible
focus style), and saves screenshots and PDFs into :data:`OUTPUT`, a folder the
test run names at its end so that a person can look at them.

Later reader features (search, note previews) add their own ``test_*.py`` here and
use the same fixtures.
"""

from __future__ import annotations

import functools
import http.server
import importlib.resources
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from brief.options import BuildOptions
from brief.pipeline import build

REPO = Path(__file__).resolve().parents[2]
#: Where screenshots and printed PDFs go (``BRIEF_BROWSER_OUTPUT`` moves it).
OUTPUT = Path(os.environ.get("BRIEF_BROWSER_OUTPUT", REPO / "test-output" / "browser"))
#: The widths every page type is checked at, in CSS pixels.
WIDTHS = (320, 390, 768, 1280)
SCHEMES = ("light", "dark")
#: The content folder the tests build: the project's sample site, or another site's
#: (``BRIEF_BROWSER_CONTENT=path/to/content``), to check a real brief the same way.
SAMPLE = REPO / "content"
CONTENT = Path(os.environ.get("BRIEF_BROWSER_CONTENT") or SAMPLE).resolve()
#: One page of each type of the sample site (with the article types the sample has:
#: tables and figures, Chinese text, notes).
SAMPLE_PAGES = {
    "home": "",
    "publication": "field-notes/",
    "issue": "field-notes/volume-1/issue-2/",
    "article-tables": "field-notes/tables-and-figures-that-cite-their-sources/",
    "article-chinese": "field-notes/marking-chinese-script/",
    "article-notes": "field-notes/endnotes-vs-footnotes/",
    "authors": "authors/",
    "author": "authors/mara-okafor/",
    "topics": "topics/",
    "topic": "topics/accessibility/",
    "not-found": "404.html",
}
#: Marks a test of what only the sample site holds (its tables, its figures).
sample_only = pytest.mark.skipif(CONTENT != SAMPLE, reason="checks the sample site's own pages")


def discover_pages(content: Path) -> dict[str, str]:
    """One page of each type of another site, and every article of its newest issue."""
    site = build(BuildOptions(content=content, project=content.parent, use_cache=False, jobs=1)).site
    assert site is not None
    pages = {"home": ""}
    for publication in site.publications:
        pages[f"publication-{publication.slug}"] = f"{publication.slug}/"
    issues = sorted(site.issues.values(), key=lambda i: (i.date, i.volume, i.number))
    if issues:
        pages["issue"] = issues[-1].url
        for url in site.articles_by_issue.get(issues[-1].key, ()):
            pages["article-" + url.strip("/").replace("/", "-")] = url
    if site.authors:
        pages["authors"] = "authors/"
        pages["author"] = f"authors/{next(iter(site.authors))}/"
    if site.topics:
        pages["topics"] = "topics/"
        pages["topic"] = next(iter(site.topics.values())).url
    pages["not-found"] = "404.html"
    return pages


PAGES = SAMPLE_PAGES if CONTENT == SAMPLE else discover_pages(CONTENT)
#: Flags that let Chromium run headless as root in a container, quietly: no
#: sandbox (needs user namespaces), no GPU, no calls home.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def find_chromium() -> str | None:
    """The system Chromium (``BRIEF_CHROMIUM`` overrides), or ``None``."""
    named = os.environ.get("BRIEF_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    """In CI a missing browser is a failure; on a developer's machine, a skip with the reason."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests need {reason}")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        _unavailable("Debian's chromium package (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package (pip install -e '.[test]')")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of :data:`CONTENT` (the sample), built into a temporary folder with its
    project's templates (the package's, for the sample)."""
    out = tmp_path_factory.mktemp("site") / "_site"
    build(BuildOptions(content=CONTENT, project=CONTENT.parent, out=out, use_cache=False, jobs=1))
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(sample_site: Path) -> Iterator[str]:
    """The sample site served at ``http://127.0.0.1:<port>/``."""
    url, stop = serve_folder(sample_site)
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import Error, sync_playwright

    manager = sync_playwright().start()
    try:
        try:
            instance = manager.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        except Error as exc:
            _unavailable(f"a Chromium that starts ({str(exc).splitlines()[0]})")
        yield instance
        instance.close()
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from the Python package that ships it."""
    try:
        return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        _unavailable("the axe-playwright-python package, which carries axe-core (pip install -e '.[test]')")
        raise


@dataclass
class PageView:
    """A page of the served site, loaded in its own browser context, and what happened."""

    page: Any
    name: str
    width: int
    scheme: str
    media: str
    axe_source: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name}-{self.width}-{self.scheme}-{self.media}"

    def overflow(self) -> dict[str, Any]:
        """How far the page scrolls sideways, and the elements that stick out of the viewport."""
        return self.page.evaluate(_OVERFLOW_JS)  # type: ignore[no-any-return]

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations of any impact, each with the elements it names."""
        self.page.evaluate(self.axe_source)
        result = self.page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})))"
        )
        return result  # type: ignore[no-any-return]

    def focus_problems(self, limit: int = 400) -> list[str]:
        """Focusable elements that show no visible focus style when reached with Tab.

        Tabs through the page from the top; at each stop compares the element's
        outline and box shadow with its unfocused look.
        """
        page = self.page
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        problems: list[str] = []
        seen: set[str] = set()
        expected = page.evaluate(_FOCUSABLE_COUNT_JS)
        for _ in range(min(limit, expected + 2)):
            page.keyboard.press("Tab")
            stop = page.evaluate(_FOCUS_STYLE_JS)
            if stop is None or stop["key"] in seen:
                break
            seen.add(stop["key"])
            if not stop["visible"]:
                problems.append(f"{stop['key']}: {stop['why']}")
        if len(seen) < expected:
            problems.append(f"Tab reached {len(seen)} of {expected} focusable elements")
        return problems

    def load_images(self) -> None:
        """Load the lazily loaded images now (a full-page screenshot does not scroll to them)."""
        self.page.evaluate(
            """() => Promise.all([...document.images].map(i => {
              i.loading = 'eager';
              const loaded = i.complete ? Promise.resolve() : new Promise(done => { i.onload = i.onerror = done; });
              return loaded.then(() => i.decode()).catch(() => null);
            }))"""
        )

    def screenshot(self, full_page: bool = True) -> Path:
        """Save a screenshot as ``<OUTPUT>/<page>-<width>-<scheme>-<media>.png``."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"{self.label}.png"
        self.load_images()
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def pdf(self, paper: str = "A4") -> Path:
        """Print the page to ``<OUTPUT>/<page>-<paper>.pdf`` at a paper size, as a printer would."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"{self.name}-{paper}.pdf"
        self.page.emulate_media(media="print", color_scheme=self.scheme)
        self.page.pdf(path=str(path), format=paper, prefer_css_page_size=True, print_background=False)
        return path

    def problems(self) -> list[str]:
        """Console errors, failed requests and requests to other hosts, one line each."""
        return (
            [f"console: {m}" for m in self.console_errors]
            + [f"failed request: {u}" for u in self.failed_requests]
            + [f"request to another host: {u}" for u in self.foreign_requests]
        )


#: The page's width against the viewport's, and the elements that reach past its right edge
#: (or start before its left), outermost first, which say what widens the page.
_OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > limit + 0.5 || r.left < -0.5) {
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible') {
          const pr = p.getBoundingClientRect();
          if (pr.right <= limit + 0.5 && pr.left >= -0.5) { clipped = true; break; }
        }
      }
      if (clipped) continue;
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      out.push(name + ' [' + Math.round(r.left) + '..' + Math.round(r.right) + '] ' +
        (el.textContent || '').trim().slice(0, 40));
    }
  }
  return {viewport: limit, scrollWidth: root.scrollWidth, elements: out.slice(0, 10)};
}"""

_FOCUSABLE_COUNT_JS = """() => [...document.querySelectorAll(
  'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(el => !el.disabled && el.getClientRects().length > 0 || el.classList.contains('skip-link')).length"""

#: Where focus is now and whether it shows: an outline of some width and style
#: whose colour is not the background's, or a box shadow that the element lacks unfocused.
_FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const path = [];
  for (let e = el; e && e !== document.body; e = e.parentElement) {
    const i = e.parentElement ? [...e.parentElement.children].indexOf(e) : 0;
    path.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ':' + i);
  }
  const key = path.join('>') + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return {key, visible: false, why: 'focused element has no size'};
  if (!el.matches(':focus-visible')) return {key, visible: false, why: 'not :focus-visible'};
  // An outline drawn outside the element is seen against what is behind the element.
  const behind = (e) => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const against = parseFloat(s.outlineOffset) > 0 ? behind(el.parentElement) : behind(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 &&
    s.outlineColor !== 'rgba(0, 0, 0, 0)' && s.outlineColor !== against;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  if (outline || shadow) return {key, visible: true, why: ''};
  return {key, visible: false, why: 'outline ' + s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor};
}"""


@pytest.fixture
def open_page(browser: Any, site_url: str, axe_source: str) -> Iterator[Callable[..., PageView]]:
    """Open a page of the sample site; see the module's docstring."""
    contexts: list[Any] = []
    yield page_opener(browser, site_url, axe_source, contexts)
    for context in contexts:
        context.close()


def serve_folder(folder: Path) -> tuple[str, Callable[[], None]]:
    """Serve ``folder`` at ``http://127.0.0.1:<port>/``; returns the address and how to stop."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/", stop


def page_opener(browser: Any, site_url: str, axe_source: str, contexts: list[Any]) -> Callable[..., PageView]:
    """The factory of :func:`open_page` for the site at ``site_url`` (another site's tests use
    it with their own); the contexts it opens are added to ``contexts`` for the caller to close."""
    origin = urlsplit(site_url).netloc

    def factory(
        path: str, width: int = 1280, scheme: str = "light", media: str = "screen",
        javascript: bool = True, name: str | None = None, height: int = 900, touch: bool = False,
    ) -> PageView:
        context = browser.new_context(
            viewport={"width": width, "height": height}, color_scheme=scheme,
            java_script_enabled=javascript, reduced_motion="reduce", locale="en-GB", has_touch=touch,
        )
        contexts.append(context)
        page = context.new_page()
        view = PageView(page, name or (path.strip("/").replace("/", "-") or "home"), width, scheme, media, axe_source)

        def route(route: Any) -> None:
            if urlsplit(route.request.url).netloc == origin:
                route.continue_()
            else:
                view.foreign_requests.append(route.request.url)
                route.abort()

        context.route(lambda url: True, route)
        page.on("console", lambda m: view.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: view.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: view.failed_requests.append(f"{r.url} ({r.failure})")
                if urlsplit(r.url).netloc == origin else None)
        page.on("response", lambda r: view.failed_requests.append(f"{r.url} (HTTP {r.status})")
                if r.status >= 400 and not r.url.endswith("/404.html") else None)
        page.emulate_media(media=media, color_scheme=scheme)
        page.goto(site_url + path, wait_until="load")
        return view

    return factory


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if OUTPUT.is_dir() and any(OUTPUT.iterdir()):
        terminalreporter.write_sep("-", "browser screenshots and printed PDFs")
        terminalreporter.write_line(f"saved in {OUTPUT}")
