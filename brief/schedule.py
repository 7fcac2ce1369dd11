"""Dates: which issues and articles are due, and which are held back until their date.

An issue or article dated after today is held back: it is not published (nor
rendered, nor linked to) until a build runs on or after its date. Drafts
(``draft: true``) are never published; the preview (``brief serve --drafts``)
builds them, marked. "Today" is
the date in the site's time zone (``time_zone:`` in ``site.yaml``, default
UTC), or the date given with ``--now``; ``--future`` publishes everything now.

:func:`plan_schedule` is the one place that decides this; the build, the
up-to-date check (through the dates it records in the manifest) and the
preview server all ask it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .load import LoadedContent
    from .model import ArticleSource

#: What the page says of a piece that is built but not published (see :func:`preview_marks`).
MARK_TEXT = {"draft": "Draft: not published", "scheduled": "Scheduled: not yet published"}


def site_today(time_zone: str = "UTC", now: dt.date | None = None) -> dt.date:
    """Today's date in ``time_zone`` (an IANA name such as ``Asia/Taipei``), or ``now``."""
    if now is not None:
        return now
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(time_zone)).date()


@dataclass(frozen=True)
class Schedule:
    """What is due on ``today``. ``held`` maps each held-back issue (by key) and each
    held-back article of an issue that is due (by path) to the date it goes out."""

    today: dt.date
    future: bool = False
    held: dict[str, dt.date] = field(default_factory=dict)
    #: The latest date of anything published: before it, the site would be different.
    due_since: dt.date | None = None

    def holds(self, source: "ArticleSource") -> bool:
        """Whether the article is held back (by its own date or its issue's)."""
        return source.path in self.held or source.issue_key in self.held

    def held_until(self, source: "ArticleSource") -> dt.date | None:
        return self.held.get(source.path) or self.held.get(source.issue_key)

    @property
    def next_release(self) -> dt.date | None:
        """The earliest date something held back goes out: from then on, the site is different."""
        return min(self.held.values(), default=None)


def plan_schedule(loaded: "LoadedContent", today: dt.date, future: bool = False) -> Schedule:
    """Which of the loaded issues and (not draft) articles are held back on ``today``;
    with ``future``, none is."""
    issues = {issue.key: issue for issue in loaded.issues}
    held: dict[str, dt.date] = {}
    dates: list[dt.date] = []
    for issue in issues.values():
        if issue.date > today and not future:
            held[issue.key] = issue.date
        else:
            dates.append(issue.date)
    for source in loaded.articles:
        own = issues.get(source.issue_key)
        if source.draft or own is None or own.key in held:
            continue
        date = source.date or own.date
        if date > today and not future:
            held[source.path] = date
        else:
            dates.append(date)
    return Schedule(today, future, held, max(dates, default=None) if not future else None)


def preview_marks(loaded: "LoadedContent", today: dt.date, drafts: bool, future: bool) -> dict[str, str]:
    """The marks of the pieces the preview builds although they are not published (by
    article path and issue key): ``draft`` for each draft article with ``drafts``, and with
    ``future`` ``scheduled`` for each issue and article that :func:`plan_schedule` would
    hold back on ``today``. The pages show the mark (:data:`MARK_TEXT`)."""
    marks: dict[str, str] = {}
    if future:
        due = plan_schedule(loaded, today)
        for key in due.held:
            marks[key] = "scheduled"
        for source in loaded.articles:
            if not source.draft and due.holds(source):
                marks[source.path] = "scheduled"
    if drafts:
        for source in loaded.articles:
            if source.draft:
                marks[source.path] = "draft"
    return marks


def describe_held(schedule: Schedule, loaded: "LoadedContent") -> str:
    """One line saying what is held back and until when ("" when nothing is)."""
    if not schedule.held:
        return ""
    issues = {issue.key: issue for issue in loaded.issues}
    titles = {source.path: source.title for source in loaded.articles}
    parts = []
    for key, date in sorted(schedule.held.items(), key=lambda item: (item[1], item[0])):
        if key in issues:
            issue = issues[key]
            parts.append(f"{issue.publication} {issue.label} until {date.isoformat()}")
        else:
            parts.append(f"'{titles.get(key, key)}' ({key}) until {date.isoformat()}")
    items = "; ".join(parts)
    return f"held back, dated after today ({schedule.today.isoformat()}): {items} (build with --future to publish now)"
