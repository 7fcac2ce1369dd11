"""Links between pages: recorded while parsing, resolved when the site is assembled.

Editors link to another article by its file (``../2026-01-vol7-no2/02-coast-guard.md``,
optionally ``#heading``), to an issue by its folder and to an author by
``authors/<id>.md``. Only the whole site knows where those are published, and
Markdown is rendered per article (in worker processes, and cached by the
article's own bytes), so the core rule ``page_links`` does not resolve them: it
records each one as a :class:`~brief.model.PageLink` in ``env["page_links"]``
and gives the link the ``href`` ``brief-link:N`` (N its index there).
:mod:`brief.links` later checks each link and turns the marker into the page's
address. The rendered Markdown thus never depends on other files, and the
Markdown cache stays valid when they change.

A link to the site's own ``base_url`` (or a path from the site's root, ``/x/``)
is recorded in the same way as an ``address``, so it is published as an
internal link and never listed among the article's sources.

The rule also records every outside link with its line (``env["external_links"]``,
for ``brief check --external``) and every ``#id`` link to the page itself
(``env["own_anchors"]``), and must run before the ``sources`` rule (which lists
outside links only).
"""

from __future__ import annotations

import re
from typing import Any, MutableMapping
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..model import PageLink
from .links import may_link, scheme_of

#: What a recorded link's ``href`` is until :mod:`brief.links` resolves it. Editors cannot
#: write it: ``safe_links`` drops links with unknown schemes, and raw HTML loses it.
LINK_MARKER = re.compile(r"brief-link:(\d+)")


def pagelinks_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("safe_links", "page_links", record_page_links)


def record_page_links(state: StateCore) -> None:
    env = state.env
    body_line = env.get("_body_line", 1)
    for token in state.tokens:
        if token.type == "inline" and token.children and may_link(token):
            line = body_line + token.map[0] if token.map else env.get("_line", body_line)
            for child in token.children:
                if child.type == "link_open":
                    _record(child, env, line)


def _record(token: Token, env: MutableMapping[str, Any], line: int) -> None:
    href = str(token.attrs.get("href", ""))
    line = int(token.meta.get("line", line))
    if not href or href.startswith("mailto:") or scheme_of(href) == "mailto":
        return
    if href.startswith("#"):
        env.setdefault("own_anchors", []).append((unquote(href[1:]), line))
        return
    base = env.get("base_url", "")
    address = own_address(href, base) if base else None
    if address is not None:
        target, _, fragment = address.partition("#")
        _replace(token, env, PageLink("address", target, fragment, line, href))
        return
    if href.startswith(("http://", "https://", "//")):
        env.setdefault("external_links", []).append((href, line))
        return
    if scheme_of(href) is not None or href.startswith("?"):
        return
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]
    _replace(token, env, PageLink("path", unquote(path), unquote(fragment), line, href))


def own_address(href: str, base_url: str) -> str | None:
    """The site-relative address (with any ``#fragment``) of a link to this site's own
    ``base_url`` (either scheme) or to a path from its root; ``None`` for any other link
    (a malformed address too: it is an outside link, which ``brief check --external`` asks about)."""
    try:
        return _own_address(href, base_url)
    except ValueError:  # a bad port or IPv6 host
        return None


def _own_address(href: str, base_url: str) -> str | None:
    base = urlsplit(base_url)
    if href.startswith("/") and not href.startswith("//"):
        path, fragment = href, urlsplit(href).fragment
    elif href.startswith(("http://", "https://", "//")):
        parts = urlsplit(href if not href.startswith("//") else "https:" + href)
        if (parts.hostname or "").lower() != (base.hostname or "").lower() or parts.port != base.port:
            return None
        path, fragment = parts.path or "/", parts.fragment
    else:
        return None
    path = urlsplit(path).path
    root = base.path or "/"
    if not (path + "/").startswith(root) and path != root.rstrip("/"):
        return None
    rest = unquote(path[len(root):]) if len(path) >= len(root) else ""
    return rest + ("#" + unquote(fragment) if fragment else "")


def _replace(token: Token, env: MutableMapping[str, Any], link: PageLink) -> None:
    links: list[PageLink] = env.setdefault("page_links", [])
    token.attrs["href"] = f"brief-link:{len(links)}"
    links.append(link)
