"""Benchmark the image pipeline: photos per second and peak memory, or social cards per second.

Not a timed test: it prints figures to write down in ``docs/images.md``. It
builds a real Brief site (one article per photo, the photo as its lead image,
so each gets four widths in WebP and JPEG plus a social card) through
:func:`brief.pipeline.build`, twice: once with an empty cache (every photo
decoded) and once more with the cache filled (no photo decoded). The builds run
in a fresh Python process, so that its peak memory (``ru_maxrss``) and that of
its worker processes are the build's alone.

    python benchmarks/bench_images.py                      # 24 synthetic 12-megapixel JPEGs
    python benchmarks/bench_images.py --count 8 --workers 1
    python benchmarks/bench_images.py ~/Pictures/desk      # your own photos (JPEG, PNG, WebP)

Without a folder, it makes ``--count`` deterministic 4000×3000 JPEGs (quality
90, with GPS EXIF, like a phone camera's) that compress like photos: smooth
gradients, shapes and sensor-like noise.

With ``--cards N``, it measures social cards instead: N articles without a lead
image (varied English, Simplified and Traditional Chinese titles in four
publications), each needing a drawn card, processed by
:func:`brief.images.start_images` with an empty cache in this process and with 1
and 2 worker processes; then the marginal cost of a card cropped from a lead
photo (a photo's files made with and without its card, in this process).

    python benchmarks/bench_images.py --cards 1000         # drawn cards, cold cache
    python benchmarks/bench_images.py --cards 1000 --photo-cards 6
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def make_photo(path: Path, seed: int, size: tuple[int, int] = (4000, 3000)) -> None:
    """A photo-like JPEG: gradients, soft shapes and noise, with camera EXIF and a GPS position."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = size
    channels = []
    for _ in range(3):
        gradient = Image.linear_gradient("L").rotate(rng.uniform(0, 360), expand=False).resize(size)
        channels.append(gradient.point(lambda v, lo=rng.randint(0, 80), hi=rng.randint(150, 255): lo + v * (hi - lo) // 255))
    image = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randint(40, 600)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(6))
    noise = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "PhotoDesk", "Camera 12"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, float(seed)), 3: "W", 4: (0.0, 7.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    path.write_bytes(buffer.getvalue())


def make_project(root: Path, photos: list[Path]) -> Path:
    """A Brief project with one article per photo, the photo as its lead image."""
    content = root / "content"
    issue = content / "bench" / "v1n1"
    (issue / "images").mkdir(parents=True)
    (content / "authors").mkdir()
    (content / "site.yaml").write_text("title: Bench\nbase_url: https://bench.example.org/\n"
                                       "images:\n  max_pixels: 60000000\n  max_megabytes: 60\n")
    (content / "authors" / "bench.md").write_text("---\nname: Bench Writer\n---\n\nWrites benchmarks.\n")
    (content / "bench" / "publication.yaml").write_text("title: Bench Brief\n")
    (issue / "issue.yaml").write_text("volume: 1\nnumber: 1\ndate: 2026-01-14\n")
    for number, photo in enumerate(photos, 1):
        name = f"photo-{number:03d}{photo.suffix.lower()}"
        shutil.copyfile(photo, issue / "images" / name)
        (issue / f"{number:03d}-article-{number}.md").write_text(
            f"---\ntitle: Article {number}\nauthors: [bench]\nimage:\n  src: images/{name}\n  alt: Photo {number}\n---\n\n"
            f"The text of article {number}.\n"
        )
    return root


EN_SUBJECTS = ("The navy", "Beijing", "The coast guard", "Moscow's new doctrine", "Local militia units", "The ministry",
               "Taipei", "A joint exercise", "The legislature", "Regional governors", "The central committee")
EN_VERBS = ("intensifies", "quietly revises", "expands", "tests", "suspends", "reorganises", "announces", "debates")
EN_OBJECTS = ("winter training", "its logistics reform", "amphibious landing drills near the strait",
              "the modernization of its submarine fleet", "grey-zone patrols", "a new cyber command",
              "port access agreements across the Indian Ocean", "border infrastructure", "drone procurement")
ZH_SIMPLIFIED = ("解放军", "东部战区", "在台湾周边", "举行联合演习", "海空兵力", "持续施压", "国防部称", "将坚决回应",
                 "海警船", "进入争议海域", "新的军事改革", "后勤体系", "，", "：")
ZH_TRADITIONAL = ("國防部", "共軍", "在台海周邊", "的軍事活動", "持續增加", "海巡署", "監控", "聯合作戰",
                  "兩岸關係", "立法院", "審議國防預算", "，", "：")
CARD_PUBLICATIONS = (("china-brief", "China Brief"), ("eurasia-monitor", "Eurasia Monitor"),
                     ("zhongguo", "中国简报"), ("taiwan-monitor", "台灣觀察"))


def card_titles(count: int, seed: int = 7) -> list[str]:
    """Varied, deterministic titles: two thirds English, one sixth each Simplified and Traditional Chinese."""
    rng = random.Random(seed)
    titles = []
    for number in range(count):
        kind = number % 6
        if kind < 4:
            title = f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} {rng.choice(EN_OBJECTS)}"
            if rng.random() < 0.3:
                title += f" as {rng.choice(EN_SUBJECTS).lower()} {rng.choice(EN_VERBS)} {rng.choice(EN_OBJECTS)}"
        else:
            words = ZH_SIMPLIFIED if kind == 4 else ZH_TRADITIONAL
            title = "".join(rng.choice(words[:-2]) + (rng.choice(words[-2:]) if rng.random() < 0.2 else "")
                            for _ in range(rng.randint(3, 9)))
        titles.append(f"{title} ({number})")  # unique: one card each
    return titles


