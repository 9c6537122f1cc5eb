"""`bindery check`: EPUBCheck, Ace and the print preflight, on real outputs.

The sample book is checked end to end (built first, since its output folder
is empty). Broken files must fail: a damaged EPUB, an annotation added to a
print-profile PDF, a truncated PDF. Those tests stub Ace (and, for the print
book, EPUBCheck), which the sample test already runs, to keep the suite quick.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import RectangleObject

import bindery.checks.run as check_run
from bindery.checks.results import Check
from bindery.cli import main
from bindery.typography import RULES
from conftest import BOOKS, Checked
from print_books import print_build

PDF_CHECKS = {"pdf-boxes", "pdf-fonts", "pdf-page-count", "pdf-gutter", "pdf-images", "pdf-annotations", "pdf-blank-pages"}
COVER_CHECKS = {"cover-size", "cover-barcode-area", "cover-fonts", "cover-annotations"}


def run_check(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", *args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"]}


@pytest.fixture()
def no_ace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_run, "run_ace", lambda epub: Check("ace", str(epub), "skip", "stubbed in this test"))


@pytest.mark.slow
def test_check_on_the_sample_book_builds_first_and_passes(sample_checked: Checked) -> None:
    code, report, out = sample_checked.code, sample_checked.report, sample_checked.out
    assert code == 0, json.dumps(report, indent=1)
    assert report["ok"] is True and report["built"] is True and report["profile"] == "digital"
    found = statuses(report)
    assert set(found) == {"epubcheck", "ace", "index"} | PDF_CHECKS | {rule.code for rule in RULES}  # RULES: the typographic preflight
    assert found["epubcheck"] == "pass"
    assert found["index"] == "pass"  # the sample's index: no unused term, no dangling "see"
    assert found["ace"] in ("pass", "skip")  # skip only where Ace is not installed
    assert found["pdf-annotations"] == "skip"  # the digital profile keeps its bookmarks and links
    assert all(found[name] == "pass" for name in PDF_CHECKS - {"pdf-annotations"}), found
    assert (out / "the-bindery-guide.epub").is_file() and (out / "the-bindery-guide.pdf").is_file()


def copied_outputs(book: str, folder: Path) -> Path:
    """tests/books/BOOK's outputs (built once per test run) copied into `folder`, to be changed there."""
    built = print_build(book)
    for item in built.out.iterdir():
        if item.is_file():  # the outputs, not the build cache
            shutil.copy(item, folder / item.name)
    return folder


@pytest.fixture()
def epub_checks_only(monkeypatch: pytest.MonkeyPatch, no_ace: None) -> None:
    """For the broken-EPUB test: the print preflight and typography run on the sample above."""
    monkeypatch.setattr(check_run, "preflight_pdf", lambda pdf, spec: [])
    monkeypatch.setattr(check_run, "typography_checks", lambda pdf, manifest: [])


@pytest.mark.slow  # a JVM of its own
def test_check_fails_on_a_broken_epub(tmp_path: Path, epub_checks_only: None) -> None:
    """The command's own EPUBCheck run (a JVM of its own; the sample's check above reads the
    run's EPUBCheck server) on a small book's EPUB with an unclosed paragraph."""
    out = copied_outputs("minimal", tmp_path)
    epub = out / "a-minimal-book.epub"
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "OEBPS/chapter-1.xhtml":
                data = data.replace(b"</body>", b"<p>an unclosed paragraph</body>")
            target.writestr(info, data)
    broken.replace(epub)
    code, report = run_check(str(BOOKS / "minimal"), "--output", str(out))
    assert code == 1 and report["built"] is False  # the outputs were there: checked as they are
    assert report["ok"] is False
    epubcheck = next(c for c in report["checks"] if c["name"] == "epubcheck")
    assert epubcheck["status"] == "fail" and any("chapter-1.xhtml" in d for d in epubcheck["details"])


