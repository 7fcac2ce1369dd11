"""The PDF stage: each issue as one PDF, laid out before the pages are rendered.

An issue's PDF is another view of the same model as its web pages: the print
template ``pdf/issue.html`` and its stylesheet ``pdf/issue.css`` (in the
templates folder, so a site can override either) are filled with the same
rendered Markdown, and WeasyPrint lays them out. It runs between the images and
the render stage because the pages need what only the layout knows: on which
pages each article starts and ends (:class:`~brief.model.IssuePdf`).

Laying out an issue costs one or two CPU-seconds, so:

* each issue's PDF is cached in ``.brief-cache/pdf/`` under a fingerprint of
  everything on its pages (:func:`issue_key`: the articles' rendered Markdown,
  titles, authors, images, the issue and publication, the templates, the fonts
  found, WeasyPrint's version); a cached entry keeps its page ranges beside the
  PDFs, so a build whose issues did not change neither lays out nor even loads
  WeasyPrint;
* the issues that did change are laid out in worker processes, each of which
  loads its fonts once (:func:`_worker_start`).

Each article also gets a PDF of its own: its pages of the issue's layout
(``Document.copy``), so it keeps the issue's page numbers (printed, and as PDF
page labels), its tags and its links.

The output is deterministic: no clock and no random identifier enter a PDF. Its
creation and modification dates are the issue's date, and its file identifier is
a hash of its own bytes, so ``SOURCE_DATE_EPOCH`` has nothing to replace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from markupsafe import Markup, escape

from .cache import fingerprint
from .errors import Diagnostics, SourceLocation
from .links import root_links
from .markdown import IMAGE_MARKER, resolve_image_path
from .model import Article, ArticleContent, ArticlePages, ImageAsset, Issue, IssuePdf, Site, issue_file_stem

if TYPE_CHECKING:
    from .images import ImageWork
    from .render import Renderer

#: Bump when a change here changes the PDFs: every cached PDF is made again.
VERSION = "1"
#: The cache, relative to the project folder.
CACHE_FOLDER = Path(".brief-cache") / "pdf"
#: The Debian packages WeasyPrint needs besides itself (named when they are missing).
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
#: The Debian and Ubuntu package of the CJK fonts (named when no CJK font is found).
CJK_PACKAGE = "fonts-noto-cjk"
#: Families preferred for Chinese text, best first, per script; any font fontconfig
#: says covers the language comes after them.
CJK_FAMILIES = {
    "zh-Hans": ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Source Han Sans SC"),
    "zh-Hant": ("Noto Serif CJK TC", "Noto Sans CJK TC", "Source Han Serif TC", "Source Han Sans TC"),
}
_FC_LANG = {"zh-Hans": "zh-cn", "zh-Hant": "zh-tw"}
_CJK_TEXT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ID_ATTRIBUTE = re.compile(r'(\s(?:id|aria-labelledby|aria-describedby|headers))="([^"]*)"')
_FRAGMENT_HREF = re.compile(r'(\shref)="#([^"]*)"')


@dataclass(frozen=True, slots=True)
class PdfJob:
    """A worker's task: lay out one issue and write its PDFs into a cache entry."""

    key: str
    html: str
    address: str  #: the issue's address on the site (what relative links in the HTML start from)
    entry: Path  #: the cache entry (a folder) to create
    #: The only files the layout may read: the images it shows, as (the address the HTML
    #: gives them, which is where the site publishes them, their file).
    files: tuple[tuple[str, str], ...]
    #: Per article: its anchor in the HTML, its title, its authors and its summary (for
    #: the metadata of its own PDF).
    articles: tuple[tuple[str, str, tuple[str, ...], str], ...]
    #: Whether the issue has Chinese text that no installed font has glyphs for (kept in
    #: the entry, so that a build that takes the PDF from the cache warns too).
    missing_cjk: bool = False


@dataclass
class PdfWork:
    """What the PDF stage made: the files to publish, and which issues it laid out."""

    #: (output path, cache file, fingerprint) of every PDF to publish.
    files: list[tuple[str, Path, str]] = dataclasses.field(default_factory=list)
    #: Issue keys laid out by this build (the rest came from the cache).
    made: list[str] = dataclasses.field(default_factory=list)
    #: The cache folder the PDFs came from.
    cache: Path | None = None

    def sweep(self) -> int:
        """Remove from the PDF cache every entry this build did not publish (the layouts of
        issues since edited, of issues that no longer get a PDF); returns how many went."""
        from .images import sweep_entries

        return sweep_entries(self.cache, {source for _rel, source, _key in self.files}) if self.cache is not None else 0


