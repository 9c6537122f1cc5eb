"""Print page numbers inside the EPUB: a reader told "turn to page 47" lands
where page 47 of the print edition begins.

Checked against the real PDF: pdftotext reads each page's text area (the
running head and folio are cropped away), and the EPUB's text right after
marker N must begin with the first words of PDF page N.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from bindery.manifest import load_manifest
from conftest import BOOKS, ROOT, Built, build_book, epubcheck, severities
from print_books import print_build

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
LEADER = re.compile(r"(\s*\.){3,}\s*\S*\s*$")  # a contents line's dot leader and page number
WORDS = 3
HYPHENS = ("-", "\u2010", "\u00ad")  # what ends a line hyphenated by the layout


@dataclass(frozen=True)
class Marker:
    label: str
    id: str
    document: str
    after: str  # the EPUB's text from the marker on (a few hundred characters)


def letters(text: str) -> str:
    """Letters and digits only, case-folded: what survives print styling."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def spine(epub: zipfile.ZipFile) -> list[str]:
    opf = etree.fromstring(epub.read("OEBPS/content.opf"))
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:manifest/opf:item", NS)}
    return [hrefs[ref.get("idref")] for ref in opf.iterfind(".//opf:spine/opf:itemref", NS)]


def markers(path: object) -> list[Marker]:
    """Every pagebreak marker in reading order, with the text that follows it."""
    stream: list[str] = []
    found: list[tuple[str, str, str, int]] = []

    def walk(el: etree._Element, doc: str) -> None:
        if el.get(EPUB_TYPE) == "pagebreak":
            found.append((el.get("aria-label") or "", el.get("id") or "", doc, sum(len(s) for s in stream)))
        hidden = "hidden-title" in (el.get("class") or "").split()  # for screen readers; print hides it too
        if el.text and isinstance(el.tag, str) and not hidden:
            stream.append(el.text)
        for child in el:
            if hidden:
                continue
            walk(child, doc)
            if child.tail:
                stream.append(child.tail)

    with zipfile.ZipFile(path) as epub:  # type: ignore[arg-type]
        for name in spine(epub):
            root = etree.fromstring(epub.read(f"OEBPS/{name}"))
            body = root.find("x:body", NS)
            assert body is not None
            for nav in body.iterfind(".//x:nav", NS):
                if nav.get(EPUB_TYPE) in ("landmarks", "page-list"):
                    nav.getparent().remove(nav)  # hidden navigation, not reading text
            walk(body, name)
            stream.append(" ")
    text = "".join(stream)
    return [Marker(label, ident, doc, text[at : at + 400]) for label, ident, doc, at in found]


