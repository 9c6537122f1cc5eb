"""The PDF builder: writes a laid-out print edition (`layout.PrintLayout`) as the PDF.

The layout is done before, by `layout.lay_out_print`; this only writes it.
Two profiles (the manifest's `pdf.profile`): `digital` keeps bookmarks and
links and tags the file as PDF/UA-1; `print` is for a print-on-demand upload:
fonts embedded whole, and (from the layout) no bookmarks, links or
annotations, the gutter of the page-count band, an even page count.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import weasyprint

from bindery.builders.base import Artifact, Builder, BuildOutput
from bindery.layout import PrintLayout, weasyprint_messages, weasyprint_warnings
from bindery.model import Book
from bindery.pdf_write_speedup import linear_page_references
from bindery.templating import Kind
from bindery.xref import CrossReferences


class PdfBuilder(Builder):
    name: ClassVar[str] = "pdf"
    format: ClassVar[str] = "PDF"
    template_kind: ClassVar[Kind] = "print"

    def __init__(self, book: Book, xrefs: CrossReferences, output_dir: Path, *, layout: PrintLayout) -> None:
        super().__init__(book, xrefs, output_dir)
        self.layout = layout

    def output_path(self) -> Path:
        return self.output_dir / f"{self.book.slug}.pdf"

    def build(self) -> BuildOutput:
        """The layout's warnings, and WeasyPrint's messages while writing that the layout did not give."""
        with weasyprint_messages() as said:
            data = write_pdf(self.layout.document, self.book.pdf.profile)
        told = {d.message for d in self.layout.diagnostics}
        diagnostics = [*self.layout.diagnostics, *(d for d in weasyprint_warnings(said) if d.message not in told)]
        return BuildOutput([Artifact(self.output_path(), data, pages=self.layout.page_count)], diagnostics)


def write_pdf(document: weasyprint.Document, profile: str) -> bytes:
    """The PDF file of a laid-out document, as the profile writes it."""
    buffer = io.BytesIO()
    if profile == "print":
        with _quiet_font_tables(), linear_page_references():
            document.write_pdf(buffer, full_fonts=True)
    else:
        with linear_page_references():
            document.write_pdf(buffer, pdf_variant="pdf/ua-1")
    return buffer.getvalue()


@contextmanager
def _quiet_font_tables() -> Iterator[None]:
    """Embedding whole fonts makes fontTools re-read Inconsolata's metrics, and it
    logs every glyph with a wrapped-around advance width to the terminal; the
    fonts embed correctly, so those lines are noise for a user."""
    logger = logging.getLogger("fontTools.ttLib.tables._h_m_t_x")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
