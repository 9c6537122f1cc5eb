"""The PDF join (bindery/pdf_join) on chunks that disagree, collide or are damaged: each is
an edited copy of tests/pdf_join_books.py's chunks, and the joined file must stay right (a font
copy that disagrees is kept apart, the first chunk to define a name wins, table header ids stay
unique, a link to a missing id loses its action) or the join is refused with JoinError.
"""

from __future__ import annotations

import re
from typing import Any

import pikepdf
import pytest

from bindery.pdf_join import CROSS_CHUNK_PREFIX, ChunkPdf, JoinError, join_chunks
from pdf_join_books import Book, joined_book
from pdf_join_reading import destination, edited, open_pdf, outline, pages_text, parent_tree_keys, pdffonts, table_headers


@pytest.fixture(scope="module")
def digital() -> tuple[Book, bytes]:
    return joined_book("digital")


def test_bad_chunks_and_labels_are_refused(digital: tuple[Book, bytes]) -> None:
    made, _ = digital
    with pytest.raises(JoinError, match="chunk 1 is not a readable PDF"):
        join_chunks([made.chunks[0], ChunkPdf(b"not a pdf", (), ())], labels=made.labels, profile="digital")
    truncated = ChunkPdf(made.chunks[2].pdf[: len(made.chunks[2].pdf) // 2], (), ())
    with pytest.raises(JoinError, match=r"^chunk 2 is not a readable PDF: [^<]*$"):
        join_chunks([*made.chunks[:2], truncated], labels=made.labels, profile="digital")
    with pytest.raises(JoinError, match="10 page labels for 11 pages"):
        join_chunks(made.chunks, labels=made.labels[:-1], profile="digital")
    with pytest.raises(JoinError, match="no chunks"):
        join_chunks([], labels=[], profile="digital")


def test_a_font_whose_chunks_disagree_keeps_one_copy_per_chunk(digital: tuple[Book, bytes]) -> None:
    """Two chunks mapping one glyph to different text are never merged into one wrong map:
    the font keeps both copies and every page reads back as its chunk wrote it."""
    made, _ = digital

    def remap_first_glyph(pdf: pikepdf.Pdf) -> None:
        for font in pdf.pages[0].Resources.Font.values():
            cmap = font.ToUnicode.read_bytes()
            gid = re.search(rb"beginbfchar\n<([0-9a-f]{4})>", cmap)
            assert gid
            font.ToUnicode.write(re.sub(rb"<" + gid.group(1) + rb"> <[0-9a-f]+>", b"<" + gid.group(1) + b"> <0058>", cmap))

    third = edited(made.chunks[2], remap_first_glyph)
    chunks = [*made.chunks[:2], third]
    joined = join_chunks(chunks, labels=made.labels, profile="digital")
    names = [row[0] for row in pdffonts(joined)]
    assert sorted(set(names)) == sorted(row[0] for row in pdffonts(made.whole))
    # the edited chunk's Charis and code font disagree with the first chunk's: a second copy each
    # (its bold's first glyph is one no other chunk draws: it still merges)
    assert sorted(names) == sorted([*(row[0] for row in pdffonts(made.whole)), "JOQWWV+Charis", "LRFUTW+BinderyCode-Medium"])
    expected = [page for chunk in chunks for page in pages_text(chunk.pdf)[:-1]]
    assert pages_text(joined)[:-1] == expected
    assert pages_text(joined)[-3:-1] != pages_text(made.whole)[-3:-1]  # the edit shows: X where the chunk says X


def test_a_link_to_an_id_no_chunk_has_loses_its_action(digital: tuple[Book, bytes]) -> None:
    made, _ = digital

    def point_nowhere(pdf: pikepdf.Pdf) -> None:
        for annotation in pdf.pages[0].Annots:
            if str(annotation.A.URI).startswith(CROSS_CHUNK_PREFIX):
                annotation.A.URI = pikepdf.String(CROSS_CHUNK_PREFIX + "nowhere")

    joined = join_chunks([edited(made.chunks[0], point_nowhere), *made.chunks[1:]], labels=made.labels, profile="digital")
    with open_pdf(joined) as pdf:
        first_page = list(pdf.pages[0].Annots)
        assert len(first_page) == 2
        assert all("/A" not in annotation and "/Dest" not in annotation for annotation in first_page)
        assert [str(annotation.Contents) for annotation in first_page] == ["nowhere", "nowhere"]
        assert parent_tree_keys(pdf) > 10  # the annotations stay tagged


def test_a_part_opened_in_one_chunk_holds_the_chapters_of_the_next(digital: tuple[Book, bytes]) -> None:
    """The outline nests across chunks: a part's bookmark (level 1) in one chunk, its chapters'
    (level 2) in the next chunks, a section (level 3) under the last chapter."""
    made, _ = digital
    marks = [
        ((1, "Part one", 0, 56.0, 66.0),),
        ((2, "Chapter A", 0, 56.0, 66.0),),
        ((2, "Chapter B", 0, 56.0, 66.0), (3, "Section", 1, 56.0, 200.0)),
    ]
    chunks = [ChunkPdf(chunk.pdf, bookmarks, chunk.anchors) for chunk, bookmarks in zip(made.chunks, marks, strict=True)]
    joined = join_chunks(chunks, labels=made.labels, profile="digital")
    with open_pdf(joined) as pdf:
        first_pages = [0, len(pages_text(made.chunks[0].pdf)) - 1]
        first_pages.append(first_pages[1] + len(pages_text(made.chunks[1].pdf)) - 1)
        height = float(pdf.pages[0].obj.TrimBox[3])
        assert outline(pdf) == [
            (0, "Part one", (0, 42.0, round(height - 66.0 * 0.75, 2)), 3),
            (1, "Chapter A", (first_pages[1], 42.0, round(height - 66.0 * 0.75, 2)), 0),
            (1, "Chapter B", (first_pages[2], 42.0, round(height - 66.0 * 0.75, 2)), 1),
            (2, "Section", (first_pages[2] + 1, 42.0, round(height - 200.0 * 0.75, 2)), 0),
        ]
        assert int(pdf.Root.Outlines.Count) == 4


def test_the_first_chunk_to_define_a_name_wins(digital: tuple[Book, bytes]) -> None:
    """A destination name or structure role two chunks define keeps the first chunk's meaning
    (WeasyPrint keeps an id's first anchor); names only a later chunk defines are kept too."""
    made, joined_before = digital

    def define(role: str, names: dict[str, str]) -> Any:
        def edit(pdf: pikepdf.Pdf) -> None:
            pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary({key: pikepdf.Name(value) for key, value in names.items()})
            dests = pdf.Root.Names.Dests.Names
            dests.append(pikepdf.String(role))
            dests.append(pikepdf.Array([pdf.pages[-1].obj, pikepdf.Name.XYZ, 0, 0, 0]))

        return edit

    chunks = [
        made.chunks[0],
        edited(made.chunks[1], define("zz-shared", {"/Aside": "/Div"})),
        edited(made.chunks[2], define("zz-shared", {"/Aside": "/Span", "/Note": "/P"})),
    ]
    joined = join_chunks(chunks, labels=made.labels, profile="digital")
    with open_pdf(joined) as pdf:
        assert dict(pdf.Root.StructTreeRoot.RoleMap.items()) == {"/Aside": "/Div", "/Note": "/P"}
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        second_chunk_last_page = len(pages_text(made.chunks[0].pdf)) + len(pages_text(made.chunks[1].pdf)) - 3
        assert destination(pdf, names["zz-shared"])[0] == second_chunk_last_page
        assert list(names)[-1] == "zz-shared"  # sorted by name
    assert joined != joined_before


def test_copies_of_a_name_from_different_font_files_are_not_merged(digital: tuple[Book, bytes]) -> None:
    """Copies that give a shared glyph different widths (or ascent) are not one font file: each
    keeps its own copy, since glyph ids only agree within one file."""
    made, _ = digital

    def widen_shared_glyphs(pdf: pikepdf.Pdf) -> None:
        for font in pdf.pages[0].Resources.Font.values():
            if str(font.BaseFont).endswith("+Charis"):
                widths = font.DescendantFonts[0].W
                widths[1] = pikepdf.Array([float(width) + 1 for width in widths[1]])
            if str(font.BaseFont).endswith("-Bold"):
                font.DescendantFonts[0].FontDescriptor.Ascent = 1234

    joined = join_chunks(
        [made.chunks[0], made.chunks[1], edited(made.chunks[2], widen_shared_glyphs)], labels=made.labels, profile="digital"
    )
    names = [row[0] for row in pdffonts(joined)]
    assert sorted(names) == sorted([*(row[0] for row in pdffonts(made.whole)), "JOQWWV+Charis", "JDACPV+Charis-Bold"])


def test_table_header_ids_stay_unique_and_cells_find_their_headers(digital: tuple[Book, bytes]) -> None:
    """Each chunk numbers its tables' header ids by its own object numbers; joined, the ids are
    unique and every cell's /Headers are the same header cells as in the one document, even when
    two chunks used the same ids."""
    made, joined = digital

    def reuse_the_second_chunks_ids(pdf: pikepdf.Pdf) -> None:  # a collision, whatever the numbering
        with open_pdf(made.chunks[1].pdf) as second:
            taken = table_headers(second)[0][0].split("-")[0]
        for element in pdf.objects:
            if isinstance(element, pikepdf.Dictionary) and "/ID" in element:
                element.ID = pikepdf.String(re.sub(r"^\d+", taken, str(element.ID)))
            attributes = element.get("/A") if isinstance(element, pikepdf.Dictionary) else None
            if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                attributes.Headers = pikepdf.Array([pikepdf.String(re.sub(r"^\d+", taken, str(h))) for h in attributes.Headers])

    colliding = join_chunks([*made.chunks[:2], edited(made.chunks[2], reuse_the_second_chunks_ids)], labels=made.labels, profile="digital")
    with open_pdf(made.whole) as whole:
        whole_ids, whole_cells = table_headers(whole)
    assert len(whole_ids) == 5 and len(whole_cells) == 7
    for data in (joined, colliding):
        with open_pdf(data) as pdf:
            ids, cells = table_headers(pdf)
            assert len(ids) == len(set(ids)) == len(whole_ids)
            assert cells == whole_cells


def test_an_article_cannot_write_a_link_the_join_takes_for_its_own(tmp_path: Any) -> None:
    """The join turns links to CROSS_CHUNK_PREFIX into internal links. An article's web link that
    looks like one (the old https prefix) stays a web link, as in the one-document PDF and the
    EPUB, and a link in the prefix's own scheme is removed by the sanitizer with a warning."""
    from pathlib import Path

    from bindery.executors import local_runner
    from bindery.pipeline import build

    book = Path(tmp_path) / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.yaml").write_text("title: T\nchapters: [chapters/a.md, chapters/b.md]\n")
    links = "[web](https://bindery-chunk.invalid/#b) and [forged](" + CROSS_CHUNK_PREFIX + "b)"
    (book / "chapters" / "a.md").write_text(f"---\ntitle: A\n---\n\nSee {links}.\n")
    (book / "chapters" / "b.md").write_text("---\ntitle: B\n---\n\nText.\n")
    result = build(book, ("pdf",), Path(tmp_path) / "out", runner=local_runner(), cache=False)
    assert [w.code for w in result.warnings] == ["url-outside"] and CROSS_CHUNK_PREFIX in result.warnings[0].message
    with pikepdf.open(Path(tmp_path) / "out" / "t.pdf") as pdf:
        actions = [a.get("/A") for page in pdf.pages for a in page.get("/Annots", [])]
        uris = [str(a.URI) for a in actions if a is not None and a.get("/S") == "/URI"]
    assert uris == ["https://bindery-chunk.invalid/#b"]
