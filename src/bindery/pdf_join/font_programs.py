"""One font program from the chunks' subsets of one font (fontTools).

WeasyPrint subsets each font with HarfBuzz in two passes
(`weasyprint/pdf/fonts.py`): the glyphs drawn keep the font file's glyph ids,
then every id up to the last one drawn (M) is kept as is, and the components
of composite glyphs that lie beyond M are renumbered after it, M + 1, M + 2
... in each chunk's own way. So a glyph id up to M means the same glyph in
every subset, an id beyond M only in its own subset.

The subset whose M is highest is the base: every glyph any chunk draws has
its own id there. The glyphs it lacks are copied into it from the other
subsets by id; a component beyond the other subset's M is appended to the
base under a new id (only composites use it, never a page). A subset that
adds no glyph is not even parsed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph


def merge_programs(programs: Sequence[tuple[bytes, frozenset[int]]]) -> bytes:
    """One font program drawing every glyph of every (program, glyph ids drawn with it)."""
    distinct: dict[bytes, set[int]] = {}
    for data, drawn in programs:
        distinct.setdefault(data, set()).update(drawn)
    if len(distinct) == 1:
        return next(iter(distinct))
    base_data = max(distinct, key=lambda data: max(distinct[data], default=-1))  # the first of the highest
    covered = set(distinct[base_data])
    base: Any = None
    for data, gids in distinct.items():
        needed = gids - covered
        if data is base_data or not needed:
            continue
        if base is None:
            base = _load(base_data)
        _copy_glyphs(base, _load(data), needed, max(gids))
        covered |= gids
    if base is None:
        return base_data
    buffer = io.BytesIO()
    base.save(buffer)
    return buffer.getvalue()


def _load(data: bytes) -> Any:
    return TTFont(io.BytesIO(data), recalcTimestamp=False)


def _copy_glyphs(base: Any, other: Any, gids: set[int], other_last: int) -> None:
    """Copy glyphs `gids` (and the components they use) from `other` into `base`; ids up to
    `other_last` (the last glyph `other` draws) are the font file's, later ones `other`'s own."""
    base_order, other_order = base.getGlyphOrder(), other.getGlyphOrder()
    if max(gids) >= len(base_order) or max(gids) >= len(other_order):
        raise ValueError("a glyph id beyond the subset's glyphs")
    if "glyf" in base:
        _copy_outlines(base, other, gids, other_last)
    elif "CFF " in base:  # no composites: CFF subsets keep every drawn glyph's id
        base_strings = base["CFF "].cff.topDictIndex[0].CharStrings
        other_strings = other["CFF "].cff.topDictIndex[0].CharStrings
        for gid in sorted(gids):
            base_strings[base_order[gid]] = other_strings[other_order[gid]]
            base["hmtx"][base_order[gid]] = other["hmtx"][other_order[gid]]
    else:
        raise ValueError("neither TrueType nor CFF outlines")


def _copy_outlines(base: Any, other: Any, gids: set[int], other_last: int) -> None:
    """TrueType: each glyph to its own id; a component beyond `other_last` to a new id."""
    base_glyf, other_glyf = base["glyf"], other["glyf"]
    base_order, other_order = base.getGlyphOrder(), other.getGlyphOrder()  # base_order grows below
    placed: dict[int, int] = {}  # other's glyph id -> base's

    def place(gid: int) -> int:
        if gid in placed:
            return placed[gid]
        if gid <= other_last:
            target = gid
            if gid not in gids and base_glyf[base_order[gid]].numberOfContours != 0:
                placed[gid] = gid  # a component the base already has
                return gid
        else:  # a new id, reserved before the components take theirs
            target = len(base_order)
            base_glyf[f"bindery.component.{target}"] = Glyph()  # appended to the glyph order (one list)
        placed[gid] = target
        glyph = other_glyf[other_order[gid]]
        if glyph.isComposite():
            for component in glyph.components:
                component.glyphName = base_order[place(other.getGlyphID(component.glyphName))]
        base_glyf[base_order[target]] = glyph
        base["hmtx"][base_order[target]] = other["hmtx"][other_order[gid]]
        return target

    for gid in sorted(gids):
        place(gid)
