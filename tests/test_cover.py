"""Covers: the print cover spread (size, spine, barcode area, back text) and the ebook cover."""

from __future__ import annotations

import io
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bindery.printspec import BARCODE_AREA_IN, cover_geometry
from conftest import BOOKS, Built, build_book, epubcheck, severities
from print_books import POINTS_PER_INCH, print_build, words_by_page

OPF = {"opf": "http://www.idpf.org/2007/opf"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def cover_text(pdf: object) -> str:
    """The cover's words in one line (the spine's turned words come out one per line)."""
    return " ".join(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())


@pytest.mark.slow
def test_cover_spread_is_two_trims_plus_spine_plus_bleed() -> None:
    long = print_build("long-print")  # 4 x 6 in trim, cream paper
    pages = len(PdfReader(long.pdf).pages)
    reader = PdfReader(long.cover)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    spine = pages * 0.0025
    assert float(page.mediabox.width) / POINTS_PER_INCH == pytest.approx(2 * 4 + spine + 0.25, abs=0.005)
    assert float(page.mediabox.height) / POINTS_PER_INCH == pytest.approx(6 + 0.25, abs=0.005)
    # the trim box is the spread without the 0.125 in bleed on every side
    assert float(page.trimbox.width) / POINTS_PER_INCH == pytest.approx(2 * 4 + spine, abs=0.005)
    assert float(page.trimbox.left) - float(page.mediabox.left) == pytest.approx(0.125 * POINTS_PER_INCH)
    assert float(page.mediabox.top) - float(page.trimbox.top) == pytest.approx(0.125 * POINTS_PER_INCH)


@pytest.mark.slow
def test_spine_carries_the_title_only_from_79_pages() -> None:
    long, short = print_build("long-print"), print_build("short-print")
    assert len(PdfReader(long.pdf).pages) >= 79 > len(PdfReader(short.pdf).pages)
    assert cover_text(long.cover).count("The Long Shift") == 2  # front cover and spine
    assert cover_text(short.cover).count("A Short Print Run") == 1  # front cover only
    # the short book's spine: 5x8 trim on white paper
    reader = PdfReader(short.cover)
    pages = len(PdfReader(short.pdf).pages)
    geometry = cover_geometry(5, 8, pages, "white")
    assert float(reader.pages[0].mediabox.width) / POINTS_PER_INCH == pytest.approx(geometry.width, abs=0.005)
    assert geometry.width == pytest.approx(10 + pages * 0.002252 + 0.25)


@pytest.mark.slow
def test_back_cover_has_the_description_and_a_clear_barcode_area() -> None:
    long = print_build("long-print")
    words = words_by_page(long.cover)[0]
    text = " ".join(w.text for w in words)
    assert "A book that exists to be long." in text
    bleed, trim_w, trim_h, safe = 0.125 * POINTS_PER_INCH, 4 * POINTS_PER_INCH, 6 * POINTS_PER_INCH, 0.5 * POINTS_PER_INCH
    width, height = BARCODE_AREA_IN[0] * POINTS_PER_INCH, BARCODE_AREA_IN[1] * POINTS_PER_INCH
    # the area sits at the bottom right of the back cover, inside the safe margin (pdftotext measures from the top left of the media box)
    x0, x1 = bleed + trim_w - safe - width, bleed + trim_w - safe
    y0, y1 = bleed + trim_h - safe - height, bleed + trim_h - safe
    assert not [w.text for w in words if w.x1 > x0 and w.x0 < x1 and w.y1 > y0 and w.y0 < y1]
    back = [w for w in words if w.x1 < bleed + trim_w]
    assert back and max(w.y1 for w in back) < y0  # the blurb stops above the barcode area


def opf_items(built: Built) -> dict[str, ET.Element]:
    package = ET.fromstring(built.epub_text("OEBPS/content.opf"))
    return {item.get("id", ""): item for item in package.iterfind("opf:manifest/opf:item", OPF)}


def test_generated_ebook_cover_is_a_large_png_with_its_page_and_landmark(test_books: dict[str, Built]) -> None:
    minimal = test_books["minimal"]  # no `cover:` in its manifest
    image = opf_items(minimal)["cover-image"]
    assert image.get("properties") == "cover-image"
    assert image.get("media-type") == "image/png"
    with zipfile.ZipFile(minimal.epub) as z:
        picture = Image.open(io.BytesIO(z.read(f"OEBPS/{image.get('href')}")))
    assert picture.format == "PNG"
    assert picture.size[0] >= 1600 and picture.size[1] >= 2560
    assert picture.size[1] / picture.size[0] == pytest.approx(1.6)
    page = minimal.epub_text("OEBPS/cover.xhtml")
    assert f'src="{image.get("href")}"' in page and 'alt="Cover of A Minimal Book by Test Writer"' in page
    nav = ET.fromstring(minimal.epub_text("OEBPS/nav.xhtml"))
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in nav.iter("{http://www.w3.org/1999/xhtml}a")}
    assert landmarks["cover"] == "cover.xhtml"


