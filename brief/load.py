"""Discover content files and load them into typed sources, checking everything.

This stage reads the file system (and nothing after it does, except image
processing): ``site.yaml``, ``authors/*.md``, each publication, each issue and
each article. Every problem becomes a diagnostic; loading goes on past
problems so that one build reports all of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from .cache import SourceCache
from .config import load_config
from .errors import WARNING_CODES, Diagnostic, Diagnostics, SourceLocation, did_you_mean
from .model import (
    ArticleSource,
    Author,
    AuthorRef,
    CitationEntry,
    Issue,
    LeadImage,
    NoteSource,
    Publication,
    SiteConfig,
)
from .cadence import SCHEDULE_FORMS, parse_schedule
from .schema import Checker, key_text
from .sources import (
    LineDict, LineList, SourceError, body_of, decode_text, is_within, load_yaml_file, read_text, split_front_matter,
)

ARTICLE_KEYS = (
    "title", "authors", "summary", "image", "topics", "notes", "citations",
    "bios", "disclaimer", "date", "slug", "draft", "accept_warnings", "aliases",
)
AUTHOR_KEYS = ("name", "affiliation", "links", "sort_as")
INLINE_AUTHOR_KEYS = ("name", "bio", "affiliation", "sort_as")
IMAGE_KEYS = ("src", "alt", "caption", "credit", "credit_url")
CITATION_KEYS = ("outlet", "url", "date", "title", "accessed")
PUBLICATION_KEYS = ("title", "description", "issn", "slug", "schedule", "yearly_volumes")
ISSUE_KEYS = ("volume", "number", "date", "title", "articles")

T = TypeVar("T")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ORDER_PREFIX = re.compile(r"^\d+[-_]")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ISSN = re.compile(r"^\d{4}-\d{3}[\dXx]$")
#: Names an article or publication slug may not take: the site uses them.
RESERVED_SLUGS = frozenset({"authors", "topics", "static", "404", "index", "sitemap", "robots", "follow"})


def suggest(word: str, choices: Iterable[str], fallback: str) -> str:
    """A did-you-mean hint when a choice is close, else ``fallback`` (which says how to fix it)."""
    return did_you_mean(word, choices, list_others=False) or fallback


#: A run of Chinese characters (CJK Unified Ideographs and their extensions A–F).
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")


def read_body(path: str, digest: str, display: str) -> str:
    """The body of the article file ``path``, which must still have the SHA-256 ``digest`` it
    had when it was loaded (its front-matter was checked then)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise SourceError(Diagnostic(SourceLocation(display), f"cannot read the file: {exc.strerror or exc}", "")) from None
    body = body_of(decode_text(data, display)) if hashlib.sha256(data).hexdigest() == digest else None
    if body is None:
        raise SourceError(Diagnostic(
            SourceLocation(display), "the file changed while the site was being built", "build again",
        ))
    return body


def slugify(text: str) -> str:
    """A URL slug from a file name, title or topic: lowercase ASCII letters, digits and hyphens.

    A text with Latin letters is slugged by its letters and digits (``Taiwan 台湾`` →
    ``taiwan``). A text without Latin letters but with Chinese characters is spelt in
    pinyin without tones, the syllables of each run of characters written together
    (``解放军`` → ``jiefangjun``, ``海警 2024`` → ``haijing-2024``); traditional characters
    read the same (``解放軍`` → ``jiefangjun``).
    """
    slug = _ascii_slug(text)
    if re.search(r"[a-z]", slug) or not _HAN_RUN.search(text):
        return slug
    from pypinyin import lazy_pinyin  # loads its dictionary (~0.3 s): only when needed

    return _ascii_slug(_HAN_RUN.sub(lambda run: " " + "".join(lazy_pinyin(run.group(0))) + " ", text))


