"""Checking one YAML mapping against the keys it may hold.

A :class:`Checker` wraps a line-aware mapping (:class:`brief.sources.LineDict`)
and reads typed values out of it; every problem becomes a diagnostic at the
line of the offending key, and reading goes on so that an editor sees all the
problems of a file at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

from .errors import Diagnostics, SourceLocation, did_you_mean
from .sources import LineDict, LineList

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^(https?://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+)$", re.I)


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dict,)):
        return "a mapping"
    if isinstance(value, (list,)):
        return "a list"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "text"


class Checker:
    """Reads typed values from one mapping, reporting problems at their lines."""

    def __init__(self, data: Any, path: str, diagnostics: Diagnostics, what: str, line: int = 1):
        self.path = path
        self.diagnostics = diagnostics
        self.what = what
        #: False when the YAML is something other than a mapping (already reported),
        #: so that its keys are not reported missing one by one as well.
        self.is_mapping = data is None or isinstance(data, LineDict)
        if isinstance(data, LineDict):
            self.data: LineDict = data
        else:
            self.data = LineDict()
            self.data.line = line
            if data is not None:
                self.error(line, f"{what} must be a mapping of 'key: value' lines, not {type_name(data)}", "")

    # -- reporting -------------------------------------------------------
    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.diagnostics.error(SourceLocation(self.path, line), message, hint)

    def unknown_keys(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                self.error(
                    self.line(key),
                    f"unknown key '{key}' in {self.what}",
                    did_you_mean(str(key), allowed) or "remove it",
                )

    def missing(self, key: str, hint: str = "") -> None:
        if not self.is_mapping:
            return
        self.error(self.data.line, f"{self.what} is missing the required key '{key}'", hint or f"add '{key}: ...'")

    # -- typed readers ----------------------------------------------------
    def text(self, key: str, required: bool = False, hint: str = "") -> str:
        """Text as the editor typed it: numbers and dates are kept as written."""
        if key not in self.data or self.data[key] is None:
            if required:
                if key in self.data:
                    self.error(self.line(key), f"'{key}' is empty", hint or f"write a value after '{key}:'")
                else:
                    self.missing(key, hint)
            return ""
        value = self.data[key]
        if isinstance(value, str):
            value = value.strip()
            if required and not value:
                self.error(self.line(key), f"'{key}' is empty", hint or f"write a value after '{key}:'")
            return value
        if isinstance(value, (dict, list)):
            self.error(self.line(key), f"'{key}' must be text, not {type_name(value)}", "write it on one line, in quotes")
            return ""
        return self.data.raw.get(key, str(value))

    def integer(self, key: str, required: bool = False, minimum: int = 1) -> int | None:
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key, f"add '{key}: 1' (a whole number)")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(self.line(key), f"'{key}' must be a whole number, not {type_name(value)}", f"write e.g. '{key}: 3'")
            return None
        if value < minimum:
            self.error(self.line(key), f"'{key}' must be at least {minimum}, not {value}", "")
            return None
        return value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key, f"add '{key}: YYYY-MM-DD'")
            return None
        return self.date_value(self.data[key], self.line(key), key)

    def date_value(self, value: Any, line: int, key: str) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:  # a quoted date, "2025-12-09": what the editor meant is clear
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.error(line, f"'{value}' is not a real date", "check the month and the day")
                return None
        self.error(line, f"'{key}' must be a date written YYYY-MM-DD, not '{value}'", "e.g. 2025-12-09")
        return None

    def boolean(self, key: str, default: bool = False) -> bool:
        if key not in self.data or self.data[key] is None:
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            self.error(self.line(key), f"'{key}' must be true or false, not {type_name(value)}", f"write '{key}: true'")
            return default
        return value

    def url(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        if value and not _URL.match(value):
            self.error(self.line(key), f"'{key}' is not an http(s) URL: '{value}'", "write the full address, starting https://")
            return ""
        return value

    def text_list(self, key: str, single_ok: bool = False) -> list[tuple[str, int]]:
        """A list of text items with their lines."""
        if key not in self.data or self.data[key] is None:
            return []
        value = self.data[key]
        if isinstance(value, str) and single_ok:
            return [(value.strip(), self.line(key))] if value.strip() else []
        if not isinstance(value, LineList):
            self.error(self.line(key), f"'{key}' must be a list, not {type_name(value)}", f"write '{key}: [a, b]' or one '- item' per line")
            return []
        items = []
        for index, item in enumerate(value):
            line = value.line_of(index)
            if item is None or isinstance(item, (dict, list)):
                self.error(line, f"item {index + 1} of '{key}' must be text, not {type_name(item)}", "")
                continue
            text = item if isinstance(item, str) else (value.raw[index] or str(item))
            text = text.strip()
            if not text:
                self.error(line, f"item {index + 1} of '{key}' is empty", "remove it")
                continue
            items.append((text, line))
        return items

    def mapping(self, key: str) -> LineDict | None:
        if key not in self.data or self.data[key] is None:
            return None
        value = self.data[key]
        if not isinstance(value, LineDict):
            self.error(self.line(key), f"'{key}' must be a mapping of 'name: value' lines, not {type_name(value)}", "")
            return None
        return value

    def sub(self, key: str, what: str) -> "Checker | None":
        value = self.mapping(key)
        return None if value is None else Checker(value, self.path, self.diagnostics, what)


def key_text(data: LineDict, key: Any) -> str:
    """A mapping key as text (``1:`` is the label ``"1"``)."""
    if isinstance(key, bool):
        return str(key).lower()
    return str(key)
