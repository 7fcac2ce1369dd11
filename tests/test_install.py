"""Brief installed like a library: the wheel carries its templates and stylesheet, and a
site's own templates/ and static/ override them file by file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from brief.cache import inputs_fingerprint
from brief.options import PACKAGE_ROOT, BuildOptions
from brief.pipeline import build
from sites import REPO, write_file, write_site


def _clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH, so the installed copy is the one imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BRIEF_DEBUG")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with Brief installed from a wheel (not editable); returns its bin folder.

    The wheel is built from a copy of the repository's package files (so the build leaves
    nothing in the repository); the venv sees the libraries already installed here, so only
    Brief itself is installed into it.
    """
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "brief", source / "brief", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = work / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        capture_output=True, text=True, env=_clean_env(), cwd=work,
    )
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{built.stdout}\n{built.stderr}")
    (wheel,) = wheels.glob("brief-*.whl")
    environment = work / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    bin_folder = environment / ("Scripts" if os.name == "nt" else "bin")
    python = bin_folder / "python"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        capture_output=True, text=True, env=_clean_env(), cwd=work,
    )
    if done.returncode != 0:
        pytest.fail(f"pip install failed:\n{done.stdout}\n{done.stderr}")
    return bin_folder


def test_the_wheel_builds_a_site_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    site = tmp_path / "my-site"
    shutil.copytree(REPO / "content", site / "content")
    where = subprocess.run(
        [str(installed / "python"), "-c", "import brief.options as o; print(o.PACKAGE_ROOT)"],
        capture_output=True, text=True, env=_clean_env(), cwd=site,
    )
    package = Path(where.stdout.strip())
    assert package.is_relative_to(installed.parent), f"imported {package}, not the installed copy"
    assert (package / "templates" / "home.html").is_file() and (package / "static" / "css" / "brief.css").is_file()

    result = subprocess.run(
        [str(installed / "brief"), "build", "--strict"], capture_output=True, text=True, env=_clean_env(), cwd=site
    )
    assert result.returncode == 0, result.stderr
    assert "built" in result.stdout
    home = BeautifulSoup((site / "_site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("link", rel="stylesheet")["href"].endswith("static/css/brief.css")
    assert (site / "_site" / "static" / "css" / "brief.css").read_bytes() == (REPO / "brief/static/css/brief.css").read_bytes()
    assert (site / "_site" / "static" / "favicon.svg").is_file()
    assert list((site / "_site").glob("*/volume-*/issue-*/index.html"))


def test_the_wheel_starts_a_new_site_that_builds(installed: Path, tmp_path: Path) -> None:
    """`brief init` needs its own files from the package too."""
    made = subprocess.run(
        [str(installed / "brief"), "init", "new-site"], capture_output=True, text=True, env=_clean_env(), cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    result = subprocess.run(
        [str(installed / "brief"), "build", "--strict"], capture_output=True, text=True, env=_clean_env(),
        cwd=tmp_path / "new-site",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new-site" / ".github" / "workflows" / "publish.yml").is_file()


# -- the lookup order: the site's own files first, then Brief's -------------------------------------


def _options(root: Path) -> BuildOptions:
    return BuildOptions(content=root / "content", project=root, out=root / "_site")


def test_a_site_template_overrides_only_its_own_file(tmp_path: Path) -> None:
    root = write_site(tmp_path)
    write_file(root / "templates" / "404.html", "<!doctype html><title>Lost</title><p>Our own 404 page.</p>\n")
    write_file(root / "static" / "css" / "brief.css", "body { color: teal; }\n")
    write_file(root / "static" / "extra.txt", "extra\n")
    build(_options(root))
    out = root / "_site"
    assert "Our own 404 page." in (out / "404.html").read_text(encoding="utf-8")
    # every other page still comes from Brief's templates
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("h1") is not None and home.find("link", rel="stylesheet") is not None
    assert (out / "static/css/brief.css").read_text(encoding="utf-8") == "body { color: teal; }\n"
    assert (out / "static/extra.txt").read_text(encoding="utf-8") == "extra\n"
    assert (out / "static/favicon.svg").read_bytes() == (PACKAGE_ROOT / "static/favicon.svg").read_bytes()


def test_a_site_partial_is_used_by_brief_templates(tmp_path: Path) -> None:
    """A Brief template that includes a partial gets the site's copy of that partial."""
    root = write_site(tmp_path)
    byline = (PACKAGE_ROOT / "templates/partials/byline.html").read_text(encoding="utf-8")
    write_file(root / "templates/partials/byline.html", byline.replace('<span class="byline">', '<span class="byline own-byline">'))
    build(_options(root))
    page = next((root / "_site").glob("pub/*/index.html"))
    assert "own-byline" in page.read_text(encoding="utf-8")


def test_adding_a_site_template_is_an_input_of_the_build(tmp_path: Path) -> None:
    root = write_site(tmp_path)
    options = _options(root)
    build(options)
    before = inputs_fingerprint(options)
    write_file(root / "templates" / "404.html", "<!doctype html><title>Lost</title><p>Gone.</p>\n")
    assert inputs_fingerprint(options) != before
    report = build(options)
    assert not report.up_to_date
    assert "Gone." in (root / "_site/404.html").read_text(encoding="utf-8")
    (root / "templates" / "404.html").unlink()
    build(options)
    assert "Gone." not in (root / "_site/404.html").read_text(encoding="utf-8")
