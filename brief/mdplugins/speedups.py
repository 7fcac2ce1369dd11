"""Faster equivalents of markdown-it-py's hottest steps, with identical output.

The Markdown stage is most of a build, and a profile of a realistic archive
(``benchmarks/bench_markdown.py``) spends most of markdown-it-py's time in a
few places this plugin replaces, each by code that gives the same result:

* **Input.** :func:`normalize` skips markdown-it's line-ending substitution
  when the text has no ``\\r``.
* **Paragraphs.** markdown-it tries the ``lheading`` rule (setext headings,
  ``Title`` over ``===`` or ``---``) on every paragraph before the
  ``paragraph`` rule, and both walk the paragraph's lines asking every block
  rule that may interrupt a paragraph ("terminators": lists, headings, fences,
  tables, ...) whether it starts there: each line is asked twice, eight rules
  each time. :func:`paragraph` does both in one walk, and asks only the rules
  that can start with the line's first character (a table, with the next
  line's). Setext headings still work; the ``lheading`` rule is disabled
  because this rule finds them.
* **Text.** markdown-it's ``text`` rule stops at 23 characters that some
  inline rule *might* start at (``-``, ``:``, ``%``...), and every inline rule
  is then asked about that character; :func:`text_stops` keeps only the
  characters the active rules start at (``[``, ``*``, ``\\n``...).
* **Inline rules by character.** markdown-it's inline tokenizer asks every
  rule, in order, at each position where text stops; :func:`tokenize` (this
  parser's ``md.inline.tokenize``) asks only the rules that can start with the
  character there (:class:`InlineRules`), and only the ``text`` rule elsewhere.
* **Wrapped lines.** Most lines of a paragraph end in a soft line break: the
  ``text`` rule takes the line, then the tokenizer goes round again for the
  ``newline`` rule, which inspects the pending text for a hard break.
  :func:`text_and_softbreak` takes the line and its soft break in one step when
  the line does not end with a space (a space may make a hard break; then
  ``newline`` runs as usual).
* **Link labels.** markdown-it finds the ``]`` that ends a link label by
  skipping token after token (code spans and autolinks may hide a ``]``).
  :func:`parse_link_label` sees when the label is plain text, so the walk would
  be one step of the ``text`` rule, and records that step in the same cache
  (which later walks read); anything else goes through markdown-it's walk.
* **Rendering.** :func:`render_inline` writes text tokens (escaped) and soft
  breaks itself instead of calling their render rules, while those rules are
  markdown-it's own.
* **Link destinations.** :func:`normalize_link` and
  :func:`normalize_link_text` return a plain ASCII URL (``https://host/path``,
  a relative path) unchanged without parsing and re-encoding it, which is what
  markdown-it's ``mdurl`` round trip gives for such a URL; anything else
  (non-ASCII, ``%`` escapes that need fixing, odd hosts, other schemes) goes
  through markdown-it's own functions. :func:`parse_link_destination` finds a
  destination without parentheses or backslashes with one regular expression.

``tests/test_markdown.py`` compares each against markdown-it's original on
generated input (tokens as well as HTML for the inline steps, also with a low
``maxNesting`` and with ``breaks``). ``tests/test_commonmark.py`` runs Brief's
whole parser with and without this plugin over the CommonMark spec's examples
and a few thousand seeded random documents, and compares the tokens, the block
parser's state at every step, the HTML and the rendered article.

Since this code copies markdown-it-py's rules, ``pyproject.toml`` pins
markdown-it-py (4.3.x) and mdit-py-plugins (0.7.x) to the versions these tests
were run with; its comment says how to move the pin.
"""

from __future__ import annotations

import re
from types import MethodType, SimpleNamespace
from typing import Any, Callable, Sequence

from markdown_it import MarkdownIt, helpers, rules_block, rules_inline
from markdown_it.common import normalize_url
from markdown_it.common.utils import escapeHtml, mdTrim, unescapeAll
from markdown_it.parser_inline import ParserInline
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import NEWLINES_RE
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .notes import note_def
from .tables import table as checked_table

BlockRule = Callable[[StateBlock, int, int, bool], bool]
InlineRule = Callable[[StateInline, bool], bool]


