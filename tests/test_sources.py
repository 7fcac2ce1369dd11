"""Reading content files: decoding, front-matter splitting and strict YAML (brief.sources)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from brief.sources import (
    MAX_FILE_BYTES,
    MAX_YAML_BYTES,
    LineDict,
    SourceError,
    parse_yaml,
    read_text,
    split_front_matter,
)
from conftest import ARTICLE, ISSUE, article, build_site, errors_of, make_site


def yaml_error(text: str, line_offset: int = 0) -> str:
    """The diagnostic of YAML that must be refused, as printed."""
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, "f.yaml", line_offset)
    return str(caught.value.diagnostic)


def read_error(tmp_path: Path, data: bytes) -> str:
    """The diagnostic of a file that must not be readable (or splittable), as printed."""
    path = tmp_path / "a.md"
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        split_front_matter(read_text(path, "a.md"), "a.md")
    return str(caught.value.diagnostic)


def read_document(tmp_path: Path, data: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / "a.md"
    path.write_bytes(data)
    return split_front_matter(read_text(path, "a.md"), "a.md")


# -- YAML 1.1 surprises --------------------------------------------------------


@pytest.mark.parametrize("word", ["no", "yes", "on", "off", "y", "n", "NO", "Yes", "ON"])
def test_yaml_11_booleans_stay_text(word: str) -> None:
    assert parse_yaml(f"a: {word}\n", "f.yaml") == {"a": word}


@pytest.mark.parametrize("word, value", [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_only_true_and_false_are_booleans(word: str, value: bool) -> None:
    result = parse_yaml(f"a: {word}\n", "f.yaml")
    assert result["a"] is value


def test_number_like_scalars_keep_the_text_as_typed() -> None:
    data = parse_yaml("a: 1e3\nb: 2024\nc: 1.50\nd: 0x1F\n", "f.yaml")
    assert isinstance(data, LineDict)
    assert data["a"] == "1e3"  # not the float 1000.0
    assert data["b"] == 2024
    assert data.raw == {"a": "1e3", "b": "2024", "c": "1.50", "d": "0x1F"}


def test_integers_are_decimal_only() -> None:
    data = parse_yaml("a: 010\nb: 0x1F\nc: 1:30\nd: 0b11\ne: -7\n", "f.yaml")
    assert data == {"a": 10, "b": "0x1F", "c": "1:30", "d": "0b11", "e": -7}


def test_mapping_keys_are_the_text_as_typed() -> None:
    # 1 == True in Python: these must not collide as duplicates, and 010 is not 8.
    data = parse_yaml("1: one\ntrue: yes\n010: ten\n2024-01-01: day\n", "f.yaml")
    assert list(data) == ["1", "true", "010", "2024-01-01"]
    assert data.lines == {"1": 1, "true": 2, "010": 3, "2024-01-01": 4}


def test_mapping_remembers_the_line_of_each_key_shifted_by_the_offset() -> None:
    data = parse_yaml("title: T\nauthors:\n  - a\n  - b\n", "f.md", line_offset=1)
    assert data.line == 2
    assert data.lines == {"title": 2, "authors": 3}
    assert data["authors"].lines == [4, 5]


@pytest.mark.parametrize("title", ["1e3", "2024", "1.0", "yes", "true", "2025-12-09"])
def test_title_reaches_the_page_exactly_as_typed(tmp_path: Path, title: str) -> None:
    project = make_site(tmp_path, {ARTICLE: article(f"title: {title}\nauthors: [jane-doe]\n")})
    report = build_site(project)
    assert report.site is not None
    assert [a.title for a in report.site.articles.values()] == [title]
    page = (project / "_site/brief/first-article/index.html").read_text(encoding="utf-8")
    assert f'<h1 id="article-title">{title}</h1>' in page


# -- refused constructs -------------------------------------------------------------


def test_alias_is_refused_at_the_line_of_the_alias() -> None:
    assert yaml_error("a: &x 1\nb: 2\nc: *x\n") == (
        "f.yaml:3: YAML error: YAML aliases (*name) are not allowed in content files — write the value out in full"
    )


def test_alias_in_front_matter_is_reported_at_its_file_line() -> None:
    assert yaml_error("title: &t T\nsummary:\n  - *t\n", line_offset=1) == (
        "f.yaml:4: YAML error: YAML aliases (*name) are not allowed in content files — write the value out in full"
    )


def test_recursive_alias_is_refused() -> None:
    assert yaml_error("a: &a\n  - *a\n") == (
        "f.yaml:2: YAML error: YAML aliases (*name) are not allowed in content files — write the value out in full"
    )


def test_billion_laughs_is_rejected_quickly() -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    start = time.perf_counter()
    message = yaml_error("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert message == (
        "f.yaml:2: YAML error: YAML aliases (*name) are not allowed in content files — write the value out in full"
    )


def test_merge_key_is_refused_at_its_line() -> None:
    assert yaml_error("a: 1\nb:\n  <<: {x: 1}\n  y: 2\n") == (
        "f.yaml:3: YAML error: YAML merge keys (<<) are not allowed in content files — write the value out in full"
    )


def test_duplicate_key_names_both_lines() -> None:
    assert yaml_error("title: A\nauthors: [x]\ntitle: B\n", line_offset=1) == (
        "f.yaml:4: YAML error: key 'title' appears twice in the same mapping (the first is on line 2)"
        " — remove or rename one of them"
    )


def test_duplicate_key_in_a_nested_mapping() -> None:
    assert yaml_error("notes:\n  1: a\n  2: b\n  1: c\n") == (
        "f.yaml:4: YAML error: key '1' appears twice in the same mapping (the first is on line 2)"
        " — remove or rename one of them"
    )


def test_same_key_in_different_mappings_is_fine() -> None:
    assert parse_yaml("a: {x: 1}\nb: {x: 2}\n", "f.yaml") == {"a": {"x": 1}, "b": {"x": 2}}


def test_impossible_date_is_an_error_at_its_line() -> None:
    assert yaml_error("volume: 1\nnumber: 1\ndate: 2025-02-30\n") == (
        "f.yaml:3: YAML error: '2025-02-30' is not a real date (day is out of range for month)"
        " — check the month and the day"
    )


def test_impossible_date_in_an_issue_fails_the_build_at_its_line(tmp_path: Path) -> None:
    project = make_site(tmp_path, {ISSUE: "volume: 1\nnumber: 1\ndate: 2025-13-01\n"})
    assert errors_of(project) == [
        "content/brief/v1n1/issue.yaml:3: YAML error: '2025-13-01' is not a real date"
        " (month must be in 1..12) — check the month and the day"
    ]


def test_real_dates_are_dates() -> None:
    assert parse_yaml("d: 2024-02-29\n", "f.yaml") == {"d": dt.date(2024, 2, 29)}


def test_python_tags_are_refused() -> None:
    assert yaml_error("a: !!python/object/apply:os.system [ls]\n") == (
        "f.yaml:1: YAML error: could not determine a constructor for the tag"
        " 'tag:yaml.org,2002:python/object/apply:os.system'"
        " — remove the '!' tag; content files hold plain text, numbers, dates, lists and mappings"
    )


def test_a_mapping_as_a_key_is_refused() -> None:
    assert yaml_error("a: 1\n? {x: 1}\n: 2\n") == (
        "f.yaml:2: YAML error: a key must be plain text, not a list or mapping"
        " — check the quoting and indentation of this line"
    )


def test_unquoted_colon_gets_a_quoting_hint() -> None:
    assert yaml_error("title: T\nsummary: Drills: a review\n", line_offset=1) == (
        "f.yaml:3: YAML error: mapping values are not allowed in this context"
        " — put text that contains ': ' in double quotes"
    )


def test_curly_quotes_get_a_straight_quotes_hint() -> None:
    """Word processors turn "..." into “...”, which YAML takes for ordinary text."""
    hint = " — use straight quotes (\" or ') around the value: to YAML, curly quotes (“ ” ‘ ’) are ordinary text"
    assert yaml_error("title: “Kinmen: What Changed”\n") == "f.yaml:1: YAML error: mapping values are not allowed in this context" + hint
    assert yaml_error("title: T\nsummary: ‘Drills: a review’\n") == "f.yaml:2: YAML error: mapping values are not allowed in this context" + hint


def test_tab_indentation_gets_a_hint() -> None:
    assert yaml_error("a:\n\tb: 1\n") == (
        "f.yaml:2: YAML error: found character that cannot start any token — indent with spaces, not tabs"
    )


def test_control_character_is_reported_at_its_line() -> None:
    assert yaml_error("title: café\nsummary: a\x07b\n", line_offset=1) == (
        "f.yaml:3: the file contains the control character U+0007"
        " — delete it (most editors do not show it) or retype the line"
    )


def test_oversized_yaml_is_rejected() -> None:
    text = "a: " + "x" * MAX_YAML_BYTES + "\n"
    assert yaml_error(text, line_offset=1) == (
        "f.yaml:2: the YAML here is larger than 512 KiB — move long text into the Markdown body"
    )


def test_oversized_front_matter_fails_the_build_at_line_2(tmp_path: Path) -> None:
    front = "title: T\nauthors: [jane-doe]\ndisclaimer: " + "x" * MAX_YAML_BYTES + "\n"
    project = make_site(tmp_path, {ARTICLE: article(front)})
    assert errors_of(project) == [
        "content/brief/v1n1/01-first-article.md:2: the YAML here is larger than 512 KiB"
        " — move long text into the Markdown body"
    ]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert yaml_error("a: " + "[" * 5000 + "]" * 5000 + "\n") == (
        "f.yaml:1: YAML nests too deeply — flatten the structure"
    )


# -- files: encoding, line endings, front-matter ------------------------------------


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    doc = read_document(tmp_path, b"\xef\xbb\xbf---\ntitle: T\n---\n\nBody\n")
    assert doc.front_matter == {"title": "T"}
    assert doc.front_matter.lines == {"title": 2}
    assert doc.body_line == 4
    assert doc.body == "\nBody\n"


def test_crlf_line_endings_are_accepted(tmp_path: Path) -> None:
    doc = read_document(tmp_path, b"---\r\ntitle: T\r\nsummary: S\r\n---\r\n\r\nBody\r\n")
    assert doc.front_matter == {"title": "T", "summary": "S"}
    assert doc.front_matter.lines == {"title": 2, "summary": 3}
    assert doc.body == "\nBody\n"
    assert doc.body_line == 5


def test_crlf_article_builds_and_reports_crlf_lines_correctly(tmp_path: Path) -> None:
    text = article("title: T\nauthors: [nobody]\n").replace("\n", "\r\n")
    project = make_site(tmp_path, {ARTICLE: text})
    assert errors_of(project) == [
        "content/brief/v1n1/01-first-article.md:3: unknown author 'nobody' — create authors/nobody.md, or write the author inline as {name: ..., bio: ...}"
    ]


def test_bom_and_crlf_article_builds(tmp_path: Path) -> None:
    text = "\ufeff" + article().replace("\n", "\r\n")
    project = make_site(tmp_path, {ARTICLE: text})
    report = build_site(project)
    assert report.articles == 1


def test_non_utf8_file_is_reported_with_its_line(tmp_path: Path) -> None:
    assert read_error(tmp_path, b"---\ntitle: T\n---\n\nBody\ncaf\xe9\n") == (
        "a.md:6: the file is not UTF-8 text (byte 0xe9 cannot be decoded) — save the file with UTF-8 encoding"
    )


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    assert read_error(tmp_path, "---\ntitle: T\n---\n".encode("utf-16")) == (
        "a.md:1: the file is not UTF-8 text (byte 0xff cannot be decoded) — save the file with UTF-8 encoding"
    )


def test_non_utf8_article_fails_the_build_with_its_line(tmp_path: Path) -> None:
    data = article(body="One.\n\nTwo caf\udce9.\n").encode("utf-8", "surrogateescape")
    project = make_site(tmp_path, {ARTICLE: data})
    assert errors_of(project) == [
        "content/brief/v1n1/01-first-article.md:8: the file is not UTF-8 text (byte 0xe9 cannot be decoded)"
        " — save the file with UTF-8 encoding"
    ]


def test_nul_byte_is_reported_with_its_line(tmp_path: Path) -> None:
    assert read_error(tmp_path, b"---\ntitle: T\n---\n\nBo\x00dy\n") == (
        "a.md:5: the file contains a NUL character — save it as plain text"
    )


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    assert read_error(tmp_path, b"x" * (MAX_FILE_BYTES + 1)) == (
        "a.md: the file is 4096 KiB, larger than the 4 MiB limit — split it or remove embedded data"
    )


def test_missing_closing_fence_is_reported(tmp_path: Path) -> None:
    assert read_error(tmp_path, b"---\ntitle: T\nauthors: [a]\n\nBody text.\n") == (
        "a.md:1: the front-matter that opens on line 1 is never closed"
        " — add a line '---' after the last front-matter key"
    )


def test_lone_opening_fence_is_never_closed(tmp_path: Path) -> None:
    assert read_error(tmp_path, b"---") == (
        "a.md:1: the front-matter that opens on line 1 is never closed"
        " — add a line '---' after the last front-matter key"
    )


def test_file_without_front_matter_is_reported(tmp_path: Path) -> None:
    assert read_error(tmp_path, b"title: T\n\nBody\n") == (
        "a.md:1: the file does not start with front-matter"
        " — begin the file with a line '---', the YAML keys (title, authors, ...), then another '---'"
    )


def test_article_without_front_matter_fails_the_build(tmp_path: Path) -> None:
    project = make_site(tmp_path, {ARTICLE: "# Just a heading\n\nText.\n"})
    assert errors_of(project) == [
        "content/brief/v1n1/01-first-article.md:1: the file does not start with front-matter"
        " — begin the file with a line '---', the YAML keys (title, authors, ...), then another '---'"
    ]


def test_yaml_error_in_front_matter_is_reported_at_its_file_line(tmp_path: Path) -> None:
    project = make_site(tmp_path, {ARTICLE: article("title: T\nauthors: [jane-doe]\nsummary: Drills: a review\n")})
    assert errors_of(project) == [
        "content/brief/v1n1/01-first-article.md:4: YAML error: mapping values are not allowed in this context"
        " — put text that contains ': ' in double quotes"
    ]


def test_a_dashed_line_inside_a_block_scalar_does_not_close_the_front_matter(tmp_path: Path) -> None:
    doc = read_document(tmp_path, b"---\ntitle: T\ntext: |\n  ---\n  more\n---\nBody\n")
    assert doc.front_matter == {"title": "T", "text": "---\nmore\n"}
    assert doc.body == "Body\n"
    assert doc.body_line == 7


def test_dots_close_the_front_matter_too(tmp_path: Path) -> None:
    doc = read_document(tmp_path, b"---\ntitle: T\n...\nBody\n")
    assert doc.front_matter == {"title": "T"}
    assert (doc.body, doc.body_line) == ("Body\n", 4)


def test_empty_front_matter_is_none(tmp_path: Path) -> None:
    doc = read_document(tmp_path, b"---\n---\nBody\n")
    assert doc.front_matter is None
    assert (doc.body, doc.body_line) == ("Body\n", 3)
