"""The issue PDFs (brief/pdf.py), read back with pypdf: their text, pages, outline, links,
metadata and tags; the page ranges the web pages show; settings, failures and caching.

The sites are small (a few pages each) and most tests share one build, so that the PDFs,
which take a second or two each to lay out, cost the suite little.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pypdf = pytest.importorskip("pypdf")

from brief.cli import main  # noqa: E402
from brief.pipeline import BuildReport, build  # noqa: E402
from sites import article, options, write_site  # noqa: E402

ROWS = "\n".join(f"| Unit {n} | Eastern Theater | {n * 3} ships |" for n in range(1, 71))
LONG_BODY = (
    "The opening paragraph cites a source ([MND](https://example.org/mnd/1209), December 9).[^fleet]\n\n"
    + "\n\n".join(f"Paragraph {n} of the analysis says what the numbers mean for the strait. " * 4 for n in range(1, 9))
    + "\n\nTable 1: Units seen in the exercise\n\n| Unit | Command | Size |\n|---|---|---|\n" + ROWS
    + "\n\n(Source: Ministry of National Defense.)\n\nThe closing paragraph.\n\n"
    "[^fleet]: The fleet note, with its own source ([Reuters](https://example.org/reuters/1), December 10).\n"
)
CHINESE_BODY = (
    "The mainland writes 解放军 and Taiwan writes 國防部 ([MND](https://example.org/mnd/1210), December 10).[^term]\n\n"
    "[^term]: Both terms as written: 东部战区 and 東部戰區.\n"
)


def pdf_site(root: Path, site_yaml: str = "pdf: all\n", extra: dict[str, str | bytes | None] | None = None) -> Path:
    files: dict[str, str | bytes | None] = {
        "site.yaml": "title: Test Brief\nbase_url: https://brief.example.org/\npublisher: Test Institute\n" + site_yaml,
        "pub/publication.yaml": "title: Strait Watch\nissn: \"2940-3189\"\n",
        "pub/v1n1/article.md": None,
        "pub/v1n1/01-fleet.md": article(
            "title: The Fleet in the Strait\nauthors: [ann-lee]\nsummary: ['The fleet moved.', 'The table lists it.']",
            LONG_BODY,
        ),
        "pub/v1n1/02-terms.md": article("title: \"Terms: 解放军 and 國防部\"\nauthors: [ann-lee]", CHINESE_BODY),
        "pub/v1n1/03-brief-note.md": article("title: A Brief Note\nauthors: [ann-lee]", "One short paragraph.\n"),
    }
    files.update(extra or {})
    return write_site(root, files)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    root = pdf_site(tmp_path_factory.mktemp("pdf"))
    return root, build(options(root))


ISSUE = "content/pub/v1n1"
ISSUE_PDF = "pub/volume-1/issue-1/pub-v1-n1.pdf"


def reader(path: Path) -> "pypdf.PdfReader":
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


def page_texts(pdf: "pypdf.PdfReader") -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pdf.pages]


def soup(root: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / page).read_text(encoding="utf-8"), "html.parser")


def test_the_issue_pdf_has_a_cover_with_the_contents_and_every_article(built: tuple[Path, BuildReport]) -> None:
    root, report = built
    pdf = reader(root / "_site" / ISSUE_PDF)
    texts = page_texts(pdf)
    cover = texts[0]
    for words in ("Strait Watch", "Volume 1, Issue 1", "January 14, 2026", "In this issue", "The Fleet in the Strait",
                  "A Brief Note", "Ann Lee", "ISSN 2940-3189"):
        assert words.lower() in cover.lower(), words
    site = report.site
    assert site is not None
    issue_pdf = site.pdfs[ISSUE]
    assert issue_pdf.pages == len(pdf.pages)
    # The cover's page ranges are those the layout found, and each article starts on its first page.
    for pages, title in zip(issue_pdf.articles, ("The Fleet in the Strait", "Terms:", "A Brief Note")):
        label = f"p. {pages.first}" if pages.first == pages.last else f"pp. {pages.first}–{pages.last}"
        assert label in cover, (label, cover)
        assert title in texts[pages.first - 1]
        assert title not in " ".join(texts[1 : pages.first - 1])
    fleet, terms, note = issue_pdf.articles
    assert fleet.last > fleet.first  # the long table runs over pages
    assert (terms.first, note.first) == (fleet.last + 1, terms.last + 1)  # each on a new page
    assert note.first == note.last and "pp." not in cover.split("A Brief Note")[1][:12]
    # Every part of an article, in order: summary, body, table, notes, sources, bio.
    fleet_text = " ".join(texts[fleet.first - 1 : fleet.last])
    order = ["Executive Summary", "The fleet moved.", "Paragraph 1 of", "Table 1: Units seen", "Unit 70",
             "The closing paragraph.", "Notes", "The fleet note", "Sources", "example.org/mnd/1209", "About the author",
             "Ann Lee writes tests."]
    positions = [fleet_text.lower().find(words.lower()) for words in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))
    # Running heads and page numbers: the issue and the article's title on its later pages.
    second = texts[fleet.first]
    assert "Strait Watch · Volume 1, Issue 1" in second and "The Fleet in the Strait" in second
    assert re.search(rf"\b{fleet.first + 1}$", second)


def test_a_table_that_runs_over_pages_repeats_its_header(built: tuple[Path, BuildReport]) -> None:
    root, report = built
    assert report.site is not None
    fleet = report.site.pdfs[ISSUE].articles[0]
    texts = page_texts(reader(root / "_site" / ISSUE_PDF))
    with_rows = [t for t in texts[fleet.first - 1 : fleet.last] if "Eastern Theater" in t]
    assert len(with_rows) >= 2
    assert all("Unit Command Size" in t for t in with_rows)


def test_the_issue_pages_show_the_pdf_and_each_articles_pages(built: tuple[Path, BuildReport]) -> None:
    root, report = built
    assert report.site is not None
    issue_pdf = report.site.pdfs[ISSUE]
    page = soup(root, "pub/volume-1/issue-1/index.html")
    link = page.select_one(".issue-pdf a")
    assert link is not None and link["href"] == "../../../" + ISSUE_PDF
    size = (root / "_site" / ISSUE_PDF).stat().st_size
    assert f"{len(reader(root / '_site' / ISSUE_PDF).pages)} pages" in page.select_one(".issue-pdf").text
    assert f"{round(size / 1000)} KB" in page.select_one(".issue-pdf").text
    shown = [li.select_one(".pages").text for li in page.select(".toc-entry")]
    assert shown == [a.label for a in issue_pdf.articles]
    assert shown[0].startswith("pp. ") and shown[2].startswith("p. ")


def test_the_article_page_shows_its_pages_links_both_pdfs_and_tells_reference_managers(built: tuple[Path, BuildReport]) -> None:
    root, report = built
    assert report.site is not None
    fleet = report.site.pdfs[ISSUE].articles[0]
    page = soup(root, "pub/fleet/index.html")
    assert f"Volume 1, Issue 1, pp. {fleet.first}–{fleet.last}" in " ".join(page.select_one(".kicker").text.split())
    meta = {m["name"]: m["content"] for m in page.select("meta[name^=citation_]")}
    assert (meta["citation_firstpage"], meta["citation_lastpage"]) == (str(fleet.first), str(fleet.last))
    assert meta["citation_pdf_url"] == "https://brief.example.org/" + fleet.pdf_url
    links = [a["href"] for a in page.select(".article-pdf a")]
    assert links == ["../../" + fleet.pdf_url, "../../" + ISSUE_PDF]
    data = page.select_one('script[type="application/ld+json"]').string
    assert f'"pageStart": {fleet.first}' in data and f'"pageEnd": {fleet.last}' in data
    # The article's own PDF: its pages of the issue, numbered as there.
    own = reader(root / "_site" / fleet.pdf_url)
    assert len(own.pages) == fleet.last - fleet.first + 1
    assert own.page_labels[0] == str(fleet.first) and own.page_labels[-1] == str(fleet.last)
    assert page_texts(own)[0] == page_texts(reader(root / "_site" / ISSUE_PDF))[fleet.first - 1]
    assert own.metadata.title == "The Fleet in the Strait" and own.metadata.author == "Ann Lee"
    assert own.metadata.subject == "The fleet moved. The table lists it."


def test_the_pdf_has_metadata_tags_an_outline_and_links(built: tuple[Path, BuildReport]) -> None:
    root, report = built
    assert report.site is not None
    issue_pdf = report.site.pdfs[ISSUE]
    pdf = reader(root / "_site" / ISSUE_PDF)
    info = pdf.metadata
    assert info.title == "Strait Watch, Volume 1, Issue 1"
    assert info.author == "Ann Lee"
    assert "The Fleet in the Strait; Terms: 解放军 and 國防部; A Brief Note." in info.subject
    assert info["/CreationDate"].startswith("D:20260114")
    catalog = pdf.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog  # tagged (PDF/UA-1)
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    outline = [(item.title, pdf.get_destination_page_number(item)) for item in pdf.outline if not isinstance(item, list)]
    titles = [title for title, _ in outline]
    assert titles == ["Cover and contents", "The Fleet in the Strait", "Terms: 解放军 and 國防部", "A Brief Note"]
    assert [page + 1 for _, page in outline[1:]] == [a.first for a in issue_pdf.articles]
    # The contents link to each article's first page.
    destinations = {name: pdf.get_destination_page_number(dest) for name, dest in pdf.named_destinations.items()}
    cover_links = [a.get_object() for a in pdf.pages[0]["/Annots"]]
    targets = [destinations[str(link["/Dest"])] + 1 for link in cover_links if "/Dest" in link]
    for pages in issue_pdf.articles:
        assert pages.first in targets
    # A note reference leads to its note, and the note back to the reference.
    fleet = issue_pdf.articles[0]
    texts = page_texts(pdf)
    assert "The fleet note" in texts[destinations["a1-note-1"]]
    assert "The opening paragraph" in texts[destinations["a1-noteref-1"]]
    links_from_body = [
        str(a.get_object().get("/Dest")) for page in pdf.pages[fleet.first - 1 : fleet.last] for a in page.get("/Annots", [])
    ]
    assert "a1-note-1" in links_from_body and "a1-noteref-1" in links_from_body
    # Outside links stay links to their address.
    uris = [a.get_object()["/A"].get("/URI") for page in pdf.pages for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert "https://example.org/mnd/1209" in uris


def test_chinese_text_is_set_in_a_cjk_font(built: tuple[Path, BuildReport]) -> None:
    from brief.pdf import cjk_fonts

    if len(cjk_fonts()) < 2:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    root, report = built
    assert report.site is not None
    terms = report.site.pdfs[ISSUE].articles[1]
    pdf = reader(root / "_site" / ISSUE_PDF)
    page = pdf.pages[terms.first - 1]
    fonts = [str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()]
    assert any("CJK" in name for name in fonts), fonts
    text = page_texts(pdf)[terms.first - 1]
    assert "解放军" in text and "國防部" in text and "东部战区" in text and "東部戰區" in text
    assert not [w for w in report.diagnostics.warnings if w.code.startswith("pdf")]


def test_pdfs_off_leave_no_trace_on_the_pages(tmp_path: Path) -> None:
    root = pdf_site(tmp_path, "pdf: false\n")
    report = build(options(root))
    assert report.site is not None and report.site.pdfs == {}
    assert not list((root / "_site").rglob("*.pdf"))
    for page in ("pub/volume-1/issue-1/index.html", "pub/brief-note/index.html"):
        html = (root / "_site" / page).read_text(encoding="utf-8")
        assert ".pdf" not in html and "pp." not in html and "citation_firstpage" not in html and "pageStart" not in html


def test_the_newest_issues_only(tmp_path: Path) -> None:
    root = pdf_site(tmp_path, "pdf: 1\n", {
        "pub/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-28\n",
        "pub/v1n2/01-later.md": article("title: Later\nauthors: [ann-lee]", "Later text.\n"),
    })
    report = build(options(root))
    assert report.site is not None and sorted(report.site.pdfs) == ["content/pub/v1n2"]
    made = sorted(p.relative_to(root / "_site").as_posix() for p in (root / "_site").rglob("*.pdf"))
    assert made == ["pub/later/later.pdf", "pub/volume-1/issue-2/pub-v1-n2.pdf"]
    assert ".pdf" not in (root / "_site/pub/volume-1/issue-1/index.html").read_text(encoding="utf-8")
    assert "p. 2" in (root / "_site/pub/later/index.html").read_text(encoding="utf-8")


def test_no_pdf_option_and_a_bad_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pdf_site(tmp_path / "a")
    monkeypatch.chdir(root)
    out, err = io.StringIO(), io.StringIO()
    assert main(["build", "--no-pdf", "-q"], out, err) == 0, err.getvalue()
    assert not list((root / "_site").rglob("*.pdf"))
    bad = pdf_site(tmp_path / "b", "pdf: sometimes\n")
    monkeypatch.chdir(bad)
    assert main(["build", "-q"], out, err) == 1
    assert "content/site.yaml:4: 'pdf' must be all, false or a number of issues, not 'sometimes'" in err.getvalue()


def test_without_weasyprint_the_site_is_built_and_the_build_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = pdf_site(tmp_path)
    monkeypatch.chdir(root)
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now fails
    out, err = io.StringIO(), io.StringIO()
    assert main(["build"], out, err) == 0
    messages = err.getvalue().splitlines()
    warnings = [line for line in messages if "pdf-unavailable" in line]
    assert len(warnings) == 1, messages
    assert warnings[0].startswith("content/pub/v1n1/issue.yaml:1: warning [pdf-unavailable]: the issue PDFs were not made")
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in warnings[0]
    assert "Traceback" not in err.getvalue()
    assert (root / "_site/pub/brief-note/index.html").is_file() and not list((root / "_site").rglob("*.pdf"))
    assert "pp." not in (root / "_site/pub/volume-1/issue-1/index.html").read_text(encoding="utf-8")


def test_without_a_cjk_font_the_pdf_is_made_with_one_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import brief.pdf

    monkeypatch.setattr(brief.pdf, "cjk_fonts", lambda: ())
    root = pdf_site(tmp_path)
    report = build(options(root))
    warnings = [w for w in report.diagnostics.warnings if w.code == "pdf-cjk-font"]
    assert [str(w) for w in warnings] == [
        "content/pub/v1n1/issue.yaml:1: warning [pdf-cjk-font]: no CJK font was found: Chinese text in the issue PDFs "
        "shows as empty boxes (1 PDF in this build) — install the package fonts-noto-cjk (Debian, Ubuntu) or another "
        "font with Chinese characters, then build again"
    ]
    assert (root / "_site" / ISSUE_PDF).is_file()
    # Taken from the cache by a later build, the PDF still has no CJK font: the warning stays.
    (root / "content/pub/v1n1/03-brief-note.md").write_text(article("title: A Brief Note\nauthors: [ann-lee]", "Edited.\n"))
    again = build(options(root))
    assert again.pdfs_made == 1
    assert [w.code for w in again.diagnostics.warnings] == ["pdf-cjk-font"]


def test_only_the_changed_issue_is_laid_out_again_and_a_cold_build_gives_the_same_bytes(tmp_path: Path) -> None:
    root = pdf_site(tmp_path, extra={
        "pub/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-28\n",
        "pub/v1n2/01-later.md": article("title: Later\nauthors: [ann-lee]", "Later text.\n"),
    })
    first = build(options(root))
    assert first.pdfs_made == 2
    pdfs = {p.relative_to(root / "_site").as_posix(): p.read_bytes() for p in (root / "_site").rglob("*.pdf")}
    assert build(options(root)).pdfs_made == 0  # nothing changed (the whole build is up to date)
    (root / "content/pub/v1n2/01-later.md").write_text(article("title: Later\nauthors: [ann-lee]", "Later, edited.\n"))
    again = build(options(root))
    assert again.pdfs_made == 1
    after = {p.relative_to(root / "_site").as_posix(): p.read_bytes() for p in (root / "_site").rglob("*.pdf")}
    assert {k for k in after if after[k] != pdfs.get(k)} == {"pub/volume-1/issue-2/pub-v1-n2.pdf", "pub/later/later.pdf"}
    # A build with no cache at all, elsewhere, makes the same bytes.
    import dataclasses

    cold = build(dataclasses.replace(options(root), out=tmp_path / "cold", use_cache=False))
    assert cold.pdfs_made == 2
    assert {p.relative_to(tmp_path / "cold").as_posix(): p.read_bytes() for p in (tmp_path / "cold").rglob("*.pdf")} == after


def test_an_issue_whose_layout_fails_is_published_without_a_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import brief.pdf

    layout = brief.pdf.layout_issue

    def failing(job: "brief.pdf.PdfJob") -> None:
        if "Later" in job.html:
            raise RuntimeError("a layout bug")
        layout(job)

    monkeypatch.setattr(brief.pdf, "layout_issue", failing)
    root = pdf_site(tmp_path, extra={
        "pub/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-28\n",
        "pub/v1n2/01-later.md": article("title: Later\nauthors: [ann-lee]", "Later text.\n"),
    })
    import dataclasses

    report = build(dataclasses.replace(options(root), jobs=1))
    assert [str(w) for w in report.diagnostics.warnings] == [
        "content/pub/v1n2/issue.yaml:1: warning [pdf-failed]: the PDF of this issue could not be made: RuntimeError: "
        "a layout bug — the issue is published without a PDF; this is most likely a bug in Brief or WeasyPrint: "
        "please report it with the issue's articles"
    ]
    assert report.site is not None and sorted(report.site.pdfs) == [ISSUE]
    assert (root / "_site" / ISSUE_PDF).is_file()
    assert ".pdf" not in (root / "_site/pub/later/index.html").read_text(encoding="utf-8")


def test_the_preview_makes_pdfs_only_when_asked(tmp_path: Path) -> None:
    from test_serve import Served

    root = pdf_site(tmp_path / "project")
    plain = Served(root, "--now", "2026-02-01")
    try:
        assert plain.get("/" + ISSUE_PDF)[0] == 404
        assert b"pp." not in plain.get("/pub/volume-1/issue-1/")[1]
    finally:
        assert plain.stop() == 0
    with_pdf = Served(root, "--now", "2026-02-01", "--pdf")
    try:
        status, body, headers = with_pdf.get("/" + ISSUE_PDF)
        assert status == 200 and body.startswith(b"%PDF-") and headers["content-type"] == "application/pdf"
        page = BeautifulSoup(with_pdf.get("/pub/volume-1/issue-1/")[1], "html.parser")
        assert [e.get_text() for e in page.select(".toc-entry .pages")][0].startswith("pp. ")
    finally:
        assert with_pdf.stop() == 0


def test_recto_starts_every_article_on_an_odd_page_after_a_blank_one(tmp_path: Path) -> None:
    root = pdf_site(tmp_path, "pdf_recto: true\n")
    report = build(options(root))
    assert report.site is not None
    articles = report.site.pdfs[ISSUE].articles
    assert [a.first % 2 for a in articles] == [1, 1, 1]
    texts = page_texts(reader(root / "_site" / ISSUE_PDF))
    blanks = [n for n in range(1, len(texts) + 1) if not texts[n - 1].strip()]
    assert blanks and all(n + 1 in {a.first for a in articles} for n in blanks)  # blank pages, no running heads


def test_laying_out_pdfs_leaves_damaged_images_refused(tmp_path: Path) -> None:
    """WeasyPrint's import tells Pillow to accept truncated images, process-wide; a build
    (or a preview's next build) in the same process must still refuse them."""
    from PIL import ImageFile

    from brief.pdf import _load_weasyprint
    from conftest import errors_of, png

    _load_weasyprint()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    whole = png(1200, 900)
    root = pdf_site(tmp_path, extra={
        "pub/v1n1/03-brief-note.md": article("title: A Brief Note\nauthors: [ann-lee]", "![A chart](images/chart.png)\n"),
        "pub/v1n1/images/chart.png": whole[: len(whole) - 200],
    })
    with pytest.raises(Exception, match="chart.png"):
        build(options(root))
