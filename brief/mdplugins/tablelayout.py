"""Tables that read on a phone.

Every body cell carries the heading of its column as ``data-label``, and each table
records how many columns it has (``token.meta["columns"]``, read by the table
renderer of :mod:`brief.mdplugins.captions`). A table of up to
:data:`STACK_MAX_COLUMNS` columns is marked ``table-stack``: on a narrow screen the
stylesheet lays each row out as a block, with the headings as labels, so no data
is off screen. A wider table is marked ``table-wide`` and scrolls sideways, with a
written cue that says so.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

#: The widest table that is laid out row by row on a phone.
STACK_MAX_COLUMNS = 5


def tablelayout_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("table_labels", label_cells)


def label_cells(state: StateCore) -> None:
    headings: list[str] = []
    table: Token | None = None
    column = 0
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            table, headings = token, []
        elif token.type == "th_open" and table is not None:
            headings.append(_text(tokens[i + 1]) if i + 1 < len(tokens) else "")
        elif token.type == "tbody_open" or token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(headings) and headings[column]:
                token.attrSet("data-label", headings[column])
            column += 1
        elif token.type == "table_close" and table is not None:
            table.meta["columns"] = len(headings)
            table = None


def table_layout(columns: int) -> str:
    """The class that says how a table of ``columns`` columns fits a phone."""
    return "table-stack" if columns <= STACK_MAX_COLUMNS else "table-wide"


def _text(token: Token) -> str:
    """The plain text of a heading cell's inline content."""
    if token.type != "inline":
        return ""
    parts = [c.content for c in token.children or () if c.type in ("text", "text_special", "code_inline")]
    return " ".join("".join(parts).split())
