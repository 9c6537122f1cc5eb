"""One font program from the chunks' subsets of one font (fontTools).

WeasyPrint subsets each font with HarfBuzz keeping the font file's glyph ids
(`weasyprint/pdf/fonts.py`: RETAIN_GIDS, then every id up to the last one
drawn), so glyph id g is the same glyph in every chunk's subset: the program
with the most glyphs is the base, and the glyphs it lacks are copied into it
from the other subsets by id (with the components a composite glyph needs).
A subset that adds no glyph is not even parsed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from fontTools.ttLib import TTFont


def merge_programs(programs: Sequence[tuple[bytes, frozenset[int]]]) -> bytes:
    """One font program drawing every glyph of every (program, glyph ids drawn with it)."""
    distinct: dict[bytes, set[int]] = {}
    for data, drawn in programs:
        distinct.setdefault(data, set()).update(drawn)
    if len(distinct) == 1:
        return next(iter(distinct))
    counts = {data: _glyph_count(data) for data in distinct}
    base_data = max(distinct, key=lambda data: counts[data])  # the first of the largest: dicts keep order
    covered = set(distinct[base_data])
    base: Any = None
    for data, gids in distinct.items():
        needed = gids - covered
        if data is base_data or not needed:
            continue
        if base is None:
            base = _load(base_data)
        _copy_glyphs(base, _load(data), needed)
        covered |= gids
    if base is None:
        return base_data
    buffer = io.BytesIO()
    base.save(buffer)
    return buffer.getvalue()


def _load(data: bytes) -> Any:
    return TTFont(io.BytesIO(data), recalcTimestamp=False)


def _glyph_count(data: bytes) -> int:
    return int(TTFont(io.BytesIO(data), lazy=True)["maxp"].numGlyphs)


def _copy_glyphs(base: Any, other: Any, gids: set[int] | frozenset[int]) -> None:
    """Copy glyphs `gids` (and the components they use) from `other` into `base`, by glyph id."""
    base_order, other_order = base.getGlyphOrder(), other.getGlyphOrder()
    if max(gids) >= len(base_order) or max(gids) >= len(other_order):
        raise ValueError("a glyph id beyond the subset's glyphs")
    if "glyf" in base:
        base_glyf, other_glyf = base["glyf"], other["glyf"]
        pending = sorted(gids)
        done: set[int] = set()
        while pending:
            gid = pending.pop()
            if gid in done:
                continue
            done.add(gid)
            glyph = other_glyf[other_order[gid]]
            if glyph.isComposite():
                for component in glyph.components:
                    component_gid = other.getGlyphID(component.glyphName)
                    component.glyphName = base_order[component_gid]
                    if base_glyf[base_order[component_gid]].numberOfContours == 0:
                        pending.append(component_gid)
            base_glyf[base_order[gid]] = glyph
            base["hmtx"][base_order[gid]] = other["hmtx"][other_order[gid]]
    elif "CFF " in base:
        base_strings = base["CFF "].cff.topDictIndex[0].CharStrings
        other_strings = other["CFF "].cff.topDictIndex[0].CharStrings
        for gid in sorted(gids):
            base_strings[base_order[gid]] = other_strings[other_order[gid]]
            base["hmtx"][base_order[gid]] = other["hmtx"][other_order[gid]]
    else:
        raise ValueError("neither TrueType nor CFF outlines")
