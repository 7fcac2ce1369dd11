"""Which line of the file each inline token is on, for rules that report problems."""

from __future__ import annotations

from typing import Iterator

from markdown_it.token import Token


def inline_children(tokens: list[Token], body_line: int, needle: str = "") -> Iterator[tuple[int, Token]]:
    """Each child of the inline tokens (those whose text holds ``needle``) with its file
    line: the line of its block (``body_line`` is the file line of the text's first line)
    plus the line breaks before it. Line breaks themselves are not yielded."""
    for token in tokens:
        if token.type != "inline" or not token.children or needle not in token.content:
            continue
        line = body_line + (token.map[0] if token.map else 0)
        for child in token.children:
            if child.type == "softbreak" or child.type == "hardbreak":
                line += 1
            else:
                yield line, child
