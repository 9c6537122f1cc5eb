"""Table header ids, unique in the joined structure tree.

WeasyPrint 70 (`weasyprint/pdf/tags.py`) gives each /TH element the /ID
`N-row-column`, N the object number of its /Table element in that PDF, and
each /TD the /Headers of its header cells. Object numbers of separate chunk
PDFs overlap, so two chunks' tables can name their headers alike. The join
shifts N by the object numbers of the chunks before (the sum of their xref
sizes), which keeps every id unique and every cell pointing at its own
table's headers. A chunk with no such id, found by reading its object streams
for `/ID (`, is not walked.
"""

from __future__ import annotations

import re

import pikepdf

_HEADER_ID = re.compile(r"^(\d+)-(\d+)-(\d+)$")
_OBJECT_STREAM = re.compile(rb"(\d+) 0 obj\s*<<[^>]*?/Type\s*/ObjStm")
_ID_STRING = re.compile(rb"/ID\s*\(")


def declares_ids(source: pikepdf.Pdf, data: bytes) -> bool:
    """Whether the chunk's file may hold a structure element /ID (a string; the trailer's is an array)."""
    if _ID_STRING.search(data):
        return True
    for match in _OBJECT_STREAM.finditer(data):
        stream = source.get_object((int(match.group(1)), 0))
        if not isinstance(stream, pikepdf.Stream) or _ID_STRING.search(stream.read_bytes()):
            return True
    return False


def shift_header_ids(tree: pikepdf.Object, shift: int) -> None:
    """Add `shift` to the table number of every header id and cell's /Headers under `tree`."""

    def shifted(value: pikepdf.Object) -> pikepdf.Object:
        match = _HEADER_ID.match(str(value))
        if match is None:
            return value
        return pikepdf.String(f"{int(match[1]) + shift}-{match[2]}-{match[3]}")

    seen: set[tuple[int, int]] = set()
    pending = [tree]
    while pending:
        element = pending.pop()
        if "/ID" in element:
            element.ID = shifted(element.ID)
        attributes = element.get("/A")
        for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if not isinstance(attribute, pikepdf.Dictionary) or "/Headers" not in attribute:
                continue
            if attribute.is_indirect:
                if attribute.objgen in seen:
                    continue
                seen.add(attribute.objgen)
            attribute.Headers = pikepdf.Array([shifted(header) for header in attribute.Headers])
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/MCR", "/OBJR"):
                pending.append(kid)
