"""The pipeline: stage order, timings, and parallel Markdown giving the same site as serial."""

from __future__ import annotations

import dataclasses
import gc
import shutil
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
    report = build(dataclasses.replace(parallel, use_cache=False))
    # The Markdown stage's CPU is that of its worker processes (which parse every article).
    stages = dict(zip([name for name, _ in report.timings], report.cpu))
    assert stages["markdown"][1] > 0
    assert stages["load"][1] == 0
    page = (tmp_path / "parallel/pub/piece-7/index.html").read_text(encoding="utf-8")
    assert '<span lang="zh-Hans">解放军</span> 7.' in page


def test_markdown_workers_run_with_the_loaded_archive_frozen_and_the_collector_is_thawed_after(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """While the forked Markdown workers run, the objects they inherited are frozen (no
    collection writes to their pages, so they stay shared); after the stage, nothing is."""
    from brief.pipeline import Build

    write_site(tmp_path, many_articles(PARALLEL_THRESHOLD + 5))
    frozen: list[int] = []
    collect = Build.collect

    def recording(self, tasks, results, *rest):  # type: ignore[no-untyped-def]
        frozen.append(gc.get_freeze_count())
        return collect(self, tasks, results, *rest)

    monkeypatch.setattr(Build, "collect", recording)
    report = build(dataclasses.replace(options(tmp_path), out=tmp_path / "out", jobs=2, use_cache=False))
    assert report.articles == PARALLEL_THRESHOLD + 5
    assert len(frozen) == 1 and frozen[0] > 1000  # the loaded sources among them
    assert gc.get_freeze_count() == 0


def test_report_times_every_stage_in_order(tmp_path: Path) -> None:
    write_site(tmp_path)
    report = build(options(tmp_path))
    assert [name for name, _ in report.timings] == ["load", "markdown", "assemble", "images", "pdf", "render", "images (wait)", "search", "write"]
    assert all(seconds >= 0 for _, seconds in report.timings)
    assert len(report.cpu) == len(report.timings) and all(own >= 0 and workers >= 0 for own, workers in report.cpu)


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


def test_pages_rendered_in_worker_processes_are_the_serial_build_s(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Pages are rendered by forked workers when many changed: a cold build and an update in
    place after a template edit give the same files, and the same manifest, as one process."""
    import json

    from brief import pipeline
    from brief.cache import CACHE_FOLDER, Manifest

    monkeypatch.setattr(pipeline, "PARALLEL_PAGES", 8)
    write_site(tmp_path, many_articles(30))
    templates = tmp_path / "templates"
    shutil.copytree(Path(pipeline.__file__).parent / "templates", templates)
    base = dataclasses.replace(options(tmp_path), templates=templates)
    serial = dataclasses.replace(base, out=tmp_path / "serial", jobs=1)
    parallel = dataclasses.replace(base, out=tmp_path / "parallel", jobs=2)

    def manifest(out: Path) -> dict[str, str]:
        data = json.loads(Manifest.location(tmp_path / CACHE_FOLDER, out).read_text())
        return {path: entry[0] for path, entry in data["files"].items()}

    for round in range(2):
        build(serial)
        report = build(parallel)
        # After the template edit, the feeds and citation files are kept: no template of theirs changed.
        kept = [p for p in tree(tmp_path / "parallel") if p.endswith(("feed.xml", ".bib", ".ris")) or (p.endswith(".json") and "/" in p and not p.startswith(("pagefind/", "static/")))]
        assert kept and report.pages_rendered > 30 and report.pages_reused == (len(kept) if round else 0)
        render = dict(zip([name for name, _ in report.timings], report.cpu))["render"]
        assert render[1] > 0  # the CPU of the workers that rendered the pages
        assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
        assert manifest(tmp_path / "serial") == manifest(tmp_path / "parallel")
        # The manifest records each page as the worker wrote it: the next build reuses them all.
        assert build(parallel).up_to_date
        (templates / "base.html").write_text((templates / "base.html").read_text() + f"<!-- edit {round} -->\n")
    page = (tmp_path / "parallel/pub/piece-7/index.html").read_text(encoding="utf-8")
    assert "<!-- edit 0 -->" in page and "Point 7" in page


def test_an_article_saved_while_the_site_builds_stops_the_build_with_a_clear_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The Markdown stage reads each article's text again: if the file changed since it was
    loaded, the build stops with an error naming it (in a worker process or not)."""
    import pickle

    import pytest
    from brief import pipeline
    from brief.errors import ContentError

    write_site(tmp_path, many_articles(PARALLEL_THRESHOLD + 2))
    target = tmp_path / "content/pub/v1n1/007-piece-7.md"
    original = pipeline.Build.render_markdown

    def edited_meanwhile(self, loaded, cache, schedule):  # type: ignore[no-untyped-def]
        target.write_text(target.read_text(encoding="utf-8") + "\nSaved again.\n", encoding="utf-8")
        return original(self, loaded, cache, schedule)

    monkeypatch.setattr(pipeline.Build, "render_markdown", edited_meanwhile)
    for jobs in (1, 2):
        with pytest.raises(ContentError) as raised:
            build(dataclasses.replace(options(tmp_path), out=tmp_path / f"out-{jobs}", jobs=jobs, use_cache=False))
        assert [(d.location.path, d.message) for d in raised.value.diagnostics] == [
            ("content/pub/v1n1/007-piece-7.md", "the file changed while the site was being built")
        ]
        assert not (tmp_path / f"out-{jobs}").exists()
    error = pickle.loads(pickle.dumps(raised.value))
    assert error.diagnostics == raised.value.diagnostics
