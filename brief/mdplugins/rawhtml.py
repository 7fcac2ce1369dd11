"""HTML typed into Markdown: found, so that an editor is told once per file.

* **Raw HTML off** (the default). ``<b>``, ``<br>`` or ``<sup>`` pasted from
  a CMS is shown on the page as typed, tags and all. The core rule finds such
  tags in the text (never in code, never an autolink such as
  ``<https://example.org>``, never an escaped ``\\<b>`` or ``&lt;b&gt;``) and
  records each as ``(line, tag)`` in ``env["html_tags"]``, a list the caller
  sets up and shares between the parts of one file (body, notes, summary,
  caption, bios); :mod:`brief.markdown` turns the list into one warning per
  file, at the first tag, with a hint for writing the same in Markdown.
  A tag is an HTML element's name in markdown-it's own syntax of an open or
  close tag, or an HTML comment (which an editor expects to be hidden, and is
  not); ``List<String>`` or ``<T>`` are not HTML elements and are left alone.

* **Raw HTML on** (``raw_html: true``). The page keeps only :data:`SAFE_TAGS`,
  :data:`SAFE_ATTRIBUTES` and web, mail and relative addresses; nh3 removes
  the rest without a word. The same rule records, in ``env["html_removed"]``,
  each tag the sanitiser will change and what it takes out, for one warning
  per file.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.html_blocks import block_names
from markdown_it.common.html_re import close_tag, comment, open_tag
from markdown_it.rules_core import StateCore

from .lines import inline_children

#: Elements that are not block-level (markdown-it lists those) but are pasted all the same.
INLINE_NAMES = (
    "a", "abbr", "audio", "b", "bdi", "bdo", "big", "br", "button", "canvas", "cite", "code", "data", "del",
    "dfn", "em", "embed", "font", "i", "img", "input", "ins", "kbd", "label", "mark", "math", "meter",
    "nobr", "object", "picture", "q", "s", "samp", "script", "select", "small", "source", "span",
    "strike", "strong", "style", "sub", "sup", "svg", "template", "textarea", "time", "tt", "u", "var",
    "video", "wbr",
)
ELEMENTS = frozenset(block_names) | frozenset(INLINE_NAMES)
#: A tag, a whole comment, or the start of a comment that runs over several lines.
TAG = re.compile(f"{comment}|{open_tag}|{close_tag}|<!--")
_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


#: Tags and attributes raw HTML may keep when a site allows it (plus what our plugins emit).
SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
SAFE_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title", "role", "aria-label", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "data-label"},  # data-label, data-columns: the phone layout of our tables
    "div": {"data-columns"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}


#: The URL schemes raw HTML may keep in ``href`` and ``src`` (relative URLs are kept too).
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Elements whose content the sanitiser removes with them (nh3's default).
CONTENT_REMOVED = frozenset({"script", "style"})
_ATTRIBUTE = re.compile(r"""\s([a-zA-Z_:][a-zA-Z0-9:._-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^"'=<>`\x00-\x20]+))?""")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def rawhtml_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "html_as_text", find_html_tags)


def html_tags_in(text: str) -> list[str]:
    """The HTML tags (and comments) in ``text``, as typed."""
    found = []
    for match in TAG.finditer(text):
        tag = match.group(0)
        name = _NAME.match(tag)
        if tag.startswith("<!--") or (name is not None and name.group(1).lower() in ELEMENTS):
            found.append(tag)
    return found


def find_html_tags(state: StateCore) -> None:
    if "<" not in state.src:
        return
    if state.md.options["html"]:
        find_removed_html(state)
        return
    env = state.env
    found: list[tuple[int, str]] | None = env.get("html_tags")
    if found is None:
        return
    for line, child in inline_children(state.tokens, env.get("_body_line", 1), "<"):
        if child.type == "text" and "<" in child.content:
            found.extend((line, tag) for tag in html_tags_in(child.content))


