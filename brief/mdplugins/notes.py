"""Endnotes: ``[^label]`` references and ``[^label]: text`` definitions.

The block rule takes a definition out of the body (it renders nothing where it
stands) and records it in ``env["note_defs"]``; the inline rule turns a
reference into a ``note_ref`` token and records its label, in order, in
``env["note_refs"]``. Numbering by first reference, checks and the rendered
"Notes" section belong to :mod:`brief.markdown`, which sees the front-matter
notes too. The renderer reads ``env["note_numbers"]`` (label → number), filled
after parsing.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..model import NoteSource

LABEL = r"[^\]\s\[^]{1,64}"
_DEF = re.compile(r"\[\^(" + LABEL + r")\]:[ \t]?")
_REF = re.compile(r"\[\^(" + LABEL + r")\]")


def notes_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("reference", "note_def", note_def, {"alt": ["paragraph", "reference"]})
    md.inline.ruler.before("link", "note_ref", note_ref)
    md.add_render_rule("note_ref", render_note_ref)


def note_def(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    line_text = state.src[pos : state.eMarks[start]]
    match = _DEF.match(line_text)
    if not match:
        return False
    if silent:
        return True
    lines = [line_text[match.end() :]]
    next_line = start + 1
    while next_line < end:
        text = state.src[state.bMarks[next_line] : state.eMarks[next_line]]
        if not text.strip():
            # A blank line ends the note unless an indented line continues it.
            following = next_line + 1
            while following < end and not state.src[state.bMarks[following] : state.eMarks[following]].strip():
                following += 1
            if following < end and state.sCount[following] >= state.blkIndent + 4:
                lines.extend([""] * (following - next_line))
                next_line = following
                continue
            break
        if state.sCount[next_line] < state.blkIndent + 4 and _DEF.match(text.lstrip()):
            break
        lines.append(_dedent(text))
        next_line += 1
    env = state.env
    line = env.get("_body_line", 1) + start
    env.setdefault("note_defs", []).append(NoteSource(match.group(1), "\n".join(lines).strip(), line))
    state.line = next_line
    return True


def _dedent(text: str) -> str:
    stripped = text.expandtabs(4)
    indent = len(stripped) - len(stripped.lstrip(" "))
    return stripped[min(indent, 4) :]


def note_ref(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[^", state.pos):
        return False
    match = _REF.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("note_ref", "sup", 0)
        token.meta = {"label": match.group(1), "line": _inline_line(state)}
        state.env.setdefault("note_refs", []).append((match.group(1), token.meta["line"]))
    state.pos = match.end()
    return True


def _inline_line(state: StateInline) -> int:
    """The file line of the inline rule's position (see ``brief.markdown``'s line-aware inline rule)."""
    base = state.env.get("_line", 1)
    return int(base + state.src.count("\n", 0, state.pos))


def render_note_ref(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    label = tokens[idx].meta["label"]
    number = env.get("note_numbers", {}).get(label)
    if number is None:  # reported as an error; render the label so nothing is lost
        return f"[^{label}]"
    seen = env.setdefault("_note_ref_seen", {})
    seen[label] = seen.get(label, 0) + 1
    suffix = "" if seen[label] == 1 else f"-{seen[label]}"
    return (
        f'<sup class="note-ref"><a id="noteref-{number}{suffix}" href="#note-{number}" '
        f'role="doc-noteref" aria-label="Note {number}">{number}</a></sup>'
    )
