"""The Markdown speed-ups against markdown-it-py: the CommonMark spec and random documents.

:mod:`brief.mdplugins.speedups` re-implements parts of markdown-it-py's
internals, so each markdown-it-py release may change a rule it copied. These
tests run Brief's Markdown pipeline (:func:`brief.markdown.make_markdown`)
with and without the speed-ups, raw HTML off and on, over

* every example of the CommonMark spec (``fixtures/commonmark/``), and
* a few thousand seeded random documents mixing every construct the speed-ups
  touch (:func:`random_document`),

and require the same tokens, the same block-parser state at every step, the
same HTML and the same rendered article (notes, sources, figures, images,
diagnostics). They also compare plain markdown-it-py with the spec's expected
HTML, so that moving the version pin in ``pyproject.toml`` shows what changed
upstream: :data:`KNOWN_SPEC_DIFFERENCES` lists today's differences, and any
change, in either direction, fails with the example's number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable
from pathlib import Path
from types import MethodType
from typing import Any
from unittest import mock

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

import brief.markdown
from brief.errors import Diagnostic
from brief.markdown import make_markdown, render_article
from brief.mdplugins import speedups
from brief.model import ArticleContent, ArticleSource, CitationEntry, NoteSource

SPEC_FOLDER = Path(__file__).parent / "fixtures" / "commonmark"
SPEC = json.loads((SPEC_FOLDER / "commonmark.json").read_text(encoding="utf-8"))
ISSUE_DATE = dt.date(2026, 1, 14)

#: Spec examples where plain markdown-it-py's HTML is not the spec's, with the HTML it
#: gives (markdown-it-py 4.3.0). An empty block quote comes out as
#: ``<blockquote></blockquote>``, without the spec's line break: the same document.
KNOWN_SPEC_DIFFERENCES: dict[int, str] = {
    218: '<p><a href="/url">foo</a></p>\n<blockquote></blockquote>\n',
    239: "<blockquote></blockquote>\n",
    240: "<blockquote></blockquote>\n",
}


def _spec_cases() -> list[Any]:
    return [pytest.param(entry, id=f"{entry['example']}-{entry['section']}") for entry in SPEC]


# ---------------------------------------------------------------- plain markdown-it-py and the spec


def test_spec_fixture_is_commonmark_0_31_2_as_copied() -> None:
    data = (SPEC_FOLDER / "commonmark.json").read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's id of the file's content
    assert f"git blob `{blob}`" in (SPEC_FOLDER / "README.md").read_text(encoding="utf-8")
    assert len(SPEC) == 652
    assert [entry["example"] for entry in SPEC] == list(range(1, 653))
    assert set(KNOWN_SPEC_DIFFERENCES) <= {entry["example"] for entry in SPEC}


PLAIN_COMMONMARK = MarkdownIt("commonmark")


@pytest.mark.parametrize("entry", _spec_cases())
def test_markdown_it_py_gives_the_spec_html(entry: dict[str, Any]) -> None:
    example, html = entry["example"], PLAIN_COMMONMARK.render(entry["markdown"])
    where = f"CommonMark spec example {example} ({entry['section']}, spec lines {entry['start_line']}-{entry['end_line']})"
    if example in KNOWN_SPEC_DIFFERENCES:
        if html == entry["html"]:
            pytest.fail(f"{where}: markdown-it-py now gives the spec's HTML; remove it from KNOWN_SPEC_DIFFERENCES")
        assert html == KNOWN_SPEC_DIFFERENCES[example], (
            f"{where}: markdown-it-py's output changed (it was a known difference from the spec)\n"
            f"markdown: {entry['markdown']!r}\nspec:     {entry['html']!r}\nbefore:   {KNOWN_SPEC_DIFFERENCES[example]!r}\nnow:      {html!r}"
        )
    else:
        assert html == entry["html"], (
            f"{where}: markdown-it-py's HTML is not the spec's\n"
            f"markdown: {entry['markdown']!r}\nspec:     {entry['html']!r}\nnow:      {html!r}"
        )


# ---------------------------------------------------------------- Brief's pipeline with and without the speed-ups


def pipeline_without_speedups(raw_html: bool) -> MarkdownIt:
    """:func:`make_markdown`'s parser without the speed-ups plugin, and with the raw HTML
    rules it disables when raw HTML is off (they match nothing then: a speed-up too)."""
    with mock.patch.object(brief.markdown, "speedups_plugin", lambda md: None):
        md = make_markdown.__wrapped__(raw_html)
    return md.enable(["html_block", "html_inline"])


PLAIN = {raw_html: pipeline_without_speedups(raw_html) for raw_html in (False, True)}


def test_the_pipelines_compared_differ_by_the_speedups() -> None:
    for raw_html in (False, True):
        fast, plain = make_markdown(raw_html), PLAIN[raw_html]
        assert speedups.paragraph in fast.block.ruler.getRules("")
        assert speedups.paragraph not in plain.block.ruler.getRules("")
        assert "lheading" in plain.block.ruler.get_active_rules()
        assert fast.inline.tokenize.__func__ is speedups.tokenize  # type: ignore[attr-defined]
        assert fast.block.ruler.get_active_rules() == [
            name for name in plain.block.ruler.get_active_rules()
            if name != "lheading" and (raw_html or name not in ("html_block", "html_inline"))
        ]


def watch_block_state(md: MarkdownIt) -> list[Any]:
    """Make ``md`` record the block parser's state (every attribute of ``StateBlock`` but the
    parser, env and tokens, plus the token count) before each top-level rule is tried at a
    line and after each run of the block tokenizer (nested ones too). Returns the record."""
    record: list[Any] = []

    def snapshot(state: StateBlock, where: tuple[Any, ...]) -> None:
        fields = {
            name: list(value) if isinstance(value, list) else value
            for name, value in vars(state).items()
            if name not in ("md", "env", "tokens")
        }
        record.append((where, len(state.tokens), fields))

    def before_rules(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        snapshot(state, ("before rules", start_line, end_line, silent))
        return False

    tokenize = md.block.tokenize

    def after_tokenize(self: Any, state: StateBlock, start_line: int, end_line: int) -> None:
        tokenize(state, start_line, end_line)
        snapshot(state, ("after tokenize", start_line, end_line))

    md.block.ruler.before(md.block.ruler.get_active_rules()[0], "watch_block_state", before_rules)
    md.block.tokenize = MethodType(after_tokenize, md.block)  # type: ignore[method-assign]
    return record


def _watched(md: MarkdownIt) -> tuple[MarkdownIt, list[Any]]:
    return md, watch_block_state(md)


#: For each raw HTML setting, Brief's parser with and without the speed-ups, the block state
#: watched (separate parsers: make_markdown's own is left as it is).
WATCHED = {
    raw_html: (_watched(make_markdown.__wrapped__(raw_html)), _watched(pipeline_without_speedups(raw_html)))
    for raw_html in (False, True)
}

CITATIONS = (
    CitationEntry("mnd", "MND", "https://www.mnd.gov.tw/news/1", dt.date(2025, 12, 9), "Drills", line=4),
    CitationEntry("xinhua", "Xinhua", "https://www.news.cn/a/中文.html", None, "", line=5),
    CitationEntry("unused", "Reuters", "https://www.reuters.com/x", line=6),
)


def article_env() -> dict[str, Any]:
    """The env :func:`render_article` parses a body with."""
    return {
        "citations": {c.key: c for c in CITATIONS},
        "issue_date": ISSUE_DATE,
        "diagnostics": [],
        "sources": {},
        "figures": [],
        "images": [],
        "used_citations": set(),
        "_body_line": 3,
    }


def article(body: str, summary: str = "", disclaimer: str = "") -> ArticleSource:
    return ArticleSource(
        path="article.md", file_name="article.md", issue_key="v1n1", slug="article", title="Title",
        authors=(), body=body, body_line=3, summary=(summary,) if summary else (), disclaimer=disclaimer,
        notes=(NoteSource("front", "A front-matter *note* with [a link](https://example.org/n).", 7),),
        citations=CITATIONS, lines=(("summary", 2), ("disclaimer", 8)),
    )


def render_without_speedups(source: ArticleSource, raw_html: bool) -> tuple[ArticleContent, list[Diagnostic]]:
    with mock.patch.object(brief.markdown, "make_markdown", lambda html=False: PLAIN[html]):
        return render_article(source, ISSUE_DATE, raw_html)


def first_difference(expected: Any, actual: Any, path: str = "") -> str:
    """Where two nested values first differ, as a readable path and the two values."""
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        for index, (left, right) in enumerate(zip(expected, actual)):
            if left != right:
                return first_difference(left, right, f"{path}[{index}]")
        return f"{path}: {len(expected)} items without the speed-ups, {len(actual)} with them"
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if expected.get(key, "<absent>") != actual.get(key, "<absent>"):
                return first_difference(expected.get(key, "<absent>"), actual.get(key, "<absent>"), f"{path}.{key}")
    if dataclasses.is_dataclass(expected) and dataclasses.is_dataclass(actual):
        return first_difference(dataclasses.asdict(expected), dataclasses.asdict(actual), path)  # type: ignore[arg-type]
    return f"{path}:\n  without the speed-ups: {expected!r}\n  with them:             {actual!r}"


def compare(what: str, expected: Any, actual: Any, markdown: str, raw_html: bool, label: str) -> None:
    if expected != actual:
        pytest.fail(
            f"{label}, raw HTML {'on' if raw_html else 'off'}: the speed-ups change the {what}\n"
            f"markdown: {markdown!r}\nfirst difference at {first_difference(expected, actual)}",
            pytrace=False,
        )


def parse_and_render(md: MarkdownIt, markdown: str, inline: bool = False) -> tuple[list[Any], dict[str, Any], str]:
    """The tokens (as dicts), the env after parsing and the HTML as markdown-it renders it
    (before sanitising, which could hide a difference in raw HTML)."""
    env = article_env()
    tokens = md.parseInline(markdown, env) if inline else md.parse(markdown, env)
    token_data = [token.as_dict() for token in tokens]
    parsed_env = {**env, "diagnostics": list(env["diagnostics"]), "images": list(env["images"])}
    return token_data, parsed_env, md.renderer.render(tokens, md.options, env)


def assert_speedups_change_nothing(markdown: str, label: str, summary: str = "", disclaimer: str = "") -> None:
    """Brief's pipeline with and without the speed-ups, raw HTML off and on: the same
    tokens, env, block state and HTML (:data:`WATCHED`'s parsers), the same rendered
    article (HTML, notes, sources, figures, images, diagnostics; :func:`make_markdown`'s
    own parser) and, for ``summary``, the same inline tokens and HTML."""
    for raw_html in (False, True):
        (fast, fast_record), (plain, plain_record) = WATCHED[raw_html]
        del fast_record[:], plain_record[:]
        for what, expected, actual in zip(("tokens", "env", "HTML"), parse_and_render(plain, markdown), parse_and_render(fast, markdown)):
            compare(what, expected, actual, markdown, raw_html, label)
        compare("block state", plain_record, fast_record, markdown, raw_html, label)
        if summary:
            for what, expected, actual in zip(("inline tokens", "inline env", "inline HTML"),
                                              parse_and_render(plain, summary, True), parse_and_render(fast, summary, True)):
                compare(what, expected, actual, summary, raw_html, label)

        source = article(markdown, summary, disclaimer)
        compare("article", render_without_speedups(source, raw_html), render_article(source, ISSUE_DATE, raw_html),
                markdown, raw_html, label)


@pytest.mark.parametrize("entry", _spec_cases())
def test_speedups_give_the_pipeline_its_output_on_the_spec(entry: dict[str, Any]) -> None:
    assert_speedups_change_nothing(entry["markdown"], f"CommonMark spec example {entry['example']} ({entry['section']})")


def test_block_state_after_a_paragraph_is_markdown_its() -> None:
    """markdown-it's ``lheading`` rule leaves ``parentType`` at ``"paragraph"`` after a
    paragraph that is not a setext heading; the speed-up leaves it there too (the list
    rule, next, then sets ``"list"`` for its item's content)."""
    for (md, record) in WATCHED[False]:
        del record[:]
        md.parse("A paragraph.\n\n- a list\n", article_env())
        assert [fields["parentType"] for where, _count, fields in record if where[0] == "before rules"] == [
            "root", "paragraph", "list"
        ]


# ---------------------------------------------------------------- seeded random documents

RANDOM_DOCUMENTS = 3000
RANDOM_BATCHES = 30
SEED = "brief-speedups"

WORDS = [
    "drills", "the", "PLA", "Navy", "sorties", "near", "Taiwan", "said", "on", "a", "strait", "Kinmen",
    "foo", "bar", "x", "snake_case_word", "2025", "12.9", "U.S.", "e.g.", "it's", "—", "…",
]
CJK = ["解放军", "中国", "國防部", "台灣", "海峡", "联合利剑", "「演習」", "（东部战区）", "，", "。", "中文English混排"]
URLS = [
    "https://www.mnd.gov.tw/news/1", "http://example.org", "https://example.org/a_b-c.d~e?f=g&h=i#j",
    "HTTPS://EXAMPLE.ORG/", "https://例え.jp/パス", "https://xn--n3h.net/", "https://example.org/a%20b",
    "https://example.org/%zz", "https://host:8080/p", "//example.org/x", "../images/a.png", "notes.md",
    "#note-1", "mailto:editor@example.org", "javascript:alert(1)", "data:text/html,x", "ftp://x.org",
    "https://example.org/(paren)", "https://example.org/a\\)b", "", "https://a.b/c d", "/a?b=`c`",
    "https://" + "a." * 130 + "org/", "https://" + "b" * 64 + ".org/", "https://host:/p", "https://a_b.example/",
]


def random_document(index: int) -> tuple[str, str, str]:
    """Random document number ``index`` (the same on every run): a body, a summary line and
    a disclaimer. Blocks of every kind the paragraph speed-up must end or continue, and
    inline text mixing every construct the inline speed-ups see."""
    rng = random.Random(f"{SEED}-{index}")
    body = "".join(random_block(rng) + rng.choice(["\n", "\n", "\n\n", "\n\n", "\n\n\n", "\n \n"]) for _ in range(rng.randint(1, 7)))
    ending = rng.choices(["\n", "\r\n", "\r", "mixed"], [60, 25, 5, 10])[0]
    if ending == "mixed":
        body = "".join(line + rng.choice(["\n", "\r\n", "\r"]) for line in body.split("\n"))
    elif ending != "\n":
        body = body.replace("\n", ending)
    if rng.random() < 0.02:
        body = body.replace("a", "\x00", 1)
    return body, inline_text(rng, 1), inline_text(rng, 2) if rng.random() < 0.3 else ""


def random_block(rng: random.Random) -> str:
    return rng.choice(BLOCKS)(rng)


def paragraph_block(rng: random.Random) -> str:
    return inline_text(rng, rng.randint(1, 4))


def setext_block(rng: random.Random) -> str:
    indent = rng.choice(["", "", " ", "   ", "    "])
    marker = rng.choice(["=", "-"]) * rng.randint(1, 6)
    underline = indent + rng.choice([marker, marker + "  ", marker + " x", "= =", "- -", marker + "\t"])
    return inline_text(rng, rng.randint(1, 3)) + "\n" + underline


def heading_block(rng: random.Random) -> str:
    return "#" * rng.randint(1, 7) + rng.choice([" ", "", "  "]) + inline_text(rng, 1) + rng.choice(["", " ##", " #x"])


def list_block(rng: random.Random, depth: int = 0) -> str:
    ordered = rng.random() < 0.4
    start = rng.choice([1, 1, 2, 10, 0])
    lines = []
    for number in range(rng.randint(1, 4)):
        marker = f"{start + number}{rng.choice('.)')}" if ordered else rng.choice("-*+")
        indent = " " * len(marker + " ")
        item = inline_text(rng, rng.randint(1, 3)).replace("\n", "\n" + rng.choice([indent, "", " "]))
        lines.append(rng.choice(["", " ", "  "]) + marker + rng.choice([" ", " ", "  ", "\t"]) + item)
        if depth < 2 and rng.random() < 0.25:
            lines.append(indent + list_block(rng, depth + 1).replace("\n", "\n" + indent))
        if rng.random() < 0.2:
            lines.append(indent + rng.choice(["===", "---", "***"]))
        if rng.random() < 0.25:
            lines.append("")
    return "\n".join(lines)


def quote_block(rng: random.Random, depth: int = 0) -> str:
    if rng.random() < 0.03:  # around markdown-it's nesting limit (20)
        return rng.choice([">", "- "]) * rng.randint(8, 12) + inline_text(rng, 2)
    inner = rng.choice([paragraph_block, setext_block, list_block, table_block, heading_block])(rng)
    if depth < 2 and rng.random() < 0.25:
        inner += "\n" + quote_block(rng, depth + 1)
    lines = []
    for line in inner.split("\n"):
        prefix = rng.choices([">", "> ", ">  ", "   > ", ">\t", ""], [20, 50, 5, 5, 5, 15])[0]
        lines.append(prefix + line)
    return "\n".join(lines)


def table_block(rng: random.Random) -> str:
    columns = rng.randint(1, 4)
    pipes = rng.random() < 0.7

    def row(cells: list[str]) -> str:
        text = " | ".join(cells)
        return f"| {text} |" if pipes else text

    header = row([rng.choice([inline_text(rng, 1, short=True), "a", "中文"]) for _ in range(columns)])
    delimiter = row([rng.choice(["---", ":--", ":-:", "--:", "-", "---:"]) for _ in range(columns)])
    body = [row([inline_text(rng, 1, short=True).replace("|", "\\|") for _ in range(rng.randint(columns - 1, columns + 1) or 1)])
            for _ in range(rng.randint(0, 3))]
    table = "\n".join([header, delimiter, *body])
    if rng.random() < 0.3:  # a caption and a source line, as editors write them
        table = f"Table {rng.randint(1, 3)}: {inline_text(rng, 1, short=True)}\n\n{table}\n\n(Source: [MND]({rng.choice(URLS)}))"
    elif rng.random() < 0.3:  # right after a paragraph line
        table = inline_text(rng, 1) + "\n" + table
    return table


def fence_block(rng: random.Random) -> str:
    fence = rng.choice(["```", "~~~", "````"])
    return fence + rng.choice(["", "python", " x"]) + "\n" + inline_text(rng, 2) + "\n" + rng.choice([fence, "```", ""])


def code_block(rng: random.Random) -> str:
    return "\n".join(rng.choice(["    ", "\t", "     "]) + line for line in inline_text(rng, 2).split("\n"))


def thematic_break(rng: random.Random) -> str:
    return rng.choice(["***", "---", "___", "* * *", " - - -", "_ _", "**"])


def html_block(rng: random.Random) -> str:
    return rng.choice([
        "<div>\n" + inline_text(rng, 1) + "\n</div>", "<!-- a comment -->", "<em>x</em> " + inline_text(rng, 1),
        "<script>alert(1)</script>", '<p onclick="x()">' + inline_text(rng, 1) + "</p>", "<!--brief-image:0-->",
        "<table><tr><td>x</td></tr></table>", "</div>",
    ])


def definition_block(rng: random.Random) -> str:
    return rng.choice([
        f"[{rng.choice(['ref', 'Ref', 'r 1', '中文'])}]: {rng.choice(URLS)}" + rng.choice(["", ' "Title"', " 'T'", " (t)"]),
        f"[^{rng.choice(['1', '2', 'a', 'front'])}]: " + inline_text(rng, rng.randint(1, 2)),
        "[^1]:",
    ])


BLOCKS: list[Callable[[random.Random], str]] = [
    paragraph_block, paragraph_block, paragraph_block, setext_block, setext_block, heading_block, list_block,
    list_block, quote_block, quote_block, table_block, table_block, fence_block, code_block, thematic_break,
    html_block, definition_block,
]


def link(rng: random.Random) -> str:
    label = rng.choice([" ".join(rng.sample(WORDS, 2)), rng.choice(CJK), "*em*", "`co]de`", "a [b] c", "", "a\nb", "!", "[x](/y)"])
    url = rng.choice(URLS)
    title = rng.choice(["", "", ' "Title"', " 'a \"b\"'", " (paren)", ' "unclosed'])
    return rng.choice([
        f"[{label}]({url}{title})", f"[{label}](<{url}>{title})", f"[{label}]( {url} )", f"![{label}]({url}{title})",
        f"[{label}][ref]", f"[{label}][]", "[ref]", "[Ref][]", f"![{label}][ref]", f"<{url}>", "<editor@example.org>",
        f"([{rng.choice(['MND', 'Xinhua', '新华社'])}]({url}), December {rng.randint(1, 31)})", f"[{label}]({url}",
        f"[{label}] ({url})", f"[{label}]\n({url})", "[" * rng.randint(1, 4) + label + "]" * rng.randint(0, 4) + f"({url})",
    ])


def inline_piece(rng: random.Random) -> str:
    kind = rng.randrange(16)
    if kind < 4:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
    if kind == 4:
        return "".join(rng.choice(CJK) for _ in range(rng.randint(1, 3)))
    if kind == 5:
        word = rng.choice(WORDS + CJK)
        return rng.choice(["*", "_", "**", "__", "***", "*_", "~~"]) + word + rng.choice(["*", "_", "**", "__", "***", "", "~~"])
    if kind == 6:
        if rng.random() < 0.1:  # around markdown-it's nesting limit (20)
            depth = rng.randint(17, 23)
            return rng.choice(["[" * depth + "a](/u)", "[" * depth + "a" + "]" * depth + "(/u)", "*" * depth + "a" + "*" * depth,
                               "**a " * depth + "b" + "**" * depth, "![" * depth + "a](/u)"])
        return rng.choice(["*a **b** c*", "**a *b* c**", "foo*bar*", "foo_bar_", "*中文*强调", "_(x)_", "**", "* a *", "a * b"])
    if kind in (7, 8):
        return link(rng)
    if kind == 9:
        return rng.choice(["`code`", "``a ` b``", "`", "` x `", "`[not](a link)`", "`*x*`", "``", "`a\nb`"])
    if kind == 10:
        return rng.choice(["&amp;", "&copy;", "&#35;", "&#x4E2D;", "&bogus;", "&", "&#xZZ;", "&nbsp", "&amp"])
    if kind == 11:
        return rng.choice(["\\*", "\\[", "\\]", "\\\\", "\\`", "\\<", "\\&", "\\中", "\\", "\\|", "\\_"])
    if kind == 12:
        return rng.choice(["[@mnd]", "[@mnd; @xinhua]", "[@missing]", "[^1]", "[^2]", "[^front]", "[^nope]", "[@]"])
    if kind == 13:
        return rng.choice(["<b>bold</b>", '<span class="a">x</span>', "<!-- c -->", '<a href="javascript:x">y</a>', "<3", "a<b"])
    if kind == 14:
        return rng.choice(["!", ":", "%", "-", "=", "@", "^", "{", "}", "$", "~", "+", "(", ")", "]", "[", "|", ">", "#"])
    return rng.choice(["", " ", "  ", "\t"])


def inline_text(rng: random.Random, lines: int, short: bool = False) -> str:
    out = []
    for _ in range(lines):
        pieces = [inline_piece(rng) for _ in range(rng.randint(1, 3 if short else 8))]
        text = rng.choice(["", "", " ", "  "]) + "".join(piece + rng.choice(["", " ", " ", " "]) for piece in pieces)
        out.append(text.replace("\n", " ") if short else text + rng.choice(["", "", "", "  ", "\\", "\t"]))
    return "\n".join(out)


@pytest.mark.parametrize("batch", range(RANDOM_BATCHES))
def test_speedups_give_the_pipeline_its_output_on_random_documents(batch: int) -> None:
    size = RANDOM_DOCUMENTS // RANDOM_BATCHES
    for index in range(batch * size, (batch + 1) * size):
        body, summary, disclaimer = random_document(index)
        assert_speedups_change_nothing(body, f"random_document({index})", summary, disclaimer)


def test_random_documents_mix_every_construct() -> None:
    """The generator reaches what the speed-ups handle (each kind of token Brief's parser
    makes, line endings of every kind) within its first thousand documents."""
    seen: set[str] = set()
    endings: set[str] = set()
    md = make_markdown(True)
    for index in range(RANDOM_DOCUMENTS // 3):
        body, _summary, _disclaimer = random_document(index)
        endings |= {"CRLF"} if "\r\n" in body else set()
        endings |= {"CR"} if "\r" in body.replace("\r\n", "") else set()
        for token in md.parse(body, article_env()):
            seen.add(token.type)
            seen.update(child.type for child in token.children or ())
    assert endings == {"CRLF", "CR"}
    assert seen >= {
        "heading_open", "paragraph_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "table_open",
        "th_open", "td_open", "fence", "code_block", "hr", "html_block", "html_inline", "em_open", "strong_open",
        "link_open", "image", "code_inline", "softbreak", "hardbreak", "text", "note_ref", "cite_keys",
        "figure_open", "zh_open",
    }
