"""The search index: the site's articles as Pagefind reads them, and Pagefind run over them.

The index is a view of the model, like the pages: :func:`search_documents` turns
each published article into a small HTML document holding only what is searched
(title, authors, summary, body, notes and sources) and what a result shows or is
filtered by (authors, issue, date; publication, author, topic, year). None of the
site's chrome is in it, and the documents are never published: Pagefind reads
them from a folder of their own and writes its bundle (``pagefind/``) beside them,
from which the build publishes it (:func:`bundle_files`).

**Chinese in both scripts.** A reader who types 解放军 should find an article that
quotes 解放軍, and the reverse. Each run of Han characters is converted with OpenCC
into the other script (and the Taiwan and Hong Kong variants, so 台灣, 臺灣 and
台湾 find each other), and the converted forms are indexed after the article's own
text. Pagefind, in an English index, reads a run of Han characters as one word and
matches what a reader types against the start of words, so every suffix of each
form (up to :data:`SUFFIX_LENGTH` characters) is indexed too: any part of a run,
in either script, is then the start of some indexed word. This hidden part starts
with :data:`HIDDEN` and each word in it carries that mark; the search page's
script (``static/js/search.js``) never shows it, and when a result matched only
there, it shows the place in the article's own text where the matched run is.
For a site in Chinese, Pagefind segments words itself; only the converted runs
are added then.

Pagefind's Python package carries its binary; the build runs that binary over the
documents. (Its Python API answers one request per tenth of a second, which is
minutes for an archive.) When the binary is missing or fails, :class:`SearchFailed`
says so in one line, and the build goes on without an index (``search-failed``).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

from .cache import fingerprint
from .citations import format_long_date
from .mdplugins.chinese import HAN
from .model import Article, ArticleContent, Site

#: Where the bundle is published, in the output.
SEARCH_FOLDER = "pagefind"
#: The address of the search page.
SEARCH_PAGE = "search/"
#: Marks the hidden part of a document (the converted and split forms of Chinese runs):
#: a punctuation mark, which Pagefind leaves out of the words it indexes but keeps in the
#: text the search page receives, where the script finds it.
HIDDEN = "\u2042"
#: The longest suffix of a run of Han characters indexed (a query of more characters
#: still finds the run when it starts the run).
SUFFIX_LENGTH = 10
#: Languages whose words Pagefind finds itself (it segments them): no suffixes are indexed.
SEGMENTED = ("zh", "ja")
#: Files of Pagefind's bundle the search page never loads (its other interfaces, the
#: highlighting script): left out of the output.
UNUSED = ("pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.js", "playground/")
#: How long Pagefind may take before it counts as stuck, in seconds.
TIMEOUT = 900

_RUN = re.compile(f"[{HAN}]+")
_NOTE_REF = re.compile(r'<sup class="note-ref">.*?</sup>|<a [^>]*role="doc-backlink"[^>]*>.*?</a>|<!--.*?-->', re.S)
_BREAK = re.compile(r"<(?:/p|/li|/h[1-6]|/td|/th|/tr|/caption|/figcaption|/blockquote|/dt|/dd|br|hr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
#: OpenCC's conversions: into simplified (from any traditional variant), then from
#: simplified into each traditional variant.
_TO_SIMPLIFIED = ("t2s", "tw2s", "hk2s")
_TO_TRADITIONAL = ("s2t", "s2tw", "s2hk")


class SearchFailed(Exception):
    """Pagefind could not write the index (missing, stopped, stuck); the message says which."""


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What Pagefind reads of one article: its file (``<url>index.html``) and its HTML."""

    path: str
    html: str


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment of an article, as a reader reads it (no note numbers,
    no back-links), on one line."""
    fragment = _NOTE_REF.sub("", fragment)
    fragment = _BREAK.sub(" ", fragment)
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", fragment))).strip()


@functools.lru_cache(maxsize=None)
def _converter(config: str) -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC(config).convert  # type: ignore[no-any-return]


def script_forms(runs: Iterable[str]) -> dict[str, list[str]]:
    """Each run of Han characters → its forms in the other script and variants (itself
    excluded), each as long as the run (OpenCC converts character for character)."""
    runs = list(dict.fromkeys(runs))
    if not runs:
        return {}
    joined = "\n".join(runs)
    simplified = [_converter(name)(joined).split("\n") for name in _TO_SIMPLIFIED]
    forms: dict[str, list[str]] = {run: [] for run in runs}
    for version in simplified:
        traditional = [_converter(name)("\n".join(version)).split("\n") for name in _TO_TRADITIONAL]
        for converted in (version, *traditional):
            if len(converted) != len(runs):
                continue  # a conversion that joined or split lines: not usable
            for run, form in zip(runs, converted):
                if form != run and form not in forms[run] and len(form) == len(run):
                    forms[run].append(form)
    return forms


def hidden_words(text: str, segmented: bool = False) -> str:
    """The hidden part of a document for ``text``: for each run of Han characters (once),
    a group ``⁂⁂run`` followed by ``⁂form`` for each of its other forms (as long as the
    run), then ``⁂word`` for each suffix of the run and its forms, so that any part of
    the run in either script starts an indexed word. Empty when the text has no Han
    characters."""
    runs = _RUN.findall(text)
    if not runs:
        return ""
    groups = []
    for run, forms in script_forms(runs).items():
        words: list[str] = list(forms)  # whole, however long: the search page maps them back to the run
        for form in [] if segmented else [run, *forms]:
            words += (form[start : start + SUFFIX_LENGTH] for start in range(1, len(form)))
        words = list(dict.fromkeys(words))
        groups.append(f"{HIDDEN}{HIDDEN}{run} " + " ".join(HIDDEN + word for word in words))
    return " ".join(groups)


def search_documents(site: Site, content_of: Callable[[str], ArticleContent]) -> list[SearchDocument]:
    """A document for each published article, in the site's order (newest first)."""
    segmented = site.config.language.split("-")[0].lower() in SEGMENTED
    articles = sorted(site.articles.values(), key=lambda a: site.article_rank[a.url])
    return [_document(site, article, content_of(article.url), segmented) for article in articles]


