"""Incremental builds: after any kind of edit, a rebuild that reuses the cache gives
exactly the output of a cold build of the edited content."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest

from brief.pipeline import BuildReport, BuildState, build
from sites import REPO, article, options, write_file, write_site

PUB = "content/pub"


def corpus() -> dict[str, str | bytes | None]:
    files: dict[str, str | bytes | None] = {
        "pub/v1n1/article.md": None,
        "authors/bo-chen.md": "---\nname: Bo Chen\n---\nBo Chen studies navies.\n",
        "pub/v1n2/issue.yaml": "volume: 1\nnumber: 2\ndate: 2026-01-28\n",
        # Held back: the builds run on NOW, before its date.
        "pub/v1n3/issue.yaml": "volume: 1\nnumber: 3\ndate: 2026-02-11\n",
        "pub/v1n3/01-ahead.md": article("title: Ahead\nauthors: [ann-lee]\ntopics: [Navy]", "Ahead of [piece 2](../v1n1/02-v1n1-piece-2.md).\n"),
    }
    for issue in ("v1n1", "v1n2"):
        for i in range(1, 4):
            authors = "[ann-lee, bo-chen]" if i == 2 else "[ann-lee]" if i == 1 else "[bo-chen]"
            body = (
                f"Point {i} ([MND](https://example.org/{issue}/{i}), December 9).[^1] 解放军.\n\n"
                f"[^1]: A note on {issue}-{i}.\n"
            )
            if (issue, i) == ("v1n2", 1):  # a link to another article, whose address may change
                body += "\nSee [the second piece](../v1n1/02-v1n1-piece-2.md#the-second-piece).\n"
            if (issue, i) == ("v1n1", 2):
                body += "\n## The second piece\n\nMore.\n"
            front = f"title: {issue.upper()} piece {i}\nauthors: {authors}\ntopics: [Navy, T{i}]\nsummary: ['First point {i}.']"
            files[f"pub/{issue}/0{i}-{issue}-piece-{i}.md"] = article(front, body)
    return files


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (``None``): an update in place must leave no empty folder behind."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


#: The date the builds run on, unless the project's ``now.txt`` names another (an edit may).
NOW = dt.date(2026, 2, 1)


def project_options(root: Path, **changes: object):  # type: ignore[no-untyped-def]
    """Build options using the project's own copies of the templates and static files, as of
    the project's date."""
    now = root / "now.txt"
    today = dt.date.fromisoformat(now.read_text(encoding="utf-8").strip()) if now.exists() else NOW
    return dataclasses.replace(options(root), templates=root / "templates", static=root / "static", now=today, **changes)


def incremental(root: Path) -> BuildReport:
    return build(project_options(root))


def cold(root: Path) -> dict[str, bytes]:
    """A build of the same content with no cache at all, into a separate folder."""
    out = root / "_cold"
    if out.exists():
        shutil.rmtree(out)
    build(project_options(root, out=out, use_cache=False))
    return tree(out)


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    touch_later(path)


