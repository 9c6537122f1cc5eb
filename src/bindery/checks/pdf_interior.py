"""The print PDF's preflight: what a printer would check before printing.

The PDF is read back, never taken from Bindery's own layout, so the
preflight sees what a printer would: page boxes, fonts, page count, the gutter
of the text on the pages, image resolution, annotations and runs of blank
pages. The file's dictionaries (boxes, fonts, annotations) are read with
pypdf; what the pages draw (where words start, which images at what size) with
PDFium, whose C content-stream interpreter reads a 60-page book in a tenth of a
second (pypdf's took 4 s). Each rule returns a `Check` (pass, warn, fail or
skip, with details).
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from bindery.diagnostics import Check
from bindery.manifest import PdfSettings
from bindery.printspec import (
    BLEED_IN,
    MAX_BLANKS_IN_A_ROW,
    MAX_PAGES,
    MIN_IMAGE_DPI,
    MIN_PAGES,
    band_label,
    gutter_for,
    longest_blank_run,
    print_margins,
)

PT = 72.0  # points per inch
TOLERANCE_PT = 0.75


def preflight_pdf(pdf: Path, settings: PdfSettings) -> list[Check]:
    target = str(pdf)
    try:
        reader = PdfReader(pdf)
        pages = len(reader.pages)
        marks = read_marks(pdf)  # one pass over what the pages draw, read by three checks
    except Exception as exc:  # noqa: BLE001 (a damaged file is a finding, not a crash)
        return [Check("pdf-readable", target, "fail", f"the PDF cannot be read: {type(exc).__name__}: {exc}")]
    is_print = settings.profile == "print"
    return [
        _check_boxes(reader, settings, target),
        check_fonts(reader, target),
        _check_page_count(pages, is_print, target),
        _check_gutter(reader, marks, settings, target),
        _check_images(marks, target),
        check_interactive(reader, is_print, target),
        _check_blank_runs(marks, target),
    ]


# --- What the pages draw (PDFium) -------------------------------------------------

MAX_FORM_DEPTH = 8  # form XObjects inside form XObjects followed for images
XOBJECTS = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)  # what a page draws besides text and paths


@dataclass(frozen=True)
class PageMarks:
    """What one page draws: where each word starts (x, y in PDF points, from the media box's
    origin), the images (a description, the effective DPI at the printed size), and whether
    it draws any image or form XObject at all (a picture drawn as vectors)."""

    word_starts: tuple[tuple[float, float], ...]
    images: tuple[tuple[str, float], ...]
    draws_objects: bool


def read_marks(pdf: Path) -> list[PageMarks]:
    """Every page's marks; raises `pdfium.PdfiumError` when the file cannot be read."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [_page_marks(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _page_marks(page: pdfium.PdfPage) -> PageMarks:
    try:
        textpage = page.get_textpage()
        try:
            starts = _word_starts(textpage)
        finally:
            textpage.close()
        images = tuple(_images(page, None, pdfium.PdfMatrix(), 0))
        draws_objects = any(obj.type in XOBJECTS for obj in page.get_objects(max_depth=1))  # an image in a form: the form
    finally:
        page.close()
    return PageMarks(starts, images, draws_objects)


