"""Where the print edition's pages begin (`PageMap`, read from the layout by
`layout_pages`), and the EPUB page-break markers placed at the same words.

A `PageStart` gives, for every printed page, its folio and where its first
text lies: the nearest element with an id that began before it, plus the
number of letters and digits between that element's start and the page's
first word. The print HTML and the ebook XHTML come from the same model with
the same ids, so `place_page_breaks` finds the same element in the EPUB and
counts the same letters forward to put `<span epub:type="pagebreak" .../>`
before the word that starts the page. Blank pages, and pages with nothing of
the ebook on them (the half-title), get their marker right before the next
page's.

This is the ebook side: lxml only, no WeasyPrint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree
from markupsafe import escape

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
# Where a marker may move out to when it would be the first thing of an element.
NO_PHRASING = frozenset({"ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "nav", "html", "head", "hgroup", "select"})


@dataclass(frozen=True)
class PageStart:
    """One page of the print PDF and where its text begins."""

    number: int  # physical page, 1-based
    label: str  # the printed folio: "vii", "47"
    blank: bool  # no text of its own (an intentional blank, or nothing the ebook has)
    anchors: tuple[tuple[str, int], ...]  # (id, letters and digits from its start), nearest first


@dataclass(frozen=True)
class PageMap:
    pages: tuple[PageStart, ...]
    locations: Mapping[str, int] = field(default_factory=dict)  # id -> physical page where its element begins

    def label_of(self, ident: str) -> str | None:
        """The printed folio of the page where the element `ident` begins."""
        number = self.locations.get(ident)
        return self.pages[number - 1].label if number else None

    @property
    def max_page_number(self) -> int:
        return max((int(p.label) for p in self.pages if p.label.isdigit()), default=0)


@dataclass(frozen=True)
class PageTarget:
    """A page marker as placed in the EPUB."""

    label: str
    id: str  # page-vii, page-47
    document: str  # the XHTML file that holds it

    @property
    def href(self) -> str:
        return f"{self.document}#{self.id}"


# --- Placing the markers in the EPUB ----------------------------------------


def locate_pages(documents: Sequence[tuple[str, str]], page_map: PageMap) -> list[PageTarget]:
    """Which EPUB document (name, content) each page's marker goes into, in page order."""
    id_to_doc: dict[str, str] = {}
    for name, content in documents:
        for ident in _ids(content):
            id_to_doc.setdefault(ident, name)
    last = documents[-1][0]
    docs: list[str | None] = [_resolve(page, id_to_doc)[0] if not page.blank else None for page in page_map.pages]
    following = last
    for i in range(len(docs) - 1, -1, -1):  # blank pages go with the next page that has text
        if docs[i] is None:
            docs[i] = following
        else:
            following = docs[i]  # type: ignore[assignment]
    return [PageTarget(page.label, ident, doc or last) for page, ident, doc in zip(page_map.pages, _page_ids(page_map), docs, strict=True)]


def unplaced_targets(page_map: PageMap) -> list[PageTarget]:
    """The page targets before `locate_pages` knows their documents (`href` is `#id`): the
    navigation document's page-list is rendered with these, then `link_page_list` points them
    at their documents, so the navigation document is rendered once."""
    return [PageTarget(page.label, ident, "") for page, ident in zip(page_map.pages, _page_ids(page_map), strict=True)]


def link_page_list(content: str, targets: Sequence[PageTarget]) -> str:
    """`content` (rendered with `unplaced_targets`) with each page's `#id` link pointing at its document."""
    hrefs = {str(escape(t.id)): str(escape(t.href)) for t in targets}

    def link(match: re.Match[str]) -> str:
        href = hrefs.get(match.group(1))
        return match.group(0) if href is None else f'href="{href}"'

    return _PAGE_LINK.sub(link, content)


_PAGE_LINK = re.compile(r'href="#(page-[^"]*)"')


def without_page_list(content: str) -> str:
    """The navigation document without its page-list `nav`, for `locate_pages`: the page-list's
    own ids (`page-list-title`) are no place a print page begins, whatever article shares them."""
    return _PAGE_LIST_NAV.sub("", content)


_PAGE_LIST_NAV = re.compile(r'<nav\b[^>]*\bepub:type="page-list".*?</nav>', re.S)


def _page_ids(page_map: PageMap) -> list[str]:
    """Each page's marker id: `page-<folio>`, with the physical page number when a folio repeats."""
    used: set[str] = set()
    ids = []
    for page in page_map.pages:
        ident = f"page-{page.label}"
        if ident in used:
            ident = f"page-{page.label}-{page.number}"
        used.add(ident)
        ids.append(ident)
    return ids


