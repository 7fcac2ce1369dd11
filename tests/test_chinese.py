"""Chinese runs: ``lang="zh-Hans"`` / ``lang="zh-Hant"`` on every run of Han characters.

Unit tests for :mod:`brief.mdplugins.chinese` (classification, segmentation,
``mark_text``), then articles rendered with :func:`brief.markdown.render_article`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from markupsafe import Markup

from brief.markdown import render_article
from brief.mdplugins.chinese import HANS, HANT, dominant_script, mark_text, script_of, segment, split_mixed
from brief.model import ArticleContent, ArticleSource, NoteSource

ISSUE = dt.date(2026, 1, 14)


def render(body: str, accept: str = "", **fields: Any) -> ArticleContent:
    """The article's content; any problem but a warning with the code ``accept`` fails the test."""
    source = ArticleSource(
        path="article.md", file_name="article.md", issue_key="v1n1", slug="article", title="Title",
        authors=(), body=body, body_line=1, **fields,
    )
    content, problems = render_article(source, ISSUE)
    assert [p for p in problems if p.code != accept or not accept] == []
    return content


def hans(text: str) -> str:
    return f'<span lang="zh-Hans">{text}</span>'


def hant(text: str) -> str:
    return f'<span lang="zh-Hant">{text}</span>'


# --- Classification ----------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "script"),
    [
        ("中国", HANS),
        ("解放军", HANS),
        ("台湾", HANS),
        ("发展", HANS),
        ("中國", HANT),
        ("解放軍", HANT),
        ("臺灣", HANT),
        ("發", HANT),
        ("人民", None),  # the same in both scripts
        ("一", None),
        ("台", None),
        ("这个國家", "mixed"),
        ("國家主席习近平", "mixed"),
    ],
)
def test_script_of(run: str, script: str | None) -> None:
    assert script_of(run) == script


@pytest.mark.parametrize(
    ("run", "context", "pieces"),
    [
        ("这个國家", HANS, [("这个", HANS), ("國家", HANT)]),
        ("國家主席习近平", HANS, [("國家主席", HANT), ("习近平", HANS)]),
        # characters the same in both scripts stay with the piece before them ...
        ("国人民與", HANT, [("国人民", HANS), ("與", HANT)]),
        # ... or, at the start, join the first piece that has a script
        ("人民国與", HANT, [("人民国", HANS), ("與", HANT)]),
        ("人民", HANT, [("人民", HANT)]),
    ],
)
def test_split_mixed(run: str, context: str, pieces: list[tuple[str, str]]) -> None:
    assert split_mixed(run, context) == pieces


@pytest.mark.parametrize(
    ("text", "default", "pieces"),
    [
        ("No Chinese here.", HANS, [("No Chinese here.", None)]),
        ("The 中国 slogan", HANS, [("The ", None), ("中国", HANS), (" slogan", None)]),
        ("中國", HANS, [("中國", HANT)]),
        ("人民", HANS, [("人民", HANS)]),
        ("人民", HANT, [("人民", HANT)]),  # no neighbour: the default
        ("中國 and 人民", HANS, [("中國", HANT), (" and ", None), ("人民", HANT)]),  # neighbour before wins
        ("人民 and 中國", HANS, [("人民", HANS), (" and ", None), ("中國", HANT)]),  # only runs *before* count
        ("中国 人民", HANT, [("中国", HANS), (" ", None), ("人民", HANS)]),  # an ASCII space ends a run
        ("中国，人民。", HANS, [("中国，人民", HANS), ("。", None)]),  # CJK punctuation inside, not at the end
        ("“中国”", HANS, [("“", None), ("中国", HANS), ("”", None)]),
        ("中国·人民", HANS, [("中国·人民", HANS)]),
        ("中国、人民", HANS, [("中国、人民", HANS)]),
        ("这个國家人民", HANS, [("这个", HANS), ("國家人民", HANT)]),  # a mixed run sets the context too
        ("㐀", HANT, [("㐀", HANT)]),  # CJK Extension A
        ("𠀀", HANS, [("𠀀", HANS)]),  # Extension B, outside the BMP
    ],
)
def test_segment(text: str, default: str, pieces: list[tuple[str, str | None]]) -> None:
    assert segment(text, default) == pieces


@pytest.mark.parametrize(
    ("texts", "script"),
    [
        (["中国 国家"], HANS),
        (["中國 國家"], HANT),
        (["人民", "中國 國家", "中国"], HANT),  # counted by characters
        (["中国", "中國"], HANS),  # a tie is simplified
        (["人民"], HANS),  # nothing decidable
        ([], HANS),
        (["English only"], HANS),
    ],
)
def test_dominant_script(texts: list[str], script: str) -> None:
    assert dominant_script(texts) == script


