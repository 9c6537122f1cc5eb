"""Print geometry for print-on-demand: gutter bands, bleed, spine and cover size.

Pure functions over a page count and the manifest's `pdf` settings; the PDF
builder, the cover builder and `bindery check` all read the same numbers from
here, so what is laid out and what is checked cannot drift apart.

The figures are the ones Amazon KDP publishes for paperbacks (IngramSpark and
Lulu accept the same or looser): the inside margin ("gutter") grows with the
page count, outside margins are at least 0.25 in (0.375 in with bleed), bleed
is 0.125 in on the top, bottom and outside edges, and the spine is the page
count times the thickness of one leaf's side for the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

BLEED_IN = 0.125
MIN_PAGES = 24
MAX_PAGES = 828
MIN_OUTSIDE_IN = 0.25
MIN_OUTSIDE_WITH_BLEED_IN = 0.375
MAX_BLANKS_IN_A_ROW = 2
MIN_IMAGE_DPI = 300
SPINE_TEXT_MIN_PAGES = 79
BARCODE_AREA_IN = (2.0, 1.2)  # width, height, kept clear on the back cover
PAPERS = {"white": 0.002252, "cream": 0.0025}  # inches of spine per page

# (last page of the band, gutter in inches)
GUTTER_BANDS: tuple[tuple[int, float], ...] = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (MAX_PAGES, 0.875))


def gutter_for(pages: int) -> float:
    """The inside margin KDP requires for a book of `pages` pages.

    Below 24 pages the first band applies (such a book is refused by the
    printers anyway, which `bindery check` reports); above 828 the last.
    """
    for last, gutter in GUTTER_BANDS:
        if pages <= last:
            return gutter
    return GUTTER_BANDS[-1][1]


def band_label(pages: int) -> str:
    """The band a page count falls in, as printers write it: '151-300'."""
    first = MIN_PAGES
    for last, _ in GUTTER_BANDS:
        if pages <= last:
            return f"{first}-{last}"
        first = last + 1
    return f">{MAX_PAGES}"


def padded_to_even(pages: int) -> int:
    return pages + pages % 2


def spine_width(pages: int, paper: str) -> float:
    """Spine width in inches: page count x the paper's thickness per page."""
    return pages * PAPERS[paper]


@dataclass(frozen=True)
class CoverGeometry:
    """The one-piece print cover: back + spine + front, with bleed on all sides (inches)."""

    trim_width: float
    trim_height: float
    spine: float
    pages: int

    @property
    def bleed(self) -> float:
        return BLEED_IN

    @property
    def width(self) -> float:
        return 2 * self.trim_width + self.spine + 2 * BLEED_IN

    @property
    def height(self) -> float:
        return self.trim_height + 2 * BLEED_IN

    @property
    def spine_text(self) -> bool:
        return self.pages >= SPINE_TEXT_MIN_PAGES


def cover_geometry(trim_width: float, trim_height: float, pages: int, paper: str) -> CoverGeometry:
    return CoverGeometry(trim_width, trim_height, spine_width(pages, paper), pages)


class MarginSettings(Protocol):
    """What the margin rules read from the manifest's `pdf` settings."""

    @property
    def margin_top_in(self) -> float: ...
    @property
    def margin_bottom_in(self) -> float: ...
    @property
    def margin_inside_in(self) -> float: ...
    @property
    def margin_outside_in(self) -> float: ...
    @property
    def inside_given(self) -> bool: ...
    @property
    def bleed(self) -> bool: ...


@dataclass(frozen=True)
class PageMargins:
    """The margins one layout pass uses, in inches."""

    top: float
    bottom: float
    inside: float
    outside: float
    bleed: float  # 0 when the book has no bleed


def print_margins(settings: MarginSettings, pages: int) -> PageMargins:
    """Margins for the print profile at a given page count.

    The gutter is the design's inside margin (the manifest's `margins.inside`,
    0.875 in by default), raised to the band's minimum when the book is thick
    enough to need more, and never narrower than the outside margin: the KDP
    band is a floor, not the design. Outside, top and bottom margins are
    raised to the printers' minimum (0.375 in when the page bleeds).
    """
    bleed = BLEED_IN if settings.bleed else 0.0
    least = MIN_OUTSIDE_WITH_BLEED_IN if bleed else MIN_OUTSIDE_IN
    outside = max(least, settings.margin_outside_in)
    return PageMargins(
        top=max(least, settings.margin_top_in),
        bottom=max(least, settings.margin_bottom_in),
        inside=max(gutter_for(pages), settings.margin_inside_in, outside),
        outside=outside,
        bleed=bleed,
    )


def screen_margins(settings: MarginSettings) -> PageMargins:
    """Margins for the digital profile: exactly what the manifest says."""
    return PageMargins(
        top=settings.margin_top_in,
        bottom=settings.margin_bottom_in,
        inside=settings.margin_inside_in,
        outside=settings.margin_outside_in,
        bleed=0.0,
    )


def longest_blank_run(blank: list[bool]) -> int:
    """The most blank pages in a row."""
    longest = run = 0
    for is_blank in blank:
        run = run + 1 if is_blank else 0
        longest = max(longest, run)
    return longest
