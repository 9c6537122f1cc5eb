"""The print HTML's last adjustments before WeasyPrint lays it out.

Print only; the EPUB is rendered from the same model without them.

Footnotes: the book model keeps an article's notes where Markdown puts them,
a list at the end of the article (`section.footnote`), which is what the EPUB
needs for its pop-up notes. On paper a note belongs at the foot of the page
that cites it: WeasyPrint does that for an element styled `float: footnote`,
on the page where the element sits in the text. So every note's text becomes
a `span.print-note` placed right after its marker, the article's list goes,
and the markers are numbered again from 1 in each chapter (or piece of front
or back matter), in reading order. The marker keeps its digits in the text,
so the print pages and the EPUB count the same letters (see `pagemap`).

Lead-ins: a paragraph ending in ':' right before a list, table or code block
gets the class `lead-in`, which the stylesheet keeps on the page of what it
introduces. Code: each line of a code block becomes a `span.code-line`, so a
line too long for the measure wraps with a hanging indent, and a line ending
in ':' (a YAML key, a shell prompt's lead-in) gets `opens`, which the
stylesheet keeps with the line after it.

Page numbers: `with_page_numbers` writes each link's target page into it
(`data-page`), for a layout without `target-counter()` lookups.
"""

from __future__ import annotations

from lxml import etree, html

SECTIONS = ("chapter", "matter")  # numbering restarts in each
INLINE = "span"


def prepare_for_print(document: str) -> str:
    """The print HTML with notes at their calls, lead-ins marked and code lines wrapped."""
    root = html.document_fromstring(document)
    _notes_at_calls(root)
    _mark_lead_ins(root)
    _split_code_lines(root)
    return _serialise(root, document)


def _serialise(root: etree._Element, document: str) -> str:
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    return str(html.tostring(root, encoding="unicode", doctype=doctype))


LEAD_IN_FOLLOWERS = ("pre", "table", "ul", "ol", "dl", "blockquote")


def _mark_lead_ins(root: etree._Element) -> None:
    for paragraph in root.iter("p"):
        following = paragraph.getnext()
        if following is None or following.tag not in LEAD_IN_FOLLOWERS:
            continue
        if "".join(paragraph.itertext()).rstrip().endswith(":"):
            paragraph.set("class", " ".join([*(paragraph.get("class") or "").split(), "lead-in"]))


def _split_code_lines(root: etree._Element) -> None:
    """`<pre><code>a\nb</code></pre>` to one `span.code-line` per line (plain-text code only)."""
    for code in root.xpath("//pre/code"):
        if len(code) or not code.text:
            continue
        lines = code.text.removesuffix("\n").split("\n")
        code.text = None
        for line in lines:
            opens = line.rstrip().endswith(":")
            span = etree.SubElement(code, "span", {"class": "code-line opens" if opens else "code-line"})
            span.text = line or "\u00a0"  # an empty line keeps its height


def _notes_at_calls(root: etree._Element) -> None:
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


def _numbering_scope(ref: etree._Element) -> str:
    """The chapter or matter section the marker is in, as its path in the document."""
    for ancestor in ref.iterancestors():
        classes = (ancestor.get("class") or "").split()
        if ancestor.tag == "section" and any(name in classes for name in SECTIONS):
            return str(ref.getroottree().getpath(ancestor))
    return ""


def _place(note: etree._Element, number: int, ref: etree._Element) -> None:
    """Put the note's text in a span right after the marker (after its `sup`)."""
    anchor = ref.getparent() if ref.getparent() is not None and ref.getparent().tag == "sup" else ref
    attributes = {"class": "print-note", "id": note.get("id") or "", "data-n": str(number), "data-call": anchor.get("id") or ""}
    span = etree.Element(INLINE, attributes)
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
    the numbers written in, the layout needs no second pass (`PdfBuilder._layout`
    uses this only when a note of the first layout is missing or on another page)."""
    root = html.document_fromstring(document)
    for link in root.xpath("//a[starts-with(@href, '#')]"):
        page = pages.get(link.get("href", "")[1:])
        if page is not None:
            link.set("data-page", page)
    return _serialise(root, document)
