"""The layout passes of `bindery.layout._layout`: when a layout is final, and what the next one is given.

WeasyPrint is replaced by a script of fake layouts, so these run in milliseconds:
each fake says which words it hyphenated at a page turn, where each id landed,
and whether its footnotes are in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bindery import layout, layout_notes
from bindery.render import PrintRendering

HTML = '<html><body><p id="a">A paragraph about bookbinding.</p><p><a href="#a">see</a></p>{note}</body></html>'
NOTE = '<p>Text<span class="print-note" data-n="1">A note.</span></p>'


@dataclass
class Fake:
    words: list[tuple[int, str]] = field(default_factory=list)  # (top-level section, word)
    pages: dict[str, str] = field(default_factory=lambda: {"a": "1"})
    notes_in_place: bool = True
    bindery_target_lookups: int = 1  # the target-counter() lookups of the layout (layout_notes)


def run_layouts(monkeypatch: pytest.MonkeyPatch, script: list[Fake], note: bool = False, reread: Any = None) -> list[str]:
    """The texts handed to each layout, the fakes answering in order."""
    texts: list[str] = []

    def render(text: str, rendering: PrintRendering, run: layout.Run) -> Fake:
        texts.append(text)
        return script[min(len(texts), len(script)) - 1]

    monkeypatch.setattr(layout, "render_text", render)
    monkeypatch.setattr(layout, "hyphenated_at_page_turns", lambda doc: doc.words)
    monkeypatch.setattr(layout, "_target_pages", lambda doc: doc.pages)
    monkeypatch.setattr(layout_notes, "notes_in_place", lambda doc, notes: doc.notes_in_place)
    rendering = PrintRendering(HTML.format(note=NOTE if note else ""), "", Path("."))
    layout._layout(rendering, layout.Run(fetcher=None), reread)  # type: ignore[arg-type]  # the fakes never fetch
    return texts


def test_a_first_layout_with_nothing_to_fix_is_the_only_one(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = run_layouts(monkeypatch, [Fake()], note=True)
    assert len(texts) == 1 and "data-page" not in texts[0]


def test_after_a_page_turn_the_next_layout_keeps_the_word_whole_and_has_the_numbers_written_in(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = run_layouts(monkeypatch, [Fake(words=[(0, "bookbinding")], pages={"a": "3"}), Fake(pages={"a": "3"})])
    assert len(texts) == 2
    assert '<span class="keep-whole">bookbinding</span>' in texts[1]
    assert 'data-page="3"' in texts[1]


def test_written_in_numbers_that_moved_are_laid_out_again_until_they_are_the_printed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    script = [Fake(words=[(0, "bookbinding")], pages={"a": "3"}), Fake(pages={"a": "4"}), Fake(pages={"a": "4"})]
    texts = run_layouts(monkeypatch, script)
    assert len(texts) == 3
    assert 'data-page="3"' in texts[1] and 'data-page="4"' in texts[2]


def test_a_footnote_astray_in_the_first_layout_brings_the_numbers_in(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = run_layouts(monkeypatch, [Fake(notes_in_place=False, pages={"a": "2"}), Fake(pages={"a": "2"})], note=True)
    assert len(texts) == 2 and 'data-page="2"' in texts[1] and "keep-whole" not in texts[1]


def test_a_footnote_astray_in_a_layout_that_looked_up_no_page_number_is_final(monkeypatch: pytest.MonkeyPatch) -> None:
    """Numbers written in would change nothing WeasyPrint laid out: the same pages again."""
    texts = run_layouts(monkeypatch, [Fake(notes_in_place=False, bindery_target_lookups=0), Fake()], note=True)
    assert len(texts) == 1


def test_layouts_that_never_settle_stop_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    script = [Fake(pages={"a": str(n)}, notes_in_place=False) for n in range(1, 20)]
    texts = run_layouts(monkeypatch, script, note=True)
    assert len(texts) == 1 + layout.MAX_PAGE_TURN_PASSES + layout.MAX_NUMBERING_PASSES


def test_an_index_is_printed_with_the_pages_of_the_layout_before_in_the_same_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A book with an index: the page-turn pass also prints the index's ranges; laid out twice, not three times."""
    asked: list[int] = []

    def reread(document: Fake) -> PrintRendering | None:
        asked.append(1)
        if len(asked) > 1:  # the second layout printed the ranges it has
            return None
        return PrintRendering(HTML.format(note='<p class="book-index">bookbinding, 3</p>'), "", Path("."))

    texts = run_layouts(monkeypatch, [Fake(words=[(0, "bookbinding")], pages={"a": "3"}), Fake(pages={"a": "3"})], reread=reread)
    assert len(texts) == 2 and "book-index" not in texts[0]
    assert "bookbinding, 3" in texts[1] and '<span class="keep-whole">bookbinding</span>' in texts[1]


def test_an_index_whose_ranges_moved_is_printed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    ranges = iter(["3", "4"])

    def reread(document: Fake) -> PrintRendering | None:
        page = next(ranges, None)
        return None if page is None else PrintRendering(HTML.format(note=f'<p class="book-index">index, {page}</p>'), "", Path("."))

    texts = run_layouts(monkeypatch, [Fake(), Fake(), Fake()], reread=reread)
    assert len(texts) == 3 and "index, 3" in texts[1] and "index, 4" in texts[2]
