"""The pages as a book designer reads them: text block, body, heads and feet.

`Layout` places every page's lines against the text block the print spec
gives (`printspec`: trim and margins, the gutter on the spine side), tells
apart contents pages, chapter and part openers and blank pages, measures the
body text's line pitch and maps each page to the article its words come from.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from bindery.printspec import PageMargins
from bindery.typography.origins import SourceIndex
from bindery.typography.pages import Line, TypesetBook, TypesetPage

PT = 72.0
OPENER_DROP_IN = 0.4  # a page whose text starts this far below the top of the block opens a chapter or part
PARAGRAPH_GAP = 1.3  # a gap over this many line pitches ends a paragraph
LEADER = re.compile(r"(?:\.\s?){3,}\s*(?:\d+|[ivxlcdm]+)\s*$", re.IGNORECASE)
NUMBER_ONLY = re.compile(r"^[\s.·…]*(?:\d+|[ivxlcdm]+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """The text block of one page, in points from the trim box's bottom-left corner."""

    left: float
    right: float
    bottom: float
    top: float


def text_block(page: TypesetPage, margins: PageMargins) -> Block:
    recto = page.number % 2 == 1  # a book's first page is a right-hand page
    left = (margins.inside if recto else margins.outside) * PT
    right = page.width - (margins.outside if recto else margins.inside) * PT
    return Block(left, right, margins.bottom * PT, page.height - margins.top * PT)


@dataclass(frozen=True)
class PageView:
    page: TypesetPage
    block: Block
    body: tuple[Line, ...]  # inside the text block, top to bottom
    heads: tuple[Line, ...]  # above it: running heads
    feet: tuple[Line, ...]  # below it: folios
    article: str | None
    toc: bool
    opener: bool

    @property
    def number(self) -> int:
        return self.page.number


@dataclass(frozen=True)
class Layout:
    views: tuple[PageView, ...]
    body_size: float
    pitch: float  # baseline to baseline of body text, points
    index: SourceIndex

    def next(self, view: PageView) -> PageView | None:
        return self.views[view.number] if view.number < len(self.views) else None

    def continues(self, view: PageView) -> bool:
        """Whether the text of this page runs on to the next (same article, no opener between)."""
        after = self.next(view)
        if after is None or after.page.blank or after.opener or not view.body or (after.toc and not view.toc):
            return False
        return view.article is None or after.article is None or view.article == after.article

    def is_heading(self, line: Line) -> bool:
        return not line.mono and (line.bold or line.size >= 1.15 * self.body_size)

    def is_body_text(self, line: Line) -> bool:
        return not line.mono and not self.is_heading(line) and abs(line.size - self.body_size) < 0.5

    def full(self, line: Line, view: PageView) -> bool:
        """Set to the full measure: a justified line that a paragraph continues after."""
        return line.x1 >= view.block.right - self.pitch

    def justified(self, view: PageView) -> bool:
        """Whether the page's text is justified (most body lines set to the full
        measure); in ragged-right text a short line does not end a paragraph."""
        lines = [line for line in view.body if self.is_body_text(line)]
        flush = sum(line.x1 >= view.block.right - 1.5 for line in lines)  # justified lines end at the block's edge
        return 2 * flush >= len(lines) > 0

    def ends_paragraph(self, line: Line, view: PageView) -> bool:
        return self.justified(view) and not self.full(line, view)

    def starts_paragraph(self, line: Line, before: Line | None, view: PageView) -> bool:
        """Whether `line` opens a paragraph, judged from the line above it on the page."""
        if before is None:
            return line.x0 > view.block.left + 3
        gap = before.bottom - line.bottom
        return (
            self.is_heading(before)
            or before.mono != line.mono
            or gap > PARAGRAPH_GAP * self.pitch
            or line.x0 > before.x0 + 3
            or self.ends_paragraph(before, view)
        )


def lay_out(book: TypesetBook, margins_for: Callable[[TypesetPage], PageMargins], index: SourceIndex) -> Layout:
    views = []
    for page in book.pages:
        block = text_block(page, margins_for(page))
        slack = 2.0  # a line's loose box reaches a little past the block's edges
        heads = tuple(line for line in page.lines if line.bottom >= block.top - slack)
        feet = tuple(line for line in page.lines if line.top <= block.bottom + slack)
        body = tuple(sorted((line for line in page.lines if line not in heads and line not in feet), key=lambda line: -line.top))
        toc = sum(bool(LEADER.search(line.text)) for line in body) >= 2
        opener = bool(body) and (body[0].top < block.top - OPENER_DROP_IN * PT or body[0].size >= 1.4 * book.body_size)
        article = None if toc else index.article_of(line.text for line in body)
        views.append(PageView(page, block, body, heads, feet, article, toc, opener))
    return Layout(tuple(views), book.body_size, _pitch(views, book.body_size), index)


def _pitch(views: list[PageView], body_size: float) -> float:
    steps = [
        a.bottom - b.bottom
        for view in views
        for a, b in zip(view.body, view.body[1:], strict=False)
        if not a.mono and not b.mono and abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5 and a.bottom > b.bottom
    ]
    return statistics.median(steps) if steps else body_size * 1.4
