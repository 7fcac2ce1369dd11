"""Social preview cards: the 1200×630 image that Open Graph and Twitter cards show.

An article with a raster lead image gets that image, cropped to the card's shape
(:func:`crop_to_card`). An article without one gets a drawn card with its title
and publication name (:func:`render_card`). Titles may be Chinese, so the text is
set in Noto Sans CJK (Debian package ``fonts-noto-cjk``), in its Simplified or
Traditional Chinese face to match the title. The font is found at run time
(:func:`find_cjk_font`); without one, the card is drawn with no text rather
than with boxes in place of characters, and the build warns once (``no-cjk-font``).

A build draws thousands of cards, so a drawn card must cost well under a
millisecond. It is a flat picture of four colours and antialiased text, so it is
a 16-colour (4 bits per pixel) palette PNG; each worker process loads each font
face once, draws a publication's background (accents and publication name) once,
and renders each word or Han character once per face and size (keeping the 1,024
most recent), then pastes it where it goes in a title. Only the band of rows that
holds the title is drawn, filtered and compressed per card: the rest of the file's
work is done once per publication (see :class:`_Background`).
"""

from __future__ import annotations

import functools
import io
import os
import re
import struct
import subprocess
import zlib
from dataclasses import dataclass

import hanzidentifier
from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFont

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
#: Where the first title line's ascender sits; the bottom accent bar (left, top, right, bottom, inclusive).
TITLE_TOP = MARGIN + PUBLICATION_SIZE + 50
BAR = (MARGIN, CARD_SIZE[1] - MARGIN - 6, MARGIN + 120, CARD_SIZE[1] - MARGIN)
#: Antialiasing levels of each text colour besides the background: 2 + 2 × 7 = 16 palette entries, 4 bits a pixel.
TEXT_LEVELS = 7

#: The Debian and Ubuntu package that installs Noto Sans CJK (named in the warning when it is missing).
FONT_PACKAGE = "fonts-noto-cjk"
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
        """The face that suits ``text`` (Traditional or Simplified), loaded once per process and size."""
        if hanzidentifier.identify(text) == hanzidentifier.TRADITIONAL:
            return _load_face(self.traditional_path or self.path, self.traditional, size)
        return _load_face(self.path, self.simplified, size)


