"""Reading content files: text decoding, front-matter splitting and YAML.

YAML is parsed with PyYAML's C parser and a safe constructor tightened where
YAML 1.1 surprises editors:

* only ``true``/``false`` are booleans (``no``, ``yes``, ``on`` stay text);
* integers are decimal digits only (``010`` is ten, not octal eight; ``1:30``
  is not sexagesimal ninety);
* mapping keys are the text as typed (``1:``, ``01:`` and ``true:`` are three
  different labels, not the number one twice);
* aliases are refused outright (no alias bombs, and editors never need them);
* duplicate keys are an error instead of silently keeping the last one;
* impossible dates (``2025-02-30``) are an error at their line;
* every mapping remembers the line of each key and the raw text of each
  scalar value, so a later stage can say *where* a value is wrong and can read
  a title such as ``1e3`` or ``2024`` as the text the editor typed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, SourceLocation

try:  # the C parser is several times faster; fall back only where it is missing
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc,assignment]

#: Largest content file read, in bytes. Articles are a few tens of KiB.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Largest YAML document (front-matter or a .yaml file), in bytes.
MAX_YAML_BYTES = 512 * 1024


class SourceError(Exception):
    """A content file cannot be read or parsed; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


class LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers where it came from.

    ``line`` is the line of the mapping itself, ``lines[key]`` the line of each
    key, and ``raw[key]`` the text of each scalar value as written.
    """

    __slots__ = ("line", "lines", "raw")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: dict[Any, int] = {}
        self.raw: dict[Any, str] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers the line of each item."""

    __slots__ = ("line", "lines", "raw")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: list[int] = []
        self.raw: list[str | None] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _AliasError(yaml.constructor.ConstructorError):
    """An alias was met; its node is the anchored one, so the line is found afterwards."""


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader, made strict (see the module docstring)."""

    line_offset = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasError(None, None, _ALIAS_PROBLEM, node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_line_mapping(self, node: yaml.MappingNode) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1 + self.line_offset
        yield result
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not allowed in content files", key_node.start_mark
                )
            # A key is the text as typed: ``1`` and ``true`` must not collide as
            # 1 == True, and a label ``010`` must stay ``010``.
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                key = self.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be plain text, not a list or mapping", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key '{key}' appears twice in the same mapping (the first is on line "
                    f"{result.lines[key]})",
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1 + self.line_offset
            if isinstance(value_node, yaml.ScalarNode):
                result.raw[key] = value_node.value

    def construct_line_sequence(self, node: yaml.SequenceNode) -> LineList:
        result = LineList()
        result.line = node.start_mark.line + 1 + self.line_offset
        yield result
        for item in node.value:
            result.append(self.construct_object(item, deep=True))
            result.lines.append(item.start_mark.line + 1 + self.line_offset)
            result.raw.append(item.value if isinstance(item, yaml.ScalarNode) else None)

    def construct_decimal_int(self, node: yaml.ScalarNode) -> int:
        return int(self.construct_scalar(node))

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> dt.date:
        try:
            return self.construct_yaml_timestamp(node)  # type: ignore[no-any-return]
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_line_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_line_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_checked_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_decimal_int)
# YAML 1.2 booleans and integers: drop 1.1's yes/no/on/off and its octal,
# binary, hexadecimal and sexagesimal integers; keep true/false and decimals.
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))

_ALIAS_PROBLEM = "YAML aliases (*name) are not allowed in content files"


def _first_alias_line(text: str) -> int:
    """The 0-based line of the first alias (``*name``) in ``text``, 0 if none is found."""
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                return int(event.start_mark.line)
    except yaml.YAMLError:
        pass
    return 0


def parse_yaml(text: str, path: str, line_offset: int = 0) -> Any:
    """Parse one YAML document strictly; errors become a :class:`SourceError`.

    ``line_offset`` is the number of lines before ``text`` in its file, so that
    lines reported for front-matter are lines of the article file.
    """
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise SourceError(
            Diagnostic(
                SourceLocation(path, line_offset + 1),
                f"the YAML here is larger than {MAX_YAML_BYTES // 1024} KiB",
                "move long text into the Markdown body",
            )
        )
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except _AliasError:
        # The constructor sees the anchored node, not the alias: find the alias's line.
        line = _first_alias_line(text) + 1 + line_offset
        raise SourceError(
            Diagnostic(SourceLocation(path, line), f"YAML error: {_ALIAS_PROBLEM}", _yaml_hint(_ALIAS_PROBLEM))
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # newer libyaml stops deep nesting itself
            raise SourceError(
                Diagnostic(SourceLocation(path, line), "YAML nests too deeply", "flatten the structure")
            ) from None
        hint = _yaml_hint(problem)
        if mark and _curly_quoted(text, mark.line):
            hint = "use straight quotes (\" or ') around the value: to YAML, curly quotes (“ ” ‘ ’) are ordinary text"
        if mark and _indented_with_tab(text, mark.line):
            # The C parser does not name the tab ("found character that cannot start any token").
            hint = "indent with spaces, not tabs"
        raise SourceError(Diagnostic(SourceLocation(path, line), f"YAML error: {problem}", hint)) from None
    except yaml.reader.ReaderError as exc:  # a control character; its position may count bytes
        character = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        where = text.find(character)
        line = text.count("\n", 0, where) + 1 + line_offset if where >= 0 else line_offset + 1
        raise SourceError(
            Diagnostic(
                SourceLocation(path, line),
                f"the file contains the control character U+{ord(character[:1] or ' '):04X}",
                "delete it (most editors do not show it) or retype the line",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise SourceError(
            Diagnostic(SourceLocation(path, line_offset + 1), f"YAML error: {exc}", "")
        ) from None
    except RecursionError:
        raise SourceError(
            Diagnostic(SourceLocation(path, line_offset + 1), "YAML nests too deeply", "flatten the structure")
        ) from None
    finally:
        loader.dispose()


#: A value that opens with a curly (typographic) quote, as word processors write them.
_CURLY_VALUE = re.compile(r"(?:^|:\s|-\s|\[|,)\s*[“”‘’„‚«»]")


def _curly_quoted(text: str, index: int) -> bool:
    """Whether the error's line, or the line before it, has a value in curly quotes."""
    lines = text.split("\n")
    return any(0 <= i < len(lines) and _CURLY_VALUE.search(lines[i]) for i in (index, index - 1))


