"""The pipeline: stage order, timings, and parallel Markdown giving the same site as serial."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from brief.pipeline import PARALLEL_THRESHOLD, build
from sites import article, options, write_site


def many_articles(count: int) -> dict[str, str | bytes | None]:
    files: dict[str, str | bytes | None] = {"pub/v1n1/article.md": None}
    for i in range(count):
        body = f"Point {i} ([MND](https://example.org/mnd/{i}), December 9).[^1] 解放军 {i}.\n\n[^1]: Note {i}.\n"
        files[f"pub/v1n1/{i:03d}-piece-{i}.md"] = article(f"title: Piece {i}\nauthors: [ann-lee]\ntopics: [T{i % 5}]", body)
    return files


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_markdown_gives_the_same_site_as_serial(tmp_path: Path) -> None:
    write_site(tmp_path, many_articles(PARALLEL_THRESHOLD + 5))
    serial = dataclasses.replace(options(tmp_path), out=tmp_path / "serial", jobs=1)
    parallel = dataclasses.replace(options(tmp_path), out=tmp_path / "parallel", jobs=2)
    assert build(serial).articles == PARALLEL_THRESHOLD + 5
    build(parallel)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
    page = (tmp_path / "parallel/pub/piece-7/index.html").read_text(encoding="utf-8")
    assert '<span lang="zh-Hans">解放军</span> 7.' in page


def test_report_times_every_stage_in_order(tmp_path: Path) -> None:
    write_site(tmp_path)
    report = build(options(tmp_path))
    assert [name for name, _ in report.timings] == ["load", "markdown", "assemble", "images", "render", "images (wait)", "search", "write"]
    assert all(seconds >= 0 for _, seconds in report.timings)


def test_one_build_reports_the_errors_of_every_stage(tmp_path: Path) -> None:
    from sites import build_errors

    write_site(tmp_path, {
        "pub/v1n1/a.md": article("title: A\nauthors: [nobody]"),
        "pub/v1n1/b.md": article("title: B\nauthors: [ann-lee]", "Claim.[^9]\n"),
        "pub/v1n1/c.md": article("title: C\nauthors: [ann-lee]", "![A chart](missing.png)\n"),
    })
    errors = build_errors(tmp_path)
    assert "content/pub/v1n1/a.md:3: unknown author 'nobody' — create authors/nobody.md, or write the author inline as {name: ..., bio: ...}" in errors  # load
    assert any(e.startswith("content/pub/v1n1/b.md:6: note [^9] is referred to but never defined") for e in errors)  # markdown
    assert any(e.startswith("content/pub/v1n1/c.md:6: the file 'missing.png' does not exist") for e in errors)  # assemble
    assert not (tmp_path / "_site").exists()


def test_long_stages_report_progress(tmp_path: Path) -> None:
    write_site(tmp_path, many_articles(20))
    calls: list[tuple[str, int, int]] = []
    report = build(dataclasses.replace(options(tmp_path), progress=lambda *call: calls.append(call)))
    assert ("markdown", 20, 20) in calls
    pages = [c for c in calls if c[0] == "pages"]
    assert pages and pages[-1][1] == pages[-1][2] == report.pages_rendered + report.pages_reused


def test_progress_bars_only_on_a_terminal_outside_ci(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    from brief.progress import wants_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    assert wants_progress(Terminal(), quiet=False)
    assert not wants_progress(Terminal(), quiet=True)
    assert not wants_progress(io.StringIO(), quiet=False)
    monkeypatch.setenv("CI", "true")
    assert not wants_progress(Terminal(), quiet=False)
