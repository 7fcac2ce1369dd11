"""Link reference definitions (``[label]: https://…``) that would vanish.

A reference definition renders nothing where it stands; its address appears
only in the links that use it (``[text][label]`` or ``[label]``). Two kinds
would therefore vanish from the page in silence:

* a definition that no link uses (often a list of addresses pasted from a
  CMS, or a note written ``[^label]: …`` with a label too long to be a note);
* the second definition of a label: markdown-it keeps the first.

:class:`References` replaces markdown-it's ``env["references"]`` mapping so
that the link and image rules' look-ups record which labels are used; the
core rule :func:`locate_references` gives each new definition its line in the
file. :func:`reference_problems` lists what to report once every part of the
article has been parsed.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore


_LABEL = re.compile(r"\[((?:[^\]\\]|\\.)+)\]:")


class References(dict[str, dict[str, Any]]):
    """markdown-it's reference definitions (label → ``{href, title, map}``), recording
    the labels that links look up."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()

    def get(self, label: str, default: Any = None) -> Any:  # type: ignore[override]
        found = super().get(label, default)
        if found is not default:
            self.used.add(label)
        return found


def references_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("block", "reference_lines", locate_references)


def locate_references(state: StateCore) -> None:
    """Give each definition parsed just now its line in the file (``line``) and its label
    as written (``written``; markdown-it keeps it in capitals)."""
    env = state.env
    found = [*env.get("references", {}).values(), *env.get("duplicate_refs", ())]
    if not found:
        return
    body_line = env.get("_body_line", 1)
    lines: list[str] | None = None
    for definition in found:
        if "line" not in definition:
            definition["line"] = body_line + definition["map"][0]
            lines = lines or state.src.split("\n")
            written = _LABEL.search(lines[definition["map"][0]])
            definition["written"] = written.group(1) if written else ""


def reference_problems(env: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    """``(line, message, hint, code)`` for each definition that shows nowhere."""
    problems = []
    references = env.get("references")
    if isinstance(references, References):
        for label, definition in references.items():
            if label in references.used:
                continue
            label = definition["written"] or label
            if label.startswith("^"):
                problems.append((
                    definition["line"], f"'[^{label[1:21]}…]' is not a note: a note's label can be at most 64 characters",
                    "use a shorter label, such as [^1]", "note-label",
                ))
            else:
                problems.append((
                    definition["line"], f"the link definition '[{label}]: {definition['href']}' is used by no link, so it shows nowhere",
                    f"link to it as [text][{label}], or remove it", "unused-reference",
                ))
    for definition in env.get("duplicate_refs", ()):
        first = references.get(definition["label"]) if isinstance(references, References) else None
        where = f" (the first is on line {first['line']})" if first else ""
        label = definition["written"] or definition["label"]
        problems.append((
            definition["line"], f"the link definition '[{label}]' is defined again{where}, and this one is ignored",
            "give each definition its own label, or remove one", "duplicate-reference",
        ))
    return problems
