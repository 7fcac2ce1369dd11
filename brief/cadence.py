"""A publication's schedule (``schedule:`` in ``publication.yaml``): how often issues appear.

Read by the load stage, which checks it, and by ``brief new issue``, which dates the
next issue by it. Written as ``weekly``, ``fortnightly``, ``monthly``, ``daily`` or
``every N days|weeks|months`` (``every 14 days``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_NAMED = {"daily": (1, "days"), "weekly": (1, "weeks"), "fortnightly": (2, "weeks"), "monthly": (1, "months"),
          "quarterly": (3, "months")}
_EVERY = re.compile(r"^every\s+(\d{1,3})\s+(day|week|month)s?$")
#: How to write a schedule, for messages.
SCHEDULE_FORMS = "weekly, fortnightly, monthly, or every N days, weeks or months (e.g. 'every 14 days')"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Issues appear every ``count`` ``unit`` (``days``, ``weeks`` or ``months``)."""

    count: int
    unit: str

    def after(self, date: dt.date) -> dt.date:
        """The date one interval after ``date`` (a month after January 31 is the last day of February)."""
        if self.unit == "days":
            return date + dt.timedelta(days=self.count)
        if self.unit == "weeks":
            return date + dt.timedelta(weeks=self.count)
        months = date.month - 1 + self.count
        year, month = date.year + months // 12, months % 12 + 1
        return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))

    def next_date(self, latest: dt.date, today: dt.date) -> dt.date:
        """The first date on the schedule counted from ``latest`` that is not before ``today``."""
        date = self.after(latest)
        while date < today:
            date = self.after(date)
        return date


def parse_schedule(text: str) -> Schedule | None:
    """The schedule ``text`` describes, or ``None`` when it is not one (see :data:`SCHEDULE_FORMS`)."""
    words = " ".join(text.lower().split())
    if words in _NAMED:
        return Schedule(*_NAMED[words])
    match = _EVERY.match(words)
    if match is None or int(match.group(1)) == 0:
        return None
    return Schedule(int(match.group(1)), match.group(2) + "s")
