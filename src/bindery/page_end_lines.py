"""The last line of a page is laid out without hyphenation: one change to WeasyPrint, confined here.

A word hyphenated across a page turn makes the reader turn the leaf mid-word.
CSS would say `hyphenate-limit-last: always`; WeasyPrint (70) has no such
property. Bindery used to find those words after a layout and lay the chapter
out again with each kept whole (`builders/page_turns.py`), which cost a second
layout of nearly every chapter, sometimes a third.

`lines_never_hyphenated_at_page_end()` replaces, while a book is laid out,
WeasyPrint's `iter_line_boxes` (the generator of a paragraph's lines, read by
`weasyprint.layout.block`) with one that looks one line ahead: when the next
line would run past the bottom of the page, and this line ends in a
hyphenation break, this line is laid out again with hyphenation off (as
`hyphens: manual`), so the word moves whole to the next page. Nothing else
changes: the same lines are produced in the same order, and a line that ends
no page is the line WeasyPrint makes. The after-the-layout check stays as the
safety net for the rare turn this cannot see: a footnote laid out after its
line was accepted takes the room of the lines below it, or the widows rule or
a heading kept with its paragraph moves the break up (on a generated
50-article book, 6 chapters of 54 still needed a second layout, against
nearly all before). tests/test_page_end_lines.py shows WeasyPrint alone
breaking a turn, and Bindery's layout of the same page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock
from typing import Any

from weasyprint.layout import block, inline
from weasyprint.layout.percent import resolve_one_percentage, resolve_percentages

from bindery.builders.page_turns import ends_hyphenated

_NO_HYPHENATION: ContextVar[bool] = ContextVar("bindery_no_hyphenation", default=False)
_LOCK = Lock()
_USERS = 0
_ORIGINAL_ITER = block.iter_line_boxes
_ORIGINAL_SPLIT = inline.split_first_line


def _split_first_line(text: str, style: Any, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's `split_first_line`, with `hyphens: auto` read as `manual` while a page's last
    line is laid out again."""
    if _NO_HYPHENATION.get() and style["hyphens"] == "auto":
        style = style.copy()
        style["hyphens"] = "manual"
    return _ORIGINAL_SPLIT(text, style, *args, **kwargs)


def _iter_line_boxes(
    context: Any,
    box: Any,
    position_y: float,
    bottom_space: float,
    skip_stack: Any,
    containing_block: Any,
    absolute_boxes: list[Any],
    fixed_boxes: list[Any],
    first_letter_style: Any,
    first_line_style: Any,
) -> Iterator[tuple[Any, Any]]:
    """WeasyPrint's `iter_line_boxes`, one line ahead (see the module's docstring)."""
    resolve_percentages(box, containing_block)
    if skip_stack is None:
        resolve_one_percentage(box, "text_indent", containing_block.width)
    else:
        box.text_indent = 0

    def lay_out(y: float, skip: Any, letter: Any, first: Any, indent: Any, hyphenate: bool = True) -> tuple[Any, Any]:
        box.text_indent = indent
        token = _NO_HYPHENATION.set(not hyphenate)
        try:
            line, resume_at = inline.get_next_linebox(
                context, box, y, bottom_space, skip, containing_block, absolute_boxes, fixed_boxes, letter, first
            )
        finally:
            _NO_HYPHENATION.reset(token)
        if line:
            inline.handle_leader(context, line, containing_block)
        box.text_indent = 0
        return line, resume_at

    start = (position_y, skip_stack, first_letter_style, first_line_style, box.text_indent)
    line, resume_at = lay_out(*start)
    pending = None  # a line laid out ahead and not yet given
    try:
        while line is not None:
            if resume_at is None:
                yield line, None
                return
            following = lay_out(line.position_y + line.height, resume_at, None, None, 0)
            pending = following[0]
            if (
                following[0] is not None
                and ends_hyphenated(line)
                and context.overflows_page(bottom_space, following[0].position_y + following[0].height)
            ):
                block.remove_placeholders(context, following[0].children, absolute_boxes, fixed_boxes)
                block.remove_placeholders(context, line.children, absolute_boxes, fixed_boxes)
                pending = None
                line, resume_at = lay_out(*start, hyphenate=False)
                if line is None:
                    return
                if resume_at is None:
                    yield line, None
                    return
                following = lay_out(line.position_y + line.height, resume_at, None, None, 0)
                pending = following[0]
            yield line, resume_at
            start = (line.position_y + line.height, resume_at, None, None, 0)
            line, resume_at = following
            pending = None
    finally:
        if pending is not None:  # laid out ahead, never given: as if never laid out
            block.remove_placeholders(context, pending.children, absolute_boxes, fixed_boxes)


@contextmanager
def lines_never_hyphenated_at_page_end() -> Iterator[None]:
    """Within this block, WeasyPrint lays a page's last line out without hyphenation."""
    global _USERS
    with _LOCK:
        if _USERS == 0:
            block.iter_line_boxes = _iter_line_boxes
            inline.split_first_line = _split_first_line
        _USERS += 1
    try:
        yield
    finally:
        with _LOCK:
            _USERS -= 1
            if _USERS == 0:
                block.iter_line_boxes = _ORIGINAL_ITER
                inline.split_first_line = _ORIGINAL_SPLIT
