"""The same content gives the same bytes: twice in a row, from another folder,
with a cold or a warm image cache, under another hash seed, and whatever
``SOURCE_DATE_EPOCH`` says. That holds for the issue PDFs too (a cold cache lays
them out again).

Reproducible output is what lets an editor diff two builds, a cache skip
unchanged files, and a reviewer trust that a rebuild changed nothing.

The image cache lives in the project folder (``.brief-cache/``), so most tests
build a fresh copy of the sample project: a warm cache would hide an image
step that is not deterministic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brief.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative posix path → bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_project(target: Path) -> Path:
    """A copy of the sample project (its content; the templates are the package's) without any cache."""
    shutil.copytree(REPO / "content", target / "content")
    return target


def build_sample(out: Path, project: Path = REPO) -> dict[str, bytes]:
    build(BuildOptions(content=project / "content", project=project, out=out))
    return tree(out)


def assert_same_tree(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert sorted(first) == sorted(second), (
        f"the builds wrote different files: only in the first {sorted(set(first) - set(second))}, "
        f"only in the second {sorted(set(second) - set(first))}"
    )
    differing = [path for path in first if first[path] != second[path]]
    assert differing == [], f"files differ between the builds: {differing}"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The sample built from a fresh copy, cold cache, SOURCE_DATE_EPOCH unset."""
    root = tmp_path_factory.mktemp("reference")
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        result = build_sample(root / "_site", copy_project(root / "project"))
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    assert len(result) > 30  # pages, media, static files, sitemap
    # And the PDFs, with their images and Chinese text: WeasyPrint writes no clock time nor
    # random identifier into them, and where the project lies on disk does not show.
    assert {"field-notes/volume-1/issue-1/field-notes-v1-n1.pdf", "field-notes/volume-1/issue-2/field-notes-v1-n2.pdf"} <= set(result)
    return result


def test_the_compared_tree_holds_the_search_index(reference: dict[str, bytes]) -> None:
    """Pagefind's index is compared like every other file. Pagefind lists filter values in a
    different order on each run; brief.search.settle_bundle sorts them, so it is byte-identical."""
    assert "pagefind/pagefind-entry.json" in reference
    assert any(path.startswith("pagefind/fragment/") for path in reference)
    assert any(path.startswith("pagefind/filter/") for path in reference)


def test_two_builds_of_the_sample_give_identical_trees(tmp_path: Path) -> None:
    first = build_sample(tmp_path / "a" / "_site")
    second = build_sample(tmp_path / "b" / "_site")
    assert_same_tree(first, second)


def test_a_copy_elsewhere_cold_then_warm_gives_the_same_tree(tmp_path: Path, reference: dict[str, bytes]) -> None:
    """Another project folder, a cold cache, then a warm one, another output name, the same output again."""
    project = copy_project(tmp_path / "somewhere" / "else")
    assert_same_tree(reference, build_sample(tmp_path / "_site", project))  # cold cache
    assert_same_tree(reference, build_sample(tmp_path / "public-html", project))  # warm cache, another name
    assert_same_tree(reference, build_sample(tmp_path / "_site", project))  # over the previous output


def test_source_date_epoch_makes_no_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, bytes]
) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert_same_tree(reference, build_sample(tmp_path / "a", project))  # cold cache
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert_same_tree(reference, build_sample(tmp_path / "b", project))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert_same_tree(reference, build_sample(tmp_path / "c", project))


def test_hash_seed_makes_no_difference(tmp_path: Path, reference: dict[str, bytes]) -> None:
    """Set and dict order must not leak into the output (fresh interpreters; the first with a cold cache)."""
    script = (
        "import sys; from pathlib import Path; from brief.pipeline import BuildOptions, build; "
        "p = Path(sys.argv[1]); build(BuildOptions(content=p / 'content', project=p, out=Path(sys.argv[2])))"
    )
    project = copy_project(tmp_path / "project")
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run([sys.executable, "-c", script, str(project), str(out)], check=True, env=env, cwd=tmp_path)
        assert_same_tree(reference, tree(out))
