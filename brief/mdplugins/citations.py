"""Citations: ``[@key]`` references and the article's source list.

* The inline rule ``cite_keys`` turns ``[@key]`` or ``[@a; @b]`` into a
  ``cite_keys`` token rendered in the house style, ``(<a>Outlet</a>, December 10)``.
* The core rule ``sources`` runs after inline parsing. In each paragraph it
  takes the links out of every parenthesis, asks :mod:`brief.citations`
  whether the parenthesis is a citation, and records every outside link in
  ``env["sources"]`` (URL → :class:`~brief.model.Source`, in order of first
  appearance), with the outlet and date where a citation gives them.

:func:`collect_inline` reads a paragraph's tokens in one pass, appending each
text either to the paragraph's flattened text or to the current link's.

The env keys it reads: ``citations`` (key → CitationEntry), ``issue_date``,
``diagnostics`` (a list it appends ``(line, message, hint, severity)`` to).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import escape

from ..citations import LINK, CitedLink, GroupReading, format_date, parse_group, parse_unclosed
from ..errors import did_you_mean, report
from ..model import CitationEntry, Source
from .chinese import mark_text
from .links import may_link
from .notes import _inline_line

_KEYS = re.compile(r"\[(@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*(?:\s*;\s*@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*)*)\]")
_PAREN = re.compile(r"\(([^()]*)\)")
#: A parenthesis with no link in it, such as "(in Chinese)" inside a citation.
_ASIDE = re.compile(r"\([^()\ue000]*\)")
#: How many parentheses that are never closed one paragraph is checked for (hostile input can hold thousands).
MAX_UNCLOSED = 16
_TRANSPARENT = {"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}


def citations_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "cite_keys", cite_keys)
    md.core.ruler.after("inline", "sources", collect_sources)
    md.add_render_rule("cite_keys", render_cite_keys)


def is_external(href: str) -> bool:
    return href.startswith(("http://", "https://", "//"))


def _without_asides(text: str) -> str:
    """``text`` with each parenthesis that holds no link blanked out (same length, so offsets
    and lines stay), innermost first: a citation with an aside in it, ``([MND](…), December 9
    (in Chinese))``, is then read as the citation it is."""
    if text.count("(") < 2:
        return text
    while True:
        blanked = _ASIDE.sub(lambda m: " " * len(m.group(0)), text)
        if blanked == text:
            return text
        text = blanked


def cite_keys(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = _KEYS.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        keys = [k.strip()[1:] for k in match.group(1).split(";")]
        token = state.push("cite_keys", "", 0)
        token.meta = {"keys": keys, "line": _inline_line(state)}
    state.pos = match.end()
    return True


def render_cite_keys(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    entries: dict[str, CitationEntry] = env.get("citations", {})
    parts = []
    for key in tokens[idx].meta["keys"]:
        entry = entries.get(key)
        if entry is None:
            parts.append(f"@{escape(key)}")
            continue
        text = f'<a href="{escape(entry.url)}" rel="noopener noreferrer">{mark_text(entry.outlet)}</a>'
        if entry.date:
            text += ", " + format_date(entry.date, env.get("issue_date"))
        elif entry.accessed:
            text += ", accessed " + format_date(entry.accessed, env.get("issue_date"))
        parts.append(text)
    return '<span class="citation">(' + "; ".join(parts) + ")</span>"


def add_source(env: dict[str, Any], source: Source) -> None:
    """Record a source; a later citation of a URL first seen as a plain link (or cited without
    a date that could be read) fills in its details."""
    sources: dict[str, Source] = env.setdefault("sources", {})
    known = sources.get(source.url)
    if known is None:
        sources[source.url] = source
    elif source.cited and (not known.cited or (_undated(known) and not _undated(source))):
        sources[source.url] = replace(source, title=known.title or source.title)


def _undated(source: Source) -> bool:
    return source.date is None and source.accessed is None


def _take(reading: GroupReading, cited: dict[int, CitedLink], env: dict[str, Any], line: int, text: str, at: int) -> None:
    """Keep what a parenthesis cites (the first reading of a link wins) and report its problems at its line."""
    for number, link in reading.links.items():
        cited.setdefault(number, link)
    if reading.problems:
        group_line = line + text.count("\n", 0, at)
        for problem in reading.problems:
            report(env, group_line, problem.message, problem.hint, "warning", problem.code)


def unclosed_parentheses(text: str) -> list[int]:
    """Where a ``(`` is never closed (outermost first)."""
    open_at: list[int] = []
    for index, char in enumerate(text):
        if char == "(":
            open_at.append(index)
        elif char == ")" and open_at:
            open_at.pop()
    return open_at


def collect_sources(state: StateCore) -> None:
    env = state.env
    body_line = env.get("_body_line", 1)
    for token in state.tokens:
        if token.type != "inline" or not token.children or not may_link(token):
            continue
        line = body_line + token.map[0] if token.map else env.get("_line", body_line)
        collect_inline(token.children, env, line)


def collect_inline(children: list[Token], env: dict[str, Any], line: int) -> None:
    flat: list[str] = []
    link_texts: list[str] = []
    link_hrefs: list[str] = []
    # The text being collected: the paragraph's, or the current link's.
    collecting = flat
    # The links and [@key] citations, in order: sources are listed by first appearance.
    sourced: list[Token] = []
    for child in children:
        kind = child.type
        if kind == "text" or kind == "text_special" or kind == "code_inline":
            collecting.append(child.content)
        elif kind == "softbreak" or kind == "hardbreak":
            # kept in the paragraph's text, so a bad date is reported at its parenthesis's line
            collecting.append("\n" if collecting is flat else " ")
        elif kind == "link_open":
            collecting = []
            link_hrefs.append(str(child.attrs.get("href", "")))
            sourced.append(child)
        elif kind == "link_close":
            flat.append(LINK.format(len(link_texts)))
            link_texts.append("".join(collecting) if collecting is not flat else "")
            collecting = flat
        else:
            if kind == "cite_keys":
                sourced.append(child)
            if kind not in _TRANSPARENT and collecting is flat:
                flat.append("\ue002")  # anything else breaks a citation
    cited: dict[int, CitedLink] = {}
    if link_texts:
        text = "".join(flat)
        reference = env["issue_date"]
        for group in _PAREN.finditer(_without_asides(text)):
            if "\ue000" in group.group(1):
                _take(parse_group(group.group(1).replace("\n", " "), link_texts, reference), cited, env, line, text, group.start())
        if text.count("(") > text.count(")"):
            for start in unclosed_parentheses(text)[:MAX_UNCLOSED]:
                reading = parse_unclosed(text[start + 1:].replace("\n", " "), link_texts, reference)
                if reading is not None:
                    _take(reading, cited, env, line, text, start)
    entries: dict[str, CitationEntry] = env.get("citations", {})
    link_index = 0
    for child in sourced:
        if child.type == "link_open":
            href = link_hrefs[link_index]
            if is_external(href):
                info = cited.get(link_index)
                if info:
                    add_source(env, Source(href, info.outlet, "", info.date, info.accessed, cited=True))
                else:
                    add_source(env, Source(href, title=link_texts[link_index].strip()))
            link_index += 1
        else:
            for key in child.meta["keys"]:
                entry = entries.get(key)
                if entry is None:
                    report(
                        env, child.meta["line"], f"unknown citation '[@{key}]'",
                        did_you_mean(key, entries) if entries else "add it under 'citations:' in the front-matter",
                    )
                    continue
                env.setdefault("used_citations", set()).add(key)
                add_source(env, Source(entry.url, entry.outlet, entry.title, entry.date, entry.accessed, cited=True))