def _document(site: Site, article: Article, content: ArticleContent, segmented: bool) -> SearchDocument:
    e = html.escape
    issue = site.issues[article.issue_key]
    publication = next(p for p in site.publications if p.slug == article.publication)
    authors = ", ".join(a.name for a in article.authors)
    texts = [article.title, authors, *content.summary_text, plain_text(content.body_html)]
    texts += [plain_text(note.html) for note in content.notes]
    texts += [" ".join(part for part in (s.outlet, s.title) if part) for s in content.sources]
    hidden = hidden_words("\n".join(texts), segmented)
    meta = [("issue", f"{publication.title}, {issue.label}"), ("date", format_long_date(article.date))]
    filters = [("publication", publication.title), *(("author", a.name) for a in article.authors)]
    filters += [("topic", t.name) for t in article.topics] + [("year", str(article.date.year))]
    lines = [
        "<!doctype html>",
        f'<html lang="{e(site.config.language)}"><head><meta charset="utf-8"><title>{e(article.title)}</title></head>',
        "<body data-pagefind-body>",
        f'<h1 data-pagefind-meta="title">{e(article.title)}</h1>',
        f'<p data-pagefind-meta="authors">{e(authors)}</p>' if authors else "",
        *(f"<p>{e(text)}</p>" for text in texts[2:] if text),
        f"<p>{e(hidden)}</p>" if hidden else "",
        "<div data-pagefind-ignore>",
        *(f'<span data-pagefind-meta="{key}">{e(value)}</span>' for key, value in meta),
        *(f'<span data-pagefind-filter="{key}">{e(value)}</span>' for key, value in filters),
        "</div>",
        "</body></html>",
        "",
    ]
    return SearchDocument(article.url + "index.html", "\n".join(line for line in lines if line))


def index_key(site: Site) -> str:
    """A fingerprint of everything the index is made of: each article's content (by its
    key), address, title, authors, issue, date and topics; the site's language; this
    module and Pagefind's version. Two builds with the same key write the same index."""
    articles = sorted(site.articles.values(), key=lambda a: site.article_rank[a.url])
    return fingerprint(
        "search", site.config.language, pagefind_version(), _module_digest(),
        [
            (a.url, a.content_key, a.title, [a.name for a in a.authors], a.issue_key, site.issues[a.issue_key].label,
             a.publication, a.date, [t.name for t in a.topics], a.links)
            for a in articles
        ],
        [(p.slug, p.title) for p in site.publications],
    )


