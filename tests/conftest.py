"""Small inline sites for focused tests (Hugo's inline test sites, MkDocs' ``@tempdir``).

The ladder, from bottom to top:

* :data:`DEFAULT_FILES` — the smallest valid site: ``site.yaml``, one author,
  one publication, one issue, one article. Keys are paths relative to the
  project folder, so they read exactly like the paths in diagnostics
  (``content/brief/v1n1/01-first-article.md:2: ...``).
* :func:`make_site` — writes the defaults plus your ``files`` into a folder.
  A value replaces or adds a file (``str`` is written as UTF-8, ``bytes`` as
  is); ``None`` deletes a default file.
* :func:`build_site` / :func:`check_site` — run the real pipeline;
  :func:`errors_of` — the ``str(diagnostic)`` lines of a build that must fail.

Helpers that write the files for you: :func:`article` (front-matter text and a
body → an article file), :func:`articles` (N articles for one issue),
:func:`png` (a real, tiny image for ``image: src:`` or ``![...](...)``).

Fixtures: ``make_project`` (``make_site`` bound to ``tmp_path``),
``project`` (the default site, written) and ``built`` (the default site,
built into ``project/_site``).

Example::

    from conftest import ARTICLE, article, errors_of, make_site

    def test_rejects_unknown_author(tmp_path):
        project = make_site(tmp_path, {ARTICLE: article("title: T\\nauthors: [nobody]\\n")})
        assert errors_of(project) == ["content/brief/v1n1/01-first-article.md:3: unknown author ..."]

Line numbers in an article written with :func:`article`: line 1 is ``---``,
the front-matter text starts on line 2, and the body starts two lines after
the front-matter ends (closing ``---``, then one blank line).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable, Mapping

import pytest

from brief.errors import ContentError
from brief.pipeline import BuildOptions, BuildReport, build

#: Paths of the default files, relative to the project folder.
SITE = "content/site.yaml"
AUTHOR = "content/authors/jane-doe.md"
PUBLICATION = "content/brief/publication.yaml"
ISSUE_DIR = "content/brief/v1n1"
ISSUE = f"{ISSUE_DIR}/issue.yaml"
ARTICLE = f"{ISSUE_DIR}/01-first-article.md"

#: The default article's front-matter (lines 2–3 of the file) and body (line 6 on).
ARTICLE_FRONT = "title: First Article\nauthors: [jane-doe]\n"
ARTICLE_BODY = "The first paragraph of the first article.\n"


def article(front: str = ARTICLE_FRONT, body: str = ARTICLE_BODY) -> str:
    """The text of an article file: ``---``, ``front`` (YAML), ``---``, a blank line, ``body``.

    ``front`` starts on line 2 of the file; ``body`` on line ``front.count("\\n") + 4``.
    """
    if front and not front.endswith("\n"):
        front += "\n"
    return f"---\n{front}---\n\n{body}"


def body_line(front: str = ARTICLE_FRONT) -> int:
    """The file line of the first body line of ``article(front, ...)``."""
    if front and not front.endswith("\n"):
        front += "\n"
    return front.count("\n") + 4


DEFAULT_FILES: dict[str, str | bytes] = {
    SITE: "title: Test Brief\nbase_url: https://brief.example.org/\npdf: false\n",  # PDFs: tests/test_pdf.py
    AUTHOR: "---\nname: Jane Doe\naffiliation: Example Institute\n---\n\nJane Doe writes about tests.\n",
    PUBLICATION: "title: The Brief\n",
    ISSUE: "volume: 1\nnumber: 1\ndate: 2025-12-09\n",
    ARTICLE: article(),
}


def articles(n: int, issue_dir: str = ISSUE_DIR, authors: str = "[jane-doe]") -> dict[str, str | None]:
    """``n`` valid articles ``01-article-1.md`` … in ``issue_dir``, replacing the default article.

    Their slugs are ``article-1`` … ``article-n``; titles ``Article 1`` …
    """
    files: dict[str, str | None] = {ARTICLE: None} if issue_dir == ISSUE_DIR else {}
    for i in range(1, n + 1):
        files[f"{issue_dir}/{i:02d}-article-{i}.md"] = article(
            f"title: Article {i}\nauthors: {authors}\n", f"Paragraph of article {i}.\n"
        )
    return files


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG image of the given size (the image stage reads its header)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_site(root: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """Write the default site overlaid with ``files`` into ``root``; return ``root`` (the project).

    ``files`` maps a project-relative path to its text (``str``), its bytes, or
    ``None`` to leave out a default file. Folders are created as needed.
    """
    merged: dict[str, str | bytes | None] = {**DEFAULT_FILES, **(files or {})}
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in merged.items():
        path = root / rel
        if data is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            # newline="" keeps the text byte-exact (tests of CRLF rely on it)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(data)
    return root


def build_options(project: Path, strict: bool = False, write: bool = True) -> BuildOptions:
    """Options for building ``project/content`` into ``project/_site`` (or checking only)."""
    return BuildOptions(
        content=project / "content",
        project=project,
        out=project / "_site" if write else None,
        strict=strict,
    )


def build_site(project: Path, strict: bool = False) -> BuildReport:
    """Build ``project/content`` into ``project/_site``; raises ContentError on content errors."""
    return build(build_options(project, strict))


def check_site(project: Path, strict: bool = False) -> BuildReport:
    """Check ``project/content`` like ``brief check``: the whole pipeline, nothing written."""
    return build(build_options(project, strict, write=False))


def errors_of(project: Path, strict: bool = False) -> list[str]:
    """The ``str(diagnostic)`` lines of a build that must fail (the test fails if it succeeds).

    Lines come in the build's report order (sorted by file, line, message) and
    include warnings that were reported along with the errors.
    """
    try:
        build_site(project, strict)
    except ContentError as exc:
        return [str(d) for d in exc.diagnostics]
    pytest.fail("the build succeeded but was expected to fail")


def warnings_of(report: BuildReport) -> list[str]:
    """The ``str(diagnostic)`` lines of the warnings of a successful build."""
    return [str(d) for d in report.diagnostics.warnings]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative posix path → bytes), to compare before/after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """``make_site`` bound to this test's ``tmp_path``: ``make_project({path: text})``."""

    def factory(files: Mapping[str, str | bytes | None] | None = None) -> Path:
        return make_site(tmp_path, files)

    return factory


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    """The default site, written into ``tmp_path`` (not built)."""
    return make_project()


@pytest.fixture
def built(project: Path) -> BuildReport:
    """The default site, built into ``project/_site``."""
    return build_site(project)
