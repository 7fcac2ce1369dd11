"""The typed model of a site: what every stage after loading works on.

Plain frozen dataclasses with slots, not pydantic or attrs. The validation that
matters here is about *where* a value is wrong (file and line, taken from the
YAML nodes) and about cross-references (author ids, note labels, citation
keys) that no field validator sees; :mod:`brief.load` does that by hand with
line-aware mappings, so a validation library would only add start-up cost and
a second error format. Objects refer to each other by id or key and are linked
through :class:`Site`.

Which stage fills what:

* :mod:`brief.load` builds :class:`Author`, :class:`Publication`, :class:`Issue`
  and :class:`ArticleSource` (validated front-matter plus the raw body);
* :mod:`brief.markdown` turns an :class:`ArticleSource` into
  :class:`ArticleContent` (HTML, notes, sources, figures);
* :mod:`brief.assemble` joins them into :class:`Article` objects and a
  :class:`Site` with URLs, order and previous/next links.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
from dataclasses import dataclass, field

from .errors import SourceLocation


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """``site.yaml``, validated."""

    title: str
    base_url: str
    language: str = "en"
    publisher: str = ""
    description: str = ""
    #: Allow raw HTML in Markdown (sanitised). Off by default.
    raw_html: bool = False
    #: Largest image accepted, in pixels and in bytes.
    max_image_pixels: int = 40_000_000
    max_image_bytes: int = 25 * 1024 * 1024
    #: The IANA time zone whose calendar decides when a dated issue or article is due.
    time_zone: str = "UTC"
    #: Write a comma before the last name of three or more ("A, B, and C").
    serial_comma: bool = True
    #: How a lead image's credit is printed: the text with ``{credit}`` where the credit goes.
    image_credit: str = "Image: {credit}"
    #: Which issues get a PDF (``pdf:``): ``None`` every issue, ``0`` none, N the newest N of
    #: each publication.
    pdf_issues: int | None = None
    #: Start each article of an issue PDF on a right-hand (odd) page (``pdf_recto:``).
    pdf_recto: bool = False
    #: The fewest section headings (``##``) an article needs for a contents list at its top; 0: never.
    contents_list: int = 3
    #: How many related articles an article page lists at its end; 0: none.
    related_articles: int = 3
    #: Entries in each Atom feed, newest first (``feeds: entries``); 0 writes no feeds.
    feed_entries: int = 20
    #: The domain in each feed entry's ``tag:`` id (``feeds: id_domain``); empty: the host of
    #: ``base_url``. Kept when the site moves, so that feed readers do not show every article again.
    feed_id_domain: str = ""
    #: Give the site a search page and a search index (``search: false`` turns both off).
    search: bool = True


@dataclass(frozen=True, slots=True)
class Author:
    """A person: from ``authors/<id>.md`` or inline in one article."""

    id: str
    name: str
    affiliation: str = ""
    links: tuple[tuple[str, str], ...] = ()
    #: How the list of authors sorts the name (``sort_as``); empty: by its last word.
    sort_as: str = ""
    #: The bio as Markdown, and as HTML (filled by :mod:`brief.load`).
    bio_md: str = ""
    bio_html: str = ""
    #: False for a one-off contributor written inline in an article.
    has_page: bool = True
    location: SourceLocation = SourceLocation("")
    #: Links to other pages in the bio, as the Markdown stage recorded them.
    bio_links: tuple["PageLink", ...] = ()


@dataclass(frozen=True, slots=True)
class Publication:
    """A brief: a folder holding ``publication.yaml``."""

    slug: str
    title: str
    description: str = ""
    issn: str = ""
    folder: str = ""
    location: SourceLocation = SourceLocation("")


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue: a folder holding ``issue.yaml``."""

    key: str  #: the issue folder, relative to the content folder
    publication: str  #: publication slug
    volume: int
    number: int
    date: dt.date
    title: str = ""
    #: Article file names in order, as listed (``articles:``) or by file name.
    order: tuple[str, ...] = ()
    #: Line of each listed name, for errors about them.
    order_lines: tuple[int, ...] = ()
    location: SourceLocation = SourceLocation("")
    url: str = ""  #: site-relative URL (filled by :mod:`brief.assemble`)
    #: ``scheduled`` when the build was asked to include an issue dated after today
    #: (see :mod:`brief.schedule`); empty for a published one.
    mark: str = ""

    @property
    def label(self) -> str:
        return f"Volume {self.volume}, Issue {self.number}"


