"""The build cache: what a build can reuse from the builds before it.

Three things are reused, each keyed so that reuse is always correct:

* **Rendered Markdown**, in ``<project>/.brief-cache/build/markdown/``, keyed by
  a hash of the article's validated source (front-matter and body), its issue
  date, the raw-HTML setting and the generator's own code and library
  versions. An unchanged article is never parsed again; a template or
  stylesheet change re-renders pages without re-parsing any Markdown.
* **Published files**: a manifest per output folder (in the cache folder) holds
  a fingerprint of every output file's inputs. A page whose fingerprint has not
  changed is not rendered again, and a file whose fingerprint has not changed
  is not written again: the previous output's file stays.
* **The whole build**: the manifest also records a fingerprint of every input
  file (path, size, modification time), the templates, the static files, the
  generator and the build options. When none has changed, the build stops at
  once: the published output is already what it would write.

Processed images have their own cache (:mod:`brief.images`). Deleting
``.brief-cache/`` is always safe; ``brief build --no-cache`` ignores it all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import pickle
import shutil
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, TypeVar

from . import __version__
from .errors import Diagnostic, SourceLocation
from .files import write_whole
from .model import ArticleContent

if TYPE_CHECKING:
    from .options import BuildOptions

T = TypeVar("T")

#: The cache's folder, relative to the project folder.
CACHE_FOLDER = Path(".brief-cache") / "build"
#: The file that marks an output folder as one Brief made (and may replace).
MARKER = ".brief-output"
#: Bump to invalidate every cache entry when their format changes.
CACHE_FORMAT = "5"
#: zlib's level for the Markdown cache's entries: a rendered article's pickle shrinks to 0.27 of
#: its size for about 0.24 ms of CPU (level 1: 0.29 for 0.21 ms; level 6: 0.25 for 0.42 ms);
#: reading one back costs 0.08 ms more. See docs/performance.md.
ENTRY_LEVEL = 3
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "hanzidentifier", "Jinja2", "nh3", "Pillow", "PyYAML", "bibtexparser", "rispy")


@functools.lru_cache(maxsize=1)
def generator_version() -> str:
    """A hash of Brief's own code and the versions of the libraries that shape its output."""
    digest = hashlib.sha256(f"{__version__}\n{CACHE_FORMAT}\n".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?\n".encode())
    return digest.hexdigest()[:16]


def fingerprint(*parts: Any) -> str:
    """A short stable hash of values whose ``repr`` is deterministic (model objects, tuples, text)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


def inputs_fingerprint(options: "BuildOptions") -> str:
    """A fingerprint of everything a build reads: the content, templates and static files
    (by path, size and time), the generator, and the options that change the output."""
    return fingerprint(
        generator_version(), options.strict, options.future, options.drafts, options.base_url,
        options.pdf,
        options.search, options.search_index,
        str(options.out.resolve()) if options.out is not None else "check",
        tree_fingerprint([options.content, *options.template_folders(), *options.static_folders()]),
    )


def folder_digest(folders: Iterable[Path]) -> str:
    """A hash of the contents of every file under ``folders`` (the layers of templates), in order."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(f"\0{folder}\0".encode())
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def tree_fingerprint(folders: Iterable[Path]) -> str:
    """A hash of every file's path, size and modification time under ``folders``."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(f"\0{folder}\0".encode())
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


@dataclass
class MarkdownCache:
    """Rendered articles by content key. ``folder=None`` turns the cache off.

    Each article's full content is one file; an index (one file for all) holds the
    light part of every article (summary, images used, diagnostics), which is all a
    build needs of an article whose page it does not render again. The full
    content is read only for the pages that are rendered (:meth:`full`).
    """

    folder: Path | None
    hits: int = 0
    index: dict[str, tuple[ArticleContent, list[Diagnostic]]] = field(default_factory=dict)
    used: dict[str, tuple[ArticleContent, list[Diagnostic]]] = field(default_factory=dict)
    changed: bool = False
    #: Keys already computed, by their parts (a preview computes the same keys build after build).
    keys: dict[Any, str] = field(default_factory=dict)
    #: Set when this instance serves build after build (the preview): then the entries seen
    #: on disk are remembered in ``present`` (entries are never removed while it runs).
    kept: bool = False
    present: set[str] = field(default_factory=set)
    #: Whether a kept instance has an index to write when it is done (see :meth:`save`).
    pending_save: bool = False
    #: For a kept instance: by article, the source object and settings the last build
    #: looked it up with, and the key and entry it found (see :meth:`recall`).
    recalled: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    #: Which entry each article had in the index read from disk, and has in this build
    #: (by the article file's display path): see :meth:`save`.
    owners: dict[str, str] = field(default_factory=dict)
    owned: dict[str, str] = field(default_factory=dict)
    #: The entries kept for articles a build left out though their files are there (a
    #: draft, a piece not yet due), by article: the key and the entry (see :meth:`save`).
    carried: dict[str, tuple[str, Any]] = field(default_factory=dict)
    #: For a kept instance: keys its earlier builds used that later ones did not; their
    #: files are removed when it is done with them (see :meth:`save`).
    retired: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.folder is not None:
            try:
                with open(self._index_path(), "rb") as handle:
                    index, owners = pickle.load(handle)
                if isinstance(index, dict) and isinstance(owners, dict):
                    self.index, self.owners = index, owners
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                self.index = {}

    def key(self, *parts: Any) -> str:
        try:
            known = self.keys.get(parts)
        except TypeError:  # parts that cannot be hashed
            return self._key(parts)
        if known is None:
            known = self._key(parts)
            if len(self.keys) > 4 * max(len(self.index), 1024):  # entries of files since edited
                self.keys.clear()
            self.keys[parts] = known
        return known

    @staticmethod
    def _key(parts: tuple[Any, ...]) -> str:
        return hashlib.sha256(pickle.dumps((generator_version(), parts), protocol=5)).hexdigest()[:32]

    def next_build(self) -> None:
        """Serve another build from this instance (kept in memory by the preview): what the
        last build used is the index now, as :meth:`save` wrote it."""
        if self.used:
            self.retired.update(self.index.keys() - self.used.keys())
            self.index, self.owners = self.used, self.owned
        self.used, self.owned, self.hits, self.changed, self.kept = {}, {}, 0, False, True

    def keep_all(self) -> None:
        """Count every article of the last build as used by this one too (a preview's
        rebuild that looks again only at the articles whose files changed)."""
        self.used = dict(self.index)
        self.hits = len(self.used)

    def _index_path(self) -> Path:
        assert self.folder is not None
        return self.folder / f"index-{generator_version()}.pickle"

    def get(self, key: str) -> tuple[ArticleContent, list[Diagnostic]] | None:
        """The light content and diagnostics of a cached article, or ``None``."""
        entry = self.index.get(key)
        if entry is None or self.folder is None:
            return None
        if key not in self.present:
            if not os.path.isfile(_entry_path(self.folder, key)):
                return None
            if self.kept:
                self.present.add(key)
        self.hits += 1
        self.used[key] = entry
        return entry

    def recall(self, path: str, source: Any, settings: tuple[Any, ...]) -> tuple[str, tuple[ArticleContent, list[Diagnostic]]] | None:
        """The key and entry of the article ``path`` when it is the very ``source`` object the
        last build looked up (a preview keeps unchanged sources), with the same ``settings``,
        and its entry is still in the index; else ``None`` (look it up by :meth:`key`)."""
        known = self.recalled.get(path)
        if known is None or known[0] is not source or known[1] != settings:
            return None
        key: str = known[2]
        entry: tuple[ArticleContent, list[Diagnostic]] = known[3]
        if self.index.get(key, None) is not entry:
            return None
        self.hits += 1
        self.used[key] = entry
        return key, entry

    def note(self, path: str, source: Any, settings: tuple[Any, ...], key: str, entry: tuple[ArticleContent, list[Diagnostic]]) -> None:
        """Remember what the article ``path`` was found as, for :meth:`recall` (a kept instance only)."""
        if self.kept:
            self.recalled[path] = (source, settings, key, entry)

    def full(self, key: str) -> ArticleContent:
        """The complete content of a cached article (for rendering its page)."""
        assert self.folder is not None
        with open(_entry_path(self.folder, key), "rb") as handle:
            content, _problems = pickle.loads(zlib.decompress(handle.read()))
        return content  # type: ignore[no-any-return]

    @property
    def entries(self) -> Path | None:
        """Where a process that renders an article stores its full content (``None``: it
        returns the full content instead); see :func:`store`."""
        return self.folder

    def put(self, key: str, value: tuple[ArticleContent, list[Diagnostic]]) -> ArticleContent:
        """Record a rendered article; returns what the build should hold of it (the light
        part when the full content is safely on disk, else the full content). ``value``
        may come from :func:`store`, which has written the full content already."""
        content, problems = value
        if self.folder is None:
            return content
        if content.complete and not store(self.folder, key, value):
            return content  # a cache that cannot be written only costs time
        self.used[key] = (light(content), list(problems))
        self.changed = True
        return self.used[key][0]

    def save(self, final: bool = False, keys: dict[str, str] | None = None, sources: Sequence[Any] = ()) -> None:
        """Write the index of the articles this build used, and remove the entries no index
        will hold again: an edited article's earlier text, a deleted article's. An article
        this build did not render though its file is there (a draft, a piece not yet due)
        keeps its entry, for the build that renders it. ``keys`` gives the entry of each
        article rendered (the caller does not change it afterwards), ``sources`` every
        loaded article (each with its ``path``).

        An instance kept between builds (the preview) writes it only when it is done with
        it (``final``): the index is for the next process, and an entry missing from it
        only means that article is rendered again then. What its first build carried is
        carried to the end (looked for once, not at every rebuild)."""
        if keys is not None:
            self.owned = keys
        if self.kept and not final:
            self.pending_save = self.pending_save or self.changed or len(self.used) != len(self.index)
            return
        if final:
            self.changed = self.changed or self.pending_save
            if self.used:
                self.retired.update(self.index.keys() - self.used.keys())
                self.index, self.owners = self.used, self.owned
            self.used, self.owned = self.index, dict(self.owners)
            for article, (key, entry) in self.carried.items():
                if article not in self.owned:
                    self.used[key], self.owned[article] = entry, key
        else:
            present = {source.path for source in sources}
            self.owned = dict(self.owned)
            self.carried = {
                article: (key, self.index[key]) for article, key in self.owners.items()
                if article not in self.owned and article in present and key in self.index
            }
            for article, (key, entry) in self.carried.items():
                self.used[key], self.owned[article] = entry, key
        if self.folder is None or not (self.changed or self.used.keys() != self.index.keys()):
            return
        path = self._index_path()
        unused = (self.retired | self.index.keys()) - self.used.keys()
        try:
            write_whole(path, pickle.dumps((self.used, self.owned), protocol=5))
            for key in unused:
                try:
                    os.unlink(_entry_path(self.folder, key))
                except FileNotFoundError:
                    pass
            self.retired.clear()
            others = [other for other in path.parent.glob("index-*.pickle") if other != path]  # of other versions of Brief
            for other in others:
                other.unlink()
            if others:  # their entries too, which no build of this version reads (a CI job saves the cache whole)
                for entry in path.parent.glob("*/*.pickle*"):
                    if entry.name.partition(".")[0] not in self.used:
                        entry.unlink()
        except OSError:
            pass


def store(folder: Path | None, key: str, value: tuple[ArticleContent, list[Diagnostic]]) -> bool:
    """Write a rendered article's full content into the Markdown cache in ``folder``;
    returns whether it was written. Called where the article was rendered (a worker
    process, perhaps), so that the build's own process only ever holds the light part."""
    if folder is None:
        return False
    try:
        write_whole(Path(_entry_path(folder, key)), zlib.compress(pickle.dumps(value, protocol=5), ENTRY_LEVEL))
    except OSError:
        return False
    return True


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _entry_path(folder: Path, key: str) -> str:
    """Where the Markdown cache keeps the full content of the article ``key`` (a string:
    every article's is looked up on every build): pickled, then compressed with zlib."""
    return os.path.join(folder, key[:2], f"{key}.pickle.z")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def light(content: ArticleContent) -> ArticleContent:
    """An article's content without what only its own page shows."""
    return dataclasses.replace(
        content, body_html="", notes=(), sources=(), figures=(), disclaimer_html="", bios_html=(),
        image_caption_html="", external_links=(), headings=(), complete=False,
    )


@dataclass
class Manifest:
    """What the last build published into one output folder.

    ``inputs`` fingerprints every input of that build; ``files`` maps each file it
    published (pages, images, static files) to the fingerprint of its inputs and
    the size and modification time the file had when written, so that a file is
    reused only if it is still the one Brief wrote. Kept in the cache folder, not
    in the output, so the output holds only the site (and stays byte-identical
    from build to build). A build that starts to change the output in place first
    writes an empty manifest, so that if it is killed halfway the next build
    replaces the output whole.

    The output also depends on the date: it holds what was due on the day it was
    built. It stays right from ``due_since`` (the latest date of what it published)
    until ``next_release`` (the earliest date of what it held back), by the calendar
    of ``time_zone``; outside that span the build is never "nothing changed".
    """

    inputs: str = ""
    articles: int = 0
    count: int = 0
    files: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    #: The build's warnings (path, line, message, hint, code), shown again when nothing changed.
    warnings: list[tuple[str, int, str, str, str]] = field(default_factory=list)
    time_zone: str = "UTC"
    due_since: dt.date | None = None
    next_release: dt.date | None = None
    #: The line saying what was held back (shown again when nothing changed).
    held: str = ""
    #: Each article page published: address → (its file, its title), to tell when one is gone.
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Set when the output is known to hold exactly what this manifest lists (the preview
    #: keeps the manifest of its own output in memory): files are not looked at again.
    trusted: bool = False

    @staticmethod
    def location(cache: Path, out: Path | None) -> Path:
        """The manifest of the output folder ``out``, or of ``brief check`` (``out=None``), which
        records the pages it has rendered (their keys) though it writes none."""
        name = "check" if out is None else hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
        return cache / f"manifest-{name}.json"

    @classmethod
    def rendered_keys(cls, cache: Path) -> set[str]:
        """The page fingerprints that earlier builds and checks rendered: a page with one of
        these renders without error (to the same bytes), so a check need not render it again."""
        keys: set[str] = set()
        for path in cache.glob("manifest-*.json"):
            keys.update(key for key, _, _ in cls.read(path).files.values())
        return keys

    @staticmethod
    def mark_publishing(path: Path | None) -> None:
        """Flag that the output is being changed in place. :meth:`write` lowers the flag;
        while it is up, :meth:`read` finds no manifest, so a build that is killed halfway
        is followed by one that replaces the output whole."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.with_suffix(".publishing").touch()

    @classmethod
    def read(cls, path: Path | None) -> "Manifest":
        if path is None or path.with_suffix(".publishing").exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT:
                return cls()
            files = {str(k): (str(v[0]), int(v[1]), int(v[2])) for k, v in data["files"].items()}
            warnings = [(str(w[0]), int(w[1]), str(w[2]), str(w[3]), str(w[4])) for w in data["warnings"]]
            pages = {str(k): (str(v[0]), str(v[1])) for k, v in data["pages"].items()}
            return cls(
                str(data["inputs"]), int(data["articles"]), int(data["count"]), files, warnings, str(data["time_zone"]),
                _date(data["due_since"]), _date(data["next_release"]), str(data["held"]), pages,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return cls()

    def keep_warnings(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Remember the build's warnings, to show them again when nothing changes."""
        self.warnings = [
            (d.location.path, d.location.line, d.message, d.hint, d.code) for d in diagnostics if d.severity == "warning"
        ]

    def kept_warnings(self) -> list[Diagnostic]:
        """The warnings of the build that wrote this manifest."""
        return [
            Diagnostic(SourceLocation(path, line), message, hint, "warning", code)
            for path, line, message, hint, code in self.warnings
        ]

    def write(self, path: Path | None) -> None:
        if path is None:
            return
        data = {
            "format": CACHE_FORMAT, "inputs": self.inputs, "articles": self.articles, "count": self.count,
            "files": self.files, "warnings": self.warnings, "time_zone": self.time_zone,
            "due_since": self.due_since.isoformat() if self.due_since else None,
            "next_release": self.next_release.isoformat() if self.next_release else None,
            "held": self.held, "pages": self.pages,
        }
        try:
            write_whole(path, json.dumps(data, sort_keys=True).encode("utf-8"))
            path.with_suffix(".publishing").unlink(missing_ok=True)
        except OSError:
            pass

    def describes(self, out: Path, inputs: str, now: dt.date | None = None) -> bool:
        """Whether ``out`` holds what a build of ``inputs`` would write today (or on ``now``):
        this manifest is of the same inputs, nothing it held back is due and nothing it
        published is not due yet, and every file is still the one that build wrote."""
        if not self.is_current(inputs, now) or not self.holds(out):
            return False
        return all(self.reusable(out, path, key) for path, (key, _, _) in self.files.items())

    def is_current(self, inputs: str, now: dt.date | None = None) -> bool:
        """Whether this manifest is of the same ``inputs``, with nothing it held back due
        today (or on ``now``) and nothing it published not due yet."""
        if not self.inputs or self.inputs != inputs:
            return False
        if self.due_since is not None or self.next_release is not None:
            from .schedule import site_today

            try:
                today = site_today(self.time_zone, now)
            except (ValueError, KeyError, OSError):
                return False
            if (self.next_release is not None and today >= self.next_release) or (
                self.due_since is not None and today < self.due_since
            ):
                return False
        return True

    def holds(self, out: Path) -> bool:
        """Whether ``out`` is the folder this manifest describes (one Brief made, which an
        interrupted update has not left halfway)."""
        return bool(self.files) and (out / MARKER).is_file()

    def reusable(self, out: Path, path: str, key: str) -> bool:
        """Whether the published ``path`` is still the file Brief wrote for inputs ``key``."""
        known = self.files.get(path)
        if known is None or known[0] != key:
            return False
        if self.trusted:
            return True
        try:
            stat = os.stat(os.path.join(out, path))
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == known[1:]


@dataclass
class SourceCache:
    """Loaded articles by file, so that an unchanged file is not read or parsed again.

    An entry is used when the file is loaded in the same context (its issue and
    the set of author ids, which decide whether its front-matter is valid) by the
    same generator, and has the same bytes: the same hash, or, without reading
    it, the same size, modification and change times and inode as when it was
    hashed. Entries are kept in one file per folder of articles (an issue), so a
    build that changes one article rewrites one small file. Articles' bodies, most
    of an entry's size and needed only to parse an article's Markdown again, are
    not kept (the file is read again where its Markdown is parsed: see
    :func:`brief.load.read_body`): sources come out of the cache with an empty body.
    """

    folder: Path | None
    #: Per folder file: what it held when read, and the entries this build used.
    loaded: dict[str, dict[str, tuple[Any, ...]]] = field(default_factory=dict)
    used: dict[str, dict[str, tuple[Any, ...]]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    #: Set by a process that watches the files and keeps this cache between builds (the
    #: preview): the absolute paths that changed since the last build. Every other file
    #: is known to be unchanged and is not looked at (``None``: every file is).
    watched: set[str] | None = None
    #: What :meth:`remember` computed from files, by path (only while ``watched`` is set).
    memos: dict[str, Any] = field(default_factory=dict)
    #: What was loaded from a folder, by the folder's path (see :meth:`recall`; only while
    #: ``watched`` is set): a folder none of whose files changed gives the same again.
    folders: dict[str, Any] = field(default_factory=dict)
    #: The changed paths and every folder above them; the folders that hold a changed path.
    _dirty: set[str] = field(default_factory=set)
    _parents: set[str] = field(default_factory=set)
    _authors: tuple[tuple[str, ...], str] = ((), "")
    _shards: dict[str, str] = field(default_factory=dict)
    #: What the last load of a preview gave (see :meth:`brief.load.Loader.load_edited`), and
    #: how many loads it has served.
    last_load: Any = None
    loads: int = 0
    #: Set when this instance serves build after build (a preview: see :meth:`next_build`).
    kept: bool = False

    def next_build(self, changed: set[str] | None) -> None:
        """Serve another build from this instance, kept in memory between builds; ``changed``
        is what changed since the last one (``None``: not known, look at every file).

        While changes are known, the entries of files deleted since are not forgotten
        (one folder file each, harmless: an entry is used only for the same bytes):
        what the builds used is what they found, in the same folder files, which are
        written only when one of their entries changed."""
        if self.used is not self.loaded:
            self.loaded = {shard: entries for shard, entries in self.used.items() if shard in self.loaded}
            self.used = {shard: {} for shard in self.loaded} if changed is None else self.loaded
        elif changed is None:
            self.used = {shard: {} for shard in self.loaded}
        self.changed = set()
        self.watched, self.kept = changed, True
        if changed is None:
            self.last_load = None
            self.memos.clear()
            self.folders.clear()
            self._dirty, self._parents = set(), set()
            return
        self._dirty, self._parents = set(), set()
        for path in changed:
            self._parents.add(os.path.dirname(path))
            while path not in self._dirty:
                self._dirty.add(path)
                parent = os.path.dirname(path)
                if parent == path:
                    break
                path = parent

    def next_generation(self) -> int:
        """A number for the load being made (see :attr:`brief.load.LoadedContent.generation`)."""
        self.loads += 1
        return self.loads

    def unchanged(self, path: Path) -> bool:
        """Whether ``path`` is known not to have changed since the last build."""
        return self.watched is not None and str(path) not in self.watched

    def remember(self, path: Path, compute: Callable[[], T]) -> T:
        """What ``compute`` reads from the file ``path``: computed again only when the file
        may have changed since the last build of a preview (else every time)."""
        key = str(path)
        if key in self.memos and self.unchanged(path):
            return self.memos[key]  # type: ignore[no-any-return]
        value = compute()
        if self.watched is not None:
            self.memos[key] = value
        return value

    def recall(self, folder: Path, shallow: bool = False) -> Any:
        """What :meth:`keep` kept for ``folder`` in an earlier build of a preview, if no file
        under it changed since (with ``shallow``: if no file or folder was added to it or
        removed from it, nor to or from one of its sub-folders); else ``None``."""
        if self.watched is None:
            return None
        key = str(folder)
        if shallow:
            # An entry added, removed or changed is reported by its own path, in its folder.
            if key in self._parents or any(os.path.dirname(p) == key for p in self._parents):
                return None
        elif key in self._dirty:
            return None
        return self.folders.get(key)

    def keep(self, folder: Path, value: Any) -> None:
        """Remember what was loaded from ``folder`` (only in a preview, which is told of changes)."""
        if self.watched is not None:
            self.folders[str(folder)] = value

    def same(self, key: str, value: T) -> T:
        """``value``, or the equal value a preview's earlier build had under ``key`` (so that an
        unchanged value is the same object from one build to the next)."""
        if self.watched is None:
            return value
        known = self.folders.get(key)
        if known is not None and type(known) is type(value) and known == value:
            return known  # type: ignore[no-any-return]
        self.folders[key] = value
        return value

    def reuse_folder(self, folder: str) -> None:
        """Keep the entries of the articles in ``folder`` (a display path) that the last build
        used as used by this one too (its files are unchanged and were not looked up again)."""
        if self.used is self.loaded:
            return
        shard = self._folder_shard(folder)
        if shard in self.loaded:
            self.used[shard] = self.loaded[shard]

    @classmethod
    def open(cls, folder: Path | None) -> "SourceCache":
        return cls(None if folder is None else folder / f"sources-{generator_version()}")

    def authors_key(self, authors: Iterable[str]) -> str:
        ids = tuple(authors)
        if ids != self._authors[0]:  # the same for every article of a build: hash it once
            self._authors = (ids, fingerprint(tuple(sorted(ids))))
        return self._authors[1]

    def _shard(self, display: str) -> str:
        return self._folder_shard(os.path.dirname(display))

    def _folder_shard(self, folder: str) -> str:
        shard = self._shards.get(folder)
        if shard is None:
            shard = self._shards[folder] = hashlib.sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        return shard

    def _read(self, name: str) -> dict[str, Any]:
        assert self.folder is not None
        try:
            with open(self.folder / name, "rb") as handle:
                data = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _entries(self, shard: str) -> dict[str, tuple[Any, ...]]:
        entries = self.loaded.get(shard)
        if entries is None:
            self.loaded[shard] = entries = self._read(f"{shard}.pickle")
            if self.used is not self.loaded:
                self.used[shard] = {}
        return entries

    def digest(self, display: str, path: Path) -> tuple[str, tuple[int, ...], bytes | None]:
        """The file's SHA-256 and status, reusing the last hash when the status is unchanged;
        and the bytes it hashed, when it read the file (so that they are the bytes that are
        parsed, and the file is read once), else None."""
        if self.folder is not None and self.unchanged(path):
            entry = self._entries(self._shard(display)).get(display)
            if entry is not None:
                return entry[1][0], entry[0], None
        stat = os.stat(path)  # before reading: a change made while it is read shows next time
        status = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        if self.folder is not None:
            entry = self._entries(self._shard(display)).get(display)
            if entry is not None and entry[0] == status:
                return entry[1][0], status, None
        with open(path, "rb") as handle:
            data = handle.read()
        return hashlib.sha256(data).hexdigest(), status, data

    def lookup(self, display: str, context: tuple[Any, ...]) -> tuple[Any, list[Diagnostic]] | None:
        if self.folder is None:
            return None
        shard = self._shard(display)
        entry = self._entries(shard).get(display)
        if entry is None or entry[1] != context:
            return None
        self.used[shard][display] = entry
        return entry[2], entry[3]

    def store(self, display: str, status: tuple[int, ...], context: tuple[Any, ...], source: Any, problems: list[Diagnostic]) -> None:
        if self.folder is None:
            return
        shard = self._shard(display)
        self._entries(shard)
        if getattr(source, "body", ""):
            source = dataclasses.replace(source, body="")
        self.used[shard][display] = (status, context, source, list(problems))
        self.changed.add(shard)

    def save(self) -> None:
        """Write the folder files that changed; forget files and folders deleted since."""
        if self.folder is None:
            return
        if self.used is self.loaded:  # (a preview's rebuild: see next_build)
            try:
                for shard in self.changed:
                    write_whole(self.folder / f"{shard}.pickle", pickle.dumps(self.used[shard], protocol=5))
            except OSError:
                pass
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for shard, entries in self.used.items():
                if shard in self.changed or len(entries) != len(self.loaded[shard]):
                    write_whole(self.folder / f"{shard}.pickle", pickle.dumps(entries, protocol=5))
            for name in os.listdir(self.folder):
                if name.rpartition(".")[0] not in self.used:
                    os.unlink(self.folder / name)
            for name in os.listdir(self.folder.parent):  # the caches of other versions of Brief
                if name.startswith("sources-") and name != self.folder.name:
                    _remove(self.folder.parent / name)
        except OSError:
            pass  # a cache that cannot be written only costs time

