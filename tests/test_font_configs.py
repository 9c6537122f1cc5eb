"""The layouts of a process share one FontConfiguration per set of fonts (bindery/font_configs.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bindery import font_configs
from bindery.pipeline import build
from conftest import BOOKS

FACE = '@font-face { font-family: "X"; src: url("%s"); }'


def test_same_fonts_share_a_configuration_and_an_edited_font_gets_a_new_one(tmp_path: Path) -> None:
    font = tmp_path / "x.ttf"
    font.write_bytes(b"not really a font")
    css = "p { color: black } " + FACE % font.as_uri()
    first = font_configs.font_configuration(css, tmp_path.as_uri() + "/")
    assert font_configs.font_configuration(css + " h1 { margin: 0 }", tmp_path.as_uri() + "/") is first  # other rules: same fonts
    assert font_configs.font_configuration(FACE % (tmp_path / "y.ttf").as_uri(), tmp_path.as_uri() + "/") is not first
    os.utime(font, ns=(1, 1))  # the font file changed on disk
    assert font_configs.font_configuration(css, tmp_path.as_uri() + "/") is not first


def test_a_shared_configuration_lays_out_the_same_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    font_configs._configurations.clear()
    fresh = build(BOOKS / "short-print", ("pdf",), tmp_path / "fresh", cache=False)
    shared = build(BOOKS / "short-print", ("pdf",), tmp_path / "shared", cache=False)  # reuses the first build's configuration
    assert font_configs._configurations, "the layouts did not go through the shared configurations"
    assert [a.data for a in shared.artifacts] == [a.data for a in fresh.artifacts]
