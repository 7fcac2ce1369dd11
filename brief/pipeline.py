"""The build: the one place that knows the order of the stages, and times them.

    load → markdown → assemble → images → render → write

Each stage adds to one :class:`~brief.errors.Diagnostics`. After each stage
that can find content errors, the build stops if there are any (with
``strict``, warnings count too), so nothing is written from broken content.
Images are planned after assembling because only then is it known which
articles are published; worker processes decode them while the pages render
(rendering needs only their sizes), and the build waits for them before writing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .assemble import assemble_site
from .errors import ContentError, Diagnostic, Diagnostics
from .images import start_images
from .load import LoadedContent, load_content
from .markdown import render_article
from .model import ArticleContent, ArticleSource, Site
from .render import OutputFile, Renderer, static_files
from .write import OutputLock, check_output_folder, publish

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: Below this many articles, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48


@dataclass
class BuildOptions:
    """What to build, from where, to where."""

    content: Path
    project: Path
    out: Path | None = None  #: None: check only, write nothing
    templates: Path | None = None
    static: Path | None = None
    strict: bool = False
    #: Worker processes for Markdown (None: one per core).
    jobs: int | None = None

    def templates_folder(self) -> Path:
        if self.templates is not None:
            return self.templates
        own = self.project / "templates"
        return own if own.is_dir() else PACKAGE_ROOT / "templates"

    def static_folder(self) -> Path:
        if self.static is not None:
            return self.static
        own = self.project / "static"
        return own if own.is_dir() else PACKAGE_ROOT / "static"


@dataclass
class BuildReport:
    """What a build did: its diagnostics, the time each stage took, what it wrote."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    timings: list[tuple[str, float]] = field(default_factory=list)
    articles: int = 0
    files: int = 0
    #: Images and social cards decoded by this build (the rest came from the cache).
    images_processed: int = 0
    site: Site | None = None
    outputs: list[OutputFile] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))


class Build:
    """One build. :meth:`run` raises :class:`ContentError` when the content has errors."""

    def __init__(self, options: BuildOptions):
        self.options = options
        self.report = BuildReport()
        #: What the build is working on, for the one-line report of an internal error.
        self.current = "starting the build"
        self.scratch: tempfile.TemporaryDirectory[str] | None = None

    def stop_if_errors(self) -> None:
        diagnostics = self.report.diagnostics
        failing = diagnostics.items if self.options.strict else diagnostics.errors
        if failing:
            raise ContentError(list(diagnostics))

    def run(self) -> BuildReport:
        try:
            return self._run()
        finally:
            if self.scratch is not None:
                self.scratch.cleanup()
                self.scratch = None

    def _run(self) -> BuildReport:
        options, report = self.options, self.report
        if options.out is not None:
            check_output_folder(options.out, options.content, options.project)
        self.current = f"loading {options.content}"
        with report.stage("load"):
            loaded = load_content(options.content, options.project, report.diagnostics)
        if loaded.config is None:
            self.stop_if_errors()
        # Go on past errors in single files, so that one build reports the problems of
        # every stage up to here (a missing image, a duplicate slug, an undefined note).
        with report.stage("markdown"):
            contents = self.render_markdown(loaded)
        self.current = "linking articles, issues and authors"
        with report.stage("assemble"):
            site = assemble_site(loaded, contents, report.diagnostics)
        self.stop_if_errors()
        self.current = "processing images"
        with report.stage("images"):
            images = start_images(site, options.project, report.diagnostics, cache=self.scratch_cache())
            site.images, site.social = images.assets, images.social
        # Worker processes decode the images while the pages render: rendering needs only their sizes.
        with images:
            self.stop_if_errors()
            report.site = site
            report.articles = len(site.articles)
            self.current = "rendering pages"
            with report.stage("render"):
                renderer = Renderer(site, options.templates_folder())
                report.outputs = renderer.render_all()
            self.current = "processing images"
            with report.stage("images (wait)"):
                copies = images.wait(report.diagnostics)
            report.images_processed = len(images.processed)
        self.stop_if_errors()
        if options.out is None:
            return report
        copies += static_files(options.static_folder())
        self.current = f"writing {options.out}"
        with report.stage("write"):
            with OutputLock(options.out):
                report.files = publish(options.out, report.outputs, copies)
        return report

    def scratch_cache(self) -> Path | None:
        """For ``brief check``: a temporary image cache, removed when the build ends."""
        if self.options.out is not None:
            return None
        self.scratch = tempfile.TemporaryDirectory(prefix="brief-check-")
        return Path(self.scratch.name)

    def render_markdown(self, loaded: LoadedContent) -> dict[str, ArticleContent]:
        """Render every published article's Markdown, in worker processes when there are many.

        Markdown parsing is most of a build's cost and each article is
        independent, so large sites spread it over all cores; results come back
        in the articles' order, so the output does not depend on scheduling.
        """
        issues = {issue.key: issue for issue in loaded.issues}
        raw_html = loaded.config.raw_html if loaded.config else False
        tasks = [
            (source, issues[source.issue_key].date, raw_html)
            for source in loaded.articles
            if not source.draft and source.issue_key in issues
        ]
        jobs = self.options.jobs or os.cpu_count() or 1
        contents: dict[str, ArticleContent] = {}
        if jobs > 1 and len(tasks) >= PARALLEL_THRESHOLD:
            chunk = max(1, len(tasks) // (jobs * 8))
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                results = pool.map(_render_task, tasks, chunksize=chunk)
                for (source, _date, _raw), (content, problems) in zip(tasks, results):
                    self.current = f"rendering {source.path}"
                    self.report.diagnostics.extend(problems)
                    contents[source.path] = content
            return contents
        for task in tasks:
            self.current = f"rendering {task[0].path}"
            content, problems = _render_task(task)
            self.report.diagnostics.extend(problems)
            contents[task[0].path] = content
        return contents


def _render_task(task: tuple[ArticleSource, dt.date, bool]) -> tuple[ArticleContent, list[Diagnostic]]:
    source, issue_date, raw_html = task
    return render_article(source, issue_date, raw_html)


def build(options: BuildOptions) -> BuildReport:
    """Build the site described by ``options``; raises :class:`ContentError` on content errors."""
    return Build(options).run()
