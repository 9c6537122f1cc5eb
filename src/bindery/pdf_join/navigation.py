"""Links, named destinations, the outline and the page labels of the joined PDF.

WeasyPrint 70 writes an internal link as a /Link annotation whose /Dest is the
anchor's name (a string), the anchors as a flat, sorted /Names array in the
catalog's /Names /Dests (`[page /XYZ x y 0]` each), and the outline from the
pages' bookmarks (`weasyprint/pdf/anchors.py`). A link that leaves its chunk is
written by the layout as the URI `CROSS_CHUNK_PREFIX + ID`; here it becomes the
internal link to ID.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pikepdf
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix

# A scheme no article can write (the sanitizer keeps only web, mail, fragment and book links, and a
# related entry's url must be http(s)), so every link the join resolves is one the layout made.
CROSS_CHUNK_PREFIX = "bindery-chunk:#"
PDF_POINTS_PER_CSS_PX = 0.75  # WeasyPrint's scale: 72 PDF points per inch / 96 CSS px

Bookmark = tuple[int, str, int, float, float]  # (level, label, page index in the chunk, x, y) in CSS px


def copy_into(out: pikepdf.Pdf, source: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """`value` of `source` copied into `out` (made indirect first: qpdf copies indirect objects)."""
    if not value.is_indirect:
        value = source.make_indirect(value)
    return out.copy_foreign(value)


def merge_destinations(out: pikepdf.Pdf, sources: Sequence[pikepdf.Pdf]) -> None:
    """One /Dests name tree for the chunks' named destinations; the first chunk naming an id wins
    (WeasyPrint keeps an id's first anchor), sorted by name as WeasyPrint sorts them."""
    found: dict[str, pikepdf.Object] = {}
    for source in sources:
        names = source.Root.get("/Names")
        if names is None or "/Dests" not in names:
            continue
        copied = copy_into(out, source, names.Dests)
        for name, destination in pikepdf.NameTree(copied).items():
            found.setdefault(name, destination)
    if not found:
        return
    flat = pikepdf.Array()
    for name in sorted(found):
        flat.append(pikepdf.String(name))
        flat.append(found[name])
    out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=flat))


def destination_names(out: pikepdf.Pdf) -> set[str]:
    names = out.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return set()
    return set(pikepdf.NameTree(names.Dests).keys())


def resolve_cross_chunk_links(out: pikepdf.Pdf) -> list[str]:
    """Turn every link to `CROSS_CHUNK_PREFIX + ID` into WeasyPrint's internal link to ID
    (/Dest ID, and /Contents ID when tagged). A link to an id no chunk has loses its action,
    as WeasyPrint drops a link to a missing anchor; those ids are returned."""
    known = destination_names(out)
    missing: list[str] = []
    for page in out.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            if annotation.get("/Subtype") != "/Link" or action is None or action.get("/S") != "/URI":
                continue
            uri = str(action.get("/URI", ""))
            if not uri.startswith(CROSS_CHUNK_PREFIX):
                continue
            target = unquote(uri[len(CROSS_CHUNK_PREFIX) :])
            del annotation["/A"]
            if "/Contents" in annotation:
                annotation.Contents = pikepdf.String(target)
            if target in known:
                annotation.Dest = pikepdf.String(target)
            else:
                missing.append(target)
    return missing


def add_outline(out: pikepdf.Pdf, bookmarks: Sequence[Sequence[Bookmark]], first_pages: Sequence[int]) -> None:
    """The outline of the joined pages, nested from the bookmarks' levels as WeasyPrint nests them."""
    pages: list[Any] = [SimpleNamespace(bookmarks=[]) for _ in out.pages]
    for chunk_bookmarks, first in zip(bookmarks, first_pages, strict=True):
        for level, label, index, x, y in chunk_bookmarks:
            pages[first + index].bookmarks.append((level, label, (x, y), "open"))
    root: list[Any] = []
    skipped_levels: list[int] = []
    last_by_depth: list[list[Any]] = [root]
    previous_level = 0
    for number, page in enumerate(pages):
        if not page.bookmarks:
            continue
        height = _page_height(out.pages[number])
        matrix = Matrix(a=PDF_POINTS_PER_CSS_PX, d=-PDF_POINTS_PER_CSS_PX, f=height)
        previous_level = make_page_bookmark_tree(page, skipped_levels, last_by_depth, previous_level, number, matrix)
    if root:
        top = out.make_indirect(pikepdf.Dictionary())
        items, count = _outline_items(out, root, top)
        top.Count = count
        top.First, top.Last = items[0], items[-1]
        out.Root.Outlines = top


def _page_height(page: pikepdf.Page) -> float:
    """The CSS page's height in points: the trim box's (the media box less the bleed)."""
    box = page.obj.get("/TrimBox", page.obj.MediaBox)
    return float(box[3]) - float(box[1])


def _outline_items(out: pikepdf.Pdf, subtrees: list[Any], parent: pikepdf.Object) -> tuple[list[pikepdf.Object], int]:
    """WeasyPrint's `add_outlines`: one item per subtree, linked as siblings, with /Count."""
    count = len(subtrees)
    items: list[pikepdf.Object] = []
    for title, (number, x, y), children, _state in subtrees:
        item = out.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([out.pages[number].obj, pikepdf.Name.XYZ, x, y, 0]),
                Parent=parent,
            )
        )
        child_items, child_count = _outline_items(out, children, item)
        item.Count = child_count
        count += child_count
        if child_items:
            item.First, item.Last = child_items[0], child_items[-1]
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items, count


def add_page_labels(out: pikepdf.Pdf, labels: Sequence[str]) -> None:
    """/PageLabels from the printed folios, as the one-document build writes them."""
    from bindery.builders.pdf import page_label_ranges  # noqa: PLC0415 (builders.pdf is above the layout that joins)

    nums = pikepdf.Array()
    for index, style, first in page_label_ranges(labels):
        label = pikepdf.Dictionary(S=pikepdf.Name("/" + style))
        if first != 1:
            label.St = first
        nums.append(index)
        nums.append(label)
    if len(nums):
        out.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