def _word_starts(textpage: pdfium.PdfTextPage) -> tuple[tuple[float, float], ...]:
    """The origin of every character that follows a space or line break (or starts the page)."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    x, y = ctypes.c_double(), ctypes.c_double()
    starts = []
    after_space = True
    for index, char in enumerate(text):
        if char.isspace():
            after_space = True
            continue
        if after_space and pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x, y):
            starts.append((x.value, y.value))
        after_space = False
    return tuple(starts)


def _images(page: pdfium.PdfPage, form: Any, outer: pdfium.PdfMatrix, depth: int) -> Iterator[tuple[str, float]]:
    """(description, effective DPI) of each image drawn on the page or in its forms."""
    for obj in page.get_objects(max_depth=1, form=form):
        if obj.type not in XOBJECTS:
            continue
        matrix = obj.get_matrix().multiply(outer)  # the object's own, then its form's: page space
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            if depth < MAX_FORM_DEPTH:
                yield from _images(page, obj, matrix, depth + 1)
            continue
        width, height = obj.get_px_size()
        width_in, height_in = math.hypot(matrix.a, matrix.b) / PT, math.hypot(matrix.c, matrix.d) / PT
        if width_in and height_in:
            yield f"an image of {width} x {height} px", min(width / width_in, height / height_in)


def _check_boxes(reader: PdfReader, settings: PdfSettings, target: str) -> Check:
    trim = (settings.width_in * PT, settings.height_in * PT)
    bleed = BLEED_IN * PT if (settings.bleed or settings.crop_marks) else 0.0
    problems = []
    for number, page in enumerate(reader.pages, start=1):
        problems.extend(_page_box_problems(page, number, settings, trim, bleed))
    what = f"trim {settings.width_in:g} x {settings.height_in:g} in" + (f", bleed {BLEED_IN:g} in" if bleed else ", no bleed")
    if problems:
        return Check("pdf-boxes", target, "fail", f"page boxes do not match the manifest ({what})", tuple(problems[:20]))
    return Check("pdf-boxes", target, "pass", f"every page: TrimBox {what}")


def _page_box_problems(page: Any, number: int, settings: PdfSettings, trim: tuple[float, float], bleed: float) -> list[str]:
    """What is wrong with one page's TrimBox, bleed margins and BleedBox."""
    if "/TrimBox" not in page:
        return [f"page {number}: no TrimBox"]
    problems = []
    box, media = page.trimbox, page.mediabox
    if abs(float(box.width) - trim[0]) > TOLERANCE_PT or abs(float(box.height) - trim[1]) > TOLERANCE_PT:
        size = f"{float(box.width) / PT:.3f} x {float(box.height) / PT:.3f} in"
        problems.append(f"page {number}: trim {size}, not {settings.width_in:g} x {settings.height_in:g}")
    wrong = _wrong_bleed(box, media, number % 2 == 1, settings, bleed)
    if wrong:
        sides = "top, bottom and outside" if settings.bleed and not settings.crop_marks else "every side"
        problems.append(f"page {number}: bleed {', '.join(wrong)} (want {BLEED_IN if bleed else 0:g} in on {sides})")
    if bleed and "/BleedBox" not in page:
        problems.append(f"page {number}: no BleedBox")
    return problems


def _wrong_bleed(box: Any, media: Any, recto: bool, settings: PdfSettings, bleed: float) -> list[str]:
    """The sides whose margin between TrimBox and MediaBox is not the bleed the manifest asks for."""
    want = {"top": bleed, "bottom": bleed, "left": bleed, "right": bleed}
    if settings.bleed and not settings.crop_marks:
        want["left" if recto else "right"] = 0.0  # no bleed at the spine
    got = {
        "left": float(box.left) - float(media.left),
        "right": float(media.right) - float(box.right),
        "bottom": float(box.bottom) - float(media.bottom),
        "top": float(media.top) - float(box.top),
    }
    return [f"{side} {got[side] / PT:.3f} in" for side in want if abs(got[side] - want[side]) > TOLERANCE_PT]


def _fonts(resources: Any, seen: set[int]) -> Iterator[tuple[str, DictionaryObject]]:
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return
    for font in (_resolve(resources.get("/Font")) or {}).values():
        font = _resolve(font)
        yield str(font.get("/BaseFont", "?")), font
    for xobject in (_resolve(resources.get("/XObject")) or {}).values():
        ref = xobject.idnum if isinstance(xobject, IndirectObject) else id(xobject)
        xobject = _resolve(xobject)
        if ref not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(ref)
            yield from _fonts(xobject.get("/Resources"), seen)


