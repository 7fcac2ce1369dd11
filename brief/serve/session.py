"""The preview's build: one output folder, kept up to date by builds that share their state.

Every build goes through :class:`brief.pipeline.Build`, the same stages and
caches as ``brief build``; the :class:`~brief.pipeline.BuildState` it keeps in
memory (the loaded articles, the rendered Markdown index, the output's
manifest) and the list of files that changed are what make a rebuild cost only
what the edit touched.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import ContentError, UsageError
from ..options import BuildOptions


@dataclass
class Outcome:
    """What one build of the preview did."""

    #: Output paths whose bytes may have changed (written or removed).
    changed: list[str] = field(default_factory=list)
    #: The lines to show when the build failed (``path:line: message — fix``, or an internal error).
    problems: list[str] = field(default_factory=list)
    #: Warnings of a build that succeeded, as ``brief build`` prints them.
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    articles: int = 0
    #: How many output files the build wrote or removed (those told early included).
    files: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.problems)


class Preview:
    """The site as the preview shows it, in ``options.out`` (a folder of the preview's own)."""

    def __init__(self, options: BuildOptions):
        from ..pipeline import BuildState

        self.options = options
        self.state = BuildState()
        #: What the build is doing, for an internal error's message.
        self.current = ""
        #: Builds since the cyclic garbage was last collected (see :meth:`tidy`).
        self.untidy = 0

    def build(
        self, changed: set[str] | None = None, first: set[str] | None = None,
        early: Callable[[list[str]], None] | None = None,
    ) -> Outcome:
        """Build the site; ``changed`` names the files that changed since the last build
        (``None``: not known, every file is looked at). The pages ``first`` are rendered
        first, and ``early`` is told when they are in the output (before the rest is)."""
        from ..pipeline import Build, BuildState

        start = time.perf_counter()
        told: list[str] = []

        def tell(paths: list[str]) -> None:
            told.extend(paths)
            if early is not None:
                early(paths)

        self.state.changed, self.state.first, self.state.on_early = changed, first or set(), tell
        builder = Build(self.options, state=self.state)
        outcome = Outcome()
        # What the builds keep is most of the process's objects: the cycle collector would go
        # through all of them several times a rebuild (more than the rebuild's own work on a
        # large site). A rebuild makes little cyclic garbage: the collector waits for the
        # end of the build, and then looks only at what is newer than that (see :meth:`tidy`).
        collecting = gc.isenabled()
        if changed is not None:
            gc.disable()
        try:
            report = builder.run()
        except ContentError as exc:
            strict = self.options.strict
            outcome.problems = [str(d) for d in exc.diagnostics if d.severity == "error" or strict]
            outcome.warnings = [str(d) for d in exc.diagnostics if d.severity == "warning" and not strict]
        except UsageError as exc:
            outcome.problems = [f"brief: {exc}"]
        except (Exception, KeyboardInterrupt) as exc:  # not the content: start afresh next time
            self.state = BuildState()
            if isinstance(exc, KeyboardInterrupt):
                raise
            outcome.problems = [internal_error(builder.current, exc)]
        else:
            outcome.warnings = [str(d) for d in report.diagnostics.warnings]
            outcome.articles = report.articles
            every = {*self.state.written, *self.state.removed}
            outcome.changed, outcome.files = sorted(every - set(told)), len(every)
        finally:
            gc.freeze()
            self.untidy += 1
            if collecting:
                gc.enable()
        outcome.seconds = time.perf_counter() - start
        return outcome

    def tidy(self) -> None:
        """Write the last build's manifest, and collect the cyclic garbage of the builds so far
        (a full pass over every object: a fraction of a second on a large site), while
        nothing is being saved."""
        self.state.save()
        if self.untidy:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.untidy = 0

    def close(self) -> None:
        """Write what the builds kept in memory for the next start (the output's manifest, the
        Markdown cache's index)."""
        self.state.save()
        if self.state.markdown is not None:
            self.state.markdown.save(final=True)


def internal_error(doing: str, exc: BaseException) -> str:
    """The one line that reports a bug in Brief met while building the preview."""
    from ..pipeline import ArticleFailure

    if isinstance(exc, ArticleFailure):
        doing, problem = f"rendering {exc.path}", exc.problem
    elif isinstance(exc, OSError) and exc.errno is not None:
        return f"brief: cannot write the preview while {doing}: {exc.strerror or exc}"
    else:
        problem = f"{type(exc).__name__}: {exc}"
    return f"brief: internal error while {doing}: {problem}"