def make_card_project(root: Path, count: int) -> Path:
    """A Brief project of ``count`` short articles without images, in four publications."""
    content = root / "content"
    (content / "authors").mkdir(parents=True)
    (content / "site.yaml").write_text("title: Bench\nbase_url: https://bench.example.org/\n")
    (content / "authors" / "bench.md").write_text("---\nname: Bench Writer\n---\n\nWrites benchmarks.\n")
    for folder, title in CARD_PUBLICATIONS:
        (content / folder).mkdir()
        (content / folder / "publication.yaml").write_text(f"title: {json.dumps(title, ensure_ascii=False)}\n", encoding="utf-8")
    for number, title in enumerate(card_titles(count)):
        folder = CARD_PUBLICATIONS[number % len(CARD_PUBLICATIONS)][0]
        issue_number = number // len(CARD_PUBLICATIONS) // 20 + 1
        issue = content / folder / f"n{issue_number:03d}"
        if not issue.is_dir():
            issue.mkdir()
            (issue / "issue.yaml").write_text(f"volume: 1\nnumber: {issue_number}\ndate: 2026-01-14\n")
        (issue / f"{number:05d}-card-{number}.md").write_text(
            f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nauthors: [bench]\n---\n\nThe text of article {number}.\n",
            encoding="utf-8",
        )
    return root


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (worker processes are joined by wait())."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def measure_cards(project: Path, photo_cards: int) -> dict[str, Any]:
    """Time drawn social cards with a cold cache (0 = in this process, 1 and 2 workers), and photo cards."""
    import brief.images
    import brief.pipeline
    from brief import socialcard
    from brief.errors import Diagnostics
    from brief.pipeline import Build, BuildOptions

    captured: dict[str, Any] = {}

    def capture(site, project, diagnostics, workers=None, cache=None):  # type: ignore[no-untyped-def]
        captured["site"] = site
        return brief.images.ImageWork()

    brief.pipeline.start_images = capture  # type: ignore[assignment]
    Build(BuildOptions(content=project / "content", project=project, out=None)).run()
    site = captured["site"]
    result: dict[str, Any] = {"cards": len(site.articles), "cpus": os.cpu_count(), "runs": []}
    # Warm the font lookup (fc-match, once per build) so that every run pays the same.
    font = socialcard.find_cjk_font()
    for workers in (0, 1, 2):
        best: dict[str, Any] | None = None
        for _ in range(2):
            with tempfile.TemporaryDirectory(prefix="brief-bench-cards-") as cache:
                cpu, start = _cpu(), time.perf_counter()
                work = brief.images.start_images(site, project, Diagnostics(), workers=workers, cache=Path(cache))
                work.wait(Diagnostics())
                wall, cpu = time.perf_counter() - start, _cpu() - cpu
                files = [p for p in Path(cache).rglob("*") if p.is_file() and p.name != brief.images.MANIFEST]
                run = {"workers": workers, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "drawn": len(work.processed),
                       "cards_per_s": round(len(work.processed) / wall, 1),
                       "wall_ms_per_card": round(wall * 1000 / len(work.processed), 3),
                       "cpu_ms_per_card": round(cpu * 1000 / len(work.processed), 3),
                       "kb_per_card": round(sum(p.stat().st_size for p in files) / len(files) / 1024, 1),
                       "format": sorted({p.suffix for p in files})}
            if best is None or run["wall_s"] < best["wall_s"]:
                best = run
        result["runs"].append(best)
    # The card's file made in memory (drawn and encoded; no cache file), in this process.
    make = getattr(socialcard, "render_card", None) or socialcard.draw_card  # older code: draw_card, no encoding
    titles = [(a.title, next(p.title for p in site.publications if p.slug == a.publication)) for a in site.articles.values()]
    start = time.process_time()
    for title, publication in titles:
        make(title, publication, font)
    result["draw_ms_per_card"] = round((time.process_time() - start) * 1000 / len(titles), 3)
    if photo_cards:
        result["photo"] = measure_photo_cards(project / "photos", photo_cards)
    return result


