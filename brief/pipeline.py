"""The build: the one place that knows the order of the stages, and times them.

    load → markdown → assemble → images → pdf → render → write

Each stage adds to one :class:`~brief.errors.Diagnostics`. After each stage
that can find content errors, the build stops if there are any (with
``strict``, warnings count too), so nothing is written from broken content.
Images are planned after assembling because only then is it known which
articles are published; worker processes decode them while the pages render
(rendering needs only their sizes), and the build waits for them before writing.
The issue PDFs are laid out before the pages are rendered, because the pages show
their page numbers (:mod:`brief.pdf`; the PDFs wait for the images they embed).
"""

from __future__ import annotations

import dataclasses
import functools
import datetime as dt
import gc
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .assemble import Assembled, assemble_site
from .cache import (
    CACHE_FOLDER, Manifest, MarkdownCache, SourceCache, fingerprint, folder_digest, generator_version, inputs_fingerprint,
    light, store,
)
from .errors import ContentError, Diagnostic, Diagnostics, SourceLocation
from .external import check_external_links
from .options import BuildOptions
from .images import CACHE_FOLDER as IMAGES_CACHE, ImageWork, start_images
from .pdf import PdfWork, make_pdfs
from .load import LoadedContent, load_content, read_body
from .sources import SourceError
from .markdown import render_article
from .model import ArticleContent, ArticleSource, ImageAsset, Site
from .redirects import gone_addresses, published_articles
from .render import Fingerprints, OutputFile, PageJob, Renderer, static_files
from .schedule import Schedule, describe_held, plan_schedule, preview_marks, site_today
from .write import OutputLock, Publisher, Staging, Update, check_output_folder, write_file

#: What renders one article: its source, issue date, raw-HTML setting and the site's
#: base URL; its cache key; the cache folder its full content goes into (or ``None``);
#: and the file its body is read from, with the hash it must have (``None``: the source has it).
MarkdownTask = tuple[tuple[ArticleSource, dt.date, bool, str], str, "Path | None", "tuple[str, str] | None"]

_NOTHING = ("", 0, 0)

#: Below this many articles, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48
#: Below this many pages to render, the same for rendering pages; and pages handed to a worker at once.
PARALLEL_PAGES = 200
PAGES_PER_TASK = 64


@dataclass
class BuildReport:
    """What a build did: its diagnostics, the time each stage took, what it wrote."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    #: Each stage's wall time in seconds, in the order the stages ran ...
    timings: list[tuple[str, float]] = field(default_factory=list)
    #: ... and its CPU time: (this process, worker processes that ended during the stage).
    cpu: list[tuple[float, float]] = field(default_factory=list)
    articles: int = 0
    files: int = 0
    #: Images and social cards decoded by this build (the rest came from the cache).
    images_processed: int = 0
    #: Articles whose Markdown came from the cache.
    markdown_cached: int = 0
    #: Issue PDFs laid out by this build (the rest came from the cache).
    pdfs_made: int = 0
    #: Pages linked unchanged from the previous output, and pages rendered.
    pages_reused: int = 0
    pages_rendered: int = 0
    #: True when nothing changed since the build that wrote the output: nothing was done.
    up_to_date: bool = False
    site: Site | None = None
    outputs: list[OutputFile] = field(default_factory=list)
    #: Reads an article's full content from the cache (``site`` may hold only the light part).
    full_content: Callable[[str], ArticleContent] | None = None
    #: What is held back until its date, in one line ("" when nothing is): a note, not a warning.
    held: str = ""
    schedule: Schedule | None = None

    def content_of(self, url: str) -> ArticleContent:
        """The complete content of the article at ``url``."""
        assert self.site is not None
        article = self.site.articles[url]
        if article.content.complete or self.full_content is None:
            return article.content
        return self.full_content(article.content_key)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage: wall, this process's CPU and that of the worker processes it ended
        (a worker's CPU counts in the stage that waits for it to exit: see docs/performance.md)."""
        start, own, workers = time.perf_counter(), time.process_time(), _children_cpu()
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))
            self.cpu.append((time.process_time() - own, _children_cpu() - workers))


