"""Chinese runs: mark each run of Han characters ``lang="zh-Hans"`` or ``lang="zh-Hant"``.

Which script a run is in comes from hanzidentifier, which knows which
characters exist only in simplified or only in traditional Chinese. A run
whose characters are the same in both scripts (人民, 中国 is not one: 国 is
simplified) takes the script of the nearest run before it in the same
paragraph, else the script most used in the article, else simplified. A run
that mixes the scripts is split where the script changes.

Only the *detection* of Han characters uses Unicode block ranges (the Unicode
Standard defines them); classification is the library's. Text that is all
ASCII (``str.isascii`` is a constant-time check) is not searched at all.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import hanzidentifier
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007\U00020000-\U0003134f"
#: The Han characters, as the body of a regular-expression character class.
HAN = _HAN
_PUNCT = "\u3000-\u3004\u3008-\u303f\uff01-\uff0f\uff1a-\uff20\uff5b-\uff65\u00b7"
#: A run: Han characters, with CJK punctuation allowed between them.
RUN = re.compile(f"[{_HAN}]+(?:[{_PUNCT}]*[{_HAN}]+)*")
HAS_HAN = re.compile(f"[{_HAN}]")

HANS, HANT = "zh-Hans", "zh-Hant"


def chinese_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("chinese", mark_runs)


def script_of(run: str) -> str | None:
    """``zh-Hans``, ``zh-Hant``, ``None`` when the run reads the same in both, or ``"mixed"``."""
    kind = hanzidentifier.identify(run)
    if kind == hanzidentifier.SIMPLIFIED:
        return HANS
    if kind == hanzidentifier.TRADITIONAL:
        return HANT
    if kind == hanzidentifier.MIXED:
        return "mixed"
    return None


def split_mixed(run: str, context: str) -> list[tuple[str, str]]:
    """Split a run that mixes the scripts into single-script pieces."""
    pieces: list[tuple[str, str]] = []
    pending = ""
    for char in run:
        script = script_of(char) if HAS_HAN.match(char) else None
        if script in (HANS, HANT):
            if pieces and pieces[-1][1] == script:
                pieces[-1] = (pieces[-1][0] + pending + char, script)
            elif pieces:
                pieces[-1] = (pieces[-1][0] + pending, pieces[-1][1])
                pieces.append((char, script))
            else:
                pieces.append((pending + char, script))
            pending = ""
        else:
            pending += char
    if pending:
        if pieces:
            pieces[-1] = (pieces[-1][0] + pending, pieces[-1][1])
        else:
            pieces.append((pending, context))
    return pieces


def segment(text: str, default: str = HANS) -> list[tuple[str, str | None]]:
    """Split text into pieces, each ``(text, lang)``; ``lang`` is ``None`` outside Chinese runs."""
    return segment_from(text, default)[0]


def segment_from(text: str, context: str) -> tuple[list[tuple[str, str | None]], str]:
    """:func:`segment`, starting from the script of the run before ``text`` (``context``).

    Also returns the script of the last run, so a paragraph split into several
    text tokens (``繁體 **人民**``) can carry the neighbour rule across them.
    """
    pieces: list[tuple[str, str | None]] = []
    last = 0
    for match in RUN.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], None))
        run = match.group(0)
        script = script_of(run)
        if script == "mixed":
            for piece, piece_script in split_mixed(run, context):
                pieces.append((piece, piece_script))
                context = piece_script
        else:
            script = script or context
            pieces.append((run, script))
            context = script
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], None))
    return pieces, context


def dominant_script(texts: Iterable[str]) -> str:
    """The script most of these texts' decidable runs are in (simplified on a tie or none)."""
    counts = {HANS: 0, HANT: 0}
    for text in texts:
        if not HAS_HAN.search(text):
            continue
        for match in RUN.finditer(text):
            script = script_of(match.group(0))
            if script in counts:
                counts[script] += len(match.group(0))
    return HANT if counts[HANT] > counts[HANS] else HANS


def mark_text(text: str, default: str = HANS) -> Markup:
    """Escape text for HTML, wrapping Chinese runs in ``<span lang>``: for titles and names."""
    if text.isascii() or not HAS_HAN.search(text):  # isascii() takes constant time: most names and outlets
        return escape(text)
    return Markup("").join(
        escape(piece) if lang is None else Markup(f'<span lang="{lang}">{escape(piece)}</span>')
        for piece, lang in segment(text, default)
    )


def mark_runs(state: StateCore) -> None:
    env: dict[str, Any] = state.env
    # str.isascii() takes constant time: most paragraphs need no search for Han characters.
    inline_tokens = [
        t for t in state.tokens
        if t.type == "inline" and t.children and not t.content.isascii() and HAS_HAN.search(t.content)
    ]
    if not inline_tokens:
        return
    default = env.get("zh_default") or dominant_script(t.content for t in inline_tokens)
    env["zh_default"] = default
    for token in inline_tokens:
        marked: list[Token] = []
        context = default  # the script of the nearest run before, within this paragraph
        for child in token.children or []:
            if child.type != "text" or child.content.isascii() or not HAS_HAN.search(child.content):
                marked.append(child)
                continue
            pieces, context = segment_from(child.content, context)
            for piece, lang in pieces:
                if lang is None:
                    marked.append(Token("text", "", 0, content=piece))
                else:
                    open_token = Token("zh_open", "span", 1)
                    open_token.attrs = {"lang": lang}
                    marked.extend([open_token, Token("text", "", 0, content=piece), Token("zh_close", "span", -1)])
        token.children = marked