class PdfUnavailable(Exception):
    """WeasyPrint cannot be loaded: the package or its system libraries are missing."""


def pdf_name(site: Site, issue: Issue) -> str:
    """The issue PDF's file name: ``field-notes-v1-n2.pdf`` (named as the issue's citation files)."""
    return issue_file_stem(issue) + ".pdf"


def chosen_issues(site: Site) -> list[Issue]:
    """The issues that get a PDF, as ``pdf:`` in ``site.yaml`` says: all, none, or the newest N
    of each publication."""
    limit = site.config.pdf_issues
    if limit == 0:
        return []
    chosen = []
    for slug, keys in site.issues_by_publication.items():
        issues = [site.issues[k] for k in keys if site.articles_by_issue.get(k)]
        issues.sort(key=lambda i: (i.date, i.volume, i.number), reverse=True)
        chosen += issues if limit is None else issues[:limit]
    return sorted(chosen, key=lambda i: i.key)


@functools.lru_cache(maxsize=1)
def weasyprint_version() -> str:
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return ""


@functools.lru_cache(maxsize=1)
def cjk_fonts() -> tuple[tuple[str, str], ...]:
    """The font family fontconfig has for each Chinese script, as (language tag, family);
    a script with no font is left out."""
    found = []
    for tag, preferred in CJK_FAMILIES.items():
        families = _fc_families(_FC_LANG[tag])
        pick = next((f for f in preferred if f in families), None) or (sorted(families)[0] if families else None)
        if pick:
            found.append((tag, pick))
    return tuple(found)


