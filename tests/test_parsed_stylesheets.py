"""The book's stylesheet parsed once per process (`bindery.parsed_stylesheets`)."""

from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path

import pytest
import weasyprint

from bindery.parsed_stylesheets import shared_place, stylesheets, with_own_rules
from bindery.print_fetcher import BookURLFetcher
from bindery.weasyprint_log import weasyprint_messages
from conftest import BOOKS, EPOCH

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
    relative = BOOK_CSS + '.note { background: url("paper.png"); }'
    here = stylesheets(relative, "file:///book/", fetcher, None)
    assert stylesheets(relative, "file:///book/", fetcher, None)[0] is here[0]
    assert stylesheets(relative, "file:///elsewhere/", fetcher, None)[0] is not here[0]  # its URL resolves against another folder
    assert stylesheets(BOOK_CSS + "/* once */", "file:///elsewhere/", fetcher, None)[0] is first[0]  # no URL: the folder is no matter


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


def test_only_a_sheet_whose_files_are_all_bindery_s_own_is_shared_by_books_in_other_folders(tmp_path: Path) -> None:
    """Every book's fetcher lets in Bindery's built-in templates alike; nothing else is shared."""
    import bindery.pipeline
    from bindery.templating import default_templates_dir

    font = (default_templates_dir() / "shared" / "fonts" / "CharisSIL-Regular.ttf").resolve()
    assert font.is_file()
    own = f'@font-face {{ font-family: C; src: url("{font.as_uri()}"); }}'
    assert shared_place(own + 'p { background: url("data:image/png;base64,AAAA"); }', "file:///book/") == ""
    for other in (
        'url("fonts/mine.ttf")',  # relative: the book's folder
        f'url("{(tmp_path / "mine.ttf").as_uri()}")',  # a file elsewhere: what this book's fetcher allows
        'url("https://example.org/x.woff")',
        'url("fi\\6c e:///x.ttf")',  # an escape WeasyPrint would read as file:
        f'url("{font.parent.as_uri()}/../../../../../etc/passwd")',  # out of the templates by ..
    ):
        assert shared_place(own + f"@font-face {{ font-family: D; src: {other}; }}", "file:///book/") == "file:///book/", other
    assert shared_place(own + '@import "x.css";', "file:///book/") == "file:///book/"
    for spelled in ('p { background: URL("paper.png"); }', 'p { background: u\\72l("paper.png"); }', '@IMPORT "x.css";'):
        assert shared_place(own + spelled, "file:///book/") == "file:///book/", spelled  # CSS is case-blind and reads escapes

    import bindery.font_configs
    import bindery.parsed_stylesheets

    def pdf_of(folder: Path) -> bytes:
        book = Path(shutil.copytree(BOOKS / "minimal", folder))
        result = bindery.pipeline.build(book, ("pdf",), folder / "out", cache=False)
        return next(a.data for a in result.artifacts if a.path.name.endswith(".pdf") and not a.path.name.endswith("-cover.pdf"))

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        mp.setattr(bindery.parsed_stylesheets, "_parsed", OrderedDict())
        mp.setattr(bindery.font_configs, "_configurations", {})
        first = pdf_of(tmp_path / "one")
        parsed = list(bindery.parsed_stylesheets._parsed.values())
        assert pdf_of(tmp_path / "two") == first  # the same pages as a book of its own
        assert list(bindery.parsed_stylesheets._parsed.values()) == parsed  # from the first book's parse
