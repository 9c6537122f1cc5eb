"""One copy of each font in the joined PDF.

WeasyPrint 70 (`weasyprint/pdf/fonts.py`) writes each font as a /Type0 font
with /Identity-H encoding over a CID font whose /W array gives the widths of
the glyphs drawn, a /ToUnicode CMap (one `bfchar` line a glyph, ligatures
included) and the subset font program; every chunk's pages share one /Font
resource dictionary keyed by a hash of the font's description, the same in
every chunk. The join gives each key one font: the union of the chunks'
widths and ToUnicode maps over one merged program (`font_programs.py`).

A font that cannot be merged safely (another encoding: WeasyPrint numbers the
glyphs a font lacks per document; two chunks mapping one glyph to different
text; a program fontTools cannot read) keeps one copy per chunk: the text
still reads back as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pikepdf

from bindery.pdf_join.font_programs import merge_programs

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_TO_UNICODE_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<< /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange"""
_TO_UNICODE_TAIL = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end"""
_FIXED_PITCH = 1  # font descriptor flag bit 1


def merge_fonts(out: pikepdf.Pdf, sources: Sequence[pikepdf.Pdf]) -> None:
    """Give every font resource name of the joined pages one font object (or as few as agree)."""
    uses: list[tuple[pikepdf.Object, str, tuple[int, int]]] = []
    groups: dict[tuple[str, str], dict[tuple[int, int], pikepdf.Object]] = {}
    for font_dictionary in _font_dictionaries(out):
        for key, font in font_dictionary.items():
            uses.append((font_dictionary, key, font.objgen))
            groups.setdefault((key, str(font.get("/BaseFont", ""))), {}).setdefault(font.objgen, font)
    replacements: dict[tuple[int, int], pikepdf.Object] = {}
    for distinct in groups.values():
        if len(distinct) > 1:
            replacements.update(_merged_group(out, list(distinct.values())))
    for font_dictionary, key, objgen in uses:
        if objgen in replacements:
            font_dictionary[key] = replacements[objgen]


def _merged_group(out: pikepdf.Pdf, fonts: list[pikepdf.Object]) -> dict[tuple[int, int], pikepdf.Object]:
    """The chunks' copies of one font, each mapped to its merged font: the copies merge in
    clusters whose ToUnicode maps agree (all of them, unless a chunk maps a glyph differently)."""
    clusters: list[tuple[_Cluster, list[pikepdf.Object]]] = []
    for font in fonts:
        parts = _parts(font)
        if parts is None:
            continue
        for cluster, members in clusters:
            if cluster.agrees(parts[0]):
                cluster.add(*parts)
                members.append(font)
                break
        else:
            cluster = _Cluster()
            cluster.add(*parts)
            clusters.append((cluster, [font]))
    merged: dict[tuple[int, int], pikepdf.Object] = {}
    for cluster, members in clusters:
        if len(members) < 2:
            continue
        try:
            program = merge_programs(cluster.programs)
        except Exception:  # noqa: BLE001 (a font fontTools cannot read or write: keep the chunks' copies)
            continue
        font = _font_object(out, members[0], cluster.to_unicode, cluster.widths, program)
        merged.update((member.objgen, font) for member in members)
    return merged


class _Cluster:
    """Copies of one font that agree on every glyph's text: their union."""

    def __init__(self) -> None:
        self.to_unicode: dict[int, bytes] = {}
        self.widths: dict[int, pikepdf.Object] = {}
        self.programs: list[tuple[bytes, frozenset[int]]] = []

    def agrees(self, to_unicode: dict[int, bytes]) -> bool:
        return all(self.to_unicode.get(gid, text) == text for gid, text in to_unicode.items())

    def add(self, to_unicode: dict[int, bytes], widths: dict[int, pikepdf.Object], program: bytes) -> None:
        self.to_unicode.update(to_unicode)
        for gid, width in widths.items():
            self.widths.setdefault(gid, width)
        self.programs.append((program, frozenset(widths) | frozenset(to_unicode)))


