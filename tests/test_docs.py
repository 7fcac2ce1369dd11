"""The documentation's examples build, and its claims match the code.

* Every ```markdown block in docs/editing.md is real content:
  - a block that starts with ``---`` is a complete article, built in a small
    site of its own (or, annotated ``kind=author``, an author file);
  - any other block is a body fragment, rendered with
    :func:`brief.markdown.render_article`;
  both must produce no errors and no warnings. Examples of mistakes belong in
  ```text blocks, which are not built.
* Every ```yaml block in docs/editing.md parses with Brief's strict YAML reader
  and is checked by the real loader: as site.yaml, publication.yaml or
  issue.yaml when annotated ``kind=site|publication|issue``, otherwise as part of
  an article's front-matter.
* The README's quick start is exactly the two documented commands.
* docs/errors.md and the code agree: every message documented there (each
  ``### `message` `` heading) is one the code can print, and every message the
  code can print is documented.

A block may be annotated by an HTML comment on the line before its fence::

    <!-- test: file=01-winter-training.md issue_date="2025-12-10" -->

Values are JSON, or a bare word. Known names:

``file``          the article's file name (complete articles; default article.md)
``kind``          ``author`` for a Markdown author file; ``site``, ``publication``
                  or ``issue`` for a YAML block
``issue_date``    the issue date (default 2026-01-14, the date the examples assume)
``notes``         front-matter notes a fragment refers to: {"label": "text"}
``citations``     citation entries a fragment cites: {"key": {"outlet": ..., "url": ..., "date": "YYYY-MM-DD"}}
``expect``        strings the fragment's rendered HTML must contain
``expect_dates``  {"url": "YYYY-MM-DD"} or {"url": "accessed YYYY-MM-DD"} (``YYYY-MM`` for a
                  month without a day): the date the source list must record for that link
``files``         other content files a complete article's links lead to:
                  {"content-relative path": "text"}
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from brief.errors import WARNING_CODES, ContentError
from brief.markdown import render_article
from brief.model import ArticleSource, CitationEntry, NoteSource
from brief.pipeline import BuildOptions, build
from brief.sources import LineDict, parse_yaml, split_front_matter
from sites import write_file

ROOT = Path(__file__).resolve().parent.parent
EDITING = ROOT / "docs" / "editing.md"
ERRORS = ROOT / "docs" / "errors.md"
README = ROOT / "README.md"
ISSUE_DATE = dt.date(2026, 1, 14)

#: The authors the examples refer to by id.
AUTHORS = {
    "ana-lindqvist": "---\nname: Ana Lindqvist\naffiliation: Meridian Institute for Asian Security\n---\n\nAna Lindqvist is a senior fellow.\n",
    "tomas-berg": "---\nname: Tomas Berg\n---\n\nTomas Berg is a research associate.\n",
}
SITE_YAML = "title: Meridian Institute Briefs\nbase_url: https://briefs.example.org/\n"
PUBLICATION_YAML = "title: Strait Watch\n"


# -- reading fenced blocks -------------------------------------------------------------

@dataclass
class Block:
    """One fenced block of a Markdown document."""

    language: str
    text: str
    line: int  #: line of the opening fence (1-based)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.language}@line{self.line}"


_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_ANNOTATION = re.compile(r"^\s*<!--\s*test:(?P<body>.*?)-->\s*$")


def parse_annotation(text: str) -> dict[str, Any]:
    """``name=value`` pairs; a value is JSON, or else a bare word."""
    options: dict[str, Any] = {}
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        match = re.compile(r"\s*(\w+)=").match(text, pos)
        if not match:
            if text[pos:].strip():
                raise ValueError(f"cannot read the test annotation at: {text[pos:]!r}")
            return options
        pos = match.end()
        try:
            value, end = decoder.raw_decode(text, pos)
            if end < len(text) and not text[end].isspace():
                raise json.JSONDecodeError("not a whole value", text, end)  # e.g. 01-x.md
            pos = end
        except json.JSONDecodeError:
            word = re.compile(r"\S+").match(text, pos)
            assert word is not None, f"annotation {match.group(1)} has no value"
            value, pos = word.group(0), word.end()
        options[match.group(1)] = value


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block in ``path``, with the annotation on the line before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].strip().split()[0] if opening["info"].strip() else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        options: dict[str, Any] = {}
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k >= 0:
            note = _ANNOTATION.match(lines[k])
            if note:
                options = parse_annotation(note["body"])
        blocks.append(Block(language, "\n".join(body) + "\n", i + 1, options))
        i = j + 1
    return blocks


EDITING_BLOCKS = fenced_blocks(EDITING)
MARKDOWN_BLOCKS = [b for b in EDITING_BLOCKS if b.language == "markdown"]
ARTICLE_BLOCKS = [b for b in MARKDOWN_BLOCKS if b.text.startswith("---")]
FRAGMENT_BLOCKS = [b for b in MARKDOWN_BLOCKS if not b.text.startswith("---")]
YAML_BLOCKS = [b for b in EDITING_BLOCKS if b.language == "yaml"]


def test_editing_guide_has_examples() -> None:
    assert len(ARTICLE_BLOCKS) >= 3, "the guide should show complete articles"
    assert len(FRAGMENT_BLOCKS) >= 10, "the guide should show body fragments"
    assert len(YAML_BLOCKS) >= 5
    untyped = [b.line for b in EDITING_BLOCKS if not b.language]
    assert not untyped, f"fenced blocks in editing.md without a language (lines {untyped}); mark them markdown, yaml or text"


# -- a small site to build examples in ------------------------------------------------

def image_bytes(name: str) -> bytes:
    """A real, small image file in the format its name says."""
    suffix = name.rsplit(".", 1)[-1].lower()
    if suffix == "svg":
        return b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>\n'
    from PIL import Image

    formats = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}
    buffer = io.BytesIO()
    Image.new("RGB", (80, 45), (40, 80, 120)).save(buffer, format=formats.get(suffix, "PNG"))
    return buffer.getvalue()


_BODY_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


def images_in(front: Any, body: str) -> list[str]:
    """The image paths an article refers to: its lead image and its body images."""
    paths = []
    if isinstance(front, dict) and isinstance(front.get("image"), dict) and front["image"].get("src"):
        paths.append(str(front["image"]["src"]))
    paths += [p for p in _BODY_IMAGE.findall(body) if not re.match(r"^[a-z]+:", p)]
    return paths


class Project:
    """A project folder with a valid site: site.yaml, the example authors, one publication, one issue."""

    def __init__(self, root: Path, issue_date: dt.date = ISSUE_DATE):
        self.root = root
        self.content = root / "content"
        self.publication = self.content / "strait-watch"
        self.issue = self.publication / "2026-01-vol7-no1"
        self.write("site.yaml", SITE_YAML)
        for author_id, text in AUTHORS.items():
            self.write(f"authors/{author_id}.md", text)
        self.write("strait-watch/publication.yaml", PUBLICATION_YAML)
        self.write("strait-watch/2026-01-vol7-no1/issue.yaml", f"volume: 7\nnumber: 1\ndate: {issue_date.isoformat()}\n")

    def write(self, rel: str, data: str | bytes) -> Path:
        return write_file(self.content / rel, data)

    def add_article(self, file_name: str, text: str) -> None:
        path = self.issue / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        doc = split_front_matter(text, file_name)
        for src in images_in(doc.front_matter, doc.body):
            image = self.issue / src
            image.parent.mkdir(parents=True, exist_ok=True)
            if not image.exists():
                image.write_bytes(image_bytes(src))

    def build(self):
        """Build strictly (warnings fail too); return the report, or fail with the problems."""
        options = BuildOptions(content=self.content, project=self.root, out=self.root / "_site", strict=True)
        try:
            return build(options)
        except ContentError as exc:
            problems = "\n".join(str(d) for d in exc.diagnostics)
            pytest.fail(f"the example does not build cleanly:\n{problems}")


def simple_article(title: str) -> str:
    return f'---\ntitle: "{title}"\nauthors: [ana-lindqvist]\n---\n\nText of {title}.\n'


# -- complete articles -------------------------------------------------------------------

@pytest.mark.parametrize("block", ARTICLE_BLOCKS, ids=lambda b: b.id)
def test_complete_example_builds(block: Block, tmp_path: Path) -> None:
    issue_date = dt.date.fromisoformat(block.options.get("issue_date", ISSUE_DATE.isoformat()))
    project = Project(tmp_path, issue_date)
    if block.options.get("kind") == "author":
        project.write("authors/ana-lindqvist.md", block.text)
        project.add_article("01-article.md", simple_article("An Article"))
        report = project.build()
        assert "ana-lindqvist" in report.site.authors
        return
    file_name = block.options.get("file", "article.md")
    project.add_article(file_name, block.text)
    for rel, text in block.options.get("files", {}).items():
        project.write(rel, text)
    front = split_front_matter(block.text, "example").front_matter
    if front.get("draft") is True:  # an issue needs a published article to be published
        project.add_article("01-published.md", simple_article("Published"))
    report = project.build()
    published = [a for a in report.site.articles.values() if a.source.file_name == file_name]
    if front.get("draft") is True:
        assert published == [], "a draft must not be published"
    else:
        assert len(published) == 1
        page = tmp_path / "_site" / published[0].url / "index.html"
        assert page.is_file(), f"no page at {published[0].url}"


# -- body fragments -------------------------------------------------------------------------

def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def fragment_source(block: Block) -> ArticleSource:
    notes = tuple(NoteSource(str(label), text, 1) for label, text in block.options.get("notes", {}).items())
    citations = tuple(
        CitationEntry(
            key=key, outlet=entry["outlet"], url=entry["url"], date=_date(entry.get("date")),
            title=entry.get("title", ""), accessed=_date(entry.get("accessed")), line=1,
        )
        for key, entry in block.options.get("citations", {}).items()
    )
    return ArticleSource(
        path="docs/editing.md", file_name="example.md", issue_key="issue", slug="example",
        title="Example", authors=(), body=block.text, body_line=block.line + 1,
        notes=notes, citations=citations,
    )


@pytest.mark.parametrize("block", FRAGMENT_BLOCKS, ids=lambda b: b.id)
def test_body_fragment_renders(block: Block) -> None:
    issue_date = dt.date.fromisoformat(block.options.get("issue_date", ISSUE_DATE.isoformat()))
    content, problems = render_article(fragment_source(block), issue_date)
    assert not problems, "the example has problems:\n" + "\n".join(str(p) for p in problems)
    html = content.body_html + "".join(note.html for note in content.notes)
    for expected in block.options.get("expect", []):
        assert expected in html, f"expected {expected!r} in:\n{html}"
    sources = {s.url: s for s in content.sources}
    for url, expected in block.options.get("expect_dates", {}).items():
        assert url in sources, f"{url} is not in the source list"
        source = sources[url]
        # a source date prints as ISO 8601: 2025-12-09, or 2024-07 for a month without a day
        if expected.startswith("accessed "):
            assert str(source.accessed) == expected.split()[1], (url, source)
        else:
            assert str(source.date) == expected, (url, source)


def test_fragments_with_images_name_files_relative_to_the_article() -> None:
    for block in MARKDOWN_BLOCKS:
        for src in _BODY_IMAGE.findall(block.text):
            assert not src.startswith(("/", "http:", "https:")), f"line {block.line}: {src}"


# -- YAML examples ---------------------------------------------------------------------------

@pytest.mark.parametrize("block", YAML_BLOCKS, ids=lambda b: b.id)
def test_yaml_example_is_valid(block: Block, tmp_path: Path) -> None:
    data = parse_yaml(block.text, f"docs/editing.md:{block.line}")
    assert isinstance(data, LineDict), "a YAML example should be a mapping of keys"
    project = Project(tmp_path)
    kind = block.options.get("kind", "front-matter")
    if kind == "site":
        project.write("site.yaml", block.text)
        project.add_article("article.md", simple_article("An Article"))
    elif kind == "publication":
        project.write("strait-watch/publication.yaml", block.text)
        project.add_article("article.md", simple_article("An Article"))
    elif kind == "issue":
        project.write("strait-watch/2026-01-vol7-no1/issue.yaml", block.text)
        names = [str(n) for n in data.get("articles", [])] or ["article"]
        for name in names:
            file_name = name if name.endswith(".md") else name + ".md"
            project.add_article(file_name, simple_article(f"Article {name}"))
    else:
        assert kind == "front-matter", f"unknown kind {kind!r}"
        front = block.text
        if "title" not in data:
            front += 'title: "An Example"\n'
        if "authors" not in data:
            front += "authors: [ana-lindqvist]\n"
        refs = [f"[^{label}]" for label in (data.get("notes") or {})]
        refs += [f"[@{key}]" for key in (data.get("citations") or {})]
        body = "Text of the example. " + " ".join(refs) + "\n"
        project.add_article("article.md", f"---\n{front}---\n\n{body}")
    project.build()


# -- README quick start --------------------------------------------------------------------

QUICK_START = [
    "pip install -e . && python build.py",
    "pip install -e '.[test]' && python -m pytest",
]


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*$(?P<body>.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group("body")


def test_readme_quick_start_is_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_heading = re.search(r"^## .*$", text, re.M)
    assert first_heading and first_heading.group(0) == "## Quick start", "the README must open with its quick start"
    quick = section(text, "Quick start")
    commands = []
    for block in fenced_blocks_in_text(quick):
        commands += [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert commands == QUICK_START
    assert "_site/" in quick
    assert "python -m http.server -d _site 8000" in quick
    assert "http://localhost:8000/" in quick


def fenced_blocks_in_text(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```[ \t]*$", text, re.M | re.S)]


def test_readme_links_to_the_docs() -> None:
    text = README.read_text(encoding="utf-8")
    for name in ("docs/editing.md", "docs/errors.md", "docs/cli.md", "docs/images.md"):
        assert f"]({name})" in text, f"the README does not link to {name}"


def test_docs_link_to_existing_files_and_sections() -> None:
    for doc in (README, EDITING, ERRORS, ROOT / "docs" / "cli.md"):
        text = prose(doc.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            if not path:
                resolved = doc
            else:
                resolved = (doc.parent / path).resolve()
                if resolved.name == "images.md":  # written separately
                    continue
                assert resolved.exists(), f"{doc.name} links to a missing file: {target}"
            if anchor and resolved.suffix == ".md":
                assert anchor in heading_anchors(resolved.read_text(encoding="utf-8")), f"{doc.name}: no section #{anchor} in {resolved.name}"


def prose(text: str) -> str:
    """``text`` without its fenced blocks and code spans (their links are examples)."""
    text = re.sub(r"^[ \t]*```.*?^[ \t]*```[ \t]*$", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def heading_anchors(text: str) -> set[str]:
    """The anchors a Markdown renderer gives headings (GitHub's rule)."""
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


# -- errors.md against the code ---------------------------------------------------------------

#: Calls whose first string argument is a message an editor sees.
_FIRST_STRING = {"error", "warning", "_report", "report", "_warn"}
#: Calls whose message is a fixed positional argument.
_MESSAGE_ARG = {
    "Diagnostic": 1, "ConstructorError": 2, "UsageError": 0, "BuildLocked": 0,
    # what is wrong with an image file, printed after "the image '<path>' "
    "ImageProblem": 0, "refuse": 0,
}


def _template(node: ast.AST) -> str | None:
    """A string literal or f-string as a template: each ``{...}`` becomes ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def source_messages() -> dict[str, str]:
    """Every message template the code can print → where it is (file:line)."""
    found: dict[str, str] = {}

    def add(node: ast.AST | None, path: Path, line: int) -> None:
        text = _template(node) if node is not None else None
        if text is None:
            return
        for part in text.split("\n")[:1]:  # a multi-line message is known by its first line
            part = part.strip()
            if len(re.findall(r"[A-Za-z]", part.replace("brief:", ""))) >= 6:
                found.setdefault(part, f"{path.relative_to(ROOT)}:{line}")

    for path in sorted((ROOT / "brief").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name in _FIRST_STRING:
                    # the first string that is not a severity ("warning", "error") or a warning's code
                    message = (a for a in node.args if _template(a) not in (None, "warning", "error", *WARNING_CODES))
                    add(next(message, None), path, node.lineno)
                elif name in _MESSAGE_ARG and len(node.args) > _MESSAGE_ARG[name]:
                    add(node.args[_MESSAGE_ARG[name]], path, node.lineno)
                elif name == "write" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                        and node.func.value.id == "err" and node.args:
                    add(node.args[0], path, node.lineno)
                elif name == "append" and node.args and isinstance(node.args[0], ast.Tuple) and len(node.args[0].elts) >= 2:
                    add(node.args[0].elts[1], path, node.lineno)  # (line, message, hint, severity)
            elif isinstance(node, ast.FunctionDef) and node.name == "reference_problem":
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple):
                        add(ret.value.elts[0], path, ret.lineno)
    return found


@functools.lru_cache(maxsize=1)
def all_source_lines() -> tuple[str, ...]:
    """Every line of every string literal in brief/, as templates (for the documented → code check)."""
    lines: list[str] = []
    for path in sorted((ROOT / "brief").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                text = _template(node)
                if text:
                    lines += [part.strip() for part in text.split("\n") if part.strip()]
    return tuple(lines)


def template_regex(template: str) -> str:
    return ".+?".join(re.escape(part) for part in template.split("{}"))


def documented_messages() -> list[str]:
    """The messages docs/errors.md documents: each heading that is a single code span."""
    return re.findall(r"^#{3,4} `([^`]+)`\s*$", ERRORS.read_text(encoding="utf-8"), re.M)


def test_errors_doc_lists_messages() -> None:
    messages = documented_messages()
    assert len(messages) >= 60
    assert len(messages) == len(set(messages)), "a message is documented twice"


@pytest.mark.parametrize("message", documented_messages())
def test_documented_message_exists_in_the_code(message: str) -> None:
    """Each documented message is one the code can print (placeholders like {key} stand for any text)."""
    candidates = [message, message.removeprefix("brief: "), message.removeprefix("YAML error: ")]
    for template in all_source_lines():
        if len(template.replace("{}", "").strip()) < 6:
            continue
        pattern = template_regex(template)
        if any(re.fullmatch(pattern, c, re.S) for c in candidates):
            return
    pytest.fail(f"docs/errors.md documents {message!r}, but no message in brief/ reads like that any more")


def test_every_message_in_the_code_is_documented() -> None:
    documented = documented_messages()
    missing = [
        f"{where}: {template}"
        for template, where in sorted(source_messages().items(), key=lambda item: item[1])
        if not any(re.search(template_regex(template), doc, re.S) for doc in documented)
    ]
    assert not missing, "messages the code prints but docs/errors.md does not explain:\n" + "\n".join(missing)


def test_every_warning_code_is_documented_and_registered() -> None:
    """The table of warning codes in docs/errors.md is WARNING_CODES, and every code the code passes is registered."""
    table = re.findall(r"^\| `([a-z-]+)` \| ", ERRORS.read_text(encoding="utf-8"), re.M)
    assert sorted(table) == sorted(WARNING_CODES)
    used: set[str] = set()
    for path in sorted((ROOT / "brief").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) in _FIRST_STRING:
                strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                strings += [k.value.value for k in node.keywords if k.arg == "code" and isinstance(k.value, ast.Constant)]
                if "warning" in strings:
                    used.update(s for s in strings if re.fullmatch(r"[a-z]+(?:-[a-z]+)+", s))
    assert used, "no warning codes found in the code"
    assert used <= set(WARNING_CODES), f"codes used but not registered: {sorted(used - set(WARNING_CODES))}"
