"""Writing imported articles into an issue folder: the article files, their images, the
authors they name and the issue's ``issue.yaml``.

Everything is decided before anything is written, and every path is checked to lie inside
the issue folder (or, for new authors, inside ``content/authors/``): names taken from a page
are slugs, never paths, so a hostile page cannot make the importer write elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from bs4 import Tag

from ..errors import Diagnostics, SourceLocation
from ..load import RESERVED_SLUGS, _ORDER_PREFIX, slugify
from ..sources import SourceError, parse_yaml, split_front_matter
from .convert import Block, Converter, number_captions
from .page import Page, Person

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
#: Largest image the importer copies.
MAX_IMAGE_BYTES = 64 * 1024 * 1024


def quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class PlannedFile:
    """A file to write: its path, its bytes, and whether an existing file may be replaced."""

    path: Path
    data: bytes
    replace: bool = False


@dataclass
class Imported:
    """One article converted and ready to write (its front-matter lacks only the date,
    which depends on the issue's date)."""

    origin: str  #: where it came from, as the editor named it (a file, or an export's post)
    page: Page
    slug: str = ""
    file: Path | None = None
    draft: bool = False
    authors: list[str] = field(default_factory=list)  #: author ids
    head: list[str] = field(default_factory=list)  #: front-matter lines up to the date
    tail: list[str] = field(default_factory=list)  #: front-matter lines after the date
    blocks: list[Block] = field(default_factory=list)
    images: list[PlannedFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  #: about the article as a whole

    def render(self, issue_date: dt.date | None) -> tuple[str, list[tuple[int, str]]]:
        """The file's text, and each problem with its line in that text. The date is
        written only when it is not the issue's (an article takes its issue's date)."""
        date = self.page.date
        lines = ["---", *self.head, *([f"date: {date.isoformat()}"] if date and date != issue_date else []), *self.tail, "---", ""]
        problems = [(1, p) for p in self.problems]
        line = len(lines) + 1
        for block in self.blocks:
            problems += [(line, p) for p in block.problems]
            line += block.text.count("\n") + 2
        return "\n".join(lines) + "\n" + "\n\n".join(b.text for b in self.blocks) + "\n", problems


class Authors:
    """The site's authors by name: matched to existing files, or new files to create."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.by_name: dict[str, str] = {}
        self.bios: dict[str, str] = {}  #: id → the bio its file has (or will have)
        self.new: dict[str, PlannedFile] = {}
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                try:
                    document = split_front_matter(path.read_text(encoding="utf-8"), path.name)
                except (OSError, UnicodeDecodeError, SourceError):
                    continue
                if isinstance(document.front_matter, dict) and isinstance(document.front_matter.get("name"), str):
                    self.by_name[normal(document.front_matter["name"])] = path.stem
                    self.bios[path.stem] = document.body.strip()

    def id_for(self, person: Person, bio: str) -> str:
        key = normal(person.name)
        if key in self.by_name:
            author_id = self.by_name[key]
            if bio and author_id in self.new and not self.bios.get(author_id):
                self.new[author_id] = self.author_file(author_id, person, bio)  # the first page with a bio gives it
                self.bios[author_id] = bio
            return author_id
        base = slugify(person.name) or "author"
        author_id, n = base, 2
        while (self.folder / f"{author_id}.md").exists() or author_id in self.new:
            author_id, n = f"{base}-{n}", n + 1
        self.new[author_id] = self.author_file(author_id, person, bio)
        self.by_name[key] = author_id
        self.bios[author_id] = bio
        return author_id

    def author_file(self, author_id: str, person: Person, bio: str) -> PlannedFile:
        lines = ["---", f"name: {quote(person.name)}"]
        if person.affiliation:
            lines.append(f"affiliation: {quote(person.affiliation)}")
        lines += ["---", ""]
        text = "\n".join(lines) + (f"\n{bio}\n" if bio else "")
        return PlannedFile(self.folder / f"{author_id}.md", text.encode("utf-8"))


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


class IssueImport:
    """Imports pages into one issue folder."""

    def __init__(
        self,
        folder: Path,
        publication_slug: str,
        authors: Authors,
        diagnostics: Diagnostics,
        display: Callable[[Path], str],
        uploads: Path | None = None,
        force: bool = False,
    ):
        self.folder = folder
        self.publication_slug = publication_slug
        self.authors = authors
        self.diagnostics = diagnostics
        self.display = display
        self.uploads = uploads
        self.force = force
        self.articles: list[Imported] = []
        self.slugs: set[str] = set()
        self.image_names: dict[str, bytes] = {}  # name in images/ → the bytes planned for it
        self.missing_images: list[tuple[str, str]] = []  # (article file, image address)

    # -- converting ---------------------------------------------------------------------

    def add(self, page: Page, origin: str, page_file: Path | None, slug_hint: str = "", draft: bool = False) -> Imported:
        article = Imported(origin, page, draft=draft)
        article.slug = self.choose_slug(page, slug_hint)
        article.file = self.folder / f"{article.slug}.md"
        self.convert(article, page_file)
        self.articles.append(article)
        return article

    def choose_slug(self, page: Page, hint: str) -> str:
        old = [part for part in urlsplit(page.address).path.split("/") if part]
        candidates = [hint, old[-1].lower() if old else "", slugify(page.title)[:80].strip("-"), "article"]
        for candidate in candidates:
            if candidate and SLUG.match(candidate) and candidate not in RESERVED_SLUGS and not candidate.startswith("volume-"):
                base = candidate
                break
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def convert(self, article: Imported, page_file: Path | None) -> None:
        page = article.page
        problems = article.problems
        note_ids = {note_id: str(i) for i, note in enumerate(page.notes, 1) for note_id in note.ids}
        converter = Converter(page.address, lambda img: self.image_path(article, img, page_file, converter), note_ids, problems.append)
        article.blocks = converter.convert(page.body).blocks
        number_captions(article.blocks)
        if not article.blocks:
            problems.append("found no text in the page's body")

        def blocks_text(tag: Tag | None) -> str:
            if not isinstance(tag, Tag):
                return ""
            inner = converter.blocks(tag)
            problems.extend(p for b in inner for p in b.problems)
            return "\n\n".join(b.text for b in inner)

        notes: dict[str, str] = {}
        for i, note in enumerate(page.notes, 1):
            text = blocks_text(note.content)
            if not text.strip():
                problems.append(f"note {i} of the page is empty; it was left out")
                continue
            notes[str(i)] = text
            if str(i) not in converter.referenced:
                problems.append(f"note {i} is never referred to in the page's text — refer to it with [^{i}] where it belongs, or delete it")
        summary = [converter.inline_text(item) for item in page.summary]
        bios: dict[str, str] = {}
        for person in page.authors:
            bio = blocks_text(person.bio)
            author_id = self.authors.id_for(person, bio)
            article.authors.append(author_id)
            if bio and normal(bio) != normal(self.authors.bios.get(author_id, "")):
                bios[author_id] = bio
        if not article.authors:
            problems.append("the page names no author — write the author ids in 'authors'")
        image = self.lead_image(article, converter, page_file)
        disclaimer = blocks_text(page.disclaimer)

        head = [f"title: {quote(page.title)}", "authors: [" + ", ".join(article.authors) + "]"]
        if article.slug != slugify(_ORDER_PREFIX.sub("", article.slug)):
            head.append(f"slug: {article.slug}")
        tail = []
        if summary:
            tail.append("summary:")
            tail += [f"  - {quote(item)}" for item in summary]
        if image:
            tail.append("image:")
            tail += [f"  {key}: {quote(value)}" for key, value in image.items()]
        if page.topics:
            tail.append("topics: [" + ", ".join(quote(t) for t in page.topics) + "]")
        if notes:
            tail.append("notes:")
            tail += [f"  {label}: {quote(text)}" for label, text in notes.items()]
        if bios:
            tail.append("bios:")
            tail += [f"  {author_id}: {quote(text)}" for author_id, text in bios.items()]
        if disclaimer:
            tail.append(f"disclaimer: {quote(disclaimer)}")
        if article.draft:
            tail.append("draft: true")
        alias = self.old_address(article)
        if alias:
            tail.append(f"aliases: [{quote(alias)}]")
        article.head, article.tail = head, tail

    def lead_image(self, article: Imported, converter: Converter, page_file: Path | None) -> dict[str, str]:
        """The front-matter's ``image`` mapping for the page's lead image."""
        lead = article.page.lead
        if lead is None:
            return {}
        src = self.image_path(article, lead.img, page_file, converter)
        if not src:
            return {}
        image = {"src": src, "alt": re.sub(r"\s+", " ", str(lead.img.get("alt") or "")).strip()}
        if lead.caption is not None:
            caption = converter.inline_text(lead.caption)
            if caption:
                image["caption"] = caption
        if lead.credit:
            image["credit"] = lead.credit
            if urlsplit(lead.credit_url).scheme in ("http", "https"):
                image["credit_url"] = lead.credit_url
        if not image["alt"]:
            article.problems.append("the lead image has no alt text in the page — describe the picture in 'alt'")
        return image

    def old_address(self, article: Imported) -> str:
        """The page's address on the old site, for ``aliases``; empty when there is none, or
        when it is the article's new address (a page of a Brief site)."""
        if not article.page.address:
            return ""
        old = urlsplit(article.page.address)
        if old.path in ("", "/"):
            if old.query:
                article.problems.append(
                    f"the old address '{article.page.address}' is a query, which a static site cannot redirect: it is not recorded in 'aliases'"
                )
            return ""
        if old.path.rstrip("/") == f"/{self.publication_slug}/{article.slug}":
            return ""
        return old.path

    # -- images -------------------------------------------------------------------------

    def image_path(self, article: Imported, img: Tag, page_file: Path | None, converter: Converter) -> str | None:
        """The path ``img`` has in the article (``images/name``), planning the copy; None
        drops the image (an embedded ``data:`` image)."""
        candidates = srcset(img)
        src = str(img.get("src") or img.get("data-src") or "").strip()
        if src:
            candidates.append(src)
        if not candidates:
            converter.problem("an image with no address was dropped")
            return None
        if all(c.lower().startswith("data:") for c in candidates):
            converter.problem("an image embedded in the page as a data: address was dropped — save it as a file and add it by hand")
            return None
        for address in candidates:
            for path in self.local_files(address, page_file):
                data = read_image(path)
                if data is not None:
                    return "images/" + self.plan_image(article, image_name(address, path), data)
        address = next(c for c in candidates if not c.lower().startswith("data:"))
        name = image_name(address, None)
        where = self.display(self.folder / "images" / name)
        self.missing_images.append((self.display(article.file) if article.file else article.origin, address))
        converter.problem(f"the image '{address}' was not found — copy it to {where}")
        return f"images/{name}"

    def local_files(self, address: str, page_file: Path | None) -> list[Path]:
        parts = urlsplit(address)
        if parts.scheme.lower() in ("data", "javascript", "vbscript"):
            return []
        path = unquote(parts.path)
        found: list[Path] = []
        names = [path]
        original = re.sub(r"-\d+x\d+(\.\w+)$", r"\1", path)  # WordPress's resized copies
        if original != path:
            names.insert(0, original)
        for name in names:
            if not parts.scheme and not parts.netloc and page_file is not None:
                found.append(page_file.parent / name)
            if self.uploads is not None:
                marker = name.find("/uploads/")
                relative = name[marker + len("/uploads/"):] if marker >= 0 else name.lstrip("/")
                found.append(self.uploads / relative)
        return found

    def plan_image(self, article: Imported, name: str, data: bytes) -> str:
        stem, suffix = os.path.splitext(name)
        candidate, n = name, 2
        while True:
            existing = self.image_names.get(candidate)
            on_disk = self.folder / "images" / candidate
            if existing is None and on_disk.is_file():
                existing = on_disk.read_bytes()
            if existing is None or existing == data:
                break
            candidate, n = f"{stem}-{n}{suffix}", n + 1
        if candidate not in self.image_names:
            self.image_names[candidate] = data
            article.images.append(PlannedFile(self.folder / "images" / candidate, data, replace=False))
        return candidate

    # -- issue.yaml ---------------------------------------------------------------------

    def issue_file(self, written: list[Imported], volume: int | None = None, number: int | None = None,
                   date: dt.date | None = None, title: str = "") -> tuple[PlannedFile | None, dt.date | None]:
        """``issue.yaml`` (created from what the pages say, or the existing one with the new
        articles added to its ``articles`` list; None when it needs no change), and the
        issue's date."""
        path = self.folder / "issue.yaml"
        names = [a.file.stem for a in written if a.file is not None]
        pages = [a.page for a in self.articles]
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            try:
                data = parse_yaml(text, self.display(path))
            except SourceError:
                data = None
            stated = data.get("date") if isinstance(data, dict) else None
            issue_date = stated if isinstance(stated, dt.date) else None
            if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
                return None, issue_date
            listed = {str(n).removesuffix(".md") for n in data["articles"]}
            new = [n for n in names if n not in listed]
            return (PlannedFile(path, add_to_articles(text, new).encode("utf-8"), replace=True) if new else None), issue_date
        volume = volume or most_common(p.volume for p in pages)
        number = number or most_common(p.number for p in pages)
        date = date or most_common(p.issue_date for p in pages) or most_common(p.date for p in pages)
        title = title or most_common(p.issue_title for p in pages) or ""
        where = self.display(path)
        lines = []
        stated = [("volume", volume, "the volume", "the imported pages do not say the issue's volume"),
                  ("number", number, "the issue number", "the imported pages do not say the issue's number"),
                  ("date", date.isoformat() if date else None, "the issue's date", "the imported pages do not say the issue's date")]
        for line, (key, value, what, message) in enumerate(stated, 1):
            if value:
                lines.append(f"{key}: {value}")
            else:  # a value that brief check rejects, until the editor writes the real one
                lines.append(f"{key}: {'YYYY-MM-DD' if key == 'date' else 0}  # the imported pages do not say {what}: write it here")
                self.diagnostics.warning(SourceLocation(where, line), message, hint="write it in issue.yaml")
        if title:
            lines.append(f"title: {quote(title)}")
        lines.append("articles:")
        lines += [f"  - {n}" for n in names]
        return PlannedFile(path, ("\n".join(lines) + "\n").encode("utf-8")), date


def add_to_articles(text: str, names: list[str]) -> str:
    """``issue.yaml``'s text with ``names`` added at the end of its ``articles`` list."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"^articles\s*:", line))
    flow = re.match(r"^articles\s*:\s*\[(.*)\]\s*$", lines[start])
    if flow:
        items = [x.strip() for x in flow.group(1).split(",") if x.strip()]
        lines[start] = "articles: [" + ", ".join(items + names) + "]"
        return "\n".join(lines)
    end = start + 1
    indent = "  "
    while end < len(lines) and (lines[end].startswith((" ", "-", "\t")) or not lines[end].strip()):
        if lines[end].strip().startswith("- "):
            indent = lines[end][: len(lines[end]) - len(lines[end].lstrip())]
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[:end] + [f"{indent}- {n}" for n in names] + lines[end:])


def most_common(values: Any) -> Any:
    counted = Counter(v for v in values if v)
    if not counted:
        return None
    best = max(counted.values())
    return max(v for v, c in counted.items() if c == best)


def srcset(img: Tag) -> list[str]:
    """The candidates of ``img``'s ``srcset``, widest first."""
    found = []
    for part in str(img.get("srcset") or "").split(","):
        bits = part.strip().split()
        if not bits:
            continue
        width = 0
        if len(bits) > 1 and re.fullmatch(r"\d+w", bits[1]):
            width = int(bits[1][:-1])
        found.append((width, bits[0]))
    return [url for _, url in sorted(found, key=lambda x: -x[0])]


def image_name(address: str, path: Path | None) -> str:
    """A file name for the copy: the original's name, without the size suffixes of
    WordPress (``-300x200``) or of Brief's own variants (``-800``)."""
    name = unquote(urlsplit(address).path).rsplit("/", 1)[-1] or (path.name if path else "image")
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower() if suffix.lower() in IMAGE_SUFFIXES else (path.suffix.lower() if path and path.suffix else ".jpg")
    stem = re.sub(r"-(\d+x\d+|\d{3,4})$", "", stem)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "image"
    return stem[:100] + suffix


def read_image(path: Path) -> bytes | None:
    """The bytes of an image file; None when ``path`` is not a readable image (a page cannot
    make the importer copy any other kind of file)."""
    try:
        if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES or path.stat().st_size > MAX_IMAGE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if path.suffix.lower() == ".svg":
        text = data[:MAX_IMAGE_BYTES].decode("utf-8", "replace").lower()
        if "<svg" not in text or re.search(r"<script|\bon\w+\s*=|javascript:|<foreignobject", text):
            return None
        return data
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:
        return None
    return data


