"""Safe links: an allow-list of URL schemes and ``rel`` on outside links.

Links and images may use ``http``, ``https`` and ``mailto`` URLs, relative
paths and ``#fragments``; anything else (``javascript:``, ``vbscript:``,
``data:``, ``file:``...) is dropped, leaving the link text (an image leaves
its alt text), and reported as a warning at the line where the link starts.
Outside links get ``rel="noopener noreferrer"``.

The check is the core rule ``safe_links`` rather than markdown-it's
``validateLink``: a link that ``validateLink`` refuses is not parsed at all,
so the reader would see the raw Markdown (``[text](javascript:...)``), and an
image would be reported twice (the image rule and then the link rule try it).
The inline ``link``, ``image`` and ``autolink`` rules are wrapped to record
the line each link starts on in ``token.meta["line"]``.

Most paragraphs have only safe links: ``safe_links`` checks them first and
rebuilds a paragraph's tokens only when something must go, and an
``http://`` or ``https://`` URL is allowed without parsing its scheme.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it import rules_inline
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..errors import report

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_HINT = "links may use http, https and mailto addresses or relative paths"

InlineRule = Callable[[StateInline, bool], bool]


def scheme_of(url: str) -> str | None:
    match = _SCHEME.match(_CONTROL.sub("", url))
    return match.group(1).lower() if match else None


def unsafe_scheme(url: str) -> str | None:
    """The scheme of a URL that links may not use, or ``None`` when the URL is allowed."""
    if url.startswith(("https://", "http://")):  # most links, allowed whatever follows
        return None
    scheme = scheme_of(url)
    return None if scheme is None or scheme in ALLOWED_SCHEMES else scheme


def links_plugin(md: MarkdownIt) -> None:
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # safe_links decides
    md.inline.ruler.at("link", with_line(rules_inline.link, "["))
    md.inline.ruler.at("image", with_line(rules_inline.image, "!"))
    md.inline.ruler.at("autolink", with_line(rules_inline.autolink, "<"))
    md.core.ruler.after("inline", "safe_links", drop_unsafe_links)
    md.add_render_rule("link_open", render_link_open)


def may_link(token: Token) -> bool:
    """Whether an ``inline`` token's text can hold a link or image (or a ``[@key]``
    citation): each starts with ``[`` (``![`` for an image) or ``<`` (an autolink)."""
    return "[" in token.content or "<" in token.content


def with_line(rule: InlineRule, first: str) -> InlineRule:
    """Wrap an inline rule, which only matches at the character ``first``, so the link
    or image token it makes knows its file line."""

    def rule_with_line(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if state.src[start] != first or not rule(state, silent):
            return False
        if not silent:
            line = int(state.env.get("_line", 1) + state.src.count("\n", 0, start))
            for token in state.tokens[count:]:
                if token.type in ("link_open", "image"):
                    token.meta.setdefault("line", line)
                    break
        return True

    rule_with_line.__name__ = rule.__name__
    return rule_with_line


def drop_unsafe_links(state: StateCore) -> None:
    body_line = state.env.get("_body_line", 1)
    for token in state.tokens:
        if token.type == "inline" and token.children and may_link(token):
            line = body_line + token.map[0] if token.map else state.env.get("_line", body_line)
            token.children = _safe_children(token.children, state.env, line)


def _all_safe(children: list[Token]) -> bool:
    """Whether no link or image among ``children`` (images' alt text included) has an
    unsafe URL: then :func:`_safe_children` would keep them all."""
    for child in children:
        kind = child.type
        if kind == "link_open":
            if unsafe_scheme(str(child.attrs.get("href", ""))) is not None:
                return False
        elif kind == "image":
            if unsafe_scheme(str(child.attrs.get("src", ""))) is not None:
                return False
            if child.children and not _all_safe(child.children):
                return False
    return True


def _safe_children(children: list[Token], env: dict[str, Any], line: int) -> list[Token]:
    if _all_safe(children):
        return children
    kept: list[Token] = []
    dropped: list[bool] = []  # one entry per open link: was it dropped?
    for child in children:
        if child.type == "link_open":
            scheme = unsafe_scheme(str(child.attrs.get("href", "")))
            dropped.append(scheme is not None)
            if scheme is not None:
                _warn(env, child.meta.get("line", line), f"a link to a '{scheme}:' URL was dropped")
                continue
        elif child.type == "link_close":
            if dropped and dropped.pop():
                continue
        elif child.type == "image":
            scheme = unsafe_scheme(str(child.attrs.get("src", "")))
            if scheme is not None:
                _warn(env, child.meta.get("line", line), f"an image with a '{scheme}:' URL was dropped")
                kept.extend(_safe_children(child.children or [], env, line))
                continue
            if child.children:
                child.children = _safe_children(child.children, env, line)
        kept.append(child)
    return kept


def _warn(env: dict[str, Any], line: int, message: str) -> None:
    report(env, line, message, _HINT, "warning", "unsafe-link")


def render_link_open(self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrs.get("href", ""))
    if href.startswith(("http://", "https://", "//")):
        token.attrs["rel"] = "noopener noreferrer"
    return self.renderToken(tokens, idx, options, env)