def test_generated_cover_draws_the_title_in_the_upper_half(test_books: dict[str, Built]) -> None:
    minimal = test_books["minimal"]
    with zipfile.ZipFile(minimal.epub) as z:
        picture = Image.open(io.BytesIO(z.read("OEBPS/" + opf_items(minimal)["cover-image"].get("href", "")))).convert("L")
    background = picture.getpixel((5, 5))
    band = picture.crop((0, 700, picture.width, 1200))  # where the title block starts
    assert band.getextrema() != (background, background), "no title drawn"


@pytest.mark.slow
def test_generated_cover_epub_passes_epubcheck(test_books: dict[str, Built]) -> None:
    found = severities(epubcheck(test_books["minimal"].epub))
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found


def test_manifest_cover_image_is_used_as_is(tmp_path: object) -> None:
    built = build_book(BOOKS / "covered", tmp_path, ("epub",))  # type: ignore[arg-type]
    image = opf_items(built)["cover-image"]
    assert image.get("href") == "images/cover.png" and image.get("properties") == "cover-image"
    with zipfile.ZipFile(built.epub) as z:
        assert z.read("OEBPS/images/cover.png") == (BOOKS / "covered" / "images" / "cover.png").read_bytes()
    found = severities(epubcheck(built.epub))
    assert not found.get("ERROR") and not found.get("WARNING"), found


def test_a_generated_cover_is_drawn_once_per_process_and_again_for_a_new_title(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview, a catalog worker and a run of many small books build covers again and again:
    the same design with the same template files (in any folder) is not drawn again; a new title
    or a changed template file is."""
    import shutil
    from collections import OrderedDict

    from bindery.builders import cover_image
    from bindery.pipeline import load_book

    drawn: list[object] = []
    paint = cover_image._paint
    monkeypatch.setattr(cover_image, "_paint", lambda art, fonts: drawn.append(art) or paint(art, fonts))
    monkeypatch.setattr(cover_image, "_drawings", OrderedDict())
    book = Path(shutil.copytree(BOOKS / "minimal", tmp_path / "book"))
    first = cover_image.generated_cover(load_book(book).book)
    assert cover_image.generated_cover(load_book(book).book).data == first.data and len(drawn) == 1
    elsewhere = Path(shutil.copytree(book, tmp_path / "elsewhere"))
    assert cover_image.generated_cover(load_book(elsewhere).book).data == first.data and len(drawn) == 1
    (elsewhere / "templates" / "ebook").mkdir(parents=True)
    (elsewhere / "templates" / "ebook" / "notes.txt").write_text("a file of the book's own templates", encoding="utf-8")
    assert cover_image.generated_cover(load_book(elsewhere).book).data == first.data and len(drawn) == 2
    manifest = book / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("title: ", "title: Another ", 1), encoding="utf-8")
    assert cover_image.generated_cover(load_book(book).book).data != first.data and len(drawn) == 3
