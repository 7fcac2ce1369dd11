"""``site.yaml`` → :class:`brief.model.SiteConfig`."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Diagnostics, SourceLocation
from .model import SiteConfig
from .schema import Checker, type_name
from .sources import SourceError, load_yaml_file

SITE_KEYS = (
    "title", "base_url", "language", "publisher", "description", "raw_html", "images", "time_zone",
    "serial_comma", "image_credit", "pdf", "pdf_recto", "contents_list", "related_articles", "feeds", "search",
)
IMAGE_KEYS = ("max_pixels", "max_megabytes")
FEED_KEYS = ("entries", "id_domain")
#: A domain name as a ``tag:`` URI's authority takes it (RFC 4151): letters, digits, hyphens and dots.
_DOMAIN = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_BASE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


def load_config(content: Path, display: str, diagnostics: Diagnostics) -> SiteConfig | None:
    """Read ``site.yaml`` from the content folder; ``None`` when it is unusable."""
    path = content / "site.yaml"
    if not path.is_file():
        diagnostics.error(
            SourceLocation(display),
            "the content folder has no site.yaml",
            "create it with at least 'title:' and 'base_url:'",
        )
        return None
    try:
        data = load_yaml_file(path, display)
    except SourceError as exc:
        diagnostics.extend([exc.diagnostic])
        return None
    check = Checker(data, display, diagnostics, "site.yaml")
    check.unknown_keys(SITE_KEYS)
    title = check.text("title", required=True)
    base_url = check.text("base_url", required=True, hint="add e.g. 'base_url: https://brief.example.org/'")
    if base_url and not _BASE_URL.match(base_url):
        check.error(
            check.line("base_url"),
            f"'base_url' must be an absolute http(s) URL, not '{base_url}'",
            "write e.g. https://brief.example.org/",
        )
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    language = check.text("language") or "en"
    if not _LANG.match(language):
        check.error(check.line("language"), f"'language' is not a BCP 47 language tag: '{language}'", "e.g. en, en-GB, zh-Hant")
    raw_html = check.boolean("raw_html")
    serial_comma = check.boolean("serial_comma", default=True)
    default_credit: str = SiteConfig.__dataclass_fields__["image_credit"].default  # type: ignore[assignment]
    image_credit = check.text("image_credit") or default_credit
    if image_credit.count("{credit}") != 1 or re.search(r"\{(?!credit\})|(?<!\{credit)\}", image_credit):
        check.error(
            check.line("image_credit"),
            f"'image_credit' must hold {{credit}} once, where the credit goes, and no other braces: '{image_credit}'",
            "write e.g. 'image_credit: \"(Source: {credit})\"'",
        )
        image_credit = default_credit
    limits = SiteConfig.__dataclass_fields__
    max_pixels: int = limits["max_image_pixels"].default  # type: ignore[assignment]
    max_bytes: int = limits["max_image_bytes"].default  # type: ignore[assignment]
    images = check.sub("images", "the 'images' settings")
    if images is not None:
        images.unknown_keys(IMAGE_KEYS)
        max_pixels = images.integer("max_pixels") or max_pixels
        megabytes = images.integer("max_megabytes")
        if megabytes:
            max_bytes = megabytes * 1024 * 1024
    feed_entries: int = limits["feed_entries"].default  # type: ignore[assignment]
    feed_id_domain = ""
    feeds = check.sub("feeds", "the 'feeds' settings")
    if feeds is not None:
        feeds.unknown_keys(FEED_KEYS)
        entries = feeds.integer("entries", minimum=0)
        feed_entries = feed_entries if entries is None else entries
        feed_id_domain = feeds.text("id_domain")
        if feed_id_domain and not _DOMAIN.match(feed_id_domain):
            feeds.error(
                feeds.line("id_domain"), f"'id_domain' must be a domain name such as example.org, not '{feed_id_domain}'",
                "write the host of the address the site was first published at, without https:// or a path",
            )
            feed_id_domain = ""
    time_zone = check.text("time_zone") or "UTC"
    if not _known_time_zone(time_zone):
        check.error(
            check.line("time_zone"), f"'time_zone' is not a known time zone: '{time_zone}'",
            "write an IANA name such as UTC, Asia/Taipei or America/New_York",
        )
        time_zone = "UTC"
    pdf_issues = _pdf_setting(check)
    pdf_recto = check.boolean("pdf_recto")
    reading = SiteConfig.__dataclass_fields__
    contents_list = _count_or_off(check, "contents_list")
    related = _count_or_off(check, "related_articles")
    return SiteConfig(
        title=title,
        base_url=base_url,
        language=language,
        publisher=check.text("publisher"),
        description=check.text("description"),
        raw_html=raw_html,
        max_image_pixels=max_pixels,
        max_image_bytes=max_bytes,
        time_zone=time_zone,
        serial_comma=serial_comma,
        image_credit=image_credit,
        pdf_issues=pdf_issues,
        pdf_recto=pdf_recto,
        contents_list=reading["contents_list"].default if contents_list is None else contents_list,  # type: ignore[arg-type]
        related_articles=reading["related_articles"].default if related is None else related,  # type: ignore[arg-type]
        feed_entries=feed_entries,
        feed_id_domain=feed_id_domain.lower(),
        search=check.boolean("search", default=True),
    )


def _pdf_setting(check: Checker) -> int | None:
    """``pdf:``: ``all`` (or left out) → None, ``false`` → 0, a whole number N → N."""
    value = check.data.get("pdf")
    if value is None or value == "all":
        return None
    if value is False:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    shown = f"'{value}'" if isinstance(value, str) else type_name(value)
    check.error(
        check.line("pdf"), f"'pdf' must be all, false or a number of issues, not {shown}",
        "write 'pdf: all' (every issue), 'pdf: 10' (the newest 10 issues of each publication) or 'pdf: false'",
    )
    return None


def _count_or_off(check: Checker, key: str) -> int | None:
    """A whole number of 0 or more, where ``false`` means 0 (the feature off)."""
    if check.data.get(key) is False:
        return 0
    return check.integer(key, minimum=0)


def _known_time_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True
