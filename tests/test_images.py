"""The image stage: variants, markup, metadata stripping, bad files, the cache, social cards.

Every image is made here with Pillow; every site is a small inline one
(:mod:`conftest`). Published files are read back with Pillow.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageCms, ImageDraw

from brief import images, socialcard
from brief.images import ImageWork, check_svg, ImageProblem
from conftest import ARTICLE, ISSUE_DIR, SITE, article, build_site, check_site, errors_of, make_site

A = ARTICLE
PAGE = "_site/brief/first-article/index.html"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


# -- images made for the tests ----------------------------------------------------------


def jpeg(width: int = 2000, height: int = 1000, gps: bool = False, orientation: int = 0, icc: bytes | None = None,
         colour: tuple[int, int, int] = (40, 90, 160)) -> bytes:
    """A JPEG photo; optionally with GPS position, an orientation, an XMP packet, a comment and a profile."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((220, 30, 30), (0, 0, width // 2, height))  # left half red
    exif = Image.Exif()
    exif[0x010F] = "PhotoDesk Camera"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    buffer = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    image.save(buffer, "JPEG", quality=90, exif=exif, comment=b"shot by the photo desk",
               xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>', **extra)
    return buffer.getvalue()


def png(width: int = 600, height: int = 400, mode: str = "RGB") -> bytes:
    image = Image.new(mode, (width, height), (255, 255, 255, 0) if mode == "RGBA" else (255, 255, 255))
    image.paste((0, 120, 200) if mode == "RGB" else (0, 120, 200, 255), (50, 50, width - 50, height - 50))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A few bytes of PNG claiming a huge size: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def swapped_primaries_profile() -> bytes:
    """An ICC v2 RGB profile whose red and green colorants are sRGB's green and red.

    A pixel that is pure red in this profile is pure green in sRGB, so a test can see the
    conversion happen (Pillow can only create sRGB, LAB and XYZ profiles itself).
    """
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + b"\x00" * 4 + s15(x) + s15(y) + s15(z)

    curve = b"curv" + b"\x00" * 4 + struct.pack(">IH", 1, round(2.2 * 256)) + b"\x00\x00"
    text = b"Swapped primaries\x00"
    desc = b"desc" + b"\x00" * 4 + struct.pack(">I", len(text)) + text + b"\x00" * 4 + b"\x00" * 4 + b"\x00" * 3 + b"\x00" * 67
    tags = [
        (b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)), (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\x00" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ " + b"\x00" * 12
              + b"acsp" + b"\x00" * 24 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\x00" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


# -- small sites --------------------------------------------------------------------------

FRONT = "title: First Article\nauthors: [jane-doe]\n"
LEAD_FRONT = FRONT + "image:\n  src: images/lead.jpg\n  alt: A harbour at dawn\n"  # 'image:' is line 4
FIGURE_BODY = "Text above.\n\nFigure 1: A chart\n\n![Bars by year](images/chart.png)\n\n(Source: The desk.)\n"
LEAD_LINE = 4
FIGURE_LINE = LEAD_FRONT.count("\n") + 4 + 4  # the image paragraph is the fifth body line


def lead_site(tmp_path: Path, lead: bytes, figure: bytes | None = None, lead_name: str = "lead.jpg",
              extra: dict[str, str | bytes | None] | None = None) -> Path:
    front = LEAD_FRONT.replace("lead.jpg", lead_name)
    files: dict[str, str | bytes | None] = {
        A: article(front, FIGURE_BODY if figure is not None else "Text.\n"),
        f"{ISSUE_DIR}/images/{lead_name}": lead,
    }
    if figure is not None:
        files[f"{ISSUE_DIR}/images/chart.png"] = figure
    return make_site(tmp_path, {**files, **(extra or {})})


def soup_of(project: Path, page: str = PAGE) -> BeautifulSoup:
    return BeautifulSoup((project / page).read_text(encoding="utf-8"), "html.parser")


def published(project: Path, page: str, url: str) -> Path:
    return (project / page).parent / url


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(item.split()[0], int(item.split()[1][:-1])) for item in srcset.split(",")]


# -- variants and markup --------------------------------------------------------------------


def test_photo_is_published_in_every_width_below_its_own_in_webp_and_jpeg(tmp_path: Path) -> None:
    project = lead_site(tmp_path, jpeg(2000, 1000))
    build_site(project)
    picture = soup_of(project).select_one(".lead-image picture")
    source, img = picture.find("source"), picture.find("img")
    assert source["type"] == "image/webp"
    webp, fallback = candidates(source["srcset"]), candidates(img["srcset"])
    assert [w for _, w in webp] == [w for _, w in fallback] == [480, 800, 1200, 1600]
    assert source["sizes"] == img["sizes"] == images.SIZES
    for (url, width), expected in [(c, "WEBP") for c in webp] + [(c, "JPEG") for c in fallback]:
        with Image.open(published(project, PAGE, url)) as file:
            assert (file.format, file.size) == (expected, (width, width // 2))
    assert (img["width"], img["height"]) == ("1600", "800")
    assert img["src"].endswith("-800.jpg")


def test_small_image_is_never_upscaled(tmp_path: Path) -> None:
    project = lead_site(tmp_path, jpeg(2000, 1000), figure=png(600, 400))
    build_site(project)
    figure_img = soup_of(project).select_one(".article-body picture img")
    assert [w for _, w in candidates(figure_img["srcset"])] == [480, 600]
    assert (figure_img["width"], figure_img["height"]) == ("600", "400")
    for url, width in candidates(figure_img["srcset"]):
        with Image.open(published(project, PAGE, url)) as file:
            assert file.format == "PNG" and file.size == (width, round(400 * width / 600))


def test_transparent_image_falls_back_to_png(tmp_path: Path) -> None:
    project = lead_site(tmp_path, jpeg(), figure=png(500, 300, mode="RGBA"))
    build_site(project)
    img = soup_of(project).select_one(".article-body picture img")
    with Image.open(published(project, PAGE, img["src"])) as file:
        assert file.format == "PNG" and file.mode == "RGBA"
    webp_url = candidates(soup_of(project).select_one(".article-body picture source")["srcset"])[0][0]
    with Image.open(published(project, PAGE, webp_url)) as file:
        assert file.mode == "RGBA"


def test_lead_image_is_fetched_first_and_figures_after_but_not_lazily(tmp_path: Path) -> None:
    # Not lazily: a browser printing the page does not wait for lazy images it has not loaded.
    project = lead_site(tmp_path, jpeg(), figure=png())
    build_site(project)
    soup = soup_of(project)
    lead, figure = soup.select_one(".lead-image img"), soup.select_one(".article-body img")
    assert not lead.has_attr("loading") and lead["fetchpriority"] == "high"
    assert not figure.has_attr("loading") and figure["fetchpriority"] == "low"
    assert lead["decoding"] == figure["decoding"] == "async"
    assert lead["alt"] == "A harbour at dawn" and figure["alt"] == "Bars by year"
    for img in (lead, figure):
        assert int(img["width"]) > 0 and int(img["height"]) > 0


def test_svg_passes_through_untouched(tmp_path: Path) -> None:
    svg = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="760" height="220" viewBox="0 0 760 220">'
           b'<title>Chain</title><rect width="760" height="220" fill="#fff"/></svg>\n')
    body = "Figure 1: A diagram\n\n![The chain](images/chain.svg)\n"
    project = make_site(tmp_path, {A: article(FRONT, body), f"{ISSUE_DIR}/images/chain.svg": svg})
    build_site(project)
    img = soup_of(project).select_one(".article-body img")
    assert img.parent.name != "picture"
    assert (img["width"], img["height"], img["fetchpriority"]) == ("760", "220", "low")
    assert published(project, PAGE, img["src"]).read_bytes() == svg


# -- privacy: metadata and orientation ------------------------------------------------------


def published_files(project: Path) -> list[Path]:
    return sorted(p for p in (project / "_site/media").rglob("*") if p.is_file() and p.suffix != ".svg")


def test_published_files_carry_no_gps_exif_xmp_comment_or_profile(tmp_path: Path) -> None:
    original = jpeg(gps=True, icc=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    with Image.open(io.BytesIO(original)) as source:  # the test photo really carries all of it
        assert source.getexif().get_ifd(GPS_IFD) and "xmp" in source.info and "comment" in source.info
    project = lead_site(tmp_path, original)
    build_site(project)
    files = published_files(project)
    assert {p.suffix for p in files} == {".jpg", ".webp"} and len(files) == 9  # 4 widths × 2 formats + social card
    for path in files:
        data = path.read_bytes()
        assert b"PhotoDesk" not in data and b"photo desk" not in data and b"xmpmeta" not in data
        with Image.open(path) as file:
            assert not file.getexif(), path.name
            assert not file.getexif().get_ifd(GPS_IFD)
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"} & set(file.info), path.name


def test_orientation_is_applied_before_resizing(tmp_path: Path) -> None:
    # Stored 1000×600, left half red; orientation 6 means "rotate 90° clockwise to view".
    project = lead_site(tmp_path, jpeg(1000, 600, orientation=6))
    build_site(project)
    img = soup_of(project).select_one(".lead-image img")
    assert (img["width"], img["height"]) == ("600", "1000")
    with Image.open(published(project, PAGE, img["src"])) as file:
        assert file.size == (600, 1000)
        top, bottom = file.convert("RGB").getpixel((300, 20)), file.convert("RGB").getpixel((300, 980))
        assert top[0] > 180 and top[2] < 80  # red is now on top
        assert bottom[2] > 120 and bottom[0] < 100


def test_colour_profile_is_converted_to_srgb(tmp_path: Path) -> None:
    # Pure red in a profile whose red colorant is sRGB's green must come out green.
    project = lead_site(tmp_path, jpeg(800, 400, icc=swapped_primaries_profile()))
    build_site(project)
    img = soup_of(project).select_one(".lead-image img")
    with Image.open(published(project, PAGE, img["src"])) as file:
        assert "icc_profile" not in file.info
        red, green, blue = file.convert("RGB").getpixel((100, 200))  # the left half, red as stored
    assert green > 150 and red < 100 and blue < 100


# -- bad images -----------------------------------------------------------------------------


def test_truncated_figure_is_reported_at_its_line(tmp_path: Path) -> None:
    whole = png(1200, 900)
    project = lead_site(tmp_path, jpeg(), figure=whole[: len(whole) - 200])
    [error] = errors_of(project)
    assert error.startswith(f"{A}:{FIGURE_LINE}: the image 'images/chart.png' is damaged or truncated and cannot be decoded: ")


def test_truncated_jpeg_is_reported_not_crashed(tmp_path: Path) -> None:
    whole = jpeg(1600, 1200)
    project = lead_site(tmp_path, whole[: len(whole) // 2])
    assert errors_of(project) == [
        f"{A}:{LEAD_LINE}: the image 'images/lead.jpg' is damaged or truncated and cannot be decoded: "
        "image file is truncated — open it in an image editor and export it again, or ask for the original file"
    ]


def test_file_whose_extension_lies_is_reported(tmp_path: Path) -> None:
    project = lead_site(tmp_path, png(300, 200))
    assert errors_of(project) == [
        f"{A}:{LEAD_LINE}: the image 'images/lead.jpg' is a PNG file, but its name ends in '.jpg'"
        " — rename the file to 'lead.png' and change the reference to it"
    ]


def test_text_file_named_jpg_is_reported(tmp_path: Path) -> None:
    project = lead_site(tmp_path, b"<!doctype html><html><body>404 Not Found</body></html>\n")
    assert errors_of(project) == [
        f"{A}:{LEAD_LINE}: the image 'images/lead.jpg' is not an image: the file holds an HTML page, not picture data"
        " — replace it with the JPEG, PNG, WebP or SVG file it should be"
    ]


def test_unsupported_format_is_named(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "TIFF")
    project = lead_site(tmp_path, buffer.getvalue(), lead_name="lead.tif")
    assert errors_of(project) == [
        f"{A}:{LEAD_LINE}: the image 'images/lead.tif' is a TIFF image, which browsers cannot show"
        " — export it as JPEG (photos) or PNG (charts and screenshots)"
    ]


def test_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    project = lead_site(tmp_path, jpeg(), figure=png_header_only(100_000, 100_000))
    [error] = errors_of(project)
    assert error == (
        f"{A}:{FIGURE_LINE}: the image 'images/chart.png' is 100000×100000 pixels (10,000.0 megapixels), more than the"
        " limit of 40.0 megapixels; a file this large could exhaust memory (a decompression bomb)"
        " — scale it down (2400 pixels across is plenty for a web page), or raise 'max_pixels' under 'images:' in site.yaml"
    )


def test_pixel_and_byte_limits_come_from_site_yaml(tmp_path: Path) -> None:
    site = "title: Test Brief\nbase_url: https://brief.example.org/\nimages:\n  max_pixels: 1000000\n  max_megabytes: 1\n"
    big_file = jpeg(600, 400)[:-2] + os.urandom(1_300_000) + b"\xff\xd9"
    project = lead_site(tmp_path, jpeg(2000, 1000), figure=big_file, extra={SITE: site})
    errors = errors_of(project)
    assert errors[0].startswith(f"{A}:{LEAD_LINE}: the image 'images/lead.jpg' is 2000×1000 pixels (2.0 megapixels),"
                                " more than the limit of 1.0 megapixels")
    assert errors[1] == (
        f"{A}:{FIGURE_LINE}: the image 'images/chart.png' is 1.2 MB, more than the limit of 1.0 MB"
        " — export it again at a smaller size, or raise 'max_megabytes' under 'images:' in site.yaml"
    )


def test_bad_image_is_reported_by_check_too(tmp_path: Path) -> None:
    whole = jpeg(1600, 1200)
    project = lead_site(tmp_path, whole[: len(whole) // 2])
    with pytest.raises(Exception) as caught:
        check_site(project)
    assert "is damaged or truncated" in str(caught.value)


def test_bad_image_used_by_two_articles_is_reported_at_each(tmp_path: Path) -> None:
    second = "content/brief/v1n1/02-second.md"
    files = {second: article("title: Second\nauthors: [jane-doe]\n", "Text.\n\n![A photo](images/lead.jpg)\n")}
    project = lead_site(tmp_path, b"not an image at all", extra=files)
    errors = errors_of(project)
    assert [e.split(": the image")[0] for e in errors] == [f"{A}:{LEAD_LINE}", f"{second}:8"]


SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'


@pytest.mark.parametrize(
    "svg, problem",
    [
        (SVG_OPEN + b"\n<script>alert(1)</script></svg>", "contains a <script> element (line 2 of the SVG)"),
        (SVG_OPEN + b'<rect onload="alert(1)"/></svg>', "has an event handler attribute 'onload' on <rect> (line 1 of the SVG)"),
        (SVG_OPEN + b'<a href=" java\tscript:alert(1)"><text>x</text></a></svg>', "has a 'javascript:' URL in 'href' on <a> (line 1 of the SVG)"),
        (SVG_OPEN + b'<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="data:text/html,x"/></svg>',
         "has a 'data:' URL in 'href' on <a> (line 1 of the SVG)"),
        (SVG_OPEN + b'<set attributeName="href" to="javascript:alert(1)"/></svg>', "has a 'javascript:' URL in 'to' on <set>"),
        (SVG_OPEN + b"<foreignObject><div>x</div></foreignObject></svg>", "contains a <foreignObject> element, which can hold HTML"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' + SVG_OPEN + b"&b;</svg>",
         "has a DOCTYPE declaration, which can define entities (line 1 of the SVG)"),
        (b'<?xml-stylesheet href="http://example.org/x.xsl"?>' + SVG_OPEN + b"</svg>", "has a processing instruction '<?xml-stylesheet'"),
        (b"<svg width='10'></svg>", 'is not an SVG image: its root element is <svg> without xmlns="http://www.w3.org/2000/svg"'),
        (b"<html><body/></html>", "is not an SVG image: its root element is <html>"),
        (SVG_OPEN + b"<rect>", "is not well-formed XML: no element found (line 1 of the SVG)"),
    ],
    ids=["script", "onload", "javascript-href", "data-href", "animated-href", "foreign-object", "entities",
         "stylesheet", "no-namespace", "not-svg", "unclosed"],
)
def test_unsafe_or_broken_svg_is_a_content_error(tmp_path: Path, svg: bytes, problem: str) -> None:
    body = "Text.\n\n![A diagram](images/chain.svg)\n"
    project = make_site(tmp_path, {A: article(FRONT, body), f"{ISSUE_DIR}/images/chain.svg": svg})
    [error] = errors_of(project)
    assert error.startswith(f"{A}:8: the image 'images/chain.svg' {problem}")


def test_safe_svg_features_are_allowed() -> None:
    svg = (SVG_OPEN[:-1] + b' xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 20 10">'
           b'<style>rect{fill:red}</style><defs><path id="p" d="M0 0h5"/></defs><use xlink:href="#p"/>'
           b'<a href="https://example.org/"><text>source</text></a>'
           b'<image href="data:image/png;base64,iVBORw0KGgo="/></svg>')
    assert check_svg(svg) == (10, 10)
    assert check_svg(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>') == (300, 150)
    assert check_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="100%"/>') == (0, 0)


def test_animated_gif_is_a_content_error(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (40, 40), (80 * i, 0, 0)) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    project = lead_site(tmp_path, buffer.getvalue(), lead_name="lead.gif")
    assert errors_of(project) == [
        f"{A}:{LEAD_LINE}: the image 'images/lead.gif' is animated (3 frames), and Brief publishes still images only"
        " — publish a still image (PNG or JPEG); an animation belongs in a video"
    ]


# -- the cache ------------------------------------------------------------------------------


@pytest.fixture
def submissions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cache misses of each build: the jobs handed to worker processes."""
    calls: list[str] = []
    submit = ImageWork.submit

    def recording(self: ImageWork, job, count, workers):  # type: ignore[no-untyped-def]
        if isinstance(job, images.VariantJob):
            calls.append(job.source.name)
        else:
            calls.extend("card:" + card.title for card in job.jobs)
        return submit(self, job, count, workers)

    monkeypatch.setattr(ImageWork, "submit", recording)
    return calls


def cache_entries(project: Path) -> dict[str, int]:
    return {p.relative_to(project).as_posix(): p.stat().st_mtime_ns for p in (project / images.CACHE_FOLDER).rglob("*") if p.is_file()}


def test_unchanged_images_are_not_decoded_again(tmp_path: Path, submissions: list[str]) -> None:
    project = lead_site(tmp_path, jpeg(), figure=png())
    build_site(project)
    assert sorted(submissions) == ["chart.png", "lead.jpg"]
    first_site = {p: p.read_bytes() for p in (project / "_site/media").rglob("*") if p.is_file()}
    first_cache = cache_entries(project)
    assert first_cache and not any("_site" in p for p in first_cache)
    submissions.clear()
    build_site(project)
    assert submissions == []
    assert cache_entries(project) == first_cache
    assert {p: p.read_bytes() for p in (project / "_site/media").rglob("*") if p.is_file()} == first_site


def test_changed_image_is_processed_again_under_a_new_url(tmp_path: Path, submissions: list[str]) -> None:
    project = lead_site(tmp_path, jpeg(), figure=png())
    build_site(project)
    old = soup_of(project).select_one(".article-body img")["src"]
    submissions.clear()
    (project / ISSUE_DIR / "images/chart.png").write_bytes(png(700, 300))
    build_site(project)
    assert submissions == ["chart.png"]
    new = soup_of(project).select_one(".article-body img")["src"]
    assert new != old and not published(project, PAGE, old).exists()


def test_damaged_cache_entry_is_made_again(tmp_path: Path, submissions: list[str]) -> None:
    project = lead_site(tmp_path, jpeg())
    build_site(project)
    [manifest] = (project / images.CACHE_FOLDER).rglob(images.MANIFEST)
    next(p for p in manifest.parent.iterdir() if p.suffix == ".webp").unlink()
    submissions.clear()
    build_site(project)  # nothing changed: the published output is complete, nothing is done
    assert submissions == []
    article_file = next((project / ISSUE_DIR).glob("*.md"))
    os.utime(article_file, ns=(article_file.stat().st_atime_ns, article_file.stat().st_mtime_ns + 1_000_000))
    build_site(project)  # now the images are planned again, and the damaged entry is made anew
    assert submissions == ["lead.jpg"]


def test_processing_in_this_process_gives_the_same_files(tmp_path: Path) -> None:
    from brief.errors import Diagnostics
    from brief.pipeline import Build
    from conftest import build_options

    one, two, three = tmp_path / "one", tmp_path / "two", tmp_path / "three"
    for project in (one, two, three):
        lead_site(project, jpeg(), figure=png())
    build_site(one)
    build = Build(build_options(two, write=False))
    build.run()
    # The same site, processed again in this process (no workers), into the third project's cache.
    work = images.start_images(build.report.site, three, Diagnostics(), workers=0)
    work.wait(Diagnostics())

    def cached(project: Path) -> dict[str, bytes]:
        cache = project / images.CACHE_FOLDER
        return {
            p.relative_to(cache).as_posix(): p.read_bytes()
            for p in cache.rglob("*")
            if p.is_file() and p.name not in (images.MANIFEST, "digests.json")  # the latter names the project's paths
        }

    assert len(work.processed) == 2
    assert cached(three) == cached(one)
    assert len(cached(one)) == 4 * 2 + 1 + 2 * 2  # the lead: 4 widths × 2 formats + social card; the chart: 2 × 2


# -- social cards -----------------------------------------------------------------------------


def og(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return tag["content"]


def site_file(project: Path, absolute_url: str) -> Path:
    assert absolute_url.startswith("https://brief.example.org/")
    return project / "_site" / absolute_url.removeprefix("https://brief.example.org/")


def test_social_card_is_cropped_from_the_lead_image(tmp_path: Path) -> None:
    project = lead_site(tmp_path, jpeg(3000, 1000, gps=True))
    build_site(project)
    soup = soup_of(project)
    url = og(soup, "og:image")
    assert og(soup, "twitter:image") == url and og(soup, "twitter:card") == "summary_large_image"
    assert (og(soup, "og:image:width"), og(soup, "og:image:height"), og(soup, "og:image:type")) == ("1200", "630", "image/jpeg")
    assert og(soup, "og:image:alt") == "A harbour at dawn"
    with Image.open(site_file(project, url)) as card:
        assert (card.format, card.size) == ("JPEG", (1200, 630))
        assert not card.getexif() and "icc_profile" not in card.info


def test_article_without_lead_gets_a_title_card(tmp_path: Path) -> None:
    project = make_site(tmp_path, {A: article("title: 解放军在台湾周边举行演习\nauthors: [jane-doe]\n")})
    build_site(project)
    soup = soup_of(project)
    assert og(soup, "og:image:alt") == "解放军在台湾周边举行演习 — The Brief"
    with Image.open(site_file(project, og(soup, "og:image"))) as card:
        assert (card.format, card.size) == ("PNG", (1200, 630))


def test_title_card_draws_chinese_glyphs() -> None:
    font = socialcard.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    blank = socialcard.draw_card("", "", None)
    card = socialcard.draw_card("國防部", "The Brief", font)
    assert card.size == (1200, 630) and card.tobytes() != blank.tobytes()
    face = font.face("國防部", 64)

    def glyph(character: str) -> bytes:
        image = Image.new("L", (80, 80))
        ImageDraw.Draw(image).text((0, 0), character, font=face, fill=255)
        return image.tobytes()

    tofu = glyph("\U000f0000")  # a private-use character: the font's missing-glyph box
    glyphs = {glyph(ch) for ch in "國防部"}
    assert len(glyphs) == 3 and tofu not in glyphs


def test_title_card_without_a_font_has_no_text(monkeypatch: pytest.MonkeyPatch) -> None:
    card = socialcard.draw_card("解放军", "The Brief", None)
    assert card.size == (1200, 630)
    assert len(card.getcolors(1200 * 630) or []) <= 3  # background and accents only


def test_long_titles_wrap_between_words_and_han_characters() -> None:
    font = socialcard.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    face = font.face("x", 60)
    lines = socialcard.wrap("Instead of a Named Exercise, the Navy Intensifies Winter Training", face, 600)
    assert all(face.getlength(line) <= 600 for line in lines) and " ".join(lines).split() == \
        "Instead of a Named Exercise, the Navy Intensifies Winter Training".split()
    han = socialcard.wrap("解放军东部战区在台湾周边举行联合演习，海空兵力持续施压", face, 500)
    assert len(han) > 1 and all(not line.startswith("，") for line in han)


def test_image_problem_survives_a_worker_process() -> None:
    import pickle

    problem = pickle.loads(pickle.dumps(ImageProblem("is damaged", "hint")))
    assert (problem.message, problem.hint) == ("is damaged", "hint")


# -- drawn cards: the file, its cost-saving shortcuts, batches ---------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG file's chunks (kind, data), each checked against its CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        assert data[at + 8 + length : at + 12 + length] == struct.pack(">I", zlib.crc32(kind + body))
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def reference_card(title: str, publication: str, font: socialcard.CardFont) -> Image.Image:
    """The straightforward drawing of a card (whole lines of text in RGB), as Brief drew cards before
    it drew them fast: the card Brief publishes must look the same."""
    card = Image.new("RGB", socialcard.CARD_SIZE, socialcard.BACKGROUND)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 16, 630), fill=socialcard.ACCENT)
    draw.rectangle(socialcard.BAR, fill=socialcard.ACCENT)
    small = font.face(publication, socialcard.PUBLICATION_SIZE)
    draw.text((socialcard.MARGIN, socialcard.MARGIN), publication, font=small, fill=socialcard.PUBLICATION_COLOUR)
    for size in socialcard.TITLE_SIZES:
        face = font.face(title, size)
        lines = socialcard.wrap(title, face, 1200 - 2 * socialcard.MARGIN)
        if len(lines) <= socialcard.MAX_LINES:
            break
    for number, line in enumerate(lines):
        draw.text((socialcard.MARGIN, socialcard.TITLE_TOP + number * round(size * 1.3)), line, font=face, fill=socialcard.TITLE_COLOUR)
    return card


CARD_TITLES = [
    "Instead of a Named Exercise, the Navy Intensifies Winter Training",
    "解放军东部战区在台湾周边举行联合演习，海空兵力持续施压",
    "國防部：共軍在台海周邊的軍事活動持續增加",
    "Beijing’s “Grey-Zone” Pressure: What the Coast Guard Law Changed (2021–2025)",
]


@pytest.mark.parametrize("title", CARD_TITLES + [""])
def test_drawn_card_is_a_small_16_colour_png_without_metadata(title: str) -> None:
    data = socialcard.render_card(title, "China Brief", socialcard.find_cjk_font())  # no font: no text, still a card
    chunks = png_chunks(data)
    kinds = [kind for kind, _ in chunks]
    assert kinds[:2] == [b"IHDR", b"PLTE"] and kinds[-1] == b"IEND" and set(kinds[2:-1]) == {b"IDAT"}  # no metadata
    assert chunks[0][1] == struct.pack(">IIBBBBB", 1200, 630, 4, 3, 0, 0, 0)  # 4 bits a pixel, palette
    assert len(zlib.decompress(b"".join(d for k, d in chunks if k == b"IDAT"))) == 630 * 601  # rows: filter byte + 600
    with Image.open(io.BytesIO(data)) as card:
        card.load()
        assert (card.format, card.mode, card.size) == ("PNG", "P", (1200, 630))
        assert not card.getexif() and "icc_profile" not in card.info
    assert len(data) < 40_000


@pytest.mark.parametrize("title", CARD_TITLES)
def test_drawn_card_looks_like_the_straightforward_drawing(title: str) -> None:
    font = socialcard.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    fast = socialcard.draw_card(title, "中國簡報" if "國" in title else "China Brief", font).convert("L")
    slow = reference_card(title, "中國簡報" if "國" in title else "China Brief", font).convert("L")
    difference = [abs(a - b) for a, b in zip(fast.tobytes(), slow.tobytes())]
    # Words and characters are pasted at whole pixels and antialiased in 8 shades: a word may move by
    # a pixel (0.1–0.35 on average here, edges of up to 0.9 % of the text's pixels differ by half the
    # range), the text may not (title lines 3 pixels lower: 4.5 on average, 25 % of the text's pixels).
    assert sum(difference) / len(difference) < 0.6
    assert sum(d > 128 for d in difference) < 0.03 * sum(v > 128 for v in slow.tobytes())


@pytest.mark.parametrize("title", CARD_TITLES + ["", "x", "gyp " * 60])
@pytest.mark.parametrize("publication", ["China Brief", "中國簡報"])
def test_drawn_card_file_holds_the_pixels_pillow_composes(title: str, publication: str) -> None:
    """The file is encoded by Brief (only the title's rows per card): decoded, it is exactly the
    card Pillow composes, with the same palette, for titles of one to four lines and none."""
    for font in (socialcard.find_cjk_font(), None):
        data = socialcard.render_card(title, publication, font)
        composed = socialcard.compose_card(title, publication, font)
        with Image.open(io.BytesIO(data)) as card:
            card.load()
            assert card.tobytes() == composed.tobytes()
            assert card.getpalette() == composed.getpalette()[: 3 * 16]
        # Every row is filtered with "Up" (2): rows that repeat the row above compress to little.
        raw = zlib.decompress(b"".join(d for k, d in png_chunks(data) if k == b"IDAT"))
        assert {raw[row * 601] for row in range(630)} == {2}


@pytest.mark.parametrize("second_length", [0, 1, 5, 65520, 65521, 65522, 300_000])
def test_card_checksum_of_two_pieces_is_zlibs_checksum_of_both(second_length: int) -> None:
    import random

    rng = random.Random(second_length)
    for first_length in (0, 1, 700, 100_000):
        first, second = rng.randbytes(first_length), rng.randbytes(second_length)
        combined = socialcard._adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
        assert combined == zlib.adler32(first + second)


def test_drawn_card_does_not_depend_on_what_the_process_drew_before() -> None:
    font = socialcard.find_cjk_font()
    for cache in (socialcard._glyphs, socialcard._advance, socialcard._background, socialcard._load_face):
        cache.cache_clear()
    first = socialcard.render_card(CARD_TITLES[0], "China Brief", font)
    for title in CARD_TITLES[1:] * 3:
        socialcard.render_card(title, "Eurasia Monitor", font)
    assert socialcard.render_card(CARD_TITLES[0], "China Brief", font) == first


def test_photo_card_is_a_plain_crop_of_the_variant_that_holds_it() -> None:
    from PIL import ImageOps

    assert [images.holds_card(size) for size in [(1600, 1200), (1200, 900), (800, 600), (1200, 630), (1199, 900)]] == \
        [True, True, False, True, False]
    assert [images.holds_card(size) for size in [(3000, 1000), (1600, 533), (2400, 1260), (2400, 629)]] == [True, False, True, False]
    picture = Image.effect_noise((2400, 1800), 60).convert("RGB")
    variant = picture.resize((1200, 900), Image.Resampling.LANCZOS)
    # The 1200-pixel variant holds the card: cut a little above the centre, with no resampling.
    assert images.photo_card(picture, None, variant).tobytes() == variant.crop((0, 122, 1200, 752)).tobytes()
    # No variant of a panorama is 630 pixels high: the card comes from the decoded picture, as ImageOps.fit cuts it.
    wide = Image.effect_noise((3000, 1000), 60).convert("RGB")
    card = images.photo_card(wide, None, None)
    assert card.tobytes() == ImageOps.fit(wide, (1200, 630), Image.Resampling.LANCZOS, centering=(0.5, 0.45)).tobytes()


def test_drawn_cards_go_to_workers_in_batches_and_are_cached_one_file_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from brief.errors import Diagnostics
    from brief.pipeline import Build
    from conftest import articles, build_options

    project = make_site(tmp_path, articles(20))
    build = Build(dataclasses.replace(build_options(project, write=False), verify_images=True))  # images in a scratch cache
    build.run()
    batches: list[int] = []
    submit = ImageWork.submit

    def recording(self: ImageWork, job, count, workers):  # type: ignore[no-untyped-def]
        batches.append(len(job.jobs))
        return submit(self, job, count, workers)

    monkeypatch.setattr(ImageWork, "submit", recording)
    work = images.start_images(build.report.site, project, Diagnostics(), workers=0)
    work.wait(Diagnostics())
    assert sum(batches) == len(work.processed) == 20 and 1 < len(batches) < 20
    assert max(batches) <= images.CARDS_PER_TASK
    cards = project / images.CACHE_FOLDER / images.CARDS_FOLDER
    files = sorted(p.relative_to(cards).as_posix() for p in cards.rglob("*") if p.is_file())
    assert len(files) == 20 and all(re.fullmatch(r"([0-9a-f]{2})/\1[0-9a-f]{30}\.png", f) for f in files)  # no temporary files left
    assert set(work.copies.values()) == {cards / f for f in files}
    batches.clear()
    again = images.start_images(build.report.site, project, Diagnostics(), workers=0)
    assert batches == [] and again.processed == [] and again.social == work.social


def test_cards_drawn_by_workers_started_afresh_are_those_of_forked_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From FRESH_WORKERS_CARDS cards the workers are spawned, not forked (a large archive's
    build would otherwise leave each worker holding old copies of its memory): same files."""
    from brief.errors import Diagnostics
    from brief.pipeline import Build
    from conftest import articles, build_options

    project = make_site(tmp_path, articles(12))
    build = Build(dataclasses.replace(build_options(project, write=False), verify_images=True))
    build.run()
    cards = project / images.CACHE_FOLDER / images.CARDS_FOLDER
    drawn: dict[bool, dict[str, bytes]] = {}
    for fresh in (False, True):
        shutil.rmtree(cards, ignore_errors=True)
        monkeypatch.setattr(images, "FRESH_WORKERS_CARDS", 1 if fresh else 10**9)
        work = images.start_images(build.report.site, project, Diagnostics(), workers=2)
        assert work.fresh is fresh and work.executor is not None
        assert (work.executor._mp_context.get_start_method() == "spawn") is fresh
        work.wait(Diagnostics())
        drawn[fresh] = {p.name: p.read_bytes() for p in cards.rglob("*.png")}
    assert len(drawn[True]) == 12 and drawn[True] == drawn[False]


def test_rebuild_does_not_read_unchanged_images(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = lead_site(tmp_path, jpeg(), figure=png())
    build_site(project)
    article_file = next((project / ISSUE_DIR).glob("*.md"))
    os.utime(article_file, ns=(article_file.stat().st_atime_ns, article_file.stat().st_mtime_ns + 1_000_000))
    reads: list[str] = []
    real = images._read_limited

    def counting(path: Path, max_bytes: int) -> bytes:
        reads.append(path.name)
        return real(path, max_bytes)

    monkeypatch.setattr(images, "_read_limited", counting)
    build_site(project)  # the article changed, so images are planned again: from their digests, unread
    assert reads == []
    (project / ISSUE_DIR / "images/chart.png").write_bytes(png(640, 300))
    build_site(project)  # a changed image is read (and processed) again
    assert reads == ["chart.png"]  # read once: hashed, and its header read from the same bytes


def test_a_build_without_a_cjk_font_warns_once_naming_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cards without a title are not drawn silently: one warning for the whole build."""
    monkeypatch.setattr(socialcard, "find_cjk_font", lambda: None)
    second = ISSUE_DIR + "/02-second.md"
    project = make_site(tmp_path, {second: article("title: Second\nauthors: [jane-doe]\n")})
    report = build_site(project)
    warnings = [str(d) for d in report.diagnostics.warnings]
    assert warnings == [
        f"{ARTICLE}: warning [no-cjk-font]: no CJK font was found: social cards are drawn without their titles (2 in this build)"
        " — install the package fonts-noto-cjk (Debian, Ubuntu) or Noto Sans CJK, then build again"
    ]
    assert len(list((project / "_site/media").rglob("*-card.png"))) == 2
