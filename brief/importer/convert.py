"""HTML → Brief Markdown: the body of one article, its notes, its captions.

The converter keeps only what Brief's Markdown can say (paragraphs, headings, emphasis,
lists, block quotes, links, pipe tables, images, code) and drops everything else, so that
no script, frame, event handler or ``javascript:`` address can reach the content: it never
copies markup, only text and the few attributes it understands (``href``, ``src``,
``alt``). What it had to drop or could not convert is reported through ``warn``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

from bs4 import Comment, NavigableString, Tag

#: Elements whose content never belongs in an article.
DROPPED = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "button", "input", "select", "textarea", "nav", "aside", "footer", "svg", "math", "canvas",
    "video", "audio", "source", "track", "link", "meta", "head", "title", "base", "dialog", "map",
})
#: Embedded content an editor should hear about when it is dropped from the body.
EMBEDS = frozenset({"iframe", "object", "embed", "applet", "video", "audio", "frame", "canvas", "form"})
BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
    "blockquote", "table", "figure", "pre", "hr", "dl", "center", "address", "details", "summary", "body",
    "html", "figcaption", "li", "dt", "dd",
})
#: Link schemes that may stay links; anything else keeps its text only.
SAFE_SCHEMES = ("http", "https", "mailto")

CAPTION = re.compile(r"^(?:\*\*|\*)?(Table|Figure|Fig\.|Chart|Graph|Exhibit|Map)\s+(\d+)\s*[:.—–-]\s*(?:\*\*|\*)?\s*", re.I)
SOURCE = re.compile(r"^\(?\s*(?:\*\*|\*)?\s*(Sources?|Data|Source data)\s*:\s*(?:\*\*|\*)?\s*", re.I)
#: Whitespace as HTML collapses it (not the no-break or ideographic space).
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass
class Block:
    """One Markdown block. ``kind``: "p" (a paragraph), "table" (a pipe table), "image",
    "raw" (a table kept as a text block), "caption", "source" (a source line) or "other"."""

    kind: str
    text: str
    #: Problems to report at this block's line of the written file.
    problems: list[str] = field(default_factory=list)


@dataclass
class Conversion:
    """What converting a body gave: its blocks, and the notes its references used."""

    blocks: list[Block]
    referenced: list[str] = field(default_factory=list)  #: note labels in order of first reference


def escape(text: str) -> str:
    """Plain text as Markdown that renders back to the same text."""
    text = re.sub(r"([\\`*_\[\]~|])", r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    return text.replace("<", "&lt;")  # never a tag, not even an escaped one, in the written file


def escape_line_start(line: str) -> str:
    """Escape what would make a paragraph's first characters a heading, list, quote or rule."""
    match = re.match(r"^(\d{1,9})([.)])(\s|$)", line)
    if match:
        return f"{match.group(1)}\\{match.group(2)}{line[match.end(2):]}"
    if re.match(r"^([#>+=-]|\d)", line) and re.match(r"^(#{1,6}(\s|$)|>|[+-](\s|$)|=+\s*$|-{3,}\s*$)", line):
        return "\\" + line
    return line


def code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def link_target(url: str) -> str:
    url = url.strip().replace(" ", "%20")
    return re.sub(r"([()<>\\])", r"\\\1", url)