def _indented_with_tab(text: str, index: int) -> bool:
    lines = text.split("\n")
    if not 0 <= index < len(lines):
        return False
    line = lines[index]
    return "\t" in line[: len(line) - len(line.lstrip(" \t"))]


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "put text that contains ': ' in double quotes"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line should read 'key: value'; quote values that span lines"
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one before it"
    if "aliases" in problem or "merge keys" in problem:
        return "write the value out in full"
    if "could not determine a constructor" in problem:
        return "remove the '!' tag; content files hold plain text, numbers, dates, lists and mappings"
    if "appears twice" in problem:
        return "remove or rename one of them"
    if "not a real date" in problem:
        return "check the month and the day"
    return "check the quoting and indentation of this line"


def read_text(path: Path, display: str, data: bytes | None = None) -> str:
    """Read a content file as UTF-8 text with ``\\n`` line endings (``data``: the file's
    bytes, read already).

    A UTF-8 byte-order mark is dropped; CRLF and CR become LF. A file that is
    not UTF-8 or is too large is a :class:`SourceError`.
    """
    try:
        size = path.stat().st_size if data is None else len(data)
        if size > MAX_FILE_BYTES:
            raise SourceError(
                Diagnostic(
                    SourceLocation(display),
                    f"the file is {size // 1024} KiB, larger than the {MAX_FILE_BYTES // 1024 // 1024} MiB limit",
                    "split it or remove embedded data",
                )
            )
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            Diagnostic(SourceLocation(display), f"cannot read the file: {exc.strerror or exc}", "")
        ) from None
    return decode_text(data, display)


def decode_text(data: bytes, display: str) -> str:
    """A content file's bytes as text, as :func:`read_text` reads them."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            Diagnostic(
                SourceLocation(display, line),
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
                "save the file with UTF-8 encoding",
            )
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError(
            Diagnostic(SourceLocation(display, line), "the file contains a NUL character", "save it as plain text")
        )
    return text


@dataclass(frozen=True, slots=True)
class FrontMatterDocument:
    """A Markdown file split into its front-matter and body."""

    front_matter: Any
    #: Line of the body's first line in the file (1-based).
    body_line: int
    body: str


_FENCE = re.compile(r"^---[ \t]*$", re.M)
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str, display: str) -> FrontMatterDocument:
    """Split ``---``-fenced YAML front-matter from a Markdown body and parse it."""
    if not _FENCE.match(text):
        raise SourceError(
            Diagnostic(
                SourceLocation(display, 1),
                "the file does not start with front-matter",
                "begin the file with a line '---', the YAML keys (title, authors, ...), then another '---'",
            )
        )
    first_nl, close = _front_matter_end(text)
    if close is None:
        raise SourceError(
            Diagnostic(
                SourceLocation(display, 1),
                "the front-matter that opens on line 1 is never closed",
                "add a line '---' after the last front-matter key",
            )
        )
    yaml_text = text[first_nl + 1 : close.start()]
    data = parse_yaml(yaml_text, display, line_offset=1)
    body_start = close.end() + 1
    body_line = text.count("\n", 0, min(body_start, len(text))) + 1
    return FrontMatterDocument(data, body_line, text[body_start:])


def _front_matter_end(text: str) -> tuple[int, "re.Match[str] | None"]:
    """Where the first line ends, and the line that closes the front-matter (None: none does)."""
    first_nl = text.find("\n")
    if first_nl < 0:
        first_nl = len(text)
    return first_nl, _CLOSE.search(text, first_nl + 1) if first_nl < len(text) else None


def body_of(text: str) -> str | None:
    """The body :func:`split_front_matter` gives for ``text``, without parsing the front-matter
    (for a file loaded before: its front-matter is known to be valid); None without one."""
    if not _FENCE.match(text):
        return None
    _first_nl, close = _front_matter_end(text)
    return None if close is None else text[close.end() + 1 :]


def load_yaml_file(path: Path, display: str) -> Any:
    """Read and parse a whole ``.yaml`` file."""
    return parse_yaml(read_text(path, display), display)


def is_within(path: Path, root: Path) -> bool:
    """True when ``path`` (symlinks resolved) lies inside ``root``."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return False
    return True
