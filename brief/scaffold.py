"""Commands that write content for editors: ``brief init``, ``brief new issue|article|author``.

They are not builds: they write files into the content folder (never into an output
folder), then load the content with the load stage's own checks to prove that what
they wrote is valid. A file that would not load is taken back, so a failed command
leaves the content as it was. No command ever overwrites a file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Iterable

from .cache import CACHE_FOLDER, SourceCache
from .errors import ContentError, Diagnostics, UsageError, did_you_mean
from .load import SLUG, LoadedContent, Loader, slugify
from .model import Issue, Publication
from .options import PACKAGE_ROOT
from .cadence import parse_schedule
from .sources import LineDict, SourceError, load_yaml_file, parse_yaml

#: The CI recipes (docs/publishing.md); ``brief init`` writes the GitHub Actions one.
RECIPES = PACKAGE_ROOT / "recipes"
#: Where ``brief init`` puts the GitHub Actions recipe in the new site.
WORKFLOW = Path(".github") / "workflows" / "publish.yml"


@dataclass
class Written:
    """The files a command wrote or changed, so that they can be taken back."""

    created: list[Path] = field(default_factory=list)
    #: Changed files, with their text before the change.
    changed: list[tuple[Path, bytes]] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)

    def create(self, path: Path, text: str) -> Path:
        """Write a new file (never over an existing one), making its folders."""
        missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        self.folders += reversed(missing)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        self.created.append(path)
        return path

    def change(self, path: Path, text: str) -> None:
        self.changed.append((path, path.read_bytes()))
        path.write_text(text, encoding="utf-8", newline="")

    def undo(self) -> None:
        for path in self.created:
            path.unlink(missing_ok=True)
        for path, before in self.changed:
            path.write_bytes(before)
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:
                pass


def local_today() -> dt.date:
    """Today on this machine's calendar: the date a new issue gets by default."""
    return dt.date.today()


