"""Print-profile test books, each built once per test session (shared by several test modules)."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bindery.manifest import load_manifest
from conftest import BOOKS, Built, shared_book

POINTS_PER_INCH = 72


@dataclass(frozen=True)
class PrintBuild:
    built: Built
    out: Path

    slug: str

    @property
    def pdf(self) -> Path:
        return self.out / f"{self.slug}.pdf"

    @property
    def cover(self) -> Path:
        return self.out / f"{self.slug}-cover.pdf"


@functools.cache
def print_build(name: str) -> PrintBuild:
    """tests/books/NAME in both formats, built once per test run (shared by the xdist workers; read-only)."""
    built = shared_book(f"print-{name}", BOOKS / name)
    return PrintBuild(built, built.epub.parent, load_manifest(BOOKS / name).slug)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # points, from the left edge of the page's media box
    y0: float  # points, from the top edge of the media box
    x1: float
    y1: float


def words_by_page(pdf: Path) -> list[list[Word]]:
    """Every word with its box, read by poppler's pdftotext (independent of Bindery and pypdf)."""
    from lxml import etree

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    tree = etree.fromstring(xml, etree.HTMLParser())
    pages = []
    for page in tree.iter("page"):
        pages.append(
            [
                Word(w.text or "", float(w.get("xmin")), float(w.get("ymin")), float(w.get("xmax")), float(w.get("ymax")))
                for w in page.iter("word")
            ]
        )
    return pages
