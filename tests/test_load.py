"""The content contract, file by file: every content error as the editor reads it.

Each test writes a small inline site (see ``conftest.py``), builds it and
compares the whole list of printed diagnostics, ``path:line: message — hint``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from brief.errors import ContentError
from conftest import (
    ARTICLE,
    AUTHOR,
    ISSUE,
    ISSUE_DIR,
    PUBLICATION,
    SITE,
    article,
    articles,
    build_site,
    check_site,
    errors_of,
    make_site,
    png,
    snapshot,
)

A = "content/brief/v1n1/01-first-article.md"  # ARTICLE as diagnostics print it
FRONT = "title: First Article\nauthors: [jane-doe]\n"  # lines 2-3; extra keys start on line 4


def site_errors(tmp_path: Path, files: dict[str, str | bytes | None]) -> list[str]:
    return errors_of(make_site(tmp_path, files))


def with_front(extra: str, body: str = "Text.\n") -> dict[str, str | bytes | None]:
    """The default article with ``extra`` front-matter lines from line 4 on."""
    return {ARTICLE: article(FRONT + extra, body)}


# -- the default site --------------------------------------------------------------


def test_default_site_builds(built) -> None:  # type: ignore[no-untyped-def]
    assert built.articles == 1
    assert list(built.diagnostics) == []
    assert built.site is not None and list(built.site.articles) == ["brief/first-article/"]


def test_site_with_many_articles_keeps_file_order(tmp_path: Path) -> None:
    report = build_site(make_site(tmp_path, articles(3)))
    assert report.site is not None
    assert [a.title for a in report.site.articles.values()] == ["Article 1", "Article 2", "Article 3"]
    assert report.site.articles_by_issue[ISSUE_DIR] == (
        "brief/article-1/", "brief/article-2/", "brief/article-3/",
    )


# -- missing required keys --------------------------------------------------------


@pytest.mark.parametrize(
    "path, text, expected",
    [
        (ARTICLE, article("authors: [jane-doe]\n"),
         f"{A}:2: the article's front-matter is missing the required key 'title' — add 'title: ...'"),
        (ARTICLE, article("title: T\n"),
         f"{A}:2: the article's front-matter is missing the required key 'authors'"
         " — add 'authors: [author-id]' naming files in authors/"),
        (ISSUE, "number: 1\ndate: 2025-12-09\n",
         "content/brief/v1n1/issue.yaml:1: issue.yaml is missing the required key 'volume'"
         " — add 'volume: 1' (a whole number)"),
        (ISSUE, "volume: 1\ndate: 2025-12-09\n",
         "content/brief/v1n1/issue.yaml:1: issue.yaml is missing the required key 'number'"
         " — add 'number: 1' (a whole number)"),
        (ISSUE, "volume: 1\nnumber: 1\n",
         "content/brief/v1n1/issue.yaml:1: issue.yaml is missing the required key 'date' — add 'date: YYYY-MM-DD'"),
        (SITE, "base_url: https://brief.example.org/\n",
         "content/site.yaml:1: site.yaml is missing the required key 'title' — add 'title: ...'"),
        (SITE, "title: T\n",
         "content/site.yaml:1: site.yaml is missing the required key 'base_url'"
         " — add e.g. 'base_url: https://brief.example.org/'"),
        (AUTHOR, "---\naffiliation: Example Institute\n---\nBio.\n",
         "content/authors/jane-doe.md:2: the author's front-matter is missing the required key 'name'"
         " — add 'name: ...'"),
        (PUBLICATION, "description: D\n",
         "content/brief/publication.yaml:1: publication.yaml is missing the required key 'title'"
         " — add 'title: ...'"),
    ],
    ids=["title", "authors", "volume", "number", "date", "site-title", "base_url", "author-name", "pub-title"],
)
def test_rejects_missing_required_key(tmp_path: Path, path: str, text: str, expected: str) -> None:
    assert site_errors(tmp_path, {path: text}) == [expected]


def test_empty_value_of_a_required_key_is_reported_at_its_line(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: article("title: ''\nauthors: [jane-doe]\n")}) == [
        f"{A}:2: 'title' is empty — write a value after 'title:'"
    ]


def test_empty_front_matter_reports_both_required_keys(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: "---\n---\nText.\n"}) == [
        f"{A}:2: the article's front-matter is missing the required key 'authors'"
        " — add 'authors: [author-id]' naming files in authors/",
        f"{A}:2: the article's front-matter is missing the required key 'title' — add 'title: ...'",
    ]


def test_front_matter_that_is_not_a_mapping_is_one_error(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: "---\n- title\n- authors\n---\nText.\n"}) == [
        f"{A}:2: the article's front-matter must be a mapping of 'key: value' lines, not a list"
    ]


def test_issue_yaml_that_is_not_a_mapping_is_one_error(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ISSUE: "- 1\n- 2\n"}) == [
        "content/brief/v1n1/issue.yaml:1: issue.yaml must be a mapping of 'key: value' lines, not a list"
    ]


# -- unknown keys -------------------------------------------------------------------


def test_unknown_key_suggests_the_closest_one(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: article("titel: T\nauthors: [jane-doe]\n")}) == [
        f"{A}:2: the article's front-matter is missing the required key 'title' — add 'title: ...'",
        f"{A}:2: unknown key 'titel' in the article's front-matter — did you mean 'title'?",
    ]


@pytest.mark.parametrize(
    "files, expected",
    [
        (with_front("sumary:\n  - S\n"),
         f"{A}:4: unknown key 'sumary' in the article's front-matter — did you mean 'summary'?"),
        (with_front("topic: [a]\n"),
         f"{A}:4: unknown key 'topic' in the article's front-matter — did you mean 'topics'?"),
        (with_front("layout: wide\n"),
         f"{A}:4: unknown key 'layout' in the article's front-matter — expected one of: accept_warnings, aliases, authors, bios,"
         " citations, date, disclaimer, draft, image, notes, slug, summary, title, topics"),
        ({ISSUE: "volume: 1\nnumber: 1\ndate: 2025-12-09\nartciles: [a]\n"},
         "content/brief/v1n1/issue.yaml:4: unknown key 'artciles' in issue.yaml — did you mean 'articles'?"),
        ({PUBLICATION: "title: P\nisn: 1234-5678\n"},
         "content/brief/publication.yaml:2: unknown key 'isn' in publication.yaml — did you mean 'issn'?"),
        ({AUTHOR: "---\nname: Jane Doe\nemail: jane@example.org\n---\n"},
         "content/authors/jane-doe.md:3: unknown key 'email' in the author's front-matter"
         " — expected one of: affiliation, links, name, sort_as"),
        (with_front("image:\n  src: images/lead.png\n  alt: A\n  captoin: C\n"),
         f"{A}:7: unknown key 'captoin' in 'image' — did you mean 'caption'?"),
        ({ARTICLE: article("title: T\nauthors:\n  - {name: Guest, bio: B, email: g@example.org}\n")},
         f"{A}:4: unknown key 'email' in an inline author — expected one of: affiliation, bio, name, sort_as"),
        (with_front("citations:\n  r: {outlet: R, url: 'https://example.org/r', publisher: P}\n", "See [@r].\n"),
         f"{A}:5: unknown key 'publisher' in citation 'r' — expected one of: accessed, date, outlet, title, url"),
    ],
    ids=["summary", "topic", "no-close-match", "issue", "publication", "author", "image", "inline-author", "citation"],
)
def test_rejects_unknown_key(tmp_path: Path, files: dict[str, str | bytes | None], expected: str) -> None:
    files = {**files, f"{ISSUE_DIR}/images/lead.png": png()}
    assert site_errors(tmp_path, files) == [expected]


# -- wrong types --------------------------------------------------------------------


@pytest.mark.parametrize(
    "files, expected",
    [
        ({ARTICLE: article("title: T\nauthors: 3\n")},
         f"{A}:3: 'authors' must be a list of author ids — write 'authors: [jane-doe, john-roe]'"),
        ({ARTICLE: article("title: T\nauthors: {jane-doe: yes}\n")},
         f"{A}:3: 'authors' must be a list of author ids — write 'authors: [jane-doe, john-roe]'"),
        ({ARTICLE: article("title: T\nauthors: []\n")},
         f"{A}:3: 'authors' must be a list of author ids — write 'authors: [jane-doe, john-roe]'"),
        ({ARTICLE: article("title: T\nauthors:\n  - jane-doe\n  - [a, b]\n")},
         f"{A}:5: author 2 must be an author id or a mapping with 'name:'"),
        ({ISSUE: "volume: one\nnumber: 1\ndate: 2025-12-09\n"},
         "content/brief/v1n1/issue.yaml:1: 'volume' must be a whole number, not text — write e.g. 'volume: 3'"),
        ({ISSUE: "volume: '1'\nnumber: 1\ndate: 2025-12-09\n"},
         "content/brief/v1n1/issue.yaml:1: 'volume' must be a whole number, not text — write e.g. 'volume: 3'"),
        ({ISSUE: "volume: 1\nnumber: 1.5\ndate: 2025-12-09\n"},
         "content/brief/v1n1/issue.yaml:2: 'number' must be a whole number, not the number 1.5"
         " — write e.g. 'number: 3'"),
        ({ISSUE: "volume: 0\nnumber: 1\ndate: 2025-12-09\n"},
         "content/brief/v1n1/issue.yaml:1: 'volume' must be at least 1, not 0"),
        (with_front("draft: no\n"), f"{A}:4: 'draft' must be true or false, not text — write 'draft: true'"),
        (with_front("draft: 1\n"), f"{A}:4: 'draft' must be true or false, not the number 1 — write 'draft: true'"),
        ({ARTICLE: article("title: [a, b]\nauthors: [jane-doe]\n")},
         f"{A}:2: 'title' must be text, not a list — write it on one line, in quotes"),
        (with_front("topics: Navy\n"),
         f"{A}:4: 'topics' must be a list, not text — write 'topics: [a, b]' or one '- item' per line"),
        (with_front("summary: {a: b}\n"),
         f"{A}:4: 'summary' must be a list, not a mapping — write 'summary: [a, b]' or one '- item' per line"),
        (with_front("notes: [a, b]\n"), f"{A}:4: 'notes' must be a mapping of 'name: value' lines, not a list"),
        (with_front("image: images/lead.png\n"), f"{A}:4: 'image' must be a mapping of 'name: value' lines, not text"),
        (with_front("bios:\n  jane-doe: [a]\n"), f"{A}:5: the bio of 'jane-doe' must be text"),
    ],
    ids=[
        "authors-number", "authors-mapping", "authors-empty", "author-item-list", "volume-text",
        "volume-quoted", "number-float", "volume-zero", "draft-no", "draft-number", "title-list",
        "topics-text", "summary-mapping", "notes-list", "image-text", "bio-list",
    ],
)
def test_rejects_wrong_type(tmp_path: Path, files: dict[str, str | bytes | None], expected: str) -> None:
    assert site_errors(tmp_path, files) == [expected]


def test_a_single_author_id_may_be_written_without_a_list(tmp_path: Path) -> None:
    report = build_site(make_site(tmp_path, {ARTICLE: article("title: T\nauthors: jane-doe\n")}))
    assert report.site is not None
    assert [a.name for a in report.site.articles["brief/first-article/"].authors] == ["Jane Doe"]


# -- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files, expected",
    [
        ({ISSUE: "volume: 1\nnumber: 1\ndate: December 9, 2025\n"},
         "content/brief/v1n1/issue.yaml:3: 'date' must be a date written YYYY-MM-DD, not 'December 9, 2025'"
         " — e.g. 2025-12-09"),
        ({ISSUE: "volume: 1\nnumber: 1\ndate: 2025-02-29\n"},
         "content/brief/v1n1/issue.yaml:3: YAML error: '2025-02-29' is not a real date (day is out of range"
         " for month) — check the month and the day"),
        (with_front("date: 09/12/2025\n"),
         f"{A}:4: 'date' must be a date written YYYY-MM-DD, not '09/12/2025' — e.g. 2025-12-09"),
        (with_front("date: 2025-04-31\n"),
         f"{A}:4: YAML error: '2025-04-31' is not a real date (day is out of range for month)"
         " — check the month and the day"),
    ],
    ids=["issue-prose", "issue-impossible", "article-slashes", "article-impossible"],
)
def test_rejects_bad_date(tmp_path: Path, files: dict[str, str | bytes | None], expected: str) -> None:
    assert site_errors(tmp_path, files) == [expected]


def test_article_date_defaults_to_the_issue_date(tmp_path: Path) -> None:
    files = {**articles(2), f"{ISSUE_DIR}/02-article-2.md": article("title: B\nauthors: [jane-doe]\ndate: 2025-12-11\n")}
    report = build_site(make_site(tmp_path, files))
    assert report.site is not None
    dates = {url: a.date.isoformat() for url, a in report.site.articles.items()}
    assert dates == {"brief/article-1/": "2025-12-09", "brief/article-2/": "2025-12-11"}


# -- authors ------------------------------------------------------------------------------


def test_rejects_unknown_author_with_a_suggestion(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: article("title: T\nauthors:\n  - jane-doe\n  - jane-do\n")}) == [
        f"{A}:5: unknown author 'jane-do' — did you mean 'jane-doe'?"
    ]


def test_unknown_author_without_authors_folder_says_how_to_add_one(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {AUTHOR: None}) == [
        f"{A}:3: unknown author 'jane-doe'"
        " — create authors/jane-doe.md, or write the author inline as {name: ..., bio: ...}"
    ]


def test_rejects_author_listed_twice(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: article("title: T\nauthors: [jane-doe, jane-doe]\n")}) == [
        f"{A}:3: author 'jane-doe' is listed twice — remove one of them"
    ]


def test_rejects_author_file_name_that_cannot_be_an_id(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {"content/authors/Jane Smith.md": "---\nname: Jane Smith\n---\n"}) == [
        "content/authors/Jane Smith.md: 'Jane Smith' cannot be an author id"
        " — name the file with letters, digits and hyphens, e.g. jane-doe.md"
    ]


def test_rejects_author_link_that_is_not_a_url(tmp_path: Path) -> None:
    author = "---\nname: Jane Doe\nlinks:\n  web: example.org/jane\n---\n"
    assert site_errors(tmp_path, {AUTHOR: author}) == [
        "content/authors/jane-doe.md:4: 'web' is not an http(s) URL: 'example.org/jane'"
        " — write the full address, starting https://"
    ]


def test_inline_one_off_author_is_credited_without_an_author_page(tmp_path: Path) -> None:
    front = "title: T\nauthors:\n  - jane-doe\n  - {name: Guest Writer, bio: A guest *contributor*., affiliation: Elsewhere}\n"
    project = make_site(tmp_path, {ARTICLE: article(front)})
    report = build_site(project)
    assert report.site is not None
    authors = report.site.articles["brief/first-article/"].authors
    assert [(a.name, a.has_page) for a in authors] == [("Jane Doe", True), ("Guest Writer", False)]
    page = (project / "_site/brief/first-article/index.html").read_text(encoding="utf-8")
    assert '<span class="author">Guest Writer</span>' in page
    assert "<p>A guest <em>contributor</em>.</p>" in page
    assert sorted(p.name for p in (project / "_site/authors").iterdir()) == ["index.html", "jane-doe"]


def test_inline_author_needs_a_name(tmp_path: Path) -> None:
    assert site_errors(tmp_path, {ARTICLE: article("title: T\nauthors:\n  - {bio: A guest.}\n")}) == [
        f"{A}:4: an inline author is missing the required key 'name' — add 'name: ...'"
    ]


def test_rejects_bio_for_someone_who_is_not_an_author(tmp_path: Path) -> None:
    assert site_errors(tmp_path, with_front("bios:\n  jane-do: Jane's bio for this article.\n")) == [
        f"{A}:5: 'bios' names 'jane-do', who is not an author of this article — did you mean 'jane-doe'?"
    ]


def test_bio_override_replaces_the_default_bio_on_the_article(tmp_path: Path) -> None:
    project = make_site(tmp_path, with_front("bios:\n  jane-doe: Jane Doe was a visiting fellow then.\n"))
    build_site(project)
    page = (project / "_site/brief/first-article/index.html").read_text(encoding="utf-8")
    assert "Jane Doe was a visiting fellow then." in page
    assert "Jane Doe writes about tests." not in page


# -- images -------------------------------------------------------------------------------


def lead(src: str, alt: str | None = "A red square") -> dict[str, str | bytes | None]:
    extra = f"image:\n  src: {src}\n" + (f"  alt: {alt}\n" if alt is not None else "")
    return {**with_front(extra), f"{ISSUE_DIR}/images/lead.png": png()}


def test_lead_image_is_published(tmp_path: Path) -> None:
    project = make_site(tmp_path, lead("images/lead.png"))
    build_site(project)
    page_dir = project / "_site/brief/first-article"
    soup = BeautifulSoup((page_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    images = soup.find_all("img", alt="A red square")
    assert len(images) == 1
    assert (page_dir / images[0]["src"]).resolve().is_file()


@pytest.mark.parametrize(
    "src, expected",
    [
        ("images/laed.png", f"{A}:5: the file 'images/laed.png' does not exist — did you mean 'images/lead.png'?"),
        ("/images/lead.png",
         f"{A}:5: '/images/lead.png' is an absolute path — write the path relative to the article, e.g. images/photo.jpg"),
        ("https://example.org/lead.png",
         f"{A}:5: 'https://example.org/lead.png' is not a file in the content folder — pages may not load files"
         " from other sites; save the file beside the article and use a relative path"),
        ("../../../secret.png",
         f"{A}:5: '../../../secret.png' points outside the content folder"
         " — keep files inside the content folder and refer to them by a relative path"),
    ],
    ids=["typo", "absolute", "url", "outside"],
)
def test_rejects_unusable_lead_image(tmp_path: Path, src: str, expected: str) -> None:
    assert site_errors(tmp_path, {**lead(src), "secret.png": png()}) == [expected]


def test_rejects_missing_lead_image_when_no_image_is_near(tmp_path: Path) -> None:
    assert site_errors(tmp_path, with_front("image:\n  src: images/missing.png\n  alt: A red square\n")) == [
        f"{A}:5: the file 'images/missing.png' does not exist — check the path, relative to the article's folder"
    ]


def test_rejects_lead_image_without_alt(tmp_path: Path) -> None:
    assert site_errors(tmp_path, lead("images/lead.png", alt=None)) == [
        f"{A}:5: the lead image has no alt text — add 'alt:' describing the image for readers who cannot see it"
    ]


def test_rejects_lead_image_with_empty_alt_at_the_alt_line(tmp_path: Path) -> None:
    assert site_errors(tmp_path, lead("images/lead.png", alt="''")) == [
        f"{A}:6: the lead image has no alt text — add 'alt:' describing the image for readers who cannot see it"
    ]


def test_rejects_lead_image_without_src(tmp_path: Path) -> None:
    assert site_errors(tmp_path, with_front("image:\n  alt: A red square\n")) == [
        f"{A}:5: 'image' is missing the required key 'src' — add 'src: ...'"
    ]


def test_rejects_missing_body_image_at_its_line(tmp_path: Path) -> None:
    body = "First paragraph.\n\n![A chart](images/chart.png)\n"
    assert site_errors(tmp_path, with_front("", body)) == [
        f"{A}:8: the file 'images/chart.png' does not exist — check the path, relative to the article's folder"
    ]


# -- slugs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "file_name, url",
    [
        ("01-first-article.md", "brief/first-article/"),
        ("7_seven.md", "brief/seven/"),
        ("2025-review.md", "brief/review/"),
        ("Why Dates Matter.md", "brief/why-dates-matter/"),
        ("no-prefix.md", "brief/no-prefix/"),
    ],
)
def test_slug_defaults_to_file_name_without_order_prefix(tmp_path: Path, file_name: str, url: str) -> None:
    project = make_site(tmp_path, {ARTICLE: None, f"{ISSUE_DIR}/{file_name}": article()})
    report = build_site(project)
    assert report.site is not None and list(report.site.articles) == [url]
    assert (project / "_site" / url / "index.html").is_file()


def test_slug_from_front_matter_wins(tmp_path: Path) -> None:
    project = make_site(tmp_path, with_front("slug: chosen-slug\n"))
    report = build_site(project)
    assert report.site is not None and list(report.site.articles) == ["brief/chosen-slug/"]


def test_rejects_two_articles_with_the_same_default_slug(tmp_path: Path) -> None:
    files = {f"{ISSUE_DIR}/02-first-article.md": article("title: Second\nauthors: [jane-doe]\n")}
    assert site_errors(tmp_path, files) == [
        "content/brief/v1n1/02-first-article.md:1: two articles have the slug 'first-article'"
        f" (the other is {A}) — set a different 'slug:' in one of them"
    ]


def test_rejects_two_articles_with_the_same_slug_in_different_issues(tmp_path: Path) -> None:
    files = {
        "content/brief/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2025-12-23\n",
        "content/brief/v1n2/01-other.md": article("title: Other\nauthors: [jane-doe]\nslug: first-article\n"),
    }
    assert site_errors(tmp_path, files) == [
        "content/brief/v1n2/01-other.md:4: two articles have the slug 'first-article'"
        f" (the other is {A}) — set a different 'slug:' in one of them"
    ]


@pytest.mark.parametrize(
    "slug, expected",
    [
        ("Bad Slug", f"{A}:4: 'Bad Slug' cannot be a slug — use lowercase letters, digits and hyphens, e.g. winter-training"),
        ("authors", f"{A}:4: the slug 'authors' is reserved for the site's own pages — set another 'slug:'"),
        ("volume-2", f"{A}:4: the slug 'volume-2' is reserved for the site's own pages — set another 'slug:'"),
    ],
)
def test_rejects_unusable_slug(tmp_path: Path, slug: str, expected: str) -> None:
    assert site_errors(tmp_path, with_front(f"slug: {slug}\n")) == [expected]


# -- issues and publications ---------------------------------------------------------


def test_issue_articles_list_sets_the_order(tmp_path: Path) -> None:
    files = {**articles(3), ISSUE: "volume: 1\nnumber: 1\ndate: 2025-12-09\narticles:\n"
             "  - 03-article-3\n  - 01-article-1.md\n  - 02-article-2\n"}
    report = build_site(make_site(tmp_path, files))
    assert report.site is not None
    assert report.site.articles_by_issue[ISSUE_DIR] == ("brief/article-3/", "brief/article-1/", "brief/article-2/")


def test_rejects_issue_listing_a_missing_file(tmp_path: Path) -> None:
    issue = "volume: 1\nnumber: 1\ndate: 2025-12-09\narticles:\n  - 01-first-article\n  - 02-frist\n"
    files = {ISSUE: issue, f"{ISSUE_DIR}/02-first.md": article("title: B\nauthors: [jane-doe]\n")}
    assert site_errors(tmp_path, files) == [
        "content/brief/v1n1/issue.yaml:4: 02-first.md is in the issue folder but not in 'articles'"
        " — add it to the list, or set 'draft: true' in it and list it anyway",
        "content/brief/v1n1/issue.yaml:6: the issue lists '02-frist' but the folder has no 02-frist.md"
        " — did you mean '02-first.md'?",
    ]


def test_rejects_issue_listing_a_file_in_an_empty_folder(tmp_path: Path) -> None:
    issue = "volume: 1\nnumber: 1\ndate: 2025-12-09\narticles: [lost]\n"
    assert site_errors(tmp_path, {ISSUE: issue, ARTICLE: None}) == [
        "content/brief/v1n1/issue.yaml:4: the issue lists 'lost' but the folder has no lost.md — check the file name"
    ]


def test_rejects_file_in_the_issue_folder_not_listed(tmp_path: Path) -> None:
    issue = "volume: 1\nnumber: 1\ndate: 2025-12-09\narticles:\n  - 01-first-article\n"
    files = {ISSUE: issue, f"{ISSUE_DIR}/02-second.md": article("title: B\nauthors: [jane-doe]\n")}
    assert site_errors(tmp_path, files) == [
        "content/brief/v1n1/issue.yaml:4: 02-second.md is in the issue folder but not in 'articles'"
        " — add it to the list, or set 'draft: true' in it and list it anyway"
    ]


def test_rejects_article_listed_twice(tmp_path: Path) -> None:
    issue = "volume: 1\nnumber: 1\ndate: 2025-12-09\narticles: [01-first-article, 01-first-article.md]\n"
    assert site_errors(tmp_path, {ISSUE: issue}) == [
        "content/brief/v1n1/issue.yaml:4: '01-first-article.md' is listed twice — remove one of them"
    ]


def test_rejects_duplicate_volume_and_number(tmp_path: Path) -> None:
    files = {
        "content/brief/v1n2/issue.yaml": "volume: 1\nnumber: 1\ndate: 2025-12-23\n",
        "content/brief/v1n2/01-second.md": article("title: B\nauthors: [jane-doe]\n"),
    }
    assert site_errors(tmp_path, files) == [
        "content/brief/v1n2/issue.yaml:2: volume 1 issue 1 is also content/brief/v1n1/issue.yaml"
        " — correct the volume or issue number"
    ]


def test_same_volume_and_number_in_two_publications_is_fine(tmp_path: Path) -> None:
    files = {
        "content/other/publication.yaml": "title: Other Brief\n",
        "content/other/v1n1/issue.yaml": "volume: 1\nnumber: 1\ndate: 2025-12-09\n",
        "content/other/v1n1/01-elsewhere.md": article("title: B\nauthors: [jane-doe]\n"),
    }
    report = build_site(make_site(tmp_path, files))
    assert report.site is not None
    assert sorted(report.site.articles) == ["brief/first-article/", "other/elsewhere/"]


def test_rejects_articles_outside_an_issue(tmp_path: Path) -> None:
    files = {
        "content/brief/loose.md": article(),
        "content/brief/v1n2/01-orphan.md": article("title: O\nauthors: [jane-doe]\n"),
    }
    assert site_errors(tmp_path, files) == [
        "content/brief/loose.md: an article must be inside an issue folder — move it into the folder of its issue",
        "content/brief/v1n2: this folder holds articles but no issue.yaml — add issue.yaml with volume, number and date",
    ]


def test_rejects_issues_outside_a_publication(tmp_path: Path) -> None:
    files = {"content/other/v1n1/issue.yaml": "volume: 1\nnumber: 1\ndate: 2025-12-09\n"}
    assert site_errors(tmp_path, files) == [
        "content/other: this folder holds issues but no publication.yaml — add publication.yaml with at least 'title:'"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title: P\nissn: 12345678\n", "content/brief/publication.yaml:2: '12345678' is not an ISSN — write it as 1234-567X"),
        ("title: P\nslug: topics\n",
         "content/brief/publication.yaml:2: 'topics' cannot be the publication's slug — use lowercase letters,"
         " digits and hyphens, not a reserved name (authors, topics, static)"),
    ],
)
def test_rejects_bad_publication_value(tmp_path: Path, text: str, expected: str) -> None:
    assert site_errors(tmp_path, {PUBLICATION: text}) == [expected]


# -- drafts ---------------------------------------------------------------------------------


def test_drafts_are_left_out_of_the_output(tmp_path: Path) -> None:
    draft = article("title: Secret Draft\nauthors: [jane-doe]\ndraft: true\n", "Not ready.\n")
    project = make_site(tmp_path, {f"{ISSUE_DIR}/02-secret-draft.md": draft})
    report = build_site(project)
    assert report.articles == 1
    assert report.site is not None and list(report.site.articles) == ["brief/first-article/"]
    assert not (project / "_site/brief/secret-draft").exists()
    for page in (project / "_site").rglob("*"):
        if page.is_file():
            text = page.read_bytes()
            assert b"Secret Draft" not in text and b"secret-draft" not in text, page


def test_draft_false_is_published(tmp_path: Path) -> None:
    report = build_site(make_site(tmp_path, with_front("draft: false\n")))
    assert report.articles == 1


# -- errors of the Markdown stage, at the whole-build level ---------------------------


def test_rejects_unknown_citation_key_with_a_suggestion(tmp_path: Path) -> None:
    extra = "citations:\n  reuters-dec10: {outlet: Reuters, url: 'https://example.org/r', date: 2025-12-01}\n"
    body = "First paragraph.\n\nReporting varied [@reuters-dec01].\n"
    assert site_errors(tmp_path, with_front(extra, body)) == [
        f"{A}:5: warning [unused-citation]: citation 'reuters-dec10' is never cited — cite it in the text as [@reuters-dec10] or remove it",
        f"{A}:10: unknown citation '[@reuters-dec01]' — did you mean 'reuters-dec10'?",
    ]


def test_rejects_citation_key_without_citations(tmp_path: Path) -> None:
    assert site_errors(tmp_path, with_front("", "Line one\nline two cites [@nowhere].\n")) == [
        f"{A}:7: unknown citation '[@nowhere]' — add it under 'citations:' in the front-matter"
    ]


def test_rejects_citation_without_url(tmp_path: Path) -> None:
    assert site_errors(tmp_path, with_front("citations:\n  r: {outlet: R}\n", "See [@r].\n")) == [
        f"{A}:5: citation 'r' is missing the required key 'url' — add 'url: ...'"
    ]


def test_rejects_undefined_note(tmp_path: Path) -> None:
    body = "Para.\n\nA claim.[^1] Another.[^2]\n\n[^1]: The source.\n"
    assert site_errors(tmp_path, with_front("", body)) == [
        f"{A}:8: note [^2] is referred to but never defined"
        " — add '2: ...' under 'notes:' in the front-matter, or a line '[^2]: ...' in the body"
    ]


def test_rejects_unused_front_matter_note(tmp_path: Path) -> None:
    extra = "notes:\n  1: Used.\n  spare: Never used.\n"
    assert site_errors(tmp_path, with_front(extra, "A claim.[^1]\n")) == [
        f"{A}:6: note 'spare' is never referred to — add [^spare] where it belongs in the text, or remove the note"
    ]


def test_rejects_note_defined_in_front_matter_and_body(tmp_path: Path) -> None:
    body = "A claim.[^1]\n\n[^1]: Body definition.\n"
    assert site_errors(tmp_path, with_front("notes:\n  1: Front definition.\n", body)) == [
        f"{A}:10: note '1' is defined twice (first on line 5) — give each note its own label, or remove one definition"
    ]


def test_rejects_note_defined_twice_in_the_body(tmp_path: Path) -> None:
    body = "A claim.[^a]\n\n[^a]: One.\n\n[^a]: Two.\n"
    assert site_errors(tmp_path, with_front("", body)) == [
        f"{A}:10: note 'a' is defined twice (first on line 8) — give each note its own label, or remove one definition"
    ]


def test_note_labels_are_the_text_as_typed(tmp_path: Path) -> None:
    # '01' and '1' are different labels; YAML must not read 01 as the number 1.
    extra = "notes:\n  01: Zero-one.\n  1: One.\n"
    report = build_site(make_site(tmp_path, with_front(extra, "First.[^01] Second.[^1]\n")))
    assert report.site is not None
    notes = report.content_of("brief/first-article/").notes
    assert [(n.number, n.label) for n in notes] == [(1, "01"), (2, "1")]


# -- all errors at once; nothing written ---------------------------------------------


def test_reports_every_error_of_every_file_at_once(tmp_path: Path) -> None:
    files = {
        SITE: "title: T\nbase_url: brief.example.org\n",
        AUTHOR: "---\nname: Jane Doe\nemail: j@example.org\n---\n",
        ISSUE: "volume: 1\nnumber: one\ndate: 2025-12-09\n",
        ARTICLE: article("titel: T\nauthors: [jane-doe]\n"),
        f"{ISSUE_DIR}/02-b.md": "no front-matter here\n",
        f"{ISSUE_DIR}/03-c.md": article("title: C\nauthors: [nobody]\ndraft: no\n"),
    }
    assert site_errors(tmp_path, files) == [
        "content/authors/jane-doe.md:3: unknown key 'email' in the author's front-matter"
        " — expected one of: affiliation, links, name, sort_as",
        f"{A}:2: the article's front-matter is missing the required key 'title' — add 'title: ...'",
        f"{A}:2: unknown key 'titel' in the article's front-matter — did you mean 'title'?",
        "content/brief/v1n1/02-b.md:1: the file does not start with front-matter"
        " — begin the file with a line '---', the YAML keys (title, authors, ...), then another '---'",
        "content/brief/v1n1/03-c.md:3: unknown author 'nobody' — create authors/nobody.md, or write the author inline as {name: ..., bio: ...}",
        "content/brief/v1n1/03-c.md:4: 'draft' must be true or false, not text — write 'draft: true'",
        "content/brief/v1n1/issue.yaml:2: 'number' must be a whole number, not text — write e.g. 'number: 3'",
        "content/site.yaml:2: 'base_url' must be an absolute http(s) URL, not 'brief.example.org'"
        " — write e.g. https://brief.example.org/",
    ]


def test_yaml_error_in_publication_still_checks_its_issues(tmp_path: Path) -> None:
    files = {PUBLICATION: "title: [\n", ARTICLE: article("title: T\nauthors: [nobody]\n")}
    assert site_errors(tmp_path, files) == [
        "content/brief/publication.yaml:2: YAML error: did not find expected node content"
        " — check the quoting and indentation of this line",
        f"{A}:3: unknown author 'nobody' — create authors/nobody.md, or write the author inline as {{name: ..., bio: ...}}",
    ]


def test_empty_publication_yaml_is_reported_even_with_other_errors(tmp_path: Path) -> None:
    files = {SITE: "title: T\nbase_url: https://brief.example.org/\ntheme: dark\n", PUBLICATION: ""}
    assert site_errors(tmp_path, files) == [
        "content/brief/publication.yaml:1: publication.yaml is missing the required key 'title' — add 'title: ...'",
        "content/site.yaml:3: unknown key 'theme' in site.yaml"
        " — expected one of: base_url, contents_list, description, feeds, image_credit, images, language, pdf, pdf_recto, publisher, raw_html, related_articles, search, serial_comma, time_zone, title",
    ]


def test_unusable_issue_still_checks_its_articles(tmp_path: Path) -> None:
    files = {ISSUE: "volume: 1\nnumber: 1\n", ARTICLE: article("title: T\nauthors: [nobody]\n")}
    assert site_errors(tmp_path, files) == [
        f"{A}:3: unknown author 'nobody' — create authors/nobody.md, or write the author inline as {{name: ..., bio: ...}}",
        "content/brief/v1n1/issue.yaml:1: issue.yaml is missing the required key 'date' — add 'date: YYYY-MM-DD'",
    ]


def test_failing_build_creates_no_output_folder(tmp_path: Path) -> None:
    project = make_site(tmp_path, {ARTICLE: article("title: T\nauthors: [nobody]\n")})
    before = sorted(p.name for p in project.iterdir())
    with pytest.raises(ContentError):
        build_site(project)
    assert not (project / "_site").exists()
    # Nothing is published; only the build cache (rendered Markdown) may appear beside the content.
    assert sorted(p.name for p in project.iterdir() if p.name != ".brief-cache") == before


def test_failing_build_leaves_the_previous_output_byte_identical(tmp_path: Path) -> None:
    project = make_site(tmp_path)
    build_site(project)
    published = snapshot(project / "_site")
    assert "brief/first-article/index.html" in published
    make_site(project, {ARTICLE: article("title: Changed\nauthors: [nobody]\n")})
    with pytest.raises(ContentError):
        build_site(project)
    assert snapshot(project / "_site") == published
    leftovers = [p.name for p in project.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_check_runs_every_stage_and_writes_nothing(tmp_path: Path) -> None:
    project = make_site(tmp_path)
    report = check_site(project)
    assert report.articles == 1
    assert [o.path for o in report.outputs if o.path.endswith("first-article/index.html")] == [
        "brief/first-article/index.html"
    ]
    assert not (project / "_site").exists()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Taiwan Strait", "taiwan-strait"),
        ("Taiwan 台湾", "taiwan"),  # Latin letters make the slug: existing addresses stay
        ("解放军", "jiefangjun"),
        ("解放軍", "jiefangjun"),  # traditional characters read the same
        ("海警 法", "haijing-fa"),
        ("台湾2024年", "taiwan-2024-nian"),
        ("綠島", "lvdao"),
        ("2024", "2024"),
        ("Покров", ""),  # neither Latin letters nor Chinese characters: the caller decides
    ],
)
def test_slugify_spells_chinese_in_pinyin(text: str, slug: str) -> None:
    from brief.load import slugify

    assert slugify(text) == slug


# -- messages that know the fix ------------------------------------------------------------------


def test_an_issue_listing_an_article_moved_to_another_issue_says_where_it_went(tmp_path: Path) -> None:
    files = {
        ISSUE: "volume: 1\nnumber: 1\ndate: 2025-12-09\narticles: [01-first-article, 02-moved]\n",
        "content/brief/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2025-12-23\n",
        "content/brief/v1n2/02-moved.md": article("title: Moved\nauthors: [jane-doe]\n"),
    }
    assert site_errors(tmp_path, files) == [
        "content/brief/v1n1/issue.yaml:4: the issue lists '02-moved', but 02-moved.md is now in another issue's folder,"
        " content/brief/v1n2/ — remove it from this issue's 'articles' list"
    ]


def test_bio_for_someone_who_is_not_an_author_says_how_to_fix_it(tmp_path: Path) -> None:
    assert site_errors(tmp_path, with_front("bios:\n  omar-haddad: A guest's bio.\n")) == [
        f"{A}:5: 'bios' names 'omar-haddad', who is not an author of this article — add 'omar-haddad' to 'authors',"
        " or remove the bio: 'bios' changes the bios of the article's own authors only"
    ]


def test_quoted_dates_are_dates(tmp_path: Path) -> None:
    """`date: "2026-01-14"` is the same date as `date: 2026-01-14`, in an issue and in an article."""
    files = {
        ISSUE: 'volume: 1\nnumber: 1\ndate: "2025-12-09"\n',
        ARTICLE: article('title: First Article\nauthors: [jane-doe]\ndate: "2025-12-08"\n'),
    }
    report = check_site(make_site(tmp_path, files))
    assert report.diagnostics.items == []
    (issue,) = report.site.issues.values()
    (only,) = report.site.articles.values()
    assert (str(issue.date), str(only.date)) == ("2025-12-09", "2025-12-08")


def test_loaded_articles_hold_no_text_and_the_markdown_stage_reads_it_again(tmp_path: Path) -> None:
    """The build's process never holds the archive's text: each article's body is read again
    where its Markdown is parsed, from the same bytes that were loaded (or not at all)."""
    import hashlib

    from brief.cache import SourceCache
    from brief.errors import Diagnostics
    from brief.load import load_content, read_body
    from brief.sources import SourceError, read_text, split_front_matter
    from sites import write_site

    write_site(tmp_path)
    content = tmp_path / "content"
    loaded = load_content(content, tmp_path, Diagnostics(), SourceCache.open(tmp_path / ".brief-cache/build"))
    assert loaded.articles and all(source.body == "" for source in loaded.articles)
    for source in loaded.articles:
        path, digest = loaded.body_file(source)
        assert digest == hashlib.sha256(Path(path).read_bytes()).hexdigest()
        expected = split_front_matter(read_text(Path(path), source.path), source.path).body
        assert read_body(path, digest, source.path) == expected and expected.strip()
    source = loaded.articles[0]
    path, digest = loaded.body_file(source)
    Path(path).write_text(Path(path).read_text(encoding="utf-8") + "\nEdited meanwhile.\n", encoding="utf-8")
    with pytest.raises(SourceError, match="changed while the site was being built"):
        read_body(path, digest, source.path)