class Scaffold:
    """Writes content into ``content`` (display paths relative to ``project``)."""

    def __init__(self, content: Path, project: Path, today: dt.date | None = None):
        self.content = content
        self.project = project
        self.today = today or local_today()
        self.written = Written()
        #: Load through the build's cache (``brief init`` starts a site without one).
        self.cached = True

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.project).as_posix()
        except ValueError:
            return path.as_posix()

    def load(self, diagnostics: Diagnostics | None = None) -> LoadedContent:
        """The content as the build loads it, through the build's source cache (so that it is
        quick after a build). Problems go to ``diagnostics`` (by default, nowhere: :meth:`prove`
        checks the files a command wrote)."""
        cache = SourceCache.open(self.project / CACHE_FOLDER if self.cached else None)
        loaded = Loader(self.content, self.project, Diagnostics() if diagnostics is None else diagnostics, cache).load()
        cache.save()
        return loaded

    def prove(self) -> None:
        """Load the content again; if a file this command wrote has a problem, take back
        everything it wrote and raise :class:`ContentError` with those problems."""
        diagnostics = Diagnostics()
        self.load(diagnostics)
        touched = {self.display(p) for p in self.written.created} | {self.display(p) for p, _ in self.written.changed}
        ours = [d for d in diagnostics if d.location.path in touched]
        if any(d.severity == "error" for d in ours):
            self.written.undo()
            raise ContentError(ours)

    # -- brief new author --------------------------------------------------------------------
    def new_author(self, author_id: str | None, name: str | None, affiliation: str | None) -> Path:
        if author_id is None:
            if not name:
                raise UsageError("give the author's id, or their name with --name")
            author_id = author_id_for(name)
            if not author_id:
                raise UsageError(f"cannot make an author id from the name '{name}' (give the id: brief new author ID --name NAME)")
        elif not SLUG.match(author_id):
            suggestion = author_id_for(author_id)
            raise UsageError(
                f"'{author_id}' cannot be an author id: use lowercase letters, digits and hyphens"
                + (f" (for example: brief new author {suggestion} --name {json.dumps(author_id, ensure_ascii=False)})" if suggestion else "")
            )
        path = self.content / "authors" / f"{author_id}.md"
        if path.exists():
            raise UsageError(f"{self.display(path)} already exists; an author is written once (edit that file)")
        name = name or " ".join(part.capitalize() for part in author_id.split("-"))
        lines = ["---", f"name: {_quoted(name)}"]
        if affiliation:
            lines.append(f"affiliation: {_quoted(affiliation)}")
        lines += ["# links:", "#   web: https://example.org/people/" + author_id, "---", "",
                  f"{name} writes for this publication. (Replace this line with a short bio.)", ""]
        self.written.create(path, "\n".join(lines))
        self.prove()
        return path

    # -- brief new issue ---------------------------------------------------------------------
    def new_issue(self, publication_slug: str | None, date: dt.date | None) -> Path:
        loaded = self.load()
        publication = self.publication(loaded, publication_slug)
        folder = self.project / publication.folder
        settings = _publication_settings(folder / "publication.yaml", self.display(folder / "publication.yaml"))
        issues = [i for i in loaded.issues if i.publication == publication.slug]
        latest = max(issues, key=_issue_order) if issues else None
        if date is None:
            schedule = parse_schedule(str(settings.get("schedule") or ""))
            date = schedule.next_date(latest.date, self.today) if schedule and latest else self.today
        if latest is None:
            volume, number = 1, 1
        elif settings.get("yearly_volumes") is True and date.year > latest.date.year:
            volume, number = latest.volume + date.year - latest.date.year, 1
        else:
            volume = latest.volume
            number = max(i.number for i in issues if i.volume == volume) + 1
        path = folder / f"{date:%Y-%m}-vol{volume}-no{number}" / "issue.yaml"
        if path.parent.exists():
            raise UsageError(f"{self.display(path.parent)} already exists; give another --date, or rename that folder")
        self.written.create(path, ISSUE_YAML.substitute(volume=volume, number=number, date=date.isoformat()))
        self.prove()
        return path

    def publication(self, loaded: LoadedContent, slug: str | None) -> Publication:
        publications = loaded.publications
        names = [p.slug for p in publications]
        if not publications:
            raise UsageError(f"{self.display(self.content)} holds no publication (a folder with a publication.yaml); start one with brief init")
        if slug is not None:
            for publication in publications:
                if slug in (publication.slug, Path(publication.folder).name):
                    return publication
            raise UsageError(f"there is no publication '{slug}' — {did_you_mean(slug, names)}")
        if len(publications) > 1:
            raise UsageError(f"the site has {len(publications)} publications ({', '.join(names)}): name one with --publication SLUG")
        return publications[0]

    # -- brief new article -------------------------------------------------------------------
    def new_article(
        self, title: str, authors: list[str], issue_folder: str | None, publication_slug: str | None, slug: str | None
    ) -> Path:
        if not title.strip():
            raise UsageError("the article needs a title: brief new article \"Title\" --authors ID")
        loaded = self.load()
        issue = self.issue(loaded, issue_folder, publication_slug)
        for author in authors:
            if author not in loaded.authors:
                hint = did_you_mean(author, loaded.authors, list_others=False)
                raise UsageError(f"there is no author '{author}' in {self.display(self.content / 'authors')}/ — "
                                 + (hint or f"add one with: brief new author {author} --name \"Their Name\""))
        slug = slug or slugify(title)
        if not slug or not SLUG.match(slug):
            raise UsageError(f"cannot make a slug from the title '{title}': give one with --slug")
        for other in loaded.articles:
            if other.slug == slug and loaded_publication(loaded, other.issue_key) == issue.publication:
                raise UsageError(f"{other.path} already has the slug '{slug}': give this article another with --slug")
        folder = self.project / issue.key
        path = folder / f"{slug}.md"
        if path.exists():
            raise UsageError(f"{self.display(path)} already exists; give the article another --slug")
        yaml_path = folder / "issue.yaml"
        text = yaml_path.read_text(encoding="utf-8")
        files = sorted(p.name for p in folder.glob("*.md") if not p.name.startswith((".", "_")))
        updated = add_to_article_list(text, path.name, files, self.display(yaml_path))
        self.written.create(path, ARTICLE.substitute(
            title=_quoted(title), authors=", ".join(authors), date=issue.date.isoformat(),
        ))
        self.written.change(yaml_path, updated)
        self.prove()
        return path

    def issue(self, loaded: LoadedContent, folder: str | None, publication_slug: str | None) -> Issue:
        if folder is not None:
            wanted = Path(folder)
            for base in (Path.cwd(), self.project, self.content):
                candidate = (base / wanted).resolve()
                for issue in loaded.issues:
                    if (self.project / issue.key).resolve() == candidate:
                        return issue
            matches = [i for i in loaded.issues if Path(i.key).name == wanted.name]
            if len(matches) == 1:
                return matches[0]
            names = [Path(i.key).name for i in loaded.issues]
            hint = did_you_mean(wanted.name, names, list_others=False) or "give the path of a folder that holds an issue.yaml"
            raise UsageError(f"there is no issue folder '{folder}' — {hint}")
        publication = self.publication(loaded, publication_slug)
        issues = [i for i in loaded.issues if i.publication == publication.slug]
        if not issues:
            raise UsageError(f"{publication.folder} has no issue yet: start one with brief new issue")
        return max(issues, key=_issue_order)

    # -- brief init --------------------------------------------------------------------------
    def init_site(self, title: str, force: bool) -> tuple[list[Path], list[Path]]:
        """Write a new site into the project folder; returns the files written and the files kept."""
        root = self.project
        if root.exists() and not root.is_dir():
            raise UsageError(f"{root} is a file, not a folder")
        if root.is_dir() and not force:
            entries = sorted(e.name for e in root.iterdir() if e.name != ".git")
            if entries:
                shown = ", ".join(entries[:5]) + (", …" if len(entries) > 5 else "")
                raise UsageError(
                    f"{root} is not empty ({shown}); brief init starts a site in an empty folder "
                    "(use --force to add the missing files beside what is there, never overwriting one)"
                )
        self.cached = False
        publication = slugify(title) or "brief"
        issue = f"{self.today:%Y-%m}-vol1-no1"
        files: dict[str, str] = {
            ".gitignore": "# What Brief writes: the site and its cache.\n_site/\n.brief-cache/\n",
            WORKFLOW.as_posix(): (RECIPES / "github-pages.yml").read_text(encoding="utf-8"),
            "content/site.yaml": SITE_YAML.substitute(title=_quoted(title)),
            "content/authors/jane-doe.md": AUTHOR,
            f"content/{publication}/publication.yaml": PUBLICATION_YAML.substitute(title=_quoted(title)),
            f"content/{publication}/{issue}/issue.yaml": ISSUE_YAML.substitute(
                volume=1, number=1, date=self.today.isoformat()).replace("articles: []", "articles:\n  - how-an-article-is-written.md"),
            f"content/{publication}/{issue}/how-an-article-is-written.md": EXAMPLE_ARTICLE,
            f"content/{publication}/{issue}/images/articles-per-issue.svg": EXAMPLE_CHART,
        }
        written, kept = [], []
        for rel, text in files.items():
            path = root / rel
            if path.exists():
                kept.append(path)
            else:
                written.append(self.written.create(path, text))
        self.prove()
        return written, kept


