"""Diagnostics: what went wrong, where, and how to fix it.

Every problem found in content is a :class:`Diagnostic` pinned to a
:class:`SourceLocation`. Stages never stop at the first problem: they add to a
:class:`Diagnostics` collector, and the pipeline refuses to write anything when
the collector holds errors. The printed form is the contract with editors::

    content/brief/v1n1/01-drills.md:14: unknown key 'titel' — did you mean 'title'?
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, MutableMapping

#: Every warning's code → what it means. A code names a kind of warning in its printed form
#: (``warning [code]: …``) and lets an article accept a warning it means
#: (``accept_warnings: [code]`` in its front-matter). docs/errors.md lists each one.
WARNING_CODES: dict[str, str] = {
    "unused-citation": "a citation defined under 'citations:' is never cited",
    "caption-order": "a table or figure is numbered out of order",
    "citation-date": "a citation's date does not exist",
    "citation-form": "a parenthesis almost is a citation (a misspelt month, a stray full stop, a missing comma or closing parenthesis, a month alone)",
    "citation-year": "a citation's date without a year falls in the week after the issue, so the year rule reads it as a year earlier",
    "unsafe-link": "a link or image with an unsafe address was dropped",
    "no-cjk-font": "no CJK font is installed, so social cards are drawn without their titles",
    "own-site-link": "a link to the site's own address, rather than to the file of the page",
    "empty-issue": "an issue has no published article, so it is not published",
    "address-gone": "an article's address that the last build published is gone",
    "dead-link": "an outside link does not work (brief check --external)",
    "lone-caption": "a Table or Figure caption has no table or image under it",
    "table-separator": "rows of a table without a valid separator row show as text",
    "raw-html": "HTML tags typed into Markdown show on the page as text (raw HTML is off)",
    "html-removed": "raw HTML (allowed by the site) has an element or attribute the sanitiser removes",
    "character-reference": "a numeric character reference names no character",
    "note-label": "a note label is longer than 64 characters, so it is not a note",
    "unused-reference": "a link definition ([label]: address) is used by no link",
    "duplicate-reference": "a link definition's label is defined twice; the second is ignored",
    "pdf-unavailable": "WeasyPrint or its system libraries are missing, so no issue PDFs were made",
    "pdf-cjk-font": "no CJK font is installed, so Chinese text in the issue PDFs shows as empty boxes",
    "pdf-failed": "an issue's PDF could not be laid out; the issue is published without one",
    "search-failed": "Pagefind could not write the search index, so the site is published without one",
}


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A place in a content file. ``line`` is 1-based; 0 means the whole file."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem an editor can act on: where, what is wrong, how to fix it."""

    location: SourceLocation
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"
    #: A warning's code (a key of :data:`WARNING_CODES`); errors have none.
    code: str = ""

    def __str__(self) -> str:
        prefix = ""
        if self.severity == "warning":
            prefix = f"warning [{self.code}]: " if self.code else "warning: "
        text = f"{self.location}: {prefix}{self.message}"
        return f"{text} — {self.hint}" if self.hint else text


@dataclass
class Diagnostics:
    """A collector of diagnostics from every stage of one build."""

    items: list[Diagnostic] = field(default_factory=list)
    #: The warning codes each file accepts (an article's ``accept_warnings``): those
    #: warnings are left out of what the build reports.
    accepts: dict[str, frozenset[str]] = field(default_factory=dict)

    def error(self, location: SourceLocation, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(location, message, hint))

    def warning(self, location: SourceLocation, message: str, hint: str = "", code: str = "") -> None:
        self.items.append(Diagnostic(location, message, hint, "warning", code))

    def extend(self, others: Iterable[Diagnostic]) -> None:
        self.items.extend(others)

    def accept(self, path: str, codes: Iterable[str]) -> None:
        """Leave out the warnings with these codes about the file ``path``."""
        if codes:
            self.accepts[path] = frozenset(codes)

    def is_accepted(self, diagnostic: Diagnostic) -> bool:
        return diagnostic.severity == "warning" and diagnostic.code in self.accepts.get(diagnostic.location.path, ())

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The warnings to report: those no article accepts."""
        return [d for d in self.items if d.severity == "warning" and not self.is_accepted(d)]

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __iter__(self) -> Iterator[Diagnostic]:
        """Every problem to report (errors, and warnings no article accepts), in file and line order."""
        shown = [d for d in self.items if not self.is_accepted(d)]
        return iter(sorted(shown, key=lambda d: (d.location, d.message)))


def report(env: MutableMapping[str, Any], line: int, message: str, hint: str = "", severity: str = "error", code: str = "") -> None:
    """Record a problem found while rendering Markdown in the env's ``diagnostics``
    (as ``(line, message, hint, severity, code)``; the Markdown stage pins them to the file)."""
    env.setdefault("diagnostics", []).append((line, message, hint, severity, code))


class ContentError(Exception):
    """Raised by a stage that cannot continue; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self) -> tuple[type, tuple[list[Diagnostic]]]:
        return (ContentError, (self.diagnostics,))  # raised in a worker process, too


class UsageError(Exception):
    """The command line or the environment is wrong (exit status 2)."""


def did_you_mean(word: str, choices: Iterable[str], list_others: bool = True) -> str:
    """Return ``"did you mean 'x'?"`` for the closest choice; failing that, a short
    list of the choices (with ``list_others``), or ``""``."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if list_others and options and len(options) <= 16:
        return "expected one of: " + ", ".join(options)
    return ""
