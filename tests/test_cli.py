"""``brief build`` and ``brief check`` (brief.cli.main): exit codes, what is printed, what is written.

Exit status: 0 success, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ARTICLE, ARTICLE_BODY, ARTICLE_FRONT, ISSUE_DIR, article, make_site, png, snapshot

from brief.cli import main
from brief.pipeline import BuildReport

A = "content/brief/v1n1/01-first-article.md"
BROKEN = {ARTICLE: article("title: T\nauthors: [nobody]\n")}
BROKEN_LINE = f"{A}:3: unknown author 'nobody' — create authors/nobody.md, or write the author inline as {{name: ..., bio: ...}}"
#: A valid site whose one warning is an unused citation (line 4 of the article).
WARNING_SITE = {ARTICLE: article(ARTICLE_FRONT + "citations:\n  r: {outlet: R, url: 'https://example.org/r'}\n")}
WARNING_LINE = f"{A}:5: warning [unused-citation]: citation 'r' is never cited — cite it in the text as [@r] or remove it"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def brief(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``brief ARGS`` in ``tmp_path`` (the project folder); returns code, stdout, stderr.

    ``err`` also holds what went to the process's ``sys.stderr``: argparse's
    usage errors are written there rather than to the ``stderr`` given to main.
    """
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), out, err)
        captured = capsys.readouterr()
        return Run(code, out.getvalue() + captured.out, err.getvalue() + captured.err)

    return run


def files_in(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and p.name != ".brief-output")


# -- success ------------------------------------------------------------------------------


