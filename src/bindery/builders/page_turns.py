"""No word hyphenated across a page turn: the reader would turn the leaf mid-word.

WeasyPrint has no `hyphenate-limit-last`, so the PDF builder does its work
after the layout: `hyphenated_at_page_turns` reads the laid-out pages for a
last body line that ends in a hyphenation break, and `kept_whole` wraps that
word, wherever the book has it, in a `span.keep-whole` (`hyphens: manual` in
the print stylesheet) for the next layout. The spans add no letters, so the
EPUB's page map counts the same text. A layout that moves a break onto
another word is read again, a few passes at most (`PdfBuilder._layout`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import weasyprint
from lxml import etree, html
from weasyprint.formatting_structure import boxes

HYPHENS = ("\u2010", "-", "\u00ad")  # WeasyPrint's hyphenate-character, and its fallbacks
WORD = re.compile(r"\w+")
SKIP = ("pre", "code", "script", "style")
KEEP_WHOLE = "keep-whole"


def hyphenated_at_page_turns(document: weasyprint.Document) -> list[str]:
    """The words broken by hyphenation between one page's last line and the next page's first."""
    pages = [_flow_lines(page._page_box) for page in document.pages]
    words = []
    for lines, following in zip(pages, pages[1:], strict=False):
        if not lines or not following:
            continue
        if not _hyphenated(lines[-1]):
            continue
        before = WORD.findall(_text(lines[-1]))
        if len(before) == 1 and len(lines) > 1 and _hyphenated(lines[-2]):
            before = [WORD.findall(_text(lines[-2]))[-1] + before[0]]  # "cul-" / "tiv-" / "ate": one word
        after = WORD.match(_text(following[0]).lstrip())
        if before and after:
            words.append(before[-1] + after.group())
    return list(dict.fromkeys(words))


def kept_whole(document: str, words: list[str]) -> str:
    """The print HTML with every occurrence of `words` (outside code) in a `span.keep-whole`."""
    if not words:
        return document
    pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)) + r")\b")
    root = html.document_fromstring(document)
    for element in list(root.body.iter()):
        if not isinstance(element.tag, str) or element.tag in SKIP or _inside_code(element):
            continue
        if element.get("class") == KEEP_WHOLE:
            continue
        _wrap_text(element, pattern)
        for child in list(element):
            _wrap_tail(child, pattern)
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    return str(html.tostring(root, encoding="unicode", doctype=doctype))


def _flow_lines(page: boxes.Box) -> list[boxes.LineBox]:
    """The page's line boxes in the text flow (no margin boxes, no footnotes), top to bottom."""
    found = list(_lines(page))
    return sorted(found, key=lambda line: line.position_y)


def _lines(box: boxes.Box) -> Iterator[boxes.LineBox]:
    if isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox):
        return
    if isinstance(box, boxes.LineBox):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child)


def _hyphenated(line: boxes.LineBox) -> bool:
    return _text(line).rstrip().endswith((HYPHENS[0], HYPHENS[2]))


def _text(box: boxes.Box) -> str:
    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", ()))


def _inside_code(element: etree._Element) -> bool:
    return any(ancestor.tag in SKIP for ancestor in element.iterancestors())


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    """`text` split around the matches: plain, word, plain, word, ..., plain."""
    return pattern.split(text)


def _span(word: str) -> etree._Element:
    span = etree.Element("span", {"class": KEEP_WHOLE})
    span.text = word
    return span


def _wrap_text(element: etree._Element, pattern: re.Pattern[str]) -> None:
    pieces = _pieces(element.text or "", pattern)
    if len(pieces) == 1:
        return
    element.text = pieces[0]
    for n in range(1, len(pieces), 2):
        span = _span(pieces[n])
        span.tail = pieces[n + 1]
        element.insert((n - 1) // 2, span)


def _wrap_tail(child: etree._Element, pattern: re.Pattern[str]) -> None:
    pieces = _pieces(child.tail or "", pattern)
    if len(pieces) == 1:
        return
    child.tail = pieces[0]
    anchor = child
    for n in range(1, len(pieces), 2):
        span = _span(pieces[n])
        span.tail = pieces[n + 1]
        anchor.addnext(span)
        anchor = span
