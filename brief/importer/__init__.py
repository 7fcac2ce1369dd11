"""``brief import``: bring an archive of published articles into Brief content.

Two entry points, both writing content for editors and never output:

* :func:`import_pages` reads saved HTML article pages into one issue folder;
* :func:`import_export` reads a WordPress export (WXR) into a publication, one issue folder
  per volume and issue that the posts state (or per publication date).

Both then check what they wrote with the build's own checks (load, Markdown, images), and
print, with file and line, everything the editor must still fix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from pathlib import Path
from typing import TextIO

from ..errors import ContentError, Diagnostic, Diagnostics, SourceLocation, UsageError
from ..sources import SourceError, is_within, load_yaml_file
from .issue import Authors, Imported, IssueImport, PlannedFile
from .page import ISSUE_TEXT, MAX_PAGE_BYTES, PageError, decode, parse, read_page

__all__ = ["import_pages", "import_export", "run"]


class Session:
    """One run of the importer: where content is, what was written, what to report."""

    def __init__(self, content: Path, project: Path, force: bool, out: TextIO, quiet: bool = False):
        self.content = content
        self.project = project
        self.force = force
        self.out = out
        self.quiet = quiet
        self.diagnostics = Diagnostics()
        self.written: list[Path] = []
        self.authors = Authors(content / "authors")
        self.articles = 0
        self.images = 0
        self.missing: list[tuple[str, str]] = []  #: (article file, image address) not found

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def say(self, text: str) -> None:
        if not self.quiet:
            self.out.write(text + "\n")

    def write(self, planned: PlannedFile, allowed: Path) -> bool:
        """Write one planned file inside ``allowed``; an existing file is replaced only when
        the plan says so (issue.yaml) or with --force. Returns whether it was written."""
        path = planned.path
        if not is_within(path.parent.resolve() / path.name, allowed.resolve()):
            raise UsageError(f"refusing to write {self.display(path)}: it is outside {self.display(allowed)}")
        existed = path.exists() or path.is_symlink()
        if existed and path.is_symlink():
            raise UsageError(f"refusing to write {self.display(path)}: it is a symbolic link")
        if existed and not (planned.replace or self.force):
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.import-{os.getpid()}")
        temporary.write_bytes(planned.data)
        os.replace(temporary, path)
        self.written.append(path)
        self.say(f"  {'replaced' if existed else 'wrote'} {self.display(path)}{' (--force)' if existed and not planned.replace else ''}")
        return True

    def write_issue(self, issue: IssueImport, **stated: object) -> None:
        """Write an issue's articles (never over an existing one without --force), their
        images, new authors and issue.yaml."""
        written: list[Imported] = []
        for article in issue.articles:
            assert article.file is not None
            if article.file.exists() and not self.force:
                self.diagnostics.warning(
                    SourceLocation(self.display(article.file)),
                    f"not imported from {article.origin}: the article file already exists and was not overwritten",
                    "use --force to replace it",
                )
                continue
            written.append(article)
        issue_file, issue_date = issue.issue_file(written, **stated)  # type: ignore[arg-type]
        used_authors = {author_id for article in written for author_id in article.authors}
        for author_id, planned in list(self.authors.new.items()):
            if author_id in used_authors and self.write(planned, self.content / "authors"):
                del self.authors.new[author_id]
        for article in written:
            assert article.file is not None
            for image in article.images:
                if not image.path.exists() and self.write(image, issue.folder):
                    self.images += 1
            text, problems = article.render(issue_date)
            self.write(PlannedFile(article.file, text.encode("utf-8")), issue.folder)
            self.articles += 1
            where = self.display(article.file)
            for line, message in problems:
                self.diagnostics.warning(SourceLocation(where, line), message)
        if issue_file is not None:
            self.write(issue_file, issue.folder)
        self.missing += issue.missing_images

    def check(self, err: TextIO) -> int:
        """Check the content with the build's own checks; print what concerns the files this
        run wrote. Returns the number of problems printed."""
        from ..options import BuildOptions
        from ..pipeline import Build

        mine = {self.display(p) for p in self.written}
        folders = {self.display(p.parent) + "/" for p in self.written}
        options = BuildOptions(content=self.content, project=self.project, out=None, strict=False, use_cache=False)
        try:
            report = Build(options).run()
            found: list[Diagnostic] = list(report.diagnostics.warnings)
        except ContentError as exc:
            found = exc.diagnostics
        except Exception as exc:  # the files are written: say so, whatever went wrong in the check
            err.write(f"brief: cannot check the imported content: {type(exc).__name__}: {exc}; run brief check\n")
            return 1
        relevant = [d for d in found if d.location.path in mine or any(d.location.path.startswith(f) for f in folders)]
        for diagnostic in relevant:
            err.write(f"{diagnostic}\n")
        others = len(found) - len(relevant)
        if others:
            err.write(f"brief: the content has {others} other problem{'s' if others != 1 else ''} in files this import did not write; run brief check to see them\n")
        return len(relevant)


def collect_pages(paths: list[str], project: Path) -> list[Path]:
    pages: list[Path] = []
    for name in paths:
        path = Path(name)
        path = path if path.is_absolute() else project / path
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file())
            if not found:
                raise UsageError(f"no HTML pages (.html, .htm) in {name}")
            pages += found
        elif path.is_file():
            pages.append(path)
        else:
            raise UsageError(f"{name} does not exist")
    return pages


def publication_of(folder: Path) -> tuple[Path, str]:
    """The content folder and publication slug of a publication folder."""
    if not (folder / "publication.yaml").is_file():
        raise UsageError(f"{folder} is not a publication folder: it has no publication.yaml (create it first, with at least 'title:')")
    if not (folder.parent / "site.yaml").is_file():
        raise UsageError(f"{folder.parent} is not a content folder: it has no site.yaml")
    slug = folder.name
    try:
        data = load_yaml_file(folder / "publication.yaml", "publication.yaml")
        if isinstance(data, dict) and isinstance(data.get("slug"), str):
            slug = data["slug"]
    except SourceError:
        pass
    return folder.parent, slug


def read_pages(session: Session, issue: IssueImport, pages: list[Path]) -> None:
    for path in pages:
        where = SourceLocation(session.display(path))
        try:
            size = path.stat().st_size
            if size > MAX_PAGE_BYTES:
                raise PageError(f"the page is {size // 1024} KiB, larger than the {MAX_PAGE_BYTES // 1024 // 1024} MiB an imported page may be")
            page = read_page(parse(decode(path.read_bytes())))
        except PageError as exc:
            session.diagnostics.error(where, f"cannot import the page: {exc}")
            continue
        except OSError as exc:
            session.diagnostics.error(where, f"cannot read the page: {exc.strerror or exc}")
            continue
        except RecursionError:
            session.diagnostics.error(where, "cannot import the page: its markup nests too deeply")
            continue
        except Exception as exc:  # a bug in the importer must not stop the other pages
            session.diagnostics.error(where, internal_error(exc))
            continue
        try:
            issue.add(page, where.path, path)
        except RecursionError:
            session.diagnostics.error(where, "cannot import the page: its markup nests too deeply")
        except Exception as exc:
            session.diagnostics.error(where, internal_error(exc))


def internal_error(exc: Exception, what: str = "page") -> str:
    return f"cannot import the {what}: {type(exc).__name__} in the importer ({exc}); this is a bug in Brief: please report it with the {what}"


def import_pages(session: Session, paths: list[str], into: Path, uploads: Path | None) -> None:
    """Import saved article pages into the issue folder ``into``."""
    content, slug = publication_of(into.parent)
    if into.exists() and not into.is_dir():
        raise UsageError(f"{into} is not a folder")
    if into.is_symlink() or not is_within(into.resolve(), content.resolve()):
        raise UsageError(f"{into} leads outside the content folder {content}")
    pages = collect_pages(paths, session.project)
    issue = IssueImport(into, slug, session.authors, session.diagnostics, session.display, uploads, session.force)
    read_pages(session, issue, pages)
    if not issue.articles:
        return
    session.write_issue(issue)


def import_export(session: Session, export: Path, publication: Path, uploads: Path | None, issue_from: str, pattern: str | None) -> None:
    """Import the posts of a WordPress export into ``publication``, one issue folder per issue."""
    from .wxr import ExportError, group_posts, read_export

    content, slug = publication_of(publication)
    try:
        regex = re.compile(pattern, re.I) if pattern else ISSUE_TEXT
        if regex.groups < 2:
            raise UsageError("--issue-pattern must have two groups: the volume and the issue number")
    except re.error as exc:
        raise UsageError(f"--issue-pattern is not a regular expression: {exc}") from exc
    if not (issue_from in ("auto", "category", "tag", "date") or re.fullmatch(r"field:[^,\s]+(,[^,\s]+)?", issue_from)):
        raise UsageError(f"--issue-from must be auto, category, tag, date or field:KEY, not '{issue_from}'")
    where = SourceLocation(session.display(export))
    try:
        posts, failures = read_export(export)
    except ExportError as exc:
        session.diagnostics.error(where, str(exc))
        return
    except RecursionError:
        session.diagnostics.error(where, "cannot read the WordPress export: its markup nests too deeply")
        return
    except Exception as exc:  # a bug in the importer: one clear line, no traceback
        session.diagnostics.error(where, internal_error(exc, "export"))
        return
    for failure in failures:
        session.diagnostics.error(where, failure)
    groups = group_posts(posts, issue_from, regex)
    by_year: dict[int, list[dt.date]] = {}
    dated = sorted(k for k in groups if isinstance(k, dt.date))
    for day in dated:
        by_year.setdefault(day.year, []).append(day)
    first_year = min(by_year) if by_year else 0
    for key in sorted(groups, key=lambda k: (groups[k][0].page.date or dt.date.min, str(k))):
        members = groups[key]
        stated: dict[str, object] = {}
        if isinstance(key, tuple):
            volume, number = key
            latest = max((p.page.date for p in members if p.page.date), default=None)
            name = f"{latest:%Y-%m}-vol{volume}-no{number}" if latest else f"vol{volume}-no{number}"
            stated = {"volume": volume, "number": number}
        else:
            day = key
            name = f"{day:%Y-%m-%d}"
            stated = {"volume": day.year - first_year + 1, "number": by_year[day.year].index(day) + 1, "date": day}
        folder = publication / name
        issue = IssueImport(folder, slug, session.authors, session.diagnostics, session.display, uploads, session.force)
        for post in members:
            post.page.topics = [t for t in post.page.topics if not regex.search(t)]
            try:
                article = issue.add(post.page, f"{where.path}: post {post.id}", None, post.slug.lower(), draft=post.status != "publish")
            except Exception as exc:  # as for pages: the other posts are still imported
                session.diagnostics.error(where, f"post {post.id}: " + internal_error(exc, "post"))
                continue
            article.problems += post.problems
            if post.status != "publish":
                article.problems.append(f"the post's status is '{post.status}': it was imported as a draft")
        if not isinstance(key, tuple) and not (folder / "issue.yaml").exists():
            session.diagnostics.warning(
                SourceLocation(session.display(folder / "issue.yaml")),
                f"the posts do not say their volume and issue: numbered by date as volume {stated['volume']}, issue {stated['number']}",
                "check the numbers in issue.yaml",
            )
        session.write_issue(issue, **stated)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``brief import``: exit 0 when everything imported passes ``brief check --strict``,
    1 when something is left to fix (all of it printed), 2 for a usage error."""
    project = Path.cwd()
    uploads = Path(args.uploads) if args.uploads else None
    if uploads is not None and not uploads.is_dir():
        err.write(f"brief: the uploads folder {args.uploads} does not exist\n")
        return 2
    try:
        if args.wxr:
            if args.pages or args.into:
                raise UsageError("give either pages with --into, or --wxr with --publication, not both")
            if not args.publication:
                raise UsageError("--wxr needs --publication content/<publication>")
            publication = Path(args.publication)
            content, _ = publication_of(publication)
            session = Session(content, project, args.force, out, args.quiet)
            import_export(session, Path(args.wxr), publication, uploads, args.issue_from, args.issue_pattern)
        else:
            if not args.pages:
                raise UsageError("name the pages to import (files or folders), or a WordPress export with --wxr")
            if not args.into:
                raise UsageError("--into is missing: name the issue folder to import into, content/<publication>/<issue-folder>")
            into = Path(args.into)
            content, _ = publication_of(into.parent)
            session = Session(content, project, args.force, out, args.quiet)
            import_pages(session, args.pages, into, uploads)
    except UsageError as exc:
        err.write(f"brief: {exc}\n")
        return 2
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        err.write(f"brief: the import stopped: the system refused a read or write: {exc.strerror or exc}{where}\n")
        return 4
    except Exception as exc:  # a bug in the importer: one line, not a traceback
        task = "importing"
        err.write(f"brief: internal error while {task}: {type(exc).__name__}: {exc}\n")
        return 3
    for diagnostic in session.diagnostics:
        err.write(f"{diagnostic}\n")
    if session.missing:
        err.write(f"brief: {len(session.missing)} image{'s' if len(session.missing) != 1 else ''} not found (the importer never downloads):\n")
        for where, address in session.missing:
            err.write(f"  {where}: {address}\n")
    failed = len(session.diagnostics.errors)
    session.say(
        f"brief: imported {session.articles} article{'s' if session.articles != 1 else ''}, "
        f"{session.images} image{'s' if session.images != 1 else ''}"
    )
    if not session.written:
        return 1 if failed or session.diagnostics.warnings else 0
    problems = session.check(err)
    if problems or failed:
        err.write("brief: fix the problems above, then run brief check --strict\n")
        return 1
    if session.diagnostics.warnings:
        err.write("brief: the imported content builds, but read the warnings above: they say what did not come over as it was\n")
        return 1
    session.say("brief: the imported content passes brief check --strict")
    return 0
