"""Addresses never break: aliases, old topic addresses, and a warning when an address is gone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ARTICLE, ISSUE_DIR, article, build_site, errors_of, make_site, snapshot, warnings_of

SECOND = f"{ISSUE_DIR}/02-coast-guard.md"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def assert_redirect(root: Path, old: str, target: str, relative: str) -> None:
    page = soup(root / "_site" / old / "index.html")
    refresh = page.find("meta", attrs={"http-equiv": "refresh"})
    assert refresh is not None and refresh["content"] == f"0; url={relative}"
    assert page.find("link", rel="canonical")["href"] == f"https://brief.example.org/{target}"
    assert [a["href"] for a in page.find_all("a")] == [relative]
    assert (root / "_site" / old / relative / "index.html").resolve() == (root / "_site" / target / "index.html").resolve()


def all_pages_except(root: Path, skip: str) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (root / "_site").rglob("*.html") if skip not in p.as_posix())


def test_aliases_become_redirect_pages_in_no_listing_or_sitemap(tmp_path: Path) -> None:
    front = "title: First Article\nauthors: [jane-doe]\naliases: [/brief/old-first/, brief/older.html]\n"
    root = make_site(tmp_path, {ARTICLE: article(front)})
    build_site(root)
    assert_redirect(root, "brief/old-first", "brief/first-article/", "../../brief/first-article/")
    older = soup(root / "_site/brief/older.html")
    assert older.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=../brief/first-article/"
    assert "old-first" not in (root / "_site/sitemap.xml").read_text(encoding="utf-8")
    assert "older" not in (root / "_site/sitemap.xml").read_text(encoding="utf-8")
    others = all_pages_except(root, "old")
    assert "old-first" not in others and "older.html" not in others


def test_an_alias_where_the_site_has_files_is_an_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]\naliases: [/sitemap.xml, /static/old/, /404.html]\n")})
    assert errors_of(root) == [
        f"{ARTICLE}:4: the alias /404.html is the address of the 'not found' page"
        " — an alias is an old address that no page has now; remove it",
        f"{ARTICLE}:4: the alias /sitemap.xml/ is the address of the sitemap"
        " — an alias is an old address that no page has now; remove it",
        f"{ARTICLE}:4: the alias /static/old/ is the address of the site's own files (static/, media/)"
        " — an alias is an old address that no page has now; remove it",
    ]


def test_an_alias_that_is_a_real_page_or_another_articles_alias_is_an_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        ARTICLE: article("title: First Article\nauthors: [jane-doe]\naliases:\n  - /brief/coast-guard/\n  - /authors/\n  - /old/\n"),
        SECOND: article("title: Coast Guard\nauthors: [jane-doe]\naliases: ['/old', '/brief/coast-guard/', 'https://elsewhere.org/x']\n"),
    })
    assert errors_of(root) == [
        f"{ARTICLE}:5: the alias /brief/coast-guard/ is the address of the page of {SECOND}"
        " — an alias is an old address that no page has now; remove it",
        f"{ARTICLE}:6: the alias /authors/ is the address of the list of authors"
        " — an alias is an old address that no page has now; remove it",
        f"{SECOND}:4: 'https://elsewhere.org/x' cannot be an alias"
        " — write the old address as a path from the site's root, e.g. /strait-watch/old-slug/",
        f"{SECOND}:4: the alias /brief/coast-guard/ is the address of this article's own address"
        " — an alias is an old address that no page has now; remove it",
        f"{SECOND}:4: the alias /old/ is also an alias of {ARTICLE}"
        " — an old address can lead to one page only; remove it from one of the articles",
    ]


def test_a_chinese_topic_gets_a_pinyin_address_and_its_old_address_redirects(tmp_path: Path) -> None:
    root = make_site(tmp_path, {ARTICLE: article("title: First Article\nauthors: [jane-doe]\ntopics: [解放军, Taiwan]\n")})
    build_site(root)
    page = soup(root / "_site/topics/jiefangjun/index.html")
    assert page.find("h1").get_text(strip=True).endswith("解放军")
    old = "topic-" + hashlib.sha256("解放军".encode()).hexdigest()[:8]
    assert_redirect(root, f"topics/{old}", "topics/jiefangjun/", "../../topics/jiefangjun/")
    assert not (root / "_site/topics/taiwan-redirect").exists()
    assert sorted(p.name for p in (root / "_site/topics").iterdir() if p.is_dir()) == sorted(["jiefangjun", old, "taiwan"])
    assert old not in (root / "_site/sitemap.xml").read_text(encoding="utf-8")
    assert old not in (root / "_site/topics/index.html").read_text(encoding="utf-8")


def test_topics_that_share_a_pinyin_address_are_reported(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        ARTICLE: article("title: First Article\nauthors: [jane-doe]\ntopics: [解放军]\n"),
        SECOND: article("title: Coast Guard\nauthors: [jane-doe]\ntopics: [解放軍, Jiefangjun]\n"),
    })
    assert errors_of(root) == [
        f"{SECOND}:4: the topics 'Jiefangjun' and '解放军' would share the page topics/jiefangjun/"
        " — spell the topic the same way everywhere, or rename one of them",
        f"{SECOND}:4: the topics '解放軍' and '解放军' would share the page topics/jiefangjun/"
        " — spell the topic the same way everywhere, or rename one of them",
    ]


def test_a_renamed_article_is_reported_with_the_alias_to_add(tmp_path: Path) -> None:
    root = make_site(tmp_path, {SECOND: article("title: Coast Guard\nauthors: [jane-doe]")})
    build_site(root)
    before = snapshot(root / "content")
    (root / SECOND).rename(root / f"{ISSUE_DIR}/02-coast-guard-role.md")
    report = build_site(root)
    assert warnings_of(report) == [
        f"{ISSUE_DIR}/02-coast-guard-role.md:1: warning [address-gone]: /brief/coast-guard/ was published by the last"
        " build and is gone; this article most likely replaced it"
        " — add 'aliases: [/brief/coast-guard/]' to its front-matter so that links to the old address keep working",
    ]
    # The slug changes in the file: the same article, by its path.
    path = root / f"{ISSUE_DIR}/02-coast-guard-role.md"
    path.write_text(article("title: Coast Guard\nauthors: [jane-doe]\nslug: role\naliases: [/brief/coast-guard/]"), encoding="utf-8")
    report = build_site(root)
    assert warnings_of(report) == [
        f"{ISSUE_DIR}/02-coast-guard-role.md:4: warning [address-gone]: /brief/coast-guard-role/ was published by the"
        " last build and is gone; this article most likely replaced it — add 'aliases: [/brief/coast-guard-role/]'"
        " to its front-matter so that links to the old address keep working",
    ]
    assert_redirect(root, "brief/coast-guard", "brief/role/", "../../brief/role/")
    # A removed article with no heir is named too; the content folder is never written to.
    (root / f"{ISSUE_DIR}/02-coast-guard-role.md").unlink()
    report = build_site(root)
    assert warnings_of(report) == [
        f"{ISSUE_DIR}/02-coast-guard-role.md: warning [address-gone]: /brief/role/ was published by the last build and"
        " is gone, and no article replaced it — if it lives on under another address, add 'aliases: [/brief/role/]'"
        " to that article's front-matter",
    ]
    del before[SECOND.removeprefix("content/")]
    assert snapshot(root / "content") == before


def test_without_the_cache_the_previous_outputs_sitemap_tells_what_is_gone(tmp_path: Path) -> None:
    import dataclasses

    from brief.pipeline import build
    from conftest import build_options

    root = make_site(tmp_path, {SECOND: article("title: Coast Guard\nauthors: [jane-doe]")})
    uncached = dataclasses.replace(build_options(root), use_cache=False)
    build(uncached)
    (root / SECOND).write_text(article("title: The Coast Guard\nauthors: [jane-doe]\nslug: coast-guards"), encoding="utf-8")
    assert warnings_of(build(uncached)) == [
        f"{SECOND}:4: warning [address-gone]: /brief/coast-guard/ was published by the last build and is gone;"
        " this article most likely replaced it — add 'aliases: [/brief/coast-guard/]' to its front-matter so that"
        " links to the old address keep working",
    ]
    (root / SECOND).unlink()
    assert warnings_of(build(uncached)) == [
        "content/brief/publication.yaml: warning [address-gone]: /brief/coast-guards/ was published by the last build"
        " and is gone, and no article replaced it — if it lives on under another address, add"
        " 'aliases: [/brief/coast-guards/]' to that article's front-matter",
    ]
