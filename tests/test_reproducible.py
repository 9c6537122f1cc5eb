"""The same inputs give byte-identical outputs (SOURCE_DATE_EPOCH honoured)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, Built, Checked, build_book


def test_two_builds_are_byte_identical(sample: Built, sample_checked: Checked) -> None:
    """`sample` and the build `bindery check` made first (tests/test_check.py) are two
    independent builds of the same book under the same SOURCE_DATE_EPOCH."""
    assert sample.epub is not None and sample.pdf is not None
    again = sample_checked.out
    assert (again / sample.epub.name).read_bytes() == sample.epub.read_bytes()
    assert (again / sample.pdf.name).read_bytes() == sample.pdf.read_bytes()


def test_zip_entries_carry_the_source_date_not_the_build_time(sample: Built) -> None:
    with zipfile.ZipFile(sample.epub) as z:
        stamps = {info.date_time for info in z.infolist()}
    assert stamps == {(2023, 11, 14, 22, 13, 20)}


def test_a_different_epoch_changes_only_the_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_book(ROOT / "tests" / "books" / "minimal", tmp_path / "a", ("epub",))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    from bindery.pipeline import build

    build(ROOT / "tests" / "books" / "minimal", ("epub",), tmp_path / "b")
    second = tmp_path / "b" / first.epub.name
    with zipfile.ZipFile(first.epub) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        differing = [n for n in a.namelist() if a.read(n) != b.read(n)]
    # dcterms:modified, and the copyright year (the book gives no date of its own)
    assert differing == ["OEBPS/content.opf", "OEBPS/copyright.xhtml"]
