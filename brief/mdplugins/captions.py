"""Captions: ``Table N: Title`` above a table, ``Figure N: Title`` above an image.

A caption paragraph directly above a table (or above a paragraph holding only
an image), and an optional ``(Source: ...)`` paragraph directly below it, turn
the three into one ``<figure>`` with a ``<figcaption>`` and a source line.
Caption, image and source may also be written as consecutive lines of one
paragraph. Tables and figures are numbered 1, 2, ... per article in order;
their anchors are ``table-N`` and ``figure-N``. A caption whose number is not
its place in that order gets a warning, since the text may refer to it.

Records :class:`~brief.model.Figure` entries in ``env["figures"]``.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..model import Figure
from .tablelayout import table_layout
from ..errors import report

CAPTION = re.compile(r"^(Table|Figure)\s+(\d+)\s*[:.]\s*")
SOURCE = re.compile(r"^\((Sources?|Source data|Data):\s*.+\)\s*$", re.S | re.I)


def captions_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("sources", "captions", wrap_captions)
    md.add_render_rule("figure_label", render_figure_label)
    md.add_render_rule("table_open", render_table_open)
    md.add_render_rule("table_close", render_table_close)


def render_figure_label(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f'<span class="figure-label">{tokens[idx].content}</span> '


def render_table_open(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    # A focusable, labelled region, so that keyboard users can scroll a wide table.
    meta = tokens[idx].meta or {}
    caption = meta.get("caption_id")
    label = f'aria-labelledby="{caption}"' if caption else 'aria-label="Table"'
    columns = meta.get("columns", 0)
    return (
        f'<div class="table-wrap {table_layout(columns)}" role="region" tabindex="0" {label}'
        f' data-columns="{columns}"><table>\n'
    )


def render_table_close(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</table></div>\n"


def _line_text(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "text_special", "code_inline"))


def _is_image_line(children: list[Token]) -> bool:
    meaningful = [c for c in children if not (c.type == "text" and not c.content.strip())]
    return len(meaningful) == 1 and meaningful[0].type == "image"


def _paragraph(children: list[Token], template: Token, level: int) -> list[Token]:
    open_token = Token("paragraph_open", "p", 1, map=template.map, level=level, block=True)
    inline = Token("inline", "", 0, map=template.map, level=level + 1, block=True, children=children)
    inline.content = _line_text(children)
    close = Token("paragraph_close", "p", -1, level=level, block=True)
    return [open_token, inline, close]


def split_paragraphs(tokens: list[Token]) -> list[Token]:
    """Split a paragraph whose lines are caption / image / source into three paragraphs."""
    result: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            token.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].children
            and any(c.type == "softbreak" for c in tokens[i + 1].children)
            and any(c.type == "image" for c in tokens[i + 1].children)
        ):
            lines: list[list[Token]] = [[]]
            for child in tokens[i + 1].children:
                if child.type == "softbreak":
                    lines.append([])
                else:
                    lines[-1].append(child)
            kinds = []
            for line in lines:
                text = _line_text(line)
                if _is_image_line(line):
                    kinds.append("image")
                elif CAPTION.match(text):
                    kinds.append("caption")
                elif SOURCE.match(text.strip()):
                    kinds.append("source")
                else:
                    kinds.append("other")
            if "other" not in kinds and kinds.count("image") == 1 and len(kinds) > 1:
                for line in lines:
                    result.extend(_paragraph(line, tokens[i + 1], token.level))
                i += 3
                continue
        result.append(token)
        i += 1
    return result


def wrap_captions(state: StateCore) -> None:
    env = state.env
    figures: list[Figure] = env.setdefault("figures", [])
    # Nothing to do without a caption or an image (most notes, all summary bullets).
    if "Table" not in state.src and "Figure" not in state.src and "![" not in state.src:
        return
    tokens = split_paragraphs(state.tokens)
    body_line = env.get("_body_line", 1)
    counts = {"table": 0, "figure": 0}
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        match = None
        if token.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].children:
            first = tokens[i + 1].children[0]
            if first.type == "text":
                match = CAPTION.match(first.content)
        end = -1
        kind = ""
        if match:
            kind = match.group(1).lower()
            following = tokens[i + 3] if i + 3 < len(tokens) else None
            if following is None:
                pass
            elif kind == "table" and following.type == "table_open":
                end = _matching_close(tokens, i + 3, "table_close")
            elif (
                kind == "figure"
                and following.type == "paragraph_open"
                and i + 5 < len(tokens)
                and tokens[i + 4].children is not None
                and _is_image_line(tokens[i + 4].children)
            ):
                end = i + 5
            if end < 0:
                what = "table" if kind == "table" else "image on a line of its own"
                report(
                    env, body_line + (token.map[0] if token.map else 0),
                    f"the caption '{match.group(0).strip()}' has no {what} directly under it, so it is shown as an ordinary paragraph",
                    f"put the {what} right under its caption (a blank line between them is fine), or remove the caption",
                    "warning", "lone-caption",
                )
        if end < 0:
            out.append(token)
            i += 1
            continue
        assert match is not None
        counts[kind] += 1
        number = counts[kind]
        line = body_line + (token.map[0] if token.map else 0)
        written = int(match.group(2))
        label = "Table" if kind == "table" else "Figure"
        if written != number:
            report(
                env, line, f"the caption says {label} {written}, but it is {label.lower()} {number} of this article",
                f"renumber it {label} {number} (tables and figures are numbered in order)", "warning", "caption-order",
            )
        anchor = f"{kind}-{number}"
        inline = tokens[i + 1]
        first = inline.children[0]  # type: ignore[index]
        first.content = first.content[match.end() :]
        title = _line_text(inline.children or []).strip()
        figures.append(Figure(kind, number, title, anchor))
        level = token.level
        figure_open = Token("figure_open", "figure", 1, level=level, block=True)
        figure_open.attrs = {"id": anchor, "class": f"captioned {kind}"}
        caption_open = Token("figcaption_open", "figcaption", 1, level=level + 1, block=True)
        caption_open.attrs = {"id": f"{anchor}-caption"}
        if kind == "table":
            tokens[i + 3].meta = {**(tokens[i + 3].meta or {}), "caption_id": f"{anchor}-caption"}
        label_token = Token("figure_label", "", 0, level=level + 2, content=f"{label} {number}:")
        inline.children = [label_token, *(inline.children or [])]
        caption_close = Token("figcaption_close", "figcaption", -1, level=level + 1, block=True)
        body = tokens[i + 3 : end + 1]
        if kind == "figure":
            body[0].hidden = True
            body[2].hidden = True
        out.extend([figure_open, caption_open, inline, caption_close, *body])
        i = end + 1
        if (
            i + 2 < len(tokens)
            and tokens[i].type == "paragraph_open"
            and SOURCE.match(tokens[i + 1].content.strip())
        ):
            tokens[i].attrs = {"class": "figure-source"}
            out.extend(tokens[i : i + 3])
            i += 3
        out.append(Token("figure_close", "figure", -1, level=level, block=True))
    state.tokens = out


def _matching_close(tokens: list[Token], start: int, close_type: str) -> int:
    for j in range(start + 1, len(tokens)):
        if tokens[j].type == close_type and tokens[j].level == tokens[start].level:
            return j
    return -1
