"""Citations in the house style: parsing dates, inferring years, building sources.

The house style cites a source inline, in parentheses, with its outlet and
date::

    ([MND](https://…), December 9)
    ([MND](https://…), March 29, 2018)
    (MND, December [10](https://…), [11](https://…))
    ([MND](https://…), accessed November 26)
    ([MND](https://…), December 9; [Reuters](https://…), December 10)

This module knows the grammar of one parenthesis once links have been taken
out of it (each link stands as a numbered placeholder), and the year rule: a
date without a year takes the issue's year, or the year before when that
would fall after the issue date. :mod:`brief.mdplugins.citations` applies it
to Markdown tokens.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

#: ``December 9``, ``Dec. 9, 2024``, ``9 December 2024``, ``2024-12-09``.
DATE_RE = re.compile(
    r"(?:" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?"
    r"|(?P<day2>\d{1,2})\s+" + _MONTH.replace("month", "month2") + r"(?:,?\s+(?P<year2>\d{4}))?"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))",
    re.I,
)

#: A link placeholder inside a flattened parenthesis: ``\ue000<n>\ue001``. ``\ue002``
#: stands for anything that is neither text nor a link (an image, a note reference).
LINK = "\ue000{}\ue001"
_LINK_RE = r"\ue000(?P<{}>\d+)\ue001"
_SEP = r"\s*(?:,|\band\b|&)\s*"

# [Outlet](url), December 9   |   [Outlet](url), accessed November 26   |   [Outlet](url)
_ITEM_LINKED_OUTLET = re.compile(
    r"^" + _LINK_RE.format("link") + r"(?:\s*,\s*(?P<accessed>accessed\s+)?(?P<date>[^;]+?))?\s*$", re.I
)
# Outlet, December [10](url), [11](url)[, 2024]
_ITEM_LINKED_DAYS = re.compile(
    r"^(?P<outlet>[^\ue000-\ue002,]+?)\s*,\s*(?P<accessed>accessed\s+)?" + _MONTH
    + r"\s+(?P<links>" + _LINK_RE.format("first") + r"(?:" + _SEP + r"\ue000\d+\ue001)*)"
    + r"(?:\s*,\s*(?P<year>\d{4}))?\s*$",
    re.I,
)
# Outlet, [December 10](url)
_ITEM_LINKED_DATE = re.compile(
    r"^(?P<outlet>[^\ue000-\ue002,]+?)\s*,\s*(?P<accessed>accessed\s+)?" + _LINK_RE.format("link") + r"\s*$", re.I
)
_PREFIX = re.compile(r"^\s*(?:sources?|see(?:\s+also)?|cf\.|via)\s*:?\s+", re.I)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as written: the year may be missing."""

    month: int
    day: int
    year: int | None = None


@dataclass(frozen=True, slots=True)
class CitedLink:
    """What a citation says about one link inside it."""

    outlet: str
    date: dt.date | None = None
    accessed: dt.date | None = None


def parse_date(text: str) -> PartialDate | None:
    """Parse a whole date expression (``December 9``, ``March 29, 2018``); ``None`` if it is not one."""
    match = DATE_RE.fullmatch(text.strip().rstrip(".").rstrip())
    if not match:
        return None
    if match["iso"]:
        year, month, day = (int(p) for p in match["iso"].split("-"))
        return PartialDate(month, day, year)
    if match["month"]:
        month, day, year = MONTHS[match["month"].lower()], int(match["day"]), match["year"]
    else:
        month, day, year = MONTHS[match["month2"].lower()], int(match["day2"]), match["year2"]
    return PartialDate(month, day, int(year) if year else None)


def resolve_year(date: PartialDate, reference: dt.date) -> dt.date | None:
    """The year rule: a date without a year takes ``reference``'s year, or the
    year before when that would fall after ``reference``. ``None`` if the date
    does not exist (``February 30``), and for ``February 29`` when neither of
    those two years has one on or before ``reference``: the rule never reaches
    further back, so readers can always tell the year, and the editor is asked
    to write it."""
    if date.year is not None:
        try:
            return dt.date(date.year, date.month, date.day)
        except ValueError:
            return None
    for year in (reference.year, reference.year - 1):
        try:
            candidate = dt.date(year, date.month, date.day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


def format_date(date: dt.date, reference: dt.date | None = None) -> str:
    """``December 9`` when the year rule would give this date back, else ``December 9, 2024``."""
    text = f"{MONTH_NAMES[date.month - 1]} {date.day}"
    if reference is not None and resolve_year(PartialDate(date.month, date.day), reference) == date:
        return text
    return f"{text}, {date.year}"


def format_long_date(date: dt.date) -> str:
    return f"{MONTH_NAMES[date.month - 1]} {date.day}, {date.year}"


class BadDate(ValueError):
    """A citation's date does not exist (e.g. February 30)."""


def parse_group(text: str, link_texts: list[str], reference: dt.date) -> dict[int, CitedLink] | None:
    """Parse one parenthesis whose links are placeholders.

    ``text`` is the inside of the parenthesis; ``link_texts[n]`` is the text of
    placeholder ``n``. Returns what the citation says about each link, or
    ``None`` when the parenthesis is not a citation (every ``;``-separated item
    must be one). Raises :class:`BadDate` for an impossible date.
    """
    found: dict[int, CitedLink] = {}
    items = text.split(";")
    for index, raw_item in enumerate(items):
        item = raw_item.strip()
        if index == 0:
            item = _PREFIX.sub("", item)
        if "\ue000" not in item:
            return None
        cited = _parse_item(item, link_texts, reference)
        if cited is None:
            return None
        found.update(cited)
    return found


def _to_date(partial: PartialDate | None, reference: dt.date, text: str) -> dt.date | None:
    if partial is None:
        return None
    resolved = resolve_year(partial, reference)
    if resolved is None:
        raise BadDate(text)
    return resolved


def _parse_item(item: str, link_texts: list[str], reference: dt.date) -> dict[int, CitedLink] | None:
    match = _ITEM_LINKED_OUTLET.match(item)
    if match:
        link = int(match["link"])
        outlet = link_texts[link].strip()
        date_text = match["date"]
        if date_text is None:
            return {link: CitedLink(outlet)} if outlet else None
        partial = parse_date(date_text)
        if partial is None or not outlet:
            return None
        date = _to_date(partial, reference, date_text)
        if match["accessed"]:
            return {link: CitedLink(outlet, accessed=date)}
        return {link: CitedLink(outlet, date=date)}
    match = _ITEM_LINKED_DAYS.match(item)
    if match:
        outlet = match["outlet"].strip()
        month = MONTHS[match["month"].lower()]
        year = int(match["year"]) if match["year"] else None
        result = {}
        for link_match in re.finditer(r"\ue000(\d+)\ue001", match["links"]):
            link = int(link_match[1])
            day_text = link_texts[link].strip()
            if not day_text.isdigit():
                return None
            date = _to_date(PartialDate(month, int(day_text), year), reference, f"{match['month']} {day_text}")
            result[link] = CitedLink(outlet, accessed=date) if match["accessed"] else CitedLink(outlet, date=date)
        return result
    match = _ITEM_LINKED_DATE.match(item)
    if match:
        link = int(match["link"])
        partial = parse_date(link_texts[link])
        if partial is None:
            return None
        date = _to_date(partial, reference, link_texts[link])
        outlet = match["outlet"].strip()
        return {link: CitedLink(outlet, accessed=date) if match["accessed"] else CitedLink(outlet, date=date)}
    return None