@dataclass(frozen=True, slots=True)
class LeadImage:
    """An article's lead image, as written in front-matter."""

    src: str
    alt: str
    caption: str = ""
    credit: str = ""
    credit_url: str = ""
    line: int = 0  #: the line of ``image:``
    src_line: int = 0  #: the line of ``src:``


@dataclass(frozen=True, slots=True)
class CitationEntry:
    """One entry of an article's ``citations:`` front-matter."""

    key: str
    outlet: str
    url: str
    date: dt.date | None = None
    title: str = ""
    accessed: dt.date | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class NoteSource:
    """A note definition: from front-matter or from a ``[^label]:`` body line."""

    label: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class AuthorRef:
    """An article's author: an id from ``authors/`` or an inline contributor."""

    id: str
    line: int
    inline: Author | None = None


@dataclass(frozen=True, slots=True)
class ArticleSource:
    """An article's validated front-matter and raw body, before Markdown."""

    path: str  #: display path of the file
    file_name: str  #: file name within the issue folder
    issue_key: str
    slug: str
    title: str
    authors: tuple[AuthorRef, ...]
    body: str
    body_line: int
    summary: tuple[str, ...] = ()
    image: LeadImage | None = None
    topics: tuple[str, ...] = ()
    notes: tuple[NoteSource, ...] = ()
    citations: tuple[CitationEntry, ...] = ()
    bios: tuple[tuple[str, str], ...] = ()  #: (author id, Markdown)
    disclaimer: str = ""
    date: dt.date | None = None
    draft: bool = False
    #: Codes of warnings the editor means (``accept_warnings``): not reported for this file.
    accept_warnings: tuple[str, ...] = ()
    #: The article's earlier addresses (``aliases``), site-relative, each with its line.
    aliases: tuple[tuple[str, int], ...] = ()
    lines: tuple[tuple[str, int], ...] = ()  #: line of each front-matter key

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 1)


@dataclass(frozen=True, slots=True)
class Note:
    """A rendered endnote. ``number`` is its position by first reference."""

    number: int
    label: str
    html: str
    #: How many times the body refers to it (one back-link each).
    ref_count: int


@dataclass(frozen=True, slots=True)
class YearMonth:
    """A date known to the month only (a citation written ``July 2024``).

    Never stands in for a day: it prints and serialises as ISO 8601's
    month precision, ``2024-07`` (also a valid HTML ``<time datetime>``).
    """

    year: int
    month: int

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.isoformat()


#: The date of a source: a day, or a month when the citation gives no day.
SourceDate = dt.date | YearMonth


def date_sort_key(date: SourceDate | None) -> tuple[int, int, int]:
    """Order of source dates: a month comes before the days in it; no date comes first."""
    if date is None:
        return (0, 0, 0)
    if isinstance(date, YearMonth):
        return (date.year, date.month, 0)
    return (date.year, date.month, date.day)


@dataclass(frozen=True, slots=True)
class Source:
    """One outside page cited by an article: an entry of its source list.

    Built from a citation in the house style (outlet and date known), a
    ``[@key]`` citation, or any other outside link (only the URL and the link
    text known). ``date`` and ``accessed`` are a :class:`datetime.date`, or a
    :class:`YearMonth` when the citation names only the month and year;
    readers of the model format them with :func:`brief.citations.format_long_date`
    and serialise them with their ``isoformat()``.
    """

    url: str
    outlet: str = ""
    title: str = ""
    date: SourceDate | None = None
    accessed: SourceDate | None = None
    #: Whether the entry came from a citation (its outlet, and the date where one could be read).
    cited: bool = False


@dataclass(frozen=True, slots=True)
class Figure:
    """A numbered table or figure with a caption."""

    kind: str  #: "table" or "figure"
    number: int
    title: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading of an article's body (``##`` to ``####``), for its contents list."""

    level: int  #: 2 to 4
    id: str  #: the heading's ``id`` in the body
    text: str  #: its text, without note references or markup