#: How to write what an element did in Markdown, by element.
_MARKDOWN = {
    ("b", "strong"): "make text bold with two asterisks on each side: **text**",
    ("i", "em", "cite"): "make text italic with one asterisk on each side: *text*",
    ("br",): "end a line with a backslash (\\) for a line break, or leave a blank line for a new paragraph",
    ("sup",): "write a note as [^1] with its text under 'notes:' (Brief numbers notes itself); other superscripts cannot be written in Markdown",
    ("a",): "write a link as [text](https://example.org/page)",
    ("h1", "h2", "h3", "h4", "h5", "h6"): "start a heading's line with ## (or ### for a smaller one)",
    ("ul", "ol", "li"): "start each list item's line with '- ' (or '1. ')",
    ("table", "thead", "tbody", "tr", "td", "th"): "write a table with | between cells and a |---|---| row under the header",
    ("img",): "show an image with ![description](images/file.png)",
    ("blockquote",): "start each quoted line with '> '",
    ("code", "kbd", "samp", "tt"): "put code between backticks: `code`",
    ("!--",): "remove the comment: Markdown has no hidden text, and a comment shows on the page",
}
_HINTS = {name: hint for names, hint in _MARKDOWN.items() for name in names}


def report_html_tags(found: list[tuple[int, str]]) -> tuple[int, str, str] | None:
    """The one warning for the HTML tags found in a file, as ``(line, message, hint)``."""
    if not found:
        return None
    line, tag = min(found, key=lambda item: item[0])
    which = "the only HTML tag in this file" if len(found) == 1 else f"the first of {len(found)} HTML tags in this file"
    name = "!--" if tag.startswith("<!--") else _NAME.match(tag).group(1).lower()  # type: ignore[union-attr]
    hint = _HINTS.get(name, "remove the tag, keeping its text")
    return line, f"'{_shorten(tag)}' shows on the page as typed, tags and all: raw HTML is off ({which})", hint


def _shorten(tag: str) -> str:
    return tag if len(tag) <= 40 else tag[:39] + "…"


def removed_by_sanitiser(tag: str) -> str:
    """What the sanitiser takes out of one tag, described for an editor ("" when nothing)."""
    name = _NAME.match(tag)
    if name is None:
        return ""
    element = name.group(1).lower()
    if tag.startswith("</"):  # told at the opening tag
        return ""
    if element not in SAFE_TAGS:
        if element in CONTENT_REMOVED:
            return f"the <{element}> element and everything in it"
        return f"the <{element}> tag (its text stays)"
    allowed = SAFE_ATTRIBUTES.get(element, set()) | SAFE_ATTRIBUTES["*"]
    for attribute in _ATTRIBUTE.finditer(tag, name.end()):
        attr = attribute.group(1).lower()
        if attr not in allowed:
            return f"the '{attr}' attribute of <{element}>"
        value = (attribute.group(2) or "").strip("\"'")
        scheme = _SCHEME.match(value)
        if attr in ("href", "src") and scheme and scheme.group(1).lower() not in URL_SCHEMES:
            return f"the '{scheme.group(1).lower()}:' address in <{element} {attr}>"
    return ""


def find_removed_html(state: StateCore) -> None:
    """With raw HTML on: record in ``env["html_removed"]`` what the sanitiser will take out."""
    env = state.env
    found: list[tuple[int, str]] | None = env.get("html_removed")
    if found is None:
        return
    body_line = env.get("_body_line", 1)
    for token in state.tokens:
        if token.type == "html_block":
            line = body_line + (token.map[0] if token.map else 0)
            for match in TAG.finditer(token.content):
                what = removed_by_sanitiser(match.group(0))
                if what:
                    found.append((line + token.content.count("\n", 0, match.start()), what))
    for line, child in inline_children(state.tokens, body_line, "<"):
        if child.type == "html_inline":
            what = removed_by_sanitiser(child.content)
            if what:
                found.append((line, what))


def report_removed_html(found: list[tuple[int, str]]) -> tuple[int, str, str] | None:
    """The one warning for the raw HTML the sanitiser removes from a file, as ``(line, message, hint)``."""
    if not found:
        return None
    line, what = min(found, key=lambda item: item[0])
    which = "the only removal in this file" if len(found) == 1 else f"the first of {len(found)} removals in this file"
    return (
        line, f"{what} is removed from the page: raw HTML keeps only a fixed list of elements and attributes ({which})",
        "write it in Markdown, or keep to the elements and attributes listed in the editor's guide",
    )