@pytest.fixture()
def pdf_only(monkeypatch: pytest.MonkeyPatch, no_ace: None) -> None:
    """For the print-book tests: the EPUB checks run on the sample book above."""
    monkeypatch.setattr(check_run, "run_epubcheck", lambda epub: Check("epubcheck", str(epub), "skip", "stubbed in this test"))


@pytest.fixture()
def long_outputs(tmp_path: Path) -> Path:
    return copied_outputs("long-print", tmp_path)


@pytest.fixture()
def short_outputs(tmp_path: Path) -> Path:
    """For a damaged PDF: the 8-page print book, whose preflight takes a tenth of the long one's."""
    return copied_outputs("short-print", tmp_path)


@pytest.mark.slow
def test_check_on_a_print_book_covers_the_cover_and_reads_like_a_report(long_outputs: Path, pdf_only: None) -> None:
    code, report = run_check(str(BOOKS / "long-print"), "--output", str(long_outputs))
    assert code == 0, json.dumps(report, indent=1)
    found = statuses(report)
    assert set(found) >= PDF_CHECKS | COVER_CHECKS
    assert all(found[name] == "pass" for name in PDF_CHECKS | COVER_CHECKS), found
    gutter = next(c for c in report["checks"] if c["name"] == "pdf-gutter")
    assert gutter["summary"] == "inside margin 0.500 in; the 151-300 page band needs 0.500 in"
    human = CliRunner().invoke(main, ["check", str(BOOKS / "long-print"), "--output", str(long_outputs)])
    assert human.exit_code == 0
    assert "ok    pdf-annotations: no annotations, links, bookmarks or form fields" in human.stdout
    assert "ok    cover-size: " in human.stdout


@pytest.mark.slow
def test_check_fails_on_an_annotation_in_the_print_profile(short_outputs: Path, pdf_only: None) -> None:
    pdf = short_outputs / "a-short-print-run.pdf"
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.add_annotation(page_number=2, annotation=Link(rect=RectangleObject((50, 50, 150, 70)), url="https://example.org/"))
    with pdf.open("wb") as handle:
        writer.write(handle)
    code, report = run_check(str(BOOKS / "short-print"), "--output", str(short_outputs))
    assert code == 1
    annotations = next(c for c in report["checks"] if c["name"] == "pdf-annotations")
    assert annotations["status"] == "fail" and annotations["details"] == ["page 3: 1 annotation(s)"]


@pytest.mark.slow
def test_check_fails_on_a_truncated_pdf(short_outputs: Path, pdf_only: None) -> None:
    pdf = short_outputs / "a-short-print-run.pdf"
    pdf.write_bytes(pdf.read_bytes()[:5000])
    code, report = run_check(str(BOOKS / "short-print"), "--output", str(short_outputs))
    assert code == 1
    assert statuses(report).get("pdf-readable") == "fail"


def test_the_preflight_finds_a_narrow_gutter_and_a_run_of_blank_pages(tmp_path: Path) -> None:
    """What the pages draw is read back from the PDF (PDFium): where words start, and pages with nothing on them."""
    import weasyprint

    from bindery.checks.pdf_interior import preflight_pdf
    from bindery.manifest import PdfSettings

    style = "@page { size: 6in 9in; margin: 0.5in 0.5in 0.5in 0.2in } body, p { margin: 0 }"
    blank = '<div style="break-before: page"></div>'
    html = f"<style>{style}</style><p>Words start at the left edge.</p>{blank * 4}<p style='break-before: page'>The end.</p>"
    pdf = tmp_path / "narrow.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    checks = {c.name: c for c in preflight_pdf(pdf, PdfSettings("6x9", 6.0, 9.0))}
    assert checks["pdf-gutter"].status == "fail" and checks["pdf-gutter"].summary.startswith("inside margin 0.200 in"), checks["pdf-gutter"]
    assert checks["pdf-blank-pages"].status == "fail" and checks["pdf-blank-pages"].summary.startswith("4 blank pages in a row")
