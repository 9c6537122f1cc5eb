"""What a reader, a store and Calibre see in the metadata and navigation (issue 9,
items 3, 4, 7, 10, 11, 13): dates in the book's language and never "2000",
conformance claimed only for an evaluated book, the subtitle in the EPUB title,
section-deep navigation, no derived UUID on the copyright page, and no
navigation-only text after a Calibre conversion.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from bindery.builders.epub import EpubBuilder
from bindery.dates import long_date
from bindery.diagnostics import BinderyError
from bindery.manifest import load_manifest
from bindery.pipeline import build, load_book
from bindery.render import render_ebook, render_print
from bindery.reproducible import build_time, publication_date
from bindery.templating import Templates
from conftest import EPOCH, ROOT, Built, epubcheck, severities

OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
X = {"x": "http://www.w3.org/1999/xhtml"}
NCX = {"n": "http://www.daisy.org/z3986/2005/ncx/"}

ONE = """---
title: Alpha Article
date: 2025-07-26
authors: [Ann Author]
---
Opening words of the first article.

## Planting

Text about planting.

### Soil

Text about soil.

## Harvest

Text about the harvest.
"""
TWO = """---
title: Beta Article
---
Opening words of the second article.

## Tools

Text about tools.
"""
THREE = """---
title: Gamma Article
---
Only a paragraph here.
"""


def small_book(tmp: Path, extra: str = "", language: str = "en-GB") -> Path:
    """Three articles: a single-article chapter with two sections (one with a subsection), then a grouped chapter."""
    (tmp / "chapters").mkdir(parents=True, exist_ok=True)
    for name, text in (("one", ONE), ("two", TWO), ("three", THREE)):
        (tmp / "chapters" / f"{name}.md").write_text(text, encoding="utf-8")
    (tmp / "book.yaml").write_text(
        f"""title: Small Book
subtitle: A Subtitle Worth Keeping
authors: [Ada Writer]
language: {language}
{extra}
chapters:
  - chapters/one.md
  - title: Grouped
    articles: [chapters/two.md, chapters/three.md]
