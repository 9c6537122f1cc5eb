"""frozen_heap (bindery/frozen_heap.py): the collector skips older objects inside the block, and nothing else changes."""

from __future__ import annotations

import gc

import pytest
from weasyprint import HTML

from bindery.frozen_heap import frozen_heap


def test_objects_alive_before_are_frozen_inside_and_released_after() -> None:
    assert gc.get_freeze_count() == 0
    alive = [object() for _ in range(100)]
    with frozen_heap():
        assert gc.get_freeze_count() >= len(alive)
    assert gc.get_freeze_count() == 0


def test_nested_blocks_unfreeze_only_when_the_outermost_ends() -> None:
    alive = [object() for _ in range(1000)]
    with frozen_heap():
        with frozen_heap():
            pass
        # The inner block did not unfreeze (that empties the permanent generation). Not an exact
        # count: a frozen object that dies (another thread's, the test runner's) leaves it.
        assert gc.get_freeze_count() >= len(alive)
    assert gc.get_freeze_count() == 0


def test_an_error_in_the_block_still_unfreezes() -> None:
    with pytest.raises(ValueError), frozen_heap():
        raise ValueError("boom")
    assert gc.get_freeze_count() == 0


def test_garbage_made_in_the_block_is_still_collected() -> None:
    class Node:
        other: object = None

    with frozen_heap():
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle: only the collector frees it
        del a, b
        assert gc.collect() >= 2


def test_layout_and_pdf_bytes_are_the_same_with_and_without_it() -> None:
    html = (
        "<html lang='en'><body>"
        + "<p style='hyphens: auto; text-align: justify'>"
        + "a paragraph of words " * 60
        + "</p>" * 8
        + "</body></html>"
    )
    plain = HTML(string=html).render().write_pdf(pdf_variant="pdf/ua-1")
    with frozen_heap():
        frozen = HTML(string=html).render().write_pdf(pdf_variant="pdf/ua-1")
    assert frozen == plain


def test_laid_out_chunks_do_not_pile_up_in_a_process_that_lays_out_one_after_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool worker lays out chunk after chunk: the dropped ones must be freed every few pages
    (frozen_heap hides them from the collector's full collections, so they piled up: a worker
    of a 200-article book held 530 MB)."""
    from weasyprint.formatting_structure.boxes import PageBox

    import bindery.frozen_heap
    from bindery.layout_chunks import ChunkJob, lay_out_chunk

    monkeypatch.setattr(bindery.frozen_heap, "COLLECT_AFTER_PAGES", 2)
    paragraphs = "".join(f"<p>Paragraph {n}: " + "words in a row " * 40 + "</p>" for n in range(6))
    job = ChunkJob(0, f"<html lang='en'><body>{paragraphs}</body></html>", "@page { size: 5in 8in }", "file:///nowhere/", (), (), "digital")
    gc.collect()
    gc.disable()  # as in a worker, where the freezes keep full collections from them: only `dropped` frees them
    try:
        waiting = []  # page boxes of laid-out chunks still in memory after each job
        for _ in range(5):
            result = lay_out_chunk(job)
            waiting.append(sum(isinstance(o, PageBox) for o in gc.get_objects()))
    finally:
        gc.enable()
    assert result.page_count > 2  # more than COLLECT_AFTER_PAGES: each dropped chunk is freed before the next
    assert waiting[-1] <= waiting[0], waiting  # no pile-up, however many chunks


def test_dropped_layouts_are_collected_less_often_when_more_is_kept_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """A collection walks what is alive too: with 400 pages kept, it waits for 100 dropped ones."""
    import bindery.frozen_heap

    collections: list[int] = []
    monkeypatch.setattr(bindery.frozen_heap, "COLLECT_AFTER_PAGES", 30)
    monkeypatch.setattr(bindery.frozen_heap.gc, "collect", lambda *args: collections.append(1) or 0)
    monkeypatch.setattr(bindery.frozen_heap, "_dropped_pages", 0)
    for _ in range(9):
        bindery.frozen_heap.dropped(10, alive=400)
    assert collections == []
    bindery.frozen_heap.dropped(10, alive=400)
    assert collections == [1]
    for _ in range(3):
        bindery.frozen_heap.dropped(10)
    assert collections == [1, 1]  # nothing kept: every 30 pages
    with frozen_heap():
        for _ in range(5):
            bindery.frozen_heap.dropped(10)
    assert collections == [1, 1]  # never inside a frozen block