def speedups_plugin(md: MarkdownIt) -> None:
    """Install the faster equivalents. Use it last: it reads which inline rules are active."""
    md.core.ruler.at("normalize", normalize)
    md.block.ruler.at("paragraph", paragraph)
    md.block.ruler.disable("lheading")  # paragraph() finds setext headings itself
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    md.normalizeLinkText = normalize_link_text  # type: ignore[method-assign,assignment]
    # This parser's own helpers (markdown-it's are a module shared by every parser).
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=parse_link_label,
        parseLinkDestination=parse_link_destination,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    stops = text_stops(md.inline.ruler.get_active_rules())
    if stops is not None:
        md.inline.terminator_re = re.compile(stops_pattern(stops))
        # ParserInline.parse and the link rule call md.inline.tokenize: this parser's is ours.
        md.inline.tokenize = MethodType(tokenize, md.inline)  # type: ignore[method-assign]
    if type(md.renderer) is RendererHTML:
        md.renderer.renderInline = MethodType(render_inline, md.renderer)  # type: ignore[method-assign]


# ---------------------------------------------------------------- input

def normalize(state: StateCore) -> None:
    """markdown-it's ``normalize`` rule (``\\r\\n`` and ``\\r`` to ``\\n``, NUL to U+FFFD),
    which runs a substitution for every line break even when there is nothing to change."""
    src = state.src
    if "\r" in src:
        src = NEWLINES_RE.sub("\n", src)
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


# ---------------------------------------------------------------- paragraphs

#: The characters a line must start with for each known terminator to match it.
#: A rule not listed here (another plugin's) is asked about every line. ``table``
#: depends on the *next* line, which must start with ``|``, ``-`` or ``:``.
START_CHARS: dict[BlockRule, frozenset[str]] = {
    rules_block.fence: frozenset("`~"),
    rules_block.blockquote: frozenset(">"),
    rules_block.hr: frozenset("*-_"),
    rules_block.list_block: frozenset("*-+0123456789"),
    rules_block.html_block: frozenset("<"),
    rules_block.heading: frozenset("#"),
    note_def: frozenset("["),
}
_TABLE_ROW_START = frozenset("|-:")
#: markdown-it's table rule, and :mod:`brief.mdplugins.tables`' checked version of it.
TABLE_RULES: tuple[BlockRule, ...] = (rules_block.table, checked_table)


class Terminators:
    """The rules that may end a paragraph, grouped by the first character they need."""

    def __init__(self, rules: list[BlockRule]):
        self.rules = rules
        self.has_table = any(rule in TABLE_RULES for rule in rules)
        chars = frozenset().union(*(START_CHARS[rule] for rule in rules if rule in START_CHARS))
        self.without_table = {char: self._pick(char, False) for char in chars}
        self.with_table = {char: self._pick(char, True) for char in chars}
        self.other_without_table = self._pick(None, False)
        self.other_with_table = self._pick(None, True)

    def _pick(self, char: str | None, table: bool) -> tuple[BlockRule, ...]:
        """The rules, in the ruler's order, that can match a line starting with ``char``."""
        picked: list[BlockRule] = []
        for rule in self.rules:
            if rule in TABLE_RULES:
                if table:
                    picked.append(rules_block.table)  # asked silently: the checked one adds nothing
            elif rule not in START_CHARS or char in START_CHARS[rule]:
                picked.append(rule)
        return tuple(picked)


_terminators: dict[int, Terminators] = {}


def terminators_of(md: MarkdownIt) -> Terminators:
    """The paragraph terminators of ``md``'s block ruler (grouped again when the ruler changes)."""
    rules = md.block.ruler.getRules("paragraph")
    known = _terminators.get(id(rules))
    if known is None or known.rules is not rules:
        known = _terminators[id(rules)] = Terminators(rules)
    return known


