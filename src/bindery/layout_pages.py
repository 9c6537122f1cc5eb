"""Reading where each printed page begins from WeasyPrint's own layout (a `PageMap`).

`read_page_map` walks the laid-out pages once (no second layout). For every
page it records the printed folio (roman in the front matter, arabic in the
body, also for pages that show none) and where its first text lies: the
nearest element with an id that began before it, plus the number of letters
and digits between that element's start and the page's first word. Counting
letters and digits only makes the position survive what print styling adds
or changes (upper-casing, hyphens at line ends, generated content).

This is the print side of the page map (it reads WeasyPrint's private
`page._page_box`); placing the markers in the EPUB is `pagemap`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from weasyprint import Document as LaidOutDocument
from weasyprint.formatting_structure import boxes

from bindery.numerals import from_roman, to_roman
from bindery.pagemap import PageMap, PageStart

FOLIO = re.compile(r"\d+|[ivxlcdm]+")
ANCHORS_KEPT = 8  # ids remembered per page, nearest first, in case the ebook lacks one


@dataclass(frozen=True)
class PageText:
    """What the page map needs from one laid-out page, readable apart from the others.

    Letter positions count from the start of the document the page was laid
    out in (a chunk of the book: `page_map_of` shifts them). `folio`: the
    folio printed in a margin box ("" for none); `first`: the position of the
    page's first word (-1: no text); `starts`: the ids whose boxes begin on
    this page, in order, with their position, the first `lead` of them before
    the page's first word; `letters`: the letters and digits laid out on it."""

    folio: str
    first: int
    starts: tuple[tuple[str, int], ...]
    lead: int
    letters: int


def read_page_map(document: LaidOutDocument) -> PageMap:
    """Every page of a laid-out WeasyPrint document, with its folio and first words."""
    return page_map_of([read_pages(document)])


def read_pages(document: LaidOutDocument) -> tuple[PageText, ...]:
    """Each page's folio, first word and ids (positions from the document's start)."""
    seen: set[str] = set()
    count = 0  # letters and digits of text laid out so far
    out: list[PageText] = []
    for page in document.pages:
        first: int | None = None
        starts: list[tuple[str, int]] = []
        lead = 0
        at_start = count
        for box in _content_boxes(page._page_box):  # WeasyPrint keeps the laid-out boxes here
            ident = box.element.get("id") if box.element is not None else None
            if ident and ident not in seen and not _generated(box):
                seen.add(ident)
                starts.append((ident, count))
                lead += first is None
            if isinstance(box, boxes.TextBox) and not _generated(box):
                letters = _letters(box.text)
                if letters and first is None:
                    first = count
                count += letters
        out.append(PageText(_shown_folio(page._page_box) or "", -1 if first is None else first, tuple(starts), lead, count - at_start))
    return tuple(out)


def page_map_of(chunks: Sequence[Sequence[PageText]]) -> PageMap:
    """The page map of documents laid out one after the other (the chunks of a book)."""
    starts: list[tuple[str, int]] = []  # ids in the order their boxes begin, with the position
    locations: dict[str, int] = {}
    shown: list[str | None] = []
    blanks: list[bool] = []
    anchors_per_page: list[tuple[tuple[str, int], ...]] = []
    shift = 0  # letters of the chunks before this one
    for pages in chunks:
        for page in pages:
            number = len(shown) + 1
            moved = [(ident, at + shift) for ident, at in page.starts]
            starts.extend(moved[: page.lead])
            anchors: tuple[tuple[str, int], ...] = ()
            if page.first >= 0:
                first = page.first + shift
                anchors = tuple((i, first - at) for i, at in reversed(starts[-ANCHORS_KEPT:]))
            starts.extend(moved[page.lead :])
            locations.update((ident, number) for ident, _ in page.starts)
            shown.append(page.folio or None)
            blanks.append(page.first < 0 or not anchors)
            anchors_per_page.append(anchors)
        shift += sum(page.letters for page in pages)
    labels = _infer_labels(shown)
    pages_out = tuple(
        PageStart(n, labels[n - 1], blank, anchors)
        for n, (blank, anchors) in enumerate(zip(blanks, anchors_per_page, strict=True), start=1)
    )
    return PageMap(pages_out, locations)


def _content_boxes(page_box: boxes.PageBox) -> Iterator[boxes.Box]:
    for child in page_box.children:  # not the folio and heads, nor the page's footnotes (the EPUB has them at the end)
        if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            yield from child.descendants()


def _generated(box: boxes.Box) -> bool:
    return "::" in (box.element_tag or "")


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _shown_folio(page_box: boxes.PageBox) -> str | None:
    for child in page_box.children:
        if isinstance(child, boxes.MarginBox):
            text = "".join(b.text for b in child.descendants() if isinstance(b, boxes.TextBox)).strip()
            if FOLIO.fullmatch(text):
                return text
    return None


def _infer_labels(shown: list[str | None]) -> list[str]:
    """Fill in the folios of pages that print none (openers, blanks, title pages).

    A page takes the number counted back from the next page that shows one, as
    long as that stays at 1 or above (nothing reset the counter in between);
    otherwise it continues from the previous page.
    """
    values: list[tuple[int, bool] | None] = [_parse_folio(s) for s in shown]
    out: list[tuple[int, bool] | None] = list(values)
    for i in range(len(out) - 1, -1, -1):
        if out[i] is None and i + 1 < len(out) and out[i + 1] is not None:
            number, roman = out[i + 1]  # type: ignore[misc]
            if number > 1:
                out[i] = (number - 1, roman)
    for i in range(len(out)):
        if out[i] is None:
            if i > 0 and out[i - 1] is not None:
                number, roman = out[i - 1]  # type: ignore[misc]
                out[i] = (number + 1, roman)
            else:
                out[i] = (i + 1, True)
    return [_format_folio(n, roman) for n, roman in out]  # type: ignore[misc]


def _parse_folio(text: str | None) -> tuple[int, bool] | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text), False
    return from_roman(text), True


def _format_folio(number: int, roman: bool) -> str:
    return to_roman(number) if roman else str(number)