def check_fonts(reader: PdfReader, target: str, name: str = "pdf-fonts") -> Check:
    names: dict[str, bool] = {}
    seen: set[int] = set()
    for page in reader.pages:
        for font_name, font in _fonts(page.get("/Resources"), seen):
            names[font_name] = names.get(font_name, True) and _embedded(font)
    missing = sorted(n for n, ok in names.items() if not ok)
    if missing:
        return Check(name, target, "fail", f"{len(missing)} font(s) not embedded", tuple(missing))
    if not names:
        return Check(name, target, "pass", "no fonts used")
    return Check(
        name, target, "pass", f"all {len(names)} fonts embedded: " + ", ".join(sorted(n.lstrip("/").split("+")[-1] for n in names))
    )


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = _resolve(_resolve(font["/DescendantFonts"])[0])
    descriptor = _resolve(font.get("/FontDescriptor")) or {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _check_page_count(pages: int, is_print: bool, target: str) -> Check:
    problems = []
    if not MIN_PAGES <= pages <= MAX_PAGES:
        problems.append(f"{pages} pages: print-on-demand printers take {MIN_PAGES} to {MAX_PAGES}")
    if is_print and pages % 2:
        problems.append(f"{pages} pages is odd: a printed book has an even page count")
    if problems:
        return Check("pdf-page-count", target, "fail" if is_print else "warn", problems[0], tuple(problems))
    return Check("pdf-page-count", target, "pass", f"{pages} pages (within {MIN_PAGES}-{MAX_PAGES}{', even' if pages % 2 == 0 else ''})")


def _check_gutter(reader: PdfReader, marks: list[PageMarks], settings: PdfSettings, target: str) -> Check:
    """The inside margin, measured where words start on right-hand pages."""
    pages = len(reader.pages)
    needed = gutter_for(pages)
    inside = None
    for number, (page, found) in enumerate(zip(reader.pages, marks, strict=True), start=1):
        if number % 2 == 0:
            continue
        if found.word_starts:
            left = min(x for x, _ in found.word_starts) - float(page.trimbox.left)
            inside = left if inside is None else min(inside, left)
    if inside is None:
        return Check("pdf-gutter", target, "skip", "skipped: no text on any right-hand page")
    measured = inside / PT
    band = f"the {band_label(pages)} page band needs {needed:.3f} in"
    if measured + TOLERANCE_PT / PT < needed:
        return Check("pdf-gutter", target, "fail", f"inside margin {measured:.3f} in; {band}")
    if settings.profile == "print":
        planned = print_margins(settings, pages).inside
        if abs(measured - planned) > TOLERANCE_PT / PT:
            return Check(
                "pdf-gutter",
                target,
                "fail",
                f"inside margin {measured:.3f} in, but the print profile lays out {planned:.3f} in for {pages} pages ({band})",
            )
    return Check("pdf-gutter", target, "pass", f"inside margin {measured:.3f} in; {band}")


def _check_images(marks: list[PageMarks], target: str) -> Check:
    low = []
    count = 0
    for number, found in enumerate(marks, start=1):
        for name, dpi in found.images:
            count += 1
            if dpi < MIN_IMAGE_DPI - 0.5:
                low.append(f"page {number}: {name} prints at {dpi:.0f} DPI")
    if low:
        return Check("pdf-images", target, "warn", f"{len(low)} image(s) below {MIN_IMAGE_DPI} DPI at their printed size", tuple(low))
    return Check("pdf-images", target, "pass", f"{count} image(s), all at least {MIN_IMAGE_DPI} DPI" if count else "no images")


def check_interactive(reader: PdfReader, is_print: bool, target: str, name: str = "pdf-annotations") -> Check:
    root: Any = _resolve(reader.trailer["/Root"])
    found = [
        f"page {n}: {len(_resolve(p['/Annots']))} annotation(s)" for n, p in enumerate(reader.pages, start=1) if _resolve(p.get("/Annots"))
    ]
    if "/Outlines" in root and _resolve(root["/Outlines"]).get("/First") is not None:
        found.append("bookmarks (document outline)")
    if "/AcroForm" in root:
        found.append("form fields")
    attached = _attachments(reader, root)
    if attached:  # a book never carries files: in either profile this is a leak (an article's rel=attachment)
        return Check("pdf-annotations", target, "fail", "the PDF carries attached files; a book must not", tuple(attached[:20]))
    if not is_print:
        return Check(name, target, "skip", f"skipped: the digital profile keeps links and bookmarks ({len(found)} found)")
    if found:
        return Check(name, target, "fail", "a print file must have no annotations, links or bookmarks", tuple(found[:20]))
    return Check(name, target, "pass", "no annotations, links, bookmarks or form fields")


def _attachments(reader: PdfReader, root: Any) -> list[str]:
    """Embedded files: the document's /EmbeddedFiles name tree and /FileAttachment annotations."""
    found = []
    names = _resolve(root.get("/Names"))
    if names is not None and "/EmbeddedFiles" in names:
        tree = _resolve(names["/EmbeddedFiles"])
        listed = _resolve(tree.get("/Names")) or []
        found += [f"embedded file '{listed[i]}'" for i in range(0, len(listed), 2)] or ["embedded files"]
    for n, page in enumerate(reader.pages, start=1):
        for annot in _resolve(page.get("/Annots")) or []:
            if _resolve(annot).get("/Subtype") == "/FileAttachment":
                found.append(f"page {n}: a file attachment")
    return found


def _check_blank_runs(marks: list[PageMarks], target: str) -> Check:
    blank = [not found.word_starts and not found.draws_objects for found in marks]
    longest = longest_blank_run(blank)
    if longest > MAX_BLANKS_IN_A_ROW:
        return Check("pdf-blank-pages", target, "fail", f"{longest} blank pages in a row; printers query more than {MAX_BLANKS_IN_A_ROW}")
    return Check("pdf-blank-pages", target, "pass", f"{sum(blank)} blank page(s), at most {longest} in a row")


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value
