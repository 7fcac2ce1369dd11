"""Safe links: an allow-list of URL schemes and ``rel`` on outside links.

Links and images may use ``http``, ``https`` and ``mailto`` URLs, relative
paths and ``#fragments``; anything else (``javascript:``, ``vbscript:``,
``data:``, ``file:``...) is dropped, leaving the link text, and reported as a
warning at the paragraph's line. Outside links get ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def scheme_of(url: str) -> str | None:
    match = _SCHEME.match(_CONTROL.sub("", url))
    return match.group(1).lower() if match else None


def links_plugin(md: MarkdownIt) -> None:
    md.validateLink = lambda url: validate_link(md, url)  # type: ignore[method-assign]
    md.add_render_rule("link_open", render_link_open)


def validate_link(md: MarkdownIt, url: str) -> bool:
    scheme = scheme_of(url)
    if scheme is None or scheme in ALLOWED_SCHEMES:
        return True
    env = getattr(md, "brief_env", None)
    if env is not None:
        env.setdefault("diagnostics", []).append(
            (
                env.get("_line", 1),
                f"a link to a '{scheme}:' URL was dropped",
                "links may use http, https and mailto addresses or relative paths",
                "warning",
            )
        )
    return False


def render_link_open(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrs.get("href", ""))
    if href.startswith(("http://", "https://", "//")):
        token.attrs["rel"] = "noopener noreferrer"
    return self.renderToken(tokens, idx, options, env)
