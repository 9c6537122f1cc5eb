"""The print cover spread's preflight: one page of the size `printspec` gives
for the interior's page count and paper, a clear barcode area, embedded fonts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader

from bindery.checks.pdf_interior import PT, TOLERANCE_PT, check_fonts, check_interactive, read_marks
from bindery.checks.results import Check
from bindery.manifest import PdfSettings
from bindery.printspec import BARCODE_AREA_IN, cover_geometry


def preflight_cover(cover: Path, settings: PdfSettings, interior_pages: int) -> list[Check]:
    target = str(cover)
    try:
        reader = PdfReader(cover)
        marks = read_marks(cover)
    except Exception as exc:  # noqa: BLE001
        return [Check("cover-size", target, "fail", f"the cover cannot be read: {type(exc).__name__}: {exc}")]
    geometry = cover_geometry(settings.width_in, settings.height_in, interior_pages, settings.paper)
    checks = []
    if len(reader.pages) != 1:
        checks.append(Check("cover-size", target, "fail", f"the cover has {len(reader.pages)} pages; it must be one spread"))
    else:
        page = reader.pages[0]
        width, height = float(page.mediabox.width) / PT, float(page.mediabox.height) / PT
        sum_of_parts = f"2 x {settings.width_in:g} + spine {geometry.spine:.3f} + 0.25 by {settings.height_in:g} + 0.25"
        want = f"{geometry.width:.3f} x {geometry.height:.3f} in ({sum_of_parts})"
        if abs(width - geometry.width) > TOLERANCE_PT / PT or abs(height - geometry.height) > TOLERANCE_PT / PT or "/TrimBox" not in page:
            checks.append(Check("cover-size", target, "fail", f"the spread is {width:.3f} x {height:.3f} in; want {want} with a TrimBox"))
        else:
            checks.append(Check("cover-size", target, "pass", f"{want}, {interior_pages} pages on {settings.paper} paper"))
        checks.append(_check_barcode_area(page, marks[0].word_starts, settings, target))
    checks.append(check_fonts(reader, target, "cover-fonts"))
    checks.append(check_interactive(reader, True, target, "cover-annotations"))
    return checks


def _check_barcode_area(page: Any, word_starts: tuple[tuple[float, float], ...], settings: PdfSettings, target: str) -> Check:
    """No word starts inside the barcode area at the bottom right of the back cover."""
    trim = page.trimbox
    width, height = BARCODE_AREA_IN[0] * PT, BARCODE_AREA_IN[1] * PT
    right = float(trim.left) + settings.width_in * PT - 0.25 * PT
    bottom = float(trim.bottom) + 0.25 * PT
    inside = [(x, y) for x, y in word_starts if right - width - 0.25 * PT <= x <= right and bottom <= y <= bottom + height + 0.25 * PT]
    if inside:
        return Check(
            "cover-barcode-area",
            target,
            "fail",
            f"text inside the {BARCODE_AREA_IN[0]:g} x {BARCODE_AREA_IN[1]:g} in barcode area of the back cover",
        )
    return Check(
        "cover-barcode-area",
        target,
        "pass",
        f"the {BARCODE_AREA_IN[0]:g} x {BARCODE_AREA_IN[1]:g} in barcode area on the back cover is clear",
    )
