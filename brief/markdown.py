"""The Markdown stage: an article's body, notes and front-matter text → HTML.

markdown-it-py in its CommonMark preset plus pipe tables, with raw HTML off
unless the site turns it on (then the result is sanitised with nh3), and our
plugins from :mod:`brief.mdplugins`: endnotes, citations and sources,
captions, Chinese runs, safe links; and :mod:`brief.mdplugins.speedups`,
faster equivalents of markdown-it's slowest steps (same output).

:func:`render_article` is a pure function of an
:class:`~brief.model.ArticleSource` and the issue date: it reads no files, so
the pipeline can run it in worker processes. Images are left as
``<!--brief-image:N-->`` markers (N indexes ``ArticleContent.images``) for the
render stage, which knows where each image is published.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import unicodedata
from typing import Any

import nh3
from markupsafe import Markup
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from .errors import Diagnostic, SourceLocation, report
from .mdplugins.captions import captions_plugin
from .mdplugins.chinese import chinese_plugin, mark_text
from .mdplugins.citations import citations_plugin
from .mdplugins.limits import limits_plugin
from .mdplugins.links import links_plugin
from .mdplugins.notes import notes_plugin
from .mdplugins.pagelinks import LINK_MARKER, pagelinks_plugin
from .mdplugins.rawhtml import SAFE_ATTRIBUTES, SAFE_TAGS, URL_SCHEMES, rawhtml_plugin, report_html_tags, report_removed_html
from .mdplugins.references import References, reference_problems, references_plugin
from .mdplugins.speedups import speedups_plugin
from .mdplugins.tablelayout import tablelayout_plugin
from .mdplugins.tables import tables_plugin
from .model import ArticleContent, ArticleSource, Heading, ImageUse, Note, NoteSource, PageLink

IMAGE_MARKER = re.compile(r"<!--brief-image:(\d+)-->")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f'’-]+|[\u3400-\u9fff]")

@functools.lru_cache(maxsize=2)
def make_markdown(raw_html: bool = False) -> MarkdownIt:
    """The configured parser (one per process and setting)."""
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False, "linkify": False})
    md.enable("table")
    if not raw_html:
        md.disable(["html_block", "html_inline"])  # they match nothing when raw HTML is off
    md.core.ruler.at("inline", parse_inline_with_lines)
    md.use(notes_plugin)
    md.use(citations_plugin)
    md.use(links_plugin)  # after citations: its core rule goes first, so sources never see unsafe links
    md.use(pagelinks_plugin)  # after safe_links, before sources: links to this site are not sources
    md.use(captions_plugin)
    md.use(tables_plugin)
    md.use(tablelayout_plugin)  # a core rule: labels cells and counts columns for the phone layout
    md.use(limits_plugin)
    md.use(rawhtml_plugin)
    md.use(references_plugin)
    md.use(chinese_plugin)
    md.add_render_rule("image", render_image_marker)
    md.add_render_rule("th_open", render_cell_open)
    md.add_render_rule("td_open", render_cell_open)
    md.add_render_rule("html_block", render_raw_html)
    md.add_render_rule("html_inline", render_raw_html)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=heading_id)
    md.use(speedups_plugin)  # last: it reads which rules are active
    return md


#: Ids the page itself uses; a heading whose text would give one of them is prefixed.
_RESERVED_ID = re.compile(r"^(?:(?:table|figure|note|noteref)-\d+.*|.*-heading|.*-caption|main|article-title)$")


def heading_id(text: str) -> str:
    """A heading's id, for links to a section: its words, lowercased and joined by hyphens
    (Chinese characters kept)."""
    slug = re.sub(r"[^\w\s-]", "", text.strip().lower())
    slug = re.sub(r"[\s_]+", "-", slug).strip("-") or "section"
    return f"s-{slug}" if _RESERVED_ID.match(slug) else slug


def render_raw_html(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Raw HTML (when the site allows it) minus anything that looks like our image or link
    markers, which later stages would otherwise resolve (or fail on)."""
    return LINK_MARKER.sub("", IMAGE_MARKER.sub("", tokens[idx].content))


