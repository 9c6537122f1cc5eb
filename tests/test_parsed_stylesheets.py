"""The book's stylesheet parsed once per process (`bindery.parsed_stylesheets`)."""

from __future__ import annotations

from pathlib import Path

import weasyprint

from bindery.parsed_stylesheets import stylesheets, with_own_rules
from bindery.print_fetcher import BookURLFetcher
from bindery.weasyprint_log import weasyprint_messages

BOOK_CSS = """
@page { size: 3in 3in; margin: 0.4in; @bottom-center { content: counter(page); } }
p { color: black; font-size: 10pt; }
.note { color: navy; }
"""
HTML = '<html><body><p>One.</p><p class="note" style="break-before: page">Two.</p></body></html>'


def pdf(sheets: list[weasyprint.CSS]) -> bytes:
    return weasyprint.HTML(string=HTML).render(stylesheets=sheets).write_pdf()  # type: ignore[no-any-return]


def test_the_books_rules_and_a_layouts_own_give_the_pdf_of_one_stylesheet_and_the_later_rule_wins() -> None:
    own = "@page :first { counter-reset: page 7; }\n.note { color: maroon; }\n"  # the same selector as the book's: order decides
    css = with_own_rules(BOOK_CSS, own)
    split = stylesheets(css, "file:///", BookURLFetcher({}, []), None)
    assert len(split) == 2
    one = pdf([weasyprint.CSS(string=css)])
    assert pdf(split) == one
    assert one != pdf([weasyprint.CSS(string=BOOK_CSS)])  # the own rules do change the pages (folio 7, maroon)


def test_the_books_part_is_parsed_once_and_each_layouts_own_part_every_time() -> None:
    fetcher = BookURLFetcher({}, [])
    first = stylesheets(with_own_rules(BOOK_CSS + "/* once */", "@page :first { counter-reset: page 3; }"), "file:///", fetcher, None)
    second = stylesheets(with_own_rules(BOOK_CSS + "/* once */", "@page :first { counter-reset: page 9; }"), "file:///", fetcher, None)
    assert first[0] is second[0] and first[1] is not second[1]
    other_base = stylesheets(BOOK_CSS + "/* once */", "file:///elsewhere/", fetcher, None)
    assert other_base[0] is not first[0]  # relative URLs resolve against another folder


def test_a_sheet_that_warned_or_was_refused_a_fetch_is_parsed_and_reported_every_time(tmp_path: Path) -> None:
    warned = BOOK_CSS + "p { colour: red; }"  # an unknown property: WeasyPrint warns
    for _ in range(2):
        with weasyprint_messages() as said:
            sheets = stylesheets(warned, "file:///", BookURLFetcher({}, []), None)
        assert any("colour" in message for message in said)
    assert stylesheets(warned, "file:///", BookURLFetcher({}, []), None)[0] is not sheets[0]

    secret = tmp_path / "secret.woff"
    secret.write_bytes(b"not a font")
    refused_css = BOOK_CSS + f'@font-face {{ font-family: X; src: url("{secret.as_uri()}"); }}'
    for _ in range(2):
        fetcher = BookURLFetcher({}, [])
        with weasyprint_messages():
            stylesheets(refused_css, "file:///", fetcher, weasyprint.text.fonts.FontConfiguration())
        assert fetcher.refused == [secret.as_uri()]  # each layout's fetcher reports it


def test_a_sheet_with_an_import_is_parsed_every_time(tmp_path: Path) -> None:
    """An imported file may change while the process lives (the preview's worker): read it again."""
    extra = tmp_path / "templates" / "extra.css"
    extra.parent.mkdir()
    extra.write_text("p { color: red; }")
    css = '@import url("templates/extra.css");\n' + BOOK_CSS
    fetcher = BookURLFetcher({}, [extra.parent])
    first = stylesheets(css, tmp_path.as_uri() + "/", fetcher, None)
    second = stylesheets(css, tmp_path.as_uri() + "/", fetcher, None)
    assert fetcher.refused == [] and first[0] is not second[0]
