"""The CI recipes of docs/publishing.md: each parses, does what the page says, and its build
command builds the sample site."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from brief.scaffold import RECIPES
from sites import REPO

PUBLISHING = REPO / "docs" / "publishing.md"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample site, in a folder of its own (shared: the builds reuse its cache)."""
    project = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", project / "content")
    return project


def run_build(command: str, project: Path) -> subprocess.CompletedProcess[str]:
    """Run a recipe's ``brief ...`` command in ``project``, with this checkout's Brief."""
    argv = shlex.split(command)
    assert argv[0] == "brief", command
    env = {**os.environ, "PYTHONPATH": str(REPO), "CI": "true"}
    return subprocess.run([sys.executable, "-m", "brief", *argv[1:]], cwd=project, env=env, capture_output=True, text=True)


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def test_github_actions_recipe(sample: Path) -> None:
    workflow = yaml.safe_load((RECIPES / "github-pages.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers
    assert re.fullmatch(r"\d+ \d+ \* \* \*", triggers["schedule"][0]["cron"]), "a daily schedule"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = steps(workflow["jobs"]["build"])
    uses = [s.get("uses", "").split("@")[0] for s in build]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    cache = next(s for s in build if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".brief-cache"
    assert "${{ github.sha }}" in cache["with"]["key"] and cache["with"]["restore-keys"]
    runs = [s.get("run", "") for s in build]
    assert any("apt-get install" in r and "fonts-noto-cjk" in r for r in runs)
    # pip installs Brief from where the site says, never PyPI's unrelated "brief"
    assert workflow["env"]["BRIEF_PACKAGE"] == "${{ vars.BRIEF_PACKAGE }}"
    install = next(r for r in runs if "pip install" in r)
    assert 'if [ -z "$BRIEF_PACKAGE" ]' in install and install.rstrip().endswith('pip install "$BRIEF_PACKAGE"')
    command = next(r for r in runs if r.startswith("brief build"))
    # the cache is restored before the build, and the pages artifact is uploaded after it
    assert build.index(cache) < runs.index(command) < uses.index("actions/upload-pages-artifact")
    assert build[uses.index("actions/upload-pages-artifact")]["with"]["path"] == "_site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in steps(deploy)] == ["actions/deploy-pages"]

    result = run_build(command, sample)
    assert result.returncode == 0, result.stderr
    assert (sample / "_site" / "index.html").is_file() and (sample / "_site" / "404.html").is_file()


def test_gitlab_recipe(sample: Path) -> None:
    pipeline = yaml.safe_load((RECIPES / "gitlab-pages.yml").read_text(encoding="utf-8"))
    job = pipeline["pages"]
    assert ".brief-cache/" in job["cache"]["paths"]
    assert job["artifacts"]["paths"] == ["public"]
    assert any("fonts-noto-cjk" in line for line in job["before_script"])
    assert pipeline["variables"]["BRIEF_PACKAGE"] == ""
    assert job["before_script"][-2].startswith('test -n "$BRIEF_PACKAGE"')
    (command,) = job["script"]
    assert "--out public" in command
    result = run_build(command, sample)
    assert result.returncode == 0, result.stderr
    assert (sample / "public" / "index.html").is_file()


def test_any_host_recipe(sample: Path) -> None:
    script = RECIPES / "any-host.sh"
    checked = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = script.read_text(encoding="utf-8")
    for content_type in ("text/html; charset=utf-8", "text/css; charset=utf-8", "image/webp", "image/svg+xml", "application/xml"):
        assert content_type in text
    assert "--error-document 404.html" in text and "error_page 404 /404.html" in text
    assert "fonts-noto-cjk" in text
    (command,) = [line.strip() for line in text.splitlines() if line.strip().startswith("brief build")]
    result = run_build(command, sample)
    assert result.returncode == 0, result.stderr
    # every file the script uploads by type is one the site has
    published = {p.suffix.lstrip(".") for p in (sample / "_site").rglob("*") if p.is_file() and p.name != ".brief-output"}
    listed = set(re.findall(r'"(\w+):[a-z]+/', text))
    assert published <= listed, f"file types the script does not set a content type for: {published - listed}"


def test_publishing_page_gives_each_recipe() -> None:
    text = PUBLISHING.read_text(encoding="utf-8")
    for recipe in sorted(RECIPES.iterdir()):
        assert f"(../brief/recipes/{recipe.name})" in text, f"docs/publishing.md does not link to {recipe.name}"
    for word in ("fonts-noto-cjk", "no-cjk-font", ".brief-cache/", "404.html", "brief init"):
        assert word in text
