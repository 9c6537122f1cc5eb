"""The print PDF's preflight: what a printer would check before printing.

The PDF is read back with pypdf, never from Bindery's own layout, so the
preflight sees what a printer would: page boxes, fonts, page count, the gutter
of the text on the pages, image resolution (following the graphics state of
each page's content stream), annotations and runs of blank pages. Each rule
returns a `Check` (pass, warn, fail or skip, with details).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

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
    except Exception as exc:  # noqa: BLE001 (a damaged file is a finding, not a crash)
        return [Check("pdf-readable", target, "fail", f"the PDF cannot be read: {type(exc).__name__}: {exc}")]
    is_print = settings.profile == "print"
    edges = [text_left_edges(page) for page in reader.pages]  # one text pass, read by two checks
    return [
        _check_boxes(reader, settings, target),
        check_fonts(reader, target),
        _check_page_count(pages, is_print, target),
        _check_gutter(reader, edges, settings, target),
        _check_images(reader, target),
        check_interactive(reader, is_print, target),
        _check_blank_runs(reader, edges, target),
    ]


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


def text_left_edges(page: Any) -> list[tuple[float, float]]:
    """(x, y) in PDF points where each run of text on the page starts."""
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        if text.strip():
            found.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def _check_gutter(reader: PdfReader, edges_by_page: list[list[tuple[float, float]]], settings: PdfSettings, target: str) -> Check:
    """The inside margin, measured where text starts on right-hand pages."""
    pages = len(reader.pages)
    needed = gutter_for(pages)
    inside = None
    for number, (page, edges) in enumerate(zip(reader.pages, edges_by_page, strict=True), start=1):
        if number % 2 == 0:
            continue
        if edges:
            left = min(x for x, _ in edges) - float(page.trimbox.left)
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


def _images(reader: PdfReader, resources: Any, ctm: tuple[float, ...], operations: Any, seen: set[int]) -> Iterator[tuple[str, float]]:
    """(name, effective DPI) of every image drawn, following the graphics state."""
    stack = []
    for operands, operator in operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q" and stack:
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _multiply(tuple(float(v) for v in operands), ctm)
        elif operator == b"Do":
            yield from _drawn(reader, resources, ctm, operands[0], seen)


def _drawn(reader: PdfReader, resources: Any, ctm: tuple[float, ...], name: Any, seen: set[int]) -> Iterator[tuple[str, float]]:
    """(name, effective DPI) of the image a `Do` operator draws, or of the images in the form it draws."""
    xobjects = _resolve(_resolve(resources).get("/XObject")) or {}
    xobject = _resolve(xobjects.get(name))
    if xobject is None:
        return
    if xobject.get("/Subtype") == "/Image":
        width_in = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5 / PT
        height_in = (ctm[2] ** 2 + ctm[3] ** 2) ** 0.5 / PT
        if width_in and height_in:
            yield str(name), min(float(xobject["/Width"]) / width_in, float(xobject["/Height"]) / height_in)
    elif xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
        seen.add(id(xobject))
        matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        inner = ContentStream(xobject, reader)
        yield from _images(reader, xobject.get("/Resources", resources), _multiply(matrix, ctm), inner.operations, seen)


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _check_images(reader: PdfReader, target: str) -> Check:
    low = []
    count = 0
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        if contents is None:
            continue
        for name, dpi in _images(reader, page.get("/Resources"), (1, 0, 0, 1, 0, 0), contents.operations, set()):
            count += 1
            if dpi < MIN_IMAGE_DPI - 0.5:
                low.append(f"page {number}: image {name} prints at {dpi:.0f} DPI")
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


def _check_blank_runs(reader: PdfReader, edges_by_page: list[list[tuple[float, float]]], target: str) -> Check:
    blank = [not edges and not _has_images(page) for page, edges in zip(reader.pages, edges_by_page, strict=True)]
    longest = longest_blank_run(blank)
    if longest > MAX_BLANKS_IN_A_ROW:
        return Check("pdf-blank-pages", target, "fail", f"{longest} blank pages in a row; printers query more than {MAX_BLANKS_IN_A_ROW}")
    return Check("pdf-blank-pages", target, "pass", f"{sum(blank)} blank page(s), at most {longest} in a row")


def _has_images(page: Any) -> bool:
    xobjects = _resolve(_resolve(page.get("/Resources") or {}).get("/XObject")) or {}
    return bool(xobjects) and page.get_contents() is not None and b"Do" in page.get_contents().get_data()


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value
