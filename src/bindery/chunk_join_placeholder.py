"""PLACEHOLDER for helper B's `bindery.pdf_join` (CHUNKS.md): replaced when that module is merged.

A plain concatenation of the chunks' pages with pikepdf: no cross-chunk links,
outline, page labels or structure tree. Only here so the chunked layout can be
built and tested before the real join exists.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

CROSS_CHUNK_PREFIX = "https://bindery-chunk.invalid/#"
CHUNK_PDF_OPTIONS: dict[str, object] = {}


@dataclass(frozen=True)
class ChunkPdf:
    pdf: bytes
    bookmarks: tuple[tuple[int, str, int, float, float], ...]
    anchors: tuple[tuple[str, int], ...]


def join_chunks(chunks: Sequence[ChunkPdf], *, labels: Sequence[str], profile: str) -> bytes:
    import pikepdf

    out = pikepdf.new()
    for chunk in chunks:
        with pikepdf.open(io.BytesIO(chunk.pdf)) as part:
            out.pages.extend(part.pages)
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return buffer.getvalue()