def write_files(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        write_file(folder / rel, text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    touch_later(path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_site(tmp_path, corpus())
    shutil.copytree(REPO / "brief/templates", tmp_path / "templates")
    shutil.copytree(REPO / "brief/static", tmp_path / "static")
    report = incremental(tmp_path)
    assert report.pages_reused == 0 and report.articles == 6
    return tmp_path


def set_feeds(root: Path, setting: str) -> None:
    """Replace the ``feeds:`` settings of site.yaml (the preview's tests make these edits one
    after another on one project)."""
    path = root / "content/site.yaml"
    kept = re.sub(r"(?m)^feeds:\n(?:  .*\n)*", "", path.read_text(encoding="utf-8"))
    path.write_text(kept + f"feeds:\n  {setting}\n", encoding="utf-8")
    touch_later(path)


def article_path(root: Path, issue: str, i: int) -> Path:
    return root / PUB / issue / f"0{i}-{issue}-piece-{i}.md"


EDITS: dict[str, Callable[[Path], None]] = {
    "article body": lambda r: edit(article_path(r, "v1n1", 2), "Point 2", "A revised point 2"),
    "article retitled": lambda r: edit(article_path(r, "v1n2", 1), "V1N2 piece 1", "A new title"),
    "author bio": lambda r: edit(r / "content/authors/bo-chen.md", "studies navies", "studies coast guards"),
    "author renamed": lambda r: edit(r / "content/authors/ann-lee.md", "name: Ann Lee", "name: Ann Lee-Park"),
    "article deleted": lambda r: article_path(r, "v1n1", 3).unlink(),
    "article added": lambda r: (r / PUB / "v1n2/04-new.md").write_text(article("title: Brand new\nauthors: [ann-lee]\ntopics: [Navy]"), encoding="utf-8"),
    "issue date": lambda r: edit(r / PUB / "v1n1/issue.yaml", "2026-01-14", "2026-01-15"),
    # Its articles are the same but for their issue: the lists that show them name the new one.
    "issue renumbered": lambda r: edit(r / PUB / "v1n2/issue.yaml", "number: 2", "number: 7"),
    "site title": lambda r: edit(r / "content/site.yaml", "Test Brief", "Renamed Brief"),
    "template": lambda r: edit(r / "templates/article.html", "Executive Summary", "Key Points"),
    # Templates the feeds are made from: the entry's, a partial it imports, the feed's own.
    "feed entry template": lambda r: edit(r / "templates/feed-entry.html", "<h2>Notes</h2>", "<h2>Endnotes</h2>"),
    "byline partial": lambda r: edit(r / "templates/partials/byline.html", 'rel="author"', 'rel="author" class="author-link"'),
    "feed template": lambda r: edit(r / "templates/feed.xml", "<generator>Brief</generator>", "<generator>Brief, edited</generator>"),
    "stylesheet": lambda r: edit(r / "static/css/brief.css", "", "/* edited */\n"),
    "draft": lambda r: edit(article_path(r, "v1n2", 3), "title:", "draft: true\ntitle:"),
    "issue deleted": lambda r: shutil.rmtree(r / PUB / "v1n2"),
    "article moved": lambda r: (r / PUB / "v1n2").joinpath("02-v1n2-piece-2.md").rename(r / PUB / "v1n1/04-moved.md"),
    "static file added": lambda r: (r / "static/extra.txt").write_text("extra\n", encoding="utf-8"),
    "static file removed": lambda r: (r / "static/favicon.svg").unlink(),
    # The linked article's address changes: the page that links to it must follow.
    "article renamed": lambda r: edit(article_path(r, "v1n1", 2), "title:", "slug: renamed-piece\ntitle:"),
    "article file renamed": lambda r: article_path(r, "v1n1", 3).rename(r / PUB / "v1n1/03-renamed.md"),
    "alias added": lambda r: edit(article_path(r, "v1n1", 1), "title:", "aliases: [/pub/old-piece/]\ntitle:"),
    "topic in Chinese": lambda r: edit(article_path(r, "v1n1", 1), "topics: [Navy, T1]", "topics: [Navy, 海军]"),
    # What only the feeds and the citation files show.
    "feed length": lambda r: set_feeds(r, "entries: 2"),
    "feed id domain": lambda r: set_feeds(r, "id_domain: old.example.org"),
    "no feeds": lambda r: set_feeds(r, "entries: 0"),
    "publication ISSN": lambda r: edit(r / "content/pub/publication.yaml", "title:", "issn: 2940-3189\ntitle:"),
    "author filed family name first": lambda r: edit(r / "content/authors/bo-chen.md", "name: Bo Chen", "name: Bo Chen\nsort_as: Bo Chen"),
    # No file changes: the day comes.
    "held issue's date arrives": lambda r: (r / "now.txt").write_text("2026-02-11\n", encoding="utf-8"),
    # Pages that show other articles or issues: related articles, the previous and next issue.
    "related article retitled": lambda r: edit(article_path(r, "v1n1", 3), "V1N1 piece 3", "A related piece, retitled"),
    "topics changed": lambda r: edit(article_path(r, "v1n2", 3), "topics: [Navy, T3]", "topics: [T1, T2]"),
    "author left an article": lambda r: edit(article_path(r, "v1n1", 2), "authors: [ann-lee, bo-chen]", "authors: [ann-lee]"),
    "issue added": lambda r: write_files(r / PUB, {
        "v1n4/issue.yaml": "volume: 1\nnumber: 4\ndate: 2026-01-30\ntitle: A late issue\n",
        "v1n4/01-late.md": article("title: Late piece\nauthors: [bo-chen]\ntopics: [T2]"),
    }),
    "issue retitled": lambda r: edit(r / PUB / "v1n1/issue.yaml", "date:", "title: First of all\ndate:"),
    "fewer related articles": lambda r: append(r / "content/site.yaml", "related_articles: 1\n"),
    # What an article says that decides whether it is published: its own date, after NOW.
    "article held back by its date": lambda r: edit(article_path(r, "v1n1", 1), "title:", "date: 2026-03-01\ntitle:"),
    "article dated within its issue": lambda r: edit(article_path(r, "v1n2", 2), "title:", "date: 2026-01-29\ntitle:"),
}


#: Edits with the issue PDFs on (each costs a few layouts, so a choice: what is on a PDF's
#: pages, what decides which PDFs there are, and what changes none).
PDF_EDITS: dict[str, Callable[[Path], None]] = {
    name: EDITS[name] for name in (
        "article body", "article retitled", "author renamed", "article deleted", "article added", "issue date",
        "stylesheet",
    )
} | {
    "print template": lambda r: edit(r / "templates/pdf/issue.html", "In this issue", "Contents"),
    "print stylesheet": lambda r: edit(r / "templates/pdf/issue.css", "size: A4;", "size: letter;"),
    "newest issue only": lambda r: edit(r / "content/site.yaml", "pdf: all", "pdf: 1"),
    "pdfs off": lambda r: edit(r / "content/site.yaml", "pdf: all", "pdf: false"),
}


@pytest.fixture
def pdf_project(tmp_path: Path) -> Path:
    write_site(tmp_path, corpus() | {"site.yaml": "title: Test Brief\nbase_url: https://brief.example.org/\npdf: all\n"})
    shutil.copytree(REPO / "brief/templates", tmp_path / "templates")
    shutil.copytree(REPO / "brief/static", tmp_path / "static")
    report = incremental(tmp_path)
    assert report.pdfs_made == 2
    return tmp_path


@pytest.mark.parametrize("kind", PDF_EDITS)
def test_rebuild_after_an_edit_with_pdfs_equals_a_cold_build(pdf_project: Path, kind: str) -> None:
    """The PDFs and the page numbers on the pages follow every edit, laid out again only where
    something on their pages changed."""
    before = tree(pdf_project / "_site")
    PDF_EDITS[kind](pdf_project)
    report = incremental(pdf_project)
    after = tree(pdf_project / "_site")
    assert after == cold(pdf_project)
    changed_pdfs = {p for p in after if p.endswith(".pdf") and after[p] != before.get(p)}
    issues = {"pub/volume-1/issue-1/pub-v1-n1.pdf", "pub/volume-1/issue-2/pub-v1-n2.pdf"}
    assert report.pdfs_made == len(changed_pdfs & issues)
    if kind == "stylesheet":  # the web's stylesheet is on no PDF page
        assert report.pdfs_made == 0 and changed_pdfs == set()


@pytest.mark.parametrize("kind", EDITS)
def test_rebuild_after_an_edit_equals_a_cold_build(project: Path, kind: str) -> None:
    EDITS[kind](project)
    report = incremental(project)
    assert not report.up_to_date
    assert tree(project / "_site") == cold(project)


def related_titles(root: Path, url: str) -> list[str]:
    page = (root / "_site" / url / "index.html").read_text(encoding="utf-8")
    section = re.search(r'<aside class="related".*?</aside>', page, re.S)
    return re.findall(r'<li><a href="[^"]*">([^<]*)</a>', section.group(0)) if section else []


def test_retitling_a_related_article_rewrites_the_pages_that_list_it(project: Path) -> None:
    listing = [url for url in ("pub/v1n1-piece-1", "pub/v1n1-piece-2", "pub/v1n2-piece-3") if "V1N1 piece 3" in related_titles(project, url)]
    assert listing  # piece 3 shares the topic Navy (and T3, or an author) with these
    EDITS["related article retitled"](project)
    incremental(project)
    for url in listing:
        assert "A related piece, retitled" in related_titles(project, url)


def test_a_new_issue_becomes_the_next_issue_of_the_one_before(project: Path) -> None:
    before = (project / "_site/pub/volume-1/issue-2/index.html").read_text(encoding="utf-8")
    assert 'rel="next"' not in before and 'rel="prev"' in before
    write_files(project / PUB, {
        "v2n1/issue.yaml": "volume: 2\nnumber: 1\ndate: 2026-01-31\n",
        "v2n1/01-next.md": article("title: Next piece\nauthors: [bo-chen]\ntopics: [T2]"),
    })
    incremental(project)
    after = (project / "_site/pub/volume-1/issue-2/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="next" rel="next" href="../../../pub/volume-2/issue-1/">', after)
    assert tree(project / "_site") == cold(project)


def test_editing_one_article_reparses_only_that_article(project: Path) -> None:
    edit(article_path(project, "v1n1", 2), "Point 2", "A revised point 2")
    report = incremental(project)
    assert report.markdown_cached == 5
    assert report.pages_rendered < report.pages_reused
    page = (project / "_site/pub/v1n1-piece-2/index.html").read_text(encoding="utf-8")
    assert "A revised point 2" in page


def test_an_edit_rewrites_only_the_files_that_changed(project: Path) -> None:
    site = project / "_site"
    before = inodes(site)
    EDITS["article body"](project)
    report = incremental(project)
    after = inodes(site)
    # The search index holds the article's text: its files, named by their content, change too.
    index = [p for p in set(after) ^ set(before) if p.startswith("pagefind/")]
    assert any(p.startswith("pagefind/fragment/") for p in index)
    pages = {p: i for p, i in after.items() if not p.startswith("pagefind/")}
    assert set(pages) == {p for p in before if not p.startswith("pagefind/")}
    rewritten = sorted(p for p in pages if pages[p] != before[p])
    # The article's page, and each feed that carries the article in full (its authors',
    # its topics', its publication's, the site's); none of the other pages or feeds.
    feeds = ["authors/ann-lee/feed.xml", "authors/bo-chen/feed.xml", "feed.xml", "pub/feed.xml", "topics/navy/feed.xml", "topics/t2/feed.xml"]
    assert rewritten == sorted(["pub/v1n1-piece-2/index.html", *feeds])
    assert report.pages_rendered == 1 + len(feeds)


def test_a_page_template_edit_leaves_the_feeds_and_citation_files(project: Path) -> None:
    """Feeds are fingerprinted by the templates they are made from, citation files by none:
    an edit of the pages' base template rewrites every page and neither of them."""
    site = project / "_site"
    before = inodes(site)
    feeds = {p for p in before if p.endswith("feed.xml")}
    records = {p for p in before if p.endswith((".bib", ".ris", ".json")) and not p.startswith("pagefind/")}
    assert len(feeds) >= 6 and len(records) >= 24
    edit(project / "templates/base.html", "</footer>", "<p>An edited footer.</p></footer>")
    report = incremental(project)
    after = inodes(site)
    rewritten = {p for p in after if after[p] != before.get(p)}
    assert {p for p in after if p.endswith(".html") and not p.startswith("pagefind/")} <= rewritten
    assert not rewritten & (feeds | records)
    assert report.pages_rendered == len(rewritten)
    assert tree(site) == cold(project)


@pytest.mark.parametrize("kind", ["feed entry template", "byline partial", "feed template"])
def test_a_feed_template_edit_rewrites_every_feed(project: Path, kind: str) -> None:
    site = project / "_site"
    before = inodes(site)
    EDITS[kind](project)
    incremental(project)
    after = inodes(site)
    rewritten = {p for p in after if after[p] != before.get(p)}
    feeds = {p for p in after if p.endswith("feed.xml")}
    assert feeds <= rewritten
    assert not {p for p in rewritten if p.endswith((".bib", ".ris"))}
    assert tree(site) == cold(project)


def test_a_feed_template_naming_a_template_by_an_expression_follows_every_template(project: Path) -> None:
    """Which template ``{% include name ~ ... %}`` takes is known only while rendering: the
    feeds' fingerprint then covers every template, and an edit of any of them rewrites the feeds."""
    write_file(project / "templates/partials/aside.html", "<p>Read it on the site.</p>\n")
    edit(project / "templates/feed-entry.html", "{% from", '{% include "partials/" ~ "aside.html" %}\n{% from')
    incremental(project)
    assert "Read it on the site." in (project / "_site/feed.xml").read_text(encoding="utf-8")
    before = inodes(project / "_site")
    edit(project / "templates/base.html", "</footer>", "<p>An edited footer.</p></footer>")
    incremental(project)
    assert inodes(project / "_site")["feed.xml"] != before["feed.xml"]
    assert tree(project / "_site") == cold(project)


def test_a_change_no_article_shows_keeps_the_search_index(project: Path) -> None:
    """A template edit renders every page again, but the index, made of the articles alone,
    is the previous build's files (Pagefind does not run)."""
    site = project / "_site"
    before = {p: i for p, i in inodes(site).items() if p.startswith("pagefind/")}
    assert "pagefind/pagefind-entry.json" in before
    edit(project / "templates/base.html", "</footer>", "<p>An edited footer.</p></footer>")
    report = incremental(project)
    assert report.pages_rendered > 1
    assert {p: i for p, i in inodes(site).items() if p.startswith("pagefind/")} == before


def test_an_update_killed_while_publishing_is_finished_by_the_next_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    EDITS["article retitled"](project)
    EDITS["article deleted"](project)
    real_replace, published = os.replace, []

    def dies_after_the_first_file(source: object, target: object) -> None:
        if Path(str(target)).is_relative_to(project / "_site"):
            published.append(target)
            if len(published) > 1:
                raise KeyboardInterrupt
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", dies_after_the_first_file)
    with pytest.raises(KeyboardInterrupt):
        incremental(project)
    monkeypatch.undo()
    assert len(published) == 2  # the build was killed halfway through publishing
    assert not [p for p in project.iterdir() if ".tmp-" in p.name]  # and left no temporary folder
    report = incremental(project)
    assert report.pages_reused == 0  # the half-updated output is not trusted
    assert tree(project / "_site") == cold(project)


def test_a_build_removes_what_it_did_not_publish_and_follows_no_link(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "index.html").write_text("not the site's", encoding="utf-8")
    site = project / "_site"
    (site / "by-hand.html").write_text("added by hand", encoding="utf-8")
    (site / "pub/extra").mkdir()
    (site / "pub/extra/notes.txt").write_text("more", encoding="utf-8")
    (site / "pub/v1n1-piece-2").rename(project / "moved-away")
    (site / "pub/v1n1-piece-2").symlink_to(outside, target_is_directory=True)
    (site / "pub/v1n1-piece-3/index.html").unlink()
    (site / "pub/v1n1-piece-3/index.html").symlink_to(outside / "index.html")
    EDITS["article body"](project)  # the page behind the first link changes
    incremental(project)
    assert tree(site) == cold(project)
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert (outside / "index.html").read_text(encoding="utf-8") == "not the site's"


def test_an_update_removes_pages_and_folders_by_hand_too(project: Path) -> None:
    site = project / "_site"
    (site / "by-hand.html").write_text("added by hand", encoding="utf-8")
    (site / "pub/extra/deeper").mkdir(parents=True)
    (site / "pub/extra/deeper/notes.txt").write_text("more", encoding="utf-8")
    (site / "empty").mkdir()
    before = inodes(site)
    EDITS["article body"](project)
    incremental(project)
    assert tree(site) == cold(project)
    after = inodes(site)
    # Updated in place, not replaced whole (the search index's files are new: their names change):
    # the page and six feeds.
    assert sum(after[p] != before[p] for p in after if not p.startswith("pagefind/")) == 7


@pytest.mark.parametrize("lost", ["rendered Markdown", "rendered Markdown and the Markdown index"])
def test_a_partly_lost_cache_still_gives_the_right_output(project: Path, lost: str) -> None:
    """The loaded articles come from the cache without their bodies (the cache keeps none:
    see the next test); with the rendered Markdown lost, the files are read again."""
    cache = project / ".brief-cache/build"
    if lost.endswith("index"):
        shutil.rmtree(cache / "markdown")
    else:
        for entry in (cache / "markdown").glob("*/*.pickle.z"):
            entry.unlink()
    EDITS["template"](project)
    report = incremental(project)
    assert report.markdown_cached == 0
    assert tree(project / "_site") == cold(project)


def test_the_cache_keeps_no_copy_of_the_articles_and_compresses_rendered_markdown(project: Path) -> None:
    """A CI job saves and restores the cache: it holds no article's text (the files are
    there to be read again), and the rendered Markdown is compressed."""
    import pickle
    import zlib

    cache = project / ".brief-cache"
    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[1].strip() for path in (project / "content").rglob("*.md") if "authors" not in path.parts]
    assert len(bodies) >= 6
    for path in cache.rglob("*"):
        if path.is_file() and path.suffix != ".png":
            data = path.read_bytes()
            if path.name.endswith(".pickle.z"):
                data = zlib.decompress(data)
            assert not any(body[:200].encode() in data for body in bodies), path
    entries = list(cache.glob("build/markdown/*/*.pickle.z"))
    assert len(entries) >= 6
    for entry in entries:
        stored = entry.read_bytes()
        content, _problems = pickle.loads(zlib.decompress(stored))
        assert content.complete and content.body_html and len(stored) < 0.8 * len(zlib.decompress(stored))


def test_another_version_of_brief_leaves_no_stale_markdown_in_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from brief import cache as cache_module

    markdown = project / ".brief-cache/build/markdown"
    before = {p.name for p in markdown.glob("*/*.pickle.z")}
    monkeypatch.setattr(cache_module, "generator_version", lambda: "another-version")
    report = incremental(project)
    assert report.markdown_cached == 0
    after = {p.name for p in markdown.glob("*/*")}
    assert len(after) == len(before) and not after & before  # the old version's entries are gone
    assert [p.name for p in markdown.glob("index-*")] == ["index-another-version.pickle"]


def cache_entries(project: Path) -> dict[str, set[str]]:
    """The entries of each cache: rendered Markdown, drawn cards, processed images, issue PDFs."""
    cache = project / ".brief-cache"
    return {
        "markdown": {p.name for p in cache.glob("build/markdown/*/*.pickle.z")},
        "cards": {p.name for p in cache.glob("images/cards/*/*.png")},
        "images": {p.name for p in cache.glob("images/??/*") if p.is_dir()},
        "pdf": {p.name for p in cache.glob("pdf/??/*") if p.is_dir()},
    }


def test_the_cache_does_not_grow_with_edits(project: Path) -> None:
    """An edited article's earlier rendering, an old title's card, a replaced image's variants
    and a deleted article's entries leave the cache; the output is still a cold build's."""
    from conftest import png

    first = cache_entries(project)
    assert len(first["markdown"]) == 6 and len(first["cards"]) == 6 and not first["images"]
    page = article_path(project, "v1n1", 2)
    for n in range(3):
        edit(page, "Point 2" if n == 0 else f"Point 2, take {n}", f"Point 2, take {n + 1}")
        edit(page, "title: V1N1 piece 2" if n == 0 else f"title: Retitled {n}", f"title: Retitled {n + 1}")
        incremental(project)
        now = cache_entries(project)
        assert len(now["markdown"]) == 6 and len(now["cards"]) == 6
        assert len(now["markdown"] - first["markdown"]) == 1 and len(now["cards"] - first["cards"]) == 1
    (page.parent / "images").mkdir()
    for width in (64, 72):
        (page.parent / "images/lead.png").write_bytes(png(width, 48))
        touch_later(page.parent / "images/lead.png")
        if width == 64:
            edit(page, "title:", "image: {src: images/lead.png, alt: A lead image}\ntitle:")
        incremental(project)
        assert len(cache_entries(project)["images"]) == 1  # the second image replaced the first one's entry
    article_path(project, "v1n1", 3).unlink()
    incremental(project)
    last = cache_entries(project)
    assert len(last["markdown"]) == 5 and len(last["cards"]) == 4  # 6 articles less the deleted one and the lead image's
    assert tree(project / "_site") == cold(project)


def test_a_draft_keeps_its_rendering_in_the_cache(project: Path) -> None:
    """A build that leaves an article out (a draft, a piece not yet due) keeps its cached
    rendering: it is not parsed again when it is published."""
    before = cache_entries(project)["markdown"]
    EDITS["draft"](project)
    report = incremental(project)
    assert report.articles == 5 and cache_entries(project)["markdown"] == before
    edit(article_path(project, "v1n2", 3), "draft: true\n", "")
    report = incremental(project)
    assert report.articles == 6 and report.markdown_cached == 6  # nothing parsed again
    assert tree(project / "_site") == cold(project)


def test_a_preview_keeps_a_drafts_rendering_and_drops_its_own_earlier_ones(project: Path) -> None:
    """The same in a process that builds again and again (the preview, without --drafts):
    what it carried from its first build is still in the index it leaves; the renderings its
    edits replaced are gone once a build has seen them replaced."""
    from brief.pipeline import Build

    EDITS["draft"](project)
    incremental(project)
    before = cache_entries(project)["markdown"]
    state = BuildState()
    Build(project_options(project), state=state).run()
    seen = watched(project)
    for n in range(3):
        edit(article_path(project, "v1n1", 2), "Point 2" if n == 0 else f"Point 2, take {n}", f"Point 2, take {n + 1}")
        seen = kept_rebuild(project, state, seen)
    assert state.markdown is not None
    state.markdown.save(final=True)
    incremental(project)  # a build after the preview: the replaced renderings go
    assert len(cache_entries(project)["markdown"]) == 6 and len(cache_entries(project)["markdown"] - before) == 1
    edit(article_path(project, "v1n2", 3), "draft: true\n", "")
    report = incremental(project)
    assert report.articles == 6 and report.markdown_cached == 6
    assert tree(project / "_site") == cold(project)


def test_issue_pdfs_of_earlier_layouts_leave_the_cache(pdf_project: Path) -> None:
    first = cache_entries(pdf_project)["pdf"]
    assert len(first) == 2
    EDITS["article body"](pdf_project)
    incremental(pdf_project)
    second = cache_entries(pdf_project)["pdf"]
    assert len(second) == 2 and len(second & first) == 1  # v1n1 laid out again, v1n2 as it was
    edit(pdf_project / "content/site.yaml", "pdf: all", "pdf: false")
    incremental(pdf_project)
    assert cache_entries(pdf_project)["pdf"] == set()


def test_content_errors_leave_the_output_as_it_was(project: Path) -> None:
    from brief.errors import ContentError

    before = tree(project / "_site")
    edit(article_path(project, "v1n1", 2), "title:", "title: [unclosed\ntitle2:")
    with pytest.raises(ContentError):
        incremental(project)
    assert tree(project / "_site") == before


def test_template_change_reparses_no_markdown(project: Path) -> None:
    EDITS["template"](project)
    report = incremental(project)
    assert report.markdown_cached == report.articles == 6
    assert "Key Points" in (project / "_site/pub/v1n1-piece-1/index.html").read_text(encoding="utf-8")


def test_no_op_rebuild_does_nothing(project: Path) -> None:
    before = tree(project / "_site")
    report = incremental(project)
    assert report.up_to_date
    assert report.timings == []
    assert tree(project / "_site") == before


def test_a_page_changed_by_hand_is_rendered_again(project: Path) -> None:
    page = project / "_site/pub/v1n1-piece-1/index.html"
    page.write_text("vandalised", encoding="utf-8")
    report = incremental(project)
    assert not report.up_to_date
    assert tree(project / "_site") == cold(project)


def test_no_cache_builds_everything(project: Path) -> None:
    report = build(project_options(project, use_cache=False))
    assert report.markdown_cached == 0 and report.pages_reused == 0 and not report.up_to_date


def test_cli_no_op_build_says_so_and_repeats_the_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from brief import cli

    write_site(tmp_path, {"pub/v1n1/article.md": article("title: T\nauthors: [ann-lee]", "[x](javascript:alert(1))\n")})
    for folder in ("templates", "static"):
        (tmp_path / folder).symlink_to(REPO / "brief" / folder)
    monkeypatch.chdir(tmp_path)
    runs = []
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        runs.append((cli.main(["build"], out, err), out.getvalue(), err.getvalue()))
    (code1, out1, err1), (code2, out2, err2) = runs
    assert code1 == code2 == 0
    assert out1.startswith("brief: built 1 article, ") and out1.endswith(" files into _site/\n")
    assert out2 == "brief: _site/ is up to date (1 article); nothing changed since the last build\n"
    warning = "content/pub/v1n1/article.md:6: warning [unsafe-link]: a link to a 'javascript:' URL was dropped"
    assert err1.startswith(warning) and err2.startswith(warning)


def test_adding_a_missing_image_is_seen_although_the_article_did_not_change(project: Path) -> None:
    from brief.errors import ContentError
    from conftest import png

    page = article_path(project, "v1n1", 1)
    edit(page, "title:", "image: {src: images/lead.png, alt: A lead image}\ntitle:")
    with pytest.raises(ContentError, match="the file 'images/lead.png' does not exist"):
        incremental(project)
    (page.parent / "images").mkdir()
    (page.parent / "images/lead.png").write_bytes(png(64, 48))
    incremental(project)  # the article file is unchanged: its cached load must not repeat the old error
    assert tree(project / "_site") == cold(project)


# -- builds that keep their state in memory (the preview's) ------------------------------------


def watched(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (``None``) a preview watches, by absolute path."""
    return {
        str(p): p.read_bytes() if p.is_file() else None
        for folder in ("content", "templates", "static") for p in sorted((root / folder).rglob("*"))
    }


def kept_rebuild(root: Path, state: BuildState, before: dict[str, bytes | None]) -> dict[str, bytes | None]:
    """Build again with ``state``, told what changed since ``before`` as the preview's watcher
    tells it (a folder that came: not known which files; look at every one)."""
    from brief.pipeline import Build

    after = watched(root)
    changed = {path for path in before.keys() | after.keys() if before.get(path, b"") != after.get(path, b"")}
    state.changed = None if any(after.get(path, b"") is None for path in changed) else changed
    Build(project_options(root), state=state).run()
    return after


@pytest.mark.parametrize("kind", EDITS)
def test_a_rebuild_that_keeps_its_state_equals_a_cold_build(project: Path, kind: str) -> None:
    from brief.pipeline import Build, BuildState

    state = BuildState()
    Build(project_options(project), state=state).run()
    before = watched(project)
    EDITS[kind](project)
    kept_rebuild(project, state, before)
    assert tree(project / "_site") == cold(project)


#: Edits that change only what articles say, which a kept state patches into the last site
#: (see brief.assemble), one after another.
SAYINGS: list[tuple[str, Callable[[Path], None]]] = [
    ("a linked article's body", lambda r: edit(article_path(r, "v1n1", 2), "Point 2", "A revised point 2")),
    ("the same again", lambda r: edit(article_path(r, "v1n1", 2), "A revised point 2", "Point 2 once more")),
    ("a retitle", lambda r: edit(article_path(r, "v1n2", 1), "V1N2 piece 1", "A new title")),
    ("a summary", lambda r: edit(article_path(r, "v1n2", 1), "First point 1.", "A new first point.")),
    ("the linking article's link text", lambda r: edit(article_path(r, "v1n2", 1), "See [the second", "Read [the second")),
    ("an endnote", lambda r: edit(article_path(r, "v1n1", 3), "A note on v1n1-3.", "A longer note on v1n1-3.")),
    ("a link to the site's own address", lambda r: edit(article_path(r, "v1n1", 1), "Point 1", "Point 1 ([see](/pub/v1n1-piece-3/))")),
    ("another article", lambda r: edit(article_path(r, "v1n2", 3), "Point 3", "A revised point 3")),
    ("two articles at once", lambda r: (
        edit(article_path(r, "v1n1", 1), "Point 1", "Point one"), edit(article_path(r, "v1n2", 2), "Point 2", "Point two"),
    )),
    # What decides whether an article is published, or where, between edits of what they say.
    ("a draft", lambda r: edit(article_path(r, "v1n2", 3), "title:", "draft: true\ntitle:")),
    ("a body beside the draft", lambda r: edit(article_path(r, "v1n2", 2), "Point two", "Point 2, again")),
    ("the draft's body", lambda r: edit(article_path(r, "v1n2", 3), "A revised point 3", "A drafted point 3")),
    ("the draft published", lambda r: edit(article_path(r, "v1n2", 3), "draft: true\n", "")),
    ("held back by its date", lambda r: edit(article_path(r, "v1n2", 1), "title:", "date: 2026-03-01\ntitle:")),
    ("the held article's summary", lambda r: edit(article_path(r, "v1n2", 1), "A new first point.", "A newer first point.")),
    ("a body beside it", lambda r: edit(article_path(r, "v1n1", 1), "Point one", "Point 1 again")),
    ("due again", lambda r: edit(article_path(r, "v1n2", 1), "date: 2026-03-01\n", "")),
    ("accepting a warning", lambda r: edit(article_path(r, "v1n1", 1), "title:", "accept_warnings: [own-site-link]\ntitle:")),
    ("no longer", lambda r: edit(article_path(r, "v1n1", 1), "accept_warnings: [own-site-link]\n", "")),
    ("a slug", lambda r: edit(article_path(r, "v1n2", 2), "title:", "slug: second-of-two\ntitle:")),
    ("a body after it", lambda r: edit(article_path(r, "v1n2", 2), "Point 2, again", "Point 2, at its new address")),
]


def test_successive_edits_of_what_articles_say_each_equal_a_cold_build(project: Path) -> None:
    from brief.pipeline import Build, BuildState

    state = BuildState()
    report = Build(project_options(project), state=state).run()
    before = watched(project)
    for name, change in SAYINGS:
        change(project)
        before = kept_rebuild(project, state, before)
        assert state.assembled.last is not None and state.assembled.patchable, name  # patched, not assembled afresh
        assert tree(project / "_site") == cold(project), name
    cold_report = build(project_options(project, out=project / "_cold", use_cache=False))
    warnings = sorted(str(d) for d in cold_report.diagnostics.warnings)
    assert any("own-site-link" in w for w in warnings)
    state.changed = set()
    report = Build(project_options(project), state=state).run()  # nothing changed: the warnings are told again
    assert sorted(str(d) for d in report.diagnostics.warnings) == warnings


def test_a_body_edit_looks_only_at_the_pages_that_show_the_article_and_stays_exact_after_an_error(project: Path) -> None:
    """A kept state rebuilds what one article's edit touches without going over the site
    (as the preview does: without a search index, which a text edit would make again),
    and an edit that fails (nothing published) is not forgotten by the edits after it."""
    from brief.errors import ContentError
    from brief.pipeline import Build, BuildState

    settings = {"search": False}
    state = BuildState()

    def rebuild(*files: Path) -> BuildReport:
        state.changed = {str(path) for path in files}
        return Build(project_options(project, **settings), state=state).run()

    def cold_tree() -> dict[str, bytes | None]:
        shutil.rmtree(project / "_cold", ignore_errors=True)
        build(project_options(project, out=project / "_cold", use_cache=False, **settings))
        return tree(project / "_cold")

    first = Build(project_options(project, **settings), state=state).run()
    edit(article_path(project, "v1n1", 3), "Point 3", "A revised point 3")
    report = rebuild(article_path(project, "v1n1", 3))
    assert tree(project / "_site") == cold_tree()
    looked_at = report.pages_rendered + report.pages_reused
    assert 0 < report.pages_rendered and looked_at < first.files / 2, (looked_at, first.files)
    assert state.removed == []
    edit(article_path(project, "v1n2", 3), "解放军.", "解放军.[^9]")  # a note that is not there
    with pytest.raises(ContentError, match=r"note \[\^9\] is referred to but never defined"):
        rebuild(article_path(project, "v1n2", 3))
    edit(article_path(project, "v1n1", 2), "Point 2", "Point two")  # another article, the error still there
    with pytest.raises(ContentError, match=r"note \[\^9\] is referred to but never defined"):
        rebuild(article_path(project, "v1n1", 2))
    edit(article_path(project, "v1n2", 3), "解放军.[^9]", "解放军. More.")
    rebuild(article_path(project, "v1n2", 3))
    assert tree(project / "_site") == cold_tree()
    edit(article_path(project, "v1n1", 2), "Point two", "Point 2 again")
    rebuild(article_path(project, "v1n1", 2))
    assert tree(project / "_site") == cold_tree()


def test_a_kept_state_checks_again_a_heading_another_article_links_to(project: Path) -> None:
    from brief.errors import ContentError
    from brief.pipeline import Build, BuildState

    state = BuildState()
    Build(project_options(project), state=state).run()
    before = watched(project)
    edit(article_path(project, "v1n1", 2), "## The second piece", "## The 2nd piece")
    with pytest.raises(ContentError, match="leads to no heading '#the-second-piece'"):
        kept_rebuild(project, state, before)
    before = watched(project)
    edit(article_path(project, "v1n2", 1), "#the-second-piece", "#the-2nd-piece")
    kept_rebuild(project, state, before)
    assert tree(project / "_site") == cold(project)


def test_a_kept_state_checks_again_an_image_that_is_removed(project: Path) -> None:
    from brief.errors import ContentError
    from brief.pipeline import Build, BuildState
    from conftest import png

    page = article_path(project, "v1n1", 1)
    (page.parent / "images").mkdir()
    (page.parent / "images/lead.png").write_bytes(png(64, 48))
    edit(page, "title:", "image: {src: images/lead.png, alt: A lead image}\ntitle:")
    state = BuildState()
    Build(project_options(project), state=state).run()
    before = watched(project)
    (page.parent / "images/lead.png").unlink()  # only the image: the article is unchanged
    with pytest.raises(ContentError, match="the file 'images/lead.png' does not exist"):
        kept_rebuild(project, state, before)
