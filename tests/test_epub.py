"""The EPUB: validity (EPUBCheck 0/0), package structure, navigation, semantics."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
import yaml

from conftest import ROOT, Built, epubcheck, severities

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def opf(built: Built) -> ET.Element:
    return ET.fromstring(built.epub_text("OEBPS/content.opf"))


def test_sample_book_passes_epubcheck_with_no_errors_or_warnings(sample: Built) -> None:
    report = epubcheck(sample.epub)
    found = severities(report)
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found
    assert not found.get("USAGE"), found  # usage messages are shown and there are none


@pytest.mark.parametrize("name", ["minimal", "override"])
def test_every_test_book_passes_epubcheck(test_books: dict[str, Built], name: str) -> None:
    found = severities(epubcheck(test_books[name].epub))
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found


def test_mimetype_is_first_and_stored(sample: Built) -> None:
    import zipfile

    with zipfile.ZipFile(sample.epub) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"


def test_spine_follows_the_manifest_order(sample: Built) -> None:
    package = opf(sample)
    hrefs = {i.get("id"): i.get("href") for i in package.iterfind("opf:manifest/opf:item", NS)}
    spine = [hrefs[i.get("idref")] for i in package.iterfind("opf:spine/opf:itemref", NS)]
    manifest = yaml.safe_load((ROOT / "book.yaml").read_text())
    # Reading order: cover, title page, copyright, dedication, contents, preface, then parts and chapters.
    assert spine[:6] == ["cover.xhtml", "titlepage.xhtml", "copyright.xhtml", "front-1.xhtml", "nav.xhtml", "front-2.xhtml"]
    body = [s for s in spine if s.startswith(("part-", "chapter-"))]
    expected = []
    n = 0
    for p, part in enumerate(manifest["parts"], start=1):
        expected.append(f"part-{p}.xhtml")
        for _chapter in part["chapters"]:
            n += 1
            expected.append(f"chapter-{n}.xhtml")
    assert body == expected
    assert spine[-4:] == ["back-1.xhtml", "back-2.xhtml", "further-reading.xhtml", "index.xhtml"]  # the index comes last
    # Each chapter document holds the articles the manifest lists for it, in order.
    first_group = manifest["parts"][0]["chapters"][1]
    chapter2 = sample.epub_text("OEBPS/chapter-2.xhtml")
    titles = [yaml.safe_load((ROOT / a).read_text().split("---")[1])["title"] for a in first_group["articles"]]
    positions = [chapter2.index(t) for t in titles]
    assert positions == sorted(positions)


def test_nav_nests_parts_chapters_and_articles(sample: Built) -> None:
    nav = ET.fromstring(sample.epub_text("OEBPS/nav.xhtml"))
    toc = next(n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav") if n.get(EPUB_TYPE) == "toc")
    top = toc.find("x:ol", NS)
    assert top is not None
    labels = ["".join(li.find("x:a", NS).itertext()) for li in top.findall("x:li", NS)]  # type: ignore[union-attr]
    assert labels[0] == "Preface"
    assert [label for label in labels if label.startswith("Part")] == [
        "Part One: Getting Started",
        "Part Two: Writing and Structuring",
        "Part Three: Output and Publishing",
    ]
    part_one = top.findall("x:li", NS)[1]
    chapters = part_one.findall("x:ol/x:li", NS)
    assert ["".join(c.find("x:a", NS).itertext()) for c in chapters] == ["1. Why Bindery: From Articles to a Book", "2. The Manifest"]  # type: ignore[union-attr]
    grouped = chapters[1].findall("x:ol/x:li/x:a", NS)
    assert ["".join(a.itertext()) for a in grouped] == ["Describing Your Book", "Parts, Chapters, and Groups"]
    # Every link in the nav points at an id that exists in its document.
    for a in toc.iter("{http://www.w3.org/1999/xhtml}a"):
        doc, _, frag = a.get("href", "").partition("#")
        assert f'id="{frag}"' in sample.epub_text(f"OEBPS/{doc}"), a.get("href")


def test_landmarks_name_toc_and_bodymatter(sample: Built) -> None:
    nav = ET.fromstring(sample.epub_text("OEBPS/nav.xhtml"))
    landmarks = next(n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav") if n.get(EPUB_TYPE) == "landmarks")
    kinds = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter("{http://www.w3.org/1999/xhtml}a")}
    assert kinds["toc"] == "nav.xhtml#toc"
    assert kinds["bodymatter"] == "part-1.xhtml"
    assert kinds["cover"] == "cover.xhtml"  # the sample has no cover image: Bindery draws one
    assert kinds["index"] == "index.xhtml#index"  # the back-of-book index


def test_ncx_mirrors_the_nav_for_older_readers(sample: Built) -> None:
    ncx = ET.fromstring(sample.epub_text("OEBPS/toc.ncx"))
    points = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    assert [p.find("ncx:navLabel/ncx:text", NS).text for p in points][1] == "Part One: Getting Started"  # type: ignore[union-attr]
    orders = [int(p.get("playOrder", "0")) for p in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}navPoint")]
    assert orders == list(range(1, len(orders) + 1))


def test_metadata_and_modified_date(sample: Built) -> None:
    package = opf(sample)
    meta = package.find("opf:metadata", NS)
    assert meta is not None
    assert meta.findtext("dc:title", namespaces=NS) == "The Bindery Guide"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    identifier = meta.findtext("dc:identifier", namespaces=NS) or ""
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier)
    modified = [m.text for m in meta.findall("opf:meta", NS) if m.get("property") == "dcterms:modified"]
    assert modified == ["2023-11-14T22:13:20Z"]  # SOURCE_DATE_EPOCH=1700000000, in UTC
    roles = [m.text for m in meta.findall("opf:meta", NS) if m.get("property") == "role"]
    assert roles == ["aut"]


def test_every_document_has_a_language_and_semantics(sample: Built) -> None:
    for name in sample.epub_names():
        if not name.endswith(".xhtml"):
            continue
        root = ET.fromstring(sample.epub_text(name))
        assert root.get("lang") == "en" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", name
    chapter = ET.fromstring(sample.epub_text("OEBPS/chapter-1.xhtml"))
    section = chapter.find("x:body/x:section", NS)
    assert section is not None and section.get(EPUB_TYPE) == "chapter" and section.get("role") == "doc-chapter"
    part = ET.fromstring(sample.epub_text("OEBPS/part-1.xhtml")).find("x:body/x:section", NS)
    assert part is not None and part.get(EPUB_TYPE) == "part" and part.get("role") == "doc-part"
    preface = ET.fromstring(sample.epub_text("OEBPS/front-2.xhtml")).find("x:body/x:section", NS)
    assert preface is not None and preface.get("role") == "doc-preface"


def test_ids_are_unique_across_the_book_even_for_shared_headings(sample: Built) -> None:
    ids: Counter[str] = Counter()
    mistakes = []
    for name in sample.epub_names():
        if name.endswith(".xhtml"):
            root = ET.fromstring(sample.epub_text(name))
            for el in root.iter():
                if el.get("id"):
                    ids[el.get("id")] += 1  # type: ignore[index]
                if el.tag.endswith(("h2", "h3")) and "".join(el.itertext()) == "Common mistakes":
                    mistakes.append(el.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(mistakes) >= 2 and len(set(mistakes)) == len(mistakes)


def test_footnotes_and_tables_survive(sample: Built) -> None:
    chapter = sample.epub_text("OEBPS/chapter-1.xhtml")
    assert 'epub:type="noteref"' in chapter and 'role="doc-endnotes"' in chapter
    assert "<table>" in chapter


def test_css_respects_reader_settings(sample: Built) -> None:
    css = sample.epub_text("OEBPS/css/book.css")
    assert not re.search(r"\d(px|pt)\b", css), "ebook CSS must use relative units"
    body_rule = re.search(r"\bbody\s*\{([^}]*)\}", css)
    assert body_rule and "font-size" not in body_rule.group(1) and "font-family" not in body_rule.group(1)


def test_a_book_template_overrides_the_builtin_one(test_books: dict[str, Built]) -> None:
    built = test_books["override"]
    assert "comes from the book's own templates folder" in built.epub_text("OEBPS/titlepage.xhtml")
    # the other templates still come from the built-in set
    assert 'epub:type="copyright-page"' in built.epub_text("OEBPS/copyright.xhtml")


def test_book_without_parts_has_flat_chapters(test_books: dict[str, Built]) -> None:
    built = test_books["minimal"]
    assert "chapter-1.xhtml" in " ".join(built.epub_names())
    assert not any("part-" in n for n in built.epub_names())


def test_an_article_named_like_a_chapter_keeps_ids_unique(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import build_book

    (tmp_path / "chapter-2.md").write_text("---\ntitle: Named Like Chapter Two\n---\n\nFirst.\n")
    (tmp_path / "chapter-1.md").write_text("---\ntitle: Named Like Chapter One\n---\n\nSecond.\n")
    (tmp_path / "book.yaml").write_text("title: Awkward Names\nchapters: [chapter-2.md, chapter-1.md]\n")
    built = build_book(tmp_path, tmp_path / "out", ("epub",))
    ids: Counter[str] = Counter()
    for name in built.epub_names():
        if name.endswith(".xhtml"):
            ids.update(re.findall(r'\sid="([^"]+)"', built.epub_text(name)))
    assert [i for i, n in ids.items() if n > 1] == []
    assert "chapter-2-article" in ids and "chapter-1-article" in ids
