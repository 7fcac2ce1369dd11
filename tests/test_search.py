"""The search index (brief/search.py): what is indexed, the search page and field, turning
search off, reusing the index, and a build whose Pagefind is missing or fails.

Queries themselves run in Chromium: tests/browser/test_search.py.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import stat
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from brief import search
from brief.cli import main
from brief.pipeline import BuildReport, build
from sites import SEARCH_SITE, build_errors, options, write_site


def built(root: Path, **changes: object) -> BuildReport:
    return build(dataclasses.replace(options(root), **changes))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path, SEARCH_SITE)


def documents(report: BuildReport) -> dict[str, BeautifulSoup]:
    assert report.site is not None
    return {d.path: BeautifulSoup(d.html, "html.parser") for d in search.search_documents(report.site, report.content_of)}


def test_hidden_words_give_each_run_in_the_other_script_and_its_parts() -> None:
    words = search.hidden_words("The PLA (解放軍) near 台湾海峡.").split()
    assert words[0] == "⁂⁂解放軍" and "⁂解放军" in words and "⁂放军" in words and "⁂放軍" in words
    group = words[words.index("⁂⁂台湾海峡"):]
    # Traditional forms, the Taiwan variant among them, and every part of each in either script.
    assert {"⁂台灣海峽", "⁂臺灣海峽", "⁂灣海峽", "⁂湾海峡", "⁂海峽", "⁂峡"} <= set(group)
    assert all(word.startswith(search.HIDDEN) for word in words)
    assert search.hidden_words("No Chinese here.") == ""


def test_a_long_run_gives_parts_up_to_the_limit_and_its_whole_other_form() -> None:
    run = "国务院台湾事务办公室发言人就两岸交流合作答记者问"
    words = [w.lstrip(search.HIDDEN) for w in search.hidden_words(run).split()]
    assert words[0] == run
    assert "國務院臺灣事務辦公室發言人就兩岸交流合作答記者問" in words  # whole, for the search page
    parts = words[1:]
    assert max(len(w) for w in parts if len(w) != len(run)) == search.SUFFIX_LENGTH


def test_a_document_holds_the_article_and_what_results_show(site: Path) -> None:
    docs = documents(built(site))
    assert sorted(docs) == [
        "pub/coast-guard-patrols/index.html", "pub/eastern-theater-drills/index.html", "second/budget-politics/index.html",
    ]
    doc = docs["pub/eastern-theater-drills/index.html"]
    assert doc.body["data-pagefind-body"] == ""
    assert doc.find(attrs={"data-pagefind-meta": "title"}).text == "Eastern Theater Drills"
    assert doc.find(attrs={"data-pagefind-meta": "authors"}).text == "Ann Lee"
    text = doc.body.get_text(" ")
    assert "The drills ran for three days." in text  # summary
    assert "began drills near the 台湾海峡 on Monday" in text  # body, no note number
    assert "named the 海军 and the rocket force." in text  # the note, without its back-link
    assert "↩" not in text and "Xinhua" in text  # the source's outlet
    assert "Test Brief" not in text and "Skip to content" not in text  # no site chrome
    meta = {e["data-pagefind-meta"]: e.text for e in doc.select("[data-pagefind-ignore] [data-pagefind-meta]")}
    assert meta == {"issue": "Test Publication, Volume 1, Issue 1", "date": "December 10, 2025"}
    filters = sorted((e["data-pagefind-filter"], e.text) for e in doc.select("[data-pagefind-filter]"))
    assert filters == [("author", "Ann Lee"), ("publication", "Test Publication"), ("topic", "Military"), ("year", "2025")]
    hidden = [p.text for p in doc.find_all("p") if p.text.startswith(search.HIDDEN)]
    assert len(hidden) == 1 and "⁂東部戰區" in hidden[0] and "⁂海軍" in hidden[0]
    budget = docs["second/budget-politics/index.html"]
    assert not [p for p in budget.find_all("p") if search.HIDDEN in p.text]  # no Chinese, no hidden part
    assert sorted(e.text for e in budget.select('[data-pagefind-filter="author"]')) == ["Ann Lee", "Bo Chen"]


def test_a_build_publishes_the_index_the_search_page_and_the_field(site: Path) -> None:
    report = built(site)
    out = site / "_site"
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 3
    assert (out / "pagefind/pagefind-ui.js").is_file() and (out / "pagefind/wasm.en.pagefind").is_file()
    assert not list(out.glob("pagefind/pagefind-component-ui*")) and not (out / "pagefind/pagefind-highlight.js").exists()
    page = BeautifulSoup((out / "search/index.html").read_text(encoding="utf-8"), "html.parser")
    csp = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp
    assert [s["src"] for s in page.find_all("script")] == ["../static/js/search.js"]
    assert page.find("link", href="../pagefind/pagefind-ui.css") is not None
    fallback = page.find(id="search-fallback").get_text(" ", strip=True)
    assert "needs JavaScript" in fallback and "web server" in fallback
    assert [a["href"] for a in page.find(id="search-fallback").find_all("a")] == ["../pub/", "../second/", "../authors/", "../topics/"]
    assert page.find("form", class_="site-search") is None  # the page's own field is Pagefind's
    article = BeautifulSoup((out / "pub/eastern-theater-drills/index.html").read_text(encoding="utf-8"), "html.parser")
    form = article.find("form", class_="site-search")
    assert form["action"] == "../../search/" and form["method"] == "get" and form.find("input")["name"] == "q"
    csp = article.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "wasm-unsafe-eval" not in csp
    assert "search/" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert [name for name, _ in report.timings].count("search") == 1


def test_search_false_and_no_search_leave_search_out(site: Path) -> None:
    built(site, search=False)
    out = site / "_site"
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert "site-search" not in (out / "index.html").read_text(encoding="utf-8")
    assert main(["build", "--content", str(site / "content"), "--out", str(site / "_cli"), "-q", "--no-search"]) == 0
    assert not (site / "_cli/pagefind").exists()
    (site / "content/site.yaml").write_text(
        "title: Test Brief\nbase_url: https://brief.example.org/\nsearch: false\n", encoding="utf-8"
    )
    built(site)
    assert not (out / "pagefind").exists() and not (out / "search").exists()


def test_search_setting_must_be_true_or_false(site: Path) -> None:
    (site / "content/site.yaml").write_text("title: T\nbase_url: https://brief.example.org/\nsearch: no way\n", encoding="utf-8")
    assert build_errors(site) == ["content/site.yaml:3: 'search' must be true or false, not text — write 'search: true'"]


def test_the_preview_without_search_keeps_the_index_it_has(site: Path) -> None:
    built(site)
    entry = (site / "_site/pagefind/pagefind-entry.json").read_bytes()
    (site / "content/second/v2n1/budget-politics.md").write_text(
        SEARCH_SITE["second/v2n1/budget-politics.md"].replace("legislature", "parliament"), encoding="utf-8"  # type: ignore[union-attr]
    )
    built(site, search_index=False)
    assert (site / "_site/pagefind/pagefind-entry.json").read_bytes() == entry
    assert (site / "_site/search/index.html").is_file()
    built(site)
    assert (site / "_site/pagefind/pagefind-entry.json").read_bytes() != entry


def test_an_unchanged_index_is_not_written_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built(site)
    before = {p: p.stat().st_ino for p in (site / "_site/pagefind").rglob("*") if p.is_file()}
    (site / "content/site.yaml").write_text(
        "title: Another Title\nbase_url: https://brief.example.org/\n", encoding="utf-8"
    )

    def refuse(*args: object) -> None:
        raise AssertionError("Pagefind ran though no indexed article changed")

    monkeypatch.setattr(search, "write_index", refuse)
    report = built(site)
    assert report.pages_rendered > 3
    assert {p: p.stat().st_ino for p in (site / "_site/pagefind").rglob("*") if p.is_file()} == before
    # Into another output folder, from the index the cache keeps.
    built(site, out=site / "_other")
    other = site / "_other/pagefind"
    published = sorted(p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file())
    assert published == sorted(p.relative_to(site / "_site/pagefind").as_posix() for p in before)


def fake_pagefind(folder: Path, script: str) -> Path:
    path = folder / "bin" / "pagefind"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize("kind, said", [
    ("missing", "Pagefind's binary was not found (install it with: pip install 'pagefind[extended]')"),
    ("crash", "Pagefind stopped (exit status 3): thread 'main' panicked"),
    ("killed", "Pagefind stopped (signal 9): no message"),
    ("no output", "Pagefind stopped (exit status 0): no message"),
])
def test_a_failing_pagefind_is_told_once_and_the_rest_is_built(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, said: str
) -> None:
    scripts = {"crash": "echo \"thread 'main' panicked\" >&2\nexit 3\n", "killed": "kill -9 $$\n", "no output": "exit 0\n"}
    binary = tmp_path / "nowhere" / "pagefind" if kind == "missing" else fake_pagefind(tmp_path, scripts[kind])
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    monkeypatch.chdir(site)
    err = io.StringIO()
    code = main(["build", "--out", "_site", "--no-cache"], stdout=io.StringIO(), stderr=err)
    assert code == 0
    assert err.getvalue().splitlines() == [
        f"content/site.yaml: warning [search-failed]: the site is published without its search index: {said}"
        " — build with --no-search (or 'search: false' in site.yaml) to leave search out",
    ], err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert (site / "_site/pub/eastern-theater-drills/index.html").is_file() and (site / "_site/search/index.html").is_file()
    assert not (site / "_site/pagefind").exists()
    strict = main(["build", "--out", "_strict", "--strict"], stdout=io.StringIO(), stderr=io.StringIO())
    assert strict == 1 and not (site / "_strict").exists()


def test_filter_values_are_sorted_so_the_index_is_the_same_each_time(site: Path) -> None:
    built(site, use_cache=False)
    out = site / "_site"
    import cbor2

    for path in (out / "pagefind/filter").iterdir():
        name, values = cbor2.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        assert [v[0] for v in values] == sorted((v[0] for v in values), key=str.casefold), name
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    built(site, use_cache=False, out=site / "_again")
    again = site / "_again"
    assert {p.relative_to(again).as_posix(): p.read_bytes() for p in (again / "pagefind").rglob("*") if p.is_file()} == first
    assert os.path.basename(next((out / "pagefind").glob("*.pf_meta"))).startswith("pagefind.en_")