def loaded_publication(loaded: LoadedContent, issue_key: str) -> str:
    for issue in loaded.issues:
        if issue.key == issue_key:
            return issue.publication
    return ""


def _issue_order(issue: Issue) -> tuple[dt.date, int, int]:
    return (issue.date, issue.volume, issue.number)


def _publication_settings(path: Path, display: str) -> dict[str, object]:
    try:
        data = load_yaml_file(path, display)
    except SourceError as exc:
        raise ContentError([exc.diagnostic]) from None
    return dict(data) if isinstance(data, dict) else {}


def _quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def author_id_for(name: str) -> str:
    """An author id from a name: ``Jane Doe`` → ``jane-doe``; a Chinese name in pinyin, the
    family name apart from the given name (``林嘉慧`` → ``lin-jiahui``)."""
    name = name.strip()
    if re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}", name):
        from pypinyin import lazy_pinyin

        syllables = lazy_pinyin(name)
        return slugify(syllables[0] + " " + "".join(syllables[1:]))
    return slugify(name)


def add_to_article_list(text: str, file_name: str, files: Iterable[str], display: str) -> str:
    """The text of an ``issue.yaml`` with ``file_name`` added at the end of its ``articles:``
    list, everything else (comments, order, quoting) left as it was. Without a list, one is
    made of the issue's files (``files``, in their order) followed by the new one.
    Raises :class:`UsageError` when the list is written in a way this cannot extend."""
    try:
        data = parse_yaml(text, display)
    except SourceError as exc:
        raise ContentError([exc.diagnostic]) from None
    if not isinstance(data, LineDict):
        raise UsageError(f"{display} is not a mapping of keys and values; fix it before adding an article")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    current = data.get("articles")
    existing = [str(item) for item in current] if isinstance(current, list) else []
    bare = bool(existing) and not any(item.endswith(".md") for item in existing)
    entry = file_name[:-3] if bare else file_name
    if "articles" not in data or current is None:
        entries = [*(f for f in files if f != file_name), file_name]
        block = ["articles:\n", *(f"  - {name}\n" for name in entries)]
        if "articles" in data:
            index = data.lines["articles"] - 1
            lines[index:index + 1] = block
        else:
            lines += block
        expected = entries
    else:
        index = data.lines["articles"] - 1
        line = lines[index]
        flow = re.match(r"^(articles\s*:\s*\[)(.*)(\]\s*(#.*)?\n)$", line)
        if flow and flow.group(2).strip():
            lines[index] = flow.group(1) + f"{flow.group(2).rstrip()}, {entry}" + flow.group(3)
        elif flow:  # an empty list, as `brief new issue` writes it: becomes one item a line
            comment = f"  {flow.group(4)}" if flow.group(4) else ""
            lines[index:index + 1] = [f"articles:{comment}\n", f"  - {entry}\n"]
        elif re.match(r"^articles\s*:\s*(#.*)?\n$", line):
            last, indent = index, "  "
            for number in range(index + 1, len(lines)):
                stripped = lines[number].strip()
                if not stripped or stripped.startswith("#"):
                    continue
                if not lines[number][0].isspace() and not stripped.startswith("-"):
                    break
                if stripped.startswith("-"):
                    if last == index:
                        indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
                    last = number
            lines.insert(last + 1, f"{indent}- {entry}\n")
        else:
            raise UsageError(f"cannot add to the 'articles:' list of {display} as it is written; add {file_name} to it by hand")
        expected = [*existing, entry]
    updated = "".join(lines)
    check = parse_yaml(updated, display)
    if [str(item) for item in check.get("articles") or []] != expected or {k: v for k, v in check.items() if k != "articles"} != {
        k: v for k, v in data.items() if k != "articles"
    }:
        raise UsageError(f"cannot add to the 'articles:' list of {display} as it is written; add {file_name} to it by hand")
    return updated


