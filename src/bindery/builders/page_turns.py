"""No word hyphenated across a page turn: the reader would turn the leaf mid-word.

WeasyPrint has no `hyphenate-limit-last`. Each layout lays a page's last line
out without hyphenation (`bindery.page_end_lines`), so most turns are whole in
the first layout. This module is the safety net for the few it cannot see (a
break moved up a line by the widows rule or by a heading kept with its
paragraph): `hyphenated_at_page_turns` reads the laid-out pages for a
last body line that ends in a hyphenation break, and `kept_whole` wraps that
word in a `span.keep-whole` (`hyphens: manual` in the print stylesheet) for
the next layout, wherever the top-level section of the body that holds the
turn (a chapter, a part opener, the contents) has it, and nowhere else: a
page turn in one chapter changes no line of another, so a chapter laid out
on its own (`layout_chunks`) keeps the same words whole as in the whole
book. The spans add no letters, so the EPUB's page map counts the same text.
A layout that moves a break onto another word is read again, a few passes at
most (`layout._layout`, `layout_chunks.lay_out_chunk`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

import weasyprint
from lxml import etree, html
from weasyprint.formatting_structure import boxes

HYPHENS = ("\u2010", "-", "\u00ad")  # WeasyPrint's hyphenate-character, and its fallbacks
WORD = re.compile(r"\w+")
SKIP = ("pre", "code", "script", "style")
KEEP_WHOLE = "keep-whole"


Turn = tuple[int, str]  # (the top-level section of the body, counted from 0; the word)


def hyphenated_at_page_turns(document: weasyprint.Document) -> list[Turn]:
    """The words broken by hyphenation between one page's last line and the next page's first,
    each with the top-level section of the body that holds it."""
    numbers: dict[int, dict[int, int]] = {}  # the body element -> its top-level sections' numbers, once per document
    pages = [_flow_lines(page._page_box, numbers) for page in document.pages]
    words = []
    for lines, following in zip(pages, pages[1:], strict=False):
        if not lines or not following:
            continue
        section, last = lines[-1]
        if not ends_hyphenated(last):
            continue
        before = WORD.findall(_text(last))
        if len(before) == 1 and len(lines) > 1 and ends_hyphenated(lines[-2][1]):
            before = [WORD.findall(_text(lines[-2][1]))[-1] + before[0]]  # "cul-" / "tiv-" / "ate": one word
        after = WORD.match(_text(following[0][1]).lstrip())
        if before and after and section >= 0:
            words.append((section, before[-1] + after.group()))
    return list(dict.fromkeys(words))


def kept_whole(document: str, words: Mapping[int, Sequence[str]]) -> str:
    """The print HTML with every occurrence of `words[n]` (outside code) in the body's top-level
    section `n` in a `span.keep-whole`."""
    if not any(words.values()):
        return document
    root = html.document_fromstring(document)
    sections = [child for child in root.body if isinstance(child.tag, str)]
    for n, chosen in sorted(words.items()):
        if chosen and 0 <= n < len(sections):
            _keep_whole_in(sections[n], chosen)
    doctype = "<!DOCTYPE html>" if document.lstrip().lower().startswith("<!doctype html>") else None
    return str(html.tostring(root, encoding="unicode", doctype=doctype))


def _keep_whole_in(section: etree._Element, words: Sequence[str]) -> None:
    if section.tag in SKIP:
        return
    pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True)) + r")\b")
    for element in list(section.iter()):
        if not isinstance(element.tag, str) or element.tag in SKIP or _inside_code(element):
            continue
        if element.get("class") == KEEP_WHOLE:
            continue
        _wrap_text(element, pattern)
        for child in list(element):
            _wrap_tail(child, pattern)


def _flow_lines(page: boxes.Box, numbers: dict[int, dict[int, int]]) -> list[tuple[int, boxes.LineBox]]:
    """The page's line boxes in the text flow (no margin boxes, no footnotes), top to bottom,
    each with its top-level section of the body (-1: none)."""
    found: list[tuple[int, boxes.LineBox]] = []
    for body in _bodies(page):
        if id(body.element) not in numbers:
            numbers[id(body.element)] = {id(c): n for n, c in enumerate(c for c in body.element if isinstance(c.tag, str))}
        sections = numbers[id(body.element)]
        for child in body.children:
            section = sections.get(id(child.element), -1)
            found.extend((section, line) for line in _lines(child))
    return sorted(found, key=lambda item: item[1].position_y)


def _bodies(page: boxes.Box) -> Iterator[boxes.Box]:
    """The page's box for `<body>` (WeasyPrint: page > html > body)."""
    for root in page.children:
        if isinstance(root, boxes.MarginBox | boxes.FootnoteAreaBox):
            continue
        for child in getattr(root, "children", ()):
            if getattr(child, "element_tag", None) == "body" and child.element is not None:
                yield child


def _lines(box: boxes.Box) -> Iterator[boxes.LineBox]:
    if isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox):
        return
    if isinstance(box, boxes.LineBox):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child)


def ends_hyphenated(line: boxes.LineBox) -> bool:
    """The line ends in a hyphenation break (WeasyPrint's hyphenate-character or a soft hyphen's)."""
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
