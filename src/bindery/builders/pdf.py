"""The PDF builder: lays the print HTML out with WeasyPrint.

Two profiles (the manifest's `pdf.profile`): `digital` keeps bookmarks and
links and tags the file as PDF/UA-1; `print` is for a print-on-demand upload:
no bookmarks, links or annotations, the gutter chosen from the design and the
page count (`printspec.print_margins`; the book is laid out again when the
final count falls in another band) and the page count padded to even. Both
embed font subsets whose ToUnicode maps every glyph, ligatures included, so
the text layer reads back as written; the digital profile also writes
/PageLabels, so a viewer shows the printed folios (roman, then arabic).

WeasyPrint may only read files inside the book folder and the template
folders; every other URL (other files, http, attachments) is refused with a
warning, never fetched.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote
from urllib.request import url2pathname

import pydyf
import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from bindery.builders.base import Artifact, Builder, BuildOutput
from bindery.builders.page_turns import hyphenated_at_page_turns, kept_whole
from bindery.builders.print_html import has_notes, prepare_for_print, with_page_numbers
from bindery.diagnostics import Diagnostic
from bindery.indexing.pages import pages_of
from bindery.model import Book
from bindery.pagemap import PageMap, read_page_map
from bindery.pdf_write_speedup import linear_page_references
from bindery.printspec import (
    GUTTER_BANDS,
    MAX_PAGES,
    MIN_IMAGE_DPI,
    MIN_PAGES,
    PageMargins,
    padded_to_even,
    print_margins,
    screen_margins,
)
from bindery.render import PrintRendering, render_print
from bindery.templating import Kind

# Files a template folder may give WeasyPrint: fonts, stylesheets and pictures, never anything else.
TEMPLATE_FILE_TYPES = frozenset({".ttf", ".otf", ".woff", ".woff2", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
MAX_NUMBERING_PASSES = 3  # when a footnote went astray: layouts with literal page numbers until they settle
MAX_PAGE_TURN_PASSES = 4  # layouts that keep whole the words the last one hyphenated across a page turn


class BookURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves WeasyPrint exactly the files the book model lists, and nothing else.

    `assets`: the images the model checked (`Book.assets`), by absolute path in
    the book folder; their checked bytes are served, never the file read again.
    `template_dirs`: fonts, styles and pictures of the template folders. Every
    other URL (dotfiles, `.git`, any unlisted file, http, attachments) is refused."""

    def __init__(self, assets: dict[Path, tuple[str, bytes]], template_dirs: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.assets = {path.resolve(): served for path, served in assets.items()}
        self.template_dirs = [p.resolve() for p in template_dirs]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            path = Path(url2pathname(unquote(url.split("?")[0].split("#")[0].removeprefix("file:")))).resolve()
            if path in self.assets:
                media_type, data = self.assets[path]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            if self._template_file(path):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise URLFetchingError(f"refused to fetch {url}: only the book's checked images, fonts and styles are used")

    def _template_file(self, path: Path) -> bool:
        for root in self.template_dirs:
            if root in path.parents:
                inside = path.relative_to(root).parts
                return path.suffix.lower() in TEMPLATE_FILE_TYPES and not any(p.startswith(".") for p in inside) and path.is_file()
        return False


def book_fetcher(book: Book, template_dirs: list[Path]) -> BookURLFetcher:
    root = Path(book.root)
    listed = [*book.assets, *([book.cover] if book.cover else [])]
    return BookURLFetcher({root / a.source: (a.media_type, a.data) for a in listed}, template_dirs)


class PdfBuilder(Builder):
    name: ClassVar[str] = "pdf"
    format: ClassVar[str] = "PDF"
    template_kind: ClassVar[Kind] = "print"
    page_map: PageMap | None = None  # after build(): where each page of the PDF begins, for the EPUB's page-list
    kept_whole: tuple[str, ...] = ()  # words a layout hyphenated across a page turn, kept whole from then on

    def output_path(self) -> Path:
        return self.output_dir / f"{self.book.slug}.pdf"

    def build(self) -> BuildOutput:
        fetcher = book_fetcher(self.book, self.templates.dirs)
        with weasyprint_messages() as said:
            document = self._final_document(fetcher)
            buffer = io.BytesIO()
            page_map = read_page_map(document)
            if self.book.pdf.profile == "print":
                # Fonts are embedded as subsets, the way WeasyPrint maps every glyph it
                # drew (ligatures included) to its text in ToUnicode; whole fonts get a
                # map from the font's cmap only, which has no entry for fi, fl or ffi.
                with linear_page_references():
                    document.write_pdf(buffer)
            else:
                labels = page_label_ranges([page.label for page in page_map.pages])
                with linear_page_references():
                    document.write_pdf(buffer, pdf_variant="pdf/ua-1", finisher=lambda _doc, pdf: _add_page_labels(pdf, labels))
        self.page_map = page_map
        diagnostics: list[Diagnostic] = _weasyprint_warnings(said, fetcher)
        if self.book.pdf.profile == "print":
            diagnostics += _page_count_warnings(len(document.pages))
        diagnostics += _low_resolution_images(document)
        diagnostics += [
            Diagnostic(
                f"refused to fetch {url}", severity="warning", hint="keep images and styles inside the book folder", code="pdf-url-refused"
            )
            for url in sorted(set(fetcher.refused))
        ]
        return BuildOutput([Artifact(self.output_path(), buffer.getvalue(), pages=len(document.pages))], diagnostics)

    def lay_out_page_map(self) -> PageMap:
        """Where each printed page begins, from a layout that is never written as a PDF.

        For an EPUB built without the PDF: the same pages as `build()` gives,
        without the cost of writing the file (about a third of a PDF build).
        """
        fetcher = book_fetcher(self.book, self.templates.dirs)
        self.page_map = read_page_map(self._final_document(fetcher))
        return self.page_map

    def _final_document(self, fetcher: BookURLFetcher) -> weasyprint.Document:
        """The laid-out book as the profile prints it (gutter band, even page count, links)."""
        settings = self.book.pdf
        if settings.profile == "print":
            document, rendering = self._layout_in_band(fetcher)
            if len(document.pages) % 2:
                document = document.copy([*document.pages, self._blank_verso(rendering, fetcher)])
            strip_interactive(document)
            return document
        return self._render_and_layout(screen_margins(settings), fetcher)[0]

    def _render_and_layout(self, margins: PageMargins, fetcher: BookURLFetcher) -> tuple[weasyprint.Document, PrintRendering]:
        """One layout; a book with an index is laid out again with the index's page ranges
        from the first (the index comes last, so no page before it moves)."""
        rendering = render_print(self.book, self.xrefs, self.templates, page=margins)
        document = self._layout(rendering, fetcher)
        if self.book.index is not None:
            pages = pages_of(self.book.index.locator_ids(), read_page_map(document))
            rendering = render_print(self.book, self.xrefs, self.templates, page=margins, index_pages=pages)
            document = self._layout(rendering, fetcher)
        return document, rendering

    def _layout(self, rendering: PrintRendering, fetcher: BookURLFetcher) -> weasyprint.Document:
        """Lay the book out, again with the words hyphenated at a page turn kept whole; when a
        footnote went astray, again with the page numbers written in until they settle."""
        text = kept_whole(prepare_for_print(rendering.html), list(self.kept_whole))
        document = self._render(text, rendering, fetcher)
        for _ in range(MAX_PAGE_TURN_PASSES):  # no word hyphenated across a page turn (builders/page_turns.py)
            words = [word for word in hyphenated_at_page_turns(document) if word not in self.kept_whole]
            if not words:
                break
            self.kept_whole += tuple(words)  # and in every later layout of this book
            text = kept_whole(prepare_for_print(rendering.html), list(self.kept_whole))
            document = self._render(text, rendering, fetcher)
        if not has_notes(text) or _notes_in_place(document, text.count('class="print-note"')):
            return document
        for _ in range(MAX_NUMBERING_PASSES):
            pages = _target_pages(document)
            document = self._render(with_page_numbers(text, pages), rendering, fetcher)
            if _target_pages(document) == pages:
                break
        return document

    def _render(self, text: str, rendering: PrintRendering, fetcher: BookURLFetcher) -> weasyprint.Document:
        base_url = rendering.base_dir.resolve().as_uri() + "/"
        html = weasyprint.HTML(string=text, base_url=base_url, url_fetcher=fetcher)
        fonts = FontConfiguration()
        css = weasyprint.CSS(string=rendering.css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
        return html.render(stylesheets=[css], font_config=fonts)

    def _layout_in_band(self, fetcher: BookURLFetcher) -> tuple[weasyprint.Document, PrintRendering]:
        """Lay out with the gutter of the page-count band the result falls in.

        A wider gutter only adds pages, so the band can only move up; a few
        passes settle it (most books need one, a book near a band edge two).
        """
        settings = self.book.pdf
        margins = print_margins(settings, MIN_PAGES)
        for _ in GUTTER_BANDS:  # the band only moves up: one pass per band at most
            document, rendering = self._render_and_layout(margins, fetcher)
            wanted = print_margins(settings, padded_to_even(len(document.pages)))
            if wanted == margins:
                break
            margins = wanted
        return document, rendering

    def _blank_verso(self, rendering: PrintRendering, fetcher: BookURLFetcher) -> weasyprint.Page:
        """One blank left-hand page with the book's page size and bleed, to make the count even."""
        html = '<html><body><div></div><div style="break-before: left; page: plain"></div></body></html>'
        blank = PrintRendering(html, rendering.css, rendering.base_dir)
        return self._layout(blank, fetcher).pages[-1]


@contextmanager
def weasyprint_messages() -> Iterator[list[str]]:
    """WeasyPrint's own warnings and errors during a layout (its logger), collected for the build report."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)


def _weasyprint_warnings(said: list[str], fetcher: BookURLFetcher) -> list[Diagnostic]:
    """WeasyPrint's messages as warnings; a refused fetch is reported once, by `build`, not twice."""
    out = []
    for message in dict.fromkeys(said):
        if any(url in message for url in fetcher.refused):
            continue
        text = message if len(message) <= 300 else message[:299] + "\u2026"
        out.append(
            Diagnostic(
                f"WeasyPrint: {text}",
                severity="warning",
                hint="the print layout may miss something; check the PDF",
                code="pdf-weasyprint",
            )
        )
    return out


def _notes_in_place(document: weasyprint.Document, notes: int) -> bool:
    """Every footnote laid out once, at the foot of the page that holds its marker."""
    placed = 0
    for page in document.pages:
        for area in page._page_box.children:  # WeasyPrint keeps the laid-out boxes here
            if not isinstance(area, boxes.FootnoteAreaBox):
                continue
            for note in area.children:
                call = note.element.get("data-call") if note.element is not None else None
                if call not in page.anchors:
                    return False
                placed += 1
    return placed == notes


def _target_pages(document: weasyprint.Document) -> dict[str, str]:
    """The printed folio of the page where each id is, for links that print page numbers."""
    labels = [page.label for page in read_page_map(document).pages]
    found: dict[str, str] = {}
    for page, label in zip(document.pages, labels, strict=True):
        for ident in page.anchors:
            found.setdefault(ident, label)
    return found


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
        style, number = ("D", int(label)) if label.isdigit() else ("r", _roman(label))
        if previous is None or previous != (style, number - 1):
            ranges.append((index, style, number))
        previous = (style, number)
    return ranges


def _roman(label: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    digits = [values.get(ch, 0) for ch in label.lower()]
    return sum(-d if d < following else d for d, following in zip(digits, [*digits[1:], 0], strict=True)) or 1


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


def strip_interactive(document: weasyprint.Document) -> None:
    """The print profile: no bookmarks, links, anchors or form fields in the file."""
    for page in document.pages:
        page.links = []
        page.bookmarks = []
        page.anchors = {}
        page.forms = []


def _page_count_warnings(pages: int) -> list[Diagnostic]:
    if MIN_PAGES <= pages <= MAX_PAGES:
        return []
    return [
        Diagnostic(
            f"the print PDF has {pages} pages; print-on-demand printers take {MIN_PAGES} to {MAX_PAGES}",
            severity="warning",
            hint="add or split content, or use the digital profile (pdf: {profile: digital})",
            code="pdf-page-count",
        )
    ]


def _low_resolution_images(document: weasyprint.Document) -> list[Diagnostic]:
    """Images printed below 300 DPI, from their laid-out size (CSS px are 1/96 in)."""
    worst: dict[str, float] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            image = getattr(box, "replacement", None)  # a replaced box (an <img>) holds its image here
            width = getattr(image, "width", None)
            if not width or not box.width:
                continue
            dpi = width / (box.width / 96)
            src = unquote((box.element.get("src") if box.element is not None else None) or "an image")
            worst[src] = min(dpi, worst.get(src, dpi))
    return [
        Diagnostic(
            f"image '{src}' prints at {dpi:.0f} DPI",
            severity="warning",
            hint=f"use an image with at least {MIN_IMAGE_DPI} DPI at its printed size, or print it smaller",
            code="pdf-image-resolution",
        )
        for src, dpi in sorted(worst.items())
        if dpi < MIN_IMAGE_DPI - 0.5
    ]
