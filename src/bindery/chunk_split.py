"""The print HTML of a book cut into chunks, each a document WeasyPrint lays out on its own.

A chunk is the front matter (everything before the first part or chapter), a
part opener, a chapter, or a piece of the back matter (after the last chapter:
an appendix, the further reading, the index; each starts on a recto). Every chunk document has the book's `<head>` and the top-level
sections of its piece of the body; the HTML is cut after `prepare_for_print`,
so footnotes keep their per-chapter numbers.

A link to an id in another chunk cannot use `target-counter()`: before the
chunk is laid out, `with_cross_chunk_pages` writes the target's page number
into it (`data-page`, which the stylesheet prints instead of looking it up)
and points it at `CROSS_CHUNK_PREFIX + id`, which the PDF join turns back
into a link inside the file. `chunk_css` is what a chunk adds to the book's
stylesheet: the folio its first page carries.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree, html

from bindery.numerals import to_roman
from bindery.parsed_stylesheets import with_own_rules
from bindery.pdf_join import CROSS_CHUNK_PREFIX

BODY_CLASSES = frozenset({"part", "chapter"})  # each one a chunk of its own
BACK_CLASSES = frozenset({"matter", "back"})  # each piece of back matter too (it starts on a recto)
ROMAN_LINKS = ("roman", "toc-front")  # a class on the link or its parent: the number prints in lower-roman
# The index's page numbers are written in when they are in another chunk (the template has no data-page rule).
CHUNK_RULES = ".book-index a.index-page[data-page]::after, .book-index a.index-page.roman[data-page]::after { content: attr(data-page); }\n"


@dataclass(frozen=True)
class Chunk:
    """One piece of the book. `kind`: "front", "body" or "back"; `html`: its whole document;
    `ids`: each id in it, with where it stands in the HTML (0 to 1, to guess its page);
    `body_start`: its first page resets the arabic folios to 1 (the stylesheet's
    `body-start`); `has_index`: it holds the back-of-book index."""

    kind: str
    html: str
    ids: Mapping[str, float]
    body_start: bool
    has_index: bool
    targets: frozenset[str] = frozenset()  # the ids its links (`href="#id"`) point at


def split_chunks(document: str) -> list[Chunk]:
    """The chunks of a prepared print HTML document, in reading order."""
    root = html.document_fromstring(document)
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    body = root.body
    children = [child for child in body if isinstance(child.tag, str)]
    starts = [n for n, child in enumerate(children) if BODY_CLASSES & set((child.get("class") or "").split())]
    if not starts:
        groups = [("front", children)]
    else:
        groups = [("front", children[: starts[0]])] if starts[0] else []
        ends = [*starts[1:], starts[-1] + 1]  # what stands between two chapters stays with the first
        groups.extend(("body", children[start:end]) for start, end in zip(starts, ends, strict=True))
        groups.extend(("back", piece) for piece in _back_pieces(children[starts[-1] + 1 :]))
    head = root.find("head")
    return [_chunk(kind, root, head, body, elements, doctype) for kind, elements in groups if elements]


def _chunk(
    kind: str, root: etree._Element, head: etree._Element | None, body: etree._Element, elements: list[etree._Element], doctype: str | None
) -> Chunk:
    new_root = html.Element("html", dict(root.attrib))
    new_root.text = "\n"
    if head is not None:
        new_root.append(copy.deepcopy(head))
    new_body = etree.SubElement(new_root, "body", dict(body.attrib))
    new_body.text = "\n"
    for element in elements:
        new_body.append(copy.deepcopy(element))
    text = str(html.tostring(new_root, encoding="unicode", doctype=doctype))
    classes = [set((e.get("class") or "").split()) for e in new_body.iter() if isinstance(e.tag, str)]
    ids: dict[str, float] = {}
    size = max(len(text), 1)
    for element in new_body.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if ident and ident not in ids:
            ids[ident] = text.find(f'id="{ident}"') / size
    targets = frozenset(a.get("href", "")[1:] for a in new_body.iter("a") if a.get("href", "").startswith("#"))
    return Chunk(kind, text, ids, any("body-start" in c for c in classes[:2]), any("book-index" in c for c in classes), targets)


def _back_pieces(tail: list[etree._Element]) -> list[list[etree._Element]]:
    """The back matter, one chunk per piece (`.matter.back`: each starts on a recto)."""
    pieces: list[list[etree._Element]] = []
    for element in tail:
        if not pieces or BACK_CLASSES <= set((element.get("class") or "").split()):
            pieces.append([])
        pieces[-1].append(element)
    return pieces


def with_cross_chunk_pages(document: str, local: Mapping[str, float], pages: Mapping[str, int]) -> str:
    """Links to ids outside this chunk (`local`) get their target's page number (`pages`: the
    page counter there) written in and point at `CROSS_CHUNK_PREFIX + id`; ids found
    in no chunk are left alone (a broken link prints nothing, as in one document)."""
    root = html.document_fromstring(document)
    changed = False
    for link in root.xpath("//a[starts-with(@href, '#')]"):
        ident = link.get("href", "")[1:]
        if ident in local or ident not in pages:
            continue
        value = pages[ident]
        link.set("data-page", to_roman(value) if _roman(link) else str(value))
        link.set("href", CROSS_CHUNK_PREFIX + ident)
        changed = True
    if not changed:
        return document
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    return str(html.tostring(root, encoding="unicode", doctype=doctype))


def _roman(link: etree._Element) -> bool:
    """The stylesheet prints this link's target-counter in lower-roman (`.toc .toc-front > a`, `a.index-page.roman`)."""
    if "roman" in (link.get("class") or "").split():
        return True
    parent = link.getparent()
    if parent is None or "toc-front" not in (parent.get("class") or "").split():
        return False
    return any("toc" in (a.get("class") or "").split() for a in parent.iterancestors())


def chunk_css(css: str, first_folio: int | None) -> str:
    """The book's stylesheet for one chunk: its first page's page counter (None: the
    document's own start, 1) and the rule that prints the index's written-in numbers."""
    offset = f"@page :first {{ counter-reset: page {first_folio}; }}\n" if first_folio is not None else ""
    return with_own_rules(css, f"/* chunked layout (bindery/chunk_split.py) */\n{CHUNK_RULES}{offset}")
