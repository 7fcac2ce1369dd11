"""Tables that never drop data.

markdown-it's pipe-table rule (GFM) is kept, with three slips it would pass
over in silence made visible:

* **A row with more cells than the header.** The table has as many columns
  as its header row, and markdown-it drops every cell past them. Here each
  such row is an error at its line.
* **A source line written directly under a table.** GFM makes any line up to
  the next blank line a row of the table, so ``(Source: …)`` under the last
  row would become a one-cell row. The first such line ends the table instead
  and is parsed as the paragraph it looks like, which
  :mod:`brief.mdplugins.captions` turns into the table's source line.
* **A table that is not one.** Rows of ``|``-separated cells with no
  separator row (``|---|---|``) under the header, or with a separator row
  whose number of columns differs from the header's, are not a table to
  markdown-it but a paragraph showing the pipes; that gets a warning.

markdown-it also stops a table once it would fill in more than 65,536 empty
cells (a guard against tiny input making huge pages); the rows after that
point are an error here rather than text that silently falls out of the table.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt, rules_block
from markdown_it.common.utils import mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit, getLine
from markdown_it.rules_core import StateCore

from ..errors import report
from .captions import SOURCE

#: A separator row: only pipes, hyphens, colons and spaces, with at least one hyphen.
_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def tables_plugin(md: MarkdownIt) -> None:
    md.block.ruler.at("table", table, {"alt": ["paragraph", "reference"]})  # as markdown-it registers it
    md.core.ruler.after("block", "table_lookalikes", warn_table_lookalikes)


def cells(line: str) -> list[str]:
    """A row's cells as markdown-it's table rule splits them (escaped ``\\|`` kept inside a cell)."""
    columns = escapedSplit(mdTrim(line))
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    return columns


def table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's ``table`` rule, then the checks above on the rows it took."""
    if silent:
        return rules_block.table(state, start, end, True)
    first_token = len(state.tokens)
    if not rules_block.table(state, start, end, False):
        return False
    header = len(cells(getLine(state, start)))
    body_line = state.env.get("_body_line", 1)
    filled = 0
    line = start + 2
    while line < state.line:
        text = getLine(state, line)
        if SOURCE.match(text.strip()):
            _end_table_at(state, first_token, line)
            return True
        count = len(cells(text))
        filled += header - count
        if count > header:
            report(
                state.env, body_line + line,
                f"this table row has {count} cells, but the header has {header}: the cells after column {header} would be lost",
                "add the missing columns to the header row (and to its separator row), or write a | inside a cell as \\|",
            )
        line += 1
    if line < end and getLine(state, line).strip() and state.sCount[line] >= state.blkIndent:
        after = filled + header - len(cells(getLine(state, line)))
        if after > MAX_AUTOCOMPLETED_CELLS:
            report(
                state.env, body_line + line,
                f"the table ends here: its rows would leave more than {MAX_AUTOCOMPLETED_CELLS:,} cells empty",
                "give each row as many cells as the header, or split the table",
            )
    return True


def _end_table_at(state: StateBlock, first_token: int, line: int) -> None:
    """End the table just pushed (its tokens start at ``first_token``) before ``line``."""
    tokens = state.tokens
    for index in range(first_token, len(tokens)):
        token = tokens[index]
        if token.type == "tr_open" and token.map and token.map[0] == line:
            break
    else:  # pragma: no cover - the row is always there
        return
    table_open = tokens[first_token]
    tbody_open = next((t for t in tokens[first_token:index] if t.type == "tbody_open"), None)
    del tokens[index:]
    state.level = table_open.level + 1  # inside the table, as when its rows were pushed
    if tbody_open is not None:
        if tokens[-1] is tbody_open:  # the source line was the only body row
            tokens.pop()
        else:
            state.level += 1
            state.push("tbody_close", "tbody", -1)
            tbody_open.map = [tbody_open.map[0] if tbody_open.map else line, line]
    state.push("table_close", "table", -1)
    if table_open.map:
        table_open.map[1] = line
    state.line = line


def row_cells(line: str) -> int:
    """How many cells a line of a paragraph would make as a table row (0 without a ``|``)."""
    text = _CODE_SPAN.sub("", line.strip())
    if "|" not in text.replace("\\|", ""):
        return 0
    return len(cells(text))


def warn_table_lookalikes(state: StateCore) -> None:
    """A warning for each paragraph holding rows of a table without a valid separator row."""
    if "|" not in state.src or state.inlineMode:
        return
    body_line = state.env.get("_body_line", 1)
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0 or tokens[index - 1].type != "paragraph_open" or "|" not in token.content:
            continue
        found = lookalike(token.content.split("\n"))
        if found is not None:
            offset, message, hint = found
            line = body_line + (token.map[0] if token.map else 0) + offset
            report(state.env, line, message, hint, "warning", "table-separator")


def lookalike(lines: list[str]) -> tuple[int, str, str] | None:
    """Where a paragraph's lines start to look like a table that is not one, and what is
    wrong: ``(line offset, message, hint)``; ``None`` when they do not."""
    if len(lines) == 1:
        stripped = lines[0].strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            return 0, _NO_SEPARATOR, _NO_SEPARATOR_HINT
        return None
    counts = [row_cells(line) for line in lines]
    for offset in range(len(lines) - 1):
        header = counts[offset]
        if header < 2 and not (header and lines[offset].strip().startswith("|")):
            continue
        following = lines[offset + 1].strip()
        if _SEPARATOR.match(following):
            separator = len(cells(following))
            if separator != header:
                return (
                    offset,
                    f"this looks like a table, but its header has {header} cells and the separator row under it has {separator}",
                    "give the separator row one |---| per header cell",
                )
            return (
                offset, "this looks like a table, but its separator row is not one markdown can read",
                "write the separator row as |---|---| (one |---| per column, no empty columns)",
            )
        if counts[offset + 1] >= 2 or (counts[offset + 1] and following.startswith("|")):
            return offset, _NO_SEPARATOR, _NO_SEPARATOR_HINT
    return None


_NO_SEPARATOR = "this looks like a table, but it has no separator row, so it shows as text with the | signs"
_NO_SEPARATOR_HINT = "add a line such as |---|---| under the header row (one |---| per column)"
