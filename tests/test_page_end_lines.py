"""A page's last line is laid out without hyphenation, in the first layout (`bindery.page_end_lines`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline

from bindery import layout
from bindery.builders.page_turns import hyphenated_at_page_turns
from bindery.page_end_lines import lines_never_hyphenated_at_page_end
from bindery.print_fetcher import BookURLFetcher
from bindery.render import PrintRendering
from test_page_turns import CSS, PAGE, render

# Three narrow paragraphs: the first two end on page 1 with hyphenated lines inside them, the
# third runs over the page turn with its last line on page 1 ending in "extraordin-".
MIDDLE = '<p lang="en" style="width: 1.3in">Unquestionably characteristic incomprehensibilities.</p>'
SPANNING = (
    '<div style="height: 200pt"></div>'
    + MIDDLE
    + MIDDLE
    + '<p lang="en" style="width: 1.3in">Quite extraordinary incomprehensibilities follow.</p>'
)


def page_lines(document: weasyprint.Document) -> list[list[tuple[float, str]]]:
    """Each page's lines in the text flow: (top, text)."""
    return [[(round(line.position_y, 3), _text(line)) for line in _lines(page._page_box)] for page in document.pages]


def words(pages: list[list[tuple[float, str]]]) -> list[str]:
    """The words of these lines, a word hyphenated at a line's end joined again."""
    return " ".join(text for lines in pages for _, text in lines).replace("\u2010 ", "").split()


def _lines(box: boxes.Box) -> list[boxes.LineBox]:
    if isinstance(box, boxes.LineBox):
        return [box]
    if isinstance(box, boxes.MarginBox):
        return []
    return [line for child in getattr(box, "children", ()) for line in _lines(child)]


def _text(box: boxes.Box) -> str:
    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", ()))


def test_weasyprint_alone_hyphenates_the_last_line_and_bindery_moves_the_word_whole() -> None:
    assert hyphenated_at_page_turns(render(PAGE)) == [(1, "extraordinary")]  # the case exists without Bindery
    with lines_never_hyphenated_at_page_end():
        document = render(PAGE)
    assert hyphenated_at_page_turns(document) == []
    first, second = page_lines(document)
    assert [text for _, text in first] == ["Quite"]
    assert second[0][1].startswith("extraordinary")
    assert words([first, second]) == "Quite extraordinary incomprehensibilities follow.".split()  # every word, none cut


def test_only_the_line_that_ends_the_page_changes() -> None:
    plain = page_lines(render(SPANNING))
    with lines_never_hyphenated_at_page_end():
        fixed = page_lines(render(SPANNING))
    assert plain[0][-1][1].endswith("\u2010")  # WeasyPrint's page 1 ends in a hyphenation break
    assert any(text.endswith("\u2010") for _, text in plain[0][:-1])  # and has others above it
    assert fixed[0][:-1] == plain[0][:-1]  # those stay, at the same heights
    assert fixed[0][-1][0] == plain[0][-1][0] and not fixed[0][-1][1].endswith("\u2010")
    assert words(fixed) == words(plain)


def test_a_document_with_no_hyphen_at_a_page_end_is_laid_out_as_weasyprint_lays_it_out() -> None:
    body = '<div style="height: 150pt"></div>' + MIDDLE * 6  # hyphenated lines, page turns between whole words
    plain = render(body)
    with lines_never_hyphenated_at_page_end():
        fixed = render(body)
    assert len(plain.pages) == 2 and hyphenated_at_page_turns(plain) == []
    assert page_lines(fixed) == page_lines(plain)
    assert fixed.write_pdf() == plain.write_pdf()


def test_weasyprint_is_itself_again_after_the_block_and_nested_blocks_keep_it() -> None:
    originals = (block.iter_line_boxes, inline.split_first_line)
    with lines_never_hyphenated_at_page_end():
        with lines_never_hyphenated_at_page_end():
            pass
        assert hyphenated_at_page_turns(render(PAGE)) == []  # still on after the inner block
    assert (block.iter_line_boxes, inline.split_first_line) == originals
    assert hyphenated_at_page_turns(render(PAGE)) == [(1, "extraordinary")]


def test_a_chapter_with_such_a_turn_is_laid_out_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Bindery's passes (`layout.lay_out_keeping_turns_whole`): one layout, nothing kept whole."""
    calls = []
    render_text = layout.render_text

    def counted(*args: object) -> weasyprint.Document:
        calls.append(1)
        return render_text(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(layout, "render_text", counted)
    run = layout.Run(fetcher=BookURLFetcher({}, []))
    html = f'<html lang="en"><body>{PAGE}</body></html>'
    document, text = layout.lay_out_keeping_turns_whole(html, PrintRendering(html, CSS, tmp_path), run)
    assert len(calls) == 1 and run.kept() == () and "keep-whole" not in text
    assert hyphenated_at_page_turns(document) == []
