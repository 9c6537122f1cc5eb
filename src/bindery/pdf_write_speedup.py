"""A linear PDF write: one fix to the PDF library under WeasyPrint, confined here.

`pydyf.PDF.page_references` builds a fresh tuple of every page's reference
each time it is read, and WeasyPrint's PDF/UA tagging (`weasyprint/pdf/tags.py`)
and named destinations (`pdf/anchors.py`) read it once per structure element
or anchor, to take one item. The write then costs pages x elements: 73 ms a
page at 500 pages, growing with the page count (benchmarks/pdf_write_repro.py
reproduces it with WeasyPrint alone, ready to report upstream).

`linear_page_references()` replaces the property, while a PDF is written,
with one that keeps the tuple until a page is added. The tuple is the same
value the original returns, so the PDF bytes are unchanged (tests/test_pdf_write_speedup.py
compares them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock
from typing import Any

import pydyf

_LOCK = Lock()


def _cached_page_references(pdf: Any) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_bindery_page_references")
    if cached is None or cached[0] != len(kids):
        refs = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = (len(kids), refs)
        pdf.__dict__["_bindery_page_references"] = cached
    refs_now: tuple[bytes, ...] = cached[1]
    return refs_now


@contextmanager
def linear_page_references() -> Iterator[None]:
    """Within this block, `pydyf.PDF.page_references` is computed once per page count."""
    with _LOCK:
        original = pydyf.PDF.__dict__["page_references"]
        pydyf.PDF.page_references = property(_cached_page_references)
        try:
            yield
        finally:
            pydyf.PDF.page_references = original
