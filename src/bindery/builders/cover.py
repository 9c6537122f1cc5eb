"""The print cover builder: `<slug>-cover.pdf`, one spread for print-on-demand.

Back cover, spine and front cover on one page with 0.125 in bleed on every
side; the spine width comes from the interior's final page count and the
paper (`printspec.cover_geometry`), so the cover is built from the interior's
layout (`layout.PrintLayout.page_count`).
Layout is template-driven: `print/cover.html.j2` and `print/cover.css.j2`.
The front panel is the ebook cover's design (`cover_image.cover_art`: the
same rules, fitted title lines, sizes and places) scaled to the trim height.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from bindery.builders.base import Artifact, Builder, BuildOutput
from bindery.builders.cover_image import cover_art
from bindery.layout import strip_interactive
from bindery.model import Book
from bindery.output_names import output_names
from bindery.print_fetcher import book_fetcher
from bindery.printspec import BARCODE_AREA_IN, cover_geometry
from bindery.templating import Kind
from bindery.xref import CrossReferences

POINTS_PER_INCH = 72


class CoverBuilder(Builder):
    name: ClassVar[str] = "cover"
    format: ClassVar[str] = "print cover"
    template_kind: ClassVar[Kind] = "print"

    def __init__(self, book: Book, xrefs: CrossReferences, output_dir: Path, *, interior_pages: int) -> None:
        super().__init__(book, xrefs, output_dir)
        self.interior_pages = interior_pages

    def output_path(self) -> Path:
        return self.output_dir / output_names(self.book.slug).cover

    def build(self) -> BuildOutput:
        pdf = self.book.pdf
        cover = cover_geometry(pdf.width_in, pdf.height_in, self.interior_pages, pdf.paper)
        context = {"meta": self.book.metadata, "book": self.book, "cover": cover, "barcode": BARCODE_AREA_IN, "art": cover_art(self.book)}
        # Spine type: at most 45 % of the spine's width, and never above 14 pt.
        spine_font_pt = round(min(14.0, cover.spine * POINTS_PER_INCH * 0.45), 2)
        html = self.templates.render("cover.html.j2", **context)
        css = self.templates.render(
            "cover.css.j2", asset=lambda name: self.templates.find(name).resolve().as_uri(), spine_font_pt=spine_font_pt, **context
        )
        fetcher = book_fetcher(self.book, self.templates.dirs)
        base_url = self.book.root.resolve().as_uri() + "/"
        fonts = FontConfiguration()
        stylesheet = weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(stylesheets=[stylesheet], font_config=fonts)
        strip_interactive(document)  # a print file: no bookmarks, links or anchors
        buffer = io.BytesIO()
        document.write_pdf(buffer)  # font subsets: ToUnicode covers every glyph drawn
        return BuildOutput((Artifact(self.output_path(), buffer.getvalue(), pages=len(document.pages)),))