@dataclass
class BuildState:
    """What a long-running process (the preview server) keeps in memory from one build
    of an output to the next, so that a rebuild looks again only at what changed.

    Used only for an output folder that nothing but these builds writes: its
    manifest is trusted without looking at the files it lists.
    """

    #: The manifest of the output as the last build left it (``None``: read it from disk).
    manifest: Manifest | None = None
    sources: SourceCache | None = None
    markdown: MarkdownCache | None = None
    #: Absolute paths of the files that changed since the last build, as a file watcher
    #: reported them; ``None`` when that is not known (every file is looked at).
    changed: set[str] | None = None
    #: Output paths written by the last build (its pages and files that changed).
    written: list[str] = field(default_factory=list)
    #: Output paths of pages to render first (those a browser shows now) ...
    first: set[str] = field(default_factory=set)
    #: ... and told to, once they are in the output, before the rest of the build is done.
    on_early: Callable[[list[str]], None] | None = None
    #: Each article's social card, planned once its file is in the cache (see :func:`start_images`).
    cards: dict[str, tuple[object, tuple[ImageAsset, Path]]] = field(default_factory=dict)
    #: The issues, authors and articles the last assembly made, and from what.
    assembled: Assembled = field(default_factory=Assembled)
    #: The pages' fingerprints and what they were computed from.
    fingerprints: Fingerprints = field(default_factory=Fingerprints)
    #: The warnings each article accepts, as the last build recorded them.
    accepts: tuple[int, dict[str, frozenset[str]]] | None = None
    #: The last build's dates: (today, --future, --drafts), its schedule, the line saying
    #: what is held back, and the preview's marks (see :meth:`Build.plan_dates`).
    dates: tuple[tuple[object, ...], Schedule, str, dict[str, str]] | None = None
    #: The last build's Markdown stage: its settings, contents, keys, what it told in order,
    #: and what it told by article (see :meth:`Build.render_markdown`).
    markdown_last: tuple[tuple[object, ...], dict[str, ArticleContent], dict[str, str], list[Diagnostic], dict[str, list[Diagnostic]]] | None = None
    #: The site of the last build that published, its image work when it found no problem
    #: (see :func:`start_images`), and the output paths that build removed.
    published: Site | None = None
    images: tuple[Site, ImageWork] | None = None
    removed: list[str] = field(default_factory=list)
    #: The manifest of the last build and where it goes, while it is not written yet: a
    #: rebuild leaves that to :meth:`save` (until then the output is marked as being
    #: updated, so that a process killed meanwhile is followed by a build from scratch).
    unsaved: tuple[Manifest, Path | None] | None = None

    def save(self) -> None:
        """Write the last build's manifest, if it is not written yet."""
        if self.unsaved is not None:
            manifest, path = self.unsaved
            self.unsaved = None
            manifest.write(path)