""",
        encoding="utf-8",
    )
    return tmp


def epub_files(root: Path, out: Path) -> dict[str, str]:
    """The EPUB of a book (no page-list: no print layout), as text by file name."""
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    (artifact,) = EpubBuilder(book, xrefs, out).build().artifacts
    path = out / "book.epub"
    out.mkdir(parents=True, exist_ok=True)
    path.write_bytes(artifact.data)
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if not n.endswith(".png")}


def opf_meta(opf: str) -> dict[str, list[str]]:
    root = etree.fromstring(opf.encode())
    out: dict[str, list[str]] = {}
    for el in root.find("opf:metadata", OPF_NS):
        if not isinstance(el.tag, str):
            continue
        key = el.get("property") or etree.QName(el).localname
        if el.get("refines"):
            key = f"{el.get('refines')} {key}"
        out.setdefault(key, []).append(el.text or "")
    return out


def nav_counts(nav: str) -> dict[str, int]:
    root = etree.fromstring(nav.encode())
    return {n.get("{http://www.idpf.org/2007/ops}type"): len(n.findall(".//x:li", X)) for n in root.iterfind(".//x:nav", X)}


# --- Item 10: dates written the way the book's language writes them -----------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-GB", "26 July 2025"),
        ("en", "July 26, 2025"),
        ("en-US", "July 26, 2025"),
        ("fr", "26 juillet 2025"),
        ("de-CH-x-private", "26. Juli 2025"),  # falls back to the nearest language CLDR knows
        ("tlh", "2025-07-26"),  # no CLDR data: the ISO form, readable anywhere
    ],
)
def test_long_date_follows_the_language(language: str, expected: str) -> None:
    assert long_date("2025-07-26", language) == expected


def test_partial_and_odd_dates() -> None:
    assert long_date("2025-07", "en-GB") == "July 2025"
    assert long_date("2025", "fr") == "2025"
    assert long_date("2025-02-30", "en") == "2025-02-30", "an impossible day is shown as written, never a crash"


def test_bylines_use_the_language_in_both_editions(tmp_path: Path) -> None:
    for language, expected in (("en-GB", "26 July 2025"), ("en", "July 26, 2025"), ("fr", "26 juillet 2025")):
        root = small_book(tmp_path / language, language=language)
        loaded = load_book(root)
        book, xrefs = loaded.book, loaded.xrefs
        ebook = render_ebook(book, xrefs, Templates(root, "ebook"))
        chapter = next(d for d in ebook.documents if d.name == "chapter-1.xhtml")
        assert f'<time datetime="2025-07-26">{expected}</time>' in chapter.content
        printed = render_print(book, xrefs, Templates(root, "print")).html
        assert f"Ann Author · {expected}</p>" in printed
        assert "2025-07-26</p>" not in printed


# --- Item 3: no date in the manifest -----------------------------------------


def test_without_a_date_the_clock_is_source_date_epoch_else_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert publication_date(None) == "2023-11-14"
    assert publication_date("2021-03") == "2021-03", "the manifest's own date wins"
    assert build_time("2021-03") == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_time("2021-03") == dt.datetime(2021, 3, 1, tzinfo=dt.UTC), "a partial date is its first day, not 2000"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    now = build_time(None)
    assert before <= now <= dt.datetime.now(dt.UTC)
    assert publication_date(None) == dt.datetime.now(dt.UTC).date().isoformat()


def test_a_book_without_a_date_is_dated_by_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = small_book(tmp_path / "book", extra="publisher: Small Press")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    files = epub_files(root, tmp_path / "out")
    meta = opf_meta(files["OEBPS/content.opf"])
    assert meta["date"] == ["2023-11-14"], "dc:date is always written, so Calibre never stamps the conversion time"
    assert meta["dcterms:modified"] == ["2023-11-14T22:13:20Z"]
    copyright_page = files["OEBPS/copyright.xhtml"]
    assert "© 2023 Ada Writer" in copyright_page and "Published by Small Press, 2023." in copyright_page
    assert "2000" not in copyright_page

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    today = dt.datetime.now(dt.UTC).date()
    files = epub_files(root, tmp_path / "now")
    meta = opf_meta(files["OEBPS/content.opf"])
    assert meta["date"] == [today.isoformat()]
    assert meta["dcterms:modified"][0].startswith(today.isoformat())
    assert f"© {today.year} Ada Writer" in files["OEBPS/copyright.xhtml"]


def test_the_manifest_date_is_the_publication_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = small_book(tmp_path / "book", extra="date: 2024-05-02")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    meta = opf_meta(epub_files(root, tmp_path / "out")["OEBPS/content.opf"])
    assert meta["date"] == ["2024-05-02"] and meta["dcterms:modified"] == ["2023-11-14T22:13:20Z"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    meta = opf_meta(epub_files(root, tmp_path / "again")["OEBPS/content.opf"])
    assert meta["dcterms:modified"] == ["2024-05-02T00:00:00Z"], "without SOURCE_DATE_EPOCH the book's own date, reproducibly"


# --- Item 10: copyright page and typography ----------------------------------


def test_copyright_page_prints_an_isbn_but_never_the_derived_uuid(tmp_path: Path) -> None:
    root = small_book(tmp_path / "derived")
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    assert book.metadata.identifier.startswith("urn:uuid:")
    files = epub_files(root, tmp_path / "out")
    assert "urn:uuid:" not in files["OEBPS/copyright.xhtml"] and "Identifier" not in files["OEBPS/copyright.xhtml"]
    assert f">{book.metadata.identifier}</dc:identifier>" in files["OEBPS/content.opf"], "the OPF keeps it"
    printed = render_print(book, xrefs, Templates(root, "print")).html
    assert book.metadata.identifier not in printed and "Identifier:" not in printed

    root = small_book(tmp_path / "isbn", extra="identifier: 978-0-306-40615-7")
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    assert "<p>ISBN 9780306406157</p>" in render_print(book, xrefs, Templates(root, "print")).html
    assert "<p>ISBN 9780306406157</p>" in epub_files(root, tmp_path / "isbn-out")["OEBPS/copyright.xhtml"]


def test_further_reading_intro_has_a_typographic_apostrophe() -> None:
    loaded = load_book(ROOT)
    book, xrefs = loaded.book, loaded.xrefs
    ebook = render_ebook(book, xrefs, Templates(ROOT, "ebook"))
    (page,) = [d.content for d in ebook.documents if d.role == "further-reading"]
    printed = render_print(book, xrefs, Templates(ROOT, "print")).html
    for text in (page, printed):
        assert "in this book’s related lists" in text
        assert "book's" not in text
        # the entries' dates read as the byline dates do, the same in both editions (the page map matches their words)
        assert re.search(r"\((?:[^()<]*, )?(<time datetime=\"2026-05-19\">)?May 19, 2026(</time>)?\)", text)
        assert not re.search(r"\(\d{4}-\d{2}-\d{2}\)", text)


# --- Item 11: the subtitle in the EPUB's title -------------------------------


def test_subtitle_is_a_refined_second_title(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book")
    files = epub_files(root, tmp_path / "out")
    opf = files["OEBPS/content.opf"]
    assert "<docTitle><text>Small Book: A Subtitle Worth Keeping</text></docTitle>" in files["OEBPS/toc.ncx"]
    tree = etree.fromstring(opf.encode())
    titles = [(t.get("id"), t.text) for t in tree.iterfind(".//dc:title", OPF_NS)]
    assert titles == [("title", "Small Book"), ("subtitle", "A Subtitle Worth Keeping")]
    meta = opf_meta(opf)
    assert meta["#title title-type"] == ["main"] and meta["#subtitle title-type"] == ["subtitle"]
    # The print edition's title is the same pair, as Calibre reads the OPF: "Title: Subtitle".
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    assert "<title>Small Book: A Subtitle Worth Keeping</title>" in render_print(book, xrefs, Templates(root, "print")).html


def test_a_book_without_subtitle_has_one_plain_title(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book")
    text = (root / "book.yaml").read_text().replace("subtitle: A Subtitle Worth Keeping\n", "")
    (root / "book.yaml").write_text(text)
    opf = epub_files(root, tmp_path / "out")["OEBPS/content.opf"]
    assert opf.count("<dc:title") == 1 and "title-type" not in opf


# --- Item 4: accessibility conformance only when someone evaluated the book ---


def test_no_conformance_claim_without_an_evaluator(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", extra="publisher: Small Press")
    meta = opf_meta(epub_files(root, tmp_path / "out")["OEBPS/content.opf"])
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert meta["schema:accessMode"] == ["textual"] and meta["schema:accessibilityHazard"] == ["none"]
    assert "No one has yet evaluated" in meta["schema:accessibilitySummary"][0]


def test_the_evaluator_named_in_the_manifest_is_the_certifier(tmp_path: Path) -> None:
    extra = """publisher: Small Press
