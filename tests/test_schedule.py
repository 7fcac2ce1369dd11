"""Issues and articles go out on their date: held back before it, with a note, not a warning."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ARTICLE, ISSUE_DIR, SITE, article, build_options, errors_of, make_site, warnings_of
from brief.cli import main
from brief.errors import ContentError
from brief.pipeline import build
from brief.schedule import site_today

NEXT = "content/brief/v1n2"
NEXT_ISSUE = {
    f"{NEXT}/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-14\n",
    f"{NEXT}/01-next.md": article("title: Next Piece\nauthors: [jane-doe]"),
}


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    import os

    here = os.getcwd()
    os.chdir(root)
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def home(root: Path) -> BeautifulSoup:
    return BeautifulSoup((root / "_site/index.html").read_text(encoding="utf-8"), "html.parser")


def test_an_issue_dated_after_today_is_held_back_with_one_note(tmp_path: Path) -> None:
    root = make_site(tmp_path, NEXT_ISSUE)
    code, out, err = run(root, "build", "--strict", "--now", "2026-01-13")
    assert (code, err) == (0, "")  # a note, not a warning: --strict does not fail
    assert out.splitlines()[0] == (
        "brief: held back, dated after today (2026-01-13): brief Volume 1, Issue 2 until 2026-01-14"
        " (build with --future to publish now)"
    )
    assert not (root / "_site/brief/volume-1/issue-2").exists()
    assert not (root / "_site/brief/next").exists()
    assert "brief/next/" not in (root / "_site/sitemap.xml").read_text(encoding="utf-8")
    assert "Issue 1" in home(root).get_text() and "Issue 2" not in home(root).get_text()


def test_future_publishes_what_is_held_back(tmp_path: Path) -> None:
    root = make_site(tmp_path, NEXT_ISSUE)
    code, out, _ = run(root, "build", "--now", "2026-01-13", "--future")
    assert code == 0 and "held back" not in out
    assert (root / "_site/brief/next/index.html").is_file()
    assert "Issue 2" in home(root).get_text()


def test_an_article_dated_after_today_is_held_back_in_an_issue_that_is_out(tmp_path: Path) -> None:
    root = make_site(tmp_path, {f"{ISSUE_DIR}/02-later.md": article("title: Later\nauthors: [jane-doe]\ndate: 2025-12-20")})
    report = build(dataclasses.replace(build_options(root), now=dt.date(2025, 12, 10)))
    assert report.held == (
        f"held back, dated after today (2025-12-10): 'Later' ({ISSUE_DIR}/02-later.md) until 2025-12-20"
        " (build with --future to publish now)"
    )
    assert report.site is not None and sorted(report.site.articles) == ["brief/first-article/"]
    assert not (root / "_site/brief/later").exists()


def test_the_sites_time_zone_decides_what_today_is(tmp_path: Path) -> None:
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are always on different dates.
    ahead = site_today("Pacific/Kiritimati")
    assert site_today("Pacific/Pago_Pago") == ahead - dt.timedelta(days=1)
    files = {f"{NEXT}/issue.yaml": f"volume: 1\nnumber: 2\ndate: {ahead.isoformat()}\n", f"{NEXT}/01-next.md": NEXT_ISSUE[f"{NEXT}/01-next.md"]}
    for zone, published in (("Pacific/Kiritimati", True), ("Pacific/Pago_Pago", False)):
        root = make_site(tmp_path / zone.replace("/", "-"), {
            **files, SITE: f"title: T\nbase_url: https://brief.example.org/\ntime_zone: {zone}\n",
        })
        report = build(build_options(root))
        assert report.site is not None
        assert ("brief/next/" in report.site.articles) is published, zone


def test_an_unknown_time_zone_is_an_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, {SITE: "title: T\nbase_url: https://brief.example.org/\ntime_zone: Asia/Taipe\n"})
    assert errors_of(root) == [
        "content/site.yaml:3: 'time_zone' is not a known time zone: 'Asia/Taipe'"
        " — write an IANA name such as UTC, Asia/Taipei or America/New_York",
    ]


def test_a_build_on_the_day_publishes_although_no_file_changed(tmp_path: Path) -> None:
    root = make_site(tmp_path, NEXT_ISSUE)
    assert run(root, "build", "--now", "2026-01-13")[0] == 0
    code, out, _ = run(root, "build", "--now", "2026-01-13")
    assert "is up to date" in out and "held back" in out  # the note is repeated
    code, out, _ = run(root, "build", "--now", "2026-01-14")
    assert code == 0 and "up to date" not in out and "held back" not in out
    assert (root / "_site/brief/next/index.html").is_file()
    # And a build dated before a published issue's date takes it back out again.
    code, out, err = run(root, "build", "--now", "2026-01-13")
    assert "up to date" not in out and not (root / "_site/brief/next").exists()
    assert err == ""  # held back again, not gone: no warning


def test_an_issue_whose_articles_are_all_drafts_is_not_published(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        f"{NEXT}/issue.yaml": "volume: 1\nnumber: 2\ndate: 2025-12-16\n",
        f"{NEXT}/01-next.md": article("title: Next Piece\nauthors: [jane-doe]\ndraft: true"),
    })
    report = build(build_options(root))
    assert warnings_of(report) == [
        f"{NEXT}/issue.yaml:1: warning [empty-issue]: Volume 1, Issue 2 has no published article, so it is not published"
        " — add an article to it, or publish one of its drafts (remove 'draft: true')",
    ]
    assert not (root / "_site/brief/volume-1/issue-2").exists()
    assert "Issue 2" not in (root / "_site/brief/index.html").read_text(encoding="utf-8")


def test_a_link_to_a_held_back_article_is_an_error_until_its_date(tmp_path: Path) -> None:
    body = "See [the next piece](../v1n2/01-next.md) and [the issue](../v1n2/).\n"
    root = make_site(tmp_path, {**NEXT_ISSUE, ARTICLE: article("title: First Article\nauthors: [jane-doe]", body)})
    with pytest.raises(ContentError) as caught:
        build(dataclasses.replace(build_options(root), now=dt.date(2026, 1, 13)))
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{ARTICLE}:6: the link '../v1n2/' leads to {NEXT}, an issue held back until 2026-01-14"
        " — link to it once it is out, or build with --future to publish it now",
        f"{ARTICLE}:6: the link '../v1n2/01-next.md' leads to {NEXT}/01-next.md, which is held back until 2026-01-14"
        " — link to it once it is out, or build with --future to publish it now",
    ]
    build(dataclasses.replace(build_options(root), now=dt.date(2026, 1, 13), future=True))
    build(dataclasses.replace(build_options(root), now=dt.date(2026, 1, 14)))


def test_now_must_be_a_date(tmp_path: Path) -> None:
    make_site(tmp_path)
    code, _, err = run(tmp_path, "build", "--now", "tomorrow")
    assert code == 2
