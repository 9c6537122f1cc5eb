"""A layout's footnotes: each at the foot of its marker's page, or fixable by a layout with numbers written in.

A layout whose footnotes are not all at the foot of their marker's page is
laid out again with the page numbers written in (`layout.settle_notes`),
because WeasyPrint loses carried-over footnotes on the pages it lays out a
second time to resolve `target-counter()`. A layout that resolved none laid
no page out twice: written-in numbers would give the same pages, so that
second layout is skipped. On a generated 50-article book 15 of 54 chapters
had such a note (one that did not fit on its page) and no page reference.

Whether a layout resolved any `target-counter()` is the one fact WeasyPrint
does not keep: `counting_target_lookups()` counts, while a book is laid out,
the calls to WeasyPrint's `TargetCollector.lookup_target` (every
`target-counter()`, `target-counters()` and `target-text()` it evaluates)
made in this thread, and `with_target_lookups` writes the count on the
document (`layout.render_text`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock
from typing import Any

import weasyprint
from weasyprint.css.targets import TargetCollector
from weasyprint.formatting_structure import boxes

from bindery.builders.print_html import has_notes

_COUNT: ContextVar[list[int] | None] = ContextVar("bindery_target_lookups", default=None)
_LOCK = Lock()
_USERS = 0
_ORIGINAL = TargetCollector.lookup_target
_LOOKUPS = "bindery_target_lookups"  # the attribute `with_target_lookups` sets on a document


def notes_fixable(document: weasyprint.Document, text: str) -> bool:
    """A footnote of this layout (of `text`) is not at the foot of its marker's page, and a layout
    with the page numbers written in could put it there: this layout resolved a `target-counter()`
    (a document of unknown origin counts as one that did)."""
    if not has_notes(text) or not getattr(document, _LOOKUPS, 1):
        return False
    return not notes_in_place(document, text.count('class="print-note"'))


def notes_in_place(document: weasyprint.Document, notes: int) -> bool:
    """Every footnote laid out once, at the foot of the page that holds its marker."""
    placed = 0
    for page in document.pages:
        for area in page._page_box.children:  # WeasyPrint keeps the laid-out boxes here
            if not isinstance(area, boxes.FootnoteAreaBox):
                continue
            for note in area.children:
                call = note.element.get("data-call") if note.element is not None else None
                if call not in page.anchors:
                    return False
                placed += 1
    return placed == notes


def with_target_lookups(document: weasyprint.Document, lookups: int) -> weasyprint.Document:
    """`document`, marked with the target lookups its layout made (`counting_target_lookups`)."""
    setattr(document, _LOOKUPS, lookups)
    return document


def _lookup_target(self: Any, *args: Any, **kwargs: Any) -> Any:
    counted = _COUNT.get()
    if counted is not None:
        counted[0] += 1
    return _ORIGINAL(self, *args, **kwargs)


@contextmanager
def counting_target_lookups() -> Iterator[list[int]]:
    """Within this block, `[n]`: the target lookups WeasyPrint made in this thread so far."""
    global _USERS
    with _LOCK:
        if _USERS == 0:
            TargetCollector.lookup_target = _lookup_target
        _USERS += 1
    counted = [0]
    token = _COUNT.set(counted)
    try:
        yield counted
    finally:
        _COUNT.reset(token)
        with _LOCK:
            _USERS -= 1
            if _USERS == 0:
                TargetCollector.lookup_target = _ORIGINAL