@dataclass(frozen=True, slots=True)
class ImageUse:
    """An image file an article uses, as the body or front-matter names it."""

    src: str  #: as written, relative to the article
    line: int
    alt: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class PageLink:
    """A link from Markdown to another page of the site, as written (filled by
    :mod:`brief.mdplugins.pagelinks`). Its ``href`` in the HTML is the marker
    ``brief-link:N`` (N indexes the article's ``links``) until :mod:`brief.links`
    resolves it to the page's address."""

    kind: str  #: "path" (a content file or folder) or "address" (a URL of this site)
    target: str  #: the path or site-relative address, decoded, without its fragment
    fragment: str  #: the heading (``#id``) linked to, or ""
    line: int
    written: str  #: the link as the editor wrote it, for messages


@dataclass(frozen=True, slots=True)
class ArticleContent:
    """The Markdown stage's output for one article (filled by :mod:`brief.markdown`)."""

    body_html: str
    summary_html: tuple[str, ...]
    notes: tuple[Note, ...]
    sources: tuple[Source, ...]
    figures: tuple[Figure, ...]
    images: tuple[ImageUse, ...]
    disclaimer_html: str = ""
    bios_html: tuple[tuple[str, str], ...] = ()
    image_caption_html: str = ""
    word_count: int = 0
    #: The summary as plain text, for metadata.
    summary_text: tuple[str, ...] = ()
    #: Links to other pages of the site (body, notes, summary, bios...), by marker number.
    links: tuple[PageLink, ...] = ()
    #: The ids another page may link to with ``#id``: headings, tables and figures, notes.
    anchors: tuple[str, ...] = ()
    #: Every outside link with its line, for ``brief check --external``; links to headings
    #: of this page (``#id``) with their line, checked when the site is assembled.
    external_links: tuple[tuple[str, int], ...] = ()
    own_anchors: tuple[tuple[str, int], ...] = ()
    #: What lists of articles show under the title (HTML): the summary's first bullet, or
    #: without a summary the start of the first paragraph, cut at a sentence end.
    teaser_html: str = ""
    #: The same as plain text, for the page's description and Open Graph metadata.
    description: str = ""
    #: The body's section headings in order, for the contents list.
    headings: tuple[Heading, ...] = ()
    #: False for the light copy a build keeps of an article whose full content is in
    #: the cache (see :mod:`brief.cache`): only its own page needs the rest.
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Article:
    """A published article: source, content and place in the site (filled by :mod:`brief.assemble`)."""

    source: ArticleSource
    content: ArticleContent
    publication: str
    issue_key: str
    date: dt.date
    url: str  #: site-relative URL, e.g. ``field-notes/why-dates/``
    authors: tuple[Author, ...]
    topics: tuple["Topic", ...] = ()
    previous: str | None = None  #: URL of the previous article in the issue
    next: str | None = None
    #: A hash of everything the Markdown stage read (see :mod:`brief.cache`).
    content_key: str = ""
    #: The site-relative address of each of ``content.links`` (filled by :mod:`brief.links`).
    links: tuple[str, ...] = ()
    #: ``draft`` or ``scheduled`` when the build was asked to include an article that is
    #: not published yet (see :mod:`brief.schedule`); empty for a published one.
    mark: str = ""

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def slug(self) -> str:
        return self.source.slug


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic name and its page."""

    name: str
    slug: str

    @property
    def url(self) -> str:
        return f"topics/{self.slug}/"


@dataclass(slots=True)
class Site:
    """Everything the renderer needs, linked. Built once by :mod:`brief.assemble`."""

    config: SiteConfig
    publications: tuple[Publication, ...]
    issues: dict[str, Issue]
    articles: dict[str, Article]  #: by URL
    authors: dict[str, Author]
    topics: dict[str, Topic] = field(default_factory=dict)
    #: Per publication: issue keys newest first.
    issues_by_publication: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Per issue: article URLs in table-of-contents order.
    articles_by_issue: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Each article's place (by URL) in the site's order for lists of articles: newest
    #: first; articles of one date in their issue's order (issues newest first, then
    #: by publication).
    article_rank: dict[str, int] = field(default_factory=dict)
    #: Images used by articles, by content-relative path (filled by :mod:`brief.images`).
    images: dict[str, "ImageAsset"] = field(default_factory=dict)
    #: Each article's social preview card (1200×630), by article URL (filled by :mod:`brief.images`).
    social: dict[str, "ImageAsset"] = field(default_factory=dict)
    #: Old addresses that lead to current pages (filled by :mod:`brief.redirects`).
    redirects: tuple["Redirect", ...] = ()
    #: Each issue's PDF, by issue key (filled by :mod:`brief.pdf`; empty when PDFs are off).
    pdfs: dict[str, "IssuePdf"] = field(default_factory=dict)
    #: Per article URL: the URLs of its related articles, most related first (filled by
    #: :mod:`brief.related`).
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Per issue key: the keys of the previous and the next issue of its publication, by
    #: date (filled by :mod:`brief.related`).
    issue_neighbours: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Redirect:
    """A page at an old address that sends readers on to the current one."""

    path: str  #: the old address, site-relative (``x/y/``)
    target: str  #: the current page's address, site-relative
    location: SourceLocation = SourceLocation("")  #: what asked for it (an ``aliases:`` line, a topic)


@dataclass(frozen=True, slots=True)
class ImageVariant:
    """One published file of a raster image: a size in one format."""

    url: str  #: site-relative URL
    width: int
    height: int
    media_type: str  #: ``image/webp``, ``image/jpeg`` or ``image/png``


@dataclass(frozen=True, slots=True)
class ImageAsset:
    """A published image: where it comes from, where it goes, its size (filled by :mod:`brief.images`).

    A raster image is published as ``variants`` (several widths, each in WebP
    and in a fallback format); ``url``, ``width`` and ``height`` are those of
    its largest fallback file. An SVG is published as it is, with no variants.
    """

    source: str  #: content-relative path ("" for a generated social card)
    url: str  #: site-relative URL of the published file (the largest, for a raster image)
    width: int = 0  #: 0 when unknown (an SVG without a size)
    height: int = 0
    media_type: str = ""  #: the media type of ``url``
    variants: tuple[ImageVariant, ...] = ()  #: smallest first, WebP and fallback interleaved


def issue_file_stem(issue: "Issue") -> str:
    """The name, without extension, of an issue's own files (its PDF, its citation files):
    ``field-notes-v1-n2``."""
    return f"{issue.publication}-v{issue.volume}-n{issue.number}"


@dataclass(frozen=True, slots=True)
class ArticlePages:
    """Where one article is in its issue's PDF, and its own PDF (those pages alone)."""

    url: str  #: the article's site-relative URL
    first: int  #: its first and last page, as numbered in the issue PDF
    last: int
    pdf_url: str  #: site-relative URL of the article's own PDF
    pdf_size: int  #: in bytes

    @property
    def label(self) -> str:
        """``p. 7`` or ``pp. 8–16``."""
        return f"p. {self.first}" if self.first == self.last else f"pp. {self.first}\u2013{self.last}"


@dataclass(frozen=True, slots=True)
class IssuePdf:
    """An issue's PDF as laid out (filled by :mod:`brief.pdf`)."""

    url: str  #: site-relative URL of the PDF
    size: int  #: in bytes
    pages: int
    articles: tuple[ArticlePages, ...]  #: in the issue's order

    def of(self, url: str) -> ArticlePages | None:
        """The pages of the article at ``url``, if it is in this PDF."""
        return next((a for a in self.articles if a.url == url), None)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the site: its path in the output folder and its bytes."""

    path: str
    data: bytes


def _pickle_by_fields(cls: type) -> None:
    """Pickle a frozen, slotted dataclass as its constructor call.

    The standard pickling of slotted dataclasses looks up the fields for every
    object it restores, which made reading the build cache of a large archive
    (hundreds of thousands of small objects) take seconds; this is several
    times faster and gives equal objects.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))

    def __reduce__(self: object) -> tuple[type, tuple[object, ...]]:
        return (cls, tuple(getattr(self, name) for name in names))

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]


for _cls in list(globals().values()):
    if isinstance(_cls, type) and dataclasses.is_dataclass(_cls) and "__slots__" in _cls.__dict__:
        _pickle_by_fields(_cls)
