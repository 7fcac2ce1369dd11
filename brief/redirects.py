"""Old addresses that keep working: redirect pages.

Two things ask for a redirect page, and both get the same one (an HTML page
with ``<meta http-equiv="refresh">``, a canonical link and a plain link, in no
listing and not in the sitemap; rendered by :mod:`brief.render`):

* an article's ``aliases:``, the addresses it was published at before (a
  renamed slug, an article moved from another site); an alias that is the
  address of a real page, or another article's alias too, is an error;
* a topic named in Chinese, whose page was ``topics/topic-<hash>/`` before
  topics got pinyin slugs: that address leads on to ``topics/<pinyin>/``.

:func:`gone_addresses` compares the article pages the previous build published
(from its manifest) with this build's, so that a renamed article does not
silently break links from elsewhere.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from pathlib import Path
from typing import Iterable

from .errors import Diagnostics, SourceLocation
from .load import _ascii_slug
from .model import Article, Redirect, Site


#: Folders of the output that hold files rather than pages: no alias may lead into them.
OWN_FOLDERS = ("static", "media")


def page_paths(site: Site) -> dict[str, str]:
    """The output path of every page of the site (``x/index.html``) → what it is."""
    pages = {"index.html": "the home page", "authors/index.html": "the list of authors",
             "topics/index.html": "the list of topics", "404.html": "the 'not found' page",
             "sitemap.xml": "the sitemap", "robots.txt": "robots.txt"}
    for publication in site.publications:
        pages[f"{publication.slug}/index.html"] = f"the page of {publication.title}"
    for issue in site.issues.values():
        pages[issue.url + "index.html"] = f"the page of {issue.label}"
    for article in site.articles.values():
        pages[article.url + "index.html"] = f"the page of {article.source.path}"
    for author in site.authors.values():
        pages[f"authors/{author.id}/index.html"] = f"the page of {author.name}"
    for topic in site.topics.values():
        pages[topic.url + "index.html"] = f"the page of the topic '{topic.name}'"
    return pages


def output_path(address: str) -> str:
    """The file a page at ``address`` is published as."""
    return address + "index.html" if address == "" or address.endswith("/") else address


def legacy_topic_slug(name: str) -> str:
    """A topic's slug as Brief made it before topics in Chinese were spelt in pinyin:
    ASCII letters and digits only, or else ``topic-`` and a hash of the name."""
    return _ascii_slug(name) or "topic-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def plan_redirects(site: Site, diagnostics: Diagnostics) -> tuple[Redirect, ...]:
    """The site's redirect pages: each article's aliases, each renamed topic's old address."""
    pages = page_paths(site)
    taken: dict[str, Redirect] = {}
    for article in site.articles.values():
        for alias, line in article.source.aliases:
            where = SourceLocation(article.source.path, line)
            path = output_path(alias)
            parts = alias.rstrip("/").split("/")
            # A file the site publishes where the redirect's folder would go (sitemap.xml/).
            inside = next((pages["/".join(parts[:i])] for i in range(1, len(parts) + 1) if "/".join(parts[:i]) in pages), None)
            if parts[0] in OWN_FOLDERS:
                inside = "the site's own files (static/, media/)"
            if path in pages or inside is not None:
                what = "this article's own address" if alias == article.url else pages.get(path) or inside
                diagnostics.error(
                    where, f"the alias /{alias} is the address of {what}",
                    "an alias is an old address that no page has now; remove it",
                )
                continue
            other = taken.get(path)
            if other is not None:
                diagnostics.error(
                    where, f"the alias /{alias} is also an alias of {other.location.path}",
                    "an old address can lead to one page only; remove it from one of the articles",
                )
                continue
            taken[path] = Redirect(alias, article.url, where)
    used_by: dict[str, str] = {}
    for article in site.articles.values():
        for topic in article.topics:
            used_by.setdefault(topic.slug, article.source.path)
    for topic in site.topics.values():
        old = legacy_topic_slug(topic.name)
        path = f"topics/{old}/index.html"
        # A topic page that another topic has now, or another topic's old address, keeps it.
        if old != topic.slug and path not in pages and path not in taken:
            taken[path] = Redirect(f"topics/{old}/", topic.url, SourceLocation(used_by.get(topic.slug, "")))
    return tuple(sorted(taken.values(), key=lambda r: r.path))


_LOC = re.compile(r"<loc>([^<]*)</loc>")


def published_articles(out: Path, site: Site) -> dict[str, tuple[str, str]]:
    """The article addresses that the sitemap of the output folder ``out`` lists, for
    :func:`gone_addresses` when the cache holds no record of the last build (a build with
    ``--no-cache``, or on a machine that keeps the output but not the cache). Only its
    addresses are known, not the files or titles they were made from."""
    try:
        text = (out / "sitemap.xml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    base = site.config.base_url
    publications = {publication.slug for publication in site.publications}
    found: dict[str, tuple[str, str]] = {}
    for match in _LOC.finditer(text):
        url = html.unescape(match.group(1))
        if not url.startswith(base):
            continue
        parts = url[len(base):].split("/")
        # <publication>/<slug>/: an article (an issue is <publication>/volume-N/issue-M/)
        if len(parts) == 3 and parts[0] in publications and parts[2] == "" and not parts[1].startswith("volume-"):
            found[url[len(base):]] = ("", "")
    return found


def gone_addresses(
    previous: dict[str, tuple[str, str]], site: Site, diagnostics: Diagnostics, held: Iterable[str] = ()
) -> None:
    """Warn about each article address the previous build published (``previous``:
    address → (file, title)) that this build publishes no page or redirect at, naming
    the article that most likely took its place and the ``aliases:`` line to add. An
    article that is only held back until its date (its file or address in ``held``) is not gone."""
    waiting = set(held)
    now = {article.url for article in site.articles.values()} | {r.path for r in site.redirects}
    now |= {path[: -len("index.html")] for path in page_paths(site) if path.endswith("/index.html")}
    by_path = {article.source.path: article for article in site.articles.values()}
    for address, (path, title) in sorted(previous.items()):
        if address in now or path in waiting or address in waiting:
            continue
        if path:
            heir = by_path.get(path) or _same_title(title, site.articles.values())
        else:  # known from the sitemap only: the article whose address is closest
            heir = _same_address(address, site)
            path = next((p.location.path for p in site.publications if address.startswith(p.slug + "/")), "")
        if heir is not None:
            diagnostics.warning(
                SourceLocation(heir.source.path, heir.source.line_of("slug") if "slug" in dict(heir.source.lines) else 1),
                f"/{address} was published by the last build and is gone; this article most likely replaced it",
                f"add 'aliases: [/{address}]' to its front-matter so that links to the old address keep working",
                code="address-gone",
            )
        else:
            diagnostics.warning(
                SourceLocation(path),
                f"/{address} was published by the last build and is gone, and no article replaced it",
                f"if it lives on under another address, add 'aliases: [/{address}]' to that article's front-matter",
                code="address-gone",
            )


def _same_address(address: str, site: Site) -> Article | None:
    candidates = {article.url: article for article in site.articles.values()}
    close = difflib.get_close_matches(address, list(candidates), n=1, cutoff=0.75)
    return candidates[close[0]] if close else None


def _same_title(title: str, articles: Iterable[Article]) -> Article | None:
    """The article whose title is closest to ``title`` (a renamed file keeps most of it)."""
    candidates = {article.title: article for article in articles}
    close = difflib.get_close_matches(title, list(candidates), n=1, cutoff=0.75)
    return candidates[close[0]] if close else None

