"""Property tests: generated Markdown and front-matter never crash the build or inject script.

The only acceptable outcomes are a successful build or a :class:`ContentError`
with diagnostics; and no generated input may yield a ``<script>`` element (other
than the templates' JSON-LD) or an ``on*=`` event-handler attribute.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brief.errors import ContentError
from brief.markdown import render_article
from brief.model import ArticleSource, CitationEntry, NoteSource
from brief.options import PACKAGE_ROOT
from brief.pipeline import build
from sites import article, options, write_site

FRAGMENTS = [
    "text", " ", "\n", "\n\n", "*", "_", "`", "[", "]", "(", ")", "!", "#", "|", "-", ">", ":", ";", ",",
    "[^1]", "[^x]", "[^1]: note", "[@r]", "[@r; @s]", "[MND](https://example.org/a)", ", December 9",
    "(Outlet, December [10](https://e.org/1), [11](https://e.org/2))", "accessed November 26",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java\nscript:alert(1))", "![a](data:image/svg+xml,<svg onload=alert(1)>)",
    "<svg onload=alert(1)>", "\" onmouseover=\"alert(1)", "' onfocus='x", "Table 1: T", "Figure 2: F",
    "(Source: S)", "| a | b |\n|---|---|\n| 1 | 2 |", "解放军", "解放軍", "中文", "&lt;", "&#x3C;script&#x3E;",
    "<!--brief-image:0-->", "\ue000", "\ue0010\ue001", "    code", "```\nfence\n```", "<style>x</style>",
]

markdown_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40).map("".join)


#: The scripts Brief ships: the only ones a page may load (content can never add one).
FIRST_PARTY_SCRIPTS = frozenset(path.name for path in (PACKAGE_ROOT / "static" / "js").glob("*.js"))


def assert_no_script(html: str, allow_json_ld: bool = False) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        if script.get("src") == "../static/js/search.js" and soup.find("h1", id="search-heading"):
            continue  # the search page's own first-party script (not from content)
        # Article pages carry their data and first-party files from the package; never inline code.
        name = script.get("src", "").rpartition("/")[2]
        first_party = name in FIRST_PARTY_SCRIPTS and script["src"].endswith("static/js/" + name) and not script.get_text()
        assert allow_json_ld and (script.get("type") == "application/ld+json" or first_party), script
    for tag in soup.find_all(True):
        for name in tag.attrs:
            assert not name.lower().startswith("on"), (tag.name, name)
        for name in ("href", "src"):
            value = str(tag.get(name, "")).strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), (tag.name, value)


def source_for(body: str) -> ArticleSource:
    return ArticleSource(
        path="a.md", file_name="a.md", issue_key="i", slug="a", title="T", authors=(), body=body, body_line=5,
        notes=(NoteSource("1", "A [note](https://example.org/n).", 3),),
        citations=(CitationEntry("r", "Reuters", "https://example.org/r", dt.date(2025, 12, 10)),),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=markdown_text, raw_html=st.booleans())
def test_markdown_stage_never_crashes_or_emits_script(body: str, raw_html: bool) -> None:
    content, problems = render_article(source_for(body), dt.date(2026, 1, 14), raw_html)
    for problem in problems:
        assert problem.location.path == "a.md" and problem.message
    assert_no_script(content.body_html)
    for note in content.notes:
        assert_no_script(note.html)


yaml_value = st.one_of(
    st.sampled_from(["yes", "no", "on", "1e3", "2024", "2025-02-30", "2025-12-09", "null", "~", "[]", "{}",
                     "'quoted'", '"x: y"', "&a x", "*a", "!!python/object:os.system x", "- a", "|", ">", "@x", "`x`",
                     "[ann-lee]", "[ann-lee, ghost]", "{name: X, bio: Y}", "<script>alert(1)</script>", "解放军"]),
    st.text(max_size=12),
)
keys = st.sampled_from(["title", "authors", "summary", "image", "topics", "notes", "citations", "bios",
                        "disclaimer", "date", "slug", "draft", "titel", "x"])
front_matter = st.dictionaries(keys, yaml_value, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(front=front_matter, body=markdown_text)
def test_whole_build_gives_site_or_clear_error(front: dict[str, str], body: str) -> None:
    fields = {"title": "Base", "authors": "[ann-lee]", **front}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text = article("\n".join(f"{k}: {v}" for k, v in fields.items()), body)
        write_site(root, {"pub/v1n1/article.md": text})
        try:
            build(options(root))
        except ContentError as exc:
            event("content error")
            assert exc.diagnostics
            for diagnostic in exc.diagnostics:
                assert diagnostic.location.path.startswith("content/")
                assert diagnostic.message
            assert not (root / "_site").exists()
            return
        event("built")
        for page in (root / "_site").rglob("*.html"):
            assert_no_script(page.read_text(encoding="utf-8"), allow_json_ld=True)
