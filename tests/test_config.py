"""``site.yaml`` → SiteConfig (brief.config): every value checked, every problem at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.model import SiteConfig
from conftest import SITE, check_site, errors_of, make_site

BASE = "title: Test Brief\nbase_url: https://brief.example.org/\n"  # lines 1-2; extra keys from line 3
S = "content/site.yaml"


def config_of(tmp_path: Path, text: str) -> SiteConfig:
    report = check_site(make_site(tmp_path, {SITE: text}))
    assert report.site is not None
    return report.site.config


def config_errors(tmp_path: Path, text: str) -> list[str]:
    return errors_of(make_site(tmp_path, {SITE: text}))


def test_defaults(tmp_path: Path) -> None:
    config = config_of(tmp_path, BASE)
    assert config == SiteConfig(title="Test Brief", base_url="https://brief.example.org/")
    assert (config.language, config.publisher, config.description, config.raw_html) == ("en", "", "", False)


def test_every_key_is_read(tmp_path: Path) -> None:
    text = BASE + (
        "language: en-GB\npublisher: Example Institute\ndescription: One sentence.\nraw_html: true\n"
        "images:\n  max_pixels: 1000000\n  max_megabytes: 2\n"
        "serial_comma: false\nimage_credit: \"(Source: {credit})\"\n"
    )
    assert config_of(tmp_path, text) == SiteConfig(
        title="Test Brief",
        base_url="https://brief.example.org/",
        language="en-GB",
        publisher="Example Institute",
        description="One sentence.",
        raw_html=True,
        max_image_pixels=1_000_000,
        max_image_bytes=2 * 1024 * 1024,
        serial_comma=False,
        image_credit="(Source: {credit})",
    )


def test_serial_comma_is_on_and_credit_label_is_image_by_default(tmp_path: Path) -> None:
    config = config_of(tmp_path, BASE)
    assert (config.serial_comma, config.image_credit) == (True, "Image: {credit}")


@pytest.mark.parametrize("value", ["Photo", "{credit} and {credit}", "Source: {credit", "{photo}: {credit}"])
def test_image_credit_must_hold_credit_once(tmp_path: Path, value: str) -> None:
    assert config_errors(tmp_path, BASE + f'image_credit: "{value}"\n') == [
        f"{S}:3: 'image_credit' must hold {{credit}} once, where the credit goes, and no other braces: '{value}'"
        " — write e.g. 'image_credit: \"(Source: {credit})\"'"
    ]


def test_serial_comma_must_be_true_or_false(tmp_path: Path) -> None:
    assert config_errors(tmp_path, BASE + "serial_comma: yes please\n") == [
        f"{S}:3: 'serial_comma' must be true or false, not text — write 'serial_comma: true'"
    ]


def test_text_values_are_kept_as_typed(tmp_path: Path) -> None:
    config = config_of(tmp_path, "title: 2024\nbase_url: https://brief.example.org/\npublisher: 1e3\ndescription: no\n")
    assert (config.title, config.publisher, config.description) == ("2024", "1e3", "no")


# -- base_url -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://brief.example.org/", "https://brief.example.org/"),
        ("https://brief.example.org", "https://brief.example.org/"),
        ("https://example.org/briefs/field-notes", "https://example.org/briefs/field-notes/"),
        ("http://localhost:8000/", "http://localhost:8000/"),
    ],
)
def test_base_url_accepts_absolute_http_urls_and_ends_with_a_slash(tmp_path: Path, url: str, expected: str) -> None:
    assert config_of(tmp_path, f"title: T\nbase_url: {url}\n").base_url == expected


@pytest.mark.parametrize(
    "url",
    [
        "brief.example.org",
        "//brief.example.org/",
        "/field-notes/",
        "ftp://brief.example.org/",
        "file:///srv/site/",
        "https://",
        "https:///path/",
        "https://brief.example.org/?page=1",
        "https://brief.example.org/#top",
        "'https://brief example.org/'",
    ],
)
def test_base_url_must_be_absolute_http(tmp_path: Path, url: str) -> None:
    shown = url.strip("'")
    assert config_errors(tmp_path, f"title: T\nbase_url: {url}\n") == [
        f"{S}:2: 'base_url' must be an absolute http(s) URL, not '{shown}' — write e.g. https://brief.example.org/"
    ]


def test_base_url_must_be_text(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "title: T\nbase_url:\n  - https://brief.example.org/\n") == [
        f"{S}:2: 'base_url' must be text, not a list — write it on one line, in quotes"
    ]


def test_empty_title_and_base_url_are_reported_at_their_lines(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "title:\nbase_url: ''\n") == [
        f"{S}:1: 'title' is empty — write a value after 'title:'",
        f"{S}:2: 'base_url' is empty — add e.g. 'base_url: https://brief.example.org/'",
    ]


# -- language --------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["en", "fr", "en-GB", "zh-Hant", "zh-Hans-CN", "yue"])
def test_language_accepts_bcp47_tags(tmp_path: Path, tag: str) -> None:
    assert config_of(tmp_path, BASE + f"language: {tag}\n").language == tag


@pytest.mark.parametrize("tag", ["english", "en_GB", "12", "e", "en-", "'en GB'"])
def test_language_rejects_what_is_not_a_bcp47_tag(tmp_path: Path, tag: str) -> None:
    shown = tag.strip("'")
    assert config_errors(tmp_path, BASE + f"language: {tag}\n") == [
        f"{S}:3: 'language' is not a BCP 47 language tag: '{shown}' — e.g. en, en-GB, zh-Hant"
    ]


def test_language_appears_on_pages(tmp_path: Path) -> None:
    project = make_site(tmp_path, {SITE: BASE + "language: en-GB\n"})
    report = check_site(project)
    home = next(o for o in report.outputs if o.path == "index.html")
    assert b'<html lang="en-GB"' in home.data


# -- unknown keys and wrong types ------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("languag: en", f"{S}:3: unknown key 'languag' in site.yaml — did you mean 'language'?"),
        ("baseurl: https://x.example.org/", f"{S}:3: unknown key 'baseurl' in site.yaml — did you mean 'base_url'?"),
        ("theme: dark",
         f"{S}:3: unknown key 'theme' in site.yaml"
         " — expected one of: base_url, contents_list, description, feeds, image_credit, images, language, pdf, pdf_recto, publisher, raw_html, related_articles, search, serial_comma, time_zone, title"),
    ],
)
def test_rejects_unknown_key(tmp_path: Path, line: str, expected: str) -> None:
    assert config_errors(tmp_path, BASE + line + "\n") == [expected]


def test_raw_html_must_be_true_or_false(tmp_path: Path) -> None:
    assert config_errors(tmp_path, BASE + "raw_html: yes\n") == [
        f"{S}:3: 'raw_html' must be true or false, not text — write 'raw_html: true'"
    ]


def test_site_yaml_that_is_not_a_mapping_is_one_error(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "- title\n- base_url\n") == [
        f"{S}:1: site.yaml must be a mapping of 'key: value' lines, not a list"
    ]


def test_empty_site_yaml_lacks_both_required_keys(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "") == [
        f"{S}:1: site.yaml is missing the required key 'base_url' — add e.g. 'base_url: https://brief.example.org/'",
        f"{S}:1: site.yaml is missing the required key 'title' — add 'title: ...'",
    ]


def test_missing_site_yaml(tmp_path: Path) -> None:
    assert errors_of(make_site(tmp_path, {SITE: None})) == [
        f"{S}: the content folder has no site.yaml — create it with at least 'title:' and 'base_url:'"
    ]


def test_duplicate_key_in_site_yaml(tmp_path: Path) -> None:
    assert config_errors(tmp_path, BASE + "title: Other\n") == [
        f"{S}:3: YAML error: key 'title' appears twice in the same mapping (the first is on line 1)"
        " — remove or rename one of them"
    ]


# -- images limits ----------------------------------------------------------------------------


def test_images_limits_keep_defaults_for_keys_not_given(tmp_path: Path) -> None:
    config = config_of(tmp_path, BASE + "images:\n  max_megabytes: 3\n")
    assert (config.max_image_pixels, config.max_image_bytes) == (40_000_000, 3 * 1024 * 1024)


@pytest.mark.parametrize(
    "images, expected",
    [
        ("images:\n  max_pixels: 0\n", [f"{S}:4: 'max_pixels' must be at least 1, not 0"]),
        ("images:\n  max_megabytes: -5\n", [f"{S}:4: 'max_megabytes' must be at least 1, not -5"]),
        ("images:\n  max_megabytes: big\n",
         [f"{S}:4: 'max_megabytes' must be a whole number, not text — write e.g. 'max_megabytes: 3'"]),
        ("images:\n  max_pixels: 1.5\n",
         [f"{S}:4: 'max_pixels' must be a whole number, not the number 1.5 — write e.g. 'max_pixels: 3'"]),
        ("images:\n  max_pixel: 1000\n",
         [f"{S}:4: unknown key 'max_pixel' in the 'images' settings — did you mean 'max_pixels'?"]),
        ("images:\n  quality: 80\n",
         [f"{S}:4: unknown key 'quality' in the 'images' settings — expected one of: max_megabytes, max_pixels"]),
        ("images: 5\n", [f"{S}:3: 'images' must be a mapping of 'name: value' lines, not the number 5"]),
    ],
    ids=["pixels-zero", "megabytes-negative", "megabytes-text", "pixels-float", "typo", "unknown", "not-mapping"],
)
def test_rejects_bad_images_limits(tmp_path: Path, images: str, expected: list[str]) -> None:
    assert config_errors(tmp_path, BASE + images) == expected


def test_all_site_yaml_problems_at_once(tmp_path: Path) -> None:
    text = "title: T\nbase_url: www.example.org\nlanguage: english\nraw_html: on\ncolour: red\n"
    assert config_errors(tmp_path, text) == [
        f"{S}:2: 'base_url' must be an absolute http(s) URL, not 'www.example.org' — write e.g. https://brief.example.org/",
        f"{S}:3: 'language' is not a BCP 47 language tag: 'english' — e.g. en, en-GB, zh-Hant",
        f"{S}:4: 'raw_html' must be true or false, not text — write 'raw_html: true'",
        f"{S}:5: unknown key 'colour' in site.yaml"
        " — expected one of: base_url, contents_list, description, feeds, image_credit, images, language, pdf, pdf_recto, publisher, raw_html, related_articles, search, serial_comma, time_zone, title",
    ]
