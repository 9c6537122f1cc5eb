"""A chunk's cross-chunk page numbers rewritten in its kept layout, instead of a new layout.

The chunked layout (`chunked_layout`) lays a chunk out before it knows every
page number it prints for a link into a later chunk (the contents,
"see chapter N, page P", further-reading backlinks): those are guesses of the
final width, and the chunk's job is laid out again once they are known. When
only those numbers changed and the new ones take exactly the width of the old
ones (the same digits count in a font with tabular figures, as the book's
fonts have), the new layout would be the old one with other digits: same line
breaks, same pages. So a process that lays chunks out one after another
(`--jobs 1`) keeps each chunk's laid-out document for the rest of the layout
stage (`Kept`, at most `PAGES_KEPT` pages) and, for a job whose HTML differs
from a kept one only in the written-in numbers (`data-page` of the links into
other chunks), writes the new numbers into the laid-out text boxes and
writes the PDF from that, without laying out. Any number whose text would be
wider or narrower, or that cannot be found in the boxes, gives up: the job is
laid out afresh. tests/test_chunk_numbers.py checks the PDFs against fresh
layouts, tests/test_layout_chunks.py the pages against the one-document layout.

WeasyPrint keeps a laid-out text box's text in `TextBox.text` and its
`pango_layout.text`, and shapes it again from that text when it draws
(`weasyprint/draw/text.py`, `Layout.reactivate`); both are set here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.text.line_break import Layout, line_size

from bindery.frozen_heap import dropped
from bindery.pdf_join.navigation import CROSS_CHUNK_PREFIX

PAGES_KEPT = 1000  # pages of laid-out chunks kept per layout stage (about 0.6 MB a page)

_LINK = re.compile(r"<a\b[^>]*>")
_ATTRIBUTE = re.compile(r"""\s(href|data-page)="([^"]*)\"""")


def cross_chunk_numbers(html: str) -> dict[str, str]:
    """href -> the page number written into the links to other chunks (`data-page`)."""
    found: dict[str, str] = {}
    for tag in _LINK.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        href, page = attributes.get("href", ""), attributes.get("data-page")
        if page is not None and href.startswith(CROSS_CHUNK_PREFIX):
            found[href] = page
    return found


def shape_key(digest_of_rest: str, html: str) -> str:
    """What a chunk's layout depends on when its cross-chunk numbers are left out: the job's
    other fields (`digest_of_rest`) and its HTML with each such number reduced to its length."""

    def masked(tag: re.Match[str]) -> str:
        text = tag.group(0)
        if CROSS_CHUNK_PREFIX not in text:
            return text
        return re.sub(r'data-page="([^"]*)"', lambda m: f'data-page="{len(m.group(1))}"', text)

    return hashlib.sha256((digest_of_rest + "\0" + _LINK.sub(masked, html)).encode("utf-8")).hexdigest()


@dataclass
class KeptLayout:
    """A laid-out chunk and what its layout reported, for a later job of the same shape."""

    document: weasyprint.Document
    numbers: dict[str, str]  # href -> the number its boxes show now
    said: tuple[str, ...]
    refused: tuple[str, ...]
    resolutions: dict[str, float]
    anchors: tuple[tuple[str, int], ...]
    bookmarks: tuple[tuple[int, str, int, float, float], ...]
    kept_whole: tuple[tuple[int, str], ...]


class Kept:
    """The laid-out chunks of this process's current layout stage, by shape (`shape_key`)."""

    def __init__(self) -> None:
        self._layouts: dict[str, KeptLayout] = {}
        self._shapes: dict[int, str] = {}  # chunk -> the shape of its kept layout
        self._pages = 0
        self.share = 1  # how many processes keep layouts for one stage (`layout_lanes`): each keeps its share of PAGES_KEPT

    def keep(self, key: str, layout: KeptLayout, chunk: int) -> bool:
        """Keep `layout` (of `chunk`) while the stage has room for it (the first chunks, not the
        latest: a round lays the chunks out in the same order as the one before); whether it was
        kept. The chunk's earlier layout goes: its result is no longer the chunk's (a new first
        folio, say, made a new shape), and it would hold room a later chunk could use."""
        for old_key in (key, self._shapes.pop(chunk, key)):
            old = self._layouts.pop(old_key, None)
            if old is not None:
                pages = len(old.document.pages)
                self._pages -= pages
                del old
                dropped(pages, self._pages)
        if self._pages + len(layout.document.pages) > PAGES_KEPT // self.share:
            return False
        self._layouts[key] = layout
        self._shapes[chunk] = key
        self._pages += len(layout.document.pages)
        return True

    def renumbered(self, key: str, numbers: dict[str, str]) -> KeptLayout | None:
        """The kept layout of this shape with `numbers` written in, or None (none kept, or a
        number that would not take the old one's width: the caller lays the chunk out)."""
        kept = self._layouts.get(key)
        if kept is None or set(numbers) != set(kept.numbers):
            return None
        changes = {href: (kept.numbers[href], new) for href, new in numbers.items() if new != kept.numbers[href]}
        edits = _edits(kept.document, changes)
        if edits is None or not all(_same_width(box, box.text, text) for box, text in edits):
            return None
        found = {href for href, _ in changes.items() if any(_href_of(box) == href for box, _ in edits)}
        if found != set(changes):
            return None
        for box, text in edits:
            box.text = text
            box.pango_layout.text = text
        kept.numbers = dict(numbers)
        return kept

    def held(self, key: str, numbers: dict[str, str]) -> KeptLayout | None:
        """The kept layout of this shape if it shows exactly `numbers` now, else None."""
        kept = self._layouts.get(key)
        return kept if kept is not None and kept.numbers == numbers else None

    @property
    def pages(self) -> int:
        """The pages of the layouts kept now."""
        return self._pages

    def clear(self) -> None:
        """Forget every kept layout (the end of a layout stage), and free them now."""
        self._shapes.clear()
        if self._layouts:
            self._layouts.clear()
            dropped(self._pages)
            self._pages = 0


