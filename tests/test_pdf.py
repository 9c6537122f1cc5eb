"""The print PDF: what a print shop checks, read back from the real file."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import Built, pdf_pages_text

POINTS_PER_INCH = 72
TOC_LINE = re.compile(r"^\s*(?:(\d+)\s+)?(\S.*?)\s*(?:\.\s*){3,}\s*([0-9]+|[ivxlc]+)\s*$")


@pytest.fixture(scope="module")
def pages(sample: Built) -> list[str]:
    assert sample.pdf is not None
    return pdf_pages_text(sample.pdf)


def lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def folio(page: str) -> str | None:
    found = lines(page)
    if found and re.fullmatch(r"\d+|[ivxlc]+", found[-1]):
        return found[-1]
    return None


def opener_pages(pages: list[str]) -> dict[int, int]:
    """Chapter number -> physical page (1-based) where its opener is."""
    out = {}
    for index, page in enumerate(pages, start=1):
        found = lines(page)
        if found and (m := re.fullmatch(r"CHAPTER (\d+)", found[0])):
            out[int(m.group(1))] = index
    return out


def test_every_page_has_the_trim_size_of_the_manifest(sample: Built) -> None:
    reader = PdfReader(sample.pdf)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(6 * POINTS_PER_INCH, 9 * POINTS_PER_INCH)}  # book.yaml: trim 6x9


def test_every_font_is_embedded(sample: Built) -> None:
    out = subprocess.run(["pdffonts", str(sample.pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "the PDF has no fonts at all"
    for row in rows:
        fields = row.split()
        emb = fields[-5]
        assert emb == "yes", row
    assert any("Charis" in row for row in rows), "the shipped book face is used"
    assert not any("DejaVu" in row for row in rows), "no system font fallback"


def test_chapters_open_on_right_hand_pages(pages: list[str]) -> None:
    openers = opener_pages(pages)
    assert sorted(openers) == list(range(1, 8))
    assert all(page % 2 == 1 for page in openers.values()), openers


def test_toc_page_numbers_are_the_pages_where_chapters_start(pages: list[str]) -> None:
    toc_page = next(p for p in pages if lines(p) and lines(p)[0] == "Contents")
    entries = {}
    for line in toc_page.splitlines():
        m = TOC_LINE.match(line)
        if m and m.group(1):
            entries[int(m.group(1))] = m.group(3)
    openers = opener_pages(pages)
    assert sorted(entries) == sorted(openers)
    for number, physical in openers.items():
        assert folio(pages[physical - 1]) == entries[number], f"chapter {number}"


def test_folios_are_roman_in_front_matter_and_arabic_from_one_at_the_body(pages: list[str]) -> None:
    toc_index = next(i for i, p in enumerate(pages) if lines(p) and lines(p)[0] == "Contents")
    assert folio(pages[toc_index]) == "vii"
    first_body = next(i for i, p in enumerate(pages) if lines(p)[:1] == ["PART ONE"])
    assert first_body % 2 == 0  # 0-based even = physical odd = recto
    arabic = [(i, folio(p)) for i, p in enumerate(pages) if folio(p) and folio(p).isdigit()]  # type: ignore[union-attr]
    assert arabic, "no arabic folios"
    for index, number in arabic:
        assert int(number) == index - first_body + 1  # type: ignore[arg-type]
    # half-title, title page and copyright page carry no folio
    assert [folio(p) for p in pages[:4]] == [None, None, None, None]


def division_starts(pdf: object) -> list[int]:
    """Physical pages (1-based) where parts, chapters and matter begin, from the bookmarks."""
    reader = PdfReader(pdf)  # type: ignore[arg-type]
    starts = []
    for item in reader.outline:
        if isinstance(item, list):
            starts += [reader.get_destination_page_number(x) + 1 for x in item if not isinstance(x, list)]
        else:
            starts.append(reader.get_destination_page_number(item) + 1)
    return sorted(set(starts))


def test_running_heads_on_body_pages_but_not_on_openers(sample: Built, pages: list[str]) -> None:
    openers = opener_pages(pages)
    starts = division_starts(sample.pdf) + [len(pages) + 1]
    checked = 0
    for number, start in openers.items():
        title = lines(pages[start - 1])[1]
        end = next(s for s in starts if s > start)
        assert lines(pages[start - 1])[0] == f"CHAPTER {number}", "an opener carries no running head"
        for page in range(start + 1, end):
            found = lines(pages[page - 1])
            if not found:
                continue  # an inserted blank verso
            checked += 1
            if page % 2 == 0:
                assert found[0] == "THE BINDERY GUIDE", f"verso {page}"
            else:
                assert title.upper().startswith(found[0]), f"recto {page}: {found[0]!r}"
    assert checked > 10


def test_inserted_blank_pages_are_truly_blank_and_precede_a_recto(pages: list[str]) -> None:
    blanks = [i for i, p in enumerate(pages, start=1) if not p.strip()]
    assert blanks, "the sample book needs at least one inserted blank verso"
    for page in blanks:
        assert page % 2 == 0, f"blank page {page} is a recto"


def test_bookmarks_are_nested_parts_chapters_articles(sample: Built) -> None:
    reader = PdfReader(sample.pdf)

    def tree(items: list) -> list:  # type: ignore[type-arg]
        out: list = []  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                out[-1] = (out[-1][0], tree(item))
            else:
                out.append((item.title, []))
        return out

    outline = tree(reader.outline)
    titles = [t for t, _ in outline]
    assert titles[:2] == ["Dedication", "Contents"] and "Part One: Getting Started" in titles
    part_one = dict(outline)["Part One: Getting Started"]
    assert [t for t, _ in part_one] == ["1. Why Bindery: From Articles to a Book", "2. The Manifest"]
    assert [t for t, _ in part_one[1][1]] == ["Describing Your Book", "Parts, Chapters, and Groups"]


def test_pdf_metadata(sample: Built) -> None:
    reader = PdfReader(sample.pdf)
    info = reader.metadata
    assert info is not None
    assert info.title == "The Bindery Guide: Turning Articles into Ebooks and Print Books"
    assert info.author == "Mara Ellison"
    assert info.subject and info.subject.startswith("The Bindery Guide shows")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"


def test_cross_reference_prints_the_page_where_the_target_starts(pages: list[str]) -> None:
    openers = opener_pages(pages)
    text = "\n".join(pages)
    refs = re.findall(r"see chapter (\d+), “[^”]+”,\s+page (\d+)", text)
    assert len(refs) >= 10
    for chapter, page in refs:
        # a cross-reference to a chapter's single article lands on its opener page
        start = openers[int(chapter)]
        if int(chapter) != 2:
            assert int(page) == int(folio(pages[start - 1]) or 0), (chapter, page)
