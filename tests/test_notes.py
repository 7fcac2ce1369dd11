"""Endnotes: ``[^label]`` references, both definition styles, numbering, back-links and errors.

Articles are rendered with :func:`brief.markdown.render_article` for an issue
dated 2026-01-14; the body starts on line 10 of ``article.md`` and front-matter
notes carry the line of their key (as :mod:`brief.load` gives them).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from brief.errors import Diagnostic
from brief.markdown import render_article
from brief.model import ArticleContent, ArticleSource, CitationEntry, Note, NoteSource, Source

ISSUE = dt.date(2026, 1, 14)
BODY_LINE = 10


def render(body: str, *notes: NoteSource, **fields: Any) -> tuple[ArticleContent, list[Diagnostic]]:
    source = ArticleSource(
        path="article.md", file_name="article.md", issue_key="v1n1", slug="article", title="Title",
        authors=(), body=body, body_line=BODY_LINE, notes=notes, **fields,
    )
    return render_article(source, ISSUE)


def ok(body: str, *notes: NoteSource, **fields: Any) -> ArticleContent:
    content, problems = render(body, *notes, **fields)
    assert problems == []
    return content


def errors(body: str, *notes: NoteSource) -> list[str]:
    return [str(p) for p in render(body, *notes)[1]]


def ref(number: int, k: int = 1) -> str:
    anchor = f"noteref-{number}" if k == 1 else f"noteref-{number}-{k}"
    return (
        f'<sup class="note-ref"><a id="{anchor}" href="#note-{number}" '
        f'role="doc-noteref" aria-label="Note {number}">{number}</a></sup>'
    )


def backlink(number: int, k: int = 1, count: int = 1) -> str:
    anchor = f"noteref-{number}" if k == 1 else f"noteref-{number}-{k}"
    label = f"Back to reference {number}" if count == 1 else f"Back to reference {number} ({k})"
    return f'<a href="#{anchor}" role="doc-backlink" aria-label="{label}">↩︎</a>'


# --- References and numbering ------------------------------------------------


def test_reference_renders_a_doc_noteref_link() -> None:
    content = ok("Claim.[^1]\n\n[^1]: The note.")
    assert content.body_html == f"<p>Claim.{ref(1)}</p>\n"
    assert content.notes == (Note(1, "1", f"<p>The note. {backlink(1)}</p>", 1),)


def test_front_matter_note() -> None:
    content = ok("Claim.[^1]", NoteSource("1", "For more, see *China Brief*.", 4))
    assert content.notes == (Note(1, "1", f"<p>For more, see <em>China Brief</em>. {backlink(1)}</p>", 1),)


@pytest.mark.parametrize(
    ("body", "order"),
    [
        ("A[^1] B[^2] C[^3]", ["1", "2", "3"]),
        ("A[^3] B[^1] C[^2]", ["3", "1", "2"]),
        ("A[^z] B[^a] C[^z] D[^m]", ["z", "a", "m"]),
        ("A[^long-label] B[^x_1]", ["long-label", "x_1"]),
        ("A[^2]\n\nB[^1]\n\n- C[^3]", ["2", "1", "3"]),
    ],
)
def test_notes_are_numbered_by_first_reference(body: str, order: list[str]) -> None:
    labels = sorted(set(re.findall(r"\[\^([^\]]+)\]", body)))
    definitions = "".join(f"\n[^{label}]: Note {label}." for label in labels)
    content = ok(body + "\n" + definitions)
    assert [(n.number, n.label) for n in content.notes] == [(i + 1, label) for i, label in enumerate(order)]
    first_refs = list(dict.fromkeys(re.findall(r'aria-label="Note (\d+)"', content.body_html)))
    assert first_refs == [str(i + 1) for i in range(len(order))]


def test_front_matter_and_body_notes_are_numbered_together() -> None:
    content = ok("A[^body] B[^front].\n\n[^body]: In the body.", NoteSource("front", "In front-matter.", 3))
    assert [(n.number, n.label) for n in content.notes] == [(1, "body"), (2, "front")]


@pytest.mark.parametrize("count", [2, 3, 5])
def test_repeated_reference_gets_numbered_ids_and_one_backlink_each(count: int) -> None:
    body = " ".join(f"Ref {k}[^x]." for k in range(1, count + 1)) + "\n\n[^x]: Repeated."
    content = ok(body)
    ids = re.findall(r'<a id="([^"]+)" href="#note-1" role="doc-noteref"', content.body_html)
    assert ids == ["noteref-1"] + [f"noteref-1-{k}" for k in range(2, count + 1)]
    note = content.notes[0]
    assert note.ref_count == count
    backlinks = " ".join(backlink(1, k, count) for k in range(1, count + 1))
    assert note.html == f"<p>Repeated. {backlinks}</p>"
    # each backlink points at an id that exists in the body
    for target in re.findall(r'href="#(noteref-[^"]+)"', note.html):
        assert f'id="{target}"' in content.body_html


def test_every_reference_and_backlink_carries_its_role() -> None:
    content = ok("A[^a] B[^b] C[^a]\n\n[^a]: One.\n[^b]: Two.")
    assert content.body_html.count("<a ") == content.body_html.count('role="doc-noteref"') == 3
    for note in content.notes:
        assert note.html.count("<a ") == note.html.count('role="doc-backlink"') == note.ref_count


def test_backlinks_follow_a_note_that_ends_in_a_list() -> None:
    content = ok("Claim.[^1]\n\n[^1]: Items:\n\n    - one\n    - two")
    assert content.notes[0].html == f"<p>Items:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul><p>{backlink(1)}</p>"


@pytest.mark.parametrize(
    "body",
    [
        "Write `[^1]` for a note.",
        "Escaped \\[^1] is text.",
        "```\n[^1]\n```",
        "A [^has space] label.",
        "Empty [^] label.",
    ],
)
def test_text_that_only_looks_like_a_reference_is_left_alone(body: str) -> None:
    content = ok(body)
    assert content.notes == ()
    assert "doc-noteref" not in content.body_html


# --- Body definitions --------------------------------------------------------


def test_body_definition_renders_nothing_where_it_stands() -> None:
    content = ok("Before.[^1]\n\n[^1]: The note.\n\nAfter.")
    assert content.body_html == f"<p>Before.{ref(1)}</p>\n<p>After.</p>\n"


def test_body_definition_with_multi_paragraph_indented_continuation() -> None:
    body = (
        "Claim.[^long]\n"
        "\n"
        "[^long]: First paragraph\n"
        "continues lazily.\n"
        "\n"
        "    Second paragraph, with a [link](https://example.org/p2).\n"
        "\n"
        "\n"
        "    Third, after two blank lines.\n"
        "\n"
        "Back in the body.\n"
    )
    content = ok(body)
    assert content.body_html == f"<p>Claim.{ref(1)}</p>\n<p>Back in the body.</p>\n"
    assert content.notes[0].html == (
        "<p>First paragraph\ncontinues lazily.</p>\n"
        '<p>Second paragraph, with a <a href="https://example.org/p2" rel="noopener noreferrer">link</a>.</p>\n'
        f"<p>Third, after two blank lines. {backlink(1)}</p>"
    )


def test_consecutive_body_definitions_are_separate_notes() -> None:
    content = ok("A[^a] B[^b]\n\n[^a]: One.\n[^b]: Two.\n    Still two.")
    assert [n.html.split(" <a ")[0] for n in content.notes] == ["<p>One.", "<p>Two.\nStill two."]


def test_indented_code_inside_a_note_keeps_its_extra_indent() -> None:
    content = ok("A[^c]\n\n[^c]: Code:\n\n        print(1)")
    assert content.notes[0].html.startswith("<p>Code:</p>\n<pre><code>print(1)\n</code></pre>")


# --- Errors ------------------------------------------------------------------


def test_undefined_reference_is_an_error_at_its_line() -> None:
    assert errors("First line.\nSecond line[^gone].") == [
        "article.md:11: note [^gone] is referred to but never defined"
        " — add 'gone: ...' under 'notes:' in the front-matter, or a line '[^gone]: ...' in the body"
    ]


def test_undefined_reference_renders_its_label_and_takes_no_number() -> None:
    content, _ = render("A[^gone] B[^1]\n\n[^1]: One.")
    assert content.body_html == f"<p>A[^gone] B{ref(1)}</p>\n"
    assert [(n.number, n.label) for n in content.notes] == [(1, "1")]


def test_each_undefined_reference_is_reported() -> None:
    assert [e.split(" — ")[0] for e in errors("A[^x]\n\nB[^x] C[^y]")] == [
        "article.md:10: note [^x] is referred to but never defined",
        "article.md:12: note [^x] is referred to but never defined",
        "article.md:12: note [^y] is referred to but never defined",
    ]


def test_unused_body_definition_is_an_error_at_its_line() -> None:
    assert errors("No reference.\n\n[^lonely]: Never referred to.") == [
        "article.md:12: note 'lonely' is never referred to"
        " — add [^lonely] where it belongs in the text, or remove the note"
    ]


def test_unused_front_matter_note_is_an_error_at_its_key() -> None:
    assert errors("No reference.", NoteSource("2", "Unused.", 7)) == [
        "article.md:7: note '2' is never referred to — add [^2] where it belongs in the text, or remove the note"
    ]


def test_label_defined_in_front_matter_and_body_is_an_error_at_the_second() -> None:
    content, problems = render("Claim.[^1]\n\n[^1]: Body version.", NoteSource("1", "Front version.", 5))
    assert [str(p) for p in problems] == [
        "article.md:12: note '1' is defined twice (first on line 5) — give each note its own label, or remove one definition"
    ]
    assert content.notes[0].html.startswith("<p>Front version.")


def test_label_defined_twice_in_the_body_is_an_error_at_the_second() -> None:
    assert errors("Claim.[^d]\n\n[^d]: First.\n\nText.\n\n[^d]: Second.") == [
        "article.md:16: note 'd' is defined twice (first on line 12) — give each note its own label, or remove one definition"
    ]


def test_label_defined_twice_in_the_front_matter_is_an_error() -> None:
    # YAML mappings cannot repeat a key, but load may hand over any sequence.
    assert errors("Claim.[^1]", NoteSource("1", "A.", 4), NoteSource("1", "B.", 6)) == [
        "article.md:6: note '1' is defined twice (first on line 4) — give each note its own label, or remove one definition"
    ]


def test_empty_body_definition_is_an_error() -> None:
    assert errors("Claim.[^e]\n\n[^e]:\n\nText.") == [
        "article.md:12: note 'e' is empty — write the note's text after its label"
    ]


def test_note_referring_to_another_note_is_an_error_at_the_reference() -> None:
    body = "A[^p] B[^q]\n\n[^p]: First line\nsee also[^q]."
    assert errors(body, NoteSource("q", "The other.", 4)) == [
        "article.md:13: note 'p' refers to note 'q' — notes cannot refer to other notes; cite the source in the note itself"
    ]


def test_front_matter_note_referring_to_another_note_is_an_error_at_its_key() -> None:
    assert errors("A[^1] B[^2]", NoteSource("1", "See[^2].", 4), NoteSource("2", "Two.", 5)) == [
        "article.md:4: note '1' refers to note '2' — notes cannot refer to other notes; cite the source in the note itself"
    ]


def test_note_referred_to_only_by_another_note_is_also_unused() -> None:
    assert [e.split(" — ")[0] for e in errors("A[^1]", NoteSource("1", "See[^2].", 4), NoteSource("2", "Two.", 5))] == [
        "article.md:5: note '2' is never referred to",
        "article.md:4: note '1' refers to note '2'",
    ]


def test_all_problems_are_reported_together() -> None:
    body = "A[^missing] B[^d]\n\n[^d]: One.\n[^d]: Two.\n[^unused]: Three."
    assert [e.split(" — ")[0] for e in errors(body)] == [
        "article.md:13: note 'd' is defined twice (first on line 12)",
        "article.md:10: note [^missing] is referred to but never defined",
        "article.md:14: note 'unused' is never referred to",
    ]


# --- Notes and sources -------------------------------------------------------


def test_citations_in_notes_feed_the_source_list_after_the_body() -> None:
    body = (
        "Claim[^2] with [a body link](https://example.org/body).[^1]\n\n"
        "[^1]: Body note ([Reuters](https://example.org/r), December 10).\n"
    )
    content = ok(body, NoteSource("2", "Front note (Xinhua, January [3](https://example.org/x)).", 4))
    assert content.sources == (
        Source("https://example.org/body", title="a body link"),
        Source("https://example.org/x", "Xinhua", "", dt.date(2026, 1, 3), cited=True),
        Source("https://example.org/r", "Reuters", "", dt.date(2025, 12, 10), cited=True),
    )


def test_key_citation_used_only_in_a_note_counts_as_cited() -> None:
    entry = CitationEntry("r", "Reuters", "https://example.org/r", dt.date(2025, 12, 10), line=6)
    content = ok("Claim.[^1]", NoteSource("1", "As reported [@r].", 4), citations=(entry,))
    assert content.sources == (Source("https://example.org/r", "Reuters", "", dt.date(2025, 12, 10), cited=True),)


def test_bad_citation_date_in_a_front_matter_note_is_reported_at_the_note() -> None:
    _, problems = render("Claim.[^1]", NoteSource("1", "([MND](https://example.org/m), February 30)", 4))
    assert [str(p) for p in problems] == [
        "article.md:4: warning [citation-date]: the citation date 'February 30' does not exist — check the month and day"
    ]


def test_notes_mark_chinese_with_the_article_default() -> None:
    content = ok("臺灣國防部 said so.[^1]\n\n[^1]: 人民日報 and 人民.")
    assert content.notes[0].html.startswith('<p><span lang="zh-Hant">人民日報</span> and <span lang="zh-Hant">人民</span>.')
