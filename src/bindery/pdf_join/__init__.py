"""Join the PDFs WeasyPrint wrote for the chunks of one book into the book's PDF (pikepdf).

The chunked layout (`layout_chunks.py`) writes each chunk, a chapter or a
part opener, as its own PDF with `CHUNK_PDF_OPTIONS`; `join_chunks` makes the
one file the one-document build would have made, in the same terms:

- the pages in order, `/PageLabels` from the printed folios (digital profile,
  `builders/pdf.py` `page_label_ranges`), the first chunk's metadata (Info,
  XMP, /Lang, /MarkInfo, /ViewerPreferences, /OutputIntents);
- links and named destinations (`navigation.py`): the chunks' /Dests merged
  (the first chunk to name an id wins, as in WeasyPrint), a link to
  `CROSS_CHUNK_PREFIX + ID` made the internal link WeasyPrint writes to ID,
  the outline rebuilt from the chunks' bookmarks as WeasyPrint nests them;
- one copy of each font (`fonts.py`): WeasyPrint subsets with the glyph ids of
  the font file kept, so the chunks' subsets of one font are merged into one
  font program holding every glyph drawn, with one width array and one
  ToUnicode map;
- the PDF/UA structure tree (`structure.py`): one /Document element holding
  the chunks' elements in order, the parent tree renumbered as one document
  numbers it (pages first, then annotations).

Same chunks, same bytes: the file /ID is derived from the content.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf

from bindery.pdf_join.fonts import merge_fonts
from bindery.pdf_join.navigation import (
    CROSS_CHUNK_PREFIX,
    Bookmark,
    add_outline,
    add_page_labels,
    copy_into,
    merge_destinations,
    resolve_cross_chunk_links,
)
from bindery.pdf_join.structure import merge_structure_trees

__all__ = ["CHUNK_PDF_OPTIONS", "CROSS_CHUNK_PREFIX", "ChunkPdf", "JoinError", "join_chunks"]

# WeasyPrint's write_pdf options for a chunk, besides the profile's (pdf_variant, ...). Fonts
# are subset as usual: WeasyPrint keeps the font file's glyph ids in its subsets, so the
# chunks' subsets of one font merge into one program (fonts.py). Whole fonts would cost each
# chunk ~0.6 s of compression for Charis SIL alone, and their ToUnicode maps lose ligatures.
CHUNK_PDF_OPTIONS: dict[str, object] = {"full_fonts": False, "uncompressed_pdf": False}

# Catalog entries copied from the first chunk: what WeasyPrint writes there besides pages,
# names, outline and structure tree.
_CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/OutputIntents", "/Metadata")


@dataclass(frozen=True)
class ChunkPdf:
    """One chunk's PDF and what its layout knew: bookmarks as (level, label, page index in the
    chunk, x, y) with x, y in CSS px from the page's top left (WeasyPrint's `Page.bookmarks`),
    and the anchors (id, page index in the chunk)."""

    pdf: bytes
    bookmarks: tuple[Bookmark, ...]
    anchors: tuple[tuple[str, int], ...]


class JoinError(ValueError):
    """The chunks cannot be joined: a chunk is not a readable PDF, or the labels do not fit."""


def join_chunks(chunks: Sequence[ChunkPdf], *, labels: Sequence[str], profile: str) -> bytes:
    """The book's PDF: the chunks' pages in order, with everything the one-document build has.

    `labels` are the folios printed on the joined pages (one per page); `profile` is
    "digital" (outline, links, tags, page labels) or "print" (none of those).
    """
    if not chunks:
        raise JoinError("no chunks to join")
    sources = [_open(index, chunk.pdf) for index, chunk in enumerate(chunks)]
    try:
        return _join(chunks, sources, labels, profile)
    finally:
        for source in sources:
            source.close()


def _open(index: int, data: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as error:
        raise JoinError(f"chunk {index} is not a readable PDF: {error}") from None


def _join(chunks: Sequence[ChunkPdf], sources: list[pikepdf.Pdf], labels: Sequence[str], profile: str) -> bytes:
    out = pikepdf.new()
    first_pages: list[int] = []  # each chunk's first page in the joined file
    for source in sources:
        first_pages.append(len(out.pages))
        with warnings.catch_warnings():  # the named destinations are merged below (navigation.py)
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(source.pages)
    if len(labels) != len(out.pages):
        raise JoinError(f"{len(labels)} page labels for {len(out.pages)} pages")
    _copy_metadata(out, sources[0])
    merge_fonts(out, sources)
    merge_destinations(out, sources)
    resolve_cross_chunk_links(out)
    if profile != "print":
        add_outline(out, [chunk.bookmarks for chunk in chunks], first_pages)
        add_page_labels(out, labels)
    merge_structure_trees(out, sources, first_pages)
    buffer = io.BytesIO()
    out.save(
        buffer,
        min_version=max(source.pdf_version for source in sources),
        deterministic_id=True,
        fix_metadata_version=False,  # the first chunk's XMP as WeasyPrint wrote it
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return buffer.getvalue()


def _copy_metadata(out: pikepdf.Pdf, first: pikepdf.Pdf) -> None:
    """Info, XMP, /Lang, /MarkInfo, /ViewerPreferences and /OutputIntents from the first chunk."""
    if "/Info" in first.trailer:
        out.trailer.Info = out.copy_foreign(first.trailer.Info)
    for key in _CATALOG_KEYS:
        if key in first.Root:
            value = first.Root[key]
            out.Root[key] = (
                copy_into(out, first, value) if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) else value
            )