def test_build_prints_a_summary_and_exits_0(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    result = brief("build")
    assert (result.code, result.err) == (0, "")
    match = re.fullmatch(r"brief: built 1 articles?, (\d+) files into _site/\n", result.out)
    assert match, result.out
    assert int(match.group(1)) == files_in(tmp_path / "_site")
    assert (tmp_path / "_site/brief/first-article/index.html").is_file()
    assert (tmp_path / "_site/.brief-output").is_file()


def test_build_replaces_its_own_previous_output(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    assert brief("build").code == 0
    (tmp_path / "_site/stale.html").write_text("old", encoding="utf-8")
    make_site(tmp_path, {ARTICLE: article("title: Renamed\nauthors: [jane-doe]\nslug: renamed\n")})
    assert brief("build").code == 0
    assert not (tmp_path / "_site/stale.html").exists()
    assert not (tmp_path / "_site/brief/first-article").exists()
    assert (tmp_path / "_site/brief/renamed/index.html").is_file()


def test_build_into_another_folder_and_from_another_content_folder(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    (tmp_path / "content").rename(tmp_path / "src")
    result = brief("build", "--content", "src", "--out", "public")
    assert result.code == 0, result.err
    assert result.out.endswith(" files into public/\n")
    assert (tmp_path / "public/brief/first-article/index.html").is_file()
    assert not (tmp_path / "_site").exists()


def test_check_prints_a_summary_and_exits_0(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, {f"{ISSUE_DIR}/02-second.md": article("title: Two\nauthors: [jane-doe]\n")})
    result = brief("check")
    assert result.code == 0
    assert re.fullmatch(r"brief: content is fine: 2 articles checked\n", result.out)
    assert result.err == ""


def test_quiet_prints_nothing_on_success(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    assert brief("build", "-q") == Run(0, "", "")


def test_timings_lists_each_stage_before_the_summary(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    result = brief("build", "--timings")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["stage", "wall", "CPU", "workers"]
    rows = lines[1:-1]
    stages = [line.split()[0] for line in rows]
    assert stages[:3] == ["load", "markdown", "assemble"]
    assert "render" in stages and stages[-2:] == ["write", "total"]
    # Each stage: its wall time and its CPU time (this process's and its workers'), in ms.
    assert all(re.fullmatch(r"  \S+.*?\s+\d+\.\d ms\s+\d+\.\d ms(\s+\d+\.\d ms)?", line) for line in rows), rows
    total_cpu = float(rows[-1].split()[3])
    stage_cpu = sum(float(re.findall(r"(\d+\.\d) ms", line)[1]) for line in rows[:-1])
    assert 0 < stage_cpu <= total_cpu  # the total counts the command's start-up too
    assert lines[-1].startswith("brief: built 1 article")


# -- brief check writes nothing -------------------------------------------------------


def test_check_writes_nothing(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    before = snapshot(tmp_path)
    assert brief("check").code == 0
    outside_cache = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith(".brief-cache/")}
    assert outside_cache == before
    assert not (tmp_path / "_site").exists()
    assert not (tmp_path / "._site.lock").exists()


def test_check_with_errors_writes_nothing(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, BROKEN)
    before = snapshot(tmp_path)
    result = brief("check")
    assert result.code == 1
    # like a build that finds errors, it may keep what it parsed in the cache, and writes nothing else
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith(".brief-cache/")} == before


def test_check_leaves_existing_output_untouched(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    assert brief("build").code == 0
    published = snapshot(tmp_path / "_site")
    make_site(tmp_path, {ARTICLE: article("title: Changed Title\nauthors: [jane-doe]\n")})
    assert brief("check").code == 0
    assert snapshot(tmp_path / "_site") == published


def test_check_writes_only_into_the_cache(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    """A check writes no output and changes no content; what it learns goes into .brief-cache/
    (so the next check, or build, need not parse or decode the same files again)."""
    files = {
        ARTICLE: article(ARTICLE_FRONT + "image:\n  src: images/lead.png\n  alt: A red square\n"),
        f"{ISSUE_DIR}/images/lead.png": png(40, 30),
    }
    make_site(tmp_path, files)
    before = snapshot(tmp_path)
    assert brief("check").code == 0
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith(".brief-cache/")} == before
    assert any(k.startswith(".brief-cache/images/") for k in after)
    assert not (tmp_path / "_site").exists()


# -- content errors: exit 1 ------------------------------------------------------------


def test_content_error_exits_1_with_diagnostics_and_writes_nothing(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, BROKEN)
    result = brief("build")
    assert result.code == 1
    assert result.out == ""
    assert result.err == f"{BROKEN_LINE}\nbrief: 1 problem found; nothing was written\n"
    assert not (tmp_path / "_site").exists()


def test_content_errors_are_all_listed_and_counted(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, {**BROKEN, "content/site.yaml": "title: T\nbase_url: https://brief.example.org/\ntheme: x\n"})
    result = brief("build")
    assert result.code == 1
    assert result.err.splitlines() == [
        BROKEN_LINE,
        "content/site.yaml:3: unknown key 'theme' in site.yaml"
        " — expected one of: base_url, contents_list, description, feeds, image_credit, images, language, pdf, pdf_recto, publisher, raw_html, related_articles, search, serial_comma, time_zone, title",
        "brief: 2 problems found; nothing was written",
    ]


def test_content_error_leaves_previous_output_byte_identical(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    assert brief("build").code == 0
    published = snapshot(tmp_path / "_site")
    make_site(tmp_path, BROKEN)
    result = brief("build")
    assert result.code == 1
    assert result.err.endswith("nothing was written\n")
    assert snapshot(tmp_path / "_site") == published


def test_check_reports_content_errors_like_build(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, BROKEN)
    result = brief("check")
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines()[0] == BROKEN_LINE


# -- warnings and --strict ---------------------------------------------------------------


def test_warnings_are_printed_but_do_not_fail(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, WARNING_SITE)
    result = brief("build")
    assert result.code == 0
    assert result.err == f"{WARNING_LINE}\n"
    assert result.out.startswith("brief: built 1 article")
    assert (tmp_path / "_site/brief/first-article/index.html").is_file()


@pytest.mark.parametrize("command", ["build", "check"])
def test_strict_turns_warnings_into_failure(tmp_path: Path, brief, command: str) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, WARNING_SITE)
    result = brief(command, "--strict")
    assert result.code == 1
    assert result.out == ""
    assert result.err == f"{WARNING_LINE}\nbrief: 1 problem found; nothing was written\n"
    assert not (tmp_path / "_site").exists()


def test_an_accepted_warning_is_not_reported_and_passes_strict(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    accepted = ARTICLE_FRONT + "accept_warnings: [unused-citation]\ncitations:\n  r: {outlet: R, url: 'https://example.org/r'}\n"
    make_site(tmp_path, {ARTICLE: article(accepted)})
    result = brief("build", "--strict")
    assert (result.code, result.err) == (0, "")
    # A no-op rebuild shows the build's warnings again: still none.
    again = brief("build", "--strict")
    assert (again.code, again.err) == (0, "")


def test_accepting_one_code_keeps_the_others(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    front = ARTICLE_FRONT + "accept_warnings: caption-order\ncitations:\n  r: {outlet: R, url: 'https://example.org/r'}\n"
    make_site(tmp_path, {ARTICLE: article(front)})
    result = brief("build")
    assert result.code == 0
    assert result.err == f"{A}:6: warning [unused-citation]: citation 'r' is never cited — cite it in the text as [@r] or remove it\n"


def test_accepting_an_unknown_code_is_an_error(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path, {ARTICLE: article(ARTICLE_FRONT + "accept_warnings: [unused-citations]\n")})
    result = brief("check")
    assert result.code == 1
    assert result.err.splitlines()[0] == f"{A}:4: there is no warning with the code 'unused-citations' — did you mean 'unused-citation'?"


def test_strict_build_without_warnings_succeeds(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    result = brief("build", "--strict")
    assert (result.code, result.err) == (0, "")


# -- usage errors: exit 2 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["build", "--frobnicate"], "brief: unrecognized arguments: --frobnicate"),
        (["check", "--out", "x"], "brief: unrecognized arguments: --out x"),
        (["publish"], "brief: argument COMMAND: invalid choice: 'publish' (choose from 'build', 'check', 'import', 'init', 'new', 'serve')"),
        ([], "brief: the following arguments are required: COMMAND"),
    ],
    ids=["unknown-option", "check-has-no-out", "unknown-command", "no-command"],
)
def test_usage_error_exits_2(tmp_path: Path, brief, argv: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    result = brief(*argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("usage: brief")
    assert result.err.endswith(message + "\n")
    assert not (tmp_path / "_site").exists()


def test_missing_content_folder_exits_2(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    result = brief("build", "--content", "nope")
    assert result == Run(2, "", f"brief: there is no content folder {tmp_path / 'nope'}/ {NO_CONTENT_HINT}\n")
    assert not (tmp_path / "_site").exists()


def test_project_without_content_folder_exits_2(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    result = brief("check")
    assert result == Run(2, "", f"brief: there is no content folder {tmp_path / 'content'}/ {NO_CONTENT_HINT}\n")


NO_CONTENT_HINT = (
    "(run brief in your site's folder, start a new site with brief init, or name the content folder with --content DIR)"
)


@pytest.mark.parametrize(
    "out, message",
    [
        ("content", "refusing to use the content folder {root}/content as the output folder;"
                    " choose a separate folder such as _site"),
        (".", "refusing to use the project folder ({root}) as the output folder; choose a new folder such as _site"),
        ("content/brief", "refusing to use {root}/content/brief as the output folder: it is inside the content folder;"
                          " choose a folder outside it"),
        ("notes", "refusing to replace {root}/notes: it is not empty and was not made by Brief"
                  " (no .brief-output file in it); empty it or choose another folder"),
        ("notes.txt", "the output {root}/notes.txt exists and is not a folder; remove it or choose another path"),
    ],
    ids=["content-folder", "project-root", "inside-content", "foreign-folder", "a-file"],
)
def test_unusable_output_folder_exits_2_and_touches_nothing(tmp_path: Path, brief, out: str, message: str) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/keep.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine too", encoding="utf-8")
    before = snapshot(tmp_path)
    result = brief("build", "--out", out)
    assert result.code == 2
    assert result.out == ""
    assert result.err == "brief: " + message.format(root=tmp_path) + "\n"
    assert snapshot(tmp_path) == before


def test_empty_foreign_folder_may_be_used_as_output(tmp_path: Path, brief) -> None:  # type: ignore[no-untyped-def]
    make_site(tmp_path)
    (tmp_path / "public").mkdir()
    result = brief("build", "--out", "public")
    assert result.code == 0, result.err
    assert (tmp_path / "public/.brief-output").is_file()


# -- brief check reuses the cache ---------------------------------------------------------------


def test_check_reuses_what_the_build_cached(tmp_path: Path, brief, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """After a build, a check decodes no image, parses no unchanged article and renders only
    the pages whose inputs changed; with nothing changed it stops at once; --images decodes again."""
    from brief.pipeline import Build

    files = {
        ARTICLE: article(ARTICLE_FRONT + "image:\n  src: images/lead.png\n  alt: A red square\n"),
        f"{ISSUE_DIR}/images/lead.png": png(40, 30),
    }
    make_site(tmp_path, files)
    assert brief("build").code == 0
    reports: list[BuildReport] = []
    run = Build.run
    monkeypatch.setattr(Build, "run", lambda self: reports.append(run(self)) or reports[-1])

    # a second paragraph: the first, which introduces the article in lists, stays as it was
    edited = ARTICLE_BODY + "\nAn edited second paragraph.\n"
    make_site(tmp_path, {ARTICLE: article(ARTICLE_FRONT + "image:\n  src: images/lead.png\n  alt: A red square\n", edited)})
    assert brief("check") == Run(0, "brief: content is fine: 1 article checked\n", "")
    report = reports[-1]
    assert report.images_processed == 0
    assert report.markdown_cached == 0  # the edited article was parsed again: its page and the feeds that carry it rendered
    assert [o.path for o in report.outputs] == ["brief/first-article/index.html", "feed.xml", "brief/feed.xml", "authors/jane-doe/feed.xml"]
    assert report.pages_rendered == 4 and report.pages_reused > 5

    assert brief("check") == Run(0, "brief: content is fine: 1 article checked\n", "")
    assert len(reports) == 1  # nothing changed: no build was even started

    assert brief("check", "--images").code == 0
    assert reports[-1].images_processed == 1  # the lead image (and the card cut from it), decoded again