@functools.lru_cache(maxsize=1)
def _module_digest() -> str:
    return fingerprint(Path(__file__).read_bytes())


@functools.lru_cache(maxsize=1)
def pagefind_version() -> str:
    for name in ("pagefind_bin_extended", "pagefind_bin", "pagefind"):
        try:
            return f"{name}={metadata.version(name)}"
        except metadata.PackageNotFoundError:
            continue
    return "?"


def pagefind_binary() -> Path | None:
    """The Pagefind binary that Pagefind's Python package finds (its extended build, which
    segments Chinese and Japanese, first), or ``None``."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        found = get_executable()
    except Exception:  # an installation the package cannot read
        return None
    return found if found is not None and found.is_file() else None


def write_index(documents: list[SearchDocument], folder: Path) -> Path:
    """Write the documents into ``folder/pages`` and run Pagefind over them; returns the
    bundle's folder (``folder/pagefind``). Raises :class:`SearchFailed`."""
    binary = pagefind_binary()
    if binary is None:
        raise SearchFailed("Pagefind's binary was not found (install it with: pip install 'pagefind[extended]')")
    pages, bundle = folder / "pages", folder / SEARCH_FOLDER
    for stale in (pages, bundle):
        shutil.rmtree(stale, ignore_errors=True)
    made: set[Path] = set()
    for document in documents:
        target = pages / document.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(document.html, encoding="utf-8")
    if not documents:
        pages.mkdir(parents=True, exist_ok=True)
    command = [str(binary), "--site", str(pages), "--output-path", str(bundle), "--quiet"]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=TIMEOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        raise SearchFailed(f"Pagefind did not finish within {TIMEOUT // 60} minutes") from None
    except OSError as exc:
        raise SearchFailed(f"Pagefind could not be started: {exc.strerror or exc}") from None
    if result.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        said = [line.strip() for line in (result.stderr + "\n" + result.stdout).splitlines() if line.strip()]
        detail = said[-1] if said else "no message"
        how = f"exit status {result.returncode}" if result.returncode >= 0 else f"signal {-result.returncode}"
        raise SearchFailed(f"Pagefind stopped ({how}): {detail[:300]}")
    shutil.rmtree(pages, ignore_errors=True)
    try:
        settle_bundle(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError) as exc:
        raise SearchFailed(f"Pagefind wrote an index this version of Brief cannot read ({type(exc).__name__}: {exc})") from None
    return bundle


def settle_bundle(bundle: Path) -> None:
    """Make the bundle the same, byte for byte, for the same documents.

    Pagefind's words, pages and fragments come out the same from run to run, but
    it lists each filter's values (and the filters) in a different order each
    time. This sorts them (so the search page also lists values in name order),
    writes each changed file under a name made from its content as Pagefind
    does, and points the bundle's metadata and entry file at the new names.
    """
    import cbor2

    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_pagefind(meta_path, cbor2)
        filters = []
        for name, old in meta[3]:
            path = bundle / "filter" / f"{old}.pf_filter"
            name_, values = _read_pagefind(path, cbor2)
            data = cbor2.dumps([name_, sorted(values, key=lambda v: (str(v[0]).casefold(), str(v[0])))])
            new = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
            path.unlink()
            _write_pagefind(bundle / "filter" / f"{new}.pf_filter", data)
            filters.append([name, new])
        meta[3] = sorted(filters)
        data = cbor2.dumps(meta)
        info["hash"] = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        _write_pagefind(bundle / f"pagefind.{info['hash']}.pf_meta", data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


#: What every file of Pagefind's index starts with, inside its gzip.
_PAGEFIND_HEADER = b"pagefind_dcd"


def _read_pagefind(path: Path, cbor2: Any) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_PAGEFIND_HEADER):
        raise ValueError(f"{path.name} does not start as Pagefind's files do")
    return cbor2.loads(data[len(_PAGEFIND_HEADER):])


def _write_pagefind(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(_PAGEFIND_HEADER + data, compresslevel=9, mtime=0))


def bundle_files(bundle: Path) -> list[tuple[str, Path]]:
    """The files of the bundle that the search page uses, as (output path, file), in name order."""
    found = []
    for path in sorted(bundle.rglob("*")):
        rel = path.relative_to(bundle).as_posix()
        if path.is_file() and not rel.startswith(UNUSED):
            found.append((f"{SEARCH_FOLDER}/{rel}", path))
    return found