def _ascii_slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass
class LoadedContent:
    """What the load stage found: config, people, publications, issues, articles."""

    content: Path
    config: SiteConfig | None
    #: The folder display paths (``ArticleSource.path``) are relative to.
    project: Path = Path(".")
    authors: dict[str, Author] = field(default_factory=dict)
    publications: list[Publication] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    articles: list[ArticleSource] = field(default_factory=list)
    #: For articles loaded through the cache: what their source is a function of (the
    #: file's hash and the context it was loaded in), by display path. Hashing this is
    #: a cheaper way to key the rendered Markdown than hashing the whole source.
    identities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Where to read the body of an article whose source has none, and the hash the file must
    #: still have (see :func:`read_body`); None when the source has its body.
    body_file: Callable[[ArticleSource], "tuple[str, str] | None"] = lambda source: None
    #: Set when this is the last load of a preview with only some articles' files loaded
    #: again (see :meth:`Loader.load_edited`): each of those articles' paths, with its place
    #: in ``articles`` and the source it had before. Everything else is what the last load
    #: gave (the same objects, in the same places). ``None``: everything was looked at.
    edited: dict[str, tuple[int, ArticleSource]] | None = None
    #: Which load of a preview this is (0: not a preview's), and with ``edited``, which load
    #: it is the last one changed of: a stage keeps its last result for the next load of it.
    generation: int = 0
    since: int = -1


@dataclass
class LastLoad:
    """What the last load of a preview gave (kept in :attr:`SourceCache.last_load`), so that
    the next one, when only some articles' files changed, loads just those again."""

    config: SiteConfig | None
    authors: dict[str, Author]
    authors_key: str
    publications: list[Publication]
    issues: list[Issue]
    articles: list[ArticleSource]
    identities: dict[str, tuple[str, ...]]
    bodiless: set[str]
    #: Each article's file (as the loader names it) → its place in ``articles``.
    places: dict[str, int]
    #: What the load told.
    told: list[Diagnostic]
    generation: int = 0