class Build:
    """One build. :meth:`run` raises :class:`ContentError` when the content has errors.

    With a :class:`BuildState`, the build starts from what the previous build with
    the same state left in memory, and leaves its own there for the next.
    """

    def __init__(self, options: BuildOptions, checked: tuple[Manifest, str] | None = None, state: BuildState | None = None):
        self.options = options
        self.state = state
        #: The previous build's manifest and the inputs' fingerprint, when the caller has
        #: already read them and found that the output is not up to date.
        self.checked = checked
        #: Set while an update in place moves files into the output (an error then leaves it part-updated).
        self.publishing = False
        self.report = BuildReport()
        #: What the build is working on, for the one-line report of an internal error.
        self.current = "starting the build"
        self.scratch: tempfile.TemporaryDirectory[str] | None = None
        #: Set when pages were moved into the output before the end of the build (see :meth:`write_pages`).
        self.published_early = False
        self.manifest_path: Path | None = None

    def stop_if_errors(self) -> None:
        diagnostics = self.report.diagnostics
        failing = list(diagnostics) if self.options.strict else diagnostics.errors
        if failing:
            raise ContentError(list(diagnostics))

    def run(self) -> BuildReport:
        kept = self.state.manifest if self.state is not None else None
        try:
            return self._run()
        except ContentError:
            if self.state is not None and kept is not None and not self.published_early:
                self.state.manifest = kept  # nothing was written: the output is as it was
            raise
        finally:
            if self.scratch is not None:
                self.scratch.cleanup()
                self.scratch = None

    def _run(self) -> BuildReport:
        options, report = self.options, self.report
        if options.out is not None:
            check_output_folder(options.out, options.content, options.project)
        cache_root = options.project / CACHE_FOLDER if options.use_cache else None
        manifest_path = Manifest.location(cache_root, options.out) if cache_root else None
        self.manifest_path = manifest_path
        state = self.state
        if state is not None:
            state.written = []
        if state is not None and state.manifest is not None:
            previous, inputs = state.manifest, ""
            state.manifest = None  # until this build has published
        elif self.checked is not None:
            previous, inputs = self.checked
        else:
            previous, inputs = Manifest.read(manifest_path), ""
            if manifest_path is not None:
                inputs = inputs_fingerprint(options)
                if self.nothing_changed(previous, inputs):
                    self.report_up_to_date(previous)
                    return report
        self.current = f"loading {options.content}"
        if state is not None and (state.changed is None or not all(p.endswith(".md") for p in state.changed)):
            state.assembled.patchable = False  # until the next assembly from scratch (see assemble_site)
        source_cache = self.kept_sources(cache_root)
        with report.stage("load"):
            loaded = load_content(options.content, options.project, report.diagnostics, source_cache)
        source_cache.save()
        self.accept_warnings(loaded)
        if loaded.config is None:
            self.stop_if_errors()
        assert loaded.config is not None
        today = site_today(loaded.config.time_zone, options.now)
        schedule, report.held, marks = self.plan_dates(loaded, today)
        report.schedule = schedule
        if options.base_url:
            loaded.config = dataclasses.replace(loaded.config, base_url=options.base_url)
        if not options.search:
            loaded.config = dataclasses.replace(loaded.config, search=False)
        # Go on past errors in single files, so that one build reports the problems of
        # every stage up to here (a missing image, a duplicate slug, an undefined note).
        markdown_cache = self.kept_markdown(cache_root)
        with report.stage("markdown"):
            contents, keys = self.render_markdown(loaded, markdown_cache, schedule)
        markdown_cache.save(keys=keys, sources=loaded.articles)
        report.markdown_cached, report.full_content = markdown_cache.hits, markdown_cache.full
        # Only the Markdown stage reads the articles' text: the rest of the build holds none
        # (on a large archive it is most of what the build's process would hold).
        if loaded.edited is None:
            loaded.articles = [dataclasses.replace(s, body="") if s.body else s for s in loaded.articles]
        else:  # (the others are the last build's, which hold none)
            for place, _before in loaded.edited.values():
                if loaded.articles[place].body:
                    loaded.articles[place] = dataclasses.replace(loaded.articles[place], body="")
        self.current = "linking articles, issues and authors"
        with report.stage("assemble"):
            site = assemble_site(
                loaded, contents, report.diagnostics, keys, schedule, marks, state.assembled if state is not None else None,
            )
            # (Nothing is gone when every address published before has its article still.)
            if options.out is not None and not (previous.pages and previous.pages.keys() <= site.articles.keys()):
                published = previous.pages or published_articles(options.out, site)
                gone_addresses(published, site, report.diagnostics, held_articles(loaded, schedule))
        self.stop_if_errors()
        if options.external:
            self.current = "checking outside links"
            with report.stage("outside links"):
                links = (
                    (url, article.source.path, line)
                    for article in site.articles.values()
                    for url, line in (article.content if article.content.complete else markdown_cache.full(article.content_key)).external_links
                )
                check_external_links(links, report.diagnostics, cache_root / "external.json" if cache_root else None)
        self.current = "processing images"
        # A preview's site patched (see assemble_site): what the last build made of the rest is kept.
        patch = state.assembled.patch if state is not None else None
        with report.stage("images"):
            told = len(report.diagnostics.items)
            last_images = state.images if state is not None else None
            images = start_images(
                site, options.project, report.diagnostics, cache=self.scratch_cache(),
                plans=state.cards if state is not None else None,
                patch=(*patch, last_images[1]) if patch is not None and last_images is not None and last_images[0] is patch[0] else None,
            )
            site.images, site.social = images.assets, images.social
            images_told = len(report.diagnostics.items) - told
        report.site = site
        report.articles = len(site.articles)
        # Worker processes decode the images while the pages render: rendering needs only their sizes.
        with images:
            self.stop_if_errors()
            renderer = Renderer(
                site, options.template_folders(), full_content=markdown_cache.full,
                bytecode=cache_root / "templates" if cache_root else None,
                remembered=state.fingerprints if state is not None else None, patch=patch,
            )
            if state is not None:
                state.fingerprints.next_build()
            pdfs = self.make_pdfs(site, renderer, images)
            # Only what shows the articles made again, after a preview's edit of nothing else,
            # when the output is what the last build, whose site was patched, published.
            changed_jobs = None
            if (
                state is not None and patch is not None and loaded.edited is not None and state.published is patch[0]
                and previous.trusted and images.unchanged and not site.pdfs and not (site.config.search and options.search_index)
            ):
                changed_jobs = renderer.changed_jobs(self.template_base(), patch, generator_version())
            if changed_jobs is not None:
                assert patch is not None
                pages = dict(previous.pages)
                pages.update((url, (a.source.path, a.title)) for url in patch[1] for a in (site.articles[url],))
            else:
                pages = {a.url: (a.source.path, a.title) for a in site.articles.values()}
            manifest = Manifest(
                inputs=inputs, articles=len(site.articles), time_zone=site.config.time_zone,
                due_since=schedule.due_since, next_release=schedule.next_release, pages=pages, held=report.held,
            )
            if options.out is None:
                self.current = "rendering pages"
                with report.stage("render"):
                    self.check_pages(renderer, Manifest.rendered_keys(cache_root) if cache_root else set(), manifest)
                with report.stage("images (wait)"):
                    images.wait(report.diagnostics)
                report.images_processed = len(images.processed)
                self.stop_if_errors()
                if not (options.verify_images or options.external):  # a check like no other: not a record for the next
                    manifest.keep_warnings(report.diagnostics.warnings)
                    manifest.write(manifest_path)
                return report
            with OutputLock(options.out), self.publisher(previous, changed_jobs is not None) as publisher:
                self.current = "rendering pages"
                with report.stage("render"):
                    if changed_jobs is not None:  # every other file stays as it is
                        manifest.files = dict(previous.files)
                        self.publish_pages(changed_jobs, publisher, previous, manifest)
                    else:
                        self.write_pages(renderer, publisher, previous, manifest)
                self.current = "processing images"
                with report.stage("images (wait)"):
                    told = len(report.diagnostics.items)
                    copies = images.wait(report.diagnostics, copies=changed_jobs is None)
                    images_told += len(report.diagnostics.items) - told
                report.images_processed = len(images.processed)
                if site.config.search and changed_jobs is None:
                    self.current = "writing the search index"
                    with report.stage("search"):
                        self.write_search(publisher, previous, manifest, site, cache_root)
                self.stop_if_errors()
                self.current = f"writing {options.out}"
                with report.stage("write"):
                    if changed_jobs is None:
                        self.write_files(publisher, previous, manifest, images, copies, static_files(options.static_folders()))
                    for rel, source, key in pdfs.files:
                        self.publish(publisher, previous, manifest, rel, key, functools.partial(publisher.link, rel, source))
                    if isinstance(publisher, Update):
                        Manifest.mark_publishing(manifest_path)  # if killed now, the next build starts afresh
                        self.publishing = True
                    publisher.commit()
                    self.publishing = False
                report.files = manifest.count = publisher.count
            if state is None and cache_root is not None and self.scratch is None:
                self.tidy_cache(images, pdfs, previous, manifest)
        manifest.keep_warnings(report.diagnostics.warnings)
        if state is not None and isinstance(publisher, Update):  # marked as being updated: written later
            state.unsaved = (manifest, manifest_path)
        else:
            manifest.write(manifest_path)
        if state is not None:
            manifest.trusted = True
            state.manifest = manifest
            state.published = site
            state.images = (site, images) if images_told == 0 and not images.pending else None
            state.removed = [] if changed_jobs is not None or not previous.trusted else sorted(previous.files.keys() - manifest.files.keys())
        return report

    def tidy_cache(self, images: ImageWork, pdfs: PdfWork, previous: Manifest, manifest: Manifest) -> None:
        """Once the output holds this build's files: remove the image and PDF cache entries it
        did not use, so that the cache does not grow with every retitle, replaced image or
        deleted article (a CI job saves it whole from run to run). The image cache is gone
        over when this build wrote a new output, processed something (a new card, a new
        image) or no longer publishes an image the last build did; the PDF cache, a few
        entries per issue, always. Not in the preview, whose builds leave out what
        ``brief build`` makes, and not for a build with a cache of its own (``--no-cache``)."""
        if not previous.files or images.processed or any(p.startswith("media/") and p not in manifest.files for p in previous.files):
            images.sweep(self.options.project / IMAGES_CACHE)
        pdfs.sweep()

    def make_pdfs(self, site: Site, renderer: Renderer, images: ImageWork) -> PdfWork:
        """The pdf stage: lay out the issue PDFs the site asks for (not for ``brief check``,
        nor with ``--no-pdf``), so that the pages can show their page numbers."""
        options = self.options
        if not options.pdf or options.out is None:
            return PdfWork()
        self.current = "laying out the issue PDFs"
        cache = None if self.scratch is None else Path(self.scratch.name) / "pdf"
        with self.report.stage("pdf"):
            work = make_pdfs(
                site, renderer, self.template_base(), options.project, images, self.report.diagnostics,
                cache=cache, workers=options.jobs, progress=options.progress,
            )
        self.report.pdfs_made = len(work.made)
        self.stop_if_errors()
        return work

    def nothing_changed(self, previous: Manifest, inputs: str) -> bool:
        """Whether the build (or check) that wrote ``previous`` had the same inputs (and, for a
        build, its output is still what it wrote): then there is nothing to do."""
        if self.options.out is None:
            return previous.is_current(inputs, self.options.now) and not (self.options.verify_images or self.options.external)
        return previous.describes(self.options.out, inputs, self.options.now)

    def check_pages(self, renderer: Renderer, rendered: set[str], manifest: Manifest) -> None:
        """Render the pages, in memory, for a check: all but those an earlier build or check
        rendered from the same inputs (the same fingerprint renders the same bytes)."""
        jobs = renderer.jobs(self.template_base(), generator=generator_version())
        for job in jobs:
            manifest.files[job.path] = (job.key, 0, 0)
            if job.key in rendered:
                self.report.pages_reused += 1
            else:
                self.report.outputs.append(job.render())
                self.report.pages_rendered += 1

    def template_base(self) -> str:
        """What every page depends on besides the site: the generator and the templates."""
        return fingerprint(generator_version(), folder_digest(self.options.template_folders()))

    def kept_sources(self, cache_root: Path | None) -> SourceCache:
        """The loaded-articles cache: the one the state keeps, or one read from disk."""
        state = self.state
        if state is not None and state.sources is not None:
            state.sources.next_build(state.changed)
            return state.sources
        cache = SourceCache.open(cache_root)
        if state is not None:
            state.sources = cache
            cache.next_build(None)
        return cache

    def kept_markdown(self, cache_root: Path | None) -> MarkdownCache:
        """The rendered-Markdown cache: the one the state keeps, or one read from disk."""
        state = self.state
        if state is not None and state.markdown is not None:
            state.markdown.next_build()
            return state.markdown
        cache = MarkdownCache(cache_root / "markdown" if cache_root else None)
        if state is not None:
            state.markdown = cache
        return cache

    def publisher(self, previous: Manifest, patching: bool = False) -> Publisher:
        """Over an output an earlier build wrote, only what changed is written (in place);
        otherwise the whole site is written into a new folder and swapped in. ``patching``:
        every file not published again stays as it is (a preview's rebuild that knows which
        pages changed)."""
        out = self.options.out
        assert out is not None
        if previous.trusted:  # the preview's own output, as its last build left it
            return Update.patching(out, previous.files) if patching else Update.listed(out, previous.files)
        update = Update.over(out) if previous.holds(out) else None
        return update if update is not None else Staging(out)

    def report_up_to_date(self, previous: Manifest) -> None:
        """Nothing changed since the build that wrote the output: report that build."""
        self.report.up_to_date = True
        self.report.articles, self.report.files = previous.articles, previous.count
        self.report.held = previous.held
        # Its warnings still hold: show them again.
        self.report.diagnostics.extend(previous.kept_warnings())

    def publish_pages(self, jobs: list[PageJob], publisher: Publisher, previous: Manifest, manifest: Manifest) -> None:
        """Publish each page of ``jobs`` (rendered unless the previous output's page had the
        same inputs), those a browser shows first."""
        first = self.state.first if self.state is not None else set()
        early = 0
        if first:  # the pages a browser shows now, first (the order changes nothing else)
            jobs = sorted(jobs, key=lambda job: job.path not in first)
            early = sum(1 for job in jobs if job.path in first)
        progress = self.options.progress
        for done, job in enumerate(jobs, 1):
            if progress is not None and (done % 64 == 0 or done == len(jobs)):
                progress("pages", done, len(jobs))
            if self.publish(publisher, previous, manifest, job.path, job.key, lambda: publisher.write(job.render())):
                self.report.pages_rendered += 1
            else:
                self.report.pages_reused += 1
            if done == early and done < len(jobs):
                self.publish_early(publisher, {job.path for job in jobs[:early]})

    def write_pages(self, renderer: Renderer, publisher: Publisher, previous: Manifest, manifest: Manifest) -> None:
        """Render each page, unless the previous output's page had the same inputs."""
        # (The preview's patch: only the pages that show a changed article are looked at; not
        # with issue PDFs, whose page numbers one article's length changes for its whole issue.)
        patch = self.state.assembled.patch if self.state is not None and not renderer.site.pdfs else None
        jobs = renderer.jobs(self.template_base(), patch, generator_version())
        # (Feeds whose fingerprint changed: their entries are made with their articles' pages.)
        renderer.plan_entries(job.path for job in jobs if renderer.is_feed(job.path) and previous.files.get(job.path, _NOTHING)[0] != job.key)
        if self.state is None and self.render_in_workers(renderer, jobs, publisher, previous, manifest):
            return
        if previous.trusted and isinstance(publisher, Update):  # (the preview's rebuilds)
            kept = self.keep_unchanged(publisher, previous, manifest, [(job.path, job.key) for job in jobs])
            self.report.pages_reused += len(kept)
            jobs = [job for job in jobs if job.path not in kept]
        self.publish_pages(jobs, publisher, previous, manifest)

    def render_in_workers(
        self, renderer: Renderer, jobs: list[PageJob], publisher: Publisher, previous: Manifest, manifest: Manifest,
    ) -> bool:
        """Render the pages that changed in forked worker processes, when there are enough of
        them to pay for the processes; returns False (nothing done) otherwise.

        The workers are forked after the renderer is made, so they hold the site, the
        templates and the jobs already: a task is a list of job numbers, each with the file
        it is written to (reserved here, in the order a serial build would write them, so the
        output and its manifest are the same); a result is each written file's size and time,
        and the feed entries made with the articles' pages (see :meth:`Renderer.plan_entries`).
        Pages are written by the workers, straight into the new output. The feeds are
        rendered last, by workers forked again once every entry is back here, so that no
        entry is made twice (each worker would otherwise make those of the other's articles).
        """
        workers = min(self.options.jobs or os.cpu_count() or 1, 8)
        out = self.options.out
        assert out is not None
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return False
        stale = [number for number, job in enumerate(jobs) if not previous.reusable(out, job.path, job.key)]
        if len(stale) < PARALLEL_PAGES:
            return False
        todo = set(stale)
        targets: dict[int, str] = {}
        for number, job in enumerate(jobs):  # every page passes through the publisher, in order
            if number in todo:
                targets[number] = str(publisher.reserve(job.path))
            else:
                publisher.keep(job.path)
                manifest.files[job.path] = previous.files[job.path]
                self.report.pages_reused += 1
        size = max(16, min(PAGES_PER_TASK, -(-len(stale) // (workers * 4))))
        feeds = [number for number in stale if renderer.is_feed(jobs[number].path)]
        rounds = [[number for number in stale if not renderer.is_feed(jobs[number].path)], feeds]
        global _FORKED_JOBS, _FORKED_RENDERER
        _FORKED_JOBS, _FORKED_RENDERER = jobs, renderer
        done = 0
        try:
            for numbers in rounds:
                tasks = [[(number, targets[number]) for number in numbers[at : at + size]] for at in range(0, len(numbers), size)]
                if not tasks:
                    continue
                gc.freeze()  # the collector would otherwise touch (and so copy) every object in each worker
                try:
                    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=multiprocessing.get_context("fork")) as pool:
                        for results, entries in pool.map(_render_pages, tasks):
                            renderer.add_entries(entries)
                            for number, file_size, mtime in results:
                                manifest.files[jobs[number].path] = (jobs[number].key, file_size, mtime)
                            done += len(results)
                            self.report.pages_rendered += len(results)
                            if self.options.progress is not None:
                                self.options.progress("pages", done, len(stale))
                finally:
                    gc.unfreeze()
        finally:
            _FORKED_JOBS = _FORKED_RENDERER = None
        return True

    def publish_early(self, publisher: Publisher, paths: set[str]) -> None:
        """Move the pages ``paths`` into the output before the rest is rendered, and say so
        (the preview shows an open page at once after a template change that touches every page)."""
        assert self.state is not None
        if self.state.on_early is None or not isinstance(publisher, Update):
            return
        Manifest.mark_publishing(self.manifest_path)  # if this build stops, the next starts afresh
        self.published_early = True
        moved = publisher.publish_now(paths)
        if moved:
            self.state.on_early(moved)

    def write_files(
        self, publisher: Publisher, previous: Manifest, manifest: Manifest, images: ImageWork,
        copies: Iterable[tuple[str, Path]], static: Iterable[tuple[str, Path]],
    ) -> None:
        """Publish processed images (linked from their cache, whose entries never change in
        place) and copies of the other images and the static files."""
        files = [*copies, *static]
        if previous.trusted and isinstance(publisher, Update):  # (the preview's rebuilds)
            kept = self.keep_unchanged(
                publisher, previous, manifest, [(rel, _cache_entry_key(os.fspath(source))) for rel, source in files if rel in images.cached],
            )
            files = [(rel, source) for rel, source in files if rel not in kept]
        for rel, source in files:
            if rel in images.cached:
                key = _cache_entry_key(os.fspath(source))
                self.publish(publisher, previous, manifest, rel, key, lambda: publisher.link(rel, source))
            else:
                stat = os.stat(source)
                key = fingerprint("copy", os.path.abspath(source), stat.st_size, stat.st_mtime_ns)
                self.publish(publisher, previous, manifest, rel, key, lambda: publisher.copy(rel, source))

    @staticmethod
    def keep_unchanged(publisher: Update, previous: Manifest, manifest: Manifest, files: list[tuple[str, str]]) -> set[str]:
        """:meth:`publish` for many files at once, over an output the previous manifest is
        trusted to describe: keeps each file of ``files`` (path, key) made from the same
        inputs as before; returns their paths (the others are for :meth:`publish`)."""
        known = previous.files
        same = [rel for rel, key in files if known.get(rel, _NOTHING)[0] == key]
        publisher.keep_all(same)
        manifest.files.update({rel: known[rel] for rel in same})
        return set(same)

    def publish(
        self, publisher: Publisher, previous: Manifest, manifest: Manifest, rel: str, key: str,
        produce: Callable[[], os.stat_result],
    ) -> bool:
        """Publish the output file ``rel`` whose inputs fingerprint to ``key``: the previous
        output's file when it was made from the same inputs, else what ``produce`` writes.
        Returns whether it was written; the manifest records it either way."""
        assert self.options.out is not None
        if previous.reusable(self.options.out, rel, key):
            publisher.keep(rel)
            manifest.files[rel] = previous.files[rel]
            return False
        stat = produce()
        manifest.files[rel] = (key, stat.st_size, stat.st_mtime_ns)
        if self.state is not None:
            self.state.written.append(rel)
        return True

    def write_search(self, publisher: Publisher, previous: Manifest, manifest: Manifest, site: Site, cache_root: Path | None) -> None:
        """Publish the search index (see :mod:`brief.search`): the previous output's when
        nothing it indexes changed, else the one kept in the cache for the same articles,
        else a new one from Pagefind. Without ``search_index`` (the preview), the output
        keeps the index it has. If Pagefind fails, the site is published without one."""
        from . import search

        out = self.options.out
        assert out is not None
        held = [rel for rel in previous.files if rel.startswith(search.SEARCH_FOLDER + "/")]
        if not self.options.search_index:
            for rel in held:
                if previous.reusable(out, rel, previous.files[rel][0]):
                    publisher.keep(rel)
                    manifest.files[rel] = previous.files[rel]
            return
        key = search.index_key(site)
        if held and all(previous.reusable(out, rel, fingerprint(key, rel)) for rel in held):
            for rel in held:
                publisher.keep(rel)
                manifest.files[rel] = previous.files[rel]
            return
        if cache_root is None:
            self.scratch = self.scratch or tempfile.TemporaryDirectory(prefix="brief-search-")
            folder = Path(self.scratch.name) / "search"
        else:
            folder = cache_root / "search" / key
        done = folder / "complete"
        if not done.is_file():
            try:
                search.write_index(search.search_documents(site, self.report.content_of), folder)
            except search.SearchFailed as exc:
                self.report.diagnostics.warning(
                    SourceLocation(self.config_path()), f"the site is published without its search index: {exc}",
                    "build with --no-search (or 'search: false' in site.yaml) to leave search out", code="search-failed",
                )
                return
            done.touch()
            for other in folder.parent.iterdir() if cache_root is not None else ():
                if other != folder:
                    shutil.rmtree(other, ignore_errors=True)  # the index of other articles
        for rel, path in search.bundle_files(folder / search.SEARCH_FOLDER):
            self.publish(publisher, previous, manifest, rel, fingerprint(key, rel), lambda: publisher.link(rel, path))

    def config_path(self) -> str:
        """The display path of ``site.yaml``, for diagnostics about the whole site."""
        path = self.options.content / "site.yaml"
        try:
            return path.relative_to(self.options.project).as_posix()
        except ValueError:
            return path.as_posix()

    def scratch_cache(self) -> Path | None:
        """For ``--no-cache`` and ``brief check --images``: a temporary image cache, removed when
        the build ends, so that every image is decoded again (and nothing is left behind)."""
        if self.options.use_cache and not self.options.verify_images:
            return None
        self.scratch = tempfile.TemporaryDirectory(prefix="brief-check-")
        return Path(self.scratch.name)

    def accept_warnings(self, loaded: LoadedContent) -> None:
        """Record the warnings each article accepts (after a preview's load of only some
        articles, the last build's record with theirs changed)."""
        accepts = self.report.diagnostics.accepts
        state = self.state
        if state is not None and loaded.edited is not None and state.accepts is not None and state.accepts[0] == loaded.since:
            accepts.update(state.accepts[1])
            for path in loaded.edited:
                accepts.pop(path, None)
            sources: Iterable[ArticleSource] = [loaded.articles[place] for place, _before in loaded.edited.values()]
        else:
            sources = loaded.articles
        for article in sources:
            self.report.diagnostics.accept(article.path, article.accept_warnings)
        if state is not None:
            state.accepts = (loaded.generation, dict(accepts))

    def plan_dates(self, loaded: LoadedContent, today: dt.date) -> tuple[Schedule, str, dict[str, str]]:
        """What is due (see :mod:`brief.schedule`), the line saying what is held back, and
        the marks of what the preview builds although it is not published. A preview's
        rebuild after an edit that changed no article's date, draft flag or (if it is held
        back) title keeps the last build's."""
        options, state = self.options, self.state
        settings = (today, options.future, options.drafts)
        if state is not None and loaded.edited is not None and state.dates is not None and state.dates[0] == (*settings, loaded.since):
            schedule, held, marks = state.dates[1:]
            if all(
                (before.draft, before.date, before.issue_key) == (now.draft, now.date, now.issue_key)
                and (path not in schedule.held or before.title == now.title)
                for path, (place, before) in loaded.edited.items()
                for now in (loaded.articles[place],)
            ):
                state.dates = ((*settings, loaded.generation), schedule, held, marks)
                return schedule, held, marks
        schedule = plan_schedule(loaded, today, options.future)
        held = describe_held(schedule, loaded)
        # The preview builds drafts (with --drafts) and pieces dated after today (with
        # --future) too, marked; ``brief build`` never builds drafts.
        marks = preview_marks(loaded, today, options.drafts, options.future)
        if state is not None:
            state.dates = ((*settings, loaded.generation), schedule, held, marks)
        return schedule, held, marks

    def render_markdown(
        self, loaded: LoadedContent, cache: MarkdownCache, schedule: Schedule
    ) -> tuple[dict[str, ArticleContent], dict[str, str]]:
        """Render every published article's Markdown; returns the contents and their keys.

        An article whose key (its source, issue date and the generator) is in the
        cache is not parsed again. The others are parsed in worker processes when
        there are many: Markdown is most of a cold build's cost and each article
        is independent. Results are taken in the articles' order, so the output
        does not depend on scheduling.
        """
        raw_html = loaded.config.raw_html if loaded.config else False
        base_url = loaded.config.base_url if loaded.config else ""
        state, settings = self.state, (raw_html, base_url, schedule, loaded.generation)
        last = state.markdown_last if state is not None else None
        if state is not None:
            state.markdown_last = None
        contents: dict[str, ArticleContent] = {}
        keys: dict[str, str] = {}
        diagnostics: dict[str, list[Diagnostic]] = {}
        sources: Iterable[ArticleSource] = loaded.articles
        if last is not None and loaded.edited is not None and last[0][:2] == (raw_html, base_url) and last[0][2] is schedule and last[0][3] == loaded.since:
            # A preview's rebuild after some articles' files changed, and nothing else: the
            # last build's contents, with those articles rendered again.
            _settings, last_contents, last_keys, last_told, last_diagnostics = last
            contents, keys, diagnostics = dict(last_contents), dict(last_keys), dict(last_diagnostics)
            for path in loaded.edited:
                contents.pop(path, None), keys.pop(path, None), diagnostics.pop(path, None)
            sources = [loaded.articles[place] for place, _before in loaded.edited.values()]
            cache.keep_all()
        else:
            last = None
        issues = {issue.key: issue for issue in loaded.issues}
        tasks: list[MarkdownTask] = []
        for source in sources:
            # Drafts are rendered only when the build was asked for them (the preview's --drafts).
            if (source.draft and not self.options.drafts) or source.issue_key not in issues or schedule.holds(source):
                continue
            task = (source, issues[source.issue_key].date, raw_html, base_url)
            recalled = cache.recall(source.path, source, task[1:])  # the same as in the last build (a preview)
            if recalled is not None:
                keys[source.path], (contents[source.path], diagnostics[source.path]) = recalled
                continue
            # Keyed by what the source is made from when that is known (cheaper than the source).
            identity = loaded.identities.get(source.path)
            keys[source.path] = key = cache.key(*task) if identity is None else cache.key(identity, *task[1:])
            cached = cache.get(key)
            if cached is None:
                tasks.append((task, key, cache.entries, loaded.body_file(source)))
            else:
                contents[source.path], diagnostics[source.path] = cached
                cache.note(source.path, source, task[1:], key, cached)
        jobs = self.options.jobs or os.cpu_count() or 1
        self.current = "rendering articles"
        if jobs > 1 and len(tasks) >= PARALLEL_THRESHOLD:
            chunk = max(1, len(tasks) // (jobs * 8))
            # The workers are forked with the loaded archive, which they do not use: frozen, no
            # collector touches it (in a worker, or here while they run), so its pages stay shared.
            gc.freeze()
            try:
                with ProcessPoolExecutor(max_workers=jobs) as pool:
                    results: Iterable[tuple[ArticleContent, list[Diagnostic]]] = pool.map(_render_task, tasks, chunksize=chunk)
                    self.collect(tasks, results, cache, keys, contents, diagnostics)
            finally:
                gc.unfreeze()
        else:
            self.collect(tasks, map(self._render_one, tasks), cache, keys, contents, diagnostics)
        if last is not None and not any(diagnostics.get(path) or last[4].get(path) for path in loaded.edited or ()):
            told = last[3]  # (nothing told about the articles rendered again, before or now)
        else:
            told = [d for source in loaded.articles for d in diagnostics.get(source.path, ())]
        # In the articles' order, whichever way each was rendered.
        self.report.diagnostics.extend(told)
        if state is not None:
            state.markdown_last = (settings, contents, keys, told, {path: found for path, found in diagnostics.items() if found})
        return contents, keys

    def _render_one(self, task: MarkdownTask) -> tuple[ArticleContent, list[Diagnostic]]:
        self.current = f"rendering {task[0][0].path}"
        return _render_task(task)

    def collect(
        self,
        tasks: list[MarkdownTask],
        results: Iterable[tuple[ArticleContent, list[Diagnostic]]],
        cache: MarkdownCache,
        keys: dict[str, str],
        contents: dict[str, ArticleContent],
        diagnostics: dict[str, list[Diagnostic]],
    ) -> None:
        for done, (((source, *_settings), key, _entries, _body), result) in enumerate(zip(tasks, results), 1):
            # Only the light part comes back when the full content is in the cache: memory stays
            # small on large sites, and the page reads the rest back when it is rendered.
            contents[source.path], diagnostics[source.path] = cache.put(key, result), result[1]
            if self.options.progress is not None and (done % 16 == 0 or done == len(tasks)):
                self.options.progress("markdown", done, len(tasks))


class ArticleFailure(Exception):
    """An internal error while rendering one article (in a worker process, perhaps)."""

    def __init__(self, path: str, problem: str):
        super().__init__(path, problem)
        self.path, self.problem = path, problem

    def __str__(self) -> str:
        return self.problem


#: The page jobs of the build that forked the worker processes rendering them, and its
#: renderer (see :meth:`Build.render_in_workers`): set only while they run.
_FORKED_JOBS: "list[PageJob] | None" = None
_FORKED_RENDERER: "Renderer | None" = None


def _render_pages(task: list[tuple[int, str]]) -> tuple[list[tuple[int, int, int]], dict[str, bytes]]:
    """In a forked worker: render the pages numbered in ``task`` and write each to its file;
    returns each file's number, size and modification time (for the manifest), and the
    feed entries made on the way."""
    assert _FORKED_JOBS is not None and _FORKED_RENDERER is not None
    written = []
    for number, target in task:
        stat = write_file(target, _FORKED_JOBS[number].render().data)
        written.append((number, stat.st_size, stat.st_mtime_ns))
    return written, _FORKED_RENDERER.take_entries()


def _render_task(task: MarkdownTask) -> tuple[ArticleContent, list[Diagnostic]]:
    """Render one article; with a cache folder, store its full content there and return
    only the light part (what the build holds of every article)."""
    (source, issue_date, raw_html, base_url), key, entries, body_file = task
    if body_file is not None:  # read here, in the worker: the build's process holds no article's text
        try:
            source = dataclasses.replace(source, body=read_body(*body_file, source.path))
        except SourceError as problem:  # it changed since it was loaded: build again
            raise ContentError([problem.diagnostic]) from None
    try:
        content, problems = render_article(source, issue_date, raw_html, base_url)
    except Exception as exc:  # name the article, wherever it was rendered
        raise ArticleFailure(source.path, f"{type(exc).__name__}: {exc}") from exc
    if store(entries, key, (content, problems)):
        return light(content), problems
    return content, problems


def _children_cpu() -> float:
    """User and system CPU seconds of the ended worker processes this process waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def held_articles(loaded: LoadedContent, schedule: Schedule) -> set[str]:
    """The files and would-be addresses of the articles held back until their date."""
    publications = {issue.key: issue.publication for issue in loaded.issues}
    held = set()
    for source in loaded.articles:
        if schedule.holds(source):
            held |= {source.path, f"{publications[source.issue_key]}/{source.slug}/"}
    return held


@functools.lru_cache(maxsize=1 << 16)
def _cache_entry_key(source: str) -> str:
    """The inputs of a file published from the image cache: the entry, which never changes.
    (By the path's text: a preview looks up every card's on every rebuild.)"""
    return fingerprint("cache", os.path.abspath(source))


def build(options: BuildOptions) -> BuildReport:
    """Build the site described by ``options``; raises :class:`ContentError` on content errors."""
    return Build(options).run()
