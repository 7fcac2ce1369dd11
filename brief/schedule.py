"""What a build publishes: drafts and pieces dated after today are held back.

A draft (``draft: true``) and an issue or article dated after today are left out
of the site unless the build is asked for them (``brief serve --drafts`` and
``--future``); then they are built and marked (``draft``, ``scheduled``), and the
templates show the mark. This is the one place that decides; the stages after
it never see a piece that is held back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .load import LoadedContent

#: What the page says of a piece that is built but not published.
MARK_TEXT = {"draft": "Draft: not published", "scheduled": "Scheduled: not yet published"}


def today() -> dt.date:
    """The date that decides which pieces are in the future."""
    return dt.date.today()


def hold_back(loaded: LoadedContent, drafts: bool, future: bool, now: dt.date) -> tuple[LoadedContent, dict[str, str]]:
    """``loaded`` without what is not to be published, and the marks of what is built
    although it is not published yet (by article path and issue key)."""
    marks: dict[str, str] = {}
    issues = []
    held: set[str] = set()
    for issue in loaded.issues:
        if issue.date > now:
            if not future:
                held.add(issue.key)
                continue
            marks[issue.key] = "scheduled"
        issues.append(issue)
    dates = {issue.key: issue.date for issue in issues}
    articles = []
    for source in loaded.articles:
        if source.issue_key in held:
            continue
        if source.draft:
            if not drafts:
                continue
            marks[source.path] = "draft"
        elif (source.date or dates.get(source.issue_key, now)) > now:
            if not future:
                continue
            marks[source.path] = "scheduled"
        articles.append(source)
    if len(issues) == len(loaded.issues) and len(articles) == len(loaded.articles):
        return loaded, marks
    return dataclasses.replace(loaded, issues=issues, articles=articles), marks