class Loader:
    """Loads one content folder. ``display`` paths are relative to the project folder."""

    def __init__(self, content: Path, project: Path, diagnostics: Diagnostics, cache: "SourceCache | None" = None):
        self.content = content
        self.project = project
        self.diagnostics = diagnostics
        self.cache = cache
        self.identities: dict[str, tuple[str, ...]] = {}
        self.bodiless: set[str] = set()
        self.authors: dict[str, Author] = {}
        #: Issues loaded so far, by publication, volume and number (to find two with one number).
        self.numbers: dict[tuple[str, int, int], list[Issue]] = {}
        #: What an article's loading depends on besides its file and issue: the author ids.
        self.authors_key = ""
        #: Each issue folder loaded (as named here), for :class:`LastLoad`.
        self.issue_folders: list[str] = []
        self._project_prefix = project.as_posix().rstrip("/") + "/"

    def display(self, path: Path) -> str:
        # By strings: called for every file of the archive on every build.
        text = path.as_posix()
        if text.startswith(self._project_prefix):
            return text[len(self._project_prefix):]
        if self._project_prefix == "./":  # the project is the working folder: paths are relative to it already
            return text
        try:
            return path.relative_to(self.project).as_posix()
        except ValueError:
            return text

    def remember(self, path: Path, read: Callable[[], T]) -> T:
        """What ``read`` reads from ``path``, reused while a preview knows the file is unchanged."""
        return read() if self.cache is None else self.cache.remember(path, read)

    def error(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.diagnostics.error(SourceLocation(path, line), message, hint)

    # -- the whole folder ---------------------------------------------------
    def load(self) -> LoadedContent:
        quick = self.load_edited() if self.cache is not None else None
        if quick is not None:
            return quick
        start = len(self.diagnostics.items)
        result = self.load_all()
        if self.cache is not None:
            result.generation = self.cache.next_generation()
            self.cache.last_load = self.last_load(result, self.diagnostics.items[start:])
        return result

    def last_load(self, result: LoadedContent, told: list[Diagnostic]) -> "LastLoad | None":
        """What a preview keeps of a load that told no error, for :meth:`load_edited`."""
        if self.cache is None or not self.cache.kept or any(d.severity == "error" for d in told):
            return None
        places: dict[str, int] = {}
        folders = {key: folder for folder, key in ((f, self.display(Path(f))) for f in self.issue_folders)}
        for index, source in enumerate(result.articles):
            folder = folders.get(source.issue_key)
            if folder is None:
                return None
            places[os.path.join(folder, source.file_name)] = index
        return LastLoad(
            result.config, dict(result.authors), self.authors_key, list(result.publications), list(result.issues),
            list(result.articles), dict(self.identities), set(self.bodiless), places, list(told), result.generation,
        )

    def load_edited(self) -> LoadedContent | None:
        """The last load with only the article files that changed since loaded again, when
        they are all that changed: articles the last load gave (without an error), each
        still in its issue and still telling nothing; else ``None`` (load everything).

        Any other change (a file added, removed or renamed, an issue, publication, author,
        ``site.yaml``, anything else in the content folder) loads everything: only the
        articles' own files are read here, and everything else is the last load's, the
        same objects in the same places, so that each later stage can take its last
        result and change only what these articles make."""
        assert self.cache is not None
        last, changed = self.cache.last_load, self.cache.watched
        if last is None or not changed or len(changed) > EDITED_LIMIT:
            return None
        if not all(path in last.places and os.path.isfile(path) for path in changed):
            return None
        told = {d.location.path for d in last.told}
        self.identities, self.bodiless = dict(last.identities), set(last.bodiless)
        self.authors, self.authors_key = last.authors, last.authors_key
        articles = list(last.articles)
        edited: dict[str, tuple[int, ArticleSource]] = {}
        start = len(self.diagnostics.items)
        for path in sorted(changed):
            place = last.places[path]
            before = articles[place]
            source = None if before.path in told else self.load_article_cached(Path(path), before.issue_key, last.authors)
            if source is None or source.path != before.path or len(self.diagnostics.items) != start:
                del self.diagnostics.items[start:]
                self.identities, self.bodiless, self.authors, self.authors_key = {}, set(), {}, ""
                return None
            articles[place] = source
            edited[source.path] = (place, before)
        self.diagnostics.extend(last.told)
        for path in changed:  # what the issue folder's load is remembered as (see load_issue)
            folder = os.path.dirname(path)
            kept = self.cache.folders.get(folder)
            if kept is not None:
                context, issue, members, problems, identities, bodiless = kept
                members = [articles[last.places[os.path.join(folder, a.file_name)]] for a in members]
                identities = {p: self.identities[p] for p in identities}
                self.cache.folders[folder] = (context, issue, members, problems, identities, bodiless)
        generation = self.cache.next_generation()
        self.cache.last_load = dataclasses.replace(
            last, articles=articles, identities=self.identities, bodiless=self.bodiless, generation=generation,
        )
        return LoadedContent(
            self.content, last.config, self.project, dict(last.authors), list(last.publications), list(last.issues),
            list(articles), self.identities, self.body_file, edited, generation, last.generation,
        )

    def load_all(self) -> LoadedContent:
        config = load_config(self.content, self.display(self.content / "site.yaml"), self.diagnostics)
        result = LoadedContent(self.content, config, self.project)
        result.authors = self.authors = self.load_authors()
        if self.cache is not None:
            self.authors_key = self.cache.authors_key(self.authors)
        for folder in self.child_folders(self.content):
            if folder.name == "authors":
                continue
            if (folder / "publication.yaml").is_file():
                self.load_publication(folder, result)
            elif any(folder.glob("*/issue.yaml")):
                self.error(
                    self.display(folder), 0,
                    "this folder holds issues but no publication.yaml",
                    "add publication.yaml with at least 'title:'",
                )
        if config is not None and not result.publications:
            self.error(
                self.display(self.content), 0,
                "the content folder holds no publication",
                "make a folder with a publication.yaml and issue folders inside it",
            )
        result.identities, result.body_file = self.identities, self.body_file
        return result

    def body_file(self, source: ArticleSource) -> tuple[str, str] | None:
        """For a source loaded without its body (all are: see :meth:`load_article_cached`), the
        file to read it from and the file's SHA-256 when it was loaded (see :func:`read_body`);
        None for a source that has its body."""
        if source.path not in self.bodiless:
            return None
        return str(self.project / source.path), self.identities[source.path][1]

    def child_folders(self, folder: Path) -> list[Path]:
        """Sub-folders in name order, skipping hidden ones; symlinks must stay inside."""
        found = []
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.error(self.display(folder), 0, f"cannot read the folder: {exc.strerror}")
            return []
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            path = Path(entry.path)
            if entry.is_dir():
                if entry.is_symlink() and not is_within(path, self.content):
                    self.error(self.display(path), 0, "this folder is a link to a place outside the content folder", "move the files into the content folder")
                    continue
                found.append(path)
        return found

    def markdown_files(self, folder: Path) -> list[Path]:
        files = []
        try:
            with os.scandir(folder) as entries:
                found = sorted((e.name, e.is_symlink()) for e in entries if e.name.endswith(".md") and not e.name.startswith((".", "_")))
        except OSError:
            return []
        for name, linked in found:
            path = folder / name
            # Folders reached here are inside the content folder (child_folders checks
            # linked folders), so only a linked file can lead outside it.
            if linked and not is_within(path, self.content):
                self.error(self.display(path), 0, "this file is a link to a place outside the content folder", "copy the file into the content folder")
                continue
            files.append(path)
        return files

    def read_yaml(self, path: Path, what: str) -> Checker:
        """A checker over a ``.yaml`` file; an unreadable file is reported once.

        After a YAML error the checker holds no keys and reports none missing,
        so the folder's other files can still be checked in the same build.
        """
        display = self.display(path)
        try:
            data = self.remember(path, lambda: load_yaml_file(path, display))
        except SourceError as exc:
            self.diagnostics.extend([exc.diagnostic])
            check = Checker(None, display, self.diagnostics, what)
            check.is_mapping = False
            return check
        return Checker(data, display, self.diagnostics, what)

    # -- authors ---------------------------------------------------------------
    def load_authors(self) -> dict[str, Author]:
        """The authors in ``authors/``; a preview reuses them while none of its files changed."""
        folder = self.content / "authors"
        kept = self.cache.recall(folder) if self.cache is not None else None
        if kept is not None:
            authors, problems = kept
            self.diagnostics.extend(problems)
            return dict(authors)
        before = len(self.diagnostics.items)
        authors = self.read_authors_folder(folder)
        if self.cache is not None:
            self.cache.keep(folder, (dict(authors), self.diagnostics.items[before:]))
        return authors

    def read_authors_folder(self, folder: Path) -> dict[str, Author]:
        authors: dict[str, Author] = {}
        if not folder.is_dir():
            return authors
        for path in self.markdown_files(folder):
            display = self.display(path)
            author_id = path.stem
            if not _ID.match(author_id):
                self.error(display, 0, f"'{author_id}' cannot be an author id", "name the file with letters, digits and hyphens, e.g. jane-doe.md")
                continue
            try:
                doc = self.remember(path, lambda: split_front_matter(read_text(path, display), display))
            except SourceError as exc:
                self.diagnostics.extend([exc.diagnostic])
                continue
            check = Checker(doc.front_matter, display, self.diagnostics, "the author's front-matter")
            check.unknown_keys(AUTHOR_KEYS)
            name = check.text("name", required=True)
            links = self.read_links(check)
            authors[author_id] = Author(
                id=author_id,
                name=name,
                affiliation=check.text("affiliation"),
                links=links,
                sort_as=check.text("sort_as"),
                bio_md=doc.body.strip(),
                # the bio's first line: blank lines before it are stripped
                location=SourceLocation(display, doc.body_line + doc.body[: len(doc.body) - len(doc.body.lstrip())].count("\n")),
            )
        return authors

    def read_links(self, check: Checker) -> tuple[tuple[str, str], ...]:
        links = check.sub("links", "'links'")
        if links is None:
            return ()
        result = []
        for label in links.data:
            url = links.url(label, required=True)
            if url:
                result.append((key_text(links.data, label), url))
        return tuple(result)

    # -- publications and issues ---------------------------------------------
    def load_publication(self, folder: Path, result: LoadedContent) -> None:
        path = folder / "publication.yaml"
        display = self.display(path)
        check = self.read_yaml(path, "publication.yaml")
        check.unknown_keys(PUBLICATION_KEYS)
        slug = check.text("slug") or slugify(folder.name)
        if not SLUG.match(slug) or slug in RESERVED_SLUGS:
            check.error(check.line("slug"), f"'{slug}' cannot be the publication's slug", "use lowercase letters, digits and hyphens, not a reserved name (authors, topics, static)")
        issn = check.text("issn")
        if issn and not _ISSN.match(issn):
            check.error(check.line("issn"), f"'{issn}' is not an ISSN", "write it as 1234-567X")
        schedule = check.text("schedule")
        if schedule and parse_schedule(schedule) is None:
            check.error(check.line("schedule"), f"'{schedule}' is not a schedule", f"write {SCHEDULE_FORMS}")
        check.boolean("yearly_volumes")
        for other in result.publications:
            if other.slug == slug:
                check.error(check.line("slug"), f"two publications have the slug '{slug}' (the other is {other.location.path})", "give one of them a different 'slug:'")
        publication = Publication(
            slug=slug,
            title=check.text("title", required=True),
            description=check.text("description"),
            issn=issn,
            folder=self.display(folder),
            location=SourceLocation(display, 1),
        )
        if self.cache is not None:  # the same object while it does not change (see brief.render.Fingerprints)
            publication = self.cache.same(f"publication:{display}", publication)
        result.publications.append(publication)
        issue_folders, strays = self.publication_folders(folder)
        for issue_folder, is_issue in issue_folders:
            if is_issue:
                self.load_issue(issue_folder, publication, result)
            else:
                self.error(self.display(issue_folder), 0, "this folder holds articles but no issue.yaml", "add issue.yaml with volume, number and date")
        for stray in strays:
            self.error(self.display(stray), 0, "an article must be inside an issue folder", "move it into the folder of its issue")

    def publication_folders(self, folder: Path) -> tuple[list[tuple[Path, bool]], list[Path]]:
        """The publication's sub-folders that hold an issue (``True``) or articles without
        one (``False``), and the articles outside any issue folder. A preview lists them
        again only when a file or folder was added to or removed from them."""
        kept = self.cache.recall(folder, shallow=True) if self.cache is not None else None
        if kept is not None:
            folders, strays, problems = kept
            self.diagnostics.extend(problems)
            return folders, strays
        before = len(self.diagnostics.items)
        folders = []
        for child in self.child_folders(folder):
            if (child / "issue.yaml").is_file():
                folders.append((child, True))
            elif any(child.glob("*.md")):
                folders.append((child, False))
        strays = self.markdown_files(folder)
        if self.cache is not None:
            self.cache.keep(folder, (folders, strays, self.diagnostics.items[before:]))
        return folders, strays

    def load_issue(self, folder: Path, publication: Publication, result: LoadedContent) -> None:
        """Load the issue in ``folder`` and its articles. A preview reuses what it loaded from
        the folder before while none of its files changed, nor the publication's slug or the
        author ids (what else an issue's loading depends on)."""
        context = (publication.slug, self.authors_key)
        self.issue_folders.append(str(folder))
        kept = self.cache.recall(folder) if self.cache is not None else None
        if kept is not None and kept[0] == context:
            _context, issue, articles, problems, identities, bodiless = kept
            if not self.numbers.get((issue.publication, issue.volume, issue.number)):
                self.numbers[(issue.publication, issue.volume, issue.number)] = [issue]
                self.diagnostics.extend(problems)
                result.issues.append(issue)
                result.articles.extend(articles)
                self.identities.update(identities)
                self.bodiless.update(bodiless)
                assert self.cache is not None
                self.cache.reuse_folder(issue.key)
                return
        before, first = len(self.diagnostics.items), len(result.articles)
        issue = self.read_issue(folder, publication, result)
        problems = self.diagnostics.items[before:]
        if self.cache is not None and issue is not None and not any(d.severity == "error" for d in problems):
            articles = result.articles[first:]
            identities = {a.path: self.identities[a.path] for a in articles if a.path in self.identities}
            bodiless = {a.path for a in articles if a.path in self.bodiless}
            self.cache.keep(folder, (context, issue, articles, problems, identities, bodiless))

    def read_issue(self, folder: Path, publication: Publication, result: LoadedContent) -> Issue | None:
        path = folder / "issue.yaml"
        display = self.display(path)
        check = self.read_yaml(path, "issue.yaml")
        check.unknown_keys(ISSUE_KEYS)
        volume = check.integer("volume", required=True)
        number = check.integer("number", required=True)
        date = check.date("date", required=True)
        files = {p.name: p for p in self.markdown_files(folder)}
        order: list[str] = []
        order_lines: list[int] = []
        if "articles" in check.data:
            for name, line in check.text_list("articles"):
                file_name = name if name.endswith(".md") else name + ".md"
                if file_name not in files:
                    moved = self.moved_article(folder, file_name)
                    if moved:
                        check.error(line, f"the issue lists '{name}', but {file_name} is now in another issue's folder, {moved}", "remove it from this issue's 'articles' list")
                    else:
                        check.error(line, f"the issue lists '{name}' but the folder has no {file_name}", suggest(file_name, files, "check the file name"))
                elif file_name in order:
                    check.error(line, f"'{name}' is listed twice", "remove one of them")
                else:
                    order.append(file_name)
                    order_lines.append(line)
            for name in sorted(set(files) - set(order)):
                check.error(check.line("articles"), f"{name} is in the issue folder but not in 'articles'", "add it to the list, or set 'draft: true' in it and list it anyway")
        else:
            order = sorted(files)
            order_lines = [0] * len(order)
        key = self.display(folder)
        if volume is None or number is None or date is None:
            # The issue is unusable (already reported); still check its articles.
            for file_name in order:
                self.load_article(files[file_name], key, result.authors)
            return None
        same = self.numbers.setdefault((publication.slug, volume, number), [])
        for other in same:
            check.error(check.line("number"), f"volume {volume} issue {number} is also {other.location.path}", "correct the volume or issue number")
        issue = Issue(
            key=key,
            publication=publication.slug,
            volume=volume,
            number=number,
            date=date,
            title=check.text("title"),
            order=tuple(order),
            order_lines=tuple(order_lines),
            location=SourceLocation(display, 1),
        )
        same.append(issue)
        result.issues.append(issue)
        for file_name in order:
            article = self.load_article_cached(files[file_name], issue.key, result.authors)
            if article is not None:
                result.articles.append(article)
        return issue

    def moved_article(self, folder: Path, file_name: str) -> str:
        """The folder of another issue of the same publication that holds ``file_name`` ('' if none)."""
        for other in self.child_folders(folder.parent):
            if other != folder and (other / file_name).is_file() and (other / "issue.yaml").is_file():
                return self.display(other) + "/"
        return ""

    # -- articles ----------------------------------------------------------------
    def load_article_cached(self, path: Path, issue_key: str, authors: dict[str, Author]) -> ArticleSource | None:
        """:meth:`load_article`, or what it gave the last time for the same bytes, issue
        and set of author ids (hashing a file costs far less than parsing it)."""
        if self.cache is None:
            return self.load_article(path, issue_key, authors)
        display = self.display(path)
        try:
            digest, status, data = self.cache.digest(display, path)
        except OSError:
            return self.load_article(path, issue_key, authors)  # reports the problem
        context = (digest, issue_key, self.authors_key or self.cache.authors_key(authors))
        self.identities[display] = (display, *context)
        cached = self.cache.lookup(display, context)
        if cached is not None:
            source, problems = cached
            self.diagnostics.extend(problems)
            if source is not None:
                self.bodiless.add(display)
            return source
        before = len(self.diagnostics.items)
        # The bytes just hashed (the file is read once), and without the body: the build holds
        # no article's text. The Markdown stage reads it again where it parses it (a worker
        # process), so that a large archive's text is never all in memory.
        source = self.load_article(path, issue_key, authors, data, with_body=False)
        if source is not None:
            self.bodiless.add(display)
        self.cache.store(display, status, context, source, self.diagnostics.items[before:])
        return source

    def load_article(
        self, path: Path, issue_key: str, authors: dict[str, Author], data: bytes | None = None, with_body: bool = True,
    ) -> ArticleSource | None:
        """The article in the file ``path`` (``data``: its bytes, when they were read already;
        ``with_body=False``: the source's body is left empty)."""
        display = self.display(path)
        try:
            doc = split_front_matter(read_text(path, display, data), display)
        except SourceError as exc:
            self.diagnostics.extend([exc.diagnostic])
            return None
        check = Checker(doc.front_matter, display, self.diagnostics, "the article's front-matter", line=2)
        check.unknown_keys(ARTICLE_KEYS)
        title = check.text("title", required=True)
        slug = check.text("slug")
        if slug:
            if not SLUG.match(slug):
                check.error(check.line("slug"), f"'{slug}' cannot be a slug", "use lowercase letters, digits and hyphens, e.g. winter-training")
        else:
            slug = slugify(_ORDER_PREFIX.sub("", path.stem)) or "article"
        if slug in RESERVED_SLUGS or slug.startswith("volume-"):
            check.error(check.line("slug"), f"the slug '{slug}' is reserved for the site's own pages", "set another 'slug:'")
        author_refs = self.read_authors(check, authors)
        topics = [t for t, _ in check.text_list("topics")]
        image = self.read_image(check)
        notes = self.read_notes(check)
        citations = self.read_citations(check)
        bios = self.read_bios(check, author_refs)
        article_date = check.date("date")
        accepts = self.read_accepted_warnings(check)
        aliases = self.read_aliases(check)
        return ArticleSource(
            path=display,
            file_name=path.name,
            issue_key=issue_key,
            slug=slug,
            title=title,
            authors=tuple(author_refs),
            body=doc.body if with_body else "",
            body_line=doc.body_line,
            summary=tuple(t for t, _ in check.text_list("summary", single_ok=True)),
            image=image,
            topics=tuple(dict.fromkeys(topics)),
            notes=tuple(notes),
            citations=tuple(citations),
            bios=tuple(bios),
            disclaimer=check.text("disclaimer"),
            date=article_date,
            draft=check.boolean("draft"),
            accept_warnings=accepts,
            aliases=aliases,
            lines=tuple((str(k), v) for k, v in check.data.lines.items()),
        )

    def read_aliases(self, check: Checker) -> tuple[tuple[str, int], ...]:
        """``aliases``: the article's earlier addresses, as site-relative paths (``/x/y/`` or
        ``x/y/``; a full URL of the site is not accepted, it may change)."""
        found: list[tuple[str, int]] = []
        for alias, line in check.text_list("aliases", single_ok=True):
            path = alias_path(alias)
            if path is None:
                check.error(
                    line, f"'{alias}' cannot be an alias",
                    "write the old address as a path from the site's root, e.g. /strait-watch/old-slug/",
                )
            elif path not in (p for p, _ in found):
                found.append((path, line))
        return tuple(found)

    def read_accepted_warnings(self, check: Checker) -> tuple[str, ...]:
        """``accept_warnings``: the codes of warnings the article means (each a known code)."""
        codes: list[str] = []
        for code, line in check.text_list("accept_warnings", single_ok=True):
            if code in WARNING_CODES:
                codes.append(code)
            else:
                check.error(line, f"there is no warning with the code '{code}'", suggest(code, WARNING_CODES, "docs/errors.md lists every warning's code"))
        return tuple(dict.fromkeys(codes))

    def read_authors(self, check: Checker, authors: dict[str, Author]) -> list[AuthorRef]:
        if "authors" not in check.data or check.data["authors"] is None:
            check.missing("authors", "add 'authors: [author-id]' naming files in authors/")
            return []
        value = check.data["authors"]
        if isinstance(value, str):
            value_list = LineList()
            value_list.append(value)
            value_list.lines.append(check.line("authors"))
            value_list.raw.append(value)
            value = value_list
        if not isinstance(value, LineList) or not value:
            check.error(check.line("authors"), "'authors' must be a list of author ids", "write 'authors: [jane-doe, john-roe]'")
            return []
        refs: list[AuthorRef] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            line = value.line_of(index)
            if isinstance(item, LineDict):
                sub = Checker(item, check.path, check.diagnostics, "an inline author")
                sub.unknown_keys(INLINE_AUTHOR_KEYS)
                name = sub.text("name", required=True)
                if not name:
                    continue
                inline_id = "inline-" + (slugify(name) or str(index))
                refs.append(AuthorRef(inline_id, line, Author(
                    id=inline_id, name=name, affiliation=sub.text("affiliation"), sort_as=sub.text("sort_as"),
                    bio_md=sub.text("bio"), has_page=False, location=SourceLocation(check.path, line),
                )))
                continue
            if not isinstance(item, str) or not item.strip():
                check.error(line, f"author {index + 1} must be an author id or a mapping with 'name:'", "")
                continue
            author_id = item.strip()
            if author_id not in authors:
                check.error(line, f"unknown author '{author_id}'", suggest(author_id, authors, f"create authors/{author_id}.md, or write the author inline as {{name: ..., bio: ...}}"))
                continue
            if author_id in seen:
                check.error(line, f"author '{author_id}' is listed twice", "remove one of them")
                continue
            seen.add(author_id)
            refs.append(AuthorRef(author_id, line))
        return refs

    def read_image(self, check: Checker) -> LeadImage | None:
        sub = check.sub("image", "'image'")
        if sub is None:
            return None
        sub.unknown_keys(IMAGE_KEYS)
        src = sub.text("src", required=True)
        alt = sub.text("alt")
        if src and not alt:
            sub.error(sub.line("src") if "alt" not in sub.data else sub.line("alt"), "the lead image has no alt text", "add 'alt:' describing the image for readers who cannot see it")
        # Whether the file exists is checked when assembling, with the body's images: what
        # this stage reads depends only on the article file, so it can be cached by its bytes.
        return LeadImage(
            src=src, alt=alt, caption=sub.text("caption"), credit=sub.text("credit"),
            credit_url=sub.url("credit_url"), line=check.line("image"), src_line=sub.line("src"),
        )

    def read_notes(self, check: Checker) -> list[NoteSource]:
        notes = check.mapping("notes")
        if notes is None:
            return []
        result = []
        for label in notes:
            text = notes[label]
            line = notes.line_of(label)
            label_text = key_text(notes, label)
            if not isinstance(text, str) or not text.strip():
                if isinstance(text, (int, float)) and not isinstance(text, bool):
                    text = notes.raw.get(label, str(text))
                else:
                    check.error(line, f"note '{label_text}' must be text", "write the note in quotes after its label")
                    continue
            result.append(NoteSource(label_text, text.strip(), line))
        return result

    def read_citations(self, check: Checker) -> list[CitationEntry]:
        citations = check.mapping("citations")
        if citations is None:
            return []
        result = []
        for key in citations:
            sub = Checker(citations[key], check.path, check.diagnostics, f"citation '{key}'", line=citations.line_of(key))
            sub.unknown_keys(CITATION_KEYS)
            outlet = sub.text("outlet", required=True)
            url = sub.url("url", required=True)
            # Kept even when incomplete (already reported), so that its uses are not
            # reported again as unknown citations.
            result.append(CitationEntry(
                key=key_text(citations, key), outlet=outlet, url=url, date=sub.date("date"),
                title=sub.text("title"), accessed=sub.date("accessed"), line=citations.line_of(key),
            ))
        return result

    def read_bios(self, check: Checker, refs: list[AuthorRef]) -> list[tuple[str, str]]:
        bios = check.mapping("bios")
        if bios is None:
            return []
        ids = [r.id for r in refs]
        result = []
        for key in bios:
            author_id = key_text(bios, key)
            if author_id not in ids:
                check.error(
                    bios.line_of(key), f"'bios' names '{author_id}', who is not an author of this article",
                    suggest(author_id, ids, f"add '{author_id}' to 'authors', or remove the bio: 'bios' changes the bios of the article's own authors only"),
                )
                continue
            text = bios[key]
            if not isinstance(text, str):
                check.error(bios.line_of(key), f"the bio of '{author_id}' must be text", "")
                continue
            result.append((author_id, text.strip()))
        return result


_ALIAS = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@\u00a0-\U0010ffff-]+$")


