"""Small chunked books for the PDF join tests: each chunk rendered by WeasyPrint alone, and the
same book rendered as one document, written with the options builders/pdf.py writes.

The chapters use the template fonts (Charis SIL, Inconsolata) through @font-face, ligatures
("fi", "fl", "ffi") in running text, a link from the first chunk to an id in the third
(written as CROSS_CHUNK_PREFIX + id in the chunk, as "#id" in the one document), links inside
a chunk, headings of several levels (the outline) and a list and a table (the structure tree).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from bindery.builders.pdf import write_pdf
from bindery.layout import strip_interactive
from bindery.pdf_join import CHUNK_PDF_OPTIONS, CROSS_CHUNK_PREFIX, ChunkPdf

FONTS = Path(__file__).resolve().parent.parent / "templates" / "shared" / "fonts"

CSS = f"""
@font-face {{ font-family: Charis; src: url({(FONTS / "CharisSIL-Regular.ttf").as_uri()}); }}
@font-face {{ font-family: Charis; font-weight: bold; src: url({(FONTS / "CharisSIL-Bold.ttf").as_uri()}); }}
@font-face {{ font-family: Charis; font-style: italic; src: url({(FONTS / "CharisSIL-Italic.ttf").as_uri()}); }}
@font-face {{ font-family: BinderyCode; src: url({(FONTS / "Inconsolata.otf").as_uri()}); }}
@page {{ size: 4in 5in; margin: 0.5in; }}
body {{ font-family: Charis; font-size: 10pt; }}
code {{ font-family: BinderyCode; }}
.chapter {{ break-before: page; }}
"""

WORDS = "the office of the fjord-side fiefdom flourished afflicted by efficient fluffy waffles".split()


def _paragraph(seed: int, words: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words))


def chapters(cross_link: str) -> list[str]:
    """Three chapters; the first links to #far in the third through `cross_link` + "far"."""
    one = (
        '<section class="chapter" id="ch1"><h1>First chapter</h1>'
        f'<p>{_paragraph(1, 60)} <em>{_paragraph(2, 8)}</em> see <a href="{cross_link}far">the far section</a>.</p>'
        f'<h2 id="one-two">A section</h2><p>{_paragraph(3, 200)} <a href="#ch1">back to the start</a></p>'
        f"<ul><li>{_paragraph(4, 6)}</li><li><code>fi = open(path)</code></li></ul></section>"
    )
    two = (
        '<section class="chapter" id="ch2"><h1>Second chapter</h1>'
        f"<p><strong>{_paragraph(5, 10)}</strong> {_paragraph(6, 120)}</p>"
        f"<h3>A deep heading</h3><table><tr><th>fish</th><td>{_paragraph(7, 4)}</td></tr></table>"
        f'<p>{_paragraph(8, 30)} <a href="https://example.org/x">an outside link</a></p></section>'
    )
    three = (
        '<section class="chapter" id="ch3"><h1>Third chapter</h1>'
        f'<p>{_paragraph(9, 150)}</p><h2 id="far">The far section</h2><p>{_paragraph(10, 40)} '
        f'<a href="#ch3">up</a> <code>flow-ffi</code> ÿ€ ™</p></section>'
    )
    return [one, two, three]


def _html(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A joined book</title>'
        '<meta name="author" content="A. Writer"></head>'
        f"<body>{body}</body></html>"
    )


@dataclass(frozen=True)
class Book:
    chunks: list[ChunkPdf]
    labels: list[str]
    whole: bytes  # the one-document build


def _bookmarks(document: weasyprint.Document) -> tuple[tuple[int, str, int, float, float], ...]:
    return tuple(
        (level, label, index, x, y) for index, page in enumerate(document.pages) for level, label, (x, y), _state in page.bookmarks
    )


def _anchors(document: weasyprint.Document) -> tuple[tuple[str, int], ...]:
    return tuple((name, index) for index, page in enumerate(document.pages) for name in sorted(page.anchors))


def _render(html: str, profile: str) -> weasyprint.Document:
    """The laid-out document; the print profile's without links or bookmarks (as layout.py lays it out)."""
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=CSS, font_config=fonts)
    document = weasyprint.HTML(string=html).render(stylesheets=[css], font_config=fonts)
    if profile == "print":
        strip_interactive(document)
    return document


def make_book(profile: str) -> Book:
    """The three chapters as chunks and as one document, in `profile` ("digital" or "print")."""
    chunks = []
    labels: list[str] = []
    for body in chapters(CROSS_CHUNK_PREFIX):
        document = _render(_html(body), profile)
        buffer = io.BytesIO()
        options: dict[str, object] = {} if profile == "print" else {"pdf_variant": "pdf/ua-1"}
        document.write_pdf(buffer, **CHUNK_PDF_OPTIONS, **options)
        chunks.append(ChunkPdf(buffer.getvalue(), _bookmarks(document), _anchors(document)))
        labels += [str(len(labels) + 1 + i) for i in range(len(document.pages))]
    roman = ["i", "ii", "iii", "iv", "v", "vi"]
    labels[:2] = roman[:2]  # the first two pages numbered like front matter
    labels[2:] = [str(i + 1) for i in range(len(labels) - 2)]
    whole_doc = _render(_html("".join(chapters("#"))), profile)
    whole = write_pdf(whole_doc, profile, labels)
    return Book(chunks, labels, whole)
