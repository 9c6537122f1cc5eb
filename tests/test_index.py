"""The back-of-book index: marks, index.yaml, sorting, page ranges, warnings,
and one small book built in both formats."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import markdown
import pytest

from bindery.diagnostics import BinderyError
from bindery.indexing.collation import letter_group, sort_key
from bindery.indexing.entries import MAX_LOCATORS, build_index
from bindery.indexing.markup import IndexExtension
from bindery.indexing.pages import group_pages
from bindery.indexing.terms import IndexTerm, IndexTerms, load_index_terms, mark_terms
from bindery.manifest import load_manifest
from bindery.model.types import IndexMark
from bindery.pipeline import build, load_book
from conftest import EPOCH


def marks_of(text: str) -> tuple[str, IndexExtension]:
    ext = IndexExtension()
    html = markdown.Markdown(extensions=["attr_list", "smarty", ext], output_format="xhtml").convert(text)
    return html, ext


# --- Marking terms ------------------------------------------------------------


def test_a_mark_keeps_its_text_and_records_entry_sub_entry_sort_and_references() -> None:
    html, ext = marks_of('The [spine *width*]{.index term="Cover!spine width" sort="cover"} and [EPUB]{.index seealso="Ebook; PDF"}.')
    assert '<span class="index-term" id="ix--1">spine <em>width</em></span>' in html
    first, second = ext.marks
    assert first.path == ("Cover", "spine width") and first.text == "spine width" and first.sort == "cover"
    assert second.path == ("EPUB",) and second.see_also == ("Ebook", "PDF")
    assert not ext.problems


def test_an_invisible_mark_and_a_see_reference() -> None:
    html, ext = marks_of('Text []{.index term="e-book" see="EPUB"} more.')
    assert '<span class="index-term" id="ix--1"></span>' in html
    assert ext.marks[0].see == "EPUB" and ext.marks[0].text == ""


def test_marks_inside_code_stay_code_and_other_tools_see_plain_brackets() -> None:
    html, ext = marks_of("Write `[term]{.index}` to mark a term.")
    assert "<code>[term]{.index}</code>" in html and not ext.marks


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[x]{.index bogus=1}", "unknown index attribute 'bogus'"),
        ('[x]{.index term="a!b!c"}', "has 3 levels"),
        ("[]{.index}", "needs a term"),
    ],
)
def test_bad_marks_are_reported(text: str, problem: str) -> None:
    _, ext = marks_of(text)
    assert ext.problems and problem in ext.problems[0].message


def test_a_bad_mark_is_a_warning_with_the_article_line(tmp_path: Path) -> None:
    book = small_book(tmp_path, one='Line one.\n\nLine two [x]{.index term="a!b!c"}.\n')
    warnings = load_book(book).warnings
    found = [str(w) for w in warnings if w.code == "index-mark"]
    assert found == [
        f"{book / 'chapters/one.md'}:7: warning: index term 'a!b!c' has 3 levels (use at most an entry and a sub-entry: Entry!sub-entry) [index-mark]"
    ]


# --- Sorting ------------------------------------------------------------------


def test_sorting_skips_the_leading_article_and_puts_accents_after_the_plain_letter() -> None:
    words = ["Zebra", "The Manifest", "Ecru", "éclair", "eclair", "apple", "EPUB"]
    assert sorted(words, key=lambda w: sort_key(w, "en")) == ["apple", "eclair", "éclair", "Ecru", "EPUB", "The Manifest", "Zebra"]
    assert letter_group("The Manifest", "en") == "M" and letter_group("Éclair", "en") == "E"
    assert letter_group("Le Monde", "fr") == "M" and letter_group("Le Monde", "en") == "L"
    assert letter_group("3D printing", "en") == "Symbols & Numbers"


# --- Page numbers ---------------------------------------------------------------


def test_consecutive_pages_collapse_into_a_range_and_one_page_is_listed_once() -> None:
    pages = {"a": (10, "9"), "b": (10, "9"), "c": (11, "10"), "d": (12, "11"), "e": (14, "13"), "f": (3, "iii"), "g": (4, "iv")}
    groups = group_pages(["a", "b", "c", "d", "e", "f", "g", "unknown"], pages)
    assert [g.label for g in groups] == ["iii", "iv", "9\u201311", "13", ""]
    assert (groups[2].first, groups[2].last) == ("a", "d") and groups[-1].first == "unknown"


# --- index.yaml and terms found in the text -------------------------------------


def terms(*items: IndexTerm, every: bool = False) -> IndexTerms:
    return IndexTerms("index.yaml", items, every)


def test_terms_are_found_as_whole_words_case_folded_once_per_section() -> None:
    html = "<p>The Manifest lists manifests; a manifest again.</p><h2>Next</h2><p>MANIFEST and <code>manifest</code> and <a href='#x'>manifest</a>.</p>"
    out, marks = mark_terms(html, terms(IndexTerm(("Manifest",), ("manifest",))), "art", 3)
    assert [m.text for m in marks] == ["Manifest", "MANIFEST"]  # first in each section; code and links left alone
    assert '<span class="index-term" id="art--ix--3">Manifest</span> lists manifests' in out
    assert "<code>manifest</code>" in out and ">manifest</a>" in out
    _, every = mark_terms(html, terms(IndexTerm(("Manifest",), ("manifest",)), every=True), "art", 1)
    assert len(every) == 3


def test_index_yaml_errors_name_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "index.yaml").write_text("occurrences: sometimes\nterms:\n  - EPUB\n  - {term: a!b!c}\n  - {term: X, sea: Y}\n")
    with pytest.raises(BinderyError) as err:
        load_index_terms(tmp_path, "index.yaml")
    messages = [str(d) for d in err.value.diagnostics]
    assert messages[0].startswith("index.yaml:1: occurrences: must be 'first' or 'every'")
    assert any(m.startswith("index.yaml:4: terms[1].term: needs one term") for m in messages)
    assert any(m.startswith("index.yaml:5: terms[2].sea: unknown key (did you mean 'see'?)") for m in messages)


def test_index_yaml_that_is_not_yaml_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "index.yaml").write_text("terms:\n  - [unclosed\n")
    with pytest.raises(BinderyError) as err:
        load_index_terms(tmp_path, "index.yaml")
    assert str(err.value.diagnostics[0]).startswith("index.yaml:")


def test_index_yaml_is_read_like_any_untrusted_text(tmp_path: Path) -> None:
    """A huge index.yaml is refused unread (the limit named); a control character is an error with its line."""
    (tmp_path / "index.yaml").write_text("terms:\n" + "  - Term\n" * 200_000)
    with pytest.raises(BinderyError) as err:
        load_index_terms(tmp_path, "index.yaml")
    assert "index.yaml" in str(err.value) and "1 MB" in str(err.value)
    (tmp_path / "index.yaml").write_text("terms:\n  - Bad\x01Term\n")
    with pytest.raises(BinderyError) as err:
        load_index_terms(tmp_path, "index.yaml")
    assert str(err.value.diagnostics[0]).startswith("index.yaml:2:") and "U+0001" in str(err.value)


# --- Building the index and its warnings ---------------------------------------


def mark(ident: str, term: str, **kw: object) -> IndexMark:
    return IndexMark(ident, tuple(term.split("!")), term.split("!")[-1], file="a.md", line=3, **kw)  # type: ignore[arg-type]


def test_entries_merge_case_insensitively_and_sub_entries_sort_under_their_entry() -> None:
    index, warnings = build_index(
        [
            mark("a--ix--1", "Cover!spine width"),
            mark("a--ix--2", "cover!Bleed"),
            mark("a--ix--3", "EPUB"),
            mark("a--ix--4", "e-book", see="EPUB"),
        ],
        None,
        "en",
    )
    assert not warnings
    assert [g.label for g in index.groups] == ["C", "E"]
    cover = index.groups[0].entries[0]
    assert cover.term == "Cover" and [s.term for s in cover.subentries] == ["Bleed", "spine width"]
    ebook = index.groups[1].entries[0]
    assert ebook.term == "e-book" and ebook.locators == () and ebook.see[0][0] == "EPUB" and ebook.see[0][1] is not None


def test_warnings_unused_term_dangling_see_and_too_many_places() -> None:
    many = [mark(f"a--ix--{n}", "Often") for n in range(MAX_LOCATORS + 1)]
    yaml_terms = terms(IndexTerm(("Nowhere",), ("nowhere",), line=4))
    _, warnings = build_index([*many, mark("a--ix--99", "X", see_also=("Missing",))], yaml_terms, "en")
    found = {w.code: str(w) for w in warnings}
    assert found["index-unused"].startswith("index.yaml:4: warning: index term 'Nowhere' is found nowhere")
    assert found["index-see-missing"].startswith("a.md:3: warning: index entry 'X' refers to 'Missing'")
    assert "has 11 places" in found["index-many-locators"]


# --- The manifest and front matter ----------------------------------------------


def small_book(tmp: Path, one: str = "", back: str = "  - {type: index}\n", front: str = "") -> Path:
    (tmp / "chapters").mkdir(exist_ok=True)
    (tmp / "book.yaml").write_text(
        f"title: Small\nlanguage: en\ndate: 2026-01-01\nchapters: [chapters/one.md, chapters/two.md]\nback_matter:\n{back}"
    )
    (tmp / "chapters/one.md").write_text(f"---\ntitle: One\n{front}---\n\n{one or 'The [EPUB]{.index} file.'}\n")
    (tmp / "chapters/two.md").write_text('---\ntitle: Two\n---\n\nMore [EPUB]{.index term="EPUB!again"}.\n')
    return tmp


def test_an_index_takes_no_file(tmp_path: Path) -> None:
    assert load_manifest(small_book(tmp_path)).index is True
    small_book(tmp_path, back="  - {type: index, file: chapters/one.md}\n")
    with pytest.raises(BinderyError, match=r"back_matter\[0\]\.file: unknown key"):
        load_manifest(tmp_path)


def test_front_matter_index_terms_point_at_the_article_and_must_be_text(tmp_path: Path) -> None:
    book = load_book(small_book(tmp_path, front="index: [Openers, Cover!front]\n")).book
    assert book.index is not None
    places = {e.term: e.locators for e in book.index.entries()}
    assert places["Openers"] == ("one",) and places["front"] == ("one",)
    small_book(tmp_path, front="index: {a: b}\n")
    with pytest.raises(BinderyError, match="index: must be a term or a list of terms"):
        load_book(tmp_path)


def test_without_an_index_in_back_matter_marks_are_plain_text(tmp_path: Path) -> None:
    book = load_book(small_book(tmp_path, back="  []\n")).book
    assert book.index is None and 'class="index-term"' in next(book.articles()).html


# --- One small book in both formats ---------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("indexed")
    text = "\n\n".join(f"Paragraph {n} about binding books{' in [EPUB]{.index}' if n % 10 == 0 else ''}." for n in range(80))
    small_book(root, one=text)  # the marks fall on pages in a row
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(root, ("epub", "pdf"), root / "output")
    return root / "output"


def test_the_print_index_collapses_consecutive_pages_into_a_range(built: Path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(built / "small.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    index = next(p for p in pages if p.strip().startswith("Index"))
    found = re.search(r"EPUB, (\d+)\u2013(\d+)", index)
    assert found, index
    first, last = int(found.group(1)), int(found.group(2))
    assert last > first
    assert re.search(r"again, \d+", index) and "Contents" in pages[2] + pages[3] + pages[4]


def test_the_epub_index_links_each_locator_to_its_mark_with_the_print_page(built: Path) -> None:
    with zipfile.ZipFile(built / "small.epub") as z:
        index = z.read("OEBPS/index.xhtml").decode()
        nav = z.read("OEBPS/nav.xhtml").decode()
        chapter = z.read("OEBPS/chapter-1.xhtml").decode()
    assert 'epub:type="index"' in index and 'epub:type="index-entry"' in index
    ranges = re.findall(
        r'<span epub:type="index-locator-range"><a epub:type="index-locator" href="chapter-1.xhtml#(one--ix--\d)">(\d+)</a>', index
    )
    assert ranges and f'id="{ranges[0][0]}">EPUB</span>' in chapter
    assert f'aria-label="{ranges[0][1]}"' in chapter  # the page-list has that page
    assert '<a epub:type="index" href="index.xhtml#index">Index</a>' in nav
    assert '<a href="index.xhtml#index">Index</a>' in nav


def test_the_preview_shows_the_index_with_article_titles_for_places(tmp_path: Path) -> None:
    from bindery.preview import preview_page
    from bindery.preview_worker import render_snapshot

    snapshot, _book = render_snapshot(small_book(tmp_path), "v1")
    page = preview_page(snapshot, "index.xhtml", "nonce")
    assert page is not None and not snapshot.errors
    assert '<a epub:type="index-locator" href="chapter-1.xhtml#one--ix--1">One</a>' in page  # no print pages in the preview
    assert '<a epub:type="index-locator" href="chapter-2.xhtml#two--ix--1">Two</a>' in page


def test_terms_in_attributes_comments_and_svg_are_left_alone() -> None:
    html = '<p title="a > manifest">x</p><!-- manifest --><svg><text>manifest</text></svg><p>the manifest</p>'
    out, marks = mark_terms(html, terms(IndexTerm(("Manifest",), ("manifest",))), "art", 1)
    assert len(marks) == 1 and out.startswith('<p title="a > manifest">x</p><!-- manifest --><svg><text>manifest</text></svg>')
    assert out.endswith('<p>the <span class="index-term" id="art--ix--1">manifest</span></p>')


def test_a_term_with_markup_characters_is_escaped_in_the_index(tmp_path: Path) -> None:
    from bindery.preview_worker import render_snapshot

    snapshot, _book = render_snapshot(small_book(tmp_path, one='A [thing]{.index term="Fish & <Chips>" see="R&D"}.'), "v1")
    content = snapshot.documents["index.xhtml"].content
    assert "Fish &amp; &lt;Chips&gt;" in content and "R&amp;D" in content
    assert any(w.code == "index-see-missing" for w in snapshot.warnings)