@functools.lru_cache(maxsize=32)
def _load_face(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


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
    """Fill the card with the picture, cut to its shape a little above the centre (where subjects tend to be).

    When the cut is exactly the card's size (say, from a 1200-pixel-wide variant), it is a plain
    crop with no resampling.
    """
    box = card_box(image.size)
    if (box[2] - box[0], box[3] - box[1]) == CARD_SIZE and all(value.is_integer() for value in box):
        return image.crop((int(box[0]), int(box[1]), int(box[2]), int(box[3])))
    return image.resize(CARD_SIZE, Image.Resampling.LANCZOS, box=box)


def card_box(size: tuple[int, int]) -> tuple[float, float, float, float]:
    """The part of a picture of ``size`` that fills the card: :func:`PIL.ImageOps.fit`'s cut, to the pixel
    when the cut is the card's size."""
    width, height = size
    card_width, card_height = CARD_SIZE
    ratio, card_ratio = width / height, card_width / card_height
    if ratio == card_ratio:
        cut_width, cut_height = float(width), float(height)
    elif ratio > card_ratio:  # wider than the card: cut the sides
        cut_width, cut_height = card_ratio * height, float(height)
    else:  # taller: cut the top and bottom, more below than above
        cut_width, cut_height = float(width), width / card_ratio
    left, top = (width - cut_width) * 0.5, (height - cut_height) * 0.45
    if abs(cut_width - card_width) < 1e-6 and abs(cut_height - card_height) < 1e-6:
        return (float(round(left)), float(round(top)), float(round(left) + card_width), float(round(top) + card_height))
    return (left, top, left + cut_width, top + cut_height)


def render_card(title: str, publication: str, font: CardFont | None) -> bytes:
    """The PNG file of a drawn card: the publication's name above the article's title; no text without a font.

    Only the band of rows that holds the title differs between the cards of one publication, so
    only that band is drawn, filtered and compressed per card (see :class:`_Background`)."""
    background = _background(publication, font)
    band = _title_band(title, font)
    if band is None:
        return background.png(None, 0)
    packed = band.tobytes("raw", "L;4")  # two palette indices a byte, as the PNG stores them
    return background.png(packed, band.height)


def compose_card(title: str, publication: str, font: CardFont | None) -> Image.Image:
    """The drawn card as a palette image, composed with Pillow alone (what :func:`render_card`
    encodes: the tests compare the two)."""
    card = _background(publication, font).card
    band = _title_band(title, font)
    if band is not None:
        card = card.copy()
        card.paste(band, (0, _BAND_TOP))
    return card


def _title_band(title: str, font: CardFont | None) -> Image.Image | None:
    """The rows of the card from :data:`_BAND_TOP` down to below the title, as palette indices
    (an "L" image), with the left accent; None when the card has no title."""
    if font is None or not title.strip():
        return None
    face, size, lines = _layout(title, font)
    leading = round(size * 1.3)
    ascent, descent = face.getmetrics()
    top = _BAND_TOP
    bottom = min(TITLE_TOP + (len(lines) - 1) * leading + ascent + descent + 4, BAR[1])
    band = Image.new("L", (CARD_SIZE[0], bottom - top))
    draw = ImageDraw.Draw(band)
    for number, units in enumerate(lines):
        baseline = TITLE_TOP + number * leading + ascent - top
        x = float(MARGIN)
        for unit in units:
            glyphs = _glyphs(face, unit)
            if glyphs is not None:
                mask, (dx, dy) = glyphs
                draw.bitmap((round(x) + dx, baseline + dy), mask, fill=255)
            x += _advance(face, unit)[0]
    rows = band.point(_TITLE_LUT)
    ImageDraw.Draw(rows).rectangle((0, 0, 16, rows.height - 1), fill=_ACCENT)
    return rows


def draw_card(title: str, publication: str, font: CardFont | None) -> Image.Image:
    """The drawn card as an RGB image, decoded from :func:`render_card`'s file (for looking at it)."""
    with Image.open(io.BytesIO(render_card(title, publication, font))) as card:
        return card.convert("RGB")


def wrap(text: str, face: ImageFont.FreeTypeFont, room: float) -> list[str]:
    """Break text into lines that fit ``room``: between words, or between any two Han characters."""
    return ["".join(units).rstrip() for units in _wrap_units(text, face, room)]


def _layout(title: str, font: CardFont) -> tuple[ImageFont.FreeTypeFont, int, list[list[str]]]:
    """The title's face, size and lines (as units): the largest size that fits in MAX_LINES, else cut."""
    room = CARD_SIZE[0] - 2 * MARGIN
    for size in TITLE_SIZES:
        face = font.face(title, size)
        lines = _wrap_units(title, face, room)
        if len(lines) <= MAX_LINES:
            return face, size, lines
    last = _fit_line("".join("".join(units) for units in lines[MAX_LINES - 1:]), face, room)
    return face, size, lines[: MAX_LINES - 1] + [_UNITS.findall(last)]


def _wrap_units(text: str, face: ImageFont.FreeTypeFont, room: float) -> list[list[str]]:
    """Lines of units (words with their trailing space, Han characters with closing punctuation).

    Each unit is measured once per face (:func:`_advance`); a line's width is the sum of its
    units' advances, the last one without its trailing space, which is how it is drawn.
    """
    lines: list[list[str]] = []
    line: list[str] = []
    width = 0.0
    for unit in _UNITS.findall(" ".join(text.split())):
        advance, ink = _advance(face, unit)
        if line and ink and width + ink > room:
            lines.append(line)
            unit = unit.lstrip()
            line, width = [unit], _advance(face, unit)[0]
        else:
            line.append(unit)
            width += advance
    if "".join(line).strip():
        lines.append(line)
    return lines


@functools.lru_cache(maxsize=16384)
def _advance(face: ImageFont.FreeTypeFont, unit: str) -> tuple[float, float]:
    """How far a unit moves the pen, and how wide it is without its trailing space (0 for a space)."""
    ink = unit.rstrip()
    advance = face.getlength(unit)
    return advance, (advance if ink == unit else face.getlength(ink) if ink else 0.0)


@functools.lru_cache(maxsize=1024)
def _glyphs(face: ImageFont.FreeTypeFont, unit: str) -> tuple[Image.Image, tuple[int, int]] | None:
    """A unit rendered once (white on black, its ink only), with its offset from the pen on the baseline."""
    ink = unit.rstrip()
    if not ink:
        return None
    left, top, right, bottom = (int(value) for value in face.getbbox(ink, anchor="ls"))  # whole pixels for FreeType
    if right <= left or bottom <= top:
        return None
    mask = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(mask).text((-left, -top), ink, font=face, fill=255, anchor="ls")
    return mask, (left, top)


def _fit_line(text: str, face: ImageFont.FreeTypeFont, room: float) -> str:
    """One line, cut with an ellipsis when it is too long."""
    text = " ".join(text.split())
    if face.getlength(text) <= room:
        return text
    while text and face.getlength(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"


# -- the card's pixels and file ------------------------------------------------------------------

#: Palette indices: the background, the accents, then TEXT_LEVELS shades of each text colour.
_BACKGROUND, _ACCENT, _TITLE, _PUBLICATION = 0, 1, 2, 2 + TEXT_LEVELS
#: The rows drawn for each card start here: below the publication's name, above the title's first ascender.
_BAND_TOP = TITLE_TOP - 4


def _shades(colour: str) -> list[int]:
    """TEXT_LEVELS mixes of the background towards ``colour``, the last one the colour itself."""
    back, fore = ImageColor.getrgb(BACKGROUND), ImageColor.getrgb(colour)
    return [round(b + (f - b) * level / TEXT_LEVELS) for level in range(1, TEXT_LEVELS + 1) for b, f in zip(back, fore)]


_PALETTE = bytes([*ImageColor.getrgb(BACKGROUND), *ImageColor.getrgb(ACCENT), *_shades(TITLE_COLOUR), *_shades(PUBLICATION_COLOUR)])


def _lut(first: int) -> list[int]:
    """Text coverage (0–255) to palette index: the background, or one of TEXT_LEVELS shades from ``first``."""
    levels = [round(coverage * TEXT_LEVELS / 255) for coverage in range(256)]
    return [first + level - 1 if level else _BACKGROUND for level in levels]


_TITLE_LUT, _PUBLICATION_LUT = _lut(_TITLE), _lut(_PUBLICATION)


class _Background:
    """A publication's card without the title, drawn once per process, and what encoding it
    leaves the same from card to card.

    The file is written here rather than by Pillow's PNG encoder, which would filter and
    compress all 630 rows of every card: each row is filtered with the PNG filter "Up"
    (its difference from the row above: rows that repeat the one above become zeros),
    the rows above the title band are compressed once (a copy of the compressor's state
    goes on from there), and the rows below the band are filtered and compressed once for
    each row a band can end on. The pixels are
    Pillow's drawing (:func:`compose_card`); the file is a standard 16-colour PNG.
    """

    def __init__(self, publication: str, font: CardFont | None):
        width, height = CARD_SIZE
        text = Image.new("L", (width, height))
        if font is not None and publication.strip():
            small = font.face(publication, PUBLICATION_SIZE)
            line = _fit_line(publication, small, width - 2 * MARGIN)
            ImageDraw.Draw(text).text((MARGIN, MARGIN), line, font=small, fill=255)
        card = text.point(_PUBLICATION_LUT)
        draw = ImageDraw.Draw(card)
        draw.rectangle((0, 0, 16, height), fill=_ACCENT)
        draw.rectangle(BAR, fill=_ACCENT)
        self.packed = card.tobytes("raw", "L;4")
        self.card = card.convert("P") if card.mode != "P" else card
        self.card.putpalette(_PALETTE)
        #: Every row filtered, with its filter byte; and the compressor after the rows above the band.
        self.rows = _filter_up(self.packed, b"\0" * _ROW)
        head = b"".join(self.rows[:_BAND_TOP])
        self.head = zlib.compressobj(PNG_LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
        self.head_data, self.head_adler = self.head.compress(head), zlib.adler32(head)
        self.tails: dict[int, tuple[bytes, int, int]] = {}

    def png(self, band: bytes | None, rows: int) -> bytes:
        """The card's file with ``band`` (``rows`` rows of packed indices from :data:`_BAND_TOP`) in place."""
        compressor = self.head.copy()
        if band is None:
            data = self.head_data + compressor.compress(b"".join(self.rows[_BAND_TOP:])) + compressor.flush()
            return b"".join((_PNG_START, _chunk(b"IDAT", data), _PNG_END))
        end = _BAND_TOP + rows
        above = self.packed[(_BAND_TOP - 1) * _ROW : _BAND_TOP * _ROW]
        below = self.packed[end * _ROW : (end + 1) * _ROW]
        # The band and the row under it (filtered against the band's last row), then the rows
        # below, which are the same on every card whose band ends there: compressed once, as
        # a deflate stream of their own that follows the band's (which ends byte-aligned).
        middle = b"".join(_filter_up(band + below, above))
        tail, tail_adler, tail_length = self.tail(end + 1)
        adler = _adler32_combine(zlib.adler32(middle, self.head_adler), tail_adler, tail_length)
        data = self.head_data + compressor.compress(middle) + compressor.flush(zlib.Z_SYNC_FLUSH) + tail + struct.pack(">I", adler)
        return b"".join((_PNG_START, _chunk(b"IDAT", data), _PNG_END))

    def tail(self, start: int) -> tuple[bytes, int, int]:
        """The rows from ``start`` to the bottom: compressed (raw deflate, the last block), their
        Adler-32 checksum and their length."""
        found = self.tails.get(start)
        if found is None:
            rows = b"".join(self.rows[start:])
            compressor = zlib.compressobj(PNG_LEVEL, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
            found = self.tails[start] = (compressor.compress(rows) + compressor.flush(), zlib.adler32(rows), len(rows))
        return found


def _adler32_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 checksum of two pieces of data one after the other, from the first's checksum,
    the second's (computed on its own) and the second's length (zlib's ``adler32_combine``,
    which Python's zlib module does not offer)."""
    base = 65521
    remainder = length % base
    low = ((first & 0xFFFF) + (second & 0xFFFF) + base - 1) % base
    high = (remainder * (first & 0xFFFF) + (first >> 16) + (second >> 16) + base - remainder) % base
    return (high << 16) | low


#: Bytes in a row of the card: two pixels a byte.
_ROW = CARD_SIZE[0] // 2
#: zlib's level for the card's pixels: the fastest, with run-length matching only (the smallest file here).
PNG_LEVEL = 1


def _filter_up(packed: bytes, above: bytes) -> list[bytes]:
    """PNG rows filtered with "Up" (each byte minus the byte above it, modulo 256), each with its
    filter byte (2); ``above`` is the row before the first."""
    count = len(packed) // _ROW
    rows = Image.frombytes("L", (_ROW, count), packed)
    previous = Image.new("L", (_ROW, count))
    previous.paste(Image.frombytes("L", (_ROW, 1), above), (0, 0))
    if count > 1:
        previous.paste(rows.crop((0, 0, _ROW, count - 1)), (0, 1))
    filtered = ImageChops.subtract_modulo(rows, previous).tobytes()
    return [b"\2" + filtered[at : at + _ROW] for at in range(0, len(filtered), _ROW)]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


#: The card's file before its pixels (4 bits a pixel, palette) and after them.
_PNG_START = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", *CARD_SIZE, 4, 3, 0, 0, 0)) + _chunk(b"PLTE", _PALETTE)
_PNG_END = _chunk(b"IEND", b"")


@functools.lru_cache(maxsize=64)
def _background(publication: str, font: CardFont | None) -> _Background:
    return _Background(publication, font)