def _edits(document: weasyprint.Document, changes: dict[str, tuple[str, str]]) -> list[tuple[boxes.TextBox, str]] | None:
    """(text box, its new text) for the box that shows each changed link's number, or None when
    a link's generated text holds its old number other than once, or split across lines."""
    shown: dict[int, list[boxes.TextBox]] = {}  # each link's `::after` text boxes, in reading order
    for page in document.pages:
        for box in _descendants(page._page_box):  # WeasyPrint keeps the laid-out boxes here
            if isinstance(box, boxes.TextBox) and (_href_of(box) or "") in changes:
                shown.setdefault(id(box.element), []).append(box)
    edits = []
    for fragments in shown.values():
        old, new = changes[_href_of(fragments[0]) or ""]
        holding = [box for box in fragments if old in box.text]
        if "".join(box.text for box in fragments).count(old) != 1 or len(holding) != 1:
            return None
        edits.append((holding[0], holding[0].text.replace(old, new)))
    return edits


def _href_of(box: boxes.Box) -> str | None:
    """The cross-chunk link whose `::after` number this text box shows, if any."""
    if not (box.element_tag or "").endswith("::after") or box.element is None or box.element.tag != "a":
        return None
    href = box.element.get("href") or ""
    return href if href.startswith(CROSS_CHUNK_PREFIX) else None


def _descendants(box: boxes.Box) -> Iterator[boxes.Box]:
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, boxes.ParentBox):
            stack.extend(reversed(current.children))


def _same_width(box: boxes.TextBox, old: str, new: str) -> bool:
    return _width(box, old) == _width(box, new)


def _width(box: boxes.TextBox, text: str) -> float:
    layout = Layout(box.style, box.justification_spacing)
    layout.set_text(text, justify=True)
    line, _ = layout.get_first_line()
    width, _ = line_size(line, box.style)
    return float(width)
