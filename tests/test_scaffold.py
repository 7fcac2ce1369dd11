"""`brief init` and `brief new issue|article|author`: what they write, and that it builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from brief import scaffold
from brief.errors import UsageError
from brief.scaffold import RECIPES, Scaffold, add_to_article_list, author_id_for
from brief.sources import parse_yaml, split_front_matter
from conftest import snapshot
from test_cli import Run, brief  # noqa: F401  (brief is the fixture that runs the command line)
from sites import write_file, write_site

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _one_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands see the day the expectations were written with, even when a run crosses midnight."""
    monkeypatch.setattr(scaffold, "local_today", lambda: TODAY)


def front(path: Path) -> dict:  # type: ignore[type-arg]
    return dict(split_front_matter(path.read_text(encoding="utf-8"), path.name).front_matter)


# -- brief init ---------------------------------------------------------------------------------


def test_init_writes_a_site_that_builds_at_once(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    result = brief("init", "site", "--title", "Strait Watch")
    assert result.code == 0, result.err
    site = tmp_path / "site"
    issue = f"{TODAY:%Y-%m}-vol1-no1"
    expected = [
        ".gitignore", ".github/workflows/publish.yml", "content/site.yaml", "content/authors/jane-doe.md",
        "content/strait-watch/publication.yaml", f"content/strait-watch/{issue}/issue.yaml",
        f"content/strait-watch/{issue}/how-an-article-is-written.md",
        f"content/strait-watch/{issue}/images/articles-per-issue.svg",
    ]
    assert sorted(snapshot(site)) == sorted(expected)
    assert [line.removeprefix("wrote ") for line in result.out.splitlines()[:-1]] == [f"site/{p}" for p in expected]
    assert result.out.splitlines()[-1] == "brief: the new site is ready; build it with: cd site && brief build"
    assert (site / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == ["_site/", ".brief-cache/"]
    assert (site / ".github/workflows/publish.yml").read_bytes() == (RECIPES / "github-pages.yml").read_bytes()
    assert parse_yaml((site / f"content/strait-watch/{issue}/issue.yaml").read_text(encoding="utf-8"), "issue.yaml")["date"] == TODAY

    built = brief("build", "--strict", "--content", "site/content", "--out", "site/_site")
    assert built.code == 0, built.err
    assert built.err == ""
    page = BeautifulSoup((site / "_site/strait-watch/how-an-article-is-written/index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.h1.get_text(strip=True) == "How an Article Is Written"
    captions = [f.figcaption.get_text(" ", strip=True) for f in page.find_all("figure") if f.figcaption]
    assert captions[:2] == ["Table 1: How the parts of an article are written", "Figure 1: Articles in each issue"]
    assert page.find(attrs={"role": "doc-noteref"}) is not None
    assert page.find(attrs={"role": "doc-endnotes"}) is not None
    sources = page.find(attrs={"role": "doc-bibliography"})
    assert [a["href"] for a in sources.find_all("a")][:2] == ["https://example.org/news/0112", "https://example.org/review/2018"]


def test_init_in_the_current_folder(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".git").mkdir()  # a fresh repository counts as empty
    result = brief("init")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "brief: the new site is ready; build it with: brief build"
    assert brief("check", "--strict").code == 0


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_file(tmp_path / "site/notes.txt", "mine\n")
    before = snapshot(tmp_path)
    result = brief("init", "site")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"brief: {tmp_path / 'site'} is not empty (notes.txt); brief init starts a site in an empty folder "
        "(use --force to add the missing files beside what is there, never overwriting one)\n"
    )
    assert snapshot(tmp_path) == before


def test_init_force_never_overwrites_a_file(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_file(tmp_path / "site/.gitignore", "node_modules/\n")
    write_file(tmp_path / "site/content/site.yaml", "title: Mine\nbase_url: https://mine.example.org/\n")
    result = brief("init", "site", "--force")
    assert result.code == 0, result.err
    assert "kept site/.gitignore (it exists already)" in result.out.splitlines()
    assert "kept site/content/site.yaml (it exists already)" in result.out.splitlines()
    assert (tmp_path / "site/.gitignore").read_text(encoding="utf-8") == "node_modules/\n"
    assert (tmp_path / "site/content/site.yaml").read_text(encoding="utf-8") == "title: Mine\nbase_url: https://mine.example.org/\n"
    assert (tmp_path / "site/content/authors/jane-doe.md").is_file()


def test_a_command_whose_file_would_not_load_takes_it_back(tmp_path: Path, brief, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    monkeypatch.setattr(scaffold, "ARTICLE", scaffold.Template("---\ntitle: $title\nauthors: [$authors]\nsumary: x\n---\n\nText.\n"))
    before = snapshot(tmp_path / "content")
    result = brief("new", "article", "Broken", "--authors", "ann-lee")
    assert result.code == 1
    assert result.err.splitlines() == [
        "content/pub/v1n1/broken.md:4: unknown key 'sumary' in the article's front-matter — did you mean 'summary'?",
        "brief: nothing was written: fix the problems above and run the command again",
    ]
    assert snapshot(tmp_path / "content") == before


# -- brief new author ---------------------------------------------------------------------------


def test_new_author_writes_a_file_that_loads(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    result = brief("new", "author", "omar-haddad", "--name", "Omar Haddad", "--affiliation", "Gulf Desk")
    assert result == Run(0, "wrote content/authors/omar-haddad.md\n", "")
    written = tmp_path / "content/authors/omar-haddad.md"
    assert front(written) == {"name": "Omar Haddad", "affiliation": "Gulf Desk"}
    assert brief("check", "--strict").code == 0


def test_new_author_from_a_chinese_name_gets_a_pinyin_id(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    result = brief("new", "author", "--name", "林嘉慧")
    assert result == Run(0, "wrote content/authors/lin-jiahui.md\n", "")
    assert front(tmp_path / "content/authors/lin-jiahui.md")["name"] == "林嘉慧"
    refused = brief("new", "author", "王芳")
    assert refused.code == 2
    assert refused.err == (
        "brief: '王芳' cannot be an author id: use lowercase letters, digits and hyphens "
        "(for example: brief new author wang-fang --name \"王芳\")\n"
    )


def test_author_ids_from_names() -> None:
    assert author_id_for("林嘉慧") == "lin-jiahui"
    assert author_id_for("歐陽明") == "ou-yangming"  # a two-character family name is not told apart
    assert author_id_for("Jane Q. Doe") == "jane-q-doe"
    assert author_id_for("Zoë Ní Bhriain") == "zoe-ni-bhriain"


def test_new_author_never_overwrites(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    before = snapshot(tmp_path)
    result = brief("new", "author", "ann-lee")
    assert result == Run(2, "", "brief: content/authors/ann-lee.md already exists; an author is written once (edit that file)\n")
    assert snapshot(tmp_path) == before


# -- brief new issue ----------------------------------------------------------------------------


def publication_site(tmp_path: Path, settings: str = "", issues: dict[str, str] | None = None) -> Path:
    files: dict[str, str | bytes | None] = {"pub/publication.yaml": f"title: Test Publication\n{settings}", "pub/v1n1/issue.yaml": None, "pub/v1n1/article.md": None}
    for folder, text in (issues or {}).items():
        files[f"pub/{folder}/issue.yaml"] = text
    return write_site(tmp_path, files)


def issue_yaml(path: Path) -> dict:  # type: ignore[type-arg]
    return dict(parse_yaml(path.read_text(encoding="utf-8"), path.name))


def test_new_issue_follows_the_latest(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)  # volume 1, number 1, 2026-01-14, no schedule
    result = brief("new", "issue")
    folder = f"content/pub/{TODAY:%Y-%m}-vol1-no2"
    assert result == Run(0, f"wrote {folder}/issue.yaml\n", "")
    assert issue_yaml(tmp_path / folder / "issue.yaml") == {"volume": 1, "number": 2, "date": TODAY, "articles": []}
    assert brief("check").code == 0


def test_new_issue_dates_by_the_schedule(tmp_path: Path) -> None:
    root = publication_site(tmp_path, "schedule: every 14 days\n", {"i1": "volume: 3\nnumber: 7\ndate: 2026-01-14\n"})
    made = Scaffold(root / "content", root, today=dt.date(2026, 1, 15)).new_issue(None, None)
    assert made == root / "content/pub/2026-01-vol3-no8/issue.yaml"
    assert issue_yaml(made)["date"] == dt.date(2026, 1, 28)
    # long after the last issue: the first date on the schedule from today on
    later = Scaffold(root / "content", root, today=dt.date(2026, 3, 1)).new_issue(None, None)
    assert issue_yaml(later)["date"] == dt.date(2026, 3, 11)


def test_new_issue_starts_a_volume_when_the_year_turns(tmp_path: Path) -> None:
    root = publication_site(tmp_path, "schedule: monthly\nyearly_volumes: true\n", {
        "i1": "volume: 4\nnumber: 11\ndate: 2025-11-30\n", "i2": "volume: 4\nnumber: 12\ndate: 2025-12-31\n",
    })
    made = Scaffold(root / "content", root, today=dt.date(2026, 1, 2)).new_issue(None, None)
    assert issue_yaml(made) == {"volume": 5, "number": 1, "date": dt.date(2026, 1, 31), "articles": []}
    # without yearly volumes, the volume goes on
    root2 = publication_site(tmp_path / "b", "schedule: monthly\n", {"i2": "volume: 4\nnumber: 12\ndate: 2025-12-31\n"})
    made2 = Scaffold(root2 / "content", root2, today=dt.date(2026, 1, 2)).new_issue(None, None)
    assert issue_yaml(made2)["volume"] == 4 and issue_yaml(made2)["number"] == 13


def test_new_issue_with_a_date_and_the_first_issue(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    publication_site(tmp_path, "schedule: weekly\n")
    result = brief("new", "issue", "--date", "2026-03-02")
    assert result == Run(0, "wrote content/pub/2026-03-vol1-no1/issue.yaml\n", "")
    assert issue_yaml(tmp_path / "content/pub/2026-03-vol1-no1/issue.yaml")["date"] == dt.date(2026, 3, 2)
    again = brief("new", "issue", "--date", "2026-03-02")
    assert again.code == 0 and "2026-03-vol1-no2" in again.out


def test_new_issue_asks_which_publication(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path, {"other/publication.yaml": "title: Other\n"})
    result = brief("new", "issue")
    assert result == Run(2, "", "brief: the site has 2 publications (other, pub): name one with --publication SLUG\n")
    made = brief("new", "issue", "--publication", "other")
    assert made == Run(0, f"wrote content/other/{TODAY:%Y-%m}-vol1-no1/issue.yaml\n", "")
    wrong = brief("new", "issue", "--publication", "pubb")
    assert wrong == Run(2, "", "brief: there is no publication 'pubb' — did you mean 'pub'?\n")


def test_publication_settings_are_checked(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path, {"pub/publication.yaml": "title: P\nschedule: every other week\nyearly_volumes: yes\n"})
    result = brief("check")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/pub/publication.yaml:2: 'every other week' is not a schedule — write weekly, fortnightly, monthly, "
        "or every N days, weeks or months (e.g. 'every 14 days')",
        "content/pub/publication.yaml:3: 'yearly_volumes' must be true or false, not text — write 'yearly_volumes: true'",
    ]


# -- brief new article --------------------------------------------------------------------------


def test_new_article_goes_into_the_latest_issue(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path, {"pub/v0/issue.yaml": "volume: 1\nnumber: 0\ndate: 2025-12-01\n"} | {})
    (tmp_path / "content/pub/v0/issue.yaml").write_text("volume: 1\nnumber: 9\ndate: 2025-12-01\n", encoding="utf-8")
    result = brief("new", "article", "Coast Guard Patrols: A Year On", "--authors", "ann-lee")
    path = tmp_path / "content/pub/v1n1/coast-guard-patrols-a-year-on.md"
    assert result == Run(0, "wrote content/pub/v1n1/coast-guard-patrols-a-year-on.md\n", "")
    assert front(path) == {
        "title": "Coast Guard Patrols: A Year On", "authors": ["ann-lee"], "date": dt.date(2026, 1, 14),
        "summary": ["Replace this line with the article's main finding, in one sentence."],
    }
    # the issue had no list: it gets one, with the files already there in their order
    assert issue_yaml(tmp_path / "content/pub/v1n1/issue.yaml")["articles"] == ["article.md", "coast-guard-patrols-a-year-on.md"]
    checked = brief("check")
    assert checked.code == 0
    # the only problem is the older issue this test left without articles
    assert [line.split(": ", 2)[:2] for line in checked.err.splitlines()] == [["content/pub/v0/issue.yaml:1", "warning [empty-issue]"]]


def test_new_article_with_a_chinese_title_gets_a_pinyin_slug(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    result = brief("new", "article", "解放军海警", "--authors", "ann-lee", "--issue", "v1n1")
    assert result == Run(0, "wrote content/pub/v1n1/jiefangjunhaijing.md\n", "")
    assert front(tmp_path / "content/pub/v1n1/jiefangjunhaijing.md")["title"] == "解放军海警"
    built = brief("build", "--strict")
    assert built.code == 0, built.err
    assert (tmp_path / "_site/pub/jiefangjunhaijing/index.html").is_file()


def test_new_article_keeps_the_rest_of_issue_yaml(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    issue = (
        "# Issue 1: the winter issue\nvolume: 1   # the first volume\nnumber: 1\ndate: 2026-01-14\n"
        "articles:\n  # the lead article first\n  - article.md   # the lead\n\n# kept at the end\ntitle: \"Winter\"\n"
    )
    write_site(tmp_path, {"pub/v1n1/issue.yaml": issue})
    assert brief("new", "article", "Second", "--authors", "ann-lee").code == 0
    assert (tmp_path / "content/pub/v1n1/issue.yaml").read_text(encoding="utf-8") == issue.replace(
        "  - article.md   # the lead\n", "  - article.md   # the lead\n  - second.md\n"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("volume: 1\narticles: [a.md, b.md]  # order\n", "volume: 1\narticles: [a.md, b.md, new.md]  # order\n"),
        ("volume: 1\narticles: []\n", "volume: 1\narticles:\n  - new.md\n"),
        ("articles:\n- a\n- b\nvolume: 1\n", "articles:\n- a\n- b\n- new\nvolume: 1\n"),
        ("volume: 1\narticles:\n", "volume: 1\narticles:\n  - a.md\n  - new.md\n"),
        ("volume: 1", "volume: 1\narticles:\n  - a.md\n  - new.md\n"),
    ],
    ids=["flow", "empty-flow", "block-without-extension", "empty", "no-list"],
)
def test_article_list_edits(before: str, after: str) -> None:
    assert add_to_article_list(before, "new.md", ["a.md"], "issue.yaml") == after


def test_an_article_list_that_cannot_be_edited_safely_is_left_alone() -> None:
    with pytest.raises(UsageError, match="add new.md to it by hand"):
        add_to_article_list("articles: [a.md,\n  b.md]\n", "new.md", [], "issue.yaml")


def test_new_article_refuses_unknown_authors_and_taken_slugs(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    write_site(tmp_path)
    before = snapshot(tmp_path / "content")
    assert brief("new", "article", "X", "--authors", "ann-le") == Run(
        2, "", "brief: there is no author 'ann-le' in content/authors/ — did you mean 'ann-lee'?\n"
    )
    assert brief("new", "article", "X", "--authors", "zed") == Run(
        2, "", "brief: there is no author 'zed' in content/authors/ — add one with: brief new author zed --name \"Their Name\"\n"
    )
    assert brief("new", "article", "Article", "--authors", "ann-lee") == Run(
        2, "", "brief: content/pub/v1n1/article.md already has the slug 'article': give this article another with --slug\n"
    )
    assert brief("new", "article", "X", "--authors", "ann-lee", "--issue", "v9") == Run(
        2, "", "brief: there is no issue folder 'v9' — give the path of a folder that holds an issue.yaml\n"
    )
    assert snapshot(tmp_path / "content") == before


def test_new_needs_a_content_folder(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    result = brief("new", "issue")
    assert result.code == 2
    assert result.err.startswith(f"brief: there is no content folder {tmp_path / 'content'}/ (run brief in your site's folder")
