"""Social preview cards: the 1200×630 image that Open Graph and Twitter cards show.

An article with a raster lead image gets that image, cropped to the card's shape
(:func:`crop_to_card`). An article without one gets a drawn card with its title
and publication name (:func:`draw_card`). Titles may be Chinese, so the text is
set in Noto Sans CJK (Debian package ``fonts-noto-cjk``), in its Simplified or
Traditional Chinese face to match the title. The font is found at run time
(:func:`find_cjk_font`); without one, the card is drawn with no text rather
than with boxes in place of characters.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass

import hanzidentifier
from PIL import Image, ImageDraw, ImageFont, ImageOps

CARD_SIZE = (1200, 630)
BACKGROUND = "#1d2b33"
ACCENT = "#2f6f8f"
TITLE_COLOUR = "#ffffff"
PUBLICATION_COLOUR = "#a9cadb"
MARGIN = 80
#: Title sizes to try, largest first, until the title fits in MAX_LINES.
TITLE_SIZES = (68, 60, 52, 46)
MAX_LINES = 4
PUBLICATION_SIZE = 34

#: Where Debian, Ubuntu and Fedora put Noto Sans CJK, with the faces' indices (Simplified, Traditional).
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2, 3),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2, 3),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 2, 3),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc", 2, 3),
)
#: Characters that must not start a line (closing punctuation), and runs set as one unit.
_NO_LINE_START = "，。、；：！？）」』》〉】,.;:!?)]}»”’"
_UNITS = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff][" + re.escape(_NO_LINE_START) + r"]*|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+\s*|\s+")


@dataclass(frozen=True, slots=True)
class CardFont:
    """A CJK font file and the indices of its Simplified and Traditional Chinese faces."""

    path: str
    simplified: int
    traditional: int
    traditional_path: str = ""  #: when the Traditional face is in another file

    def identity(self) -> list[object]:
        """What changes the drawn card: the files and their sizes (part of the cache key)."""
        files = [self.path, self.traditional_path or self.path]
        return [*files, self.simplified, self.traditional, *(_size(f) for f in files)]

    def face(self, text: str, size: int) -> ImageFont.FreeTypeFont:
        if hanzidentifier.identify(text) == hanzidentifier.TRADITIONAL:
            return ImageFont.truetype(self.traditional_path or self.path, size, index=self.traditional)
        return ImageFont.truetype(self.path, size, index=self.simplified)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> CardFont | None:
    """Noto Sans CJK (bold), through fontconfig or at the usual paths; None when it is not installed."""
    faces = [_fc_match(f"Noto Sans CJK {region}:style=Bold") for region in ("SC", "TC")]
    if faces[0] is not None and faces[1] is not None:
        (path, simplified), (traditional_path, traditional) = faces[0], faces[1]
        return CardFont(path, simplified, traditional, "" if traditional_path == path else traditional_path)
    for path, simplified, traditional in KNOWN_FONTS:
        if os.path.isfile(path):
            return CardFont(path, simplified, traditional)
    return None


def _fc_match(pattern: str) -> tuple[str, int] | None:
    try:
        result = subprocess.run(
            ["fc-match", "--format=%{file}\n%{index}\n%{family}", pattern],
            capture_output=True, text=True, timeout=10, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    # fc-match always answers with something; only a CJK family will do.
    if len(lines) < 3 or "CJK" not in lines[2] or not os.path.isfile(lines[0]):
        return None
    try:
        return lines[0], int(lines[1] or 0)
    except ValueError:
        return None


def crop_to_card(image: Image.Image) -> Image.Image:
    """Fill the card with the picture, cut to its shape a little above the centre (where subjects tend to be)."""
    return ImageOps.fit(image, CARD_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.45))


def draw_card(title: str, publication: str, font: CardFont | None) -> Image.Image:
    """A card with the publication's name above the article's title; no text without a font."""
    card = Image.new("RGB", CARD_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(card)
    width, height = CARD_SIZE
    draw.rectangle((0, 0, 16, height), fill=ACCENT)
    draw.rectangle((MARGIN, height - MARGIN - 6, MARGIN + 120, height - MARGIN), fill=ACCENT)
    if font is None:
        return card
    small = font.face(publication, PUBLICATION_SIZE)
    draw.text((MARGIN, MARGIN), _fit_line(publication, small, width - 2 * MARGIN), font=small, fill=PUBLICATION_COLOUR)
    room = width - 2 * MARGIN
    for size in TITLE_SIZES:
        face = font.face(title, size)
        lines = wrap(title, face, room)
        if len(lines) <= MAX_LINES:
            break
    if len(lines) > MAX_LINES:
        lines = lines[: MAX_LINES - 1] + [_fit_line("".join(lines[MAX_LINES - 1:]), face, room)]
    leading = round(size * 1.3)
    top = MARGIN + PUBLICATION_SIZE + 50
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * leading), line, font=face, fill=TITLE_COLOUR)
    return card


def wrap(text: str, face: ImageFont.FreeTypeFont, room: float) -> list[str]:
    """Break text into lines that fit ``room``: between words, or between any two Han characters."""
    lines: list[str] = []
    line = ""
    for unit in _UNITS.findall(" ".join(text.split())):
        if line and face.getlength((line + unit).rstrip()) > room:
            lines.append(line.rstrip())
            line = unit.lstrip()
        else:
            line += unit
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_line(text: str, face: ImageFont.FreeTypeFont, room: float) -> str:
    """One line, cut with an ellipsis when it is too long."""
    text = " ".join(text.split())
    if face.getlength(text) <= room:
        return text
    while text and face.getlength(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"