# --- mark_text (titles and names) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Plain title", "Plain title"),
        ("Tom & Jerry <b>", "Tom &amp; Jerry &lt;b&gt;"),
        ("The PLA (解放军) & 解放軍", f"The PLA ({hans('解放军')}) &amp; {hant('解放軍')}"),
        ('<script>"中国"</script>', f"&lt;script&gt;&#34;{hans('中国')}&#34;&lt;/script&gt;"),
        ("", ""),
    ],
)
def test_mark_text_escapes_html_and_marks_runs(text: str, html: str) -> None:
    result = mark_text(text)
    assert isinstance(result, Markup)
    assert str(result) == html


def test_mark_text_uses_its_default_for_runs_in_both_scripts() -> None:
    assert mark_text("人民", HANT) == Markup(hant("人民"))
    assert mark_text("人民") == Markup(hans("人民"))


# --- In articles --------------------------------------------------------------


def test_runs_in_paragraph_text_are_marked() -> None:
    content = render("The 解放军 and the 解放軍.")
    assert content.body_html == f"<p>The {hans('解放军')} and the {hant('解放軍')}.</p>\n"


def test_neighbour_rule_carries_across_emphasis_links_and_code() -> None:
    content = render("简体中文简体中文.\n\n繁體 **人民**, [人民](https://example.org/a) `x` 人民.")
    second = content.body_html.split("\n")[1]
    assert second == (
        f"<p>{hant('繁體')} <strong>{hant('人民')}</strong>, "
        f'<a href="https://example.org/a" rel="noopener noreferrer">{hant("人民")}</a> <code>x</code> {hant("人民")}.</p>'
    )


def test_neighbour_rule_does_not_cross_paragraphs() -> None:
    content = render("简体中文简体中文简体中文.\n\n繁體.\n\n人民.")
    assert content.body_html.split("\n")[2] == f"<p>{hans('人民')}.</p>"


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("人民 first.\n\n臺灣國防部 and 國家.", HANT),
        ("人民 first.\n\n台湾国防部 and 国家.", HANS),
        ("人民 only.", HANS),
    ],
)
def test_run_without_a_neighbour_takes_the_article_majority(body: str, lang: str) -> None:
    assert render(body).body_html.startswith(f'<p><span lang="{lang}">人民</span> ')


def test_runs_in_headings_tables_lists_and_quotes_are_marked() -> None:
    content = render("## 国防部\n\n| 名称 |\n|---|\n| 國防部 |\n\n- 中国\n\n> 臺灣\n")
    html = content.body_html
    assert f'<h2 id="国防部">{hans("国防部")}</h2>' in html
    assert f"<th>{hans('名称')}</th>" in html
    assert f'<td data-label="名称">{hant("國防部")}</td>' in html
    assert f"<li>{hans('中国')}</li>" in html
    assert f"<blockquote>\n<p>{hant('臺灣')}</p>\n</blockquote>" in html


def test_runs_in_captions_are_marked() -> None:
    content = render("Table 1: 国防部 figures\n\n| a |\n|---|\n| b |")
    assert f'<span class="figure-label">Table 1:</span> {hans("国防部")} figures</figcaption>' in content.body_html


@pytest.mark.parametrize(
    "body",
    ["Use `中国` as the key.", "```\n中国\n```", "    中国 indented code"],
)
def test_code_is_not_marked(body: str) -> None:
    assert "lang=" not in render(body).body_html


def test_link_urls_and_image_alt_text_are_not_marked() -> None:
    content = render("[中国](https://example.org/中国) ![地图](images/map.png)")
    assert content.body_html == (
        f'<p><a href="https://example.org/%E4%B8%AD%E5%9B%BD" rel="noopener noreferrer">{hans("中国")}</a> '
        "<!--brief-image:0--></p>\n"
    )
    assert content.images[0].alt == "地图"


def test_runs_in_notes_are_marked_with_the_article_default() -> None:
    content = render("臺灣國防部 said so.[^1]", notes=(NoteSource("1", "人民日報 and 人民.", 4),))
    assert content.notes[0].html.startswith(f"<p>{hant('人民日報')} and {hant('人民')}.")


def test_runs_in_summary_and_disclaimer_are_marked() -> None:
    content = render("Body.", summary=("The 解放军 drills.",), disclaimer="臺灣 text.")
    assert content.summary_html == (f"The {hans('解放军')} drills.",)
    assert content.summary_text == ("The 解放军 drills.",)
    assert content.disclaimer_html == f"<p>{hant('臺灣')} text.</p>\n"


def test_html_in_text_next_to_runs_stays_escaped() -> None:
    content = render("中国 <b>&amp; 人民</b>", accept="raw-html")
    assert content.body_html == f"<p>{hans('中国')} &lt;b&gt;&amp; {hans('人民')}&lt;/b&gt;</p>\n"
