"""Benchmark the image pipeline on a folder of large photos: images per second and peak memory.

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
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: the fresh process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.workers)))
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
