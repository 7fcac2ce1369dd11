"""markdown-it's limits, told instead of silent.

markdown-it-py guards itself against hostile input with caps. Most of them
leave the text on the page as typed (a seventh ``#``, a list number of ten
digits, brackets or parentheses nested past its limits), which an editor sees
in the preview. These do not, and each is reported here:

* **Nesting.** Block quotes and lists inside each other deeper than
  ``maxNesting`` (20 levels of tokens: about 20 block quotes, or 10 lists) end
  the parse of that container; its remaining lines, often the rest of the
  article, vanish. That is an error at the first line dropped.
* **Numeric character references** that name no character (``&#0;``,
  ``&#xD800;``, ``&#1114112;``) become U+FFFD, the replacement character: a
  warning.
* **Note labels over 64 characters** (see :mod:`brief.mdplugins.notes`) are not
  notes, and the reference stays on the page as typed: a warning, since the
  editor meant a note.
"""

from __future__ import annotations

import re
from types import MethodType

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore

from ..errors import report
from .lines import inline_children

_LONG_LABEL = re.compile(r"\[\^([^\]\s\[^]{65,})\]")


def limits_plugin(md: MarkdownIt) -> None:
    md.block.tokenize = MethodType(tokenize_within_nesting, md.block)  # type: ignore[method-assign]
    md.core.ruler.after("inline", "limits", check_inline_limits)  # before Chinese runs become HTML


def tokenize_within_nesting(parser: ParserBlock, state: StateBlock, start: int, end: int) -> None:
    """markdown-it's block tokenizer, reporting the lines it would drop for nesting too deep."""
    if state.level >= state.md.options.maxNesting and not state.env.get("_nesting_reported"):
        first = state.skipEmptyLines(start)
        if first < end and state.sCount[first] >= state.blkIndent:
            state.env["_nesting_reported"] = True
            report(
                state.env, state.env.get("_body_line", 1) + first,
                f"block quotes or lists are nested more than {state.md.options.maxNesting} levels deep here, "
                "and Markdown would drop everything from this line to the end of the outermost one",
                "nest fewer block quotes or lists (each '>' or indented list marker adds a level)",
            )
    ParserBlock.tokenize(parser, state, start, end)


def check_inline_limits(state: StateCore) -> None:
    src = state.src
    has_entity = "&#" in src
    has_note = "[^" in src and _LONG_LABEL.search(src) is not None
    if not has_entity and not has_note:
        return
    env = state.env
    for line, child in inline_children(state.tokens, env.get("_body_line", 1)):
        kind = child.type
        if has_entity and kind == "text_special" and child.info == "entity" and child.content == "\ufffd" \
                and child.markup.lower() not in ("&#65533;", "&#xfffd;"):
            report(
                env, line, f"'{child.markup}' names no character, so it is shown as the replacement character \ufffd",
                "write the character itself, or correct the number", "warning", "character-reference",
            )
        elif has_note and kind == "text" and "[^" in child.content:
            for match in _LONG_LABEL.finditer(child.content):
                report(
                    env, line, f"'[^{match.group(1)[:20]}…]' is not a note: a note's label can be at most 64 characters",
                    "use a shorter label, such as [^1]", "warning", "note-label",
                )
