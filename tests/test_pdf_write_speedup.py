"""The linear PDF write (bindery/pdf_write_speedup.py) changes no byte of the PDF."""

from __future__ import annotations

import pydyf
from weasyprint import HTML

from bindery.pdf_write_speedup import linear_page_references


def _document(chapters: int) -> object:
    para = "<p>" + "words on a page " * 40 + '<a href="#c{0}">see chapter {0}</a></p>'
    body = "".join(f'<section id="c{i}"><h1>Chapter {i}</h1>' + para.format((i + 1) % chapters) * 3 + "</section>" for i in range(chapters))
    html = f'<html lang="en"><head><title>t</title><style>@page {{size: 4in 5in}} h1 {{break-before: page}}</style></head><body>{body}</body></html>'
    return HTML(string=html).render()


def test_tagged_and_full_font_pdfs_are_byte_identical_with_the_speedup() -> None:
    document = _document(6)
    plain_tagged = document.write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[attr-defined]
    plain_fonts = document.write_pdf(full_fonts=True)  # type: ignore[attr-defined]
    with linear_page_references():
        fast_tagged = document.write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[attr-defined]
        fast_fonts = document.write_pdf(full_fonts=True)  # type: ignore[attr-defined]
    assert len(document.pages) >= 6  # type: ignore[attr-defined]
    assert fast_tagged == plain_tagged
    assert fast_fonts == plain_fonts


def test_the_cached_references_follow_added_pages_and_the_original_comes_back() -> None:
    original = pydyf.PDF.__dict__["page_references"]
    pdf = pydyf.PDF()
    with linear_page_references():
        assert pdf.page_references == ()
        for _ in range(3):
            pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        first = pdf.page_references
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        second = pdf.page_references
    assert len(first) == 3 and len(second) == 4 and second[:3] == first
    assert second == pdf.page_references  # the original property gives the same value
    assert pydyf.PDF.__dict__["page_references"] is original
