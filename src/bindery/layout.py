"""The print layout stage: the book laid out by WeasyPrint once, handed on as a `PrintLayout`.

Everything downstream reads this one value: the PDF writer writes its
document, the cover takes its page count (the spine), the EPUB takes its page
map (where each printed page begins, for the page-list). Nothing here writes
a file; an EPUB built without the PDF uses the same layout, unwritten.

Two profiles (the manifest's `pdf.profile`): `digital` keeps bookmarks and
links; `print` strips them, chooses the gutter from the page count
(`printspec.gutter_for`; the book is laid out again when the final count
falls in another band) and pads the page count to even with a blank verso.
A book with an index is laid out twice per pass: the second layout prints
the index's page ranges read from the first.

Given a `ChunkRunner`, the book is laid out chunk by chunk instead
(`chunked_layout`: front matter, part openers, chapters, back matter, each
its own WeasyPrint document; the `PrintLayout` then holds their results and
the PDF writer joins their PDFs).

WeasyPrint may only read what `print_fetcher.BookURLFetcher` serves (the
book's checked images, the template folders' fonts and styles); every other
URL is refused with a warning, never fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

import weasyprint

from bindery.builders.page_turns import Turn, hyphenated_at_page_turns, kept_whole
from bindery.builders.print_html import prepare_for_print, with_page_numbers
from bindery.diagnostics import Diagnostic
from bindery.font_configs import font_configuration
from bindery.frozen_heap import frozen_heap
from bindery.indexing.pages import pages_of
from bindery.layout_notes import counting_target_lookups, notes_fixable, with_target_lookups
from bindery.layout_pages import read_page_map
from bindery.model import Book
from bindery.page_end_lines import lines_never_hyphenated_at_page_end
from bindery.pagemap import PageMap
from bindery.parsed_stylesheets import stylesheets
from bindery.print_fetcher import BookURLFetcher, book_fetcher
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
from bindery.templating import Templates
from bindery.weasyprint_log import weasyprint_messages
from bindery.xref import CrossReferences

if TYPE_CHECKING:
    from bindery.layout_chunks import ChunkResult, ChunkRunner

MAX_PAGE_TURN_PASSES = 4  # layouts that keep whole the words the last one hyphenated across a page turn
MAX_NUMBERING_PASSES = 3  # when a footnote went astray: layouts with literal page numbers until they settle


@dataclass(frozen=True)
class PrintLayout:
    """The print edition as laid out, not yet written.

    `document` is WeasyPrint's laid-out document (a mutable object: only the
    PDF writer uses it, once); `page_map` is read from it; `page_count` is
    the final count (even in the print profile); `rendering` is the HTML and
    CSS of the last layout; `warnings` are the layout's warnings
    (WeasyPrint's messages, refused URLs, page count, low-resolution images),
    reported only when the PDF is built."""

    document: weasyprint.Document | None
    page_map: PageMap
    page_count: int
    rendering: PrintRendering
    warnings: tuple[Diagnostic, ...]
    chunks: tuple[ChunkResult, ...] = ()  # laid out chunk by chunk: their PDFs, joined by the writer (no `document`)
    write_messages: tuple[str, ...] = ()  # and WeasyPrint's messages while it wrote them, for the writer to report


def lay_out_print(book: Book, xrefs: CrossReferences, templates: Templates, runner: ChunkRunner | None = None) -> PrintLayout:
    """Lay the print edition out as the book's profile prints it (`templates`: the print set);
    with a `runner`, chunk by chunk (`chunked_layout`), else as one document."""
    if runner is not None:
        from bindery.chunked_layout import chunked_print_layout  # it imports this module

        return chunked_print_layout(book, xrefs, templates, runner)
    fetcher = book_fetcher(book, templates.dirs)
    with weasyprint_messages() as said:
        document, rendering = _final_document(book, xrefs, templates, Run(fetcher))
    diagnostics = weasyprint_warnings(said, fetcher.refused)
    if book.pdf.profile == "print":
        diagnostics += page_count_warnings(len(document.pages))
    diagnostics += _low_resolution_images(document)
    diagnostics += [
        Diagnostic(
            f"refused to fetch {url}", severity="warning", hint="keep images and styles inside the book folder", code="pdf-url-refused"
        )
        for url in sorted(set(fetcher.refused))
    ]
    return PrintLayout(document, read_page_map(document), len(document.pages), rendering, tuple(diagnostics))


# --- Laying out ----------------------------------------------------------------


@dataclass
class Run:
    """What the layouts of one book share: the fetcher, and the words a layout hyphenated
    across a page turn, kept whole in their top-level section in every later layout of the book
    (section -> words, `builders/page_turns.py`)."""

    fetcher: BookURLFetcher
    kept_whole: dict[int, list[str]] = field(default_factory=dict)

    def keep(self, turns: Iterable[Turn]) -> bool:
        """Keep these words whole from now on; False when every one already was."""
        added = False
        for section, word in turns:
            kept = self.kept_whole.setdefault(section, [])
            if word not in kept:
                kept.append(word)
                added = True
        return added

    def kept(self) -> tuple[Turn, ...]:
        """Every (section, word) kept whole, in section order."""
        return tuple((section, word) for section, words in sorted(self.kept_whole.items()) for word in words)


def _final_document(book: Book, xrefs: CrossReferences, templates: Templates, run: Run) -> tuple[weasyprint.Document, PrintRendering]:
    """The laid-out book as the profile prints it (gutter band, even page count, links)."""
    settings = book.pdf
    if settings.profile == "print":
        document, rendering = _layout_in_band(book, xrefs, templates, run)
        if len(document.pages) % 2:
            document = document.copy([*document.pages, blank_verso(rendering, run)])
        strip_interactive(document)
        return document, rendering
    return _render_and_layout(book, xrefs, templates, screen_margins(settings), run)


def _render_and_layout(
    book: Book, xrefs: CrossReferences, templates: Templates, margins: PageMargins, run: Run
) -> tuple[weasyprint.Document, PrintRendering]:
    """The book laid out in passes (`_layout`); a book with an index is rendered again with the
    index's page ranges read from a layout, in the same passes, until the ranges it prints are the
    ones it has (the index comes last, so no page before it moves)."""
    rendering = render_print(book, xrefs, templates, page=margins)
    if book.index is None:
        return _layout(rendering, run)
    ids = book.index.locator_ids()
    printed: dict[str, tuple[int, str]] | None = None

    def with_index(document: weasyprint.Document) -> PrintRendering | None:
        nonlocal printed
        pages = pages_of(ids, read_page_map(document))
        if pages == printed:
            return None
        printed = pages
        return render_print(book, xrefs, templates, page=margins, index_pages=pages)

    return _layout(rendering, run, with_index)


def _layout(
    rendering: PrintRendering, run: Run, reread: Callable[[weasyprint.Document], PrintRendering | None] | None = None
) -> tuple[weasyprint.Document, PrintRendering]:
    """Lay the book out, again with the words hyphenated at a page turn kept whole, until no
    new word is; a layout after the first has the page numbers of the one before written in
    (`data-page`), and is done again until they are the numbers it printed. `reread` gives the
    book rendered again from a layout (the index's page ranges), None when it needs nothing new:
    the next layout is of that rendering.

    Written-in numbers spare WeasyPrint the pages it lays out twice to resolve `target-counter()`
    (about 40 % of a layout on a generated book, benchmarks/feature_costs.py) and the footnotes
    such a second pass loses; once they are right the pages are the ones `target-counter()`
    gives (the same PDF bytes on the sample book and generated books, benchmarks/README.md).
    Only the first layout, whose numbers nothing gives yet, uses `target-counter()`: it is
    final when no word needs keeping whole, its footnotes are all in place and `reread` has
    nothing new."""
    base = prepare_for_print(rendering.html)
    text = kept_whole(base, run.kept_whole)
    document = render_text(text, rendering, run)
    numbers: dict[str, str] | None = None  # the page numbers written into the last layout
    for _ in range(MAX_PAGE_TURN_PASSES + MAX_NUMBERING_PASSES):
        new_words = run.keep(hyphenated_at_page_turns(document))  # and in every later layout of this book
        pages = _target_pages(document)
        newer = reread(document) if reread is not None else None
        if newer is not None:
            rendering, base = newer, prepare_for_print(newer.html)
        elif not new_words:
            if numbers is None and not notes_fixable(document, text):
                break
            if numbers == pages:
                break
        text = kept_whole(base, run.kept_whole)
        numbers = pages
        document = render_text(with_page_numbers(text, pages), rendering, run)
    return document, rendering


def settle_notes(document: weasyprint.Document, text: str, rendering: PrintRendering, run: Run) -> weasyprint.Document:
    """`document` (laid out from `text`), or, when a footnote went astray, laid out again with the
    page numbers written in until they settle."""
    if not notes_fixable(document, text):
        return document
    for _ in range(MAX_NUMBERING_PASSES):
        pages = _target_pages(document)
        document = render_text(with_page_numbers(text, pages), rendering, run)
        if _target_pages(document) == pages:
            break
    return document


def lay_out_keeping_turns_whole(base: str, rendering: PrintRendering, run: Run) -> tuple[weasyprint.Document, str]:
    """`base` laid out with `run`'s words kept whole, and again while a layout hyphenates a new word
    across a page turn, with that word kept whole too (MAX_PAGE_TURN_PASSES more at most); with the
    text of the last layout. A chunk's passes (`layout_chunks`); `_layout` interleaves the same
    passes with the written-in page numbers."""
    text = kept_whole(base, run.kept_whole)
    document = render_text(text, rendering, run)
    for _ in range(MAX_PAGE_TURN_PASSES):
        if not run.keep(hyphenated_at_page_turns(document)):
            break
        text = kept_whole(base, run.kept_whole)
        document = render_text(text, rendering, run)
    return document, text


def render_text(text: str, rendering: PrintRendering, run: Run) -> weasyprint.Document:
    base_url = rendering.base_dir.resolve().as_uri() + "/"
    html = weasyprint.HTML(string=text, base_url=base_url, url_fetcher=run.fetcher)
    fonts = font_configuration(rendering.css, base_url)  # shared by the book's layouts in this process
    sheets = stylesheets(rendering.css, base_url, run.fetcher, fonts)  # the book's rules parsed once per process
    # frozen_heap: the collector skips what was alive before (the previous layout's document): same
    # result, less CPU. A page's last line is never hyphenated (page_end_lines).
    with frozen_heap(), lines_never_hyphenated_at_page_end(), counting_target_lookups() as lookups:
        document = html.render(stylesheets=sheets, font_config=fonts)
    return with_target_lookups(document, lookups[0])


def _target_pages(document: weasyprint.Document) -> dict[str, str]:
    """The printed folio of the page where each id is, for links that print page numbers."""
    labels = [page.label for page in read_page_map(document).pages]
    found: dict[str, str] = {}
    for page, label in zip(document.pages, labels, strict=True):
        for ident in page.anchors:
            found.setdefault(ident, label)
    return found


def _layout_in_band(book: Book, xrefs: CrossReferences, templates: Templates, run: Run) -> tuple[weasyprint.Document, PrintRendering]:
    """Lay out with the gutter of the page-count band the result falls in.

    A wider gutter only adds pages, so the band can only move up; a few
    passes settle it (most books need one, a book near a band edge two).
    """
    settings = book.pdf
    margins = print_margins(settings, MIN_PAGES)
    for _ in GUTTER_BANDS:  # the band only moves up: one pass per band at most
        document, rendering = _render_and_layout(book, xrefs, templates, margins, run)
        wanted = print_margins(settings, padded_to_even(len(document.pages)))
        if wanted == margins:
            break
        margins = wanted
    return document, rendering


def blank_verso(rendering: PrintRendering, run: Run) -> weasyprint.Page:
    """One blank left-hand page with the book's page size and bleed, to make the count even."""
    html = '<html><body><div></div><div style="break-before: left; page: plain"></div></body></html>'
    blank = PrintRendering(html, rendering.css, rendering.base_dir)
    return _layout(blank, run)[0].pages[-1]


def strip_interactive(document: weasyprint.Document) -> None:
    """The print profile: no bookmarks, links, anchors or form fields in the file."""
    for page in document.pages:
        page.links = []
        page.bookmarks = []
        page.anchors = {}
        page.forms = []


# --- The layout's warnings -----------------------------------------------------


def weasyprint_warnings(said: list[str], refused: Iterable[str] = ()) -> list[Diagnostic]:
    """WeasyPrint's messages as warnings; a refused fetch is reported once, as a refusal, not twice."""
    refused = list(refused)
    out = []
    for message in dict.fromkeys(said):
        if any(url in message for url in refused):
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


def page_count_warnings(pages: int) -> list[Diagnostic]:
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
    return low_resolution_warnings(image_resolutions(document))


def image_resolutions(document: weasyprint.Document) -> dict[str, float]:
    """The lowest DPI each image prints at in the document, by its `src`."""
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
    return worst


def low_resolution_warnings(worst: dict[str, float]) -> list[Diagnostic]:
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