SITE_YAML = Template("""\
# The site: see the editor's guide (docs/editing.md in Brief's repository).
title: $title
# The address the site is served from: change it before you publish.
base_url: https://briefs.example.net/
language: en
# publisher: "Your Institute"
description: "A research brief."
""")

PUBLICATION_YAML = Template("""\
title: $title
description: "What this brief covers, in one sentence."
# How often issues appear: `brief new issue` dates the next issue by it.
schedule: every 14 days
# true: a new volume starts with the first issue of each year.
yearly_volumes: true
""")

ISSUE_YAML = Template("""\
volume: $volume
number: $number
date: $date
# title: "A special issue's title"
# The articles in the order they appear; `brief new article` adds to this list.
articles: []
""")

ARTICLE = Template("""\
---
title: $title
authors: [$authors]
date: $date
summary:
  - "Replace this line with the article's main finding, in one sentence."
---

Write the article here. Cite each source where you use it, with the outlet and the date
([Outlet](https://example.org/source), January 12).
""")

AUTHOR = """\
---
name: "Jane Doe"
affiliation: "Your Institute"
---

Jane Doe is an analyst. Each author has a file like this one in content/authors/;
the file's name (jane-doe) is the id that articles use.
"""

EXAMPLE_ARTICLE = """\
---
title: "How an Article Is Written"
authors: [jane-doe]
summary:
  - "An article is a Markdown file with its front-matter between two lines of three hyphens."
  - "Sources are cited where they are used, in parentheses, with the outlet and the date."
topics: [House style]
notes:
  1: "Notes are numbered in the order the text first refers to them."
---

Every claim names its source in the running text, with the outlet linked to the
page and the date of the report ([Example News](https://example.org/news/0112), January 12).
A year is given when it is not the issue's year ([Example Review](https://example.org/review/2018), March 29, 2018).
Details that would interrupt the text go into a note.[^1]

Table 1: How the parts of an article are written

| Part | Written as |
|---|---|
| Citation | `([Outlet](https://…), January 12)` |
| Note | `[^1]` in the text, the note under `notes:` |
| Caption | `Table 1: …` above a table, `Figure 1: …` above an image |

(Source: the editor's guide)

Figure 1: Articles in each issue

![Bar chart of the number of articles in four issues: 4, 5, 5 and 6](images/articles-per-issue.svg)

(Source: the publication's archive)
"""

EXAMPLE_CHART = """\
<svg xmlns="http://www.w3.org/2000/svg" width="480" height="240" viewBox="0 0 480 240">
  <rect width="480" height="240" fill="#ffffff"/>
  <g fill="#2f6f8f">
    <rect x="40" y="100" width="80" height="100"/>
    <rect x="150" y="75" width="80" height="125"/>
    <rect x="260" y="75" width="80" height="125"/>
    <rect x="370" y="50" width="80" height="150"/>
  </g>
  <line x1="30" y1="200" x2="460" y2="200" stroke="#1d2b33" stroke-width="2"/>
</svg>
"""
