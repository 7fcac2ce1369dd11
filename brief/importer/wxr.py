"""Reading a WordPress export (WXR, the XML file of Tools → Export): its posts, their
authors, categories, tags, featured images, and the issue each post belongs to.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Tag

from .page import ISSUE_TEXT, LeadImage, Page, PageError, Person, clean, parse, parse_date, take_notes, take_summary

#: Largest export the importer reads.
MAX_EXPORT_BYTES = 1024 * 1024 * 1024
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
#: Post statuses imported as drafts; others than these and "publish" are skipped.
DRAFT_STATUSES = ("draft", "pending", "private", "future")
BLOCK_START = re.compile(r"^\s*<(?:!--|(?:p|div|h[1-6]|ul|ol|li|blockquote|table|figure|pre|hr|dl|section|img)\b)", re.I)
SHORTCODE = re.compile(r"\[(/?)([a-z][\w-]*)((?:\s+[^\]]*)?)\]", re.I)
KNOWN_SHORTCODES = frozenset({"caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist", "footnote", "ref", "efn_note"})


class ExportError(Exception):
    """The file is not a WordPress export the importer can read."""


@dataclass
class Post:
    """One post of the export, with what grouping it into an issue needs."""

    id: str
    page: Page
    slug: str
    status: str
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_export(path: Path) -> tuple[list[Post], list[str]]:
    """The posts of a WordPress export, in the order of the file, and a message for each
    post that cannot be read (the others are still imported)."""
    from lxml import etree

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExportError(f"cannot read the WordPress export: {exc.strerror or exc}") from exc
    if size > MAX_EXPORT_BYTES:
        raise ExportError(f"the WordPress export is {size // (1024 * 1024)} MiB, larger than the {MAX_EXPORT_BYTES // (1024 * 1024)} MiB limit")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise ExportError(f"cannot read the WordPress export: {exc}") from exc
    except OSError as exc:
        raise ExportError(f"cannot read the WordPress export: {exc.strerror or exc}") from exc
    channel = root.find("channel")
    wp = next((uri for uri in (root.nsmap or {}).values() if uri and re.match(r"^https?://wordpress\.org/export/\d[.\d]*/?$", uri)), None)
    if root.tag != "rss" or channel is None or wp is None:
        raise ExportError("this is not a WordPress export (it has no <rss><channel> with the wp: namespace)")
    W = "{" + wp + "}"
    excerpt_ns = wp.rstrip("/") + "/excerpt/"

    def text(element: object, tag: str) -> str:
        found = element.find(tag)  # type: ignore[attr-defined]
        return (found.text or "").strip() if found is not None else ""

    authors: dict[str, str] = {}
    for author in channel.findall(f"{W}author"):
        login = text(author, f"{W}author_login")
        name = text(author, f"{W}author_display_name") or " ".join(
            x for x in (text(author, f"{W}author_first_name"), text(author, f"{W}author_last_name")) if x
        )
        if login:
            authors[login] = name or login
    attachments: dict[str, tuple[str, str, str]] = {}  # id → (url, alt, caption)
    items = channel.findall("item")
    for item in items:
        if text(item, f"{W}post_type") == "attachment":
            meta = {text(m, f"{W}meta_key"): text(m, f"{W}meta_value") for m in item.findall(f"{W}postmeta")}
            attachments[text(item, f"{W}post_id")] = (
                text(item, f"{W}attachment_url"), meta.get("_wp_attachment_image_alt", ""), text(item, "{" + excerpt_ns + "}encoded"),
            )
    posts: list[Post] = []
    failures: list[str] = []
    for item in items:
        if text(item, f"{W}post_type") != "post":
            continue
        status = text(item, f"{W}status") or "publish"
        if status != "publish" and status not in DRAFT_STATUSES:
            continue
        post_id = text(item, f"{W}post_id") or str(len(posts) + 1)
        meta = {text(m, f"{W}meta_key"): text(m, f"{W}meta_value") for m in item.findall(f"{W}postmeta")}
        categories = [(c.text or "").strip() for c in item.findall("category") if c.get("domain") == "category"]
        tags = [(c.text or "").strip() for c in item.findall("category") if c.get("domain") == "post_tag"]
        login = text(item, DC_CREATOR)
        names = [authors.get(login, login)] if login else []
        names += [v for k, v in meta.items() if k in ("coauthor", "co_author", "_coauthor") and v]
        problems: list[str] = []
        content = text(item, CONTENT)
        try:
            soup = parse("<html><body>" + autop(content, problems) + "</body></html>") if content.strip() else None
        except PageError as exc:
            failures.append(f"post {post_id}: {exc}")
            continue
        body = soup.body if soup is not None else None
        if soup is None or not isinstance(body, Tag):
            soup = BeautifulSoup("<html><body><p></p></body></html>", "lxml")
            body = soup.body
        assert isinstance(body, Tag)
        for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
            comment.extract()
        summary = take_summary(soup, body)
        notes = take_notes(soup, body)
        clean(body)
        if not summary:
            excerpt = text(item, "{" + excerpt_ns + "}encoded")
            if excerpt:
                summary = [BeautifulSoup(f"<p>{excerpt}</p>", "lxml").p]  # type: ignore[list-item]
        lead = None
        thumbnail = attachments.get(meta.get("_thumbnail_id", ""))
        if thumbnail and thumbnail[0]:
            holder = BeautifulSoup("<figure><img><figcaption></figcaption></figure>", "lxml")
            img = holder.find("img")
            assert isinstance(img, Tag)
            img["src"], img["alt"] = thumbnail[0], thumbnail[1]
            caption = holder.find("figcaption")
            assert isinstance(caption, Tag)
            caption.append(BeautifulSoup(thumbnail[2], "lxml").get_text(" ").strip() if thumbnail[2] else "")
            lead = LeadImage(img, caption if thumbnail[2] else None)
        date = parse_date(text(item, f"{W}post_date")) or parse_date(text(item, "pubDate")[5:16]) if text(item, f"{W}post_date") or text(item, "pubDate") else None
        title = html.unescape(text(item, "title"))
        if not title:
            problems.append("the post has no title — write one in 'title'")
            title = f"Untitled post {post_id}"
        page = Page(
            title=title, authors=[Person(n) for n in dict.fromkeys(names)], date=date, body=body,
            address=text(item, "link") or text(item, "guid"), summary=summary, notes=notes, lead=lead,
            topics=[t for t in dict.fromkeys(categories + tags) if t.lower() not in ("uncategorized", "uncategorised")],
        )
        posts.append(Post(post_id, page, text(item, f"{W}post_name"), status, categories, tags, meta, problems))
    if not posts and not failures:
        raise ExportError("the WordPress export holds no posts")
    return posts, failures


def autop(content: str, problems: list[str]) -> str:
    """WordPress's stored post text as HTML: blank lines make paragraphs, single line breaks
    ``<br>`` (as WordPress shows them), and the ``[caption]`` shortcode a figure."""
    content = re.sub(
        r"\[caption([^\]]*)\](.*?)\[/caption\]",
        lambda m: caption_figure(m.group(2)),
        content,
        flags=re.S | re.I,
    )
    for match in SHORTCODE.finditer(content):
        name = match.group(2).lower()
        if name in KNOWN_SHORTCODES or match.group(3).strip() or match.group(1):
            message = f"the shortcode [{name}] is not understood: it was kept as text — rewrite it in Markdown"
            if message not in problems:
                problems.append(message)
    chunks = re.split(r"\n\s*\n", content.replace("\r\n", "\n"))
    out = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\n", "<br>\n", chunk.strip()) + "</p>")
    return "\n".join(out)


def caption_figure(inner: str) -> str:
    match = re.match(r"\s*((?:<a\b[^>]*>)?\s*<img\b[^>]*>\s*(?:</a>)?)(.*)$", inner, re.S | re.I)
    if not match:
        return inner
    return f"<figure>{match.group(1)}<figcaption>{match.group(2).strip()}</figcaption></figure>"


def issue_of(post: Post, source: str, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """The volume and issue a post states, read from ``source``: ``category``, ``tag``,
    ``field:KEY`` (one custom field holding both) or ``field:VOLUME_KEY,NUMBER_KEY``;
    ``auto`` tries categories, tags, then the fields ``volume`` and ``issue``."""
    texts: list[str] = []
    if source in ("auto", "category"):
        texts += post.categories
    if source in ("auto", "tag"):
        texts += post.tags
    if source.startswith("field:"):
        keys = source[len("field:"):].split(",")
        if len(keys) == 2:
            volume, number = post.fields.get(keys[0].strip(), ""), post.fields.get(keys[1].strip(), "")
            if volume.strip().isdigit() and number.strip().isdigit():
                return int(volume), int(number)
            return None
        texts.append(post.fields.get(keys[0].strip(), ""))
    for value in texts:
        match = pattern.search(value)
        if match:
            groups = match.groupdict()
            volume = groups.get("volume") or match.group(1)
            number = groups.get("number") or match.group(2)
            return int(volume), int(number)
    if source == "auto":
        volume, number = post.fields.get("volume", ""), post.fields.get("issue", "") or post.fields.get("number", "")
        if volume.strip().isdigit() and number.strip().isdigit():
            return int(volume), int(number)
    return None


def group_posts(posts: list[Post], source: str, pattern: re.Pattern[str] | None) -> dict[tuple[int, int] | dt.date, list[Post]]:
    """Posts by the issue they state, or, when they state none (or ``source`` is ``date``),
    by their publication date."""
    pattern = pattern or ISSUE_TEXT
    groups: dict[tuple[int, int] | dt.date, list[Post]] = {}
    for post in posts:
        key: tuple[int, int] | dt.date | None = None if source == "date" else issue_of(post, source, pattern)
        if key is None:
            key = post.page.date or dt.date(1970, 1, 1)
        groups.setdefault(key, []).append(post)
    return groups
