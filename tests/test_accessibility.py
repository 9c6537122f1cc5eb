"""The accessible EPUB: EPUB Accessibility 1.1 metadata derived from the book,
warnings for undescribed images, and DAISY Ace finding nothing to report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from bindery.accessibility import CONFORMANCE, describe_accessibility
from bindery.manifest.options import AccessibilityClaim
from bindery.paths import display_path
from bindery.pipeline import build, load_book
from conftest import BOOKS, Built, Checked, seed_exports
from test_pagelist import content_area_text, markers, page_start_problems
from test_seeds_guidebook import Guidebook, imported

__all__ = ["imported"]  # the fixture the guidebook below is made from

NS = {"opf": "http://www.idpf.org/2007/opf"}
ACE_TIMEOUT = 600


def opf_properties(built: Built) -> dict[str, list[str]]:
    opf = etree.fromstring(built.epub_text("OEBPS/content.opf").encode())
    out: dict[str, list[str]] = {}
    for meta in opf.iterfind(".//opf:metadata/opf:meta", NS):
        if meta.get("property") and not meta.get("refines"):
            out.setdefault(meta.get("property"), []).append(meta.text or "")
    return out


def test_sample_epub_declares_what_it_offers_one_meta_per_value(sample: Built) -> None:
    props = opf_properties(sample)
    assert props["schema:accessMode"] == ["textual"]
    assert props["schema:accessModeSufficient"] == ["textual"]
    assert props["schema:accessibilityFeature"] == [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "printPageNumbers",
        "pageNavigation",
    ]
    assert "alternativeText" not in props["schema:accessibilityFeature"], "the sample has no images to describe"
    assert props["schema:accessibilityHazard"] == ["none"]
    (summary,) = props["schema:accessibilitySummary"]
    assert "page numbers" in summary and "No one has yet evaluated" in summary
    # book.yaml has no `accessibility:`: no one evaluated the sample, so nothing claims that anyone did
    assert "dcterms:conformsTo" not in props and "a11y:certifiedBy" not in props


def test_package_names_its_language(sample: Built) -> None:
    opf = etree.fromstring(sample.epub_text("OEBPS/content.opf").encode())
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_an_image_without_alt_text_is_a_warning_and_nothing_is_claimed_for_it() -> None:
    book = load_book(BOOKS / "images").book
    meta, warnings = describe_accessibility(book, page_count=0, print_edition=None)
    assert [(w.code, w.severity, w.file, w.line) for w in warnings] == [
        ("image-no-alt", "warning", display_path(BOOKS / "images" / "chapters" / "undescribed.md"), 8)
    ]
    assert "images/map.png" in warnings[0].message
    assert "alternativeText" not in meta.features
    assert meta.access_modes == ("textual", "visual")
    assert meta.access_modes_sufficient == ("textual,visual",), "text alone is not enough when a picture is undescribed"
    assert meta.conforms_to is None and meta.certified_by is None
    assert "1 of 2 images has no text description" in meta.summary


def test_alternative_text_is_claimed_when_every_image_has_it() -> None:
    book = load_book(BOOKS / "images-described").book
    meta, warnings = describe_accessibility(book, page_count=0, print_edition=None)
    assert warnings == []
    assert "alternativeText" in meta.features
    assert "printPageNumbers" not in meta.features and meta.page_break_source is None, "no page-list, no page claims"
    assert meta.access_modes_sufficient == ("textual", "textual,visual")
    assert meta.conforms_to is None, "no one evaluated this book: no conformance claim"
    claimed = replace(book, metadata=replace(book.metadata, accessibility=AccessibilityClaim("Ada Auditor")))
    meta, _ = describe_accessibility(claimed, page_count=0, print_edition=None)
    assert (meta.conforms_to, meta.certified_by) == (CONFORMANCE, "Ada Auditor")


def test_build_reports_the_undescribed_image(tmp_path: Path) -> None:
    result = build(BOOKS / "images", ("epub",), tmp_path)
    assert [w.code for w in result.warnings if w.code == "image-no-alt"] == ["image-no-alt"]


# --- DAISY Ace ---------------------------------------------------------------


def _ace() -> tuple[str, str]:
    """The ace-puppeteer command and a chromium, or skip (fail in CI) when absent."""
    ace = shutil.which("ace-puppeteer")
    if ace is None and shutil.which("npm"):
        prefix = subprocess.run(["npm", "prefix", "-g"], capture_output=True, text=True).stdout.strip()
        candidate = Path(prefix) / "bin" / "ace-puppeteer"
        ace = str(candidate) if candidate.exists() else None
    chromium = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    missing = [
        name for name, found in (("DAISY Ace (npm install -g --ignore-scripts @daisy/ace)", ace), ("chromium", chromium)) if not found
    ]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{' and '.join(missing)} missing in CI: scripts/install-system-deps.sh must install them")
        pytest.skip(f"{' and '.join(missing)} not installed (scripts/install-system-deps.sh installs them)")
    return ace, chromium  # type: ignore[return-value]


def ace_failures(epub: Path, out: Path) -> list[str]:
    """Run DAISY Ace on an EPUB and list every failed assertion."""
    ace, chromium = _ace()
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    run = subprocess.run(
        [ace, "-o", str(out), "--force", str(epub)], capture_output=True, text=True, env=env, timeout=ACE_TIMEOUT, cwd=out.parent
    )
    report_path = out / "report.json"
    assert report_path.exists(), f"Ace wrote no report (exit {run.returncode}): {run.stderr[-2000:]}"
    report = json.loads(report_path.read_text())
    failures = []
    for subject in report["assertions"]:
        for check in subject.get("assertions", []):
            if check["earl:result"]["earl:outcome"] == "fail":
                test = check["earl:test"]
                failures.append(
                    f"{subject['earl:testSubject']['url']}: {test['dct:title']} ({test['earl:impact']}):"
                    f" {check['earl:result'].get('html', '')[:160]}"
                )
    return failures


def test_daisy_ace_reports_no_violations_on_the_sample_book(sample_checked: Checked) -> None:
    """Ace takes a while (a browser): on the sample book it runs once per test run, in
    `bindery check` (tests/test_check.py), whose build of the book is byte-identical to
    `sample` (tests/test_reproducible.py); a violation anywhere fails its `ace` check."""
    _ace()  # skips without Ace (fails in CI), as the guidebook's test does
    [ace] = [check for check in sample_checked.report["checks"] if check["name"] == "ace"]
    assert (ace["status"], ace["details"]) == ("pass", []), json.dumps(ace, indent=1)


# --- The guidebook made from the real exports in ../shared/seeds --------------


@pytest.fixture(scope="module")
def guidebook(imported: Guidebook) -> Built:
    """The four real exports imported as articles (parts, a chapter of two articles, an index)
    and built into both formats: tests/test_seeds_guidebook.py's book, built once per test run."""
    seed_exports()  # skips without ../shared/seeds, fails under CI=true
    return Built(imported.root, imported.epub, imported.pdf)


def test_daisy_ace_reports_no_violations_on_the_seeds_guidebook(guidebook: Built, tmp_path: Path) -> None:
    assert ace_failures(guidebook.epub, tmp_path / "report") == []


def test_seeds_guidebook_page_markers_stand_where_its_pages_begin(guidebook: Built) -> None:
    found = markers(guidebook.epub)
    pages = content_area_text(guidebook.pdf, guidebook)
    assert len(found) == len(pages)
    problems, checked = page_start_problems(found, pages)
    assert not problems, "\n".join(problems)
    assert checked >= len(pages) // 2