def paragraph(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it's ``lheading`` rule, then its ``paragraph`` rule, in one walk.

    ``lheading`` looks for an underline up to ``endLine`` and ``paragraph``
    reads up to ``state.lineMax``; inside a block quote these can differ, and
    then the paragraph's lines are walked again.

    The block state is left as markdown-it leaves it, down to ``parentType``:
    ``lheading`` sets it to ``"paragraph"`` and restores it only when it finds
    an underline, so after a plain paragraph it stays ``"paragraph"`` (unless
    the paragraph starts with a code block's indent, which ``lheading`` rejects
    before touching it). No markdown-it rule reads it there, but another
    plugin's rule might.
    """
    old_parent = state.parentType
    next_line = -1
    if not state.is_code_block(startLine):
        next_line, marker = _walk(state, startLine, endLine, True)
        if marker:
            _push_heading(state, startLine, next_line, marker)
            state.parentType = old_parent
            return True
        old_parent = "paragraph"  # what lheading leaves behind; paragraph restores it
    if next_line < 0 or endLine != state.lineMax:
        next_line, _ = _walk(state, startLine, state.lineMax, False)

    state.line = next_line
    token = state.push("paragraph_open", "p", 1)
    token.map = [startLine, next_line]
    token = state.push("inline", "", 0)
    token.content = mdTrim(state.getLines(startLine, next_line, state.blkIndent, False))
    token.map = [startLine, next_line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.parentType = old_parent
    return True


def _walk(state: StateBlock, start_line: int, end_line: int, setext: bool) -> tuple[int, str]:
    """The line after the paragraph starting at ``start_line``, and the setext marker
    (``=`` or ``-``) when the line there underlines it (only looked for if ``setext``)."""
    src, b_marks, t_shift, e_marks, s_count = state.src, state.bMarks, state.tShift, state.eMarks, state.sCount
    indent = state.blkIndent
    terminators = terminators_of(state.md)
    state.parentType = "paragraph"  # as markdown-it's rules set it: terminators read it
    line = start_line + 1
    while line < end_line:
        pos = b_marks[line] + t_shift[line]
        maximum = e_marks[line]
        if pos >= maximum:  # an empty line
            break
        count = s_count[line]
        # An indented line continues the paragraph (a lazy continuation, not code).
        if count - indent > 3:
            line += 1
            continue
        first = src[pos]
        if setext and count >= indent and (first == "=" or first == "-"):
            if state.skipSpaces(state.skipCharsStr(pos, first)) >= maximum:
                return line, first
        # A block quote's quirk: this line was checked by the block quote rule.
        if count < 0:
            line += 1
            continue
        table = False
        if terminators.has_table and line + 2 <= end_line:
            next_pos = b_marks[line + 1] + t_shift[line + 1]
            table = next_pos < e_marks[line + 1] and src[next_pos] in _TABLE_ROW_START
        if table:
            rules = terminators.with_table.get(first, terminators.other_with_table)
        else:
            rules = terminators.without_table.get(first, terminators.other_without_table)
        for rule in rules:
            if rule(state, line, end_line, True):
                return line, ""
        line += 1
    return line, ""


def _push_heading(state: StateBlock, start_line: int, underline: int, marker: str) -> None:
    tag = "h1" if marker == "=" else "h2"
    state.line = underline + 1
    token = state.push("heading_open", tag, 1)
    token.markup = marker
    token.map = [start_line, state.line]
    token = state.push("inline", "", 0)
    token.content = mdTrim(state.getLines(start_line, underline, state.blkIndent, False))
    token.map = [start_line, state.line - 1]
    token.children = []
    token = state.push("heading_close", tag, -1)
    token.markup = marker


# ---------------------------------------------------------------- text

#: The characters each inline rule can start at. markdown-it's ``text`` rule takes
#: everything up to the next of a fixed set of 23 characters (``-``, ``:``, ``%``, ``=``...,
#: reserved for extensions) and then asks every inline rule about that character;
#: when no active rule can start there, it is text all the same.
INLINE_START_CHARS: dict[str, str] = {
    "text": "",
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "emphasis": "*_",
    "strikethrough": "~",
    "link": "[",
    "image": "!",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "note_ref": "[",
    "cite_keys": "[",
}
#: Where link labels end and nest: ``parseLinkLabel`` relies on stopping at each bracket.
_ALWAYS_STOP = "[]"


def text_stops(active_rules: list[str]) -> set[str] | None:
    """The characters the ``text`` rule must stop at for these inline rules, or ``None``
    (keep markdown-it's set) when a rule is not one this module knows."""
    if any(name not in INLINE_START_CHARS for name in active_rules):
        return None
    return set(_ALWAYS_STOP).union(*(INLINE_START_CHARS[name] for name in active_rules))


def stops_pattern(stops: set[str]) -> str:
    """The regular expression the ``text`` rule searches for: any of ``stops``."""
    return "[" + re.escape("".join(sorted(stops))) + "]"


# ---------------------------------------------------------------- inline rules by character


class InlineRules:
    """The active inline rules grouped by the character they can start at, for a
    parser whose ``text`` rule stops at ``stops`` (see :func:`text_stops`).

    At a character ``text`` does not stop at, only ``text`` can match (every
    other rule starts at one of the stops); at a stop, only the rules that start
    with that character can, in the ruler's order. When the only rule for
    ``\\n`` is markdown-it's ``newline`` rule, text followed by a soft line
    break is taken in one step (:func:`text_and_softbreak`).
    """

    def __init__(self, names: list[str], rules: list[InlineRule], stops: set[str], terminator_re: re.Pattern[str]):
        self.rules = rules
        self.terminator_re = terminator_re
        named = list(zip(names, rules))
        self.by_char: dict[str, tuple[InlineRule, ...]] = {
            char: tuple(rule for name, rule in named if char in INLINE_START_CHARS[name]) for char in stops
        }
        text: tuple[InlineRule, ...] = tuple(rule for name, rule in named if name == "text")
        if text == (rules_inline.text,) and self.by_char.get("\n") == (rules_inline.newline,):
            text = (text_and_softbreak,)
        self.text = text
        #: Whether markdown-it's ``text`` rule is the first rule (``skipToken`` asks it first).
        self.text_first = bool(rules) and rules[0] is rules_inline.text


_inline_rules: dict[int, InlineRules] = {}


def inline_rules_of(parser: ParserInline) -> InlineRules | None:
    """``parser``'s :class:`InlineRules` (grouped again when its ruler changes), or ``None``
    when a rule is not one :data:`INLINE_START_CHARS` knows or the ``text`` rule's stops
    are not :func:`text_stops`'s."""
    rules = parser.ruler.getRules("")
    if not rules:
        return None
    known = _inline_rules.get(id(rules))
    if known is None or known.rules is not rules or known.terminator_re is not parser.terminator_re:
        names = parser.ruler.get_active_rules()
        stops = text_stops(names)
        if stops is None or parser.terminator_re.pattern != stops_pattern(stops):
            return None
        known = _inline_rules[id(rules)] = InlineRules(names, rules, stops, parser.terminator_re)
    return known


def tokenize(parser: ParserInline, state: StateInline) -> None:
    """markdown-it's inline tokenizer (``ParserInline.tokenize``), asking at each position
    only the rules that can start with its character (see :class:`InlineRules`)."""
    grouped = inline_rules_of(parser)
    if grouped is None:
        ParserInline.tokenize(parser, state)
        return
    by_char, text = grouped.by_char, grouped.text
    src = state.src
    end = state.posMax
    max_nesting = state.md.options["maxNesting"]
    while state.pos < end:
        pos = state.pos
        if state.level < max_nesting:
            matched = False
            for rule in by_char.get(src[pos], text):
                if rule(state, False):
                    matched = True
                    break
            if matched:
                if state.pos <= pos:
                    raise RuntimeError("inline rule didn't increment state.pos")
                if state.pos >= end:
                    break
                continue
        state.append_pending(src[pos])
        state.pos = pos + 1
    if state.pending:
        state.pushPending()


def text_and_softbreak(state: StateInline, silent: bool) -> bool:
    """markdown-it's ``text`` rule and, when the text ends a line and not with a space,
    the ``newline`` rule's soft break after it (a space there may make a hard break, and
    ``newline`` itself decides). Only :func:`tokenize` uses it, never silently."""
    src, start, maximum = state.src, state.pos, state.posMax
    found = state.md.inline.terminator_re.search(src, start)
    pos = found.start() if found else maximum
    if pos == start:
        return False
    state.append_pending(src[start:pos])
    if pos < maximum and src[pos] == "\n" and src[pos - 1] != " ":
        state.push("softbreak", "br", 0)
        pos += 1
        while pos < maximum and (src[pos] == " " or src[pos] == "\t"):  # the next line's indent
            pos += 1
    state.pos = pos
    return True


def parse_link_label(state: StateInline, start: int, disableNested: bool = False) -> int:
    """markdown-it's ``parseLinkLabel``: where the ``[label]`` starting at ``start`` ends.

    markdown-it walks the label token by token (``skipToken``), since code spans,
    autolinks and nested brackets may hide a ``]``. When the first character
    after ``[`` that any rule starts at is the closing ``]``, the label is plain
    text: the walk would be a single step of the ``text`` rule, which this
    records in the same cache, or none for an empty label.
    """
    grouped = inline_rules_of(state.md.inline)
    if grouped is not None and grouped.text_first and state.level < state.md.options["maxNesting"]:
        src, first = state.src, start + 1
        found = grouped.terminator_re.search(src, first)
        if found is not None:
            end = found.start()
            if end < state.posMax and src[end] == "]":
                if end == first:
                    return end
                if first not in state.cache:
                    state.cache[first] = end
                    return end
    return helpers.parseLinkLabel(state, start, disableNested)


# ---------------------------------------------------------------- rendering


def render_inline(self: RendererHTML, tokens: Sequence[Token], options: Any, env: Any) -> str:
    """``RendererHTML.renderInline``, writing text and soft line breaks itself while
    their render rules are markdown-it's own (escaped text; ``\\n`` without ``breaks``)."""
    rules = self.rules
    own_text = getattr(rules.get("text"), "__func__", None) is RendererHTML.text
    own_break = (
        getattr(rules.get("softbreak"), "__func__", None) is RendererHTML.softbreak
        and getattr(options, "breaks", True) is False
    )
    out: list[str] = []
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "text" and own_text:
            out.append(escapeHtml(token.content))
        elif kind == "softbreak" and own_break:
            out.append("\n")
        elif kind in rules:
            out.append(rules[kind](tokens, index, options, env))
        else:
            out.append(self.renderToken(tokens, index, options, env))
    return "".join(out)


# ---------------------------------------------------------------- links

#: Characters ``mdurl.encode`` leaves alone, and well-formed ``%XX`` escapes.
_ENCODED = r"(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*"
#: A URL the ``mdurl`` round trip returns unchanged: ``http(s)://`` with a plain ASCII
#: host name (labels of 1–63 letters, digits and hyphens) and an optional port, or a
#: reference with no scheme that does not start with ``//``; in either case only
#: characters that need no percent-encoding.
PLAIN_URL = re.compile(
    r"(?:https?://(?P<host>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*)(?::[0-9]+)?(?=[/?#]|\Z)"
    r"|(?![A-Za-z0-9.+-]+:|//))" + _ENCODED + r"\Z"
)
_HOST_MAX = 255  # mdurl drops a longer host name


def _is_plain(url: str) -> bool:
    match = PLAIN_URL.match(url)
    return match is not None and len(match.group("host") or "") <= _HOST_MAX


def normalize_link(url: str) -> str:
    """markdown-it's ``normalizeLink`` (the ``href`` of a link or image), fast for plain URLs."""
    return url if _is_plain(url) else normalize_url.normalizeLink(url)


def normalize_link_text(url: str) -> str:
    """markdown-it's ``normalizeLinkText`` (an autolink's text), fast for plain URLs
    (those with no ``%`` escapes to decode and no punycode host to show in Unicode)."""
    if "%" not in url and "xn--" not in url.lower() and _is_plain(url):
        return url
    return normalize_url.normalizeLinkText(url)


class LinkDestination:
    """What ``parseLinkDestination`` returns: ``ok``, the end ``pos`` and the URL ``str``."""

    __slots__ = ("ok", "pos", "str")

    def __init__(self, ok: bool = False, pos: int = 0, url: str = ""):
        self.ok = ok
        self.pos = pos
        self.str = url


#: A destination's characters up to the first space, control character, parenthesis or
#: backslash; parentheses and backslashes need markdown-it's own loop.
_DESTINATION = re.compile(r"[^\x00-\x20\x7f()\\]*")


def parse_link_destination(string: str, pos: int, maximum: int) -> object:
    """markdown-it's ``parseLinkDestination``: the ``(url)`` part of a link, without
    the character loop when the destination has no parentheses or backslashes."""
    if pos < len(string) and string[pos] == "<":
        return helpers.parseLinkDestination(string, pos, maximum)
    match = _DESTINATION.match(string, pos, maximum)
    assert match is not None  # the pattern matches the empty string
    end = match.end()
    if end < maximum and string[end] in "(\\":
        return helpers.parseLinkDestination(string, pos, maximum)
    if end == pos:
        return LinkDestination()
    return LinkDestination(True, end, unescapeAll(string[pos:end]))