def place_page_breaks(name: str, content: str, page_map: PageMap, targets: Sequence[PageTarget]) -> str:
    """The document with the markers of the pages `targets` puts in it."""
    mine = [(page, target) for page, target in zip(page_map.pages, targets, strict=True) if target.document == name]
    if not mine:
        return content
    root = etree.fromstring(content.encode("utf-8"))
    body = root.find(f"{{{XHTML_NS}}}body")
    assert body is not None, f"{name} has no body"
    pending: list[etree._Element] = []  # blank pages wait for the next page's position
    for page, target in mine:
        marker = _marker(target)
        pending.append(marker)
        if page.blank:
            continue
        where = _position(root, page)
        if where is None:
            continue  # an id the ebook lacks: keep it for the next page
        for m in pending:
            _insert(m, *where)
            where = (m, "tail", 0)
        _hoist(pending)
        pending = []
    for m in pending:  # trailing blank pages: at the end of the document
        body.append(m)
    out: bytes = etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")
    return out.decode("utf-8")


def _ids(content: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', content)


def _resolve(page: PageStart, id_to_doc: dict[str, str]) -> tuple[str | None, str | None]:
    for ident, _ in page.anchors:
        if ident in id_to_doc:
            return id_to_doc[ident], ident
    return None, None


def _marker(target: PageTarget) -> etree._Element:
    span = etree.Element(f"{{{XHTML_NS}}}span", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    span.set(f"{{{EPUB_NS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", target.id)
    span.set("aria-label", target.label)
    return span


Slot = tuple[etree._Element, str]  # (element, "text" | "tail")


def _slots(el: etree._Element) -> Iterator[Slot]:
    """Every text node under `el` in reading order, then the text after it."""
    if isinstance(el.tag, str):
        yield el, "text"
        for child in el:
            yield from _slots(child)
    yield el, "tail"


def _position(root: etree._Element, page: PageStart) -> tuple[etree._Element, str, int] | None:
    """Element, slot and character index of the word that starts `page`."""
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for ident, offset in page.anchors:
        start = by_id.get(ident)
        if start is None:
            continue
        remaining = offset
        for el, kind in _following_slots(start):
            text = (el.text if kind == "text" else el.tail) or ""
            for index, ch in enumerate(text):
                if ch.isalnum():
                    if remaining == 0:
                        while index > 0 and not text[index - 1].isspace():
                            index -= 1  # a word hyphenated across pages: mark it whole
                        return el, kind, index
                    remaining -= 1
        return None
    return None


def _following_slots(start: etree._Element) -> Iterator[Slot]:
    """Text slots from `start` to the end of the document, in reading order."""
    yield from (s for s in _slots(start) if s != (start, "tail"))
    el = start
    while el is not None:
        yield el, "tail"
        sibling = el.getnext()
        while sibling is not None:
            yield from _slots(sibling)
            sibling = sibling.getnext()
        el = el.getparent()
        if el is not None and el.getparent() is None:
            break  # the root's tail holds no text


def _insert(marker: etree._Element, el: etree._Element, kind: str, index: int) -> None:
    if kind == "text":
        text = el.text or ""
        el.text, marker.tail = text[:index] or None, text[index:] or None
        el.insert(0, marker)
    else:
        text = el.tail or ""
        el.tail, marker.tail = text[:index] or None, text[index:] or None
        el.addnext(marker)


def _hoist(markers: list[etree._Element]) -> None:
    """Move markers that begin an element out in front of it (before a chapter's
    section rather than inside its heading), where a `span` is allowed."""
    while (parent := _hoistable_from(markers)) is not None:
        tail = markers[-1].tail
        parent.text = (parent.text or "") + (tail or "")
        markers[-1].tail = None
        for m in markers:
            parent.addprevious(m)


def _hoistable_from(markers: list[etree._Element]) -> etree._Element | None:
    """The element the markers begin, when they may move out in front of it; else None."""
    first = markers[0]
    parent = first.getparent()
    grand = parent.getparent() if parent is not None else None
    if parent is None or grand is None or _local(parent) == "body" or _local(grand) in NO_PHRASING or _in_nav(grand):
        return None
    if (parent.text or "").strip() or parent.index(first) != 0:
        return None
    tail = markers[-1].tail
    if tail is not None and tail.strip() == "" and markers[-1].getnext() is None and len(parent) == len(markers):
        return None  # nothing after the markers: not the start of this element
    return parent


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _in_nav(el: etree._Element) -> bool:
    return any(_local(a) == "nav" for a in [el, *el.iterancestors()])