_ALIGN = re.compile(r"^text-align:(left|center|right)$")


def render_cell_open(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """A table cell, aligned by class: pages ship a CSP that forbids inline styles, so
    markdown-it's ``style="text-align:..."`` would be ignored (the stylesheet styles ``align-*``)."""
    token = tokens[idx]
    match = _ALIGN.match(str(token.attrs.get("style", "")))
    if match:
        del token.attrs["style"]
        token.attrs["class"] = f"align-{match.group(1)}"
    return self.renderToken(tokens, idx, options, env)


def parse_inline_with_lines(state: StateCore) -> None:
    """The core ``inline`` rule, telling inline rules which file line they are on."""
    env = state.env
    body_line = env.get("_body_line", 1)
    line = body_line
    for token in state.tokens:
        if token.type == "inline":
            if token.map:
                line = body_line + token.map[0]
            env["_line"] = line
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, env, token.children)


def render_image_marker(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    images: list[ImageUse] = env.setdefault("images", [])
    alt = self.renderInlineAsText(token.children or [], options, env)
    line = token.meta.get("line") or env.get("_line", 1)
    images.append(ImageUse(str(token.attrs.get("src", "")), line, alt.strip(), str(token.attrs.get("title", "") or "")))
    return f"<!--brief-image:{len(images) - 1}-->"


def _image_lines(tokens: list[Token], env: dict[str, Any]) -> None:
    """Give each image token that lacks one the line of its paragraph (rendering runs after
    parsing; the wrapped ``image`` rule of :mod:`brief.mdplugins.links` records the exact line)."""
    body_line = env.get("_body_line", 1)
    for token in tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "image":
                    child.meta.setdefault("line", body_line + (token.map[0] if token.map else 0))


def sanitize(html: str) -> str:
    """Clean HTML with nh3 (ammonia): only safe tags, attributes and URL schemes survive."""
    return nh3.clean(
        html,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes={*URL_SCHEMES, "brief-link"},  # our link markers (raw HTML has none)
        strip_comments=False,
        link_rel="noopener noreferrer",
    )


def _render(md: MarkdownIt, text: str, env: dict[str, Any], line: int, inline: bool = False) -> str:
    env["_body_line"] = line
    env["_line"] = line
    tokens = md.parseInline(text, env) if inline else md.parse(text, env)
    _image_lines(tokens, env)
    html = md.renderer.render(tokens, md.options, env)
    if md.options["html"]:
        html = sanitize(html)
    return html


def _side_env(env: dict[str, Any]) -> dict[str, Any]:
    """An env for text that is not body or notes: its links are not sources."""
    return {
        "citations": env["citations"],
        "issue_date": env["issue_date"],
        "diagnostics": env["diagnostics"],
        "zh_default": env.get("zh_default"),
        "used_citations": env["used_citations"],
        "images": [],
        "note_refs": [],
        "base_url": env["base_url"],
        "page_links": env["page_links"],
        "external_links": env["external_links"],
        "own_anchors": [],  # shown on other pages too (a summary in lists): not checked
        "html_tags": env["html_tags"],
        "html_removed": env["html_removed"],
        "references": References(),
        "duplicate_refs": [],
    }


def render_article(
    source: ArticleSource, issue_date: dt.date, raw_html: bool = False, base_url: str = ""
) -> tuple[ArticleContent, list[Diagnostic]]:
    """Render one article's Markdown. Returns its content and the problems found.

    ``base_url`` is the site's: links to it are links between pages, not sources."""
    md = make_markdown(raw_html)
    env: dict[str, Any] = {
        "citations": {c.key: c for c in source.citations},
        "issue_date": issue_date,
        "diagnostics": [],
        "sources": {},
        "figures": [],
        "images": [],
        "used_citations": set(),  # shared with the notes' envs: a key cited only in a note is used
        "base_url": base_url,
        # shared with the notes' and side texts' envs: one numbering of links for the article
        "page_links": [],
        "external_links": [],
        "own_anchors": [],
        "html_tags": [],  # shared with the notes' and the front-matter's: one warning for the file
        "html_removed": [],  # the same, for what the sanitiser removes when raw HTML is on
        "references": References(),  # link definitions, shared with the notes'
        "duplicate_refs": [],
    }
    env["_body_line"] = source.body_line
    tokens = md.parse(source.body, env)
    _image_lines(tokens, env)
    headings = [str(t.attrs["id"]) for t in tokens if t.type == "heading_open" and "id" in t.attrs]

    definitions = _note_definitions(source.notes, env.get("note_defs", []), env)
    numbers = _number_notes(definitions, env.get("note_refs", []), env)
    env["note_numbers"] = numbers
    body_html = md.renderer.render(tokens, md.options, env)
    if raw_html:
        body_html = sanitize(body_html)

    notes: list[Note] = []
    ref_counts: dict[str, int] = {}
    for label, _line in env.get("note_refs", []):
        ref_counts[label] = ref_counts.get(label, 0) + 1
    for label, number in sorted(numbers.items(), key=lambda item: item[1]):
        note = definitions[label]
        note_env = {**env, "note_refs": [], "note_defs": [], "figures": []}
        html = _render(md, note.text, note_env, note.line)
        for ref_label, ref_line in note_env["note_refs"]:
            report(env, ref_line, f"note '{label}' refers to note '{ref_label}'", "notes cannot refer to other notes; cite the source in the note itself")
        if note_env["note_defs"]:
            report(env, note.line, f"note '{label}' contains a note definition", "define each note on its own")
        notes.append(Note(number, label, _with_backlinks(html, number, ref_counts.get(label, 1)), ref_counts.get(label, 1)))

    side = _side_env(env)
    summary_html = tuple(_render(md, item, side, source.line_of("summary"), inline=True) for item in source.summary)
    disclaimer_html = _render(md, source.disclaimer, side, source.line_of("disclaimer")) if source.disclaimer else ""
    bios_html = tuple((author_id, _render(md, text, side, source.line_of("bios"))) for author_id, text in source.bios)
    for ref in source.authors:
        # An inline author's bio is rendered with the site's authors; its HTML is told here, with the rest.
        if ref.inline is not None and "<" in ref.inline.bio_md:
            bio_env = {**side, "diagnostics": [], "images": [], "note_refs": [], "references": References(), "duplicate_refs": []}
            md.parse(ref.inline.bio_md, {**bio_env, "_body_line": ref.inline.location.line})
    caption_html = ""
    if source.image is not None and source.image.caption:
        caption_html = _render(md, source.image.caption, side, source.image.line, inline=True)

    for label, line in side["note_refs"]:
        report(env, line, f"note [^{label}] is referred to outside the body", "note references belong in the article's text, not in the summary, caption, bios or disclaimer")
    for used in side["images"]:
        report(env, used.line, f"the image '{used.src}' cannot be shown here", "images go in the body; the lead image goes under 'image:'")
    for used in env["images"]:
        if not used.alt:
            report(env, used.line, f"the image '{used.src}' has no alt text", "write a description between the brackets: ![A chart of ...](" + used.src + ")")
    _report_html_tags(env)
    _report_references(env, env)
    _report_references(side, env)
    used_citations = env.get("used_citations", set())
    for entry in source.citations:
        if entry.key not in used_citations:
            report(env, entry.line, f"citation '{entry.key}' is never cited", f"cite it in the text as [@{entry.key}] or remove it", "warning", "unused-citation")

    summary_text = tuple(Markup(item).striptags() for item in summary_html)
    if summary_html:
        teaser_html, description = summary_html[0], summary_text[0]
    else:
        description = excerpt(first_paragraph_text(md, tokens, env))
        teaser_html = str(mark_text(description)) if description else ""

    sections = section_headings(md, tokens, env)
    content = ArticleContent(
        body_html=body_html,
        summary_html=summary_html,
        notes=tuple(notes),
        sources=tuple(env["sources"].values()),
        figures=tuple(env["figures"]),
        images=tuple(env["images"]),
        disclaimer_html=disclaimer_html,
        bios_html=bios_html,
        image_caption_html=caption_html,
        word_count=len(_WORD.findall(source.body)),
        links=tuple(env["page_links"]),
        anchors=tuple(dict.fromkeys([
            *headings, *(f.anchor for f in env["figures"]), *(f"note-{n.number}" for n in notes),
        ])),
        external_links=tuple(env["external_links"]),
        own_anchors=tuple(env["own_anchors"]),
        summary_text=summary_text,
        teaser_html=teaser_html,
        description=description,
        headings=sections,
    )
    diagnostics = [
        Diagnostic(SourceLocation(source.path, line), message, hint, severity, code)
        for line, message, hint, severity, code in env["diagnostics"]
    ]
    return content, diagnostics


def section_headings(md: MarkdownIt, tokens: list[Token], env: dict[str, Any]) -> tuple[Heading, ...]:
    """The body's headings that have an id (``##`` to ``####``), each with its plain text
    (without note references), for the article's contents list."""
    found = []
    renderer: RendererHTML = md.renderer  # type: ignore[assignment]
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and "id" in token.attrs:
            children = [child for child in tokens[index + 1].children or [] if child.type not in ("note_ref", "image")]
            text = " ".join(Markup(renderer.renderInline(children, md.options, env)).striptags().split())
            found.append(Heading(int(token.tag[1]), str(token.attrs["id"]), text))
    return tuple(found)


def first_paragraph_text(md: MarkdownIt, tokens: list[Token], env: dict[str, Any]) -> str:
    """The plain text of the body's first paragraph that has any (not one inside a
    quotation, list, table or figure), without note references and images."""
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and depth == 0 and not token.hidden:
            children = [
                child for child in tokens[index + 1].children or []
                if child.type != "note_ref" and child.type != "image"
            ]
            renderer: RendererHTML = md.renderer  # type: ignore[assignment]
            text = Markup(renderer.renderInline(children, md.options, env)).striptags()
            if text:
                return text
        if token.block:
            depth += token.nesting
    return ""


#: Where a sentence may end: full stops, question and exclamation marks (Western and
#: CJK), with the closing quotation marks and brackets after them.
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f]+[\"'\u201d\u2019\u300d\u300f\uff09)\]]*")
_CJK_END = frozenset("\u3002\uff01\uff1f")
#: Words a full stop follows without ending the sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt cmdr adm sgt rep sen gov pres st jr sr no nos vol vols fig figs "
    "jan feb mar apr jun jul aug sep sept oct nov dec vs approx dept est cf al e.g i.e".split()
)
_NEXT_CHARACTER = re.compile(r"\s*(\S)")
_INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")
#: How long a teaser or description may be, in the width of Latin letters (a CJK
#: character counts as two).
EXCERPT_WIDTH = 240


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def sentence_ends(text: str) -> list[int]:
    """The positions just after each sentence end in ``text``."""
    ends = []
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group(0)[0] in _CJK_END:
            ends.append(end)
            continue
        if end < len(text):
            if not text[end].isspace():
                continue
            next_word = _NEXT_CHARACTER.match(text, end)
            following = next_word.group(1) if next_word else ""
            if following and not (following.isupper() or following.isdigit() or following in "\"'\u201c\u2018([" or _width(following) == 2):
                continue
        if match.group(0)[0] == ".":
            words = text[: match.start()].rsplit(None, 1)
            word = words[-1].lower().lstrip("(\"'\u201c\u2018[") if words else ""
            if word in _ABBREVIATIONS or (word and _INITIALS.fullmatch(word)):
                continue
        ends.append(end)
    return ends


