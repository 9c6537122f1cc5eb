"""The PDF/UA structure tree of the joined PDF: the chunks' trees under one /Document element.

WeasyPrint 70 (`weasyprint/pdf/tags.py`) writes a /StructTreeRoot whose only
kid is a /Document element holding the page's elements in order, and a
/ParentTree numbered as: page i is key i (its /StructParents), then each
link annotation, in order, the next key after the last page (its
/StructParent). The join keeps that numbering for the whole book: the
chunks' pages keep their keys shifted by the chunk's first page, and their
annotations are numbered after the book's last page, chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf

from bindery.pdf_join.navigation import copy_into
from bindery.pdf_join.table_headers import declares_ids, shift_header_ids

_DOCUMENT = pikepdf.Name("/Document")


def merge_structure_trees(out: pikepdf.Pdf, sources: Sequence[pikepdf.Pdf], data: Sequence[bytes], first_pages: Sequence[int]) -> None:
    """One structure tree for the joined pages (nothing when no chunk is tagged); `data` are the
    chunks' files (read for table header ids, `table_headers.py`)."""
    if not any("/StructTreeRoot" in source.Root for source in sources):
        return
    root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=_DOCUMENT, K=pikepdf.Array(), P=root))
    root.K = pikepdf.Array([document])
    nums: dict[int, pikepdf.Object] = {}
    next_annotation_key = len(out.pages)
    ends = [*first_pages[1:], len(out.pages)]
    shift = 0  # the object numbers of the chunks before: added to their table header ids
    for index, source in enumerate(sources):
        if "/StructTreeRoot" not in source.Root:
            continue
        tree = copy_into(out, source, source.Root.StructTreeRoot)
        if shift and declares_ids(source, data[index]):
            shift_header_ids(tree, shift)
        shift += int(source.trailer.get("/Size", len(source.objects)))
        parents = _parent_tree(tree)
        pages = [out.pages[number].obj for number in range(first_pages[index], ends[index])]
        _adopt_kids(tree, document, _blank_pages(pages, parents), first=index == 0)
        _merge_maps(root, tree)
        next_annotation_key = _renumber_parents(pages, first_pages[index], parents, nums, next_annotation_key)
    flat = pikepdf.Array([item for key in sorted(nums) for item in (key, nums[key])])  # one copy, not one per key
    root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=flat))
    root.ParentTreeNextKey = next_annotation_key
    out.Root.StructTreeRoot = root


def _renumber_parents(
    pages: Sequence[pikepdf.Object], first: int, parents: dict[int, pikepdf.Object], nums: dict[int, pikepdf.Object], next_key: int
) -> int:
    """The chunk's pages and their annotations keyed in the joined parent tree (`nums`) as
    WeasyPrint numbers them: a page by its number, annotations after all pages. Returns the next
    annotation key."""
    for number, page in enumerate(pages, start=first):
        old = page.get("/StructParents")
        if old is not None and int(old) in parents:
            nums[number] = parents[int(old)]
            page.StructParents = number
    for page in pages:
        for annotation in page.get("/Annots", pikepdf.Array()):
            old = annotation.get("/StructParent")
            if old is not None and int(old) in parents:
                nums[next_key] = parents[int(old)]
                annotation.StructParent = next_key
                next_key += 1
    return next_key


def _adopt_kids(tree: pikepdf.Object, document: pikepdf.Object, blank: set[tuple[int, int]], *, first: bool) -> None:
    """The chunk's top elements become the joined /Document's kids, in order; a chunk's own
    /Document element is dissolved into it (the first one gives its attributes, e.g. /Lang).

    An element with nothing to tag on a page that has nothing marked (`blank`) is left out:
    the blank verso a chunk is padded with is laid out from an empty block, where the one
    document's blank verso (`break-before: right`) has no element at all."""
    kids = tree.get("/K", pikepdf.Array())
    if isinstance(kids, pikepdf.Dictionary):
        kids = pikepdf.Array([kids])
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == _DOCUMENT:
            if first:
                for key, value in kid.items():
                    if key not in ("/K", "/P", "/S", "/Type"):
                        document[key] = value
            inner = kid.get("/K", pikepdf.Array())
            for element in [inner] if isinstance(inner, pikepdf.Dictionary) else inner:
                _append(document, element, blank)
        else:
            _append(document, kid, blank)


def _append(document: pikepdf.Object, element: pikepdf.Object, blank: set[tuple[int, int]]) -> None:
    if isinstance(element, pikepdf.Dictionary):
        page = element.get("/Pg")
        if page is not None and page.objgen in blank and not _has_content(element):
            return
        if "/P" in element:
            element.P = document
    document.K.append(element)


def _blank_pages(pages: Sequence[pikepdf.Object], parents: dict[int, pikepdf.Object]) -> set[tuple[int, int]]:
    """The pages with no marked content and no annotation."""
    blank = set()
    for page in pages:
        key = page.get("/StructParents")
        marked = parents.get(int(key)) if key is not None else None
        if "/Annots" not in page and (marked is None or (isinstance(marked, pikepdf.Array) and len(marked) == 0)):
            blank.add(page.objgen)
    return blank


def _has_content(element: pikepdf.Object) -> bool:
    """Whether a structure element or any element under it marks content or an object."""
    kids = element.get("/K")
    if kids is None:
        return False
    for kid in [kids] if not isinstance(kids, pikepdf.Array) else kids:
        if not isinstance(kid, pikepdf.Dictionary):
            return True  # an MCID
        if kid.get("/Type") in ("/MCR", "/OBJR") or _has_content(kid):
            return True
    return False


def _merge_maps(root: pikepdf.Object, tree: pikepdf.Object) -> None:
    """/RoleMap and /ClassMap: the union, the first chunk to define a name winning."""
    for key in ("/RoleMap", "/ClassMap"):
        if key not in tree:
            continue
        merged = root.get(key)
        if merged is None:
            merged = root[key] = pikepdf.Dictionary()
        for name, value in tree[key].items():
            if name not in merged:
                merged[name] = value
    if "/Namespaces" in tree and "/Namespaces" not in root:
        root.Namespaces = tree.Namespaces


def _parent_tree(tree: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """The chunk's parent tree as a dict (flat /Nums or a tree of /Kids)."""
    if "/ParentTree" not in tree:
        return {}
    return {int(key): value for key, value in pikepdf.NumberTree(tree.ParentTree).items()}
