"""Footnotes for the print layout: each note moves to its call.

The book model keeps an article's notes where Markdown puts them, a list at
the end of the article (`section.footnote`), which is what the EPUB needs for
its pop-up notes. On paper a note belongs at the foot of the page that cites
it: WeasyPrint does that for an element styled `float: footnote`, on the page
where the element sits in the text. So, for the print HTML only, every note's
text becomes a `span.print-note` placed right after its marker, the article's
list goes, and the markers are numbered again from 1 in each chapter (or piece
of front or back matter), in reading order. The marker keeps its digits in the
text, so the print pages and the EPUB count the same letters (see `pagemap`).
"""

from __future__ import annotations

from lxml import etree, html

SECTIONS = ("chapter", "matter")  # numbering restarts in each
INLINE = "span"


def notes_at_calls(document: str) -> str:
    """The print HTML with every footnote moved next to its marker (no change without notes)."""
    if "footnote-ref" not in document:
        return document
    root = html.document_fromstring(document)
    counters: dict[str, int] = {}
    for section in root.xpath("//section[contains(concat(' ', @class, ' '), ' footnote ')]"):
        notes = {li.get("id"): li for li in section.iter("li") if li.get("id")}
        article = section.getparent()
        numbers: dict[str, int] = {}
        if article is not None:
            for ref in article.xpath(".//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
                target = (ref.get("href") or "").removeprefix("#")
                note = notes.get(target)
                if note is None:
                    continue
                if target not in numbers:
                    scope = _numbering_scope(ref)
                    counters[scope] = counters.get(scope, 0) + 1
                    numbers[target] = counters[scope]
                    _place(note, numbers[target], ref)
                ref.text = str(numbers[target])
        if all(target in numbers for target in notes):
            section.drop_tree()
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    return str(html.tostring(root, encoding="unicode", doctype=doctype))


def _numbering_scope(ref: etree._Element) -> str:
    """The chapter or matter section the marker is in, as its path in the document."""
    for ancestor in ref.iterancestors():
        classes = (ancestor.get("class") or "").split()
        if ancestor.tag == "section" and any(name in classes for name in SECTIONS):
            return str(ref.getroottree().getpath(ancestor))
    return ""


def _place(note: etree._Element, number: int, ref: etree._Element) -> None:
    """Put the note's text in a span right after the marker (after its `sup`)."""
    span = etree.Element(INLINE, {"class": "print-note", "id": note.get("id") or "", "data-n": str(number)})
    span.text = note.text
    for backref in note.xpath(".//a[contains(concat(' ', @class, ' '), ' footnote-backref ')]"):
        backref.drop_tree()
    for n, child in enumerate(list(note)):
        if n:
            span.append(etree.Element("br"))
        if child.tag in ("p", "div", "ul", "ol", "li", "blockquote", "pre"):
            child.tag = INLINE  # a block inside the paragraph that cites it would end that paragraph
        span.append(child)
    _collapse_newlines(span)
    anchor = ref.getparent() if ref.getparent() is not None and ref.getparent().tag == "sup" else ref
    span.tail = anchor.tail
    anchor.tail = None
    anchor.addnext(span)


def _collapse_newlines(span: etree._Element) -> None:
    """Line breaks of the source as spaces: WeasyPrint keeps them inside a footnote's nested spans."""
    for el in span.iter():
        if el.tag not in ("pre", "code") and el.text:
            el.text = " ".join(el.text.split("\n"))
        if el is not span and el.tail:
            el.tail = " ".join(el.tail.split("\n"))
    span.text = (span.text or "").lstrip() or None


def has_notes(document: str) -> bool:
    return 'class="print-note"' in document


def with_page_numbers(document: str, pages: dict[str, str]) -> str:
    """Every internal link gets `data-page`, the folio of its target, for the stylesheet to print.

    WeasyPrint resolves `target-counter()` by laying pages out again, and a page
    laid out again loses the footnotes the page before it carried over; with
    the numbers written in, a book with notes lays out in one pass."""
    root = html.document_fromstring(document)
    for link in root.xpath("//a[starts-with(@href, '#')]"):
        page = pages.get(link.get("href", "")[1:])
        if page is not None:
            link.set("data-page", page)
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    return str(html.tostring(root, encoding="unicode", doctype=doctype))