accessibility:
  certified_by: Ada Auditor
  credential: Accessibility Auditor, Example Institute
  report: https://example.org/reports/small-book.html"""
    root = small_book(tmp_path / "book", extra=extra)
    files = epub_files(root, tmp_path / "out")
    meta = opf_meta(files["OEBPS/content.opf"])
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert meta["a11y:certifiedBy"] == ["Ada Auditor"]
    assert meta["#certifier a11y:certifierCredential"] == ["Accessibility Auditor, Example Institute"]
    opf = etree.fromstring(files["OEBPS/content.opf"].encode())
    (link,) = opf.iterfind(".//opf:metadata/opf:link", OPF_NS)
    assert (link.get("rel"), link.get("refines"), link.get("href")) == (
        "a11y:certifierReport",
        "#certifier",
        "https://example.org/reports/small-book.html",
    )
    assert "Ada Auditor evaluated it" in meta["schema:accessibilitySummary"][0]


def test_an_undescribed_image_voids_the_claim(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", extra="accessibility: {certified_by: Ada Auditor}")
    shutil.copy(ROOT / "tests" / "books" / "images" / "images" / "map.png", root / "chapters" / "map.png")
    with (root / "chapters" / "three.md").open("a", encoding="utf-8") as f:
        f.write("\n![](map.png)\n")
    meta = opf_meta(epub_files(root, tmp_path / "out")["OEBPS/content.opf"])
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta


@pytest.mark.parametrize(
    ("yaml", "line", "key", "words"),
    [
        ("accessibility: yes", 5, "accessibility", "who evaluated"),
        ("accessibility: {credential: Expert}", 5, "accessibility", "certified_by"),
        ("accessibility:\n  certified_by: A\n  conforms_to: WCAG 2.1 AA", 7, "accessibility.conforms_to", "not an EPUB Accessibility 1.1"),
        ("accessibility:\n  certified_by: A\n  report: somewhere", 7, "accessibility.report", "not a web address"),
        ("accessibility:\n  certified_by: [A, B]", 6, "accessibility.certified_by", "text"),
        ("accessibility:\n  certified_by:", 6, "accessibility.certified_by", "is empty"),
        ("accessibility:\n  certified_by: '  '", 6, "accessibility.certified_by", "is empty"),
        ("accessibility:\n  certifed_by: A", 6, "accessibility.certifed_by", "unknown key"),
        ("navigation: {depth: paragraphs}", 5, "navigation.depth", "not a navigation depth"),
        ("navigation:\n  contents: section", 6, "navigation.contents", "did you mean 'sections'"),
        ("navigation: sections", 5, "navigation", "must be a mapping"),
    ],
)
def test_bad_accessibility_and_navigation_keys_name_the_line(tmp_path: Path, yaml: str, line: int, key: str, words: str) -> None:
    root = small_book(tmp_path, extra=yaml)
    with pytest.raises(BinderyError) as caught:
        load_manifest(root)
    found = [d for d in caught.value.diagnostics if d.key == key]
    assert len(found) == 1, [str(d) for d in caught.value.diagnostics]
    (problem,) = found
    assert problem.line == line and problem.file is not None and problem.file.endswith("book.yaml")
    assert words in problem.message + " " + (problem.hint or "")


# --- Item 7: navigation depth --------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "toc", "ncx_depth"),
    [
        ("", 7, 3),  # default sections: 2 chapters, 2 grouped articles, Planting, Harvest, Tools
        ("navigation: {depth: chapters}", 4, 2),
        ("navigation: {depth: subsections}", 8, 3),  # and Soil, under Planting
    ],
)
def test_nav_and_ncx_follow_the_depth(tmp_path: Path, setting: str, toc: int, ncx_depth: int) -> None:
    root = small_book(tmp_path / "book", extra=setting)
    files = epub_files(root, tmp_path / "out")
    assert nav_counts(files["OEBPS/nav.xhtml"])["toc"] == toc
    ncx = etree.fromstring(files["OEBPS/toc.ncx"].encode())
    assert len(ncx.findall(".//n:navMap//n:navPoint", NCX)) == toc
    assert ncx.find(".//n:meta[@name='dtb:depth']", NCX).get("content") == str(ncx_depth)
    labels = [t.text for t in ncx.iterfind(".//n:navMap//n:text", NCX)]
    if toc >= 7:
        assert (
            labels[:4] == ["1. Alpha Article", "Planting", "Soil", "Harvest"]
            if toc == 8
            else ["1. Alpha Article", "Planting", "Harvest", "2. Grouped"]
        )
    # every nav target exists
    for href in re.findall(r'href="([^"#]+)#([^"]+)"', files["OEBPS/nav.xhtml"]):
        assert f'id="{href[1]}"' in files[f"OEBPS/{href[0]}"]


