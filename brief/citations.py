"""Citations in the house style: parsing dates, inferring years, building sources.

The house style cites a source inline, in parentheses, with its outlet and
date::

    ([MND](https://…), December 9)
    ([MND](https://…), March 29, 2018)
    ([DNI](https://…), July 2024)
    (MND, December [10](https://…), [11](https://…))
    (MND, May [24](…), [25](…), [October 15](…), December [8](…), [9](…))
    (Joint Staff, November [27](…), [28](…) [\\[1\\]](…), [\\[2\\]](…))
    (PRC Central Government, [July 27, 2017](…), [September 18, 2018](…))
    ([Mil.ru](…), [Flot.com](…), April 21)
    ([MND](https://…), accessed November 26)
    ([MND](https://…), December 9; [Reuters](https://…), December 10; [11](…))

This module knows the grammar of one parenthesis once links have been taken
out of it (each link stands as a numbered placeholder), and the year rule: a
date without a year takes the issue's year, or the year before when that
would fall after the issue date. :mod:`brief.mdplugins.citations` applies it
to Markdown tokens.

A parenthesis is read item by item (items are separated by ``;``). An item
that is not a citation leaves its links plain sources and does not spoil the
others. An item that *almost* is one (a misspelt month, a full stop inside, a
date that does not exist) gives a :class:`Problem`, and its links keep what
could be read of them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, field

from .model import SourceDate, YearMonth

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
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = r"(?P<month>" + _MONTH_WORDS + r")\.?"

#: ``December 9``, ``Dec. 9, 2024``, ``9 December 2024``, ``2024-12-09``, ``July 2024``.
DATE_RE = re.compile(
    r"(?:" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?"
    r"|(?P<day2>\d{1,2})\s+" + _MONTH.replace("month", "month2") + r"(?:,?\s+(?P<year2>\d{4}))?"
    r"|" + _MONTH.replace("month", "month3") + r",?\s+(?P<year3>\d{4})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2})|(?P<isomonth>\d{4}-\d{2}))",
    re.I,
)

#: A link placeholder inside a flattened parenthesis: ``\ue000<n>\ue001``. ``\ue002``
#: stands for anything that is neither text nor a link (an image, a note reference).
LINK = "\ue000{}\ue001"
_LINK_NUMBER = re.compile(r"\ue000(\d+)\ue001")
_ONLY_LINK = re.compile(r"^\ue000(\d+)\ue001$")
#: Links joined by ``and`` or ``&`` (several outlets, or days, in one comma-separated part).
_AND = re.compile(r"\s+(?:and|&)\s+|\s*&\s*", re.I)
#: One or more links, the first optionally after a month: ``December [8](…)``,
#: ``[28](…) [\[1\]](…)``.
_LINKS_PART = re.compile(
    r"^(?:(?P<month>" + _MONTH_WORDS + r")\.?\s+)?(?P<links>\ue000\d+\ue001(?:\s*\ue000\d+\ue001)*)$", re.I
)
_ACCESSED = re.compile(r"^accessed\s+", re.I)
_YEAR = re.compile(r"^\d{4}$")
#: A part label after a dated link: ``[1]``, ``(2)``.
_LABEL = re.compile(r"^(?:\[\s*\w{1,4}\s*\]|\(\s*\w{1,4}\s*\))$")
#: Words that may open a parenthesis or one of its items before the citation itself.
_PREFIX = re.compile(
    r"^\s*(?:(?:(?:image\s+)?sources?|see(?:\s+also)?|cf\.|via|e\.\s?g\.|i\.\s?e\.|for\s+example)\s*[:,]?\s+)+", re.I
)
#: The longest text read for a near miss: a citation is short, and the checks must stay
#: cheap on hostile input (a paragraph of thousands of open parentheses).
NEAR_MISS_LENGTH = 400
_MONTH_NAMES_LOWER = [m.lower() for m in MONTH_NAMES]
#: A word before a day (or a linked day) that is close to a month's name: a misspelt month.
_MONTHISH = re.compile(r"(?<![\w\ue000])([A-Za-z]{3,10})\.?(?=\s+(?:\d|\ue000))")
#: A full stop right after the outlet, where the comma belongs.
_STOP_AFTER_OUTLET = re.compile(r"^(\ue000\d+\ue001|[^\ue000-\ue002.,;]+?)\s*\.\s+")
#: A linked outlet followed by its date without the comma.
_NO_COMMA_AFTER_OUTLET = re.compile(r"^(\ue000(\d+)\ue001)\s+(?=(?:" + _MONTH_WORDS + r")\b|\d)", re.I)
#: Linked outlets followed by a month alone.
_MONTH_ALONE = re.compile(r"^(.+?),\s+((?:" + _MONTH_WORDS + r")\.?)$", re.I)
#: Where a parenthesis that is never closed may end: a full stop, or the end of the text.
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as written: the year may be missing, and the day too when the year is given."""

    month: int
    day: int | None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class CitedLink:
    """What a citation says about one link inside it."""

    outlet: str
    date: SourceDate | None = None
    accessed: SourceDate | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something to tell the editor about a parenthesis: a warning code, a message, a hint."""

    code: str
    message: str
    hint: str


def _warn(problems: list[Problem], code: str, message: str, hint: str) -> None:
    problems.append(Problem(code, message, hint))


@dataclass(slots=True)
class GroupReading:
    """What one parenthesis says: the links it cites (by placeholder number) and its near misses."""

    links: dict[int, CitedLink] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def parse_date(text: str) -> PartialDate | None:
    """Parse a whole date expression (``December 9``, ``March 29, 2018``, ``July 2024``); ``None`` if it is not one."""
    match = DATE_RE.fullmatch(text.strip())
    if not match:
        return None
    if match["iso"]:
        year, month, day = (int(p) for p in match["iso"].split("-"))
        return PartialDate(month, day, year)
    if match["isomonth"]:
        year, month = (int(p) for p in match["isomonth"].split("-"))
        return PartialDate(month, None, year)
    if match["month"]:
        written = match["month"], match["day"], match["year"]
    elif match["month2"]:
        written = match["month2"], match["day2"], match["year2"]
    else:
        return PartialDate(MONTHS[match["month3"].lower()], None, int(match["year3"]))
    return PartialDate(MONTHS[written[0].lower()], int(written[1]), int(written[2]) if written[2] else None)


def resolve_year(date: PartialDate, reference: dt.date) -> SourceDate | None:
    """The year rule: a date without a year takes ``reference``'s year, or the
    year before when that would fall after ``reference``. ``None`` if the date
    does not exist (``February 30``), and for ``February 29`` when neither of
    those two years has one on or before ``reference``: the rule never reaches
    further back, so readers can always tell the year, and the editor is asked
    to write it. A month with its year and no day gives a :class:`YearMonth`."""
    if date.day is None:
        if date.year is None or not 1 <= date.month <= 12:
            return None
        return YearMonth(date.year, date.month)
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


def next_within_week(date: PartialDate, reference: dt.date) -> dt.date | None:
    """For a date without a year: its next occurrence when that falls in the week after
    ``reference`` (1 to 7 days after it), the date an editor most likely meant; else ``None``."""
    if date.year is not None or date.day is None or (date.month - reference.month) % 12 > 1:
        return None
    for year in (reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, date.month, date.day)
        except ValueError:
            continue
        if 1 <= (candidate - reference).days <= 7:
            return candidate
    return None


def format_date(date: SourceDate, reference: dt.date | None = None) -> str:
    """``December 9`` when the year rule would give this date back, else ``December 9, 2024``;
    ``July 2024`` for a month."""
    if isinstance(date, YearMonth):
        return format_long_date(date)
    text = f"{MONTH_NAMES[date.month - 1]} {date.day}"
    if reference is not None and resolve_year(PartialDate(date.month, date.day), reference) == date:
        return text
    return f"{text}, {date.year}"


def format_long_date(date: SourceDate) -> str:
    """``December 9, 2024``, or ``July 2024`` for a month: never an invented day."""
    if isinstance(date, YearMonth):
        return f"{MONTH_NAMES[date.month - 1]} {date.year}"
    return f"{MONTH_NAMES[date.month - 1]} {date.day}, {date.year}"


def bad_date_hint(date: PartialDate) -> str:
    if date.year is None and (date.month, date.day) == (2, 29):
        return "write the year: neither the issue's year nor the year before has a February 29 by the issue date"
    return "check the month and day"


# --- one parenthesis --------------------------------------------------------------------


@dataclass(slots=True)
class _Dated:
    """A date as written in one item, and the links it dates (a part label joins its link's)."""

    written: str
    partial: PartialDate
    accessed: bool
    links: list[int]


@dataclass(slots=True)
class _Item:
    """One item of a parenthesis, read: its outlet, its dated links, the links that name the outlet."""

    outlet: str
    outlet_links: list[int]
    dated: list[_Dated]
    #: The dates written in plain text, which date the outlet links.
    plain: list[_Dated]


@dataclass(slots=True)
class _Context:
    """What a following item may leave out: ``…, December 10; [11](…)``."""

    outlet: str
    month: int | None
    year: int | None


def parse_group(text: str, link_texts: list[str], reference: dt.date) -> GroupReading:
    """Read one parenthesis whose links are placeholders.

    ``text`` is the inside of the parenthesis; ``link_texts[n]`` is the text of
    placeholder ``n``. Items separated by ``;`` are read one by one; the links
    of an item that is not a citation are left out of the result.
    """
    reading = GroupReading({}, [])
    if ";" not in text:
        if _fast_path(text, link_texts, reference, reading):
            return reading
    elif all(_fast_path(item, link_texts, reference, reading) for item in text.split(";")):
        return reading
    else:
        reading = GroupReading({}, [])
    return _read_items(text, link_texts, reference, reading)


def _read_items(text: str, link_texts: list[str], reference: dt.date, reading: GroupReading) -> GroupReading:
    """:func:`parse_group` without its fast path: item by item."""
    context: _Context | None = None
    for raw_item in text.split(";"):
        item = _PREFIX.sub("", raw_item).strip()
        if "\ue000" not in item:
            context = None
            continue
        parsed = _parse_item(item, link_texts, context)
        if parsed is None:
            context = None
            near = _near_miss(item, link_texts, reference)
            if near is not None:
                reading.problems.extend(near[0])
                _record(near[1], link_texts, reference, reading, with_dates=near[2])
            continue
        context = _record(parsed, link_texts, reference, reading, with_dates=True)
    return reading


#: The two most common forms, read without splitting the item into parts: ``[MND](…),
#: [accessed] December 9[, 2024]`` and ``MND, December [9](…)[, [10](…)…][, 2024]``.
_FAST_LINKED_OUTLET = re.compile(
    r"^\ue000(\d+)\ue001,\s+(?:(?P<accessed>accessed)\s+)?(?P<date>(?P<month>" + _MONTH_WORDS
    + r")\.?\s+(?P<day>\d{1,2}))(?:,\s+(?P<year>\d{4}))?$", re.I,
)
_FAST_LINKED_DAYS = re.compile(
    r"^(?P<outlet>[^\ue000-\ue002,;.]+),\s+(?P<month>" + _MONTH_WORDS
    + r")\.?\s+(?P<links>\ue000\d+\ue001(?:\s*(?:,|\band\b|&)\s*\ue000\d+\ue001)*)(?:,\s+(?P<year>\d{4}))?$", re.I,
)


def _fast_path(text: str, link_texts: list[str], reference: dt.date, reading: GroupReading) -> bool:
    """Read ``text`` if it is one of the two most common forms (as :func:`parse_group` would);
    ``False`` if it is not, and then nothing is read."""
    text = text.strip()
    match = _FAST_LINKED_OUTLET.match(text)
    if match:
        number = int(match[1])
        outlet = link_texts[number].strip()
        if not outlet or _is_dateish(outlet):
            return False
        year = int(match["year"]) if match["year"] else None
        written = match["date"] + (f", {year}" if year else "")
        date = _resolve(PartialDate(MONTHS[match["month"].lower()], int(match["day"]), year), written, reference, reading)
        reading.links[number] = CitedLink(outlet, accessed=date) if match["accessed"] else CitedLink(outlet, date=date)
        return True
    match = _FAST_LINKED_DAYS.match(text)
    if match:
        outlet = match["outlet"].strip()
        if not _plain_outlet(outlet):
            return False
        numbers = [int(n) for n in _LINK_NUMBER.findall(match["links"])]
        labels = [link_texts[n].strip() for n in numbers]
        if not all(label.isdigit() and len(label) <= 2 for label in labels):
            return False
        month = MONTHS[match["month"].lower()]
        year = int(match["year"]) if match["year"] else None
        for number, label in zip(numbers, labels):
            written = f"{match['month']} {label}" + (f", {year}" if year else "")
            date = _resolve(PartialDate(month, int(label), year), written, reference, reading)
            reading.links.setdefault(number, CitedLink(outlet, date=date))
        return True
    return False


def parse_unclosed(text: str, link_texts: list[str], reference: dt.date) -> GroupReading | None:
    """Read what follows a ``(`` that is never closed, up to a sentence end or the end
    of the text; ``None`` unless it is a citation with a date (then with a problem)."""
    text = text[:NEAR_MISS_LENGTH]
    if "\ue000" not in text:
        return None
    ends = [m.start() for m in _SENTENCE_END.finditer(text)][:3] + [len(text)]
    for end in ends:
        candidate = text[:end].rstrip()
        if "\ue000" not in candidate:
            continue
        reading = parse_group(candidate, link_texts, reference)
        if any(link.date or link.accessed for link in reading.links.values()):
            last = candidate.rsplit(None, 2)
            tail = " ".join(last[-2:]) if len(last) >= 2 else candidate
            tail = _LINK_NUMBER.sub(lambda m: link_texts[int(m[1])].strip(), tail)
            problems: list[Problem] = []
            _warn(problems, "citation-form", "the citation's parenthesis is never closed", f"add ')' after '{tail}'")
            reading.problems[:0] = problems
            return reading
    return None


def _split_parts(item: str) -> list[str]:
    parts = [p.strip() for p in item.split(",")]
    out = parts[:1]
    for part in parts[1:]:
        out.extend(p.strip() for p in _AND.split(part))
    return out


@functools.lru_cache(maxsize=4096)
def _plain_outlet(text: str) -> bool:
    """Whether plain text before the first comma can be an outlet's name as the fast path reads it
    (not a lead-in such as ``see``, not ``accessed``, not a date or a year)."""
    return not (_PREFIX.match(text + " ") or _ACCESSED.match(text) or parse_date(text) is not None or _YEAR.match(text))


@functools.lru_cache(maxsize=4096)
def _is_dateish(text: str) -> bool:
    """Whether a link's text is a day, a date or a part label rather than an outlet's name."""
    text = text.strip()
    return text.isdigit() or bool(_LABEL.match(text)) or parse_date(text) is not None


def _outlet_links(part: str, link_texts: list[str]) -> list[int] | None:
    """The links of a part that names the outlet(s): ``[MND](…)``, ``[A](…) and [B](…)``."""
    links = []
    for piece in _AND.split(part.strip()):
        match = _ONLY_LINK.match(piece.strip())
        if not match:
            return None
        number = int(match[1])
        label = link_texts[number].strip()
        if not label or _is_dateish(label):
            return None
        links.append(number)
    return links


def _parse_item(item: str, link_texts: list[str], context: _Context | None) -> _Item | None:
    """Read one item; ``None`` when it is not a citation."""
    parts = _split_parts(item)
    first = parts[0]
    outlet = ""
    outlet_links: list[int] = []
    month: int | None = None
    year: int | None = None
    rest = parts[1:]
    linked_outlets = _outlet_links(first, link_texts)
    if linked_outlets is not None:
        outlet_links = linked_outlets
        # more linked outlets may follow, each after a comma: ([Mil.ru](…), [Flot.com](…), April 21)
        while rest and (more := _outlet_links(rest[0], link_texts)) is not None:
            outlet_links += more
            rest = rest[1:]
        outlet = link_texts[outlet_links[0]].strip() if len(outlet_links) == 1 else ""
    elif not re.search("[\ue000-\ue002]", first) and first and not _YEAR.match(first) and parse_date(first) is None \
            and not _ACCESSED.match(first):
        outlet = first
    elif context is not None:
        # a continuation: "[Reuters](…), December 10; [11](…)" → this item is "[11](…)"
        outlet, month, year = context.outlet, context.month, context.year
        rest = parts
    else:
        return None
    dated: list[_Dated] = []
    plain: list[_Dated] = []
    pending: list[_Dated] = []  # dates without a year that a following year applies to
    accessed = False
    for part in rest:
        if _ACCESSED.match(part):
            accessed = True
            part = _ACCESSED.sub("", part)
        if not part or "\ue002" in part:
            return None
        if _YEAR.match(part):
            if not pending:
                return None
            for entry in pending:
                entry.partial = PartialDate(entry.partial.month, entry.partial.day, int(part))
                entry.written += f", {part}"
            pending = []
            continue
        if "\ue000" not in part:
            partial = parse_date(part)
            if partial is None:
                return None
            entry = _Dated(part, partial, accessed, [])
            plain.append(entry)
            month = partial.month
            if partial.year is None:
                pending.append(entry)
            continue
        match = _LINKS_PART.match(part)
        if not match:
            return None
        if match["month"]:
            month = MONTHS[match["month"].lower()]
        month_word = match["month"] or (MONTH_NAMES[month - 1] if month else "")
        for link_match in _LINK_NUMBER.finditer(match["links"]):
            number = int(link_match[1])
            label = link_texts[number].strip()
            if _LABEL.match(label):
                if not dated:
                    return None
                dated[-1].links.append(number)
                continue
            if label.isdigit() and len(label) <= 2:
                if month is None:
                    return None
                entry = _Dated(f"{month_word} {label}", PartialDate(month, int(label), year), accessed, [number])
            else:
                partial = parse_date(label)
                if partial is None:
                    return None
                entry = _Dated(label, partial, accessed, [number])
                month = partial.month
            dated.append(entry)
            if entry.partial.year is None:
                pending.append(entry)
    if not outlet and not outlet_links:
        return None
    return _Item(outlet, outlet_links, dated, plain)


def _record(item: _Item, link_texts: list[str], reference: dt.date, reading: GroupReading,
            with_dates: bool) -> _Context | None:
    """Add an item's links to ``reading`` (with their dates unless ``with_dates`` is false,
    for an item whose dates cannot be trusted), and the problems its dates have; return
    what a following item may leave out."""
    outlet = item.outlet or (link_texts[item.outlet_links[0]].strip() if item.outlet_links else "")
    last: _Dated | None = None
    for entry in item.plain + item.dated:
        last = entry
        numbers = entry.links or item.outlet_links  # a plain date dates the outlet links
        numbers = [n for n in numbers if n not in reading.links]
        if not numbers:
            continue
        date = _resolve(entry.partial, entry.written, reference, reading) if with_dates else None
        for number in numbers:
            name = link_texts[number].strip() if number in item.outlet_links else outlet
            reading.links[number] = CitedLink(name, accessed=date) if entry.accessed else CitedLink(name, date=date)
    for number in item.outlet_links:  # outlet links without a date of their own
        reading.links.setdefault(number, CitedLink(link_texts[number].strip()))
    if not outlet:
        return None
    if last is None:
        return _Context(outlet, None, None)
    return _Context(outlet, last.partial.month, last.partial.year)


def _resolve(partial: PartialDate, written: str, reference: dt.date, reading: GroupReading) -> SourceDate | None:
    """The date the year rule gives ``partial``, with a problem for a date that does not
    exist or that falls in the week after the issue."""
    resolved = resolve_year(partial, reference)
    if resolved is None:
        _warn(reading.problems, "citation-date", f"the citation date '{written}' does not exist",
              bad_date_hint(partial))
        return None
    meant = next_within_week(partial, reference)
    if meant is not None:
        gap = (meant - reference).days
        days = "1 day" if gap == 1 else f"{gap} days"
        _warn(
            reading.problems, "citation-year",
            f"the citation date '{written}' has no year, so it is read as "
            f"{format_long_date(resolved)}, almost a year before the issue",
            f"write the year: '{written}, {meant.year}' if you mean the {written} {days} after the issue, "
            f"or '{written}, {resolved.year}'",
        )
    return resolved


@functools.lru_cache(maxsize=1024)
def _misspelt_month(word: str) -> str | None:
    """The month's name a (lower-case) word is a misspelling of, or ``None``."""
    if word in MONTHS or word[0] not in "jfmasond":
        return None
    close = difflib.get_close_matches(word, _MONTH_NAMES_LOWER, n=1, cutoff=0.8)
    return close[0] if close else None


def _near_miss(item: str, link_texts: list[str], reference: dt.date) -> tuple[list[Problem], _Item, bool] | None:
    """An item that is not a citation but almost is one: the problem to report, the item
    as it would read once fixed, and whether its dates can be trusted."""
    if len(item) > NEAR_MISS_LENGTH:
        return None
    # a full stop inside the parenthesis: "([MND](…), December 9.)"
    if item.endswith(".") and not item.endswith(".."):
        fixed = _parse_item(item[:-1].rstrip(), link_texts, None)
        if fixed is not None and (fixed.dated or fixed.plain):
            problems: list[Problem] = []
            _warn(problems, "citation-form", "the citation ends with a full stop inside its parenthesis",
                  "move the full stop after the closing parenthesis")
            return problems, fixed, True
    # a full stop where the comma belongs: "([MND](…). December 9)"
    match = _STOP_AFTER_OUTLET.match(item)
    if match:
        fixed = _parse_item(match[1] + ", " + item[match.end():], link_texts, None)
        if fixed is not None and (fixed.dated or fixed.plain):
            outlet = _LINK_NUMBER.sub(lambda m: link_texts[int(m[1])].strip(), match[1]).strip()
            problems = []
            _warn(problems, "citation-form", "the citation has a full stop where a comma belongs",
                  f"write a comma after '{outlet}'")
            return problems, fixed, True
    # no comma between the outlet and the date: "([MND](…) December 9)"
    match = _NO_COMMA_AFTER_OUTLET.match(item)
    if match:
        fixed = _parse_item(match[1] + ", " + item[match.end():], link_texts, None)
        if fixed is not None and (fixed.dated or fixed.plain):
            problems = []
            _warn(problems, "citation-form", "the citation has no comma between the outlet and the date",
                  f"write a comma after '{link_texts[int(match[2])].strip()}'")
            return problems, fixed, True
    # a month with neither day nor year: "([DNI](…), July)"
    match = _MONTH_ALONE.match(item)
    if match and (outlets := _outlet_links(match[1], link_texts)):
        problems = []
        month = match[2]
        number = MONTHS[month.rstrip(".").lower()]
        year = reference.year if number <= reference.month else reference.year - 1
        _warn(problems, "citation-form", f"the citation date '{month}' has neither a day nor a year",
              f"write the day, or the year for a source dated by the month: '{month} {year}'")
        return problems, _Item("", outlets, [], []), False
    # a misspelt month: "([MND](…), Febuary 19)", "(MND, [Febuary 19](…))"
    tries = 0
    for where, text in [(-1, item), *((n, link_texts[n]) for n in map(int, _LINK_NUMBER.findall(item)))]:
        for word_match in _MONTHISH.finditer(text):
            close = _misspelt_month(word_match[1].lower())
            if close is None:
                continue
            word = word_match[1]
            tries += 1
            if tries > 3:
                return None
            right = MONTH_NAMES[MONTHS[close] - 1]
            fixed_text = text[:word_match.start(1)] + right + text[word_match.end(1):]
            texts = link_texts if where < 0 else [*link_texts[:where], fixed_text, *link_texts[where + 1:]]
            fixed = _parse_item(fixed_text if where < 0 else item, texts, None)
            if fixed is None or not (fixed.dated or fixed.plain):
                continue
            after = text[word_match.end():]
            day = re.match(r"\.?\s+(\d{1,2}|\ue000(\d+)\ue001)", after)
            shown = word
            if day:
                shown = f"{word} {day[1] if day[2] is None else link_texts[int(day[2])].strip()}"
            suggestion = shown.replace(word, right, 1)
            problems = []
            _warn(problems, "citation-form", f"the citation date '{shown}' has a misspelt month",
                  f"did you mean '{suggestion}'?")
            return problems, fixed, False
    return None
