"""The joined chunk PDFs (bindery/pdf_join) against the one-document build of the same book.

tests/pdf_join_books.py renders three chapters with WeasyPrint, once as three chunks (the
first linking to an id in the third through CROSS_CHUNK_PREFIX) and once as one document;
the joined file must have what the one document has: pages, text per page, link targets,
named destinations, outline, page labels, tags (pdfinfo and a walk of the structure tree),
each font embedded once, and the same bytes for the same chunks.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from bindery.pdf_join import CROSS_CHUNK_PREFIX, ChunkPdf, JoinError, join_chunks
from pdf_join_books import Book, make_book


@pytest.fixture(scope="module")
def digital() -> tuple[Book, bytes]:
    made = make_book("digital")
    return made, join_chunks(made.chunks, labels=made.labels, profile="digital")


@pytest.fixture(scope="module")
def printed() -> tuple[Book, bytes]:
    made = make_book("print")
    return made, join_chunks(made.chunks, labels=made.labels, profile="print")


@pytest.fixture(params=["digital", "printed"])
def book(request: pytest.FixtureRequest) -> tuple[str, Book, bytes]:
    made, joined = request.getfixturevalue(request.param)
    return request.param, made, joined


def _pdfinfo(data: bytes) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in text.splitlines())}


def _pages_text(data: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return text.split("\f")


def _fonts(data: bytes) -> list[list[str]]:
    text = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return [line.split() for line in text.splitlines()[2:]]


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages)}


def _destination(pdf: pikepdf.Pdf, destination: Any) -> tuple[int, float, float]:
    page, _fit, x, y = destination[0], destination[1], destination[2], destination[3]
    return _page_index(pdf)[page.objgen], round(float(x), 2), round(float(y), 2)


def _links(pdf: pikepdf.Pdf) -> list[tuple[int, list[float], str, object]]:
    """Every link: page, rectangle, /Contents, and where it goes (a destination or a URI)."""
    dests = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items()) if "/Names" in pdf.Root else {}
    found = []
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            rect = [round(float(value), 2) for value in annotation.Rect]
            contents = str(annotation.get("/Contents", ""))
            if "/Dest" in annotation:
                name = str(annotation.Dest)
                target: object = (name, _destination(pdf, dests[name]))
            else:
                target = str(annotation.A.URI)
            found.append((number, rect, contents, target))
    return found


def _outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, tuple[int, float, float], int]]:
    found: list[tuple[int, str, tuple[int, float, float], int]] = []

    def walk(item: Any, depth: int) -> None:
        while item is not None:
            found.append((depth, str(item.Title), _destination(pdf, item.Dest), int(item.Count)))
            walk(item.get("/First"), depth + 1)
            item = item.get("/Next")

    if "/Outlines" in pdf.Root:
        walk(pdf.Root.Outlines.First, 0)
    return found


def _structure(pdf: pikepdf.Pdf) -> list[tuple[int, str, object]]:
    """The structure tree depth first: (depth, type, kid) with kids as (page, MCID) or (OBJR, page)."""
    pages = _page_index(pdf)
    found: list[tuple[int, str, object]] = []

    def walk(element: Any, depth: int) -> None:
        kids = element.get("/K", [])
        kids = [kids] if not isinstance(kids, pikepdf.Array) else kids
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        found.append((depth, str(element.get("/S", "")), page))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                found.append((depth + 1, "OBJR", pages[kid.Pg.objgen]))
            elif isinstance(kid, pikepdf.Dictionary):
                walk(kid, depth + 1)
            else:
                found.append((depth + 1, "MCID", (page, int(kid))))

    walk(pdf.Root.StructTreeRoot, 0)
    return found


def _parent_tree_is_consistent(pdf: pikepdf.Pdf) -> int:
    """Every page's /StructParents and link's /StructParent finds its elements; returns the keys."""
    tree = dict(pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).items())
    keys = 0
    for page in pdf.pages:
        marked = tree[int(page.obj.StructParents)]
        for mcid, element in enumerate(marked):
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert mcid in [int(kid) for kid in kids if not isinstance(kid, pikepdf.Dictionary)]
            assert element.Pg.objgen == page.obj.objgen
        keys += 1
        for annotation in page.obj.get("/Annots", []):
            element = tree[int(annotation.StructParent)]
            assert any(isinstance(kid, pikepdf.Dictionary) and kid.Obj.objgen == annotation.objgen for kid in element.K)
            keys += 1
    assert keys == len(tree)
    return keys


def test_the_joined_pages_read_as_the_one_document(book: tuple[str, Book, bytes]) -> None:
    _profile, made, joined = book
    joined_pages, whole_pages = _pages_text(joined), _pages_text(made.whole)
    assert len(joined_pages) == len(whole_pages) == 11  # ten pages and the text after the last
    assert joined_pages == whole_pages
    assert "office" in joined_pages[0] and "fjord" in joined_pages[0]  # ligatures read back as letters
    info, whole_info = _pdfinfo(joined), _pdfinfo(made.whole)
    for key in ("Pages", "Title", "Author", "Tagged", "Page size", "PDF version", "Producer"):
        assert info[key] == whole_info[key], key


def test_the_metadata_is_the_first_chunks(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with _open(joined) as pdf, _open(made.whole) as whole:
        for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
            assert repr(pdf.Root[key]) == repr(whole.Root[key]), key
        assert pdf.Root.Metadata.read_bytes() == whole.Root.Metadata.read_bytes()
        assert dict(pdf.docinfo.items()) == dict(whole.docinfo.items())


def test_links_and_destinations_go_where_the_one_documents_go(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with _open(joined) as pdf, _open(made.whole) as whole:
        links = _links(pdf)
        assert links == _links(whole)
        assert not any(CROSS_CHUNK_PREFIX in str(link) for link in links)
        far = [link for link in links if link[3][0] == "far"]  # type: ignore[index]
        assert far and far[0][0] == 0 and far[0][3][1][0] == 8  # type: ignore[index]  # page 1 to page 9
        assert "https://example.org/x" in [link[3] for link in links]
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        whole_names = dict(pikepdf.NameTree(whole.Root.Names.Dests).items())
        assert list(names) == list(whole_names)
        assert {name: _destination(pdf, value) for name, value in names.items()} == {
            name: _destination(whole, value) for name, value in whole_names.items()
        }


def test_the_outline_nests_as_the_one_documents(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with _open(joined) as pdf, _open(made.whole) as whole:
        outline = _outline(pdf)
        assert outline == _outline(whole)
        assert [(depth, title) for depth, title, _, _ in outline] == [
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
    with _open(joined) as pdf, _open(made.whole) as whole:
        assert [page.label for page in pdf.pages] == [page.label for page in whole.pages] == made.labels
        assert repr(pdf.Root.PageLabels) == repr(whole.Root.PageLabels)


def test_the_print_profile_has_no_outline_links_tags_or_labels(printed: tuple[Book, bytes]) -> None:
    _made, joined = printed
    with _open(joined) as pdf:
        assert not {"/Outlines", "/StructTreeRoot", "/PageLabels"} & set(pdf.Root.keys())
        assert all("/Annots" not in page.obj for page in pdf.pages)


def test_the_structure_tree_walks_as_the_one_documents(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    with _open(joined) as pdf, _open(made.whole) as whole:
        walk = _structure(pdf)
        assert walk == _structure(whole)
        assert [kind for _, kind, _ in walk[:2]] == ["", "/Document"]  # the root, then one Document
        assert sum(1 for _, kind, _ in walk if kind == "/Document") == 1
        assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/Link", "OBJR"} <= {kind for _, kind, _ in walk}
        assert _parent_tree_is_consistent(pdf) == _parent_tree_is_consistent(whole)
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == len(dict(pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).items()))


def test_each_font_is_embedded_once(book: tuple[str, Book, bytes]) -> None:
    _profile, made, joined = book
    fonts, whole_fonts = _fonts(joined), _fonts(made.whole)
    names = [row[0] for row in fonts]
    assert len(names) == len(set(names)) == 4
    assert sorted(names) == sorted(row[0] for row in whole_fonts)
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in fonts)  # emb, sub, uni
    assert len(joined) < sum(len(chunk.pdf) for chunk in made.chunks)


def test_the_same_chunks_give_the_same_bytes(digital: tuple[Book, bytes]) -> None:
    made, joined = digital
    again = join_chunks(made.chunks, labels=made.labels, profile="digital")
    assert again == joined
    ids = re.findall(rb"/ID \[<([0-9a-f]+)>", joined)
    assert ids and ids[0] != b"0" * len(ids[0])


def test_bad_chunks_and_labels_are_refused(digital: tuple[Book, bytes]) -> None:
    made, _ = digital
    with pytest.raises(JoinError, match="chunk 1 is not a readable PDF"):
        join_chunks([made.chunks[0], ChunkPdf(b"not a pdf", (), ())], labels=made.labels, profile="digital")
    with pytest.raises(JoinError, match="9 page labels for 10 pages"):
        join_chunks(made.chunks, labels=made.labels[:-1], profile="digital")
    with pytest.raises(JoinError, match="no chunks"):
        join_chunks([], labels=[], profile="digital")


def test_the_joined_pages_look_like_the_one_documents(digital: tuple[Book, bytes], tmp_path: Path) -> None:
    """The merged fonts draw every glyph: each page renders to the same pixels as the one document's
    (the code font's glyphs come from the first and the third chunk's subsets)."""
    made, joined = digital
    for name, data in (("joined", joined), ("whole", made.whole)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
    joined_pages = sorted(tmp_path.glob("joined-*.pgm"))
    assert len(joined_pages) == 10
    for page in joined_pages:
        assert page.read_bytes() == (tmp_path / page.name.replace("joined", "whole")).read_bytes(), page.name


def _edited(chunk: ChunkPdf, edit: Any) -> ChunkPdf:
    with _open(chunk.pdf) as pdf:
        edit(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer)
    return ChunkPdf(buffer.getvalue(), chunk.bookmarks, chunk.anchors)


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

    third = _edited(made.chunks[2], remap_first_glyph)
    chunks = [*made.chunks[:2], third]
    joined = join_chunks(chunks, labels=made.labels, profile="digital")
    names = [row[0] for row in _fonts(joined)]
    assert sorted(set(names)) == sorted(row[0] for row in _fonts(made.whole))
    # the edited chunk's Charis and code font disagree with the first chunk's: a second copy each
    # (its bold's first glyph is one no other chunk draws: it still merges)
    assert sorted(names) == sorted([*(row[0] for row in _fonts(made.whole)), "JOQWWV+Charis", "LRFUTW+BinderyCode-Medium"])
    expected = [page for chunk in chunks for page in _pages_text(chunk.pdf)[:-1]]
    assert _pages_text(joined)[:-1] == expected
    assert _pages_text(joined)[-3:-1] != _pages_text(made.whole)[-3:-1]  # the edit shows: X where the chunk says X


def test_a_link_to_an_id_no_chunk_has_loses_its_action(digital: tuple[Book, bytes]) -> None:
    made, _ = digital

    def point_nowhere(pdf: pikepdf.Pdf) -> None:
        for annotation in pdf.pages[0].Annots:
            if str(annotation.A.URI).startswith(CROSS_CHUNK_PREFIX):
                annotation.A.URI = pikepdf.String(CROSS_CHUNK_PREFIX + "nowhere")

    joined = join_chunks([_edited(made.chunks[0], point_nowhere), *made.chunks[1:]], labels=made.labels, profile="digital")
    with _open(joined) as pdf:
        first_page = list(pdf.pages[0].Annots)
        assert len(first_page) == 2
        assert all("/A" not in annotation and "/Dest" not in annotation for annotation in first_page)
        assert [str(annotation.Contents) for annotation in first_page] == ["nowhere", "nowhere"]
        assert _parent_tree_is_consistent(pdf) > 10  # the annotations stay tagged
