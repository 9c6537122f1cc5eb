"""The PDF builder: writes a laid-out print edition (`layout.PrintLayout`) as the PDF.

The layout is done before, by `layout.lay_out_print`; this only writes it.
Two profiles (the manifest's `pdf.profile`): `digital` keeps bookmarks and
links and tags the file as PDF/UA-1; `print` is for a print-on-demand upload:
(from the layout) no bookmarks, links or annotations, the gutter of the
page-count band, an even page count. Both embed font subsets whose ToUnicode
maps every glyph, ligatures included, so the text layer reads back as
written; the digital profile also writes /PageLabels, so a viewer shows the
printed folios (roman, then arabic).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pydyf
import weasyprint

from bindery.builders.base import Artifact, Builder, BuildOutput
from bindery.frozen_heap import frozen_heap
from bindery.layout import PrintLayout, weasyprint_warnings
from bindery.model import Book
from bindery.numerals import from_roman
from bindery.output_names import output_names
from bindery.pdf_join import ChunkPdf, join_chunks
from bindery.pdf_write_speedup import linear_page_references
from bindery.templating import Kind
from bindery.weasyprint_log import weasyprint_messages
from bindery.xref import CrossReferences


class PdfBuilder(Builder):
    name: ClassVar[str] = "pdf"
    format: ClassVar[str] = "PDF"
    template_kind: ClassVar[Kind] = "print"

    def __init__(self, book: Book, xrefs: CrossReferences, output_dir: Path, *, layout: PrintLayout) -> None:
        super().__init__(book, xrefs, output_dir)
        self.layout = layout

    def output_path(self) -> Path:
        return self.output_dir / output_names(self.book.slug).pdf

    def build(self) -> BuildOutput:
        """The layout's warnings, and WeasyPrint's messages while writing that the layout did not give."""
        with weasyprint_messages() as said:
            labels = [page.label for page in self.layout.page_map.pages]
            if self.layout.document is None:
                said.extend(self.layout.write_messages)
                data = join_chunks(
                    [ChunkPdf(c.pdf, c.bookmarks, c.anchors) for c in self.layout.chunks], labels=labels, profile=self.book.pdf.profile
                )
            else:
                data = write_pdf(self.layout.document, self.book.pdf.profile, labels)
        told = {d.message for d in self.layout.warnings}
        warnings = (*self.layout.warnings, *(d for d in weasyprint_warnings(said) if d.message not in told))
        return BuildOutput((Artifact(self.output_path(), data, pages=self.layout.page_count),), warnings)


def write_pdf(document: weasyprint.Document, profile: str, labels: Sequence[str]) -> bytes:
    """The PDF file of a laid-out document, as the profile writes it; `labels` are the printed folios.

    Fonts are embedded as subsets, the way WeasyPrint maps every glyph it drew
    (ligatures included) to its text in ToUnicode; whole fonts get a map from
    the font's cmap only, which has no entry for fi, fl or ffi.
    """
    buffer = io.BytesIO()
    if profile == "print":
        with linear_page_references(), frozen_heap():
            document.write_pdf(buffer)
    else:
        ranges = page_label_ranges(labels)
        with linear_page_references(), frozen_heap():
            document.write_pdf(buffer, pdf_variant="pdf/ua-1", finisher=lambda _doc, pdf: _add_page_labels(pdf, ranges))
    return buffer.getvalue()


def page_label_ranges(labels: Sequence[str]) -> list[tuple[int, str, int]]:
    """The PDF /PageLabels ranges for the printed folios: (first page index, style, first number).

    `labels` are the folios of the pages in order ("i", "ii", ..., "1", "2"); a
    new range starts wherever the style changes or the count does not follow
    on, so a viewer shows the number printed on the page. Style "r" is lower
    roman, "D" arabic.
    """
    ranges: list[tuple[int, str, int]] = []
    previous: tuple[str, int] | None = None
    for index, label in enumerate(labels):
        style, number = ("D", int(label)) if label.isdigit() else ("r", from_roman(label) or 1)
        if previous is None or previous != (style, number - 1):
            ranges.append((index, style, number))
        previous = (style, number)
    return ranges


def _add_page_labels(pdf: pydyf.PDF, ranges: list[tuple[int, str, int]]) -> None:
    """WeasyPrint's finisher hook: write /PageLabels into the catalog before the trailer."""
    if not ranges:
        return
    nums = pydyf.Array()
    for index, style, first in ranges:
        label = pydyf.Dictionary({"S": f"/{style}"})
        if first != 1:
            label["St"] = first
        nums.extend([index, label])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
