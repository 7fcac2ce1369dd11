"""Citations: date parsing, the year rule, house-style parentheses, ``[@key]`` and the source list.

The unit tests call :mod:`brief.citations` directly; the rest render an
article body with :func:`brief.markdown.render_article` (issue dated
2026-01-14, body starting on line 10 of ``article.md``) and look at the
:class:`~brief.model.Source` list, the HTML and the diagnostics.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from brief.citations import (
    LINK, CitedLink, GroupReading, PartialDate, Problem, format_date, format_long_date, next_within_week, parse_date,
    parse_group, resolve_year,
)
from brief.errors import Diagnostic
from brief.markdown import render_article
from sites import article, build_errors, build_ok, write_site
from brief.model import ArticleContent, ArticleSource, CitationEntry, NoteSource, Source, YearMonth, date_sort_key

ISSUE = dt.date(2026, 1, 14)
BODY_LINE = 10
D = dt.date


def render(body: str, issue: dt.date = ISSUE, **fields: Any) -> tuple[ArticleContent, list[Diagnostic]]:
    source = ArticleSource(
        path="article.md", file_name="article.md", issue_key="v1n1", slug="article", title="Title",
        authors=(), body=body, body_line=BODY_LINE, **fields,
    )
    return render_article(source, issue)


def sources_of(body: str, **fields: Any) -> list[Source]:
    content, problems = render(body, **fields)
    assert problems == []
    return list(content.sources)


# --- Dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("December 9", PartialDate(12, 9)),
        ("december 9", PartialDate(12, 9)),
        ("Dec 9", PartialDate(12, 9)),
        ("Dec. 9", PartialDate(12, 9)),
        ("Sept 3", PartialDate(9, 3)),
        ("December 9th", PartialDate(12, 9)),
        ("March 1st", PartialDate(3, 1)),
        ("March 29, 2018", PartialDate(3, 29, 2018)),
        ("March 29 2018", PartialDate(3, 29, 2018)),
        ("9 December", PartialDate(12, 9)),
        ("9 December 2024", PartialDate(12, 9, 2024)),
        ("2024-12-09", PartialDate(12, 9, 2024)),
        ("  January 3  ", PartialDate(1, 3)),
        ("February 30", PartialDate(2, 30)),  # parses; resolving it fails
        # a month and year without a day: month precision, never an invented day
        ("July 2024", PartialDate(7, None, 2024)),
        ("Jul. 2024", PartialDate(7, None, 2024)),
        ("July, 2024", PartialDate(7, None, 2024)),
        ("2024-07", PartialDate(7, None, 2024)),
    ],
)
def test_parse_date_reads_written_dates(text: str, expected: PartialDate) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["December", "9", "Foo 9", "December 9, 18", "December 9 and 10", "last Tuesday", "", "12/09/2024",
     "December 9.", "2024", "July 20245", "Febuary 19"],
)
def test_parse_date_rejects_what_is_not_a_whole_date(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("written", "issue", "expected"),
    [
        # The examples of the contract, issue 2026-01-14.
        (PartialDate(12, 9), D(2026, 1, 14), D(2025, 12, 9)),
        (PartialDate(1, 3), D(2026, 1, 14), D(2026, 1, 3)),
        (PartialDate(1, 14), D(2026, 1, 14), D(2026, 1, 14)),  # the issue date itself is not "after"
        (PartialDate(1, 15), D(2026, 1, 14), D(2025, 1, 15)),  # one day after → the year before
        (PartialDate(12, 31), D(2026, 1, 14), D(2025, 12, 31)),
        (PartialDate(1, 1), D(2026, 1, 1), D(2026, 1, 1)),
        (PartialDate(12, 31), D(2026, 12, 31), D(2026, 12, 31)),
        # A written year is kept, even one after the issue.
        (PartialDate(3, 29, 2018), D(2026, 1, 14), D(2018, 3, 29)),
        (PartialDate(3, 1, 2027), D(2026, 1, 14), D(2027, 3, 1)),
        # February 29: the issue's year or the year before, whichever has one by the issue date.
        (PartialDate(2, 29), D(2024, 3, 1), D(2024, 2, 29)),
        (PartialDate(2, 29), D(2024, 2, 29), D(2024, 2, 29)),
        (PartialDate(2, 29), D(2025, 1, 14), D(2024, 2, 29)),
        (PartialDate(2, 29), D(2025, 3, 1), D(2024, 2, 29)),
        (PartialDate(2, 29, 2024), D(2026, 1, 14), D(2024, 2, 29)),
    ],
)
def test_year_rule(written: PartialDate, issue: dt.date, expected: dt.date) -> None:
    assert resolve_year(written, issue) == expected


def test_a_month_with_its_year_resolves_to_the_month() -> None:
    assert resolve_year(PartialDate(7, None, 2024), ISSUE) == YearMonth(2024, 7)
    assert resolve_year(PartialDate(7, None, 2027), ISSUE) == YearMonth(2027, 7)  # a written year is kept


@pytest.mark.parametrize(
    ("written", "issue", "meant"),
    [
        (PartialDate(1, 30), D(2026, 1, 28), D(2026, 1, 30)),  # the issue's example: two days after
        (PartialDate(1, 29), D(2026, 1, 28), D(2026, 1, 29)),
        (PartialDate(2, 4), D(2026, 1, 28), D(2026, 2, 4)),  # seven days after: still the week after
        (PartialDate(1, 2), D(2025, 12, 28), D(2026, 1, 2)),  # across the new year
        (PartialDate(2, 29), D(2024, 2, 25), D(2024, 2, 29)),
        (PartialDate(2, 5), D(2026, 1, 28), None),  # eight days after
        (PartialDate(1, 28), D(2026, 1, 28), None),  # the issue's own day
        (PartialDate(1, 27), D(2026, 1, 28), None),
        (PartialDate(1, 30, 2026), D(2026, 1, 28), None),  # a written year
        (PartialDate(1, None, 2026), D(2026, 1, 28), None),
    ],
)
def test_next_within_week_finds_a_date_just_after_the_issue(written: PartialDate, issue: dt.date, meant: dt.date | None) -> None:
    assert next_within_week(written, issue) == meant


@pytest.mark.parametrize(
    ("written", "issue"),
    [
        (PartialDate(2, 30), D(2026, 1, 14)),
        (PartialDate(4, 31), D(2026, 1, 14)),
        (PartialDate(12, 32), D(2026, 1, 14)),
        (PartialDate(13, 1), D(2026, 1, 14)),
        (PartialDate(2, 29, 2025), D(2026, 1, 14)),  # 2025 is not a leap year
        # No February 29 in the issue's year or the year before, by the issue date:
        # the rule does not reach further back, so the editor must write the year.
        (PartialDate(2, 29), D(2026, 1, 14)),
        (PartialDate(2, 29), D(2024, 2, 28)),
        (PartialDate(2, 29), D(2027, 6, 1)),
    ],
)
def test_year_rule_gives_none_for_impossible_dates(written: PartialDate, issue: dt.date) -> None:
    assert resolve_year(written, issue) is None


@pytest.mark.parametrize(
    ("date", "reference", "text"),
    [
        (D(2025, 12, 9), ISSUE, "December 9"),
        (D(2026, 1, 14), ISSUE, "January 14"),
        (D(2026, 1, 15), ISSUE, "January 15, 2026"),  # after the issue: the year rule would read 2025
        (D(2025, 1, 14), ISSUE, "January 14, 2025"),  # a year back: the rule would read 2026
        (D(2025, 1, 15), ISSUE, "January 15"),
        (D(2024, 12, 9), ISSUE, "December 9, 2024"),
        (D(2024, 2, 29), D(2025, 1, 14), "February 29"),
        (D(2024, 2, 29), ISSUE, "February 29, 2024"),
        (D(2025, 12, 9), None, "December 9, 2025"),
    ],
)
def test_format_date_leaves_out_only_a_year_the_rule_gives_back(date: dt.date, reference: dt.date | None, text: str) -> None:
    assert format_date(date, reference) == text


def test_a_month_is_written_with_its_year_and_no_day() -> None:
    assert format_date(YearMonth(2024, 7), ISSUE) == "July 2024"
    assert format_long_date(YearMonth(2024, 7)) == "July 2024"
    assert format_long_date(D(2024, 7, 9)) == "July 9, 2024"
    assert YearMonth(2024, 7).isoformat() == str(YearMonth(2024, 7)) == "2024-07"


def test_source_dates_sort_with_a_month_before_its_days() -> None:
    dates = [D(2024, 7, 9), None, YearMonth(2024, 7), D(2024, 6, 30), YearMonth(2023, 12)]
    assert sorted(dates, key=date_sort_key) == [None, YearMonth(2023, 12), D(2024, 6, 30), YearMonth(2024, 7), D(2024, 7, 9)]


# --- parse_group: one parenthesis with its links as placeholders -------------


def group(text: str) -> str:
    """Write ``{0}``, ``{1}``... for links."""
    return text.format(*(LINK.format(n) for n in range(10)))


def C(outlet: str, date: dt.date | YearMonth | None = None, accessed: dt.date | None = None) -> CitedLink:
    return CitedLink(outlet, date, accessed)


@pytest.mark.parametrize(
    ("text", "link_texts", "expected"),
    [
        ("{0}, December 9", ["MND"], {0: C("MND", D(2025, 12, 9))}),
        ("{0}, March 29, 2018", ["Reuters"], {0: C("Reuters", D(2018, 3, 29))}),
        ("{0}, accessed November 26", ["PLA Daily"], {0: C("PLA Daily", accessed=D(2025, 11, 26))}),
        ("{0}, Accessed November 26", ["PLA Daily"], {0: C("PLA Daily", accessed=D(2025, 11, 26))}),
        ("Xinhua, December {0}, {1}", ["10", "11"], {0: C("Xinhua", D(2025, 12, 10)), 1: C("Xinhua", D(2025, 12, 11))}),
        ("Xinhua, December {0} and {1}", ["10", "11"], {0: C("Xinhua", D(2025, 12, 10)), 1: C("Xinhua", D(2025, 12, 11))}),
        ("Xinhua, December {0} & {1}, 2023", ["10", "11"], {0: C("Xinhua", D(2023, 12, 10)), 1: C("Xinhua", D(2023, 12, 11))}),
        ("Xinhua, accessed January {0}", ["3"], {0: C("Xinhua", accessed=D(2026, 1, 3))}),
        ("Xinhua, {0}", ["December 10"], {0: C("Xinhua", D(2025, 12, 10))}),
        ("{0}, December 9; {1}, January 3", ["MND", "Reuters"], {0: C("MND", D(2025, 12, 9)), 1: C("Reuters", D(2026, 1, 3))}),
        ("see {0}, April 5", ["CCTV"], {0: C("CCTV", D(2025, 4, 5))}),
        ("Source: {0}", ["MND"], {0: C("MND")}),
        # days linked one by one, the month carried over from the link before
        (
            "MND, May {0}, {1}, {2}, December {3}, {4}", ["24", "25", "October 15", "8", "9"],
            {0: C("MND", D(2025, 5, 24)), 1: C("MND", D(2025, 5, 25)), 2: C("MND", D(2025, 10, 15)),
             3: C("MND", D(2025, 12, 8)), 4: C("MND", D(2025, 12, 9))},
        ),
        # part labels take the date of the link before them
        (
            "Joint Staff, November {0}, {1} {2}, {3}", ["27", "28", "[1]", "[2]"],
            {0: C("Joint Staff", D(2025, 11, 27)), 1: C("Joint Staff", D(2025, 11, 28)),
             2: C("Joint Staff", D(2025, 11, 28)), 3: C("Joint Staff", D(2025, 11, 28))},
        ),
        ("MND, December {0} {1} and {2}", ["9", "(1)", "(2)"], {0: C("MND", D(2025, 12, 9)), 1: C("MND", D(2025, 12, 9)), 2: C("MND", D(2025, 12, 9))}),
        # several full dates after one outlet
        (
            "PRC Central Government, {0}, {1}", ["July 27, 2017", "September 18, 2018"],
            {0: C("PRC Central Government", D(2017, 7, 27)), 1: C("PRC Central Government", D(2018, 9, 18))},
        ),
        # a month and year without a day
        ("{0}, July 2024", ["DNI"], {0: C("DNI", YearMonth(2024, 7))}),
        ("DNI, {0}", ["July 2024"], {0: C("DNI", YearMonth(2024, 7))}),
        ("{0}, accessed March 2025", ["DNI"], {0: C("DNI", accessed=YearMonth(2025, 3))}),
        # one item that is not a citation no longer spoils the others
        ("{0}, December 9; see below", ["MND"], {0: C("MND", D(2025, 12, 9))}),
        ("{0}, December 9; e.g. {1}, December 10", ["MND", "Reuters"], {0: C("MND", D(2025, 12, 9)), 1: C("Reuters", D(2025, 12, 10))}),
        ("{0}, December 9; Reuters, December 10", ["MND"], {0: C("MND", D(2025, 12, 9))}),
        ("{0}, December 9; see {1} below", ["MND", "this"], {0: C("MND", D(2025, 12, 9))}),
        # an item that names only a day or a date carries on the outlet (and month) of the item before
        ("{0}, December 10; {1}", ["Reuters", "11"], {0: C("Reuters", D(2025, 12, 10)), 1: C("Reuters", D(2025, 12, 11))}),
        ("EDM, {0}; {1}", ["October 27, 2016", "November 15, 2016"], {0: C("EDM", D(2016, 10, 27)), 1: C("EDM", D(2016, 11, 15))}),
        ("{0}, March 3, 2018; {1}", ["Xinhua", "4"], {0: C("Xinhua", D(2018, 3, 3)), 1: C("Xinhua", D(2018, 3, 4))}),
        # several linked outlets sharing one date
        ("{0}, {1}, April 21", ["Mil.ru", "Flot.com"], {0: C("Mil.ru", D(2025, 4, 21)), 1: C("Flot.com", D(2025, 4, 21))}),
        ("{0} and {1}, April 21", ["Mil.ru", "Flot.com"], {0: C("Mil.ru", D(2025, 4, 21)), 1: C("Flot.com", D(2025, 4, 21))}),
        # an outlet link followed by linked days: the days take the outlet's name
        ("{0}, December {1}", ["Xinhua", "10"], {0: C("Xinhua"), 1: C("Xinhua", D(2025, 12, 10))}),
        # lead-ins
        ("e.g., RBC, {0}", ["January 22"], {0: C("RBC", D(2025, 1, 22))}),
        ("Image source: {0}, February 27, 2020", ["China Military Online"], {0: C("China Military Online", D(2020, 2, 27))}),
        # an outlet named with "and" stays whole
        ("Ministry of Science and Technology, December {0}", ["9"], {0: C("Ministry of Science and Technology", D(2025, 12, 9))}),
    ],
)
def test_parse_group_reads_house_style(text: str, link_texts: list[str], expected: dict[int, CitedLink]) -> None:
    assert parse_group(group(text), link_texts, ISSUE) == GroupReading(expected, [])


@pytest.mark.parametrize(
    ("text", "link_texts"),
    [
        ("see {0} for details", ["this report"]),
        ("{0}, as the ministry said", ["MND"]),
        ("Xinhua, December {0}", ["tenth"]),  # a linked day must be a number
        ("Xinhua, {0}", ["the report"]),  # a linked date must be a date
        ("{0}, December 9", [" "]),  # no outlet
        ("{0}", ["11"]),  # a day with no outlet or month before it
        ("{0} {1}", ["MND", "[1]"]),  # a part label with no dated link before it
        ("{0}, 2024", ["MND"]),  # a year alone is not a date
        ("{0}, December 9, citing a press release", ["MND"]),
        ("the {0} said on December 9", ["ministry"]),
    ],
)
def test_parse_group_refuses_what_is_not_a_citation(text: str, link_texts: list[str]) -> None:
    assert parse_group(group(text), link_texts, ISSUE) == GroupReading({}, [])


@pytest.mark.parametrize(
    ("text", "link_texts", "links", "problem"),
    [
        (
            "{0}, February 30", ["MND"], {0: C("MND")},
            Problem("citation-date", "the citation date 'February 30' does not exist", "check the month and day"),
        ),
        (
            "Xinhua, February {0}", ["30"], {0: C("Xinhua")},
            Problem("citation-date", "the citation date 'February 30' does not exist", "check the month and day"),
        ),
        (
            "Xinhua, {0}", ["April 31"], {0: C("Xinhua")},
            Problem("citation-date", "the citation date 'April 31' does not exist", "check the month and day"),
        ),
        (
            "{0}, February 29", ["MND"], {0: C("MND")},
            Problem(
                "citation-date", "the citation date 'February 29' does not exist",
                "write the year: neither the issue's year nor the year before has a February 29 by the issue date",
            ),
        ),
        (
            "{0}, Febuary 19", ["MND"], {0: C("MND")},
            Problem("citation-form", "the citation date 'Febuary 19' has a misspelt month", "did you mean 'February 19'?"),
        ),
        (
            "Xinhua, Decmber {0}, {1}", ["9", "10"], {0: C("Xinhua"), 1: C("Xinhua")},
            Problem("citation-form", "the citation date 'Decmber 9' has a misspelt month", "did you mean 'December 9'?"),
        ),
        (
            "Xinhua, {0}", ["Agust 3"], {0: C("Xinhua")},
            Problem("citation-form", "the citation date 'Agust 3' has a misspelt month", "did you mean 'August 3'?"),
        ),
        (
            "{0}, December 9.", ["MND"], {0: C("MND", D(2025, 12, 9))},
            Problem("citation-form", "the citation ends with a full stop inside its parenthesis",
                    "move the full stop after the closing parenthesis"),
        ),
        (
            "{0}. December 9", ["MND"], {0: C("MND", D(2025, 12, 9))},
            Problem("citation-form", "the citation has a full stop where a comma belongs", "write a comma after 'MND'"),
        ),
        (
            "{0}, July", ["DNI"], {0: C("DNI")},
            Problem("citation-form", "the citation date 'July' has neither a day nor a year",
                    "write the day, or the year for a source dated by the month: 'July 2025'"),
        ),
        (
            "{0}, Jan.", ["DNI"], {0: C("DNI")},
            Problem("citation-form", "the citation date 'Jan.' has neither a day nor a year",
                    "write the day, or the year for a source dated by the month: 'Jan. 2026'"),
        ),
        (
            "MND. December {0}", ["9"], {0: C("MND", D(2025, 12, 9))},
            Problem("citation-form", "the citation has a full stop where a comma belongs", "write a comma after 'MND'"),
        ),
    ],
)
def test_parse_group_tells_near_misses_and_keeps_what_it_read(
    text: str, link_texts: list[str], links: dict[int, CitedLink], problem: Problem
) -> None:
    assert parse_group(group(text), link_texts, ISSUE) == GroupReading(links, [problem])


@pytest.mark.parametrize(
    ("text", "link_texts"),
    [
        ("{0}, Section 5", ["the law"]),  # not close to a month
        ("{0}, Marc 5 of the plan", ["the law"]),  # close to a month, but no citation even then
        ("{0} was published.", ["The report"]),  # a sentence with a full stop
        ("The ministry published {0}.", ["its figures"]),
        ("{0}.", ["Press release"]),  # an outlet with a full stop but no date is not close enough
    ],
)
def test_parse_group_leaves_other_parentheses_alone(text: str, link_texts: list[str]) -> None:
    assert parse_group(group(text), link_texts, ISSUE) == GroupReading({}, [])


@pytest.mark.parametrize(
    ("text", "link_texts"),
    [
        ("{0}, December 9", ["MND"]), ("{0}, Dec. 9", ["MND"]), ("{0}, December 9, 2018", ["MND"]),
        ("{0}, accessed January 12", ["MND"]), ("{0}, ACCESSED jan 12, 2020", ["MND"]), (" {0},  December 9 ", ["MND"]),
        ("{0}, February 30", ["MND"]), ("{0}, January 20", ["MND"]), ("{0}, December 9", ["December 9"]),
        ("{0}, December 9", ["12"]), ("{0}, December 9", [" "]), ("{0}, December 9", ["[1]"]),
        ("Xinhua, December {0}", ["9"]), ("Xinhua, December {0}, {1}, 2023", ["9", "10"]),
        ("Xinhua, Dec. {0} and {1} & {2}", ["9", "10", "11"]), ("Xinhua, February {0}", ["30"]),
        ("Xinhua, January {0}", ["20"]), ("Xinhua, December {0}", ["tenth"]), ("Xinhua, December {0}", ["[1]"]),
        ("see Xinhua, December {0}", ["9"]), ("Source: MND, December {0}", ["9"]), ("accessed, December {0}", ["9"]),
        ("2024, December {0}", ["9"]), ("December 9, December {0}", ["9"]), ("e.g. MND, December {0}", ["9"]),
        ("Dr. Li, December {0}", ["9"]), ("Xinhua, December {0}", ["123"]),
        # groups: read item by item on the fast path only when every item is a fast form
        ("{0}, December 9; {1}, January 20", ["MND", "Reuters"]), ("{0}, December 9; Xinhua, May {1}", ["MND", "3"]),
        ("{0}, December 9; {1}", ["Reuters", "11"]), ("{0}, December 9; see {1}, May 3", ["MND", "Reuters"]),
        ("{0}, December 9; ", ["MND"]), ("{0}, February 30; {1}, April 31", ["MND", "AP"]),
        ("Xinhua, December {0}; {1}, December 9", ["9", "MND"]), ("{0}, December 9;{1}, December 10", ["A", "B"]),
    ],
)
def test_the_fast_path_reads_as_the_item_by_item_reading_does(text: str, link_texts: list[str]) -> None:
    from brief.citations import _read_items

    fast = parse_group(group(text), link_texts, ISSUE)
    assert fast == _read_items(group(text), link_texts, ISSUE, GroupReading())


def test_a_date_in_the_week_after_the_issue_is_read_by_the_rule_with_a_warning() -> None:
    reading = parse_group(group("{0}, January 30"), ["MND"], D(2026, 1, 28))
    assert reading == GroupReading({0: C("MND", D(2025, 1, 30))}, [Problem(
        "citation-year",
        "the citation date 'January 30' has no year, so it is read as January 30, 2025, almost a year before the issue",
        "write the year: 'January 30, 2026' if you mean the January 30 2 days after the issue, or 'January 30, 2025'",
    )])


# --- Citations in the body → the source list ---------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Seven areas ([MND](https://example.org/mnd), December 9).",
            [Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True)],
        ),
        (
            "An older one ([Reuters](https://example.org/r), March 29, 2018).",
            [Source("https://example.org/r", "Reuters", "", D(2018, 3, 29), cited=True)],
        ),
        (
            "Drills (Xinhua, December [10](https://example.org/x10), [11](https://example.org/x11)).",
            [
                Source("https://example.org/x10", "Xinhua", "", D(2025, 12, 10), cited=True),
                Source("https://example.org/x11", "Xinhua", "", D(2025, 12, 11), cited=True),
            ],
        ),
        (
            "Units ([PLA Daily](https://example.org/units), accessed November 26).",
            [Source("https://example.org/units", "PLA Daily", "", None, D(2025, 11, 26), cited=True)],
        ),
        (
            "Both ([MND](https://example.org/mnd), December 9; [Reuters](https://example.org/r), January 25).",
            [
                Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True),
                Source("https://example.org/r", "Reuters", "", D(2025, 1, 25), cited=True),
            ],
        ),
        (
            "Today ([MND](https://example.org/mnd), January 14) and ([CCTV](https://example.org/c), January 3).",
            [
                Source("https://example.org/mnd", "MND", "", D(2026, 1, 14), cited=True),
                Source("https://example.org/c", "CCTV", "", D(2026, 1, 3), cited=True),
            ],
        ),
        (
            "Bold (**[MND](https://example.org/mnd)**, December 9).",
            [Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True)],
        ),
        (
            "Split ([MND](https://example.org/mnd),\nDecember 9).",
            [Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True)],
        ),
        (
            "Nested (as reported ([MND](https://example.org/mnd), December 9)).",
            [Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True)],
        ),
    ],
)
def test_citation_forms_give_outlet_and_date(body: str, expected: list[Source]) -> None:
    assert sources_of(body) == expected


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("The ministry (see [this report](https://example.org/x) for details) disagreed.", "this report"),
        ("A [plain link](https://example.org/x) in a sentence.", "plain link"),
        ("(the [ministry](https://example.org/x) said on December 9)", "ministry"),
        ("([MND](https://example.org/x), a statement)", "MND"),
        ("(Xinhua, December [the tenth](https://example.org/x))", "the tenth"),
        ("([MND](https://example.org/x), December 9[^1])\n\n[^1]: N.", "MND"),  # a note ref breaks it
        ("[  Spaced  ](https://example.org/x)", "Spaced"),
    ],
)
def test_non_citation_parentheses_give_a_plain_source(body: str, title: str) -> None:
    assert sources_of(body) == [Source("https://example.org/x", title=title)]


def test_source_list_has_one_entry_per_url_in_order_of_first_appearance() -> None:
    body = (
        "[B](https://example.org/b) and [A](https://example.org/a).\n\n"
        "Again [A again](https://example.org/a) and [C](https://example.org/c), [B](https://example.org/b)."
    )
    assert [s.url for s in sources_of(body)] == ["https://example.org/b", "https://example.org/a", "https://example.org/c"]


def test_plain_link_later_cited_gets_the_citation_details_and_keeps_its_place() -> None:
    body = (
        "See [the statement](https://example.org/mnd) and [other](https://example.org/o).\n\n"
        "It was dated ([MND](https://example.org/mnd), December 9)."
    )
    assert sources_of(body) == [
        Source("https://example.org/mnd", "MND", "the statement", D(2025, 12, 9), cited=True),
        Source("https://example.org/o", title="other"),
    ]


def test_cited_link_later_linked_plainly_keeps_the_citation() -> None:
    body = "Dated ([MND](https://example.org/mnd), December 9). Later [the statement](https://example.org/mnd)."
    assert sources_of(body) == [Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True)]


def test_first_citation_of_a_url_wins() -> None:
    body = "([MND](https://example.org/mnd), December 9) and ([Ministry](https://example.org/mnd), December 10)."
    assert sources_of(body) == [Source("https://example.org/mnd", "MND", "", D(2025, 12, 9), cited=True)]


def test_body_sources_come_before_note_sources_in_note_order() -> None:
    body = (
        "Claim[^b] and [body](https://example.org/body)[^a].\n\n"
        "[^a]: Note a ([A](https://example.org/a), January 3).\n"
        "[^b]: Note b [B](https://example.org/b) and [body again](https://example.org/body).\n"
    )
    notes = (NoteSource("fm", "Front-matter note ([F](https://example.org/f), December 1).", 4),)
    body += "\nLater[^fm]."
    assert sources_of(body, notes=notes) == [
        Source("https://example.org/body", title="body"),
        Source("https://example.org/b", title="B"),  # note b is note 1: first referred to
        Source("https://example.org/a", "A", "", D(2026, 1, 3), cited=True),
        Source("https://example.org/f", "F", "", D(2025, 12, 1), cited=True),
    ]


@pytest.mark.parametrize(
    "href",
    ["../other/", "other.html", "/absolute/path", "#table-1", "mailto:editor@example.org", "images/chart.png"],
)
def test_relative_links_fragments_and_mailto_are_not_sources(href: str) -> None:
    assert sources_of(f"See [this]({href}) and ([MND]({href}), December 9).") == []


@pytest.mark.parametrize(
    "body",
    [
        "Write `[MND](https://example.org/mnd)` to link.",
        "Cite as `([MND](https://example.org/mnd), December 9)`.",
        "```\n[MND](https://example.org/mnd)\n```",
        "    [MND](https://example.org/mnd)",
        "An escaped \\[MND\\](https://example.org/mnd) link.",
    ],
)
def test_links_inside_code_are_not_links(body: str) -> None:
    content, problems = render(body)
    assert content.sources == ()
    assert "<a " not in content.body_html
    assert problems == []


def test_links_in_headings_lists_quotes_and_tables_are_sources() -> None:
    body = (
        "## A [heading](https://example.org/h)\n\n"
        "- an item ([MND](https://example.org/l), December 9)\n\n"
        "> a [quote](https://example.org/q)\n\n"
        "| a |\n|---|\n| ([Reuters](https://example.org/t), January 3) |\n"
    )
    assert sources_of(body) == [
        Source("https://example.org/h", title="heading"),
        Source("https://example.org/l", "MND", "", D(2025, 12, 9), cited=True),
        Source("https://example.org/q", title="quote"),
        Source("https://example.org/t", "Reuters", "", D(2026, 1, 3), cited=True),
    ]


def test_citation_markup_is_left_as_written() -> None:
    content, _ = render("Seven areas ([MND](https://example.org/mnd), December 9).")
    assert content.body_html == (
        '<p>Seven areas (<a href="https://example.org/mnd" rel="noopener noreferrer">MND</a>, December 9).</p>\n'
    )


@pytest.mark.parametrize(
    ("body", "line", "date", "hint", "outlet"),
    [
        ("([MND](https://example.org/x), February 30).", 10, "February 30", "check the month and day", "MND"),
        ("One line\nand another ([MND](https://example.org/x), April 31).", 11, "April 31", "check the month and day", "MND"),
        ("A\nB\n(Xinhua, February [30](https://example.org/x))", 12, "February 30", "check the month and day", "Xinhua"),
        ("([MND](https://example.org/x), February 29, 2025).", 10, "February 29, 2025", "check the month and day", "MND"),
        (
            "([MND](https://example.org/x), February 29).", 10, "February 29",
            "write the year: neither the issue's year nor the year before has a February 29 by the issue date", "MND",
        ),
    ],
)
def test_date_that_does_not_exist_is_a_warning_at_its_line(body: str, line: int, date: str, hint: str, outlet: str) -> None:
    content, problems = render(body)
    assert [str(p) for p in problems] == [f"article.md:{line}: warning [citation-date]: the citation date '{date}' does not exist — {hint}"]
    assert problems[0].severity == "warning"
    # The link is still a source with its outlet, but without the date the citation cannot vouch for.
    assert content.sources == (Source("https://example.org/x", outlet, cited=True),)


def test_february_29_in_a_leap_year_issue_is_fine() -> None:
    content, problems = render("([MND](https://example.org/x), February 29).", issue=D(2024, 3, 1))
    assert problems == []
    assert content.sources == (Source("https://example.org/x", "MND", "", D(2024, 2, 29), cited=True),)


# --- Forms seen in published briefs, and near misses, in the body -----------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Sorties rose (MND, May [24](https://e.org/1), [25](https://e.org/2), [October 15](https://e.org/3), "
            "December [8](https://e.org/4), [9](https://e.org/5)).",
            [("https://e.org/1", "MND", D(2025, 5, 24)), ("https://e.org/2", "MND", D(2025, 5, 25)),
             ("https://e.org/3", "MND", D(2025, 10, 15)), ("https://e.org/4", "MND", D(2025, 12, 8)),
             ("https://e.org/5", "MND", D(2025, 12, 9))],
        ),
        (
            "Ships passed (Joint Staff, November [27](https://e.org/1), [28](https://e.org/2) [\\[1\\]](https://e.org/3), "
            "[\\[2\\]](https://e.org/4)).",
            [("https://e.org/1", "Joint Staff", D(2025, 11, 27)), ("https://e.org/2", "Joint Staff", D(2025, 11, 28)),
             ("https://e.org/3", "Joint Staff", D(2025, 11, 28)), ("https://e.org/4", "Joint Staff", D(2025, 11, 28))],
        ),
        (
            "Rules (PRC Central Government, [July 27, 2017](https://e.org/1), [September 18, 2018](https://e.org/2)).",
            [("https://e.org/1", "PRC Central Government", D(2017, 7, 27)),
             ("https://e.org/2", "PRC Central Government", D(2018, 9, 18))],
        ),
        ("An assessment ([DNI](https://e.org/1), July 2024).", [("https://e.org/1", "DNI", YearMonth(2024, 7))]),
        (
            "Both ([MND](https://e.org/1), December 9; see below; e.g. [Reuters](https://e.org/2), December 10).",
            [("https://e.org/1", "MND", D(2025, 12, 9)), ("https://e.org/2", "Reuters", D(2025, 12, 10))],
        ),
        (
            "Reported ([Reuters](https://e.org/1), December 10; [11](https://e.org/2)).",
            [("https://e.org/1", "Reuters", D(2025, 12, 10)), ("https://e.org/2", "Reuters", D(2025, 12, 11))],
        ),
        (
            "Frigates ([Mil.ru](https://e.org/1), [Flot.com](https://e.org/2), April 21).",
            [("https://e.org/1", "Mil.ru", D(2025, 4, 21)), ("https://e.org/2", "Flot.com", D(2025, 4, 21))],
        ),
        (  # an aside in parentheses inside the citation
            "Drills ([MND](https://e.org/1), December 9 (in Chinese)).",
            [("https://e.org/1", "MND", D(2025, 12, 9))],
        ),
        (
            "Drills ([Xinhua](https://e.org/1) (in Chinese), [PLA Daily](https://e.org/2) (in Chinese), May 3).",
            [("https://e.org/1", "Xinhua", D(2025, 5, 3)), ("https://e.org/2", "PLA Daily", D(2025, 5, 3))],
        ),
        (
            "Images (*[Terrorism Monitor](https://e.org/1)*, March 26; [TRT World](https://e.org/2), August 21, 2020).",
            [("https://e.org/1", "Terrorism Monitor", D(2025, 3, 26)), ("https://e.org/2", "TRT World", D(2020, 8, 21))],
        ),
    ],
)
def test_published_forms_give_one_source_per_link_with_outlet_and_date(body: str, expected: list[tuple[str, str, Any]]) -> None:
    assert [(s.url, s.outlet, s.date) for s in sources_of(body)] == expected


def test_a_month_source_is_shown_as_month_and_year_on_the_page(tmp_path: Path) -> None:
    write_site(tmp_path, {"pub/v1n1/article.md": article(
        'title: "T"\nauthors: [ann-lee]', "Assessed ([DNI](https://example.org/dni), July 2024).\n"
    )})
    build_ok(tmp_path)
    assert bibliography(tmp_path) == [(
        '<cite class="outlet">DNI</cite>. <time datetime="2024-07">July 2024</time>. '
        '<a class="source-url" href="https://example.org/dni" title="https://example.org/dni" rel="noopener noreferrer">'
        '<span class="source-host">example.org</span><span class="source-address">https://example.org/dni</span></a>'
    )]


def bibliography(root: Path) -> list[str]:
    """The entries of the built article page's source list, as HTML."""
    page = (root / "_site/pub/article/index.html").read_text(encoding="utf-8")
    section = re.search(r'<section class="sources".*?</section>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", section.group(0), re.S) if section else []


@pytest.mark.parametrize(
    ("body", "issue", "warnings", "expected"),
    [
        (
            "Drills began ([MND](https://e.org/1), Febuary 19).", ISSUE,
            ["article.md:10: warning [citation-form]: the citation date 'Febuary 19' has a misspelt month — did you mean 'February 19'?"],
            [("https://e.org/1", "MND", None)],
        ),
        (
            "Drills began\nas announced ([MND](https://e.org/1), December 9.)", ISSUE,
            ["article.md:11: warning [citation-form]: the citation ends with a full stop inside its parenthesis — "
             "move the full stop after the closing parenthesis"],
            [("https://e.org/1", "MND", D(2025, 12, 9))],
        ),
        (
            "Drills began ([MND](https://e.org/1). December 9).", ISSUE,
            ["article.md:10: warning [citation-form]: the citation has a full stop where a comma belongs — write a comma after 'MND'"],
            [("https://e.org/1", "MND", D(2025, 12, 9))],
        ),
        (
            "Drills began ([MND](https://e.org/1) December 9).", ISSUE,
            ["article.md:10: warning [citation-form]: the citation has no comma between the outlet and the date — write a comma after 'MND'"],
            [("https://e.org/1", "MND", D(2025, 12, 9))],
        ),
        (
            "Drills began ([MND](https://e.org/1), December 9. The navy followed.", ISSUE,
            ["article.md:10: warning [citation-form]: the citation's parenthesis is never closed — add ')' after 'December 9'"],
            [("https://e.org/1", "MND", D(2025, 12, 9))],
        ),
        (
            "Drills began (Xinhua, December [9](https://e.org/1), [10](https://e.org/2)", ISSUE,
            ["article.md:10: warning [citation-form]: the citation's parenthesis is never closed — add ')' after '9, 10'"],
            [("https://e.org/1", "Xinhua", D(2025, 12, 9)), ("https://e.org/2", "Xinhua", D(2025, 12, 10))],
        ),
        (
            "Drills began ([MND](https://e.org/1), April 31).", ISSUE,
            ["article.md:10: warning [citation-date]: the citation date 'April 31' does not exist — check the month and day"],
            [("https://e.org/1", "MND", None)],
        ),
        (
            "Line one.\nDrills began ([MND](https://e.org/1), January 30).", D(2026, 1, 28),
            ["article.md:11: warning [citation-year]: the citation date 'January 30' has no year, so it is read as "
             "January 30, 2025, almost a year before the issue — write the year: 'January 30, 2026' if you mean the "
             "January 30 2 days after the issue, or 'January 30, 2025'"],
            [("https://e.org/1", "MND", D(2025, 1, 30))],
        ),
        (
            "Drills began (Xinhua, [January 1](https://e.org/1)).", D(2025, 12, 31),
            ["article.md:10: warning [citation-year]: the citation date 'January 1' has no year, so it is read as "
             "January 1, 2025, almost a year before the issue — write the year: 'January 1, 2026' if you mean the "
             "January 1 1 day after the issue, or 'January 1, 2025'"],
            [("https://e.org/1", "Xinhua", D(2025, 1, 1))],
        ),
    ],
)
def test_near_misses_are_warnings_at_their_line_and_the_source_keeps_what_was_read(
    body: str, issue: dt.date, warnings: list[str], expected: list[tuple[str, str, Any]]
) -> None:
    content, problems = render(body, issue)
    assert [str(p) for p in problems] == warnings
    assert [(s.url, s.outlet, s.date) for s in content.sources] == expected
    assert all(s.cited for s in content.sources)


@pytest.mark.parametrize(
    "body",
    [
        "The ministry (see [this report](https://e.org/1) for details disagreed.",  # unclosed, but no citation
        "A list: (a) the [first](https://e.org/1) item, (b) the second.",
        "Written on ([MND](https://e.org/1), January 22).",  # eight days after the issue: no warning
        "Dated ([MND](https://e.org/1), January 14).",  # the issue's own day
        "An aside ([see the report](https://e.org/1).)",
    ],
)
def test_what_is_not_a_near_miss_gives_no_warning(body: str) -> None:
    _, problems = render(body)
    assert problems == []


def test_a_paragraph_of_unclosed_citations_is_reported_up_to_the_cap_and_keeps_every_link() -> None:
    from brief.mdplugins.citations import MAX_UNCLOSED

    body = " ".join(f"Event {n} ([MND](https://e.org/{n}), December 9." for n in range(40))
    content, problems = render(body)
    assert [p.message for p in problems] == ["the citation's parenthesis is never closed"] * MAX_UNCLOSED
    assert [s.url for s in content.sources] == [f"https://e.org/{n}" for n in range(40)]
    assert [s.date for s in content.sources[:MAX_UNCLOSED]] == [D(2025, 12, 9)] * MAX_UNCLOSED


def test_a_later_dated_citation_completes_a_source_first_read_without_its_date() -> None:
    body = "First ([MND](https://example.org/m), Febuary 19).\n\nLater ([MND](https://example.org/m), February 19)."
    content, _ = render(body)
    assert content.sources == (Source("https://example.org/m", "MND", "", D(2025, 2, 19), cited=True),)


CITATION_WARNINGS = {
    "citation-form": "Drills began ([MND](https://example.org/mnd), Febuary 19).\n",
    "citation-year": "Drills began ([MND](https://example.org/mnd), January 20).\n",
    "citation-date": "Drills began ([MND](https://example.org/mnd), April 31).\n",
}


@pytest.mark.parametrize("code", sorted(CITATION_WARNINGS))
def test_an_article_can_accept_a_citation_warning_it_means(tmp_path: Path, code: str) -> None:
    front = 'title: "T"\nauthors: [ann-lee]'
    write_site(tmp_path, {"pub/v1n1/article.md": article(front, CITATION_WARNINGS[code])})
    assert [e.split(": warning [")[1].split("]")[0] for e in build_errors(tmp_path, strict=True)[:1]] == [code]
    write_site(tmp_path, {"pub/v1n1/article.md": article(f"{front}\naccept_warnings: [{code}]", CITATION_WARNINGS[code])})
    build_ok(tmp_path, strict=True)
    (entry,) = bibliography(tmp_path)
    assert entry.startswith('<cite class="outlet">MND</cite>')


# --- [@key] citations --------------------------------------------------------

ENTRIES = (
    CitationEntry("reuters-dec10", "Reuters", "https://example.org/reuters/1210", D(2025, 12, 10), line=5),
    CitationEntry("ap-page", "AP", "https://example.org/ap", accessed=D(2024, 5, 1), title="Profile page", line=6),
    CitationEntry("old", "Old & Co", "https://example.org/old?a=1&b=2", D(2020, 3, 1), line=7),
    CitationEntry("undated", "Undated", "https://example.org/undated", line=8),
)


def cite(body: str, entries: tuple[CitationEntry, ...] = ENTRIES) -> tuple[ArticleContent, list[str]]:
    content, problems = render(body, citations=entries)
    return content, [str(p) for p in problems if "is never cited" not in p.message]


@pytest.mark.parametrize(
    ("key", "html"),
    [
        ("reuters-dec10", '<a href="https://example.org/reuters/1210" rel="noopener noreferrer">Reuters</a>, December 10'),
        ("ap-page", '<a href="https://example.org/ap" rel="noopener noreferrer">AP</a>, accessed May 1, 2024'),
        ("old", '<a href="https://example.org/old?a=1&amp;b=2" rel="noopener noreferrer">Old &amp; Co</a>, March 1, 2020'),
        ("undated", '<a href="https://example.org/undated" rel="noopener noreferrer">Undated</a>'),
    ],
)
def test_key_citation_renders_in_house_style(key: str, html: str) -> None:
    content, problems = cite(f"Reporting varied [@{key}].")
    assert problems == []
    assert content.body_html == f'<p>Reporting varied <span class="citation">({html})</span>.</p>\n'


@pytest.mark.parametrize("keys", ["@reuters-dec10; @old", "@reuters-dec10;@old", "@reuters-dec10 ;  @old"])
def test_several_keys_render_as_one_parenthesis(keys: str) -> None:
    content, problems = cite(f"Both [{keys}].")
    assert problems == []
    assert content.body_html == (
        '<p>Both <span class="citation">('
        '<a href="https://example.org/reuters/1210" rel="noopener noreferrer">Reuters</a>, December 10; '
        '<a href="https://example.org/old?a=1&amp;b=2" rel="noopener noreferrer">Old &amp; Co</a>, March 1, 2020'
        ")</span>.</p>\n"
    )


def test_key_citations_feed_the_source_list_with_their_details() -> None:
    content, _ = cite("A [link](https://example.org/l), [@ap-page] and [@reuters-dec10; @ap-page].")
    assert content.sources == (
        Source("https://example.org/l", title="link"),
        Source("https://example.org/ap", "AP", "Profile page", None, D(2024, 5, 1), cited=True),
        Source("https://example.org/reuters/1210", "Reuters", "", D(2025, 12, 10), cited=True),
    )


def test_key_citation_fills_in_a_url_first_linked_plainly() -> None:
    content, _ = cite("See [the wire](https://example.org/reuters/1210). Later [@reuters-dec10].")
    assert content.sources == (Source("https://example.org/reuters/1210", "Reuters", "the wire", D(2025, 12, 10), cited=True),)


def test_key_citations_in_notes_count() -> None:
    content, problems = render("Claim.[^1]\n\n[^1]: As reported [@reuters-dec10].", citations=ENTRIES[:1])
    assert problems == []
    assert 'class="citation"' in content.notes[0].html
    assert [s.url for s in content.sources] == ["https://example.org/reuters/1210"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Text [@reuters-dec11].", ["article.md:10: unknown citation '[@reuters-dec11]' — did you mean 'reuters-dec10'?"]),
        ("Line one\nline two [@ap-pag].", ["article.md:11: unknown citation '[@ap-pag]' — did you mean 'ap-page'?"]),
        ("Text [@zzz].", ["article.md:10: unknown citation '[@zzz]' — expected one of: ap-page, old, reuters-dec10, undated"]),
        (
            "A\n\nB [@old; @nope]",
            ["article.md:12: unknown citation '[@nope]' — expected one of: ap-page, old, reuters-dec10, undated"],
        ),
    ],
)
def test_unknown_key_is_an_error_with_a_suggestion(body: str, expected: list[str]) -> None:
    content, problems = cite(body)
    assert problems == expected


def test_unknown_key_without_any_citations_says_where_to_add_them() -> None:
    content, problems = render("Text [@reuters].")
    assert [str(p) for p in problems] == [
        "article.md:10: unknown citation '[@reuters]' — add it under 'citations:' in the front-matter"
    ]
    assert problems[0].severity == "error"
    assert content.body_html == '<p>Text <span class="citation">(@reuters)</span>.</p>\n'
    assert content.sources == ()


def test_citation_never_cited_is_a_warning_at_its_entry() -> None:
    _, problems = render("Only [@old].", citations=ENTRIES[1:3])
    assert [str(p) for p in problems] == [
        "article.md:6: warning [unused-citation]: citation 'ap-page' is never cited — cite it in the text as [@ap-page] or remove it"
    ]


@pytest.mark.parametrize("body", ["An email [@ someone].", "`[@reuters-dec10]` in code.", "Not a key [@]."])
def test_text_that_only_looks_like_a_key_is_left_alone(body: str) -> None:
    content, problems = cite(body)
    assert problems == []
    assert 'class="citation"' not in content.body_html