def measure_photo_cards(folder: Path, count: int) -> dict[str, Any]:
    """What a lead photo's social card costs (12-megapixel JPEGs, in this process): the time spent
    cutting the card (``socialcard.crop_to_card``) and encoding it (``images.encode`` at the social
    quality), and the whole processing of a photo with and without its card."""
    import brief.images
    from brief import socialcard
    from brief.images import ImageSettings

    folder.mkdir(exist_ok=True)
    photos = [folder / f"photo-{i:03d}.jpg" for i in range(count)]
    with multiprocessing.Pool() as pool:
        pool.starmap(make_photo, [(photo, seed) for seed, photo in enumerate(photos)])
    settings = ImageSettings(max_pixels=60_000_000, max_bytes=60 * 1024 * 1024)
    spent = {"crop": 0.0, "encode": 0.0}
    crop, encode = socialcard.crop_to_card, brief.images.encode

    def timed_crop(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return crop(*args, **kwargs)
        finally:
            spent["crop"] += time.process_time() - start

    def timed_encode(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return encode(*args, **kwargs)
        finally:
            if kwargs.get("quality") == settings.social_quality:
                spent["encode"] += time.process_time() - start

    socialcard.crop_to_card, brief.images.encode = timed_crop, timed_encode  # type: ignore[assignment]
    seconds: dict[bool, float] = {}
    card: dict[str, float] = {}
    for lead in (False, True, False, True):  # alternate, keep the best of two
        with tempfile.TemporaryDirectory(prefix="brief-bench-photos-") as cache:
            jobs = [brief.images._plan_image(p.name, p, lead, settings, Path(cache))[1] for p in photos]
            spent.update(crop=0.0, encode=0.0)
            start = time.process_time()
            for job in jobs:
                brief.images.process_variants(job)  # type: ignore[arg-type]
            elapsed = time.process_time() - start
        seconds[lead] = min(seconds.get(lead, elapsed), elapsed)
        if lead and (not card or sum(spent.values()) < sum(card.values())):
            card = dict(spent)
    socialcard.crop_to_card, brief.images.encode = crop, encode  # type: ignore[assignment]
    return {"photos": count, "without_card_ms": round(seconds[False] * 1000 / count, 1),
            "with_card_ms": round(seconds[True] * 1000 / count, 1),
            "crop_ms": round(card["crop"] * 1000 / count, 2), "encode_ms": round(card["encode"] * 1000 / count, 2)}


def print_cards(result: dict[str, Any]) -> None:
    print(f"cards:             {result['cards']} drawn cards (no lead image), cold cache, {result['cpus']} CPUs")
    for run in result["runs"]:
        where = "in this process" if run["workers"] == 0 else f"{run['workers']} worker{'s' * (run['workers'] > 1)}"
        print(f"  {where:<16} {run['wall_s']:7.2f} s wall, {run['cards_per_s']:8.1f} cards/s, {run['wall_ms_per_card']:7.3f} ms/card wall,"
              f" {run['cpu_ms_per_card']:7.3f} ms/card CPU, {run['kb_per_card']} KB/card {'/'.join(run['format'])}")
    print(f"  in memory        {result['draw_ms_per_card']:.3f} ms/card CPU to draw and encode a card (no cache file, warm caches)")
    if "photo" in result:
        photo = result["photo"]
        print(f"photo cards:       {photo['photos']} × 12 MP JPEG, in this process: a card costs {photo['crop_ms'] + photo['encode_ms']:.2f} ms"
              f" ({photo['crop_ms']} ms to cut, {photo['encode_ms']} ms to encode); a photo takes {photo['without_card_ms']} ms"
              f" without its card, {photo['with_card_ms']} ms with it")


def measure(project: Path, workers: int | None) -> dict[str, Any]:
    """Build twice in this process (cold cache, then warm); report times and peak memory."""
    from PIL import Image

    import brief.images
    import brief.pipeline
    from brief.pipeline import BuildOptions, build

    brief.pipeline.start_images = partial(brief.images.start_images, workers=workers)  # type: ignore[assignment]
    photos = sorted((project / "content/bench/v1n1/images").iterdir())
    megapixels = 0.0
    for photo in photos:
        with Image.open(photo) as image:
            megapixels += image.width * image.height / 1e6
    options = BuildOptions(content=project / "content", project=project, out=project / "_site")
    runs: list[dict[str, Any]] = []
    for _ in ("cold", "warm"):
        # Keep only the image cache between the runs: other caches would make the warm build
        # stop early ("up to date") or skip stages, and then it would not measure the image stage.
        cache = project / brief.images.CACHE_FOLDER.parent
        for child in cache.iterdir() if cache.is_dir() else ():
            if child.name != brief.images.CACHE_FOLDER.name:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        start = time.perf_counter()
        report = build(options)
        total = time.perf_counter() - start
        stages = dict(report.timings)
        # From planning to the last worker's result (rendering runs in between, overlapping the workers).
        images = stages["images"] + stages["render"] + stages.get("images (wait)", 0.0)
        runs.append({"total": total, "images": images, "stages": stages})
    cold, warm = runs
    return {
        "photos": len(photos),
        "megapixels": round(megapixels, 1),
        "input_mb": round(sum(p.stat().st_size for p in photos) / 1e6, 1),
        "output_mb": round(sum(p.stat().st_size for p in (project / "_site/media").rglob("*") if p.is_file()) / 1e6, 1),
        "workers": workers or os.cpu_count(),
        "cpus": os.cpu_count(),
        "cold_build_s": round(cold["total"], 2),
        "cold_images_s": round(cold["images"], 2),
        "images_per_s": round(len(photos) / cold["images"], 2),
        "megapixels_per_s": round(megapixels / cold["images"], 1),
        "warm_build_s": round(warm["total"], 2),
        "warm_images_s": round(warm["images"], 3),
        "peak_rss_main_mb": round(_high_water_mark_kb() / 1024, 1),
        "peak_rss_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "cold_stages": {k: round(v, 3) for k, v in cold["stages"].items()},
    }


def _high_water_mark_kb() -> int:
    """This process's peak resident memory. ``ru_maxrss`` would do, but on Linux it keeps the peak of
    the parent it was forked from across ``exec``; ``VmHWM`` belongs to this process's own memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="a folder of photos (default: make synthetic ones)")
    parser.add_argument("--count", type=int, default=24, help="synthetic photos to make (default 24)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--cards", type=int, default=0, help="measure N drawn social cards instead of photos")
    parser.add_argument("--photo-cards", type=int, default=0,
                        help="with --cards: also measure the cost of a card cropped from each of N synthetic photos")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: the fresh process
    args = parser.parse_args(argv)
    if args.measure:
        if args.cards:
            print(json.dumps(measure_cards(args.measure, args.photo_cards)))
        else:
            print(json.dumps(measure(args.measure, args.workers)))
        return 0
    if args.cards:
        with tempfile.TemporaryDirectory(prefix="brief-bench-cards-") as scratch:
            project = make_card_project(Path(scratch) / "project", args.cards)
            command = [sys.executable, __file__, "--measure", str(project), "--cards", str(args.cards),
                       "--photo-cards", str(args.photo_cards)]
            print_cards(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))
        return 0
    with tempfile.TemporaryDirectory(prefix="brief-bench-images-") as scratch:
        root = Path(scratch)
        if args.folder:
            photos = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
        else:
            (root / "photos").mkdir()
            photos = [root / "photos" / f"photo-{i:03d}.jpg" for i in range(args.count)]
            with multiprocessing.Pool() as pool:  # in other processes: this one stays small
                pool.starmap(make_photo, [(photo, seed) for seed, photo in enumerate(photos)])
        project = make_project(root / "project", photos)
        command = [sys.executable, __file__, "--measure", str(project)]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    print(f"photos:            {result['photos']} ({result['megapixels']} megapixels, {result['input_mb']} MB in, "
          f"{result['output_mb']} MB of variants and cards out)")
    print(f"workers:           {result['workers']} on {result['cpus']} CPUs")
    print(f"cold cache:        {result['cold_images_s']} s of image work in a {result['cold_build_s']} s build"
          f" = {result['images_per_s']} images/s ({result['megapixels_per_s']} megapixels/s)")
    print(f"warm cache:        {result['warm_images_s']} s of image work in a {result['warm_build_s']} s build (nothing decoded)")
    print(f"peak memory (RSS): {result['peak_rss_main_mb']} MB main process, {result['peak_rss_worker_mb']} MB largest worker")
    print(f"cold stages:       {result['cold_stages']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
