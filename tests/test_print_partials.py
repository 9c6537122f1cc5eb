"""The print templates are partials a book overrides one at a time; both sets share fonts and article macros.

Most tests render through `render_print` (no layout, fast); one builds the PDF
of a small book twice to see a title-page override on paper and every other
page unchanged.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bindery.numerals import from_roman, to_roman
from bindery.output_names import output_names
from bindery.pipeline import load_book
from bindery.render import render_ebook, render_print
from bindery.templating import Templates, default_templates_dir
from conftest import BOOKS, ROOT, build_book, pdf_pages_text

PRINT = default_templates_dir() / "print"
# The partials docs/FORMATS.md promises an author may override in templates/print/.
PARTIALS = (
    "_halftitle.html.j2",
    "_titlepage.html.j2",
    "_copyright.html.j2",
    "_contents.html.j2",
    "_matter.html.j2",
    "_part.html.j2",
    "_chapter.html.j2",
    "_article.html.j2",
    "_further-reading.html.j2",
    "_index.html.j2",
)
TITLE_PAGE = """<section class="title-page" id="title-page">
<h1 class="book-title">{{ meta.title }}</h1>
<p class="author">Overridden title page by {{ meta.author_names }}</p>
</section>
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BOOKS / "xref", tmp_path / "book"))


def print_html(root: Path) -> str:
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    return render_print(book, xrefs, Templates(root, "print")).html


def title_page(html: str) -> str:
    match = re.search(r'<section class="title-page".*?</section>\n', html, re.S)
    assert match, "no title page in the print HTML"
    return match.group(0)


def test_every_partial_the_docs_list_is_in_the_print_set_and_included() -> None:
    formats = (ROOT / "docs" / "FORMATS.md").read_text(encoding="utf-8")
    used = "".join(p.read_text(encoding="utf-8") for p in PRINT.glob("*.html.j2"))
    for name in PARTIALS:
        assert (PRINT / name).is_file(), name
        assert f'"{name}"' in used, f"{name} is never included"
        assert f"`{name}`" in formats, f"docs/FORMATS.md does not list {name}"


def test_a_title_page_override_replaces_only_the_title_page(book: Path) -> None:
    before = print_html(book)
    (book / "templates" / "print").mkdir(parents=True)
    (book / "templates" / "print" / "_titlepage.html.j2").write_text(TITLE_PAGE, encoding="utf-8")
    after = print_html(book)
    assert "Overridden title page by" in title_page(after)
    assert "Overridden title page by" not in before
    assert before.replace(title_page(before), "") == after.replace(title_page(after), "")


def test_a_chapter_partial_override_sees_the_chapter_and_the_shared_macros(book: Path) -> None:
    (book / "templates" / "print").mkdir(parents=True)
    (book / "templates" / "print" / "_article.html.j2").write_text(
        '<div class="mine" id="{{ article.id }}">{{ chapter.number }}/{{ article.title }}{{ article_header(article, for_print=true) }}</div>\n',
        encoding="utf-8",
    )
    html = print_html(book)
    assert '<div class="mine" id="glazes">1/Mixing Glazes' in html
    assert 'class="article-title"' not in html  # the built-in article partial is not used any more
    assert '<section class="title-page"' in html  # and everything else is still built in


def test_the_shared_article_macros_can_be_overridden_for_one_set_only(book: Path) -> None:
    macros = (default_templates_dir() / "shared" / "_article-macros.j2").read_text(encoding="utf-8")
    (book / "templates" / "ebook").mkdir(parents=True)
    (book / "templates" / "ebook" / "_article-macros.j2").write_text(
        macros.replace('<p class="dek">', '<p class="dek ebook-only">'), encoding="utf-8"
    )
    loaded = load_book(book)
    ebook = "".join(d.content for d in render_ebook(loaded.book, loaded.xrefs, Templates(book, "ebook")).documents)
    assert 'class="dek ebook-only"' in ebook
    assert "ebook-only" not in print_html(book)


def test_both_sets_find_the_shared_fonts_and_a_book_override_wins(book: Path) -> None:
    shared = default_templates_dir() / "shared" / "fonts" / "CharisSIL-Bold.ttf"
    for kind in ("print", "ebook"):
        assert Templates(book, kind).find("fonts/CharisSIL-Bold.ttf").resolve() == shared.resolve()  # type: ignore[arg-type]
    assert not (PRINT / "fonts").exists(), "the fonts live in templates/shared/fonts/ only"
    mine = book / "templates" / "print" / "fonts" / "CharisSIL-Bold.ttf"
    mine.parent.mkdir(parents=True)
    shutil.copyfile(shared, mine)
    assert Templates(book, "print").find("fonts/CharisSIL-Bold.ttf") == mine


@pytest.mark.slow
def test_a_title_page_override_shows_in_the_pdf_and_the_other_pages_are_unchanged(tmp_path: Path) -> None:
    root = Path(shutil.copytree(BOOKS / "minimal", tmp_path / "book"))
    before = pdf_pages_text(build_book(root, tmp_path / "before", ("pdf",)).pdf)
    (root / "templates" / "print").mkdir(parents=True)
    (root / "templates" / "print" / "_titlepage.html.j2").write_text(TITLE_PAGE, encoding="utf-8")
    after = pdf_pages_text(build_book(root, tmp_path / "after", ("pdf",)).pdf)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1, changed
    assert "Overridden title page by Test Writer" in after[changed[0]]
    assert "A Minimal Book" in before[changed[0]] and "Overridden" not in before[changed[0]]


@pytest.mark.parametrize(("number", "text"), [(1, "i"), (4, "iv"), (9, "ix"), (14, "xiv"), (40, "xl"), (90, "xc"), (1994, "mcmxciv")])
def test_roman_numerals_both_ways(number: int, text: str) -> None:
    assert to_roman(number) == text
    assert from_roman(text) == from_roman(text.upper()) == number


def test_output_names_come_from_the_slug_unless_the_manifest_names_the_epub() -> None:
    names = output_names("my-book")
    assert (names.epub, names.pdf, names.cover) == ("my-book.epub", "my-book.pdf", "my-book-cover.pdf")
    assert output_names("my-book", "other.epub").epub == "other.epub"