def test_printed_contents_stays_at_chapters_unless_asked(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book")
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    html = render_print(book, xrefs, Templates(root, "print")).html
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert "Planting" not in toc and "toc-section" not in toc
    root = small_book(tmp_path / "asked", extra="navigation: {contents: sections}")
    loaded = load_book(root)
    book, xrefs = loaded.book, loaded.xrefs
    html = render_print(book, xrefs, Templates(root, "print")).html
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert toc.count('class="toc-section"') == 3 and "Planting" in toc and "Soil" not in toc


def test_pdf_outline_lists_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = small_book(tmp_path / "book")
    (pdf,) = [a.path for a in build(root, ("pdf",), tmp_path / "out").artifacts if a.path.suffix == ".pdf"]

    def titles(outline: list[object], depth: int = 0) -> list[str]:
        out: list[str] = []
        for item in outline:
            out += titles(item, depth + 1) if isinstance(item, list) else ["  " * depth + item.title]  # type: ignore[attr-defined]
        return out

    outline = titles(pypdf.PdfReader(pdf).outline)
    body = outline[outline.index("1. Alpha Article") :]
    assert body == ["1. Alpha Article", "  Planting", "  Harvest", "2. Grouped", "  Beta Article", "    Tools", "  Gamma Article"]


# --- Item 13: nothing navigation-only in a Calibre conversion -----------------


def test_nav_only_lists_are_hidden_by_attribute_and_by_css(sample_epub: dict[str, str]) -> None:
    """Calibre keeps the nav document (it is in the spine) as text and honours only CSS `display: none`."""
    nav = etree.fromstring(sample_epub["OEBPS/nav.xhtml"].encode())
    navs = {n.get("{http://www.idpf.org/2007/ops}type"): n for n in nav.iterfind(".//x:nav", X)}
    assert navs["landmarks"].get("hidden") is not None and navs["page-list"].get("hidden") is not None
    assert navs["toc"].get("hidden") is None
    assert re.search(r"nav\[hidden\][^{]*\{\s*display:\s*none", sample_epub["OEBPS/css/book.css"])
    assert 'href="../css/book.css"' in sample_epub["OEBPS/nav.xhtml"] or 'href="css/book.css"' in sample_epub["OEBPS/nav.xhtml"]


@pytest.fixture(scope="module")
def sample_epub(sample: Built) -> dict[str, str]:
    """The sample book's EPUB with its page-list (an EPUB-only build gives the same bytes: tests/test_pagelist.py)."""
    epub = sample.epub
    with zipfile.ZipFile(epub) as z:
        files = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xhtml", ".css", ".opf", ".ncx"))}
    files["path"] = str(epub)
    return files


def test_calibre_conversion_shows_no_navigation_only_text(sample_epub: dict[str, str], tmp_path: Path) -> None:
    convert = shutil.which("ebook-convert")
    if convert is None:
        pytest.skip("Calibre's ebook-convert is not installed (apt-get install calibre); the CSS test above covers the cause")
    env = {**os.environ, "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox", "QT_QPA_PLATFORM": "offscreen"}
    epub = Path(sample_epub["path"])
    pages = re.findall(r'epub:type="page-list".*?</nav>', sample_epub["OEBPS/nav.xhtml"], re.S)[0]
    labels = re.findall(r">([ivxlc]+|\d+)</a>", pages)
    assert len(labels) > 20
    for fmt in ("azw3",):  # Kindle's format; KDP no longer takes MOBI, so it is not converted to (two Calibre runs less)
        converted = tmp_path / f"book.{fmt}"
        text_file = tmp_path / f"{fmt}.txt"
        for src, dst in ((epub, converted), (converted, text_file)):
            run = subprocess.run([convert, str(src), str(dst)], capture_output=True, text=True, env=env, timeout=300)
            assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        lines = [line.strip() for line in text_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        for hidden in ("Landmarks", "Start of Content", "Title Page", "Pages of the print edition"):
            assert hidden not in lines, f"{fmt}: '{hidden}' shows as text"
        # the page-list labels would appear as a run of lines "i", "ii", ... "1", "2", ...
        runs = [i for i in range(len(lines) - 3) if lines[i : i + 3] == labels[:3]]
        assert runs == [], f"{fmt}: the page-list shows as text"
        contents = lines.index("Contents")
        assert "Preface" in lines[contents + 1] and any("1. Why Bindery" in line for line in lines[contents : contents + 8])
    # Internal links survive in the AZW3: read back as EPUB, every in-book link finds its target.
    back = tmp_path / "back.epub"
    subprocess.run([convert, str(tmp_path / "book.azw3"), str(back)], capture_output=True, env=env, timeout=300, check=True)
    with zipfile.ZipFile(back) as z:
        docs = {Path(n).name: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".html", ".xhtml"))}
    links = [(f or name, frag) for name, doc in docs.items() for f, frag in re.findall(r'href="([^"#:]*)#([^"]+)"', doc)]
    assert len(links) > 30
    broken = [(f, frag) for f, frag in links if f'id="{frag}"' not in docs.get(Path(f).name, "")]
    assert broken == []


