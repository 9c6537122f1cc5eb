"""The finished PDF read back as pages of text lines (PDFium through pypdfium2).

Each page becomes a `TypesetPage`: its lines in reading order, each with its
box (points, measured from the trim box's bottom-left corner), the font of
its first character, and whether its characters are bold, larger than the
body text or set in a monospaced face. The rules in `rules.py` see nothing
else, so they can be fed small hand-made pages in tests.

PDFium reads a 400-page book in about two seconds; pdfminer-based readers
(pdfplumber) take about ten times as long, see the README's dependency list.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MONOSPACED = ("mono", "inconsolata", "courier", "consol", "code")


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    size: float = 10.0  # font size of the first character, points
    bold: bool = False  # every character sampled is bold
    mono: bool = False  # the first character is in a monospaced font
    font: str = ""
    unmapped: int = 0  # characters PDFium found no Unicode for

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class TypesetPage:
    number: int  # 1-based
    width: float  # trim width, points
    height: float
    lines: tuple[Line, ...] = ()
    images: tuple[tuple[float, float, float, float], ...] = ()  # (left, bottom, right, top) of each image

    @property
    def blank(self) -> bool:
        return not self.lines and not self.images


@dataclass(frozen=True)
class TypesetBook:
    pages: tuple[TypesetPage, ...]
    body_size: float = field(default=10.0)  # the most used font size


def read_pdf(path: Path) -> TypesetBook:
    """Every page's lines; raises `pdfium.PdfiumError` when the file cannot be read."""
    document = pdfium.PdfDocument(path)
    try:
        pages = tuple(_read_page(document, index) for index in range(len(document)))
    finally:
        document.close()
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            if not line.mono:
                sizes[round(line.size, 1)] += len(line.text)
    return TypesetBook(pages, sizes.most_common(1)[0][0] if sizes else 10.0)


def _read_page(document: pdfium.PdfDocument, index: int) -> TypesetPage:
    page = document[index]
    try:
        left, bottom, right, top = page.get_trimbox()
        images = tuple(
            (x0 - left, y0 - bottom, x1 - left, y1 - bottom)
            for x0, y0, x1, y1 in (image.get_pos() for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))
        )
        textpage = page.get_textpage()
        try:
            lines = _lines(textpage, left, bottom)
        finally:
            textpage.close()
    finally:
        page.close()
    return TypesetPage(index + 1, right - left, top - bottom, tuple(lines), images)


_BOX = pdfium_c.FS_RECTF()
_NAME = ctypes.create_string_buffer(128)
_FLAGS = ctypes.c_int()


def _lines(textpage: pdfium.PdfTextPage, dx: float, dy: float) -> list[Line]:
    """The page's text lines. PDFium's own breaks (CR LF) are kept, and a line
    is also broken where the text moves to another baseline, which PDFium
    misses after a word's own hyphen (it reads that hyphen as U+FFFE and joins
    the lines; WeasyPrint's hyphenation hyphen stays U+2010). Segments that
    share a baseline band are then merged (a superscript note marker is a
    segment of its own to PDFium)."""
    handle = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count).replace("\ufffe", "-") if count else ""
    segments: list[Line] = []
    first = last = -1
    x0 = x1 = bottom = top = previous_bottom = previous_top = 0.0
    box = _BOX
    for i, ch in enumerate(text):
        if ch.isspace():
            if ch == "\r" and first >= 0:
                segments.append(_line(handle, text, first, last, x0 - dx, x1 - dx, bottom - dy, top - dy))
                first = -1
            continue
        pdfium_c.FPDFText_GetLooseCharBox(handle, i, box)
        left, right, low, high = box.left, box.right, box.bottom, box.top
        if right <= left:
            continue
        if first >= 0 and min(previous_top, high) - max(previous_bottom, low) < 0.3 * (high - low):
            segments.append(_line(handle, text, first, last, x0 - dx, x1 - dx, bottom - dy, top - dy))
            first = -1
        if first < 0:
            first, x0, x1, bottom, top = i, left, right, low, high
        else:
            x0, x1, bottom, top = min(x0, left), max(x1, right), min(bottom, low), max(top, high)
        last, previous_bottom, previous_top = i, low, high
    if first >= 0:
        segments.append(_line(handle, text, first, last, x0 - dx, x1 - dx, bottom - dy, top - dy))
    return _merge_baselines(segments)


def _line(handle: object, page_text: str, first: int, last: int, x0: float, x1: float, bottom: float, top: float) -> Line:
    """A line's box, and its font sampled at its first, middle and last character."""
    raw = page_text[first : last + 1]
    samples = [_font(handle, i) for i in (first, (first + last) // 2, last)]
    bold = all("bold" in name.lower() or weight >= 600 for name, weight in samples)
    mono = all(any(word in name.lower() for word in MONOSPACED) for name, _ in samples)
    unmapped = sum(1 for i, ch in enumerate(raw, start=first) if not ch.isascii() and pdfium_c.FPDFText_HasUnicodeMapError(handle, i) == 1)
    size = pdfium_c.FPDFText_GetFontSize(handle, first)
    return Line(raw.replace("\r\n", " ").strip(), x0, x1, bottom, top, size, bold, mono, samples[0][0], unmapped)


def _font(handle: object, index: int) -> tuple[str, int]:
    pdfium_c.FPDFText_GetFontInfo(handle, index, _NAME, len(_NAME), _FLAGS)
    return _NAME.value.decode("latin-1").split("+")[-1], pdfium_c.FPDFText_GetFontWeight(handle, index)


def _merge_baselines(segments: list[Line]) -> list[Line]:
    merged: list[Line] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if last is not None and _same_band(last, segment):
            merged[-1] = _join(last, segment)
        else:
            merged.append(segment)
    return merged


def _same_band(a: Line, b: Line) -> bool:
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap > 0.5 * min(a.height, b.height) and (b.x0 >= a.x1 - 1 or a.x0 >= b.x1 - 1)


def _join(a: Line, b: Line) -> Line:
    first, second = (a, b) if a.x0 <= b.x0 else (b, a)
    main = a if a.height >= b.height else b  # a superscript does not set the line's band or font
    space = " " if second.x0 - first.x1 > 2 else ""
    return Line(
        first.text + space + second.text,
        first.x0,
        max(a.x1, b.x1),
        main.bottom,
        main.top,
        main.size,
        a.bold and b.bold,
        main.mono,
        main.font,
        a.unmapped + b.unmapped,
    )
