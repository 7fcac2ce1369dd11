"""The Markdown stage: fixture files per extension, plus focused tests.

Each file in ``tests/fixtures/markdown/`` is in markdown-it-py's fixture
format (title / ``.`` / Markdown / ``.`` / expected / ``.``). The Markdown is
an article body starting on line 1 of ``article.md``, rendered with
:func:`brief.markdown.render_article` for an issue dated 2026-01-14. The
expected text is the body HTML, followed, when there are any, by the notes
(``--- notes``, one ``<li id="note-N">`` each), the source list
(``--- sources``, one ``url; outlet: ...; title: ...; date: ...; accessed: ...`` line
each, empty fields left out) and
the diagnostics (``--- diagnostics``, printed as editors see them).

To regenerate after a deliberate change, review the diff of::

    BRIEF_REGENERATE_FIXTURES=1 python -m pytest tests/test_markdown.py
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt, helpers
from markdown_it.common import normalize_url
from markdown_it.utils import read_fixture_file

from brief.errors import Diagnostic
from brief.markdown import SAFE_ATTRIBUTES, SAFE_TAGS, excerpt, make_markdown, render_article, render_text
from brief.mdplugins.citations import citations_plugin
from brief.mdplugins.notes import notes_plugin
from brief.mdplugins.links import ALLOWED_SCHEMES, scheme_of, unsafe_scheme
from brief.mdplugins.speedups import normalize_link, normalize_link_text, parse_link_destination, speedups_plugin, text_stops
from brief.model import ArticleContent, ArticleSource, Figure, ImageUse, LeadImage, Source

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
ISSUE_DATE = dt.date(2026, 1, 14)
#: The site's own address, for the fixtures of links between pages.
BASE_URL = "https://brief.example.org/"


def render(body: str, body_line: int = 1, raw_html: bool = False, **fields: Any) -> tuple[ArticleContent, list[Diagnostic]]:
    source = ArticleSource(
        path="article.md", file_name="article.md", issue_key="v1n1", slug="article", title="Title",
        authors=(), body=body, body_line=body_line, **fields,
    )
    return render_article(source, ISSUE_DATE, raw_html, BASE_URL)


def messages(diagnostics: list[Diagnostic]) -> list[str]:
    return [str(d) for d in diagnostics]


def fixture_output(content: ArticleContent, diagnostics: list[Diagnostic]) -> str:
    parts = [content.body_html]
    if content.notes:
        parts.append("--- notes\n" + "".join(f'<li id="note-{n.number}">{n.html}</li>\n' for n in content.notes))
    if content.sources:
        parts.append("--- sources\n" + "".join(f"{source_line(s)}\n" for s in content.sources))
    if content.links:
        parts.append("--- links\n" + "".join(
            f"{n}: {link.kind} {link.target!r} #{link.fragment} line {link.line}\n" for n, link in enumerate(content.links)
        ))
    if diagnostics:
        parts.append("--- diagnostics\n" + "".join(f"{d}\n" for d in diagnostics))
    return "".join(parts)


def source_line(source: Source) -> str:
    fields = [("outlet", source.outlet), ("title", source.title), ("date", source.date), ("accessed", source.accessed)]
    return "; ".join([source.url, *(f"{name}: {value}" for name, value in fields if value)])


def _fixture_cases() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, markdown, expected in read_fixture_file(path):
            cases.append(pytest.param(path, line, markdown, expected, id=f"{path.stem}:{line + 1}:{title}"))
    return cases


@pytest.mark.parametrize(("path", "line", "markdown", "expected"), _fixture_cases())
def test_fixture(path: Path, line: int, markdown: str, expected: str) -> None:
    actual = fixture_output(*render(markdown))
    if os.environ.get("BRIEF_REGENERATE_FIXTURES") and actual != expected:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f".\n{markdown}.\n{expected}.\n", f".\n{markdown}.\n{actual}.\n", 1), encoding="utf-8")
        pytest.skip("fixture regenerated; review the diff")
    assert actual == expected


def test_every_extension_has_a_fixture_file() -> None:
    assert {p.stem for p in FIXTURES.glob("*.md")} >= {
        "citations", "notes", "captions", "chinese", "links", "pagelinks", "tables", "limits", "rawhtml", "references",
    }


# --- Safety -----------------------------------------------------------------


def test_raw_html_is_escaped_by_default() -> None:
    content, problems = render("<script>alert(1)</script>\n\nA <img src=x onerror=alert(1)> b")
    assert "<script" not in content.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content.body_html
    assert "<img" not in content.body_html
    assert messages(problems) == [
        "article.md:1: warning [raw-html]: '<script>' shows on the page as typed, tags and all: raw HTML is off "
        "(the first of 3 HTML tags in this file) — remove the tag, keeping its text"
    ]


@pytest.mark.parametrize(
    ("markdown", "kept", "removed"),
    [
        ("<script>alert(1)</script>\n\nText.", "<p>Text.</p>", "script"),
        ('<p onclick="steal()">Hi</p>', "<p>Hi</p>", "onclick"),
        ('A <b onmouseover="x()">b</b>.', "<p>A <b>b</b>.</p>", "onmouseover"),
        ('<a href="javascript:alert(1)">x</a>', "<a", "javascript"),
        ('<div style="color:red">styled</div>', "<div>styled</div>", "style="),
        ("<iframe src='https://evil.example'></iframe>\n\nOK", "<p>OK</p>", "iframe"),
    ],
)
def test_raw_html_is_sanitised_when_allowed(markdown: str, kept: str, removed: str) -> None:
    content, _ = render(markdown, raw_html=True)
    assert kept in content.body_html
    assert removed not in content.body_html


def test_raw_html_keeps_our_own_markup() -> None:
    body = "Claim.[^1] 中国\n\n![Alt](images/a.png)\n\n[^1]: Note."
    plain, _ = render(body)
    raw, problems = render(body, raw_html=True)
    assert problems == []
    assert 'role="doc-noteref"' in raw.body_html
    assert '<span lang="zh-Hans">中国</span>' in raw.body_html
    assert "<!--brief-image:0-->" in raw.body_html
    assert raw.notes[0].html == plain.notes[0].html


def test_raw_html_cannot_forge_image_markers() -> None:
    content, _ = render("<!--brief-image:0--> text\n\n<div>\n<!--brief-image:3-->\n</div>", raw_html=True)
    assert "brief-image" not in content.body_html
    assert content.images == ()


@pytest.mark.parametrize(
    ("markdown", "html", "message"),
    [
        *(
            (f"click [here]({scheme}:payload) now.", "click here now.", f"a link to a '{scheme.lower()}:' URL was dropped")
            for scheme in ("javascript", "vbscript", "data", "file", "JavaScript")
        ),
        *(
            (f"Look: ![a chart]({scheme}:payload)", "Look: a chart", f"an image with a '{scheme}:' URL was dropped")
            for scheme in ("javascript", "data", "file")
        ),
    ],
)
def test_unsafe_url_is_dropped_leaving_its_text_with_a_warning_at_its_line(markdown: str, html: str, message: str) -> None:
    content, problems = render(f"Intro line\n{markdown}", body_line=10)
    assert content.body_html == f"<p>Intro line\n{html}</p>\n"
    assert content.sources == ()
    assert content.images == ()
    assert messages(problems) == [
        f"article.md:11: warning [unsafe-link]: {message} — links may use http, https and mailto addresses or relative paths"
    ]


def test_unsafe_links_are_dropped_before_sources_are_collected() -> None:
    content, problems = render(
        "([Evil](javascript:x), December 9) and [![bad](javascript:y)](https://example.org/a)", body_line=2
    )
    assert content.body_html == (
        '<p>(Evil, December 9) and <a href="https://example.org/a" rel="noopener noreferrer">bad</a></p>\n'
    )
    assert content.sources == (Source("https://example.org/a", title="bad"),)
    assert [(p.location.line, p.message) for p in problems] == [
        (2, "a link to a 'javascript:' URL was dropped"),
        (2, "an image with a 'javascript:' URL was dropped"),
    ]


def test_unsafe_reference_definition_is_dropped_where_used() -> None:
    content, problems = render("First [a][r], then [b][r].\n\n[r]: vbscript:msgbox", body_line=7)
    assert content.body_html == "<p>First a, then b.</p>\n"
    assert [str(p).split(" — ")[0] for p in problems] == [
        "article.md:7: warning [unsafe-link]: a link to a 'vbscript:' URL was dropped",
        "article.md:7: warning [unsafe-link]: a link to a 'vbscript:' URL was dropped",
    ]


def test_unsafe_links_in_notes_are_dropped_too() -> None:
    content, problems = render("Claim.[^1]\n\n[^1]: Bad [link](javascript:x).", body_line=5)
    assert "javascript" not in content.notes[0].html
    assert content.notes[0].html.startswith("<p>Bad link.")
    assert messages(problems) == [
        "article.md:7: warning [unsafe-link]: a link to a 'javascript:' URL was dropped"
        " — links may use http, https and mailto addresses or relative paths"
    ]


@pytest.mark.parametrize(
    ("href", "rel"),
    [
        ("https://example.org/a", True),
        ("http://example.org/a", True),
        ("//example.org/a", True),
        ("#table-1", False),
        ("mailto:editor@example.org", False),
    ],
)
def test_outside_links_get_rel_noopener(href: str, rel: bool) -> None:
    content, problems = render(f"[text]({href})")
    assert problems == []
    expected = f'<a href="{href}" rel="noopener noreferrer">text</a>' if rel else f'<a href="{href}">text</a>'
    assert content.body_html == f"<p>{expected}</p>\n"


# --- Images -----------------------------------------------------------------


def test_image_records_its_use_and_line() -> None:
    content, problems = render("Intro.\n\n![A chart of sorties](images/sorties.png \"Sorties\")", body_line=8)
    assert problems == []
    assert content.images == (ImageUse("images/sorties.png", 10, "A chart of sorties", "Sorties"),)
    assert content.body_html == "<p>Intro.</p>\n<p><!--brief-image:0--></p>\n"


def test_image_line_inside_a_multi_line_paragraph_is_its_own() -> None:
    content, _ = render("First line\nsecond line\n![Alt](images/a.png)\n![Alt b](images/b.png)", body_line=20)
    assert [(i.src, i.line) for i in content.images] == [("images/a.png", 22), ("images/b.png", 23)]


def test_image_alt_text_is_plain_text() -> None:
    content, _ = render("![A *bold* `claim` & more](images/a.png)")
    assert content.images[0].alt == "A bold claim & more"


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("![](images/x.png)", 3),
        ("Text\n![](images/x.png)", 4),
        ("Figure 1: A map\n![ ](images/x.png)\n(Source: MND)", 4),
    ],
)
def test_image_without_alt_text_is_an_error_at_its_line(body: str, line: int) -> None:
    _, problems = render(body, body_line=3)
    assert messages(problems) == [
        f"article.md:{line}: the image 'images/x.png' has no alt text"
        " — write a description between the brackets: ![A chart of ...](images/x.png)"
    ]
    assert problems[0].severity == "error"


def test_images_in_notes_share_the_article_list() -> None:
    content, problems = render("Claim.[^1] ![Body](images/body.png)\n\n[^1]: ![In note](images/note.png)", body_line=2)
    assert problems == []
    assert [(i.src, i.line) for i in content.images] == [("images/body.png", 2), ("images/note.png", 4)]
    assert "<!--brief-image:1-->" in content.notes[0].html


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        ({"summary": ("Look ![x](images/s.png)",), "lines": (("summary", 4),)}, 4),
        ({"disclaimer": "![x](images/d.png)", "lines": (("disclaimer", 6),)}, 6),
    ],
)
def test_image_outside_the_body_is_an_error(fields: dict[str, Any], line: int) -> None:
    _, problems = render("Body.", **fields)
    assert len(problems) == 1
    assert problems[0].location.line == line
    assert problems[0].message.endswith("cannot be shown here")
    assert problems[0].hint == "images go in the body; the lead image goes under 'image:'"


# --- Captions ---------------------------------------------------------------


def test_captions_record_figures_in_order() -> None:
    body = (
        "Table 1: Drills\n\n| a |\n|---|\n| b |\n\n"
        "Figure 1: Map\n\n![Map](images/m.png)\n\n"
        "Table 2: Sorties by `day`\n\n| c |\n|---|\n| d |\n"
    )
    content, problems = render(body)
    assert problems == []
    assert content.figures == (
        Figure("table", 1, "Drills", "table-1"),
        Figure("figure", 1, "Map", "figure-1"),
        Figure("table", 2, "Sorties by day", "table-2"),
    )


@pytest.mark.parametrize(
    ("caption", "kind", "written", "number"),
    [
        ("Table 2: T", "table", 2, 1),
        ("Table 10: T", "table", 10, 1),
        ("Figure 3: F", "figure", 3, 1),
    ],
)
def test_misnumbered_caption_is_a_warning_at_its_line(caption: str, kind: str, written: int, number: int) -> None:
    target = "| a |\n|---|\n| b |" if kind == "table" else "![Alt](images/a.png)"
    content, problems = render(f"Intro.\n\n{caption}\n\n{target}", body_line=30)
    label = kind.capitalize()
    assert messages(problems) == [
        f"article.md:32: warning [caption-order]: the caption says {label} {written}, but it is {kind} {number} of this article"
        f" — renumber it {label} {number} (tables and figures are numbered in order)"
    ]
    assert content.figures[0].anchor == f"{kind}-{number}"
    assert f'<figure id="{kind}-{number}" class="captioned {kind}">' in content.body_html


@pytest.mark.parametrize("separator", [":", "."])
def test_caption_label_accepts_colon_or_period(separator: str) -> None:
    content, _ = render(f"Table 1{separator} Title\n\n| a |\n|---|\n| b |")
    assert content.figures == (Figure("table", 1, "Title", "table-1"),)


@pytest.mark.parametrize("marker", ["Source", "Sources", "Data", "source"])
def test_source_line_variants(marker: str) -> None:
    content, _ = render(f"Table 1: T\n\n| a |\n|---|\n| b |\n\n({marker}: MND)")
    assert f'<p class="figure-source">({marker}: MND)</p>\n</figure>' in content.body_html


def test_table_alignment_emits_no_inline_style() -> None:
    # Pages ship a CSP with style-src 'self': markdown-it's style="text-align:..." would be ignored.
    content, _ = render("| L | C | R |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "style=" not in content.body_html
    assert '<th class="align-left">L</th>' in content.body_html
    assert '<td data-label="C" class="align-center">2</td>' in content.body_html
    assert '<td data-label="R" class="align-right">3</td>' in content.body_html


def test_sanitiser_no_longer_allows_inline_styles_on_cells() -> None:
    assert "style" not in SAFE_ATTRIBUTES["td"] | SAFE_ATTRIBUTES["th"]
    content, _ = render("| L |\n|:-:|\n| 1 |", raw_html=True)
    assert '<td data-label="L" class="align-center">1</td>' in content.body_html


# --- Parser set-up and side texts --------------------------------------------


def test_parser_is_commonmark_plus_tables_without_linkify_or_typographer() -> None:
    md = make_markdown()
    assert md.options["html"] is False
    assert md.options["linkify"] is False
    assert md.options["typographer"] is False
    content, _ = render('"Quotes" -- and www.example.org stay as written.')
    assert content.body_html == "<p>&quot;Quotes&quot; -- and www.example.org stay as written.</p>\n"


def test_links_in_summary_and_disclaimer_are_not_sources() -> None:
    content, problems = render(
        "Body [link](https://example.org/body).",
        summary=("A *point* with [a link](https://example.org/summary).",),
        disclaimer="Views are the [authors'](https://example.org/d) own.",
    )
    assert problems == []
    assert [s.url for s in content.sources] == ["https://example.org/body"]
    assert content.summary_html == (
        'A <em>point</em> with <a href="https://example.org/summary" rel="noopener noreferrer">a link</a>.',
    )
    assert content.summary_text == ("A point with a link.",)
    assert content.disclaimer_html == (
        '<p>Views are the <a href="https://example.org/d" rel="noopener noreferrer">authors\'</a> own.</p>\n'
    )


def test_lead_image_caption_is_inline_markdown() -> None:
    image = LeadImage("images/lead.jpg", "A formation", caption="A *formation* at sea", line=9)
    content, _ = render("Body.", image=image)
    assert content.image_caption_html == "A <em>formation</em> at sea"


def test_word_count_counts_words_and_han_characters() -> None:
    content, _ = render("Seven reserved areas, 中国 it's  here.")
    assert content.word_count == 7  # Seven reserved areas 中 国 it's here


def test_render_text_rejects_notes_and_images_in_a_bio() -> None:
    html, problems = render_text("A bio.[^1] ![Face](face.jpg)", "authors/a.md", 5, ISSUE_DATE)
    assert html.startswith("<p>A bio.[^1]")
    assert [(d.location.line, d.message) for d in problems] == [
        (5, "a bio cannot have notes"),
        (5, "a bio cannot show images"),
    ]


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("## Winter Training, Again", '<h2 id="winter-training-again">'),
        ("### 解放军 drills", '<h3 id="解放军-drills">'),
        ("## Table 1", '<h2 id="s-table-1">'),  # would clash with the first table's anchor
        ("## Notes heading", '<h2 id="s-notes-heading">'),
    ],
)
def test_headings_get_ids_that_never_clash_with_the_page(heading: str, expected: str) -> None:
    from brief.markdown import make_markdown

    assert make_markdown(False).render(heading + "\n").startswith(expected)


def test_repeated_headings_get_distinct_ids() -> None:
    from brief.markdown import make_markdown

    html = make_markdown(False).render("## Background\n\n## Background\n")
    assert '<h2 id="background">' in html and '<h2 id="background-1">' in html


# ---------------------------------------------------------------- speed-ups give markdown-it's output
#
# brief.mdplugins.speedups replaces some of markdown-it-py's steps with faster code that
# must give the same result; these tests compare the two on hand-picked and generated input.

BLOCK_SAMPLES = [
    "Foo *bar*\n=========\n\nFoo *bar*\n---------\n",
    "Foo *bar\nbaz*\n====\n",
    "   Foo\n---\n\n  Foo\n-----\n\n  Foo\n  ===\n",
    "    Foo\n    ---\n\n    Foo\n---\n",
    "Foo\n    ---\n\nFoo\n= =\n\nFoo\n--- -\n",
    "`Foo\n----\n`\n\n<a title=\"a lot\n---\nof dashes\"/>\n",
    "> Foo\n---\n\n> foo\nbar\n===\n\n- Foo\n---\n",
    "> a\n> b\nlazy\n===\n\n> - x\n> y\n---\n",
    "- a\n  b\n  ===\n- c\n\n  d\n  ---\n",
    "Foo\nBar\n---\n\n---\nFoo\n---\nBar\n---\nBaz\n\n\n====\n",
    "Foo\nbar\n* * *\nbaz\n\nFoo\nbar\n\\---\nbaz\n",
    "a\n- b\n\na\n1. b\n\na\n2. b\n\na\n-\n\na\n*\n",
    "a\n# h\nb\n#no\nc\n> q\nd\n```\ncode\n```\ne\n~~~\nf\n",
    "a\n| x | y |\n|---|---|\n| 1 | 2 |\n\n| x |\n| - |\nb\n",
    "a\n[^1]: note\nb\n[ref]: /url\n[ref]\n",
    "a\n<div>\nb\n</div>\nc\n<!-- x -->\nd\n<em>e</em>\n",
    "a\n    b\n\tc\n  d\n   ***\n",
    "  - a\n\n\tb\n\n> > x\n> y\nz\n",
    "Windows\r\nline ends\r\n===\r\n\r\nold Mac\rends\r\rand a NUL \x00 byte\n",
]

BLOCK_LINES = [
    "", "Foo", "Foo *bar*", "  Foo", "    Foo", "\tFoo", "===", "---", "  ---", "    ---", "= =", "--- -",
    "- a", "-", "* b", "+ c", "1. d", "2) e", "1.", "> q", ">", "> - x", "# h", "###### h", "#x",
    "```", "~~~", "``` x", "| a | b |", "|---|---|", "| - | :-: |", "a | b", "-|-", "***", "_ _ _",
    "[^1]: note", "[^x]:", "[r]: /u 'title'", "[r]", "<div>", "</div>", "<!-- c -->", "<em>x</em>", "\\---",
]


def _parsers(html: bool) -> tuple[MarkdownIt, MarkdownIt]:
    """markdown-it as Brief configures its rules, without and with the speed-ups."""
    plain = MarkdownIt("commonmark", {"html": html}).enable("table").use(notes_plugin).use(citations_plugin)
    fast = MarkdownIt("commonmark", {"html": html}).enable("table").use(notes_plugin).use(citations_plugin)
    if not html:
        fast.disable(["html_block", "html_inline"])
    return plain, fast.use(speedups_plugin)


PARSERS = {html: _parsers(html) for html in (False, True)}


def assert_same_html(markdown: str) -> None:
    for plain, fast in PARSERS.values():
        expected = plain.render(markdown, {"citations": {}, "issue_date": ISSUE_DATE})
        assert fast.render(markdown, {"citations": {}, "issue_date": ISSUE_DATE}) == expected, markdown


@pytest.mark.parametrize("markdown", BLOCK_SAMPLES)
def test_fast_paragraph_rule_gives_markdown_its_blocks(markdown: str) -> None:
    assert_same_html(markdown)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(BLOCK_LINES), max_size=12))
def test_fast_paragraph_rule_gives_markdown_its_blocks_for_generated_lines(lines: list[str]) -> None:
    assert_same_html("\n".join(lines))
    assert_same_html("> " + "\n".join(lines))
    assert_same_html("- " + "\n  ".join(lines))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab *_[]()!<>&\\`-:%#=@^{}~+\n$.;'\"/é\r\x00", max_size=40))
def test_fewer_text_stops_give_markdown_its_inline_tokens(text: str) -> None:
    assert_same_html(text)
    assert_same_html("[" + text + "](/u) **" + text + "**")


def test_text_stops_keep_markdown_its_set_for_unknown_rules() -> None:
    assert text_stops(["text", "newline", "link"]) == {"[", "]", "\n"}
    assert text_stops(["text", "linkify"]) is None


URL_PIECES = [
    "http://", "https://", "HTTP://", "mailto:", "//", "/", "", "javascript:", "ftp://", "xn--n3h.", "xn--",
    "example", ".org", "a.b", "☃", "é", "中文", ":80", ":", "@", "user@", "%", "%2", "%20", "%zz", "%E2%98%83",
    "?", "#", "&", "=", "+", "(", ")", " ", "\\", "'", '"', "<", ">", "[", "]", "{", "|", "^", "`", "~", "-",
    "_", ".", "..", "a", "Z", "9", "\u00a0", "\x00", "\x7f", "\t", "😀", "a" * 64, "b" * 70 + ".",
]
urls = st.one_of(st.lists(st.sampled_from(URL_PIECES), max_size=10).map("".join), st.text(max_size=30))


def outcome(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except Exception as exc:  # the original's exception, if any, must be ours too
        return type(exc)


@settings(max_examples=1500, deadline=None)
@given(urls)
def test_fast_link_normalisation_gives_markdown_its_urls(url: str) -> None:
    assert outcome(normalize_link, url) == outcome(normalize_url.normalizeLink, url)
    assert outcome(normalize_link_text, url) == outcome(normalize_url.normalizeLinkText, url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a-b_c.d~e/f?g=h&i=j;k#l", "http://例え.jp/パス", "https://xn--n3h.net/",
        "https://example.org/%E2%98%83%zz", "https://host:/p", "https://EXAMPLE.org:8080", "HTTPS://a.b/",
        "mailto:someone@example.org", "//example.org/x", "notes/a b.md", "../images/x.png", "#note-1",
        "https://a_b.example/", "https://example.org/[x]", "https://" + "a." * 130 + "org/",
    ],
)
def test_fast_link_normalisation_keeps_markdown_its_encoding(url: str) -> None:
    assert normalize_link(url) == normalize_url.normalizeLink(url)
    assert normalize_link_text(url) == normalize_url.normalizeLinkText(url)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab<>()\\ \n\t\x00&;é#/", max_size=20), st.data())
def test_fast_link_destination_gives_markdown_its_destination(text: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(text)))
    maximum = data.draw(st.integers(pos, len(text)))
    fast = parse_link_destination(text, pos, maximum)
    plain = helpers.parseLinkDestination(text, pos, maximum)
    assert (fast.ok, fast.pos, fast.str) == (plain.ok, plain.pos, plain.str)  # type: ignore[attr-defined]


# The inline tokenizer (rules picked by character, text and soft breaks in one step),
# the plain-text shortcut of parseLinkLabel and the inline renderer: the same tokens and
# HTML as markdown-it's, including where its nesting limit and skipToken's cache matter.


def _parser_pairs(options: dict[str, Any]) -> tuple[MarkdownIt, MarkdownIt]:
    plain = MarkdownIt("commonmark", options).enable("table").use(notes_plugin).use(citations_plugin)
    fast = MarkdownIt("commonmark", options).enable("table").use(notes_plugin).use(citations_plugin)
    return plain, fast.use(speedups_plugin)


INLINE_PARSERS = [
    *PARSERS.values(),
    _parser_pairs({"maxNesting": 3}),  # the nesting limit within reach of short input
    _parser_pairs({"breaks": True}),  # soft breaks rendered as <br />
]


def _token_data(tokens: list[Any]) -> list[Any]:
    return [
        (t.type, t.tag, t.nesting, t.attrs, t.map, t.level, t.content, t.markup, t.info, t.meta, t.block, t.hidden,
         _token_data(t.children) if t.children is not None else None)
        for t in tokens
    ]


def assert_same_inline(markdown: str) -> None:
    for plain, fast in INLINE_PARSERS:
        env: dict[str, Any] = {"citations": {}, "issue_date": ISSUE_DATE}
        expected = plain.parse(markdown, dict(env))
        tokens = fast.parse(markdown, dict(env))
        assert _token_data(tokens) == _token_data(expected), markdown
        assert fast.renderer.render(tokens, fast.options, dict(env)) == plain.renderer.render(expected, plain.options, dict(env)), markdown


INLINE_SAMPLES = [
    "one\ntwo\nthree", "one \ntwo", "one  \ntwo", "one\t\ntwo", "one\n   two\n\tthree", "a\\\nb", "*a*\nb\n_c_",
    "[label](/u)\nnext [two\nlines](/v) [](/e) [a]](/x) [`]`](/y) [<a]>](/z) [\\]](/w)",
    "[a](/u) [a][] [a] [b][a]\n\n[a]: /ref", "![alt\ntext](/i.png) ![](/j.png) ![a [b](/l)](/k)",
    "[^1] [@key] [@a; @b] [x [y](/u)](/v) [[x]](/u) [x [y] z](/u)",
    "[" * 25 + "a" + "]" * 25 + "(/u)", "[" * 25 + "a](/u)", "(" * 5 + "[" * 21 + "a](/u) [b](/v)",
    "&amp;\n&#35; [&copy;](/u) `code\nspan` <http://a.b/c>\n**strong**\ntext ~~s~~",
]


@pytest.mark.parametrize("markdown", INLINE_SAMPLES)
def test_inline_speedups_give_markdown_its_tokens(markdown: str) -> None:
    assert_same_inline(markdown)


@pytest.mark.parametrize("depth", range(1, 30))
def test_link_labels_give_markdown_its_tokens_at_any_nesting(depth: int) -> None:
    assert_same_inline("[" * depth + "a](/u) [b](/v)")
    assert_same_inline("[" * depth + "a" + "]" * depth + "(/u) [b](/v)")
    assert_same_inline("x [" * depth + "a](/u)\n[b](/v)")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab *_[]()!<>&\\`\n\t:/^@", max_size=60))
def test_inline_speedups_give_markdown_its_tokens_for_generated_text(text: str) -> None:
    assert_same_inline(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "](/u)", "a", " ", "\n", "  \n", "`", "\\", "![", "<", ">", "*"]), max_size=40))
def test_inline_speedups_give_markdown_its_tokens_for_bracket_soup(pieces: list[str]) -> None:
    assert_same_inline("".join(pieces))


def _original_unsafe_scheme(url: str) -> str | None:
    scheme = scheme_of(url)
    return None if scheme is None or scheme in ALLOWED_SCHEMES else scheme


@settings(max_examples=500, deadline=None)
@given(urls)
def test_unsafe_scheme_shortcut_gives_the_scheme_check(url: str) -> None:
    assert unsafe_scheme(url) == _original_unsafe_scheme(url)


def test_raw_html_cannot_forge_a_link_marker() -> None:
    content, problems = render('<a href="brief-link:0">forged</a> and [real](../v1/01-a.md).', raw_html=True)
    # the forged address is removed, and the editor is told
    assert [(p.code, p.message.split(" is ")[0]) for p in problems] == [("html-removed", "the 'brief-link:' address in <a href>")]
    assert content.body_html == '<p><a href="" rel="noopener noreferrer">forged</a> and <a href="brief-link:0" rel="noopener noreferrer">real</a>.</p>\n'
    assert [link.target for link in content.links] == ["../v1/01-a.md"]
# --- Teasers: the first paragraph when there is no summary ---------------------------------


def test_article_without_summary_is_introduced_by_its_first_paragraph() -> None:
    body = "Figure 1: A map\n\n![A map](map.png)\n\n- a list item\n\nThe lede,[^1] with a ![small](i.png) image and 国防部. Second.\n\n[^1]: Note.\n"
    content, problems = render(body)
    assert problems == []
    assert content.description == "The lede, with a image and 国防部. Second."
    assert content.teaser_html == 'The lede, with a image and <span lang="zh-Hans">国防部</span>. Second.'


def test_article_with_summary_is_introduced_by_its_first_bullet() -> None:
    content, _ = render("The lede.", summary=("The *first* point.", "The second."))
    assert content.teaser_html == "The <em>first</em> point."
    assert content.description == "The first point."


def test_article_of_only_a_table_has_no_teaser() -> None:
    content, _ = render("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert (content.teaser_html, content.description) == ("", "")


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Short. Whole.", 240, "Short. Whole."),
        ("The U.S. Navy and Gen. Li met on Jan. 9 in D.C. today. Then they left for good.", 70,
         "The U.S. Navy and Gen. Li met on Jan. 9 in D.C. today."),
        ("He said “Stop.” Then he left and did not return.", 30, "He said “Stop.”"),
        ("It rose 3.5 percent. e.g. not a new sentence. Next one here.", 50, "It rose 3.5 percent. e.g. not a new sentence."),
        ("Why? Because the drills went on and on for many days.", 20, "Why?"),
    ],
)
def test_excerpt_keeps_whole_sentences(text: str, width: int, expected: str) -> None:
    assert excerpt(text, width) == expected


def test_excerpt_ends_chinese_sentences_at_their_full_stops() -> None:
    sentence = "东部战区于十二月九日宣布在台湾周边举行联合战备警巡。"  # 26 characters, 52 wide
    text = sentence * 6 + "第二段落没有句号"
    assert excerpt(text, 240) == sentence * 4  # 208 wide; a fifth would be 260
    assert excerpt("他说：“演习结束了！”然后离开了。", 20) == "他说：“演习结束了！”"


def test_excerpt_cuts_a_long_first_sentence_between_words() -> None:
    text = "A sentence that " + "goes on " * 60 + "and ends."
    cut = excerpt(text, 240)
    assert cut.endswith("…") and len(cut) <= 240
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "
    han = excerpt("中" * 100 + "，" + "国" * 200, 240)
    assert han == "中" * 100 + "…"  # cut at the comma, which gives way to the ellipsis


# --- Limits ---------------------------------------------------------------------------------


def test_a_table_past_markdowns_limit_of_empty_cells_is_an_error_where_it_stops() -> None:
    header = "|" + "|".join(f"c{i}" for i in range(1000)) + "|\n" + "|---" * 1000 + "|\n"
    rows = "| x |\n" * 70  # 999 cells to fill in on each row; markdown-it stops past 65,536
    content, problems = render("Intro.\n\n" + header + rows)
    assert messages(problems) == [
        "article.md:70: the table ends here: its rows would leave more than 65,536 cells empty "
        "— give each row as many cells as the header, or split the table",
        # the rows after it show as text
        "article.md:70: warning [table-separator]: this looks like a table, but it has no separator row, so it "
        "shows as text with the | signs — add a line such as |---|---| under the header row (one |---| per column)",
    ]
    assert content.body_html.count("<tr>") == 1 + 65 and "| x |" in content.body_html


def test_nesting_at_the_limit_loses_nothing() -> None:
    content, problems = render("> " * 19 + "deep\n\nAfter.\n")
    assert problems == []
    assert "deep" in content.body_html and "After." in content.body_html


def test_the_editing_guide_lists_the_elements_raw_html_keeps() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "editing.md").read_text(encoding="utf-8")
    listed = guide.split("Brief then keeps\nthese elements:", 1)[1].split("with the\nattributes", 1)[0]
    names = set(re.findall(r"`([a-z0-9]+)`", listed))
    if "`h2`–`h6`" in listed:
        names |= {"h3", "h4", "h5"}
    assert names == SAFE_TAGS