def alias_path(alias: str) -> str | None:
    """An alias as the output path of its page, ``x/y/`` (or ``x/y.html``); ``None`` when
    it is not a path from the site's root (a URL, ``..``, an empty part, a query...)."""
    from urllib.parse import unquote

    text = unquote(alias.strip()).lstrip("/")  # the published file's name is the decoded path
    if not text or "://" in alias or alias.startswith("//"):
        return None
    parts = text.rstrip("/").split("/")
    if any(p in ("", ".", "..") or not _ALIAS.match(p) or len(p.encode()) > 200 for p in parts):  # a file name's limit
        return None
    if parts[-1].endswith(".html"):
        return "/".join(parts)
    return "/".join(parts) + "/"


def reference_problem(src: str, folder: Path, content: Path) -> tuple[str, str] | None:
    """Why a relative file reference is unusable, or ``None`` when it is fine."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
        return (f"'{src}' is not a file in the content folder", "pages may not load files from other sites; save the file beside the article and use a relative path")
    if src.startswith("/") or "\\" in src:
        return (f"'{src}' is an absolute path", "write the path relative to the article, e.g. images/photo.jpg")
    target = folder / src
    if not is_within(target, content):
        return (f"'{src}' points outside the content folder", "keep files inside the content folder and refer to them by a relative path")
    if not target.is_file():
        names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
        return (f"the file '{src}' does not exist", suggest(src, names, "check the path, relative to the article's folder"))
    return None


#: Above this many article files changed at once, a preview's load looks at every file.
EDITED_LIMIT = 64

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")


def load_content(content: Path, project: Path, diagnostics: Diagnostics, cache: "SourceCache | None" = None) -> LoadedContent:
    """The load stage: read every content file under ``content`` (articles unchanged since
    the last build come from ``cache``)."""
    return Loader(content, project, diagnostics, cache).load()