def _font_dictionaries(out: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Each /Font resource dictionary the pages use (and their form XObjects), once."""
    seen: set[tuple[int, int]] = set()
    pending = [page.obj.get("/Resources") for page in out.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        font_dictionary = resources.get("/Font")
        if isinstance(font_dictionary, pikepdf.Dictionary) and (not font_dictionary.is_indirect or font_dictionary.objgen not in seen):
            if font_dictionary.is_indirect:
                seen.add(font_dictionary.objgen)
            yield font_dictionary
        for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
            if isinstance(xobject, pikepdf.Stream):
                pending.append(xobject.stream_dict.get("/Resources"))


def _parts(font: pikepdf.Object) -> tuple[dict[int, bytes], dict[int, pikepdf.Object], bytes] | None:
    """The font's ToUnicode map, widths and program, when it is a font as WeasyPrint writes it."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    descendant = font.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor")
    if descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) != "/Identity" or descriptor is None:
        return None
    file_key = next((key for key in ("/FontFile2", "/FontFile3") if key in descriptor), None)
    if file_key is None:
        return None
    cmap = font.ToUnicode.read_bytes()
    if b"beginbfrange" in cmap:
        return None
    font_map = {int(gid, 16): text.lower() for gid, text in _BFCHAR.findall(cmap.split(b"endcodespacerange", 1)[-1])}
    widths = _widths(descendant.get("/W", pikepdf.Array()))
    if widths is None:
        return None
    return font_map, widths, descriptor[file_key].read_bytes()


def _widths(array: pikepdf.Object) -> dict[int, pikepdf.Object] | None:
    """A /W array as {glyph id: width}: `c [w1 w2 ...]` and `c_first c_last w` runs."""
    widths: dict[int, pikepdf.Object] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first = int(items[index])
        if index + 1 < len(items) and isinstance(items[index + 1], pikepdf.Array):
            for offset, width in enumerate(items[index + 1]):
                widths[first + offset] = width
            index += 2
        elif index + 2 < len(items):
            for gid in range(first, int(items[index + 1]) + 1):
                widths[gid] = items[index + 2]
            index += 3
        else:
            return None
    return widths


def _font_object(
    out: pikepdf.Pdf, model: pikepdf.Object, to_unicode: dict[int, bytes], widths: dict[int, pikepdf.Object], program: bytes
) -> pikepdf.Object:
    """The merged font, shaped as `model` (the first chunk's): new ToUnicode, /W, program, box."""
    descendant = model.DescendantFonts[0]
    descriptor = _copy(descendant.FontDescriptor)
    file_key = "/FontFile2" if "/FontFile2" in descriptor else "/FontFile3"
    font_file = pikepdf.Stream(out, program)
    for key, value in descriptor[file_key].stream_dict.items():
        if key not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
            font_file[key] = value
    if file_key == "/FontFile2":
        font_file.Length1 = len(program)
    descriptor[file_key] = out.make_indirect(font_file)
    values = [Decimal(str(width)) for width in widths.values()]
    box = descriptor.FontBBox  # WeasyPrint: [0, descent, the widest glyph's width, ascent]
    descriptor.FontBBox = pikepdf.Array([box[0], box[1], max(values), box[3]])
    fixed = len(values) > 1 and len(set(values)) == 1
    descriptor.Flags = (int(descriptor.Flags) & ~_FIXED_PITCH) | (_FIXED_PITCH if fixed else 0)
    if "/CIDSet" in descriptor:
        descriptor.CIDSet = out.make_indirect(pikepdf.Stream(out, _cid_set(widths)))
    merged_descendant = _copy(descendant)
    merged_descendant.W = _width_array(widths)
    merged_descendant.FontDescriptor = out.make_indirect(descriptor)
    font = _copy(model)
    font.ToUnicode = out.make_indirect(pikepdf.Stream(out, _to_unicode(to_unicode)))
    font.DescendantFonts = pikepdf.Array([out.make_indirect(merged_descendant)])
    return out.make_indirect(font)


def _copy(dictionary: pikepdf.Object) -> pikepdf.Dictionary:
    return pikepdf.Dictionary({key: value for key, value in dictionary.items()})


def _width_array(widths: dict[int, pikepdf.Object]) -> pikepdf.Array:
    """WeasyPrint's /W: `first [w ...]` for each run of consecutive glyph ids."""
    array = pikepdf.Array()
    run = pikepdf.Array()
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            if previous is not None:
                array.append(run)
            array.append(gid)
            run = pikepdf.Array()
        run.append(widths[gid])
        previous = gid
    if previous is not None:
        array.append(run)
    return array


def _to_unicode(to_unicode: dict[int, bytes]) -> bytes:
    """WeasyPrint's ToUnicode CMap: `bfchar` blocks of at most 100 glyphs, by glyph id."""
    lines = [_TO_UNICODE_HEAD]
    items = sorted(to_unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines.extend(b"<%04x> <%s>" % (gid, text) for gid, text in batch)
        lines.append(b"endbfchar")
    lines.append(_TO_UNICODE_TAIL)
    return b"\n".join(lines)


def _cid_set(widths: dict[int, pikepdf.Object]) -> bytes:
    """The /CIDSet bit string (PDF 1.4 and earlier): one bit a glyph id, set for those drawn."""
    last = max(widths)
    bits = bytearray((last + 8) // 8)
    for gid in widths:
        bits[gid // 8] |= 0x80 >> (gid % 8)
    return bytes(bits)
