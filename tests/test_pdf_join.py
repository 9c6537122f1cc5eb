"""The joined chunk PDFs (bindery/pdf_join) against the one-document build of the same book.

tests/pdf_join_books.py renders three chapters with WeasyPrint, once as three chunks (the
first linking to an id in the third through CROSS_CHUNK_PREFIX) and once as one document;
the joined file must have what the one document has: pages, text per page, link targets,
named destinations, outline, page labels, tags (pdfinfo and a walk of the structure tree),
each font embedded once, and the same bytes for the same chunks. The edge cases (chunks that
disagree, collide or are damaged) are in test_pdf_join_cases.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from bindery.pdf_join import CROSS_CHUNK_PREFIX, join_chunks
from pdf_join_books import Book, joined_book
from pdf_join_reading import (
    destination,
    font_maps,
    links,
    open_pdf,
    outline,
    pages_text,
    parent_tree_keys,
    pdffonts,
    pdfinfo,
    structure,
    structure_text,
)


@pytest.fixture(scope="module")
def digital() -> tuple[Book, bytes]:
    return joined_book("digital")


@pytest.fixture(scope="module")
def printed() -> tuple[Book, bytes]:
    return joined_book("print")


@pytest.fixture(params=["digital", "printed"])
def book(request: pytest.FixtureRequest) -> tuple[str, Book, bytes]:
    made, joined = request.getfixturevalue(request.param)
    return request.param, made, joined


def test_the_joined_pages_read_as_the_one_document(book: tuple[str, Book, bytes]) -> None:
    profile, made, joined = book
    joined_pages, whole_pages = pages_text(joined), pages_text(made.whole)
    assert len(joined_pages) == len(whole_pages) == 12  # eleven pages (a blank verso), the text after the last
    assert joined_pages == whole_pages
    assert "office" in joined_pages[0] and "fjord" in joined_pages[0]  # ligatures read back as letters
    info, whole_info = pdfinfo(joined), pdfinfo(made.whole)
    assert info["Tagged"] == ("yes" if profile == "digital" else "no")
    for key in ("Pages", "Title", "Author", "Tagged", "Page size", "PDF version", "Producer"):
        assert info[key] == whole_info[key], key


def test_the_metadata_is_the_first_chunks(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with open_pdf(joined) as pdf, open_pdf(made.whole) as whole:
        for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
            assert repr(pdf.Root[key]) == repr(whole.Root[key]), key
        assert pdf.Root.Metadata.read_bytes() == whole.Root.Metadata.read_bytes()
        assert dict(pdf.docinfo.items()) == dict(whole.docinfo.items())


def test_links_and_destinations_go_where_the_one_documents_go(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with open_pdf(joined) as pdf, open_pdf(made.whole) as whole:
        found = links(pdf)
        assert found == links(whole)
        assert not any(CROSS_CHUNK_PREFIX in str(link) for link in found)
        far = [link for link in found if link[3][0] == "far"]  # type: ignore[index]
        assert far and far[0][0] == 0 and far[0][3][1][0] == 10  # type: ignore[index]  # page 1 to page 11
        assert "https://example.org/x" in [link[3] for link in found]
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        whole_names = dict(pikepdf.NameTree(whole.Root.Names.Dests).items())
        assert list(names) == list(whole_names)
        assert {name: destination(pdf, value) for name, value in names.items()} == {
            name: destination(whole, value) for name, value in whole_names.items()
        }


def test_the_outline_nests_as_the_one_documents(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with open_pdf(joined) as pdf, open_pdf(made.whole) as whole:
        items = outline(pdf)
        assert items == outline(whole)
        assert [(depth, title) for depth, title, _, _ in items] == [
            (0, "First chapter"),
            (1, "A section"),
            (0, "Second chapter"),
            (1, "A deep heading"),
            (0, "Third chapter"),
            (1, "The far section"),
        ]
        assert int(pdf.Root.Outlines.Count) == int(whole.Root.Outlines.Count) == 6


def test_page_labels_are_the_printed_folios(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with open_pdf(joined) as pdf, open_pdf(made.whole) as whole:
        assert [page.label for page in pdf.pages] == [page.label for page in whole.pages] == made.labels
        assert repr(pdf.Root.PageLabels) == repr(whole.Root.PageLabels)


def test_the_print_profile_has_no_outline_links_tags_or_labels(printed: tuple[Book, bytes]) -> None:
    _made, joined = printed
    with open_pdf(joined) as pdf:
        assert not {"/Outlines", "/StructTreeRoot", "/PageLabels"} & set(pdf.Root.keys())
        assert all("/Annots" not in page.obj for page in pdf.pages)


def test_the_structure_tree_walks_as_the_one_documents(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    walked = structure_text(joined)
    assert "First chapter" in walked and "kettle" in walked
    assert walked == structure_text(made.whole)
    with open_pdf(joined) as pdf, open_pdf(made.whole) as whole:
        walk = structure(pdf)
        assert walk == structure(whole)
        assert [kind for _, kind, _ in walk[:2]] == ["", "/Document"]  # the root, then one Document
        assert sum(1 for _, kind, _ in walk if kind == "/Document") == 1
        blank = [number for number, text in enumerate(pages_text(joined)[:-1]) if not text.strip()]
        assert len(blank) == 1 and blank[0] not in {page for _, _, page in walk}  # the padding blank verso: no element
        assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/Link", "OBJR"} <= {kind for _, kind, _ in walk}
        assert parent_tree_keys(pdf) == parent_tree_keys(whole)
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == len(dict(pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).items()))


def test_each_font_is_embedded_once(book: tuple[str, Book, bytes]) -> None:
    _profile, made, joined = book
    fonts, whole_fonts = pdffonts(joined), pdffonts(made.whole)
    names = [row[0] for row in fonts]
    assert len(names) == len(set(names)) == 4
    assert sorted(names) == sorted(row[0] for row in whole_fonts)
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in fonts)  # emb, sub, uni
    assert len(joined) < sum(len(chunk.pdf) for chunk in made.chunks)
    with open_pdf(joined) as pdf, open_pdf(made.whole) as whole:
        assert font_maps(pdf) == font_maps(whole)  # the same widths, ToUnicode, box and flags


def test_the_same_chunks_give_the_same_bytes(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    again = join_chunks(made.chunks, labels=made.labels, profile="digital")
    assert again == joined
    ids = re.findall(rb"/ID \[<([0-9a-f]+)>", joined)
    assert ids and ids[0] != b"0" * len(ids[0])


def test_the_joined_pages_look_like_the_one_documents(digital: tuple[Book, bytes], tmp_path: Path) -> None:
    """The merged fonts draw every glyph: each page renders to the same pixels as the one document's
    (the code font's glyphs come from the first and the third chunk's subsets; the first chunk's
    "à" is a composite whose accent HarfBuzz renumbered past that subset's last drawn glyph, where
    the third chunk's subset, the base, has another glyph)."""
    made, joined = digital
    for name, data in (("joined", joined), ("whole", made.whole)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
    joined_pages = sorted(tmp_path.glob("joined-*.pgm"))
    assert len(joined_pages) == 11
    for page in joined_pages:
        assert page.read_bytes() == (tmp_path / page.name.replace("joined", "whole")).read_bytes(), page.name
