"""Reading a PDF for the join tests (tests/test_pdf_join*.py): its text per page, fonts, links,
outline, structure tree and table headers, in terms that compare a joined file with the
one-document build."""

from __future__ import annotations

import io
import re
import subprocess
from typing import Any

import pikepdf

from bindery.pdf_join import ChunkPdf


def pdfinfo(data: bytes) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in text.splitlines())}


def pages_text(data: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return text.split("\f")


def pdffonts(data: bytes) -> list[list[str]]:
    text = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return [line.split() for line in text.splitlines()[2:]]


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages)}


def destination(pdf: pikepdf.Pdf, target: Any) -> tuple[int, float, float]:
    """An explicit destination `[page /XYZ x y zoom]` as (page index, x, y)."""
    page, _fit, x, y = target[0], target[1], target[2], target[3]
    return page_index(pdf)[page.objgen], round(float(x), 2), round(float(y), 2)


def links(pdf: pikepdf.Pdf) -> list[tuple[int, list[float], str, object]]:
    """Every link: page, rectangle, /Contents, and where it goes (a destination or a URI)."""
    dests = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items()) if "/Names" in pdf.Root else {}
    found = []
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            rect = [round(float(value), 2) for value in annotation.Rect]
            contents = str(annotation.get("/Contents", ""))
            if "/Dest" in annotation:
                name = str(annotation.Dest)
                target: object = (name, destination(pdf, dests[name]))
            else:
                target = str(annotation.A.URI)
            found.append((number, rect, contents, target))
    return found


def outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, tuple[int, float, float], int]]:
    found: list[tuple[int, str, tuple[int, float, float], int]] = []

    def walk(item: Any, depth: int) -> None:
        while item is not None:
            found.append((depth, str(item.Title), destination(pdf, item.Dest), int(item.Count)))
            walk(item.get("/First"), depth + 1)
            item = item.get("/Next")

    if "/Outlines" in pdf.Root:
        walk(pdf.Root.Outlines.First, 0)
    return found


def structure(pdf: pikepdf.Pdf) -> list[tuple[int, str, object]]:
    """The structure tree depth first: (depth, type, kid) with kids as (page, MCID) or (OBJR, page)."""
    pages = page_index(pdf)
    found: list[tuple[int, str, object]] = []

    def walk(element: Any, depth: int) -> None:
        kids = element.get("/K", [])
        kids = [kids] if not isinstance(kids, pikepdf.Array) else kids
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        found.append((depth, str(element.get("/S", "")), page))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                found.append((depth + 1, "OBJR", pages[kid.Pg.objgen]))
            elif isinstance(kid, pikepdf.Dictionary):
                walk(kid, depth + 1)
            else:
                found.append((depth + 1, "MCID", (page, int(kid))))

    walk(pdf.Root.StructTreeRoot, 0)
    return found


def parent_tree_keys(pdf: pikepdf.Pdf) -> int:
    """Every page's /StructParents and link's /StructParent finds its elements; returns the keys."""
    tree = dict(pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).items())
    keys = 0
    for page in pdf.pages:
        marked = tree[int(page.obj.StructParents)]
        for mcid, element in enumerate(marked):
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert mcid in [int(kid) for kid in kids if not isinstance(kid, pikepdf.Dictionary)]
            assert element.Pg.objgen == page.obj.objgen
        keys += 1
        for annotation in page.obj.get("/Annots", []):
            element = tree[int(annotation.StructParent)]
            assert any(isinstance(kid, pikepdf.Dictionary) and kid.Obj.objgen == annotation.objgen for kid in element.K)
            keys += 1
    assert keys == len(tree)
    return keys


def structure_text(data: bytes) -> str:
    """poppler's walk of the structure tree with each element's text (`pdfinfo -struct-text`),
    object numbers and the table numbers of header ids left out."""
    text = subprocess.run(["pdfinfo", "-struct-text", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\d+-(\d+)-(\d+)", r"T-\1-\2", re.sub(r"Object \d+ 0", "Object", text))


def font_maps(pdf: pikepdf.Pdf) -> dict[str, tuple[object, ...]]:
    """Each font by name: its widths by glyph id, ToUnicode by glyph id, FontBBox and Flags."""
    found: dict[str, tuple[object, ...]] = {}
    for page in pdf.pages:
        for font in page.obj.Resources.Font.values():
            descendant = font.DescendantFonts[0]
            widths, items = {}, list(descendant.W)
            for first, run in zip(items[::2], items[1::2], strict=True):
                widths.update({int(first) + offset: float(width) for offset, width in enumerate(run)})
            cmap = dict(re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]+)>", font.ToUnicode.read_bytes()))
            descriptor = descendant.FontDescriptor
            found[str(font.BaseFont)] = (widths, cmap, [float(v) for v in descriptor.FontBBox], int(descriptor.Flags))
    return found


def edited(chunk: ChunkPdf, edit: Any) -> ChunkPdf:
    with open_pdf(chunk.pdf) as pdf:
        edit(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer)
    return ChunkPdf(buffer.getvalue(), chunk.bookmarks, chunk.anchors)


def table_headers(pdf: pikepdf.Pdf) -> tuple[list[str], list[tuple[int, list[int]]]]:
    """Every /TH id, and for each cell with /Headers its place in the walk and its headers' places."""
    order: list[Any] = []

    def walk(element: Any) -> None:
        order.append(element)
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/OBJR", "/MCR"):
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    ids = [str(element.ID) for element in order if "/ID" in element]
    place = {str(element.ID): number for number, element in enumerate(order) if "/ID" in element}
    cells = [
        (number, [place[str(header)] for header in element.A.Headers])
        for number, element in enumerate(order)
        if isinstance(element.get("/A"), pikepdf.Dictionary) and "/Headers" in element.A
    ]
    return ids, cells
