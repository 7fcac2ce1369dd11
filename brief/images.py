"""Images: check, process (cached, in worker processes) and mark up every image articles use.

The stage runs in two halves around rendering, because processing pixels is the
slowest work of a build and rendering does not need the pixels, only the sizes:

* :func:`start_images` (main process, fast) finds every image a published
  article uses, reads and hashes each file, checks it (size in bytes and
  pixels, real format against the file's extension, SVG safety) from its header
  without decoding it, plans its variants and social card, and hands the
  decoding to a :class:`~concurrent.futures.ProcessPoolExecutor`. It returns an
  :class:`ImageWork` whose assets (URLs, widths, heights) are final, so the
  render stage can run while the workers decode.
* :meth:`ImageWork.wait` (after rendering) collects the workers' results;
  a file that turns out to be damaged becomes a content error at each use.

A raster image is published as variants: each width of :data:`WIDTHS` below
its own (never upscaled, at least one), in WebP and in a fallback format (JPEG,
or PNG for images with transparency or from lossless sources). Orientation is
applied first, colour is converted to sRGB, and no metadata is written: no
EXIF (so no GPS position), no XMP, no comments, no ICC profile. An SVG is
published byte for byte once it is checked to hold no script.

Processing is cached in ``<project>/.brief-cache/images/``: one folder per
cache key, which is the SHA-256 of the file's bytes, the settings that shape
the output (:class:`ImageSettings`), :data:`VERSION` and the Pillow version.
A cache hit never opens the image: its sizes come from the entry's manifest, and
an image whose size, modification time and inode are unchanged is not even read
(its hash is remembered in ``digests.json``).
Published URLs hold the key (``media/<key>/<name>-<width>.webp``), so a
changed image gets new URLs and an unchanged one keeps them. A drawn social
card (an article without a raster lead image) is one file, ``cards/<k>/<key>.png``,
keyed by its title, publication name, font, settings and :data:`CARD_VERSION`;
cards go to the workers in batches, as each costs about a millisecond.
"""

from __future__ import annotations

import hashlib
import io
import functools
import json
import multiprocessing
import os
import re
import shutil
import secrets
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Iterator
from xml.parsers import expat

import PIL
from markupsafe import escape
from PIL import Image, ImageCms, UnidentifiedImageError

from . import socialcard
from .errors import Diagnostics, SourceLocation
from .files import write_whole
from .markdown import resolve_image_path
from .model import Article, ImageAsset, ImageVariant, Site, SiteConfig

#: Bump when a change to processing changes the files it writes: every cache entry is then remade.
VERSION = "1"
#: Bump when a change changes social cards (drawn, or cropped from a lead image): only the entries
#: that hold a card are remade (those of lead images and drawn cards), not every image's.
CARD_VERSION = "4"
#: Drawn cards handed to a worker process at once: a card costs about a millisecond, so one task
#: per card would spend as long on sending tasks between processes as on drawing.
CARDS_PER_TASK = 64
#: From this many cards to draw, the worker processes start afresh instead of being forked
#: from the build's process: a forked worker keeps the old copy of every page of memory the
#: build changes while it runs, which on a large archive is most of the build's memory (a
#: fresh start costs a few tenths of a CPU-second a worker, whatever the archive's size).
FRESH_WORKERS_CARDS = 10_000
#: Up to this many drawn cards and no photo to process, the cards are drawn in the build's
#: own process (a few milliseconds each) rather than by worker processes.
CARDS_HERE = 4
#: Variant widths in CSS pixels: phones at 1x–3x, the 54rem wide column at 1x–2x.
WIDTHS = (480, 800, 1200, 1600)
#: How wide images are laid out (``--wide: 54rem`` in brief.css; full width below it).
SIZES = "(min-width: 58rem) 54rem, 100vw"
WEBP_QUALITY = 80
JPEG_QUALITY = 82
SOCIAL_QUALITY = 85
#: The cache, relative to the project folder.
CACHE_FOLDER = Path(".brief-cache") / "images"
#: Drawn social cards, inside the cache: ``cards/<first two characters of the key>/<key>.png``.
CARDS_FOLDER = "cards"
MANIFEST = "entry.json"