def _fc_families(lang: str) -> set[str]:
    """The families of the installed fonts that cover the language ``lang`` (fontconfig's ``fc-list``)."""
    try:
        done = subprocess.run(
            ["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in done.stdout.splitlines() for name in line.split(",")[:1] if name.strip()}


# -- the stage ------------------------------------------------------------------------------


def make_pdfs(
    site: Site, renderer: "Renderer", base: str, project: Path, images: "ImageWork", diagnostics: Diagnostics,
    cache: Path | None = None, workers: int | None = None, progress: Callable[[str, int, int], None] | None = None,
) -> PdfWork:
    """Lay out the PDF of every issue ``site.yaml`` asks for (those not in the cache) and
    fill ``site.pdfs``. ``base`` fingerprints the templates and the generator.

    When WeasyPrint cannot be loaded, or no CJK font is found for an issue with Chinese text,
    says so once (a warning) and goes on: the site is built, without PDFs in the first case.
    """
    cache = cache if cache is not None else project / CACHE_FOLDER
    work = PdfWork(cache=cache)
    issues = chosen_issues(site)
    if not issues:
        return work
    fonts = cjk_fonts()
    # The settings, but not which issues get a PDF: that changes no PDF.
    extra = (VERSION, base, weasyprint_version(), fonts, dataclasses.replace(site.config, pdf_issues=None))
    jobs: list[tuple[Issue, PdfJob]] = []
    entries: list[tuple[Issue, str, Path]] = []
    needs_images = False
    cjk_missing: list[Issue] = []
    for issue in issues:
        articles = renderer.issue_articles(issue)
        key = issue_key(site, renderer, issue, articles, extra)
        entry = cache / key[:2] / key
        entries.append((issue, key, entry))
        if (entry / "pages.json").is_file():
            continue
        contents = [_full(renderer, a) for a in articles]
        missing_cjk = len(fonts) < len(CJK_FAMILIES) and any(_has_cjk(a, c) for a, c in zip(articles, contents))
        shown: dict[str, str] = {}
        html = issue_html(site, renderer, issue, articles, contents, images.copies, fonts, shown)
        meta = tuple(
            (f"a{n}", a.title, tuple(x.name for x in a.authors), " ".join(c.summary_text) or c.description)
            for n, (a, c) in enumerate(zip(articles, contents), 1)
        )
        jobs.append((issue, PdfJob(key, html, site.config.base_url + issue.url, entry, tuple(sorted(shown.items())), meta, missing_cjk)))
        needs_images = needs_images or any(_uses_raster(site, a) for a in articles)
    if jobs:
        try:
            _load_weasyprint()
        except PdfUnavailable as problem:
            diagnostics.warning(
                issues[0].location,
                f"the issue PDFs were not made: {problem}",
                f"install WeasyPrint's system libraries (Debian, Ubuntu: apt-get install {SYSTEM_PACKAGES}) "
                "and build again; the rest of the site is built without PDFs",
                code="pdf-unavailable",
            )
            return PdfWork()
        if needs_images:
            images.wait(diagnostics)  # the PDFs embed the processed images: they must be in the cache
            if diagnostics.errors:
                return work
        failures = _run_jobs([job for _, job in jobs], workers, progress)
        work.made = [issue.key for (issue, _), failure in zip(jobs, failures) if not failure]
        for (issue, _), failure in zip(jobs, failures):
            if failure:
                diagnostics.warning(
                    issue.location, f"the PDF of this issue could not be made: {failure}",
                    "the issue is published without a PDF; this is most likely a bug in Brief or WeasyPrint: "
                    "please report it with the issue's articles",
                    code="pdf-failed",
                )
    for issue, key, entry in entries:
        if not (entry / "pages.json").is_file():
            continue  # its layout failed, as told above
        pages = json.loads((entry / "pages.json").read_text(encoding="utf-8"))
        if pages.get("missing_cjk"):
            cjk_missing.append(issue)
        folder = issue.url
        name = pdf_name(site, issue)
        articles = renderer.issue_articles(issue)
        found = []
        for n, (article, (first, last)) in enumerate(zip(articles, pages["articles"]), 1):
            own = entry / f"a{n}.pdf"
            rel = f"{article.url}{article.slug}.pdf"
            found.append(ArticlePages(article.url, first, last, rel, own.stat().st_size))
            work.files.append((rel, own, fingerprint(key, n)))
        whole = entry / "issue.pdf"
        site.pdfs[issue.key] = IssuePdf(folder + name, whole.stat().st_size, pages["pages"], tuple(found))
        work.files.append((folder + name, whole, key))
    if cjk_missing:
        diagnostics.warning(
            cjk_missing[0].location,
            f"no CJK font was found: Chinese text in the issue PDFs shows as empty boxes ({len(cjk_missing)} "
            f"PDF{'s' if len(cjk_missing) != 1 else ''} in this build)",
            f"install the package {CJK_PACKAGE} (Debian, Ubuntu) or another font with Chinese characters, then build again",
            code="pdf-cjk-font",
        )
    return work


def issue_key(site: Site, renderer: "Renderer", issue: Issue, articles: list[Article], extra: tuple[Any, ...]) -> str:
    """A fingerprint of everything on an issue PDF's pages."""
    def images_of(article: Article) -> tuple[Any, ...]:
        uses = article.content.images
        return tuple(site.images.get(resolve_image_path(article.source.path, u.src)) for u in uses)

    return fingerprint(
        extra, renderer.digest(issue), renderer.digest(renderer.publication(issue.publication)),
        [(a.url, a.content_key, a.date, a.links, tuple(map(renderer.digest, a.authors)), images_of(a), a.mark) for a in articles],
    )


def _full(renderer: "Renderer", article: Article) -> ArticleContent:
    if article.content.complete or renderer.full_content is None:
        return article.content
    return renderer.full_content(article.content_key)


def _has_cjk(article: Article, content: ArticleContent) -> bool:
    return bool(_CJK_TEXT.search(article.title) or _CJK_TEXT.search(content.body_html)
                or any(_CJK_TEXT.search(n.html) for n in content.notes))


def _uses_raster(site: Site, article: Article) -> bool:
    for use in article.content.images:
        asset = site.images.get(resolve_image_path(article.source.path, use.src))
        if asset is not None and asset.variants:
            return True
    return False


# -- the print HTML --------------------------------------------------------------------------


def issue_html(
    site: Site, renderer: "Renderer", issue: Issue, articles: list[Article], contents: list[ArticleContent],
    copies: dict[str, Path], fonts: tuple[tuple[str, str], ...], shown: dict[str, str],
) -> str:
    """The issue as one HTML document for print: the template ``pdf/issue.html`` with the
    stylesheet ``pdf/issue.css``, every article's ids made unique within the issue. Each
    image shown is added to ``shown`` (its address → its file)."""
    from .render import with_addresses

    publication = renderer.publication(issue.publication)
    base_url = site.config.base_url
    views = []
    for n, (article, content) in enumerate(zip(articles, contents), 1):
        if article.links:
            content = with_addresses(content, article.links)
        prefix = f"a{n}"
        images = content.images

        def fix(html: str, article: Article = article, prefix: str = prefix, images: Any = images) -> Markup:
            html = IMAGE_MARKER.sub(lambda m: _image(site, article, images[int(m.group(1))], copies, shown), html)
            html = root_links(html, lambda target: base_url + target)
            return Markup(_scoped(html, prefix))

        own = dict(content.bios_html)
        bios = [(a, fix(own.get(a.id) or a.bio_html)) for a in article.authors if own.get(a.id) or a.bio_html]
        views.append({
            "n": n, "id": prefix, "article": article, "content": content,
            "summary": [fix(item) for item in content.summary_html],
            "body": fix(content.body_html),
            "notes": [(note, fix(note.html)) for note in content.notes],
            "bios": bios, "disclaimer": fix(content.disclaimer_html) if content.disclaimer_html else "",
        })
    css, _, _ = renderer.env.loader.get_source(renderer.env, "pdf/issue.css")  # type: ignore[union-attr]
    css += "".join(
        f':lang({tag}) {{ font-family: "{family}", serif; }}\n' for tag, family in fonts
    )
    # The issue's date, never the clock: the same content gives the same bytes, whenever
    # and wherever it is built (so SOURCE_DATE_EPOCH has nothing to replace).
    when = dt.datetime.combine(issue.date, dt.time(), dt.timezone.utc)
    authors: list[str] = []
    topics: list[str] = []
    for article in articles:
        authors += [a.name for a in article.authors if a.name not in authors]
        topics += [t.name for t in article.topics if t.name not in topics]
    template = renderer.env.get_template("pdf/issue.html")
    return template.render(
        issue=issue, publication=publication, articles=views, stylesheet=Markup(css),
        authors=authors, topics=topics, created=_w3c(when), modified=_w3c(when), recto=site.config.pdf_recto,
        web_url=base_url + issue.url, web=lambda target: base_url + target,
    )


def _w3c(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _image(site: Site, article: Article, use: Any, copies: dict[str, Path], shown: dict[str, str]) -> str:
    """A body image for print: its largest processed file (JPEG or PNG), or the SVG itself.
    Its address is where the site publishes it (the file's place on this machine would
    make the PDF's bytes depend on where the project is); :func:`_fetcher` reads the file."""
    asset: ImageAsset | None = site.images.get(resolve_image_path(article.source.path, use.src))
    if asset is None:
        return ""
    variants = [v for v in asset.variants if v.media_type != "image/webp"]
    url, width, height = (variants[-1].url, variants[-1].width, variants[-1].height) if variants else (asset.url, asset.width, asset.height)
    path = copies.get(url)
    if path is None:
        return ""
    size = f' width="{width}" height="{height}"' if width and height else ""
    address = site.config.base_url + url
    shown[address] = str(Path(path).resolve())
    return f'<img src="{escape(address)}" alt="{escape(use.alt)}"{size}>'


def _scoped(html: str, prefix: str) -> str:
    """``html`` with every id (and every reference to one) prefixed, so that the ids of
    several articles do not clash in one document."""
    def ids(match: re.Match[str]) -> str:
        return f'{match.group(1)}="' + " ".join(f"{prefix}-{token}" for token in match.group(2).split()) + '"'

    html = _ID_ATTRIBUTE.sub(ids, html)
    return _FRAGMENT_HREF.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', html)


# -- layout, in worker processes -----------------------------------------------------------------

_FONTS: Any = None


def _load_weasyprint() -> Any:
    """Import WeasyPrint; :class:`PdfUnavailable` says what is missing.

    Importing it sets Pillow's process-wide ``LOAD_TRUNCATED_IMAGES``, which would make
    :mod:`brief.images` accept a damaged image from then on in this process (the preview
    builds again and again in one): the setting is put back as it was."""
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except ImportError as exc:
        raise PdfUnavailable(f"WeasyPrint is not installed ({exc})") from None
    except OSError as exc:  # its system libraries (Pango, HarfBuzz) are missing
        raise PdfUnavailable(f"WeasyPrint cannot load its system libraries ({exc})") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return weasyprint


def _worker_start() -> None:
    """Load WeasyPrint and the system's fonts once per worker process."""
    global _FONTS
    weasyprint = _load_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    if _FONTS is None:
        _FONTS = FontConfiguration()
    del weasyprint


def _run_jobs(
    jobs: list[PdfJob], workers: int | None, progress: Callable[[str, int, int], None] | None,
) -> list[str]:
    """Lay out every job (in worker processes when there are several); returns, per job, ""
    or what went wrong in it."""
    processes = min(len(jobs), workers or os.cpu_count() or 1)
    results: list[str] = []
    if processes > 1:
        try:
            pool = ProcessPoolExecutor(max_workers=processes, initializer=_worker_start)
        except (OSError, NotImplementedError):
            pool = None
        if pool is not None:
            with pool:
                for done, problem in enumerate(pool.map(try_layout, jobs), 1):
                    results.append(problem)
                    if progress is not None:
                        progress("pdf", done, len(jobs))
            return results
    _worker_start()
    for done, job in enumerate(jobs, 1):
        results.append(try_layout(job))
        if progress is not None:
            progress("pdf", done, len(jobs))
    return results


def try_layout(job: PdfJob) -> str:
    """:func:`layout_issue`; what went wrong in it, or "". WeasyPrint failing on one issue
    (a bug of its own on some content) costs that issue its PDF, not the site its build."""
    try:
        layout_issue(job)
    except Exception as exc:  # noqa: BLE001 - any failure of the layout library
        return f"{type(exc).__name__}: {exc}"
    return ""


def layout_issue(job: PdfJob) -> None:
    """Lay out one issue and write its cache entry: ``issue.pdf``, ``a<N>.pdf`` per article,
    and ``pages.json`` (the page count and each article's first and last page)."""
    if _FONTS is None:
        _worker_start()
    from weasyprint import HTML

    fetcher = _fetcher(dict(job.files))
    document = HTML(string=job.html, base_url=job.address, url_fetcher=fetcher).render(font_config=_FONTS)
    ranges = _ranges(document, [anchor for anchor, *_ in job.articles])
    if any(first == last for first, last in ranges):
        # "p. 7" takes the place of "pp. 7–7": the cover says so, laid out again (the cover's
        # length, and so every page number, does not change).
        rules = "".join(
            f"#pages-{anchor} .range {{ display: none; }} #pages-{anchor} .single {{ display: inline; }}\n"
            for (anchor, *_), (first, last) in zip(job.articles, ranges) if first == last
        )
        html = job.html.replace("</style>", rules + "</style>", 1)
        document = HTML(string=html, base_url=job.address, url_fetcher=fetcher).render(font_config=_FONTS)
    files = {"issue.pdf": _write(document, 1)}
    for n, ((anchor, title, authors, summary), (first, last)) in enumerate(zip(job.articles, ranges), 1):
        part = document.copy(document.pages[first - 1 : last])
        part.metadata = copy.copy(document.metadata)
        part.metadata.title = title
        part.metadata.authors = list(authors)
        part.metadata.description = summary
        files[f"a{n}.pdf"] = _write(part, first)
    files["pages.json"] = json.dumps({"pages": len(document.pages), "articles": ranges, "missing_cjk": job.missing_cjk}).encode()
    _write_entry(job.entry, files)


def _ranges(document: Any, anchors: list[str]) -> list[tuple[int, int]]:
    """Each article's first and last page (1-based), from where its start and end anchors are."""
    where: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            where.setdefault(name, number)
    return [(where[anchor], where.get(f"{anchor}-end", where[anchor])) for anchor in anchors]


def _write(document: Any, first_page: int) -> bytes:
    """The PDF of ``document`` (tagged, PDF/UA-1), its pages labelled from ``first_page``. Its
    file identifier is a hash of its own bytes, so the same pages give the same file."""
    import pydyf

    def labels(_: Any, pdf: Any) -> None:
        pdf.catalog["PageLabels"] = pydyf.Dictionary({
            "Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/D", "St": first_page})]),
        })

    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=True, finisher=labels)  # type: ignore[no-any-return]


def _fetcher(files: dict[str, str]) -> Any:
    """WeasyPrint's fetcher, which reads only the images the issue shows, from their files:
    laying out a PDF never makes a request to the network, nor reads any other file."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = files.get(url)
            if path is None:
                raise ValueError(f"not fetched: {url}")
            with open(path, "rb") as handle:
                data = handle.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": kind})

    return LocalFetcher()


def _write_entry(entry: Path, files: dict[str, bytes]) -> None:
    """Write a cache entry whole: into a temporary folder renamed into place."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".new-", dir=entry.parent))
    try:
        for name, data in files.items():
            (scratch / name).write_bytes(data)
        try:
            os.rename(scratch, entry)
        except OSError:
            if not (entry / "pages.json").is_file():  # not made by another build meanwhile
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def page_ranges(pdf: IssuePdf) -> dict[str, tuple[int, int]]:
    """Each article's pages by URL (for tests and tools)."""
    return {a.url: (a.first, a.last) for a in pdf.articles}