def excerpt(text: str, width: int = EXCERPT_WIDTH) -> str:
    """The start of ``text`` for a teaser: as many whole sentences as fit in ``width``
    (at least one); a first sentence that is longer is cut between words (or between
    CJK characters) and ends with an ellipsis."""
    text = " ".join(text.split())
    fits = 0  # how many characters fit in the width
    used = 0
    for char in text:
        used += _width(char)
        if used > width:
            break
        fits += 1
    else:
        return text
    best = 0
    for end in sentence_ends(text):
        if end > fits:
            break
        best = end
    if best:
        return text[:best].rstrip()
    cut = text[: fits - 1]
    space = max(cut.rfind(" "), *(cut.rfind(mark) + 1 for mark in "\uff0c\u3001\uff1b"))
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:(\u2014\u2013-\uff0c\u3001\uff1b") + "\u2026"


def _report_references(parsed: dict[str, Any], env: dict[str, Any]) -> None:
    """Warnings for the link definitions of ``parsed`` that show nowhere (into ``env``)."""
    for line, message, hint, code in reference_problems(parsed):
        report(env, line, message, hint, "warning", code)


def _report_html_tags(env: dict[str, Any]) -> None:
    """One warning for the HTML tags typed anywhere in a file while raw HTML is off, and
    one for what the sanitiser removes while it is on."""
    shown = report_html_tags(env["html_tags"])
    if shown is not None:
        report(env, *shown, "warning", "raw-html")
    removed = report_removed_html(env["html_removed"])
    if removed is not None:
        report(env, *removed, "warning", "html-removed")


def _note_definitions(front: tuple[NoteSource, ...], body: list[NoteSource], env: dict[str, Any]) -> dict[str, NoteSource]:
    definitions: dict[str, NoteSource] = {}
    for note in [*front, *body]:
        if note.label in definitions:
            first = definitions[note.label]
            report(env, note.line, f"note '{note.label}' is defined twice (first on line {first.line})", "give each note its own label, or remove one definition")
            continue
        if not note.text:
            report(env, note.line, f"note '{note.label}' is empty", "write the note's text after its label")
        definitions[note.label] = note
    return definitions


def _number_notes(definitions: dict[str, NoteSource], refs: list[tuple[str, int]], env: dict[str, Any]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for label, line in refs:
        if label not in definitions:
            report(env, line, f"note [^{label}] is referred to but never defined", f"add '{label}: ...' under 'notes:' in the front-matter, or a line '[^{label}]: ...' in the body")
            continue
        if label not in numbers:
            numbers[label] = len(numbers) + 1
    for label, note in definitions.items():
        if label not in numbers:
            report(env, note.line, f"note '{label}' is never referred to", f"add [^{label}] where it belongs in the text, or remove the note")
    return numbers


def _with_backlinks(html: str, number: int, count: int) -> str:
    links = " ".join(
        f'<a href="#noteref-{number}{"" if k == 1 else f"-{k}"}" role="doc-backlink" '
        f'aria-label="Back to reference {number}{"" if count == 1 else f" ({k})"}">↩︎</a>'
        for k in range(1, count + 1)
    )
    html = html.rstrip()
    if html.endswith("</p>"):
        return html[:-4] + " " + links + "</p>"
    return html + f"<p>{links}</p>"


def resolve_image_path(article_path: str, src: str) -> str:
    """The content-relative path of an image an article names (``posix``)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(article_path), src))


def render_text(
    text: str, path: str, line: int, reference: dt.date, raw_html: bool = False, base_url: str = "",
    links: list[PageLink] | None = None,
) -> tuple[str, list[Diagnostic]]:
    """Render Markdown that is not an article body (an author's bio): no notes, no sources.

    ``reference`` is the date the year rule counts from (the newest issue's). Links to
    other pages are appended to ``links`` (their markers index it).
    """
    md = make_markdown(raw_html)
    env: dict[str, Any] = {
        "citations": {}, "issue_date": reference, "diagnostics": [], "images": [], "base_url": base_url,
        "page_links": links if links is not None else [],
        "html_tags": [], "html_removed": [], "references": References(), "duplicate_refs": [],
    }
    html = _render(md, text, env, line)
    _report_html_tags(env)
    _report_references(env, env)
    problems = [Diagnostic(SourceLocation(path, ln), msg, hint, sev, code) for ln, msg, hint, sev, code in env["diagnostics"]]
    if env.get("note_refs"):
        problems.append(Diagnostic(SourceLocation(path, line), "a bio cannot have notes", "write the text without [^label] references"))
    if env["images"]:
        problems.append(Diagnostic(SourceLocation(path, line), "a bio cannot show images", "remove the image from the bio"))
    return html, problems