def test_sample_and_small_book_pass_epubcheck(sample_epub: dict[str, str], tmp_path: Path) -> None:
    """One EPUBCheck run over the new metadata: two dc:title, dc:date, a11y claim with credential and report."""
    extra = "accessibility: {certified_by: Ada Auditor, credential: Auditor, report: 'https://example.org/r.html'}"
    root = small_book(tmp_path / "book", extra=extra)
    epub_files(root, tmp_path / "out")
    for path in (tmp_path / "out" / "book.epub", Path(sample_epub["path"])):
        found = severities(epubcheck(path))
        assert (found.get("FATAL", []), found.get("ERROR", []), found.get("WARNING", [])) == ([], [], []), path.name


def test_sections_nest_subsections_and_keep_a_stray_one(tmp_path: Path) -> None:
    from dataclasses import replace

    from bindery.model.types import Heading
    from bindery.navigation import article_sections, outline_depth

    book = load_book(small_book(tmp_path)).book
    article = next(book.chapters()).articles[0]
    odd = replace(
        article,
        headings=(Heading("a--early", "Early", 3), Heading("a--s", "Section", 2), Heading("a--deep", "Deep", 4), Heading("a--x", " ", 2)),
    )
    assert [(e.title, e.children) for e in article_sections(odd, depth=2)] == [("Early", ()), ("Section", ())]
    assert [e.title for e in article_sections(odd, grouped=True, depth=2)] == ["Early"], "a grouped article's sections are h3"
    assert article_sections(odd, depth=0) == ()
    nested = article_sections(article, depth=2)
    assert [(e.title, [c.title for c in e.children]) for e in nested] == [("Planting", ["Soil"]), ("Harvest", [])]
    assert (outline_depth(book, 0), outline_depth(book, 1), outline_depth(book, 2)) == (2, 3, 3)