def content_area_text(pdf: object, built: Built) -> list[str]:
    """Each page's text inside the margins: no running head, no folio."""
    settings = load_manifest(built.root).pdf
    reader = PdfReader(pdf)  # type: ignore[arg-type]
    out = []
    for number, page in enumerate(reader.pages, start=1):
        trim = page.trimbox
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        top = height - float(trim.top) + settings.margin_top_in * 72 - 2
        bottom = float(trim.bottom) + settings.margin_bottom_in * 72 - 2
        args = [
            "pdftotext",
            "-f",
            str(number),
            "-l",
            str(number),
            "-x",
            "0",
            "-y",
            str(int(top)),
            "-W",
            str(int(width)),
            "-H",
            str(int(height - top - bottom)),
            "-raw",
            str(pdf),
            "-",
        ]
        out.append(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    return out


def folios(pdf: object) -> list[str | None]:
    """The folio printed at the foot of each page, if any."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[: len(PdfReader(pdf).pages)]  # type: ignore[arg-type]
    out: list[str | None] = []
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        out.append(lines[-1] if lines and re.fullmatch(r"\d+|[ivxlc]+", lines[-1]) else None)
    return out


def first_words(page: str) -> str:
    """The first words of a page's first line in reading order (without a trailing hyphenated part or contents leader)."""
    for line in page.splitlines():
        words = LEADER.sub("", line).split()
        if not words:
            continue
        if len(words) > 1 and words[-1].endswith(HYPHENS):
            words = words[:-1]
        return " ".join(words[:WORDS])
    return ""


@pytest.fixture(scope="module")
def pdf_pages(sample: Built) -> list[str]:
    assert sample.pdf is not None
    return content_area_text(sample.pdf, sample)


@pytest.fixture(scope="module")
def epub_markers(sample: Built) -> list[Marker]:
    return markers(sample.epub)


def test_there_is_one_marker_per_pdf_page_in_order(sample: Built, epub_markers: list[Marker], pdf_pages: list[str]) -> None:
    assert len(epub_markers) == len(pdf_pages)
    shown = folios(sample.pdf)
    labels = [m.label for m in epub_markers]
    for number, (label, folio) in enumerate(zip(labels, shown, strict=False), start=1):
        if folio is not None:
            assert label == folio, f"PDF page {number} shows folio {folio}, its EPUB marker says {label}"
    assert labels[:3] == ["i", "ii", "iii"], "front matter is numbered in roman"
    body = labels.index("1")
    assert all(not label.isdigit() for label in labels[:body]), "roman until the body starts"
    assert labels[body:] == [str(n) for n in range(1, len(labels) - body + 1)], "arabic from 1, every page"
    assert [m.id for m in epub_markers] == [f"page-{label}" for label in labels]


def continues_a_word(after: str, words: str) -> bool:
    """The page begins inside a word broken after a hyphen (the page before may end with its footnotes)."""
    text, first = after.lstrip(), (words.split() or [""])[0]
    at = text.find(first) if first else -1
    return at > 0 and text[at - 1] in "-\u2010" and not any(ch.isspace() for ch in text[:at])


def page_start_problems(epub_markers: list[Marker], pdf_pages: list[str]) -> tuple[list[str], int]:
    """Pages whose first words are not what follows their marker, and how many pages were compared."""
    checked = 0
    problems = []
    for number, (marker, page) in enumerate(zip(epub_markers, pdf_pages, strict=False), start=1):
        words = first_words(page)
        if not letters(words):
            continue  # a blank page: its marker only has to be in order
        expected, actual = letters(words), letters(marker.after)
        previous = pdf_pages[number - 2].rstrip() if number > 1 else ""
        if (previous.endswith(HYPHENS) or continues_a_word(marker.after, words)) and not actual.startswith(expected):
            # the page begins inside a word hyphenated across the break: the marker stands before the whole word
            actual = actual[actual.find(expected) :] if expected in actual[: len(expected) + 40] else actual
        checked += 1
        if not actual.startswith(expected):
            problems.append(
                f"page {number} ({marker.label}) begins {words!r}; after the marker in {marker.document}: {marker.after[:60]!r}"
            )
    return problems, checked


def test_text_after_each_marker_begins_with_the_first_words_of_that_pdf_page(epub_markers: list[Marker], pdf_pages: list[str]) -> None:
    problems, checked = page_start_problems(epub_markers, pdf_pages)
    assert not problems, "\n".join(problems)
    assert checked >= len(pdf_pages) * 2 // 3, "most pages have text to compare"


def test_page_list_nav_lists_every_page_in_order(sample: Built, epub_markers: list[Marker]) -> None:
    nav = etree.fromstring(sample.epub_text("OEBPS/nav.xhtml").encode())
    page_list = [n for n in nav.iterfind(".//x:nav", NS) if n.get(EPUB_TYPE) == "page-list"]
    assert len(page_list) == 1
    assert page_list[0].get("hidden") == "hidden"
    links = page_list[0].findall(".//x:li/x:a", NS)
    assert [a.text for a in links] == [m.label for m in epub_markers]
    assert [a.get("href") for a in links] == [f"{m.document}#{m.id}" for m in epub_markers]


def test_metadata_names_the_print_edition_and_counts_its_pages(sample: Built, epub_markers: list[Marker]) -> None:
    opf = etree.fromstring(sample.epub_text("OEBPS/content.opf").encode())
    props = {}
    for meta in opf.iterfind(".//opf:metadata/opf:meta", NS):
        props.setdefault(meta.get("property"), []).append(meta.text)
    assert props["pageBreakSource"] == ["The Bindery Guide, print edition (Bindery Press, 2026)"]
    assert {"printPageNumbers", "pageNavigation"} <= set(props["schema:accessibilityFeature"])
    ncx = etree.fromstring(sample.epub_text("OEBPS/toc.ncx").encode())
    head = {m.get("name"): m.get("content") for m in ncx.iterfind("ncx:head/ncx:meta", NS)}
    assert head["dtb:totalPageCount"] == str(len(epub_markers))
    assert head["dtb:maxPageNumber"] == epub_markers[-1].label
    assert [t.text for t in ncx.iterfind(".//ncx:pageList/ncx:pageTarget/ncx:navLabel/ncx:text", NS)] == [m.label for m in epub_markers]


def test_epub_with_page_list_passes_epubcheck(sample: Built) -> None:
    found = severities(epubcheck(sample.epub))
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found


def test_epub_only_build_lays_out_the_print_edition_for_the_same_epub(tmp_path: Path) -> None:
    both = print_build("short-print").built  # EPUB and PDF, once per test run
    alone = build_book(BOOKS / "short-print", tmp_path / "out", ("epub",))
    assert alone.pdf is None and not list((tmp_path / "out").glob("*.pdf")), "no PDF is written"
    assert len(re.findall(r'epub:type="pagebreak"', "".join(alone.epub_text(n) for n in alone.epub_names() if n.endswith(".xhtml")))) > 4
    assert alone.epub.read_bytes() == both.epub.read_bytes()


# --- Placing markers, on small documents (no layout needed) -------------------

XHTML_DOC = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><title>t</title></head>
<body>
<section id="ch" epub:type="chapter"><h1 id="ch--title"><span class="label">Chapter 1</span> Kilns</h1>
<p>The kiln was loaded on Monday and fired overnight without trouble.</p>
<p>By morning the <em>glazes</em> had matured.</p>
</section>
</body>
</html>
"""


def place(*pages: tuple[str, bool, tuple[tuple[str, int], ...]]) -> str:
    from bindery.pagemap import PageMap, PageStart, locate_pages, place_page_breaks

    page_map = PageMap(tuple(PageStart(n, label, blank, anchors) for n, (label, blank, anchors) in enumerate(pages, start=1)))
    targets = locate_pages([("c.xhtml", XHTML_DOC)], page_map)
    return place_page_breaks("c.xhtml", XHTML_DOC, page_map, targets)


def test_a_page_that_opens_a_chapter_gets_its_marker_before_the_chapter() -> None:
    out = place(("5", False, (("ch", 0),)))
    assert '<span epub:type="pagebreak" role="doc-pagebreak" id="page-5" aria-label="5"/><section id="ch"' in out


def test_a_page_that_begins_mid_paragraph_splits_the_text_between_words() -> None:
    offset = len("Chapter1KilnsThekilnwasloadedon")
    out = place(("5", False, (("ch", 0),)), ("6", True, ()), ("7", False, (("ch", offset),)))
    assert 'loaded on <span epub:type="pagebreak" role="doc-pagebreak" id="page-6" aria-label="6"/>' in out
    assert 'aria-label="6"/><span epub:type="pagebreak" role="doc-pagebreak" id="page-7" aria-label="7"/>Monday' in out


def test_a_word_hyphenated_across_pages_is_marked_before_the_whole_word() -> None:
    offset = len("Chapter1KilnsThekilnwasloadedonMon")  # the page begins with "day"
    out = place(("1", False, (("ch", offset),)))
    assert 'loaded on <span epub:type="pagebreak" role="doc-pagebreak" id="page-1" aria-label="1"/>Monday' in out


def test_a_missing_id_falls_back_to_the_next_anchor_and_markers_stay_valid_xhtml() -> None:
    offset = len("Chapter1KilnsThekilnwasloadedonMondayandfiredovernightwithouttroubleBymorningthe")
    out = place(("9", False, (("not-in-the-ebook", 3), ("ch", offset))))
    assert 'the <span epub:type="pagebreak" role="doc-pagebreak" id="page-9" aria-label="9"/><em>glazes</em>' in out
    etree.fromstring(out.encode())  # still well-formed


def test_folios_a_page_does_not_print_are_counted_from_its_neighbours() -> None:
    from bindery.layout_pages import _infer_labels

    shown = [None, None, None, None, "v", None, "vii", None, None, None, "3", "4", None, None, "7"]
    assert _infer_labels(shown) == ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "1", "2", "3", "4", "5", "6", "7"]


def test_no_page_list_builds_the_epub_without_laying_out_the_print_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--no-page-list`: the fast EPUB-only build (no WeasyPrint layout at all)."""
    import weasyprint
    from click.testing import CliRunner

    from bindery.cli import main

    def no_layout(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the print edition was laid out")

    monkeypatch.setattr(weasyprint.HTML, "render", no_layout)
    result = CliRunner().invoke(
        main, ["build", str(ROOT / "tests" / "books" / "minimal"), "--format", "epub", "--no-page-list", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    epub = tmp_path / "a-minimal-book.epub"
    with zipfile.ZipFile(epub) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith((".xhtml", ".opf")))
    assert 'epub:type="pagebreak"' not in text and 'epub:type="page-list"' not in text
    assert "pageBreakSource" not in text and "printPageNumbers" not in text
    found = severities(epubcheck(epub))
    assert not found.get("ERROR") and not found.get("WARNING"), found


@pytest.mark.slow
def test_an_epub_only_build_without_page_list_imports_no_weasyprint(tmp_path: Path) -> None:
    """The ebook side (render, page-break placement, packaging) never needs WeasyPrint:
    only the print layout stage imports it, and this build skips that stage."""
    import os
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bindery.pipeline import build\n"
        f"build(Path({str(ROOT / 'tests' / 'books' / 'minimal')!r}), ('epub',), Path({str(tmp_path)!r}), page_list=False)\n"
        "print('weasyprint imported' if 'weasyprint' in sys.modules else 'no weasyprint')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no weasyprint"
    assert (tmp_path / "a-minimal-book.epub").is_file()


def test_the_pdf_and_the_epub_page_list_come_from_one_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`build` lays the print edition out once; the PDF, its page count and the EPUB's page map are that layout's."""
    from bindery import layout
    from bindery.pipeline import build

    made: list[layout.PrintLayout] = []
    lay_out_print = layout.lay_out_print

    def counted(*args: object, **kwargs: object) -> layout.PrintLayout:
        made.append(lay_out_print(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(layout, "lay_out_print", counted)
    result = build(ROOT / "tests" / "books" / "minimal", ("epub", "pdf"), tmp_path)
    assert len(made) == 1, "the print edition was laid out more than once"
    pdf = next(a for a in result.artifacts if a.path.suffix == ".pdf")
    assert pdf.pages == made[0].page_count == len(PdfReader(pdf.path).pages)
    with zipfile.ZipFile(next(a.path for a in result.artifacts if a.path.suffix == ".epub")) as z:
        nav = z.read("OEBPS/nav.xhtml").decode()
    labels = re.findall(r'<a href="[^"]*#page-[^"]*">([^<]+)</a>', nav)
    assert labels == [page.label for page in made[0].page_map.pages]


def test_the_navigation_document_is_rendered_once_with_its_page_list_linked_to_the_markers(monkeypatch: pytest.MonkeyPatch) -> None:
    from bindery.pagemap import PageMap, PageStart
    from bindery.pipeline import load_book
    from bindery.render import render_ebook
    from bindery.templating import Templates

    loaded = load_book(ROOT / "tests" / "books" / "minimal")
    chapter = next(loaded.book.chapters())
    anchor = ((chapter.id, 0),)
    # A blank page, then two pages whose folio repeats (ids page-1 and page-1-3).
    page_map = PageMap((PageStart(1, "i", True, ()), PageStart(2, "1", False, anchor), PageStart(3, "1", False, ((chapter.id, 3),))))
    templates = Templates(loaded.book.root, "ebook")
    rendered: list[str] = []
    real = templates.render

    def counting(name: str, **context: object) -> str:
        rendered.append(name)
        return real(name, **context)

    monkeypatch.setattr(templates, "render", counting)
    rendering = render_ebook(loaded.book, loaded.xrefs, templates, page_map=page_map)
    assert rendered.count("nav.xhtml.j2") == 1
    assert [(p.id, p.document) for p in rendering.pages] == [(f"page-{n}", f"{chapter.unit}.xhtml") for n in ("i", "1", "1-3")]
    nav = etree.fromstring(rendering.nav.encode())
    (page_list,) = [n for n in nav.iterfind(".//x:nav", NS) if n.get(EPUB_TYPE) == "page-list"]
    assert [a.get("href") for a in page_list.iterfind(".//x:a", NS)] == [p.href for p in rendering.pages]
    chapter_doc = next(d for d in rendering.documents if d.name == f"{chapter.unit}.xhtml")
    assert all(f'id="{p.id}"' in chapter_doc.content for p in rendering.pages)


def test_the_page_list_own_ids_are_no_place_a_print_page_begins(tmp_path: Path) -> None:
    from bindery.pagemap import PageMap, PageStart
    from bindery.pipeline import load_book
    from bindery.render import render_ebook
    from bindery.templating import Templates

    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.yaml").write_text("title: Ids\nlanguage: en\nchapters: [chapters/page-list-title.md]\n")
    (tmp_path / "chapters/page-list-title.md").write_text("---\ntitle: A Chapter\n---\n\nThe first words.\n")
    loaded = load_book(tmp_path)
    assert next(loaded.book.articles()).id == "page-list-title"  # the nav's page-list heading has this id too
    page_map = PageMap((PageStart(1, "1", False, (("page-list-title", 0),)),))
    rendering = render_ebook(loaded.book, loaded.xrefs, Templates(tmp_path, "ebook"), page_map=page_map)
    assert [p.document for p in rendering.pages] == ["chapter-1.xhtml"]