class Converter:
    """Converts one article's body (and its notes) to Markdown.

    ``base`` is the page's old address (relative links are resolved against it);
    ``image`` maps an ``<img>`` to the relative path the article will use (and records the
    copy); ``note_ids`` maps the ids that note references point to → the note's label;
    ``warn`` receives each problem found outside a block (the page as a whole).
    """

    def __init__(
        self,
        base: str,
        image: Callable[[Tag], str | None],
        note_ids: dict[str, str] | None = None,
        warn: Callable[[str], None] | None = None,
    ):
        self.base = base
        self.image = image
        self.note_ids = note_ids or {}
        self.warn = warn or (lambda message: None)
        self.referenced: list[str] = []
        self._pending: list[str] = []  # problems found inside the block being converted

    # -- blocks -------------------------------------------------------------------------

    def convert(self, container: Tag) -> Conversion:
        blocks = self.blocks(container)
        left = self.take_problems()  # found after the last block
        if left and blocks:
            blocks[-1].problems.extend(left)
        elif left:
            for problem in left:
                self.warn(problem)
        return Conversion(self.captioned(blocks), list(self.referenced))

    def blocks(self, container: Tag) -> list[Block]:
        """The Markdown blocks of ``container``'s children."""
        result: list[Block] = []
        inline: list[str] = []

        def flush() -> None:
            text = "".join(inline)
            inline.clear()
            self.add_paragraph(result, text)

        for child in container.children:
            if isinstance(child, Comment) or (not isinstance(child, (Tag, NavigableString))):
                continue
            if isinstance(child, NavigableString):
                inline.append(self.text(child))
                continue
            name = child.name
            if name in DROPPED:
                self.dropped(child)
                continue
            if name in BLOCKS or (name == "img" and not "".join(inline).strip()) or name == "picture" and not "".join(inline).strip():
                flush()
                result.extend(self.block(child))
            else:
                inline.append(self.inline(child))
        flush()
        return result

    def add_paragraph(self, result: list[Block], text: str) -> None:
        lines = [line.strip() for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if not text.strip() or text.strip() == "\\":
            return
        text = text.rstrip("\\").rstrip()
        kind = "image" if re.fullmatch(r"!\[[^\n]*\]\([^\n]*\)", text) else "p"
        result.append(Block(kind, escape_line_start(text), self.take_problems()))

    def problem(self, message: str) -> None:
        """Report ``message`` at the block being converted."""
        self._pending.append(message)

    def take_problems(self) -> list[str]:
        problems, self._pending = self._pending, []
        return problems

    def block(self, tag: Tag) -> list[Block]:
        name = tag.name
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = max(2, int(name[1]))
            text = self.inline_text(tag)
            return [Block("other", f"{'#' * level} {text}", self.take_problems())] if text else []
        if name in ("ul", "ol"):
            return [Block("other", self.list_block(tag), self.take_problems())] if tag.find("li") else []
        if name == "blockquote":
            inner = self.blocks(tag)
            quoted = "\n>\n".join("\n".join(f"> {line}" if line else ">" for line in b.text.split("\n")) for b in inner)
            return [Block("other", quoted, [p for b in inner for p in b.problems])] if inner else []
        if name == "table":
            return self.table(tag)
        if name == "figure" or (name == "div" and "wp-caption" in (tag.get("class") or [])):
            return self.figure(tag)
        if name in ("img", "picture"):
            md = self.image_markdown(tag)
            return [Block("image", md, self.take_problems())] if md else []
        if name == "pre":
            text = tag.get_text()
            longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
            fence = "`" * (longest + 1)
            return [Block("other", f"{fence}\n{text.rstrip(chr(10))}\n{fence}")]
        if name == "hr":
            return [Block("other", "* * *")]
        if name == "dl":
            blocks: list[Block] = []
            for item in tag.find_all(["dt", "dd"], recursive=False):
                text = self.inline_text(item)
                if text:
                    blocks.append(Block("p", escape_line_start(f"**{text}**" if item.name == "dt" else text)))
            return blocks
        return self.blocks(tag)  # div, section, p (with blocks inside), …

    def list_block(self, tag: Tag) -> str:
        ordered = tag.name == "ol"
        try:
            number = int(str(tag.get("start", "1")))
        except ValueError:
            number = 1
        items = []
        for item in tag.find_all("li", recursive=False):
            marker = f"{number}. " if ordered else "- "
            number += 1
            inner = self.blocks(item)
            self._pending.extend(p for b in inner for p in b.problems)
            body = "\n\n".join(b.text for b in inner) or ""
            indent = " " * len(marker)
            lines = body.split("\n")
            items.append(marker + lines[0] + "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:]))
        loose = any("\n\n" in item for item in items)
        return ("\n\n" if loose else "\n").join(items)

    # -- figures and tables -------------------------------------------------------------

    def figure(self, tag: Tag) -> list[Block]:
        caption_tag = tag.find(["figcaption"]) or tag.find(class_=re.compile(r"wp-caption-text|caption"))
        caption = self.inline_text(caption_tag) if isinstance(caption_tag, Tag) else ""
        if isinstance(caption_tag, Tag):
            caption_tag.extract()
        sources = [p for p in tag.find_all(class_=re.compile(r"figure-source|source"))]
        source = " ".join(self.inline_text(p) for p in sources)
        for p in sources:
            p.extract()
        inner = self.blocks(tag)
        element = next((b for b in inner if b.kind in ("table", "image", "raw")), None)
        if element is None:
            return inner + ([Block("p", escape_line_start(caption))] if caption else [])
        if caption and not source:
            caption, source = split_source(caption)
        kind = "Table" if element.kind in ("table", "raw") else "Figure"
        out: list[Block] = []
        rest = [b for b in inner if b is not element]
        if caption:
            out.append(Block("caption", caption_text(caption, kind)) if element.kind != "raw" else Block("p", escape_line_start(caption)))
        out.append(element)
        if not source:
            extra = [b for b in rest if b.kind == "p" and SOURCE.match(b.text)]
            if extra:
                source = extra[0].text
                rest.remove(extra[0])
        if source:
            out.append(Block("source", source_line(source)))
        return out + rest

    def table(self, tag: Tag) -> list[Block]:
        rows = [row for row in tag.find_all("tr") if row.find_parent("table") is tag]
        merged = any(
            str(cell.get("rowspan", "1")).strip() not in ("", "1") or str(cell.get("colspan", "1")).strip() not in ("", "1")
            for row in rows for cell in row.find_all(["td", "th"], recursive=False)
        )
        nested = tag.find(["table", "ul", "ol", "pre", "blockquote", "img"]) is not None
        caption_tag = tag.find("caption")
        caption = ""
        if isinstance(caption_tag, Tag):
            caption = self.inline_text(caption_tag)
            caption_tag.extract()
        if not rows:
            return []
        captions = [Block("caption", caption_text(caption, "Table"))] if caption else []
        if merged or nested:
            # no table follows for a "Table N:" caption to label: the caption stays a paragraph
            captions = [Block("p", escape_line_start(kept_caption(caption)))] if caption else []
            why = "merged cells" if merged else "lists, images or tables inside its cells"
            text = "\n".join(
                " | ".join(HTML_SPACE.sub(" ", c.get_text(" ")).strip() for c in row.find_all(["td", "th"], recursive=False))
                for row in rows
            )
            fence = "````"
            return captions + [Block(
                "raw",
                f"{fence}text\n{text}\n{fence}",
                [f"this table has {why}, so it cannot be a pipe table: its cells are kept as a text block, one row per line — rewrite it as a pipe table or split it"],
            )]
        cells = [[self.inline_text(c) for c in row.find_all(["td", "th"], recursive=False)] for row in rows]
        width = max(len(r) for r in cells)
        cells = [r + [""] * (width - len(r)) for r in cells]
        first = rows[0]
        aligns = [alignment(c) for c in first.find_all(["td", "th"], recursive=False)] + [""] * width
        rule = "|" + "|".join({"left": ":--", "right": "--:", "center": ":-:"}.get(aligns[i], "---") for i in range(width)) + "|"
        lines = ["| " + " | ".join(r) + " |" for r in cells]
        return captions + [Block("table", "\n".join([lines[0], rule, *lines[1:]]), self.take_problems())]

    def captioned(self, blocks: list[Block]) -> list[Block]:
        """Mark caption paragraphs above tables and images, and source paragraphs below them,
        and write them in the contract's form (``Table N:`` / ``(Source: …)``)."""
        out: list[Block] = []
        for i, block in enumerate(blocks):
            if block.kind in ("table", "image"):
                kind = "Table" if block.kind == "table" else "Figure"
                if out and out[-1].kind == "p" and CAPTION.match(out[-1].text):
                    out[-1] = Block("caption", caption_text(out[-1].text, kind), out[-1].problems)
            elif block.kind == "raw" and out and out[-1].kind == "p" and CAPTION.match(out[-1].text):
                # a table kept as text has no table for a "Table N:" caption to label
                out[-1] = Block("p", escape_line_start(kept_caption(out[-1].text)), out[-1].problems)
            elif block.kind == "p" and out and out[-1].kind in ("table", "image", "raw") and SOURCE.match(block.text):
                block = Block("source", source_line(block.text), block.problems)
            out.append(block)
        return out

    # -- images -------------------------------------------------------------------------

    def image_markdown(self, tag: Tag) -> str:
        img = tag if tag.name == "img" else tag.find("img")
        if not isinstance(img, Tag):
            return ""
        if is_pixel(img):
            return ""
        path = self.image(img)
        if path is None:
            return ""
        alt = HTML_SPACE.sub(" ", str(img.get("alt") or "")).strip()
        title = str(img.get("title") or "").strip()
        title_part = f' "{title.replace(chr(34), chr(39))}"' if title else ""
        if not alt:
            self._pending.append(f"the image '{path}' has no alt text in the page; describe it between the brackets")
        return f"![{escape(alt)}]({link_target(path)}{title_part})"

    # -- inline -------------------------------------------------------------------------

    def text(self, node: NavigableString) -> str:
        return escape(HTML_SPACE.sub(" ", str(node)))

    def inline_text(self, tag: Tag) -> str:
        """``tag``'s content as one line of inline Markdown (line breaks become spaces)."""
        text = self.inline_content(tag).replace("\\\n", " ").replace("\n", " ")
        return re.sub(r" {2,}", " ", text).strip()

    def inline(self, tag: Tag) -> str:
        name = tag.name
        if name in DROPPED:
            self.dropped(tag)
            return ""
        if name == "br":
            return "\\\n"
        if name in ("em", "i", "cite", "dfn", "var"):
            return wrap(self.inline_content(tag), "*")
        if name in ("strong", "b"):
            return wrap(self.inline_content(tag), "**")
        if name in ("code", "kbd", "samp", "tt"):
            text = HTML_SPACE.sub(" ", tag.get_text())
            return code_span(text) if text.strip() else text
        if name == "a":
            return self.link(tag)
        if name in ("img", "picture"):
            return self.image_markdown(tag)
        if name == "sup":
            ref = self.note_reference(tag)
            if ref is not None:
                return ref
        return self.inline_content(tag)

    def inline_content(self, tag: Tag) -> str:
        parts = []
        for child in tag.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                parts.append(self.text(child))
            elif isinstance(child, Tag):
                parts.append(self.inline(child) if child.name not in BLOCKS else " " + self.inline_text(child) + " ")
        return "".join(parts)

    def note_reference(self, tag: Tag) -> str | None:
        """``[^label]`` when ``tag`` (an ``<a>`` or a ``<sup>`` holding one) refers to a note."""
        link = tag if tag.name == "a" else tag.find("a")
        if not isinstance(link, Tag):
            return None
        href = str(link.get("href") or "")
        if not href.startswith("#") or tag.name == "sup" and tag.get_text(strip=True) != link.get_text(strip=True):
            return None
        label = self.note_ids.get(href[1:])
        if label is None:
            return None
        if label not in self.referenced:
            self.referenced.append(label)
        return f"[^{label}]"

    def link(self, tag: Tag) -> str:
        ref = self.note_reference(tag)
        if ref is not None:
            return ref
        content = self.inline_content(tag)
        href = str(tag.get("href") or "").strip()
        if not href:
            return content
        if tag.find(["img", "picture"]) and not tag.get_text(strip=True):
            return content  # a linked image: the image alone
        if href.startswith("#"):
            return f"[{content}]({link_target(href)})" if content.strip() else content
        scheme = urlsplit(href).scheme.lower()
        if not scheme:
            if not self.base:
                self._pending.append(f"the relative link '{href}' has no page address to be read against; its text is kept without the link")
                return content
            href = urljoin(self.base, href)
            scheme = urlsplit(href).scheme.lower()
        if scheme not in SAFE_SCHEMES:
            self._pending.append(f"a link to a '{scheme}:' address was dropped; its text is kept")
            return content
        if not content.strip():
            return content
        return f"[{content}]({link_target(href)})"

    def dropped(self, tag: Tag) -> None:
        if tag.name in EMBEDS:
            what = str(tag.get("src") or tag.get("data") or "").strip()
            self._pending.append(
                f"an embedded {tag.name}{f' ({what})' if what and not what.lower().startswith(('javascript:', 'data:')) else ''} was dropped: Brief pages show no embedded content"
            )


def wrap(text: str, marker: str) -> str:
    """Emphasis around ``text``, its surrounding spaces kept outside the markers."""
    if not text.strip():
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{marker}{text.strip()}{marker}{trail}"


def alignment(cell: Tag) -> str:
    style = str(cell.get("style") or "")
    match = re.search(r"text-align\s*:\s*(left|right|center)", style, re.I)
    if match:
        return match.group(1).lower()
    align = str(cell.get("align") or "").lower()
    if align in ("left", "right", "center"):
        return align
    classes = " ".join(cell.get("class") or [])
    match = re.search(r"has-text-align-(left|right|center)", classes)
    return match.group(1) if match else ""


def is_pixel(img: Tag) -> bool:
    """A tracking pixel or spacer: 0 or 1 pixel wide or high, or hidden."""
    for attribute in ("width", "height"):
        value = str(img.get(attribute) or "").strip().removesuffix("px")
        if value in ("0", "1"):
            return True
    style = str(img.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def caption_text(text: str, kind: str) -> str:
    """``Table N: Title`` / ``Figure N: Title`` from a caption as the page wrote it."""
    text = strip_emphasis(text)
    match = CAPTION.match(text)
    if match:
        word = "Table" if match.group(1).lower() == "table" else "Figure"
        rest = strip_emphasis(text[match.end():])
        return f"{word} {match.group(2)}: {rest}"
    return f"{kind} 0: {text}"  # numbered in order by finish_captions


def kept_caption(text: str) -> str:
    """The caption of a table kept as a text block, as the page wrote it but with the colon
    after ``Table N`` escaped: it reads the same, and is not a ``Table N:`` caption (which
    would have no table under it to label)."""
    text = strip_emphasis(text)
    match = _BRIEF_CAPTION_NUMBER.match(text)
    return text[: match.end()] + "\\" + text[match.end():] if match else text


#: What makes a paragraph a caption in Brief's format, up to its separator (see mdplugins/captions.py).
_BRIEF_CAPTION_NUMBER = re.compile(r"^(?:Table|Figure)\s+\d+\s*(?=[:.])")


def split_source(caption: str) -> tuple[str, str]:
    """A caption that ends with its source line, as WordPress themes often write it."""
    match = re.search(r"\s*\(?\b(Sources?|Data)\s*:\s*(.+?)\)?\s*$", caption)
    if match and match.start() > 0:
        return caption[: match.start()].rstrip(" .;—–-"), f"{match.group(1)}: {match.group(2)}"
    return caption, ""


def source_line(text: str) -> str:
    """``(Source: …)`` from a source line as the page wrote it."""
    text = strip_emphasis(text.strip())
    if text.startswith("(") and text.endswith(")"):
        return text
    match = SOURCE.match(text)
    if match:
        label = match.group(1)
        label = label[0].upper() + label[1:].lower()
        rest = strip_emphasis(text[match.end():]).rstrip()
        if rest.endswith(".") and not rest.endswith(".."):
            rest = rest[:-1]
        return f"({label}: {rest})"
    return f"(Source: {text})"


def strip_emphasis(text: str) -> str:
    text = text.strip()
    for marker in ("**", "*"):
        if text.startswith(marker) and text.endswith(marker) and len(text) > 2 * len(marker) and marker not in text[len(marker):-len(marker)]:
            return text[len(marker):-len(marker)].strip()
    return text


def number_captions(blocks: list[Block]) -> None:
    """Give captions the page left unnumbered (``Figure 0``) their number in order."""
    counts = {"Table": 0, "Figure": 0}
    for block in blocks:
        if block.kind != "caption":
            continue
        word, _, rest = block.text.partition(" ")
        number, _, title = rest.partition(": ")
        counts[word] += 1
        if number == "0":
            block.text = f"{word} {counts[word]}: {title}"