#: Formats Brief decodes (Pillow opens nothing else), with the file extensions each may carry.
FORMATS: dict[str, tuple[str, ...]] = {
    "JPEG": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "GIF": (".gif",),
    "WEBP": (".webp",),
    "AVIF": (".avif",),
}
#: Formats without loss: their variants are lossless WebP and PNG.
LOSSLESS = {"PNG", "GIF"}
#: Magic numbers of image formats that browsers cannot show, to name them in errors.
OTHER_FORMATS = (
    (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image"),
    (b"8BPS", "a Photoshop document"), (b"%PDF", "a PDF document"), (b"\x00\x00\x01\x00", "an icon file"),
)
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")
MEDIA_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
SVG_NS = "http://www.w3.org/2000/svg"
#: URL schemes that run code or smuggle documents when an SVG is opened on its own.
_BAD_URL = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
_SAFE_DATA_URL = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.IGNORECASE)
_URL_ATTRIBUTES = {"href", "src", "to", "from", "values", "by"}
_TRANSPOSE = {  # EXIF orientation → the transposition that shows the photo upright (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

DAMAGED_HINT = "open it in an image editor and export it again, or ask for the original file"
REPLACE_HINT = "replace it with the JPEG, PNG, WebP or SVG file it should be"


class ImageProblem(Exception):
    """What is wrong with one image file, as an editor should read it after "the image 'x' "."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """Everything from ``site.yaml`` and this module that decides what processing produces or accepts."""

    max_pixels: int
    max_bytes: int
    widths: tuple[int, ...] = WIDTHS
    webp_quality: int = WEBP_QUALITY
    jpeg_quality: int = JPEG_QUALITY
    social_quality: int = SOCIAL_QUALITY

    @classmethod
    def of(cls, config: SiteConfig) -> "ImageSettings":
        return cls(max_pixels=config.max_image_pixels, max_bytes=config.max_image_bytes)

    def output_key(self) -> str:
        """The part of every cache key that comes from settings (the limits do not change outputs)."""
        shaping = {k: v for k, v in asdict(self).items() if k not in ("max_pixels", "max_bytes")}
        return json.dumps({"version": VERSION, "pillow": PIL.__version__, **shaping}, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Header:
    """What a raster file's header says, read without decoding its pixels."""

    format: str  #: Pillow's format name, one of :data:`FORMATS`
    width: int  #: as stored, before orientation
    height: int
    orientation: int  #: EXIF orientation, 1 when none
    alpha: bool

    @property
    def upright(self) -> tuple[int, int]:
        """The size as readers see it, after orientation."""
        return (self.height, self.width) if self.orientation in (5, 6, 7, 8) else (self.width, self.height)


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file a job writes into its cache entry."""

    name: str  #: file name in the cache entry, e.g. ``800.webp``
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class VariantJob:
    """A worker's task: decode one raster image once and write all its files into the cache."""

    source: Path
    digest: str  #: SHA-256 of the bytes that were checked; the worker refuses other bytes
    entry: Path  #: the cache folder to create
    header: Header
    files: tuple[PlannedFile, ...]  #: variants, largest first
    social: PlannedFile | None  #: the social card, for a lead image
    settings: ImageSettings


@dataclass(frozen=True, slots=True)
class CardJob:
    """Draw a social card with an article's title and publication name."""

    path: Path  #: the card's file in the cache, ``cards/<k>/<key>.png``
    title: str
    publication: str
    font: socialcard.CardFont | None


@dataclass(frozen=True, slots=True)
class CardBatch:
    """A worker's task: up to :data:`CARDS_PER_TASK` drawn cards."""

    jobs: tuple[CardJob, ...]


# -- the stage ---------------------------------------------------------------------------


@dataclass
class ImageWork:
    """The images of one build: final assets now, published files once :meth:`wait` returns.

    Use it as a context manager around the stages that overlap with processing;
    leaving it shuts the worker processes down.
    """

    assets: dict[str, ImageAsset] = field(default_factory=dict)  #: by content-relative path
    social: dict[str, ImageAsset] = field(default_factory=dict)  #: by article URL
    #: (output path, file) for every published image file, once processed.
    copies: dict[str, Path] = field(default_factory=dict)
    #: The output paths whose file is a cache entry: it never changes in place, so it can
    #: be published by a hard link (the others are content files, and are copied).
    cached: set[str] = field(default_factory=set)
    #: Jobs whose results are still to come, with the uses to blame when one fails.
    pending: list[tuple[Future[None], list[tuple[SourceLocation, str]]]] = field(default_factory=list)
    #: Content-relative paths (or card titles) decoded by this build: the cache misses.
    processed: list[str] = field(default_factory=list)
    executor: ProcessPoolExecutor | None = None
    #: Set when this is the last build's work, with only some articles looked at again and
    #: found to use the same images and cards (see :func:`start_images`): the same files.
    unchanged: bool = False
    #: Whether the worker processes start afresh (see :data:`FRESH_WORKERS_CARDS`), not forked.
    fresh: bool = False

    def __enter__(self) -> "ImageWork":
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close(cancel=kind is not None)

    def close(self, cancel: bool = False) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=cancel)
            self.executor = None

    def submit(self, job: "VariantJob | CardBatch", count: int, workers: int | None) -> "Future[None]":
        """Start one job in a worker process (or here, with ``workers=0`` or when processes are unavailable)."""
        task = process_variants if isinstance(job, VariantJob) else process_cards
        if self.executor is None and workers != 0:
            try:
                self.executor = ProcessPoolExecutor(
                    max_workers=max(1, min(count, workers or os.cpu_count() or 1)),
                    mp_context=multiprocessing.get_context("spawn") if self.fresh else None,
                )
            except (OSError, NotImplementedError):  # e.g. no shared memory for semaphores in a sandbox
                workers = 0
        if self.executor is not None and workers != 0:
            return self.executor.submit(task, job)  # type: ignore[arg-type]
        future: Future[None] = Future()
        try:
            task(job)  # type: ignore[arg-type]
            future.set_result(None)
        except ImageProblem as problem:
            future.set_exception(problem)
        return future

    def sweep(self, cache: Path) -> int:
        """Remove from the image cache (``cache``) every entry this build did not use: the
        variants of an image no article uses any more or whose file changed, the cards of
        old titles. Call it once the output holds the files (they are linked or copied).
        Returns how many entries went."""
        return sweep_entries(cache, {self.copies[url] for url in self.cached}, nested={CARDS_FOLDER})

    def wait(self, diagnostics: Diagnostics, copies: bool = True) -> list[tuple[str, Path]]:
        """Collect every job; a file that cannot be decoded is an error at each use. Returns the
        copies (with ``copies=False``, nothing: the caller publishes none)."""
        for future, uses in self.pending:
            try:
                future.result()
            except ImageProblem as problem:
                _report(diagnostics, uses, problem)
        self.pending = []
        self.close()
        return sorted(self.copies.items()) if copies else []


