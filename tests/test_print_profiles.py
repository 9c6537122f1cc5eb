"""The print-on-demand PDF: gutter bands, bleed, even page counts, no interactive parts.

The geometry rules are unit-tested in `printspec`; the long print test book
(a 4 x 6 in trim at 16 pt, past 150 pages) is built once and read back with
pypdf and poppler's pdftotext, as a print shop's preflight would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bindery.checks.pdf_interior import preflight_pdf
from bindery.diagnostics import BinderyError
from bindery.manifest import load_manifest
from bindery.pipeline import build
from bindery.printspec import BLEED_IN, gutter_for, longest_blank_run, padded_to_even, print_margins, spine_width
from conftest import BOOKS, EPOCH, Built
from print_books import POINTS_PER_INCH, PrintBuild, print_build, words_by_page

LONG = "long-print"


@pytest.mark.parametrize(
    ("pages", "gutter"),
    [(24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625), (500, 0.625), (501, 0.75), (700, 0.75), (701, 0.875), (828, 0.875)],
)
def test_gutter_follows_the_kdp_page_count_bands(pages: int, gutter: float) -> None:
    assert gutter_for(pages) == gutter


@pytest.mark.parametrize(
    ("pages", "paper", "inches"), [(200, "white", 0.4504), (200, "cream", 0.5), (79, "white", 0.177908), (828, "cream", 2.07)]
)
def test_spine_width_is_page_count_times_the_paper_factor(pages: int, paper: str, inches: float) -> None:
    assert spine_width(pages, paper) == pytest.approx(inches)


def test_page_counts_are_padded_to_even_and_blank_runs_counted() -> None:
    assert [padded_to_even(n) for n in (149, 150, 151)] == [150, 150, 152]
    assert longest_blank_run([False, True, True, False, True]) == 2
    assert longest_blank_run([]) == 0


def test_outside_margins_respect_the_printers_minimum_with_and_without_bleed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n\nText.\n")
    (tmp_path / "book.yaml").write_text("title: T\nchapters: [a.md]\npdf: {profile: print, margins: {outside: 0.25in, top: 0.3in}}\n")
    settings = load_manifest(tmp_path).pdf
    plain = print_margins(settings, 100)
    assert (plain.outside, plain.top, plain.inside, plain.bleed) == (0.25, 0.3, 0.875, 0)  # the design's gutter, not the band's 0.375
    bleeding = print_margins(settings.__class__(**{**settings.__dict__, "bleed": True}), 400)
    assert (bleeding.outside, bleeding.top, bleeding.inside, bleeding.bleed) == (0.375, 0.375, 0.875, BLEED_IN)


def test_pdf_keys_are_validated_with_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n\nText.\n")
    (tmp_path / "book.yaml").write_text(
        "title: T\nchapters: [a.md]\npdf:\n  profile: printt\n  bleed: yes please\n"
        "  paper: blue\n  margins: {outside: 0.3in}\n  crop_marks: true\n"
    )
    with pytest.raises(BinderyError) as caught:
        load_manifest(tmp_path)
    found = {(d.line, d.key): d for d in caught.value.diagnostics}
    assert found[(4, "pdf.profile")].hint == "did you mean 'print'?"
    assert (5, "pdf.bleed") in found
    assert "white | cream" in (found[(6, "pdf.paper")].hint or "")
    assert len(caught.value.diagnostics) == 3  # bleed was refused, so 0.3in outside is not checked against it


def test_defaults_are_the_digital_profile_on_white_paper_without_bleed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n\nText.\n")
    (tmp_path / "book.yaml").write_text("title: T\nchapters: [a.md]\n")
    pdf = load_manifest(tmp_path).pdf
    assert (pdf.profile, pdf.paper, pdf.bleed, pdf.crop_marks) == ("digital", "white", False, False)


@pytest.fixture(scope="module")
def long_book() -> PrintBuild:
    return print_build(LONG)


@pytest.mark.slow
def test_long_book_is_padded_to_an_even_count_past_150_pages(long_book: PrintBuild) -> None:
    pages = len(PdfReader(long_book.pdf).pages)
    assert pages % 2 == 0
    assert 150 < pages <= 300, pages


@pytest.mark.slow
def test_inside_margin_is_the_151_to_300_band_gutter_on_rectos_and_versos(long_book: PrintBuild) -> None:
    reader = PdfReader(long_book.pdf)
    words = words_by_page(long_book.pdf)
    assert (
        gutter_for(len(reader.pages)) == 0.5
    )  # the first layout pass used 0.4 in (the outside margin); the final count moved the book up a band
    inside_recto, inside_verso, outside_recto = [], [], []
    for number, (page, found) in enumerate(zip(reader.pages, words, strict=True), start=1):
        found = [w for w in found if w.text.strip()]
        if len(found) < 40:
            continue  # openers and short pages do not reach both edges
        trim_left = float(page.trimbox.left) - float(page.mediabox.left)  # pdftotext measures from the media box
        trim_right = trim_left + float(page.trimbox.width)
        left, right = min(w.x0 for w in found) - trim_left, trim_right - max(w.x1 for w in found)
        if number % 2:
            inside_recto.append(left)
            outside_recto.append(right)
        else:
            inside_verso.append(right)
    assert len(inside_recto) > 40 and len(inside_verso) > 40
    assert min(inside_recto) == pytest.approx(0.5 * POINTS_PER_INCH, abs=0.5)
    assert min(inside_verso) == pytest.approx(0.5 * POINTS_PER_INCH, abs=1.0)  # justified lines end within a point of the margin
    assert min(outside_recto) == pytest.approx(0.4 * POINTS_PER_INCH, abs=1.0)


@pytest.mark.slow
def test_bleed_grows_the_page_on_top_bottom_and_outside_only(long_book: PrintBuild) -> None:
    reader = PdfReader(long_book.pdf)
    bleed = BLEED_IN * POINTS_PER_INCH
    for number, page in enumerate(reader.pages, start=1):
        trim, media = page.trimbox, page.mediabox
        assert (float(trim.width), float(trim.height)) == (4 * POINTS_PER_INCH, 6 * POINTS_PER_INCH)
        assert "/BleedBox" in page
        assert float(media.top) - float(trim.top) == pytest.approx(bleed)
        assert float(trim.bottom) - float(media.bottom) == pytest.approx(bleed)
        left, right = float(trim.left) - float(media.left), float(media.right) - float(trim.right)
        if number % 2:  # recto: the outside edge is on the right
            assert (left, right) == pytest.approx((0, bleed)), number
        else:
            assert (left, right) == pytest.approx((bleed, 0)), number


@pytest.mark.slow
def test_print_profile_has_no_annotations_links_or_bookmarks(long_book: PrintBuild) -> None:
    reader = PdfReader(long_book.pdf)
    assert not [n for n, page in enumerate(reader.pages, start=1) if page.get("/Annots")]
    assert reader.outline == []
    root = reader.trailer["/Root"]
    assert "/Outlines" not in root and "/AcroForm" not in root


@pytest.mark.slow
def test_print_profile_blank_pages_never_run_past_two(long_book: PrintBuild) -> None:
    blank = [not page.extract_text().strip() for page in PdfReader(long_book.pdf).pages]
    assert any(blank)  # chapters open on rectos, so some versos are blank
    assert longest_blank_run(blank) <= 2


@pytest.mark.slow
def test_short_print_book_without_bleed_has_media_box_equal_to_trim(tmp_path: Path) -> None:
    short = print_build("short-print")
    reader = PdfReader(short.pdf)
    assert len(reader.pages) % 2 == 0
    for page in reader.pages:
        assert [float(v) for v in page.mediabox] == [float(v) for v in page.trimbox]
        assert (float(page.trimbox.width), float(page.trimbox.height)) == (5 * POINTS_PER_INCH, 8 * POINTS_PER_INCH)


@pytest.mark.slow
def test_crop_marks_give_every_side_a_bleed_and_low_resolution_images_are_named(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(BOOKS / "short-print", book)
    manifest = (book / "book.yaml").read_text().replace("  paper: white\n", "  paper: white\n  crop_marks: true\n")
    (book / "book.yaml").write_text(manifest)
    (book / "images").mkdir()
    Image.new("RGB", (120, 80), "#336699").save(book / "images" / "small.png")
    with (book / "chapters" / "notice.md").open("a") as article:
        article.write("\n![A small picture](../images/small.png)\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(book, ("pdf",), tmp_path / "out")
    warnings = [w for w in result.warnings if w.code == "pdf-image-resolution"]
    assert len(warnings) == 1 and "images/small.png" in warnings[0].message, result.warnings
    reader = PdfReader(tmp_path / "out" / "a-short-print-run.pdf")
    bleed = BLEED_IN * POINTS_PER_INCH
    for page in reader.pages:
        trim, media = page.trimbox, page.mediabox
        sides = (
            float(trim.left) - float(media.left),
            float(media.right) - float(trim.right),
            float(trim.bottom) - float(media.bottom),
            float(media.top) - float(trim.top),
        )
        assert sides == pytest.approx((bleed, bleed, bleed, bleed))
    checks = {c.name: c for c in preflight_pdf(tmp_path / "out" / "a-short-print-run.pdf", load_manifest(book).pdf)}
    assert checks["pdf-boxes"].status == "pass", checks["pdf-boxes"]
    assert checks["pdf-images"].status == "warn" and "DPI" in checks["pdf-images"].details[0]


def test_digital_profile_keeps_bookmarks_and_links_and_is_tagged(sample: Built) -> None:
    reader = PdfReader(sample.pdf)
    assert reader.outline, "bookmarks"
    assert any(page.get("/Annots") for page in reader.pages), "links"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # PDF/UA-1 tagging
    assert "pdfuaid" in root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
