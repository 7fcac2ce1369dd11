"""Malformed and hostile input: each case gets its own clear error, and nothing is published."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sites import article, build_errors, build_ok, write_site


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()

A = "content/pub/v1n1/article.md"
BASE = "title: T\nauthors: [ann-lee]"

# (case id, files to write or delete, expected "path:line: message" start, or a fragment)
CASES: list[tuple[str, dict[str, str | bytes | None], str]] = [
    # --- front-matter -------------------------------------------------------------
    ("no-front-matter", {"pub/v1n1/article.md": "# Just a heading\n"}, f"{A}:1: the file does not start with front-matter"),
    ("unclosed-front-matter", {"pub/v1n1/article.md": "---\ntitle: T\nauthors: [ann-lee]\n\nBody\n"}, f"{A}:1: the front-matter that opens on line 1 is never closed"),
    ("yaml-colon", {"pub/v1n1/article.md": article("title: Drills: a review\nauthors: [ann-lee]")}, f"{A}:2: YAML error: mapping values are not allowed in this context — put text that contains ': ' in double quotes"),
    ("yaml-tab", {"pub/v1n1/article.md": "---\ntitle: T\nauthors:\n\t- ann-lee\n---\nx\n"}, f"{A}:4: YAML error"),
    ("yaml-alias-bomb", {"pub/v1n1/article.md": article(BASE + "\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]")}, "YAML error: YAML aliases (*name) are not allowed in content files"),
    ("yaml-merge-key", {"pub/v1n1/article.md": article(BASE + "\nimage: {<<: {src: x}}")}, "YAML error: YAML merge keys (<<) are not allowed"),
    ("yaml-duplicate-key", {"pub/v1n1/article.md": article("title: One\ntitle: Two\nauthors: [ann-lee]")}, f"{A}:3: YAML error: key 'title' appears twice in the same mapping (the first is on line 2)"),
    ("yaml-python-tag", {"pub/v1n1/article.md": article(BASE + "\nsummary: !!python/object/apply:os.system ['true']")}, "YAML error: could not determine a constructor"),
    ("yaml-oversized", {"pub/v1n1/article.md": article(BASE + "\ndisclaimer: \"" + "x" * 600_000 + "\"")}, f"{A}:2: the YAML here is larger than 512 KiB"),
    ("front-matter-list", {"pub/v1n1/article.md": "---\n- a\n- b\n---\nx\n"}, "the article's front-matter must be a mapping of 'key: value' lines, not a list"),
    ("empty-title", {"pub/v1n1/article.md": article("title: ''\nauthors: [ann-lee]")}, f"{A}:2: 'title' is empty"),
    ("title-list", {"pub/v1n1/article.md": article("title: [a, b]\nauthors: [ann-lee]")}, f"{A}:2: 'title' must be text, not a list"),
    ("unknown-key", {"pub/v1n1/article.md": article(BASE + "\ntitel: Typo")}, f"{A}:4: unknown key 'titel' in the article's front-matter — did you mean 'title'?"),
    ("impossible-date", {"pub/v1n1/article.md": article(BASE + "\ndate: 2025-02-30")}, f"{A}:4: YAML error: '2025-02-30' is not a real date"),
    ("date-as-text", {"pub/v1n1/article.md": article(BASE + "\ndate: next week")}, f"{A}:4: 'date' must be a date written YYYY-MM-DD, not 'next week'"),
    ("draft-yes", {"pub/v1n1/article.md": article(BASE + "\ndraft: yes")}, f"{A}:4: 'draft' must be true or false, not text"),
    ("authors-missing", {"pub/v1n1/article.md": article("title: T")}, "is missing the required key 'authors'"),
    ("author-unknown", {"pub/v1n1/article.md": article("title: T\nauthors: [ann-le]")}, f"{A}:3: unknown author 'ann-le' — did you mean 'ann-lee'?"),
    ("authors-mapping", {"pub/v1n1/article.md": article("title: T\nauthors: {a: b}")}, f"{A}:3: 'authors' must be a list of author ids"),
    ("bad-slug", {"pub/v1n1/article.md": article(BASE + "\nslug: Bad Slug")}, f"{A}:4: 'Bad Slug' cannot be a slug"),
    ("reserved-slug", {"pub/v1n1/article.md": article(BASE + "\nslug: authors")}, f"{A}:4: the slug 'authors' is reserved for the site's own pages"),
    ("not-utf8", {"pub/v1n1/article.md": "---\ntitle: Caf\u00e9\nauthors: [ann-lee]\n---\n".encode("latin-1")}, f"{A}:2: the file is not UTF-8 text"),
    ("nul-byte", {"pub/v1n1/article.md": b"---\ntitle: T\x00\nauthors: [ann-lee]\n---\n"}, f"{A}:2: the file contains a NUL character"),
    ("huge-file", {"pub/v1n1/article.md": article(BASE, "word " * 1_000_000)}, f"{A}: the file is"),
    ("bios-non-author", {"pub/v1n1/article.md": article(BASE + "\nbios: {bob: Bob.}")}, f"{A}:4: 'bios' names 'bob', who is not an author of this article — add 'bob' to 'authors', or remove the bio: 'bios' changes the bios of the article's own authors only"),
    ("citation-without-url", {"pub/v1n1/article.md": article(BASE + "\ncitations:\n  r: {outlet: Reuters}", "Said [@r].\n")}, "citation 'r' is missing the required key 'url'"),
    ("credit-url-javascript", {"pub/v1n1/article.md": article(BASE + "\nimage: {src: x.png, alt: X, credit_url: 'javascript:alert(1)'}"), "pub/v1n1/x.png": b"\x89PNG\r\n\x1a\n"}, "'credit_url' is not an http(s) URL"),
    # --- body -----------------------------------------------------------------------
    ("note-undefined", {"pub/v1n1/article.md": article(BASE, "Claim.[^1]\n")}, f"{A}:6: note [^1] is referred to but never defined"),
    ("note-unused", {"pub/v1n1/article.md": article(BASE + "\nnotes: {1: Unused.}", "Claim.\n")}, f"{A}:4: note '1' is never referred to"),
    ("note-twice", {"pub/v1n1/article.md": article(BASE + "\nnotes: {1: One.}", "Claim.[^1]\n\n[^1]: Again.\n")}, f"{A}:9: note '1' is defined twice (first on line 4)"),
    ("citation-unknown", {"pub/v1n1/article.md": article(BASE + "\ncitations:\n  reuters: {outlet: Reuters, url: 'https://example.org/r'}", "Said [@reuter].\n")}, f"{A}:8: unknown citation '[@reuter]' — did you mean 'reuters'?"),
    ("image-missing", {"pub/v1n1/article.md": article(BASE, "![A chart](images/chart.png)\n")}, f"{A}:6: the file 'images/chart.png' does not exist"),
    ("image-no-alt", {"pub/v1n1/article.md": article(BASE, "![](chart.png)\n"), "pub/v1n1/chart.png": b"x"}, f"{A}:6: the image 'chart.png' has no alt text"),
    ("image-dotdot", {"pub/v1n1/article.md": article(BASE, "![Secret](../../../../../etc/passwd)\n")}, f"{A}:6: '../../../../../etc/passwd' points outside the content folder"),
    ("image-absolute", {"pub/v1n1/article.md": article(BASE, "![Secret](/etc/passwd)\n")}, f"{A}:6: '/etc/passwd' is an absolute path"),
    ("image-remote", {"pub/v1n1/article.md": article(BASE, "![Tracker](https://tracker.example.net/pixel.gif)\n")}, f"{A}:6: 'https://tracker.example.net/pixel.gif' is not a file in the content folder"),
    ("lead-image-no-alt", {"pub/v1n1/article.md": article(BASE + "\nimage: {src: x.png}"), "pub/v1n1/x.png": b"x"}, f"{A}:4: the lead image has no alt text"),
    ("lead-image-outside", {"pub/v1n1/article.md": article(BASE + "\nimage: {src: ../../../secret.png, alt: S}")}, "'../../../secret.png' points outside the content folder"),
    ("table-extra-cell", {"pub/v1n1/article.md": article(BASE, "| Date | Ships |\n|---|---|\n| Dec 9 | 14 | 7 |\n")}, f"{A}:8: this table row has 3 cells, but the header has 2: the cells after column 2 would be lost"),
    ("nesting-too-deep", {"pub/v1n1/article.md": article(BASE, "Intro.\n\n" + "> " * 25 + "Deep.\n> More.\n\nAfter.\n")}, f"{A}:8: block quotes or lists are nested more than 20 levels deep here"),
    ("nesting-lists-too-deep", {"pub/v1n1/article.md": article(BASE, "".join("    " * i + "1. item\n" for i in range(15)))}, f"{A}:15: block quotes or lists are nested more than 20 levels deep here"),
    # --- references, config, file system -------------------------------------------------
    ("site-yaml-missing", {"site.yaml": None}, "content/site.yaml: the content folder has no site.yaml"),
    ("base-url-relative", {"site.yaml": "title: T\nbase_url: /brief/\n"}, "content/site.yaml:2: 'base_url' must be an absolute http(s) URL, not '/brief/'"),
    ("site-unknown-key", {"site.yaml": "title: T\nbase_url: https://e.org/\nlanguge: en\n"}, "content/site.yaml:3: unknown key 'languge' in site.yaml — did you mean 'language'?"),
    ("issue-volume-text", {"pub/v1n1/issue.yaml": "volume: one\nnumber: 1\ndate: 2026-01-14\n"}, "content/pub/v1n1/issue.yaml:1: 'volume' must be a whole number, not text"),
    ("issue-date-missing", {"pub/v1n1/issue.yaml": "volume: 1\nnumber: 1\n"}, "issue.yaml is missing the required key 'date'"),
    ("issue-lists-missing-file", {"pub/v1n1/issue.yaml": "volume: 1\nnumber: 1\ndate: 2026-01-14\narticles: [article, ghost]\n"}, "the issue lists 'ghost' but the folder has no ghost.md"),
    ("duplicate-slug", {"pub/v1n1/01-same.md": article(BASE), "pub/v1n1/02-same.md": article(BASE), "pub/v1n1/article.md": None}, "two articles have the slug 'same'"),
    ("duplicate-issue-number", {"pub/v1n2/issue.yaml": "volume: 1\nnumber: 1\ndate: 2026-01-28\n"}, "volume 1 issue 1 is also"),
    ("publication-title-missing", {"pub/publication.yaml": "description: x\n"}, "publication.yaml is missing the required key 'title'"),
    ("author-name-missing", {"authors/ann-lee.md": "---\naffiliation: X\n---\nBio\n"}, "content/authors/ann-lee.md:2: the author's front-matter is missing the required key 'name'"),
    ("author-link-not-url", {"authors/ann-lee.md": "---\nname: Ann\nlinks: {web: 'javascript:alert(1)'}\n---\n"}, "'web' is not an http(s) URL"),
    ("topic-collision", {"pub/v1n1/article.md": article(BASE + "\ntopics: [C++, C]")}, f"{A}:4: the topics 'C' and 'C++' would share the page topics/c/"),
    ("note-ref-in-summary", {"pub/v1n1/article.md": article(BASE + "\nsummary: ['A point.[^1]']", "Body.[^1]\n\n[^1]: N.\n")}, f"{A}:4: note [^1] is referred to outside the body"),
    ("article-outside-issue", {"pub/stray.md": article(BASE)}, "content/pub/stray.md: an article must be inside an issue folder"),
]


@pytest.mark.parametrize("files,expected", [pytest.param(f, e, id=i) for i, f, e in CASES])
def test_hostile_input_is_a_clear_error_and_publishes_nothing(tmp_path: Path, files: dict, expected: str) -> None:
    write_site(tmp_path, files)
    if "pub/v1n1/article.md" in files and files["pub/v1n1/article.md"] is None:
        (tmp_path / A).unlink(missing_ok=True)
    errors = build_errors(tmp_path)
    assert any(e.startswith(expected) or expected in e for e in errors), errors
    assert not (tmp_path / "_site").exists()
    assert not list(tmp_path.glob("._site.tmp-*"))


def test_there_are_at_least_forty_distinct_cases() -> None:
    assert len({case_id for case_id, _, _ in CASES}) >= 40


def test_symlinked_article_outside_content_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path)
    outside = tmp_path / "elsewhere.md"
    outside.write_text(article(BASE), encoding="utf-8")
    os.symlink(outside, tmp_path / "content/pub/v1n1/linked.md")
    errors = build_errors(tmp_path)
    assert "content/pub/v1n1/linked.md: this file is a link to a place outside the content folder — copy the file into the content folder" in errors


def test_symlinked_image_outside_content_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"pub/v1n1/article.md": article(BASE, "![Secret](secret.png)\n")})
    (tmp_path / "secret.png").write_bytes(b"x")
    os.symlink(tmp_path / "secret.png", tmp_path / "content/pub/v1n1/secret.png")
    errors = build_errors(tmp_path)
    assert any("'secret.png' points outside the content folder" in e for e in errors), errors


def test_dangerous_link_schemes_are_dropped_and_reported(tmp_path: Path) -> None:
    body = "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) [d](file:///etc/passwd) [ok](https://example.org/)\n"
    write_site(tmp_path, {"pub/v1n1/article.md": article(BASE, body)})
    report = build_ok(tmp_path)
    warnings = [str(w) for w in report.diagnostics.warnings]
    for scheme in ("javascript", "vbscript", "data", "file"):
        assert f"{A}:6: warning [unsafe-link]: a link to a '{scheme}:' URL was dropped — links may use http, https and mailto addresses or relative paths" in warnings
    page = (tmp_path / "_site/pub/article/index.html").read_text(encoding="utf-8")
    for bad in ("javascript:", "vbscript:", "data:text", "file://"):
        assert f'href="{bad}' not in page
    assert '<a href="https://example.org/" rel="noopener noreferrer">ok</a>' in page
    # --strict turns the warnings into a failed build that publishes nothing new
    errors = build_errors(tmp_path, strict=True)
    assert any("a link to a 'javascript:' URL was dropped" in e for e in errors)


def test_raw_html_is_escaped_by_default(tmp_path: Path) -> None:
    body = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n"
    write_site(tmp_path, {"pub/v1n1/article.md": article(BASE, body)})
    build_ok(tmp_path)
    page = (tmp_path / "_site/pub/article/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")


def test_raw_html_when_allowed_is_sanitised(tmp_path: Path) -> None:
    body = '<p class="x" onclick="steal()">Kept <b>bold</b></p>\n\n<script>alert(1)</script>\n\n<a href="javascript:alert(1)">x</a>\n'
    write_site(tmp_path, {
        "site.yaml": "title: T\nbase_url: https://e.org/\nraw_html: true\n",
        "pub/v1n1/article.md": article(BASE, body),
    })
    build_ok(tmp_path)
    page = (tmp_path / "_site/pub/article/index.html").read_text(encoding="utf-8")
    body_html = page.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]
    assert "<b>bold</b>" in body_html
    assert "onclick" not in body_html
    assert "<script" not in body_html
    assert "javascript:" not in body_html


def test_html_typed_anywhere_in_an_article_is_one_warning_at_the_first_line(tmp_path: Path) -> None:
    front = (
        "title: T\nauthors:\n  - ann-lee\n  - name: Guest\n    bio: \"Guest <i>writes</i>.\"\n"
        "summary:\n  - \"A <b>bold</b> point.\"\nimage: {src: x.png, alt: X, caption: \"A <em>caption</em>\"}\n"
        "bios:\n  ann-lee: \"Ann<br>Lee\""
    )
    write_site(tmp_path, {
        "pub/v1n1/article.md": article(front, "Text with <sup>1</sup>.[^1]\n\n[^1]: A <b>note</b>.\n"),
        "pub/v1n1/x.png": png_bytes(),
        "authors/ann-lee.md": "---\nname: Ann Lee\n---\n\nAnn Lee writes <b>tests</b>.\n",
    })
    report = build_ok(tmp_path)
    warnings = sorted(str(w) for w in report.diagnostics.warnings if w.code == "raw-html")
    assert warnings == [
        "content/authors/ann-lee.md:5: warning [raw-html]: '<b>' shows on the page as typed, tags and all: raw HTML is off "
        "(the first of 2 HTML tags in this file) — make text bold with two asterisks on each side: **text**",
        f"{A}:5: warning [raw-html]: '<i>' shows on the page as typed, tags and all: raw HTML is off "
        "(the first of 11 HTML tags in this file) — make text italic with one asterisk on each side: *text*",
    ]
    page = (tmp_path / "_site/pub/article/index.html").read_text(encoding="utf-8")
    assert "Text with &lt;sup&gt;1&lt;/sup&gt;." in page


def test_an_article_can_accept_the_raw_html_warning(tmp_path: Path) -> None:
    write_site(tmp_path, {"pub/v1n1/article.md": article(BASE + "\naccept_warnings: [raw-html]", "Type <b> to make bold.\n")})
    report = build_ok(tmp_path, strict=True)
    assert [w for w in report.diagnostics.warnings if w.code == "raw-html"] == []


def test_raw_html_the_sanitiser_removes_is_one_warning(tmp_path: Path) -> None:
    body = 'Intro.\n\n<div style="color:red">Kept</div>\n\n<iframe src="https://e.org/"></iframe>\n'
    write_site(tmp_path, {
        "site.yaml": "title: T\nbase_url: https://e.org/\nraw_html: true\n",
        "pub/v1n1/article.md": article(BASE, body),
    })
    report = build_ok(tmp_path)
    assert [str(w) for w in report.diagnostics.warnings] == [
        f"{A}:8: warning [html-removed]: the 'style' attribute of <div> is removed from the page: raw HTML keeps only "
        "a fixed list of elements and attributes (the first of 2 removals in this file) — write it in Markdown, "
        "or keep to the elements and attributes listed in the editor's guide"
    ]


def test_failed_build_leaves_previous_output_byte_identical(tmp_path: Path) -> None:
    write_site(tmp_path)
    build_ok(tmp_path)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "_site").rglob("*") if p.is_file()}
    write_site(tmp_path, {"pub/v1n1/article.md": article("title: T\nauthors: [nobody]")})
    build_errors(tmp_path)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "_site").rglob("*") if p.is_file()}
    assert after == before
