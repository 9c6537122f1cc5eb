"""A layout's footnotes and its page references (`bindery.layout_notes`), on real WeasyPrint layouts."""

from __future__ import annotations

import weasyprint
from weasyprint.css.targets import TargetCollector

from bindery.layout_notes import counting_target_lookups, notes_fixable, with_target_lookups

BODY = '<p id="top">Top.</p><p>Text<span class="print-note" data-call="c1">A note.</span></p><p><a href="#top">back</a></p>'


def render(css: str) -> int:
    """The target lookups of one layout of BODY under `css`."""
    with counting_target_lookups() as lookups:
        weasyprint.HTML(string=f"<html><body>{BODY}</body></html>").render(stylesheets=[weasyprint.CSS(string=css)])
    return lookups[0]


def test_a_layout_that_prints_a_page_reference_is_counted_and_one_that_does_not_is_not() -> None:
    assert render("a::after { content: target-counter(attr(href url), page); }") >= 1
    assert render("a::after { content: ' (see above)'; }") == 0
    assert TargetCollector.lookup_target.__name__ == "lookup_target"  # WeasyPrint's own again after the block


def test_a_note_astray_is_fixable_only_when_the_layout_looked_up_a_page() -> None:
    document = weasyprint.HTML(string=f"<html><body>{BODY}</body></html>").render()  # the note is no footnote: not in place
    text = f"<body>{BODY}</body>"
    assert notes_fixable(document, text)  # a document of unknown origin: as before, fixable
    assert not notes_fixable(with_target_lookups(document, 0), text)
    assert notes_fixable(with_target_lookups(document, 2), text)
    assert not notes_fixable(with_target_lookups(document, 2), "<body><p>No notes.</p></body>")