def start_images(
    site: Site, project: Path, diagnostics: Diagnostics, workers: int | None = None, cache: Path | None = None,
    plans: dict[str, tuple[object, tuple[ImageAsset, Path]]] | None = None,
    patch: "tuple[Site, list[str], ImageWork] | None" = None,
) -> ImageWork:
    """Check and plan every image the published articles use, and start processing the new ones.

    ``site.images`` and ``site.social`` can be set from the result at once. Problems found
    without decoding are reported here; those found while decoding, by :meth:`ImageWork.wait`.
    ``workers`` is the number of worker processes (default: one per CPU; 0: this process).
    ``cache`` overrides the cache folder (``brief check`` passes a temporary one, so that it
    decodes every image to find damaged files but leaves nothing behind). ``plans``, kept
    from one build to the next by a process that makes many (the preview), remembers each
    article's social card once its file is in the cache: an article whose card depends on
    the same things is not planned again.

    ``patch`` says that the site is the last build's (that site, and its image work, with
    no problem found) with the articles at these addresses made again and nothing else
    changed (see :func:`brief.assemble.assemble_site`): when each still names the same
    images and has the same title, its card is too, and the last work is the answer.
    """
    if patch is not None:
        reused = _patched_work(site, *patch)
        if reused is not None:
            return reused
    settings = ImageSettings.of(site.config)
    cache = cache if cache is not None else project / CACHE_FOLDER
    work = ImageWork()
    # By cache key, so that an image used twice is processed once: the job, its uses, a label.
    jobs: dict[str, tuple[VariantJob, list[tuple[SourceLocation, str]], str]] = {}
    cards: dict[str, CardJob] = {}  # by cache key: two articles with the same title and publication share a card
    uses, leads = _collect_uses(site)
    digests = FileDigests.open(cache)
    for key in sorted(uses):
        try:
            asset, job = _plan_image(key, project / key, key in leads, settings, cache, digests)
        except ImageProblem as problem:
            _report(diagnostics, uses[key], problem)
            continue
        work.assets[key] = asset
        for url in [v.url for v in asset.variants] or [asset.url]:
            work.copies[url] = _cache_file(cache, url) if asset.variants else project / key
        if asset.variants:
            work.cached.update(v.url for v in asset.variants)
        if job is not None:
            jobs.setdefault(job.entry.name, (job, [], key))[1].extend(uses[key])
    digests.save()
    font = socialcard.find_cjk_font()
    # What shapes every drawn card besides its title and publication (the same for the whole build).
    card_settings: list[object] = [font.identity() if font else None, settings.output_key(), CARD_VERSION]
    blank: list[Article] = []  # articles whose drawn card has no title, for want of a font
    publications = {p.slug: p.title for p in site.publications}
    shared = (json.dumps(card_settings), str(cache))
    for article in site.articles.values():
        lead = article.source.image
        # Everything _plan_social reads (besides whether the card's file exists, which does
        # not change once it does).
        inputs = (
            article.title, article.slug, publications.get(article.publication), shared,
            work.assets.get(resolve_image_path(article.source.path, lead.src)) if lead is not None and lead.src else None,
        )
        planned = plans.get(article.url) if plans is not None else None
        if planned is not None and planned[0] == inputs:
            card, card_file = planned[1]
            card_job = None
        else:
            card, card_file, card_job = _plan_social(article, site, work.assets, card_settings, cache, font)
            if plans is not None and card_job is None:
                plans[article.url] = (inputs, (card, card_file))
        work.social[article.url] = card
        if font is None and card.media_type == "image/png":
            blank.append(article)
        work.copies[card.url] = card_file
        work.cached.add(card.url)
        if card_job is not None:
            cards.setdefault(card_job.path.name, card_job)
    if blank:  # once per build, not once per card
        diagnostics.warning(
            SourceLocation(blank[0].source.path), f"no CJK font was found: social cards are drawn without their titles ({len(blank)} in this build)",
            f"install the package {socialcard.FONT_PACKAGE} (Debian, Ubuntu) or Noto Sans CJK, then build again",
            code="no-cjk-font",
        )
    if diagnostics.errors:
        return work  # the build stops: nothing to process
    # Photos first (one task each: they are slow), then the drawn cards in batches, at least
    # four batches a worker so that the workers finish together.
    processes = workers if workers is not None else os.cpu_count() or 1
    size = max(1, min(CARDS_PER_TASK, -(-len(cards) // (4 * max(1, processes)))))
    card_jobs = list(cards.values())
    batches = [CardBatch(tuple(card_jobs[i : i + size])) for i in range(0, len(card_jobs), size)]
    work.fresh = len(card_jobs) >= FRESH_WORKERS_CARDS
    tasks = len(jobs) + len(batches)
    if not jobs and len(card_jobs) <= CARDS_HERE and workers is None:
        workers = 0  # a retitle's card or two: drawn here, in less time than a worker process takes to start
    for task, task_uses, label in jobs.values():
        work.pending.append((work.submit(task, tasks, workers), task_uses))
        work.processed.append(label)
    for batch in batches:
        # A drawn card fails only when the cache cannot be written: an internal error, not an article's.
        work.pending.append((work.submit(batch, tasks, workers), []))
        work.processed += [job.title for job in batch.jobs]
    return work


def sweep_entries(cache: Path, used: set[Path], nested: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """Remove the entries of a cache laid out as ``<k>/<key>/`` (a folder an entry, ``<k>`` the
    key's first two characters) that hold none of the files in ``used``; in the folders named
    in ``nested``, the same layout holds one file an entry (``<folder>/<k>/<key>.<ext>``).
    Files at the top (an index) and names starting with a dot or ``tmp`` (an entry being
    written) are left alone. Returns how many entries went."""
    keep: set[Path] = set()
    for path in used:
        try:
            parts = path.relative_to(cache).parts
        except ValueError:
            continue
        keep.add(cache.joinpath(*parts[:3] if parts[0] in nested else parts[:2]))
    removed = 0
    try:
        shards = list(os.scandir(cache))
    except OSError:
        return 0
    for shard in shards:
        if not shard.is_dir(follow_symlinks=False):
            continue
        if shard.name in nested:
            groups = [Path(g.path) for g in os.scandir(shard.path) if g.is_dir(follow_symlinks=False) and len(g.name) == 2]
        elif len(shard.name) == 2:
            groups = [Path(shard.path)]
        else:
            continue
        for group in groups:
            for entry in os.scandir(group):
                if entry.name.startswith((".", "tmp")) or Path(entry.path) in keep:
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass  # a cache that cannot be tidied only costs room
    return removed


def _patched_work(site: Site, before: Site, urls: list[str], last: ImageWork) -> ImageWork | None:
    """The last build's image work for ``site``, when the articles at ``urls``, made again
    since ``before``, name the same images and keep their titles; else ``None``."""
    for url in urls:
        old, new = before.articles.get(url), site.articles.get(url)
        if old is None or new is None or old.title != new.title or _named_images(old) != _named_images(new):
            return None
    return ImageWork(assets=last.assets, social=last.social, copies=last.copies, cached=last.cached, unchanged=True)


def _named_images(article: Article) -> tuple[object, ...]:
    """What an article says of the images it uses (lead image and body, with their lines)."""
    lead = article.source.image
    return (
        (lead.src, lead.line, lead.src_line) if lead is not None else None,
        tuple((use.src, use.line) for use in article.content.images),
    )


def _cache_file(cache: Path, url: str) -> Path:
    """Where the cache holds a published file: ``media/<key>/<name>-<file>`` is ``<cache>/<k>/<key>/<file>``."""
    _, key, name = url.split("/")
    return cache / key[:2] / key / name.rsplit("-", 1)[1]


def _collect_uses(site: Site) -> tuple[dict[str, list[tuple[SourceLocation, str]]], set[str]]:
    """Each image file in use, with where each article first uses it (and the path written there)."""
    uses: dict[str, list[tuple[SourceLocation, str]]] = {}
    leads: set[str] = set()
    for article in site.articles.values():
        source = article.source
        if not article.content.images and (source.image is None or not source.image.src):
            continue  # (most articles: this is done for every article on every build)
        written: list[tuple[str, int]] = []
        if source.image is not None and source.image.src:
            written.append((source.image.src, source.image.line))
            leads.add(resolve_image_path(source.path, source.image.src))
        written += [(use.src, use.line) for use in article.content.images]
        seen: set[str] = set()
        for src, line in written:
            key = resolve_image_path(source.path, src)
            if key not in seen:
                seen.add(key)
                uses.setdefault(key, []).append((SourceLocation(source.path, line), src))
    return uses, leads


def _report(diagnostics: Diagnostics, uses: list[tuple[SourceLocation, str]], problem: ImageProblem) -> None:
    for location, src in uses:
        diagnostics.error(location, f"the image '{src}' {problem.message}", problem.hint)


# -- planning (main process, no decoding) ------------------------------------------------


def _plan_image(
    key: str, path: Path, lead: bool, settings: ImageSettings, cache: Path, digests: "FileDigests"
) -> tuple[ImageAsset, VariantJob | None]:
    """The asset one image file becomes, and the job that makes its files (None on a cache hit).

    An image unchanged since the last build (same size, time and inode) is not even read:
    its hash comes from ``digests`` and its sizes from its cache entry.
    """
    stem = _stem(key)
    if path.suffix.lower() == ".svg":
        data = _read_limited(path, settings.max_bytes)
        width, height = check_svg(data)
        digest = hashlib.sha256(data).hexdigest()
        return ImageAsset(key, f"media/{digest[:16]}/{stem}.svg", width, height, "image/svg+xml"), None
    data = None
    digest = digests.get(path, settings.max_bytes)
    if digest is None:
        data = _read_limited(path, settings.max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        digests.put(path, digest)
    card = f"card-{CARD_VERSION}" if lead else "False"  # only a lead image's entry holds a card
    cache_key = hashlib.sha256(f"{digest}\n{settings.output_key()}\nsocial={card}".encode()).hexdigest()[:32]
    entry = cache / cache_key[:2] / cache_key
    manifest = _read_manifest(entry)
    if manifest is not None:
        header = Header(**manifest["header"])
        _check_header(header, path, settings)
        files = tuple(PlannedFile(**f) for f in manifest["files"])
        return _asset(key, stem, cache_key, header, files), None
    if data is None:
        data = _read_limited(path, settings.max_bytes)
    header = read_header(data, path)
    _check_header(header, path, settings)
    files = plan_files(header, settings)
    social = PlannedFile("social.jpg", *socialcard.CARD_SIZE) if lead else None
    job = VariantJob(path, digest, entry, header, files, social, settings)
    return _asset(key, stem, cache_key, header, files), job


class FileDigests:
    """The SHA-256 of each image file, remembered with its size, modification time and inode,
    so that a rebuild does not read (let alone decode) images that did not change."""

    def __init__(self, path: Path | None, known: dict[str, list[object]]):
        self.path = path
        self.known = known
        self.changed = False

    @classmethod
    def open(cls, cache: Path) -> "FileDigests":
        path = cache / "digests.json"
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        return cls(path, known if isinstance(known, dict) else {})

    @staticmethod
    def _stamp(path: Path) -> list[object]:
        stat = path.stat()
        return [stat.st_size, stat.st_mtime_ns, stat.st_ino]

    def get(self, path: Path, max_bytes: int) -> str | None:
        try:
            stamp = self._stamp(path)
        except OSError:
            return None  # reading it will report the problem
        entry = self.known.get(str(path))
        if entry is None or entry[:3] != stamp or int(stamp[0]) > max_bytes:  # type: ignore[call-overload]
            return None
        return str(entry[3])

    def put(self, path: Path, digest: str) -> None:
        try:
            self.known[str(path)] = [*self._stamp(path), digest]
            self.changed = True
        except OSError:
            pass

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        try:
            write_whole(self.path, json.dumps(self.known, sort_keys=True).encode("utf-8"))
        except OSError:
            pass


def _asset(key: str, stem: str, cache_key: str, header: Header, files: tuple[PlannedFile, ...]) -> ImageAsset:
    variants = tuple(
        ImageVariant(f"media/{cache_key}/{stem}-{f.name}", f.width, f.height, MEDIA_TYPES[f.name.rsplit(".", 1)[1]])
        for f in sorted(files, key=lambda f: (f.width, f.name != f"{f.width}.webp"))
    )
    largest = max((v for v in variants if v.media_type != "image/webp"), key=lambda v: v.width)
    return ImageAsset(key, largest.url, largest.width, largest.height, largest.media_type, variants)


def plan_files(header: Header, settings: ImageSettings) -> tuple[PlannedFile, ...]:
    """The variants of an image: every configured width below its own, and its own width up to the largest."""
    width, height = header.upright
    widths = sorted({w for w in settings.widths if w < width} | {min(width, max(settings.widths))}, reverse=True)
    fallback = "png" if header.alpha or header.format in LOSSLESS else "jpg"
    files: list[PlannedFile] = []
    for w in widths:
        h = max(1, round(height * w / width))
        files += [PlannedFile(f"{w}.webp", w, h), PlannedFile(f"{w}.{fallback}", w, h)]
    return tuple(files)


def _read_limited(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageProblem(
                f"is {_megabytes(size)}, more than the limit of {_megabytes(max_bytes)}",
                "export it again at a smaller size, or raise 'max_megabytes' under 'images:' in site.yaml",
            )
        return path.read_bytes()
    except OSError as exc:
        raise ImageProblem(f"cannot be read: {exc.strerror}", "check that the file exists and can be read") from None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _stem(key: str) -> str:
    """A file name part safe for URLs and ``srcset`` (no spaces or commas)."""
    name = Path(key).stem
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "image"


@contextmanager
def _pixel_limit_off() -> Iterator[None]:
    """Brief checks pixel counts itself, against site.yaml; keep Pillow's global check out of the way."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def read_header(data: bytes, path: Path) -> Header:
    """Identify a raster file and read its size and orientation, without decoding its pixels."""
    with _pixel_limit_off():
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
                return Header(image.format or "", image.width, image.height, _orientation(image.info.get("exif")), alpha)
        except UnidentifiedImageError:
            raise _not_an_image(data, path) from None
        except Exception as exc:  # any failure to parse an untrusted header means a damaged file
            raise ImageProblem(f"is damaged: {_reason(exc)}", DAMAGED_HINT) from None


def _orientation(exif: bytes | None) -> int:
    if not exif:
        return 1
    try:
        reader = Image.Exif()
        reader.load(exif)
        value = reader.get(0x0112, 1)
    except Exception:  # unreadable EXIF: show the pixels as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _not_an_image(data: bytes, path: Path) -> ImageProblem:
    head = data[:512]
    what = next((name for magic, name in OTHER_FORMATS if head.startswith(magic)), "")
    if not what and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        what = "a HEIC/HEIF image"
    if what:
        return ImageProblem(f"is {what}, which browsers cannot show", "export it as JPEG (photos) or PNG (charts and screenshots)")
    if not data:
        return ImageProblem("is an empty file", REPLACE_HINT)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and "\x00" not in text:
        kind = "an HTML page" if "<html" in text.lower() or "<!doctype" in text.lower() else "text"
        return ImageProblem(f"is not an image: the file holds {kind}, not picture data", REPLACE_HINT)
    return ImageProblem(f"is not an image Brief can publish: its contents are not {_format_list()}", REPLACE_HINT)


def _format_list() -> str:
    names = ["JPEG", "PNG", "GIF", "WebP", "AVIF"]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _reason(exc: BaseException) -> str:
    """Pillow's account of a failure, as a clause (without byte counts that mean nothing to an editor)."""
    text = re.sub(r"\s*\(\d+ bytes not processed\)", "", str(exc)).strip().rstrip(".") or type(exc).__name__
    return text[0].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _check_header(header: Header, path: Path, settings: ImageSettings) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS.get(header.format, ()):
        right = FORMATS[header.format][0]
        article_name = "its name ends in '" + suffix + "'" if suffix else "its name has no extension"
        raise ImageProblem(
            f"is a {_display_format(header.format)} file, but {article_name}",
            f"rename the file to '{path.stem}{right}' and change the reference to it",
        )
    pixels = header.width * header.height
    if pixels > settings.max_pixels:
        raise ImageProblem(
            f"is {header.width}×{header.height} pixels ({_megapixels(pixels)}), more than the limit of "
            f"{_megapixels(settings.max_pixels)}; a file this large could exhaust memory (a decompression bomb)",
            "scale it down (2400 pixels across is plenty for a web page), or raise 'max_pixels' under 'images:' in site.yaml",
        )


def _display_format(name: str) -> str:
    return {"WEBP": "WebP"}.get(name, name)


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.1f} megapixels"


def _read_manifest(entry: Path) -> dict | None:  # type: ignore[type-arg]
    """A complete cache entry's manifest, or None (a damaged entry is removed and made again)."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
        names = [f["name"] for f in manifest["files"]] + ([manifest["social"]] if manifest.get("social") else [])
        if all((entry / name).is_file() for name in names):
            return manifest  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    shutil.rmtree(entry, ignore_errors=True)
    return None


@functools.lru_cache(maxsize=1 << 16)
def _card_key(title: str, publication: str, settings: str) -> str:
    """The cache key of a drawn card; ``settings`` is the JSON list of what else shapes it
    (remembered: a preview plans every card on every rebuild)."""
    return hashlib.sha256(json.dumps([title, publication, *json.loads(settings)]).encode()).hexdigest()[:32]


def _plan_social(
    article: Article, site: Site, assets: dict[str, ImageAsset], card_settings: list[object], cache: Path,
    font: socialcard.CardFont | None,
) -> tuple[ImageAsset, Path, CardJob | None]:
    """An article's social card and its file in the cache: cropped from its raster lead image (made
    with the image's variants), or drawn with its title (the job, unless the cache has the card)."""
    width, height = socialcard.CARD_SIZE
    lead = article.source.image
    asset = assets.get(resolve_image_path(article.source.path, lead.src)) if lead is not None and lead.src else None
    if asset is not None and asset.variants:
        cache_key = asset.url.split("/")[1]
        card = ImageAsset(asset.source, f"media/{cache_key}/{_stem(asset.source)}-social.jpg", width, height, "image/jpeg")
        return card, _cache_file(cache, card.url), None
    publication = next(p.title for p in site.publications if p.slug == article.publication)
    cache_key = _card_key(article.title, publication, json.dumps(card_settings))
    # One file per card, with no folder or manifest: a card is written whole (renamed into place), so
    # its file exists only when complete, and its size is always the card's.
    name = os.path.join(cache, CARDS_FOLDER, cache_key[:2], f"{cache_key}.png")  # a string: thousands of these
    card = ImageAsset("", f"media/{cache_key}/{article.slug}-card.png", width, height, "image/png")
    path = Path(name)
    return card, path, None if os.path.isfile(name) else CardJob(path, article.title, publication, font)


# -- markup -------------------------------------------------------------------------------


def image_html(
    asset: ImageAsset, alt: str, root: str, lazy: bool = True, title: str = "", priority: str | None = None,
) -> str:
    """The markup of one published image; ``root`` leads from the page to the site root.

    A raster image is a ``<picture>``: WebP variants in a ``<source>``, the fallback
    variants on the ``<img>``, which carries the size (no layout shift). A lazy image
    loads when the reader scrolls near it; an image that is not lazy is fetched with
    ``priority`` (``"high"`` unless said otherwise: the lead image; the article's
    figures are fetched ``"low"``, after everything else but before printing).
    """
    attrs = [f'alt="{escape(alt)}"']
    if asset.width and asset.height:
        attrs.append(f'width="{asset.width}" height="{asset.height}"')
    if title:
        attrs.append(f'title="{escape(title)}"')
    attrs.append('loading="lazy"' if lazy else f'fetchpriority="{priority or "high"}"')
    attrs.append('decoding="async"')
    webp = [v for v in asset.variants if v.media_type == "image/webp"]
    fallback = [v for v in asset.variants if v.media_type != "image/webp"]
    if not webp or not fallback:
        return f'<img src="{escape(root + asset.url)}" ' + " ".join(attrs) + ">"

    def srcset(variants: list[ImageVariant]) -> str:
        return ", ".join(f"{escape(root + v.url)} {v.width}w" for v in variants)

    # Browsers without srcset get a size that suits the column on most screens.
    src = next((v for v in fallback if v.width >= 800), fallback[-1])
    return (
        f'<picture><source type="image/webp" srcset="{srcset(webp)}" sizes="{SIZES}">'
        f'<img src="{escape(root + src.url)}" srcset="{srcset(fallback)}" sizes="{SIZES}" ' + " ".join(attrs) + "></picture>"
    )


# -- SVG ------------------------------------------------------------------------------------


def check_svg(data: bytes) -> tuple[int, int]:
    """Check that an SVG is a well-formed picture that runs no code; returns its size (0, 0 when unknown).

    Parsed with expat, refusing any DOCTYPE (and so any entity: no billion laughs, no
    external entities), processing instructions, ``<script>``, ``<foreignObject>``,
    ``on*`` event attributes and ``javascript:``-like URLs.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root: dict[str, str] = {}

    def refuse(message: str) -> ImageProblem:
        return ImageProblem(
            f"{message} (line {parser.CurrentLineNumber} of the SVG)",
            "an SVG must be a picture only: remove it, or export the chart again as plain SVG or as PNG",
        )

    def doctype(*_: object) -> None:
        raise refuse("has a DOCTYPE declaration, which can define entities")

    def instruction(target: str, _: str) -> None:
        raise refuse(f"has a processing instruction '<?{target}'")

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition("}")
        if not root:
            if local != "svg" or namespace != SVG_NS:
                shown = f"<{local}>" if local != "svg" else "<svg> without xmlns=\"http://www.w3.org/2000/svg\""
                raise ImageProblem(f"is not an SVG image: its root element is {shown}", "export it again as SVG from the drawing program")
            root.update({k.rpartition("}")[2]: v for k, v in attributes.items()})
        if local.lower() == "script":
            raise refuse("contains a <script> element")
        if local.lower() == "foreignobject":
            raise refuse("contains a <foreignObject> element, which can hold HTML")
        for attribute, value in attributes.items():
            attribute_local = attribute.rpartition("}")[2].lower()
            if attribute_local.startswith("on"):
                raise refuse(f"has an event handler attribute '{attribute_local}' on <{local}>")
            if attribute_local in _URL_ATTRIBUTES:
                url = re.sub(r"[\s\x00-\x1f]+", "", value)
                if _BAD_URL.match(url) and not _SAFE_DATA_URL.match(url):
                    raise refuse(f"has a '{url.split(':', 1)[0].lower()}:' URL in '{attribute_local}' on <{local}>")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ImageProblem(
            f"is not well-formed XML: {expat.ErrorString(exc.code)} (line {exc.lineno} of the SVG)",
            "export it again from the drawing program",
        ) from None
    if not root:
        raise ImageProblem("is not an SVG image: it holds no elements", "export it again as SVG from the drawing program")
    return _svg_size(root)


def _svg_size(attributes: dict[str, str]) -> tuple[int, int]:
    def length(text: str) -> float | None:
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", text or "")
        return float(match.group(1)) if match else None

    width, height = length(attributes.get("width", "")), length(attributes.get("height", ""))
    if width and height:
        return round(width), round(height)
    box = re.split(r"[\s,]+", attributes.get("viewBox", "").strip())
    try:
        box_width, box_height = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return 0, 0
    if box_width > 0 and box_height > 0:
        if width:  # one side given: keep the viewBox's proportions
            return round(width), round(width * box_height / box_width)
        return round(box_width), round(box_height)
    return 0, 0


# -- processing (worker processes) -----------------------------------------------------------


def process_variants(job: VariantJob) -> None:
    """Decode one image and write its variants (and social card) into the cache.

    Raises :class:`ImageProblem` for a file that cannot be decoded. Runs in a worker process.
    """
    data = job.source.read_bytes()
    if hashlib.sha256(data).hexdigest() != job.digest:
        raise ImageProblem("changed while the site was building", "build again")
    header, largest = job.header, job.files[0]
    need = (largest.width, largest.height)
    if job.social is not None:  # the card is cropped from the full picture: decode enough for it too
        width, height = header.upright
        scale = max(job.social.width / width, job.social.height / height)
        need = (max(need[0], round(width * scale)), max(need[1], round(height * scale)))
    if header.orientation in (5, 6, 7, 8):
        need = (need[1], need[0])
    with _pixel_limit_off():
        try:
            image = Image.open(io.BytesIO(data), formats=[header.format])
            if (image.width, image.height) != (header.width, header.height):
                raise ImageProblem("changed while the site was building", "build again")
            if getattr(image, "is_animated", False):
                raise ImageProblem(
                    f"is animated ({getattr(image, 'n_frames', 2)} frames), and Brief publishes still images only",
                    "publish a still image (PNG or JPEG); an animation belongs in a video",
                )
            if image.format == "JPEG":
                image.draft(image.mode if image.mode in ("RGB", "L") else None, need)  # decode at 1/2, 1/4 or 1/8 size
            image.load()
        except ImageProblem:
            raise
        except Exception as exc:  # any failure to decode untrusted bytes means a damaged file
            raise ImageProblem(f"is damaged or truncated and cannot be decoded: {_reason(exc)}", DAMAGED_HINT) from None
    icc = image.info.get("icc_profile")
    picture = _normalise_mode(image)
    if header.orientation in _TRANSPOSE:
        picture = picture.transpose(_TRANSPOSE[header.orientation])
    base = _to_srgb(picture.resize((largest.width, largest.height), Image.Resampling.LANCZOS, reducing_gap=3.0), icc)
    files: dict[str, bytes] = {}
    card_source: Image.Image | None = None  # the smallest variant that holds the social card
    for planned in job.files:  # largest first
        variant = base if (planned.width, planned.height) == base.size else base.resize((planned.width, planned.height), Image.Resampling.LANCZOS)
        if job.social is not None and holds_card(variant.size):
            card_source = variant
        files[planned.name] = encode(variant, planned.name.rsplit(".", 1)[1], header.format in LOSSLESS, job.settings)
    manifest: dict[str, object] = {"header": asdict(header), "files": [asdict(f) for f in job.files], "social": ""}
    if job.social is not None:
        card = photo_card(picture, icc, card_source)
        files[job.social.name] = encode(card, "jpg", False, job.settings, quality=job.settings.social_quality, progressive=False)
        manifest["social"] = job.social.name
    write_entry(job.entry, files, manifest)


def holds_card(size: tuple[int, int]) -> bool:
    """Whether a picture of ``size`` fills a social card without being enlarged."""
    left, top, right, bottom = socialcard.card_box(size)
    width, height = socialcard.CARD_SIZE
    return right - left > width - 1e-6 and bottom - top > height - 1e-6


def photo_card(picture: Image.Image, icc: bytes | None, variant: Image.Image | None) -> Image.Image:
    """A lead image's social card: cut from ``variant``, the smallest variant that holds it (already
    in sRGB; from the 1200-pixel one, a plain crop with no resampling), or else from the decoded
    picture (a wide panorama, a small image)."""
    if variant is not None:
        return socialcard.crop_to_card(variant)
    return _to_srgb(socialcard.crop_to_card(picture), icc)


def process_cards(batch: CardBatch) -> None:
    """Draw title cards and write them into the cache. Runs in a worker process."""
    for job in batch.jobs:
        write_whole(job.path, socialcard.render_card(job.title, job.publication, job.font))


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency; 16-bit and palette images included."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.mode in ("P", "PA", "LA", "La", "RGBa") or "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode == "CMYK" and image.info.get("icc_profile"):
        return image  # converted to sRGB through its profile after resizing
    return image.convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert through the embedded colour profile to sRGB; the result carries no metadata at all."""
    result = image
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in (ImageCms.getProfileDescription(profile) or "").lower() or image.mode == "CMYK":
                alpha = image.getchannel("A") if image.mode == "RGBA" else None
                colour = image.convert("RGB") if alpha is not None else image
                result = ImageCms.profileToProfile(
                    colour, profile, ImageCms.createProfile("sRGB"),
                    renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB",
                ) or colour
                if alpha is not None:
                    result.putalpha(alpha)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: keep the pixels as they are
    if result.mode not in ("RGB", "RGBA"):
        result = result.convert("RGB")
    if result is image:
        result = image.copy()
    result.info.clear()  # no EXIF, XMP, comment or ICC profile travels into a saved file
    return result


def encode(
    image: Image.Image, extension: str, lossless: bool, settings: ImageSettings, quality: int = 0, progressive: bool = True,
) -> bytes:
    """One variant's bytes, with no metadata (only what each call passes is written).

    Social cards are not progressive: crawlers fetch them whole, and progressive
    encoding costs four times as long as baseline.
    """
    image.info.clear()
    buffer = io.BytesIO()
    if extension == "webp":
        if lossless:
            image.save(buffer, "WEBP", lossless=True, quality=60, method=4)
        else:
            image.save(buffer, "WEBP", quality=settings.webp_quality, method=4)
    elif extension == "png":
        image.save(buffer, "PNG", compress_level=9)
    else:
        image.convert("RGB").save(
            buffer, "JPEG", quality=quality or settings.jpeg_quality, optimize=True, progressive=progressive, subsampling="4:2:0",
        )
    return buffer.getvalue()


def write_entry(entry: Path, files: dict[str, bytes], manifest: dict[str, object]) -> None:
    """Write a cache entry whole: into a temporary folder, renamed into place (the manifest last)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = entry.parent / f".{entry.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))
        os.rename(staging, entry)
    except OSError:
        if not (entry / MANIFEST).is_file():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # left only when another build wrote the entry first
