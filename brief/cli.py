"""The command line: ``brief build``, ``brief check`` and ``brief serve`` (:mod:`brief.serve`).

Exit status: 0 success, 1 content errors, 2 usage errors (including an
unusable output folder or a build already running), 3 an internal error in
Brief itself, 4 the system refused a write (disk full, no permission), 130
interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, TextIO

from . import __version__
from .errors import ContentError, UsageError
from .progress import TerminalProgress, wants_progress
from .cache import CACHE_FOLDER, Manifest, inputs_fingerprint
from .options import BuildOptions

if TYPE_CHECKING:
    from .pipeline import Build, BuildReport

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL, EXIT_WRITE, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"brief: {message}\n")
        raise SystemExit(EXIT_USAGE)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="brief", description="Build a research-brief site from Markdown.")
    parser.add_argument("--version", action="version", version=f"brief {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--content", default="content", metavar="DIR", help="the content folder (default: content)")
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")
        sub.add_argument("--debug", action="store_true", help="show the full traceback of an internal error")
        sub.add_argument("--quiet", "-q", action="store_true", help="print only problems")
        sub.add_argument("--verbose", "-v", action="store_true", help="print what each stage did")
        sub.add_argument("--timings", action="store_true", help="print the time each stage took")
        sub.add_argument("--now", type=_date, metavar="DATE", help="build as if today were DATE (YYYY-MM-DD)")
        sub.add_argument("--future", action="store_true", help="publish issues and articles dated after today too")

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    common(build_cmd)
    build_cmd.add_argument("--out", default="_site", metavar="DIR", help="the output folder (default: _site)")
    build_cmd.add_argument("--no-cache", action="store_true", help="ignore what earlier builds cached: build everything anew")
    build_cmd.add_argument("--no-pdf", action="store_true", help="make no issue PDFs (quicker; the pages then show no page numbers)")
    build_cmd.add_argument("--no-search", action="store_true", help="leave out the search page and index (as 'search: false' in site.yaml)")
    check_cmd = commands.add_parser("check", help="check the content and report every problem; writes no site")
    common(check_cmd)
    check_cmd.add_argument("--images", action="store_true", help="decode every image again, even those checked before")
    check_cmd.add_argument("--external", action="store_true", help="also check that outside links still work (needs the network)")
    check_cmd.set_defaults(out=None, no_cache=False)
    build_cmd.set_defaults(external=False)
    import_cmd = commands.add_parser("import", help="turn published HTML articles or a WordPress export into content")
    import_cmd.add_argument("pages", nargs="*", metavar="FILE_OR_FOLDER", help="saved article pages, or folders of them")
    import_cmd.add_argument("--into", metavar="ISSUE_FOLDER", help="the issue folder to import the pages into")
    import_cmd.add_argument("--wxr", metavar="EXPORT.xml", help="a WordPress export to import instead of pages")
    import_cmd.add_argument("--publication", metavar="FOLDER", help="with --wxr: the publication folder to import into")
    import_cmd.add_argument("--uploads", metavar="DIR", help="a local copy of the old site's uploads folder, for images")
    import_cmd.add_argument("--issue-from", default="auto", metavar="WHERE", help="with --wxr: auto, category, tag, field:KEY or date")
    import_cmd.add_argument("--issue-pattern", metavar="REGEX", help="with --wxr: how a category, tag or field states volume and issue")
    import_cmd.add_argument("--force", action="store_true", help="replace article files that already exist")
    import_cmd.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    add_scaffold_commands(commands)
    serve_cmd = commands.add_parser("serve", help="preview the site in a browser, rebuilding it on every save")
    common(serve_cmd)
    serve_cmd.add_argument("--port", type=int, default=8000, metavar="N", help="the port to serve on (default: 8000; 0: any free port)")
    serve_cmd.add_argument("--bind", default="127.0.0.1", metavar="ADDR", help="the address to serve on (default: 127.0.0.1, this machine only)")
    serve_cmd.add_argument("--drafts", action="store_true", help="show draft articles too, marked as drafts")
    serve_cmd.add_argument("--open", action="store_true", help="open the preview in the web browser")
    serve_cmd.add_argument("--pdf", action="store_true", help="make the issue PDFs too (off by default: they are slow to lay out)")
    serve_cmd.add_argument("--search", action="store_true", help="also build the search index (slow on a large archive)")
    serve_cmd.set_defaults(out=None, no_cache=False, external=False)
    return parser


def add_scaffold_commands(commands: "argparse._SubParsersAction[_Parser]") -> None:
    """``brief init`` and ``brief new issue|article|author``: they write content, not a site."""
    init_cmd = commands.add_parser("init", help="start a new site in an empty folder")
    init_cmd.add_argument("folder", nargs="?", default=".", metavar="DIR", help="the new site's folder (default: this one)")
    init_cmd.add_argument("--title", default="My Brief", help="the site's and its publication's title")
    init_cmd.add_argument("--force", action="store_true", help="add the missing files to a folder that is not empty (none is overwritten)")
    new_cmd = commands.add_parser("new", help="add an issue, an article or an author to the content")
    kinds = new_cmd.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser)
    kinds.required = True
    issue = kinds.add_parser("issue", help="start the next issue of a publication")
    issue.add_argument("--publication", metavar="SLUG", help="the publication (needed when the site has several)")
    issue.add_argument("--date", type=_date, help="the issue's date, YYYY-MM-DD (default: the next on the schedule)")
    article = kinds.add_parser("article", help="add an article to an issue")
    article.add_argument("title", help="the article's title")
    article.add_argument("--authors", nargs="+", required=True, metavar="ID", help="author ids (files in authors/)")
    article.add_argument("--issue", metavar="FOLDER", help="the issue's folder (default: the latest issue)")
    article.add_argument("--publication", metavar="SLUG", help="the publication whose latest issue to use")
    article.add_argument("--slug", help="the article's slug (default: made from the title)")
    author = kinds.add_parser("author", help="add an author")
    author.add_argument("id", nargs="?", metavar="ID", help="the author's id, e.g. jane-doe (default: made from --name)")
    author.add_argument("--name", help="the author's name as published")
    author.add_argument("--affiliation", help="the author's institution")
    for sub in (issue, article, author):
        sub.add_argument("--content", default="content", metavar="DIR", help="the content folder (default: content)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    started = time.perf_counter()
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = make_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "import":
        from .importer import run

        return run(args, out, err)
    project = Path.cwd()
    if args.command == "init":
        return _scaffold(args, project / args.folder, project / args.folder / "content", out, err)
    content = Path(args.content)
    if not content.is_absolute():
        content = project / content
    if not content.is_dir():
        err.write(
            f"brief: there is no content folder {content}/ (run brief in your site's folder, "
            "start a new site with brief init, or name the content folder with --content DIR)\n"
        )
        return EXIT_USAGE
    if args.command == "new":
        return _scaffold(args, project, content, out, err)
    if args.command == "serve":
        from .serve import run_serve

        return run_serve(args, content, project, out, err)
    options = BuildOptions(
        content=content,
        project=project,
        out=(project / args.out) if args.out is not None else None,
        strict=args.strict,
        use_cache=not args.no_cache,
        verify_images=getattr(args, "images", False),
        now=args.now,
        future=args.future,
        external=args.external,
        pdf=not getattr(args, "no_pdf", False),
        search=not getattr(args, "no_search", False),
    )
    checked = _nothing_to_do(options, args, out, err)
    if checked is True:
        return EXIT_OK
    from .pipeline import Build  # the stages, imported only when there is work to do

    bars = TerminalProgress(err) if wants_progress(err, args.quiet) else None
    if bars is not None:
        options.progress = bars
    builder = Build(options, checked or None)
    try:
        with bars if bars is not None else contextlib.nullcontext():
            report = builder.run()
    except ContentError as exc:
        errors = [d for d in exc.diagnostics if d.severity == "error" or args.strict]
        for diagnostic in exc.diagnostics:
            err.write(f"{diagnostic}\n")
        err.write(f"brief: {len(errors)} problem{'s' if len(errors) != 1 else ''} found; nothing was written\n")
        return EXIT_CONTENT
    except UsageError as exc:
        err.write(f"brief: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno is None:  # not the file system: e.g. a library reporting bad data as OSError
            return _internal_error(exc, builder, args, err)
        err.write(
            f"brief: cannot write the site while {builder.current}: {exc.strerror or exc}"
            f"{f' ({exc.filename})' if exc.filename else ''}; {_output_state(builder)}\n"
        )
        return EXIT_WRITE
    except KeyboardInterrupt:
        err.write(f"brief: interrupted; {_output_state(builder)}\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # an internal error: one line, unless --debug
        return _internal_error(exc, builder, args, err)
    for warning in report.diagnostics.warnings:
        err.write(f"{warning}\n")
    if report.held and not args.quiet:
        out.write(f"brief: {report.held}\n")
    _summary(args, report, out, started)
    return EXIT_OK


def _scaffold(args: argparse.Namespace, project: Path, content: Path, out: TextIO, err: TextIO) -> int:
    """Run ``brief init`` or ``brief new``: print each file written, or what stopped it."""
    from .scaffold import Scaffold

    scaffold = Scaffold(content, project)
    try:
        if args.command == "init":
            written, kept = scaffold.init_site(args.title, args.force)
        elif args.kind == "issue":
            written, kept = [scaffold.new_issue(args.publication, args.date)], []
        elif args.kind == "article":
            written, kept = [scaffold.new_article(args.title, args.authors, args.issue, args.publication, args.slug)], []
        else:
            written, kept = [scaffold.new_author(args.id, args.name, args.affiliation)], []
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            err.write(f"{diagnostic}\n")
        err.write("brief: nothing was written: fix the problems above and run the command again\n")
        return EXIT_CONTENT
    except UsageError as exc:
        err.write(f"brief: {exc}\n")
        return EXIT_USAGE
    for path in kept:
        out.write(f"kept {_shown(path)} (it exists already)\n")
    for path in written:
        out.write(f"wrote {_shown(path)}\n")
    if args.command == "init":
        where = _shown(project)
        step = "brief build" if where == "." else f"cd {where} && brief build"
        out.write(f"brief: the new site is ready; build it with: {step}\n")
    return EXIT_OK


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _output_state(builder: Build) -> str:
    if builder.publishing:
        return PARTLY_UPDATED
    return "the previous output is unchanged"


#: When an update in place stops halfway (see :mod:`brief.write`).
PARTLY_UPDATED = "some files of the output were already updated, and the next build will replace it whole"


def _internal_error(exc: BaseException, builder: Build, args: argparse.Namespace, err: TextIO) -> int:
    """One line naming what failed and where (the traceback only with --debug)."""
    if args.debug or os.environ.get("BRIEF_DEBUG"):
        traceback.print_exc(file=err)
    from .pipeline import ArticleFailure

    if isinstance(exc, ArticleFailure):
        where, problem = f"rendering {exc.path}", exc.problem
    else:
        where, problem = builder.current, f"{type(exc).__name__}: {exc}"
    err.write(
        f"brief: internal error while {where}: {problem}\n"
        f"brief: this is a bug in Brief, not in your content; {_output_state(builder)}. "
        "Run again with --debug for the full traceback.\n"
    )
    return EXIT_INTERNAL


def _nothing_to_do(
    options: BuildOptions, args: argparse.Namespace, out: TextIO, err: TextIO
) -> "bool | tuple[Manifest, str]":
    """When no input changed since the build that wrote the output, say so and stop,
    before even loading the build's stages (a no-op build must be quick): returns True.
    Otherwise, when it had a manifest to check, returns it and the inputs' fingerprint,
    so that the build does not read and compute them again."""
    if not options.use_cache or options.verify_images or options.external:
        return False
    previous = Manifest.read(Manifest.location(options.project / CACHE_FOLDER, options.out))
    if not previous.inputs:
        return False
    inputs = inputs_fingerprint(options)
    current = previous.is_current(inputs, options.now) if options.out is None else previous.describes(options.out, inputs, options.now)
    if not current:
        return previous, inputs
    for warning in previous.kept_warnings():
        err.write(f"{warning}\n")
    if not args.quiet:
        if previous.held:
            out.write(f"brief: {previous.held}\n")
        out.write(_up_to_date(args.out, previous.articles) if options.out is not None else _checked(previous.articles))
    return True


def _up_to_date(folder: str, articles: int) -> str:
    return f"brief: {folder}/ is up to date ({plural(articles, 'article')}); nothing changed since the last build\n"


def _checked(articles: int) -> str:
    return f"brief: content is fine: {plural(articles, 'article')} checked\n"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _summary(args: argparse.Namespace, report: BuildReport, out: TextIO, started: float | None = None) -> None:
    if args.timings or args.verbose:
        _timings(report, out, started)
    if args.verbose and report.site is not None:
        site = report.site
        pages = report.pages_rendered + report.pages_reused or len(report.outputs)
        out.write(
            f"  {plural(len(site.publications), 'publication')}, {plural(len(site.issues), 'issue')}, "
            f"{plural(len(site.authors), 'author')}, {plural(len(site.topics), 'topic')}, {plural(pages, 'page')}\n"
            f"  {plural(len(site.images), 'image')}: {report.images_processed} processed, "
            f"the rest from the cache\n"
            f"  Markdown: {report.markdown_cached} of {plural(report.articles, 'article')} from the cache; "
            f"pages: {report.pages_rendered} rendered, {report.pages_reused} unchanged\n"
            f"  PDFs: {plural(len(site.pdfs), 'issue')}, {report.pdfs_made} laid out, the rest from the cache\n"
        )
    if args.quiet:
        return
    if report.up_to_date and args.out is not None:
        out.write(_up_to_date(args.out, report.articles))
        return
    if args.out is None:
        out.write(_checked(report.articles))
    else:
        out.write(f"brief: built {plural(report.articles, 'article')}, {plural(report.files, 'file')} into {args.out}/\n")


def _timings(report: BuildReport, out: TextIO, started: float | None) -> None:
    """Each stage's wall and CPU time (this process's and its workers'), then the command's total."""
    out.write(f"  {'stage':<14} {'wall':>10} {'CPU':>10} {'workers':>10}\n")
    for (name, seconds), (own, workers) in zip(report.timings, report.cpu):
        shown = f" {workers * 1000:7.1f} ms" if workers >= 0.0005 else ""
        out.write(f"  {name:<14} {seconds * 1000:7.1f} ms {(own + workers) * 1000:7.1f} ms{shown}\n")
    if started is not None:
        # The whole command: its CPU counts from the interpreter's start (imports included).
        own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        total = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
        out.write(f"  {'total':<14} {(time.perf_counter() - started) * 1000:7.1f} ms {total * 1000:7.1f} ms"
                  f" {(workers.ru_utime + workers.ru_stime) * 1000:7.1f} ms\n")


def entry() -> None:
    sys.exit(main())
