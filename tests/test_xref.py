"""Cross-references: related entries resolved to articles of the book or to further reading.

The sample book's lists must resolve as tests/sample_related_expectations.json
says; tests/books/xref is a small book with the hard cases (an ambiguous entry,
explicit refs, a truncated summary, a same-date trap, one outside entry cited
twice with different punctuation), built once per `further_reading` mode.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from bindery.matching import words
from bindery.pipeline import load_book
from conftest import BOOKS, EPOCH, ROOT, epubcheck, made_once, pdf_pages_text, severities, write_json

XHTML = "{http://www.w3.org/1999/xhtml}"
XREF_BOOK = BOOKS / "xref"
AMBIGUOUS = (
    "How to load and fire the studio's old kiln for a bisque firing, from stacking the shelves to reading"
    " the witness cones the morning after."
)
SALT = "A history of salt glazing in the Rhineland potteries of the sixteenth century."
NOTEBOOK = "Why a potter's notebook matters more than any single recipe."
OUTSIDE = (AMBIGUOUS, SALT, NOTEBOOK)


def key(summary: str) -> str:
    return " ".join(words(summary))


# --------------------------------------------------------------------------
# The sample book


def test_the_sample_books_related_lists_resolve_as_expected() -> None:
    expected = json.loads((ROOT / "tests" / "sample_related_expectations.json").read_text(encoding="utf-8"))
    loaded = load_book(ROOT)
    book, xrefs, warnings = loaded.book, loaded.xrefs, loaded.warnings
    articles = {a.source: a for a in book.articles()}
    assert {k for k, v in expected.items()} == {src for src, a in articles.items() if a.related}
    kinds = set()
    for source, entries in expected.items():
        art = articles[source]
        assert [" ".join(e.summary.split()) for e in art.related] == [" ".join(e["summary"].split()) for e in entries], source
        links = xrefs.of(art.id)
        linked = {x.entry.summary: x.target.source for x in links.in_book}
        outside = {key(f.summary) for f in links.outside}
        for entry, want in zip(art.related, entries, strict=True):
            kinds.add(want["kind"])
            if want["target"] is None:
                assert entry.summary not in linked, f"{source}: {entry.summary!r} must not be linked (it is {want['kind']})"
                assert key(entry.summary) in outside, f"{source}: {entry.summary!r} must be in further reading"
            else:
                assert linked.get(entry.summary) == want["target"], f"{source}: {entry.summary!r} ({want['kind']})"
    assert {"exact", "fuzzy", "outside", "trap"} <= kinds  # edited and truncated summaries, and the trap
    assert xrefs.ambiguous == 0
    assert not [w for w in warnings if w.code.startswith("xref")]


# --------------------------------------------------------------------------
# The small test book, resolved without rendering


def test_an_ambiguous_entry_is_a_warning_naming_both_candidates_and_is_not_linked() -> None:
    loaded = load_book(XREF_BOOK)
    xrefs, warnings = loaded.xrefs, loaded.warnings
    ambiguous = [w for w in warnings if w.code == "xref-ambiguous"]
    assert len(ambiguous) == 1 and xrefs.ambiguous == 1
    message = str(ambiguous[0])
    assert "chapters/kiln-electric.md" in message and "chapters/kiln-gas.md" in message
    assert "The Electric Kiln" in message and "The Gas Kiln" in message
    assert str(ambiguous[0].file).endswith("chapters/glazes.md") and ambiguous[0].line == 8
    glazes = xrefs.of("glazes")
    assert all(x.target.id not in ("kiln-electric", "kiln-gas") for x in glazes.in_book)
    assert key(AMBIGUOUS) in {key(f.summary) for f in glazes.outside}


def test_an_explicit_ref_wins_over_the_summary() -> None:
    xrefs = load_book(XREF_BOOK).xrefs
    wheel = xrefs.of("wheel")
    # The first entry is word for word the electric kiln's summary, but names the gas kiln.
    assert [(x.entry.ref, x.target.id) for x in wheel.in_book] == [("chapters/kiln-gas.md", "kiln-gas"), ("glazes", "glazes")]
    assert wheel.in_book[0].chapter is not None and wheel.in_book[0].chapter.number == 2


def test_a_truncated_summary_links_and_a_shared_date_does_not() -> None:
    xrefs = load_book(XREF_BOOK).xrefs
    glazes = xrefs.of("glazes")
    assert [(x.target.id, x.chapter.number if x.chapter else None) for x in glazes.in_book] == [("wheel", 3)]
    # SALT has the wheel article's date and category, and is still outside the book.
    assert key(SALT) in {key(f.summary) for f in glazes.outside}
    assert (xrefs.resolved, xrefs.outside, xrefs.ambiguous) == (3, 5, 1)


def test_further_reading_lists_each_outside_summary_once_with_every_citing_article() -> None:
    xrefs = load_book(XREF_BOOK).xrefs
    entries = {key(f.summary): f for f in xrefs.further_reading}
    assert set(entries) == {key(s) for s in OUTSIDE}
    # "A History of Salt-Glazing ..." in kiln-gas.md is the same entry as SALT.
    assert [a.id for a in entries[key(SALT)].cited_by] == ["glazes", "kiln-gas", "wheel"]
    assert [a.id for a in entries[key(NOTEBOOK)].cited_by] == ["kiln-gas"]
    assert entries[key(SALT)].date == "2025-04-12" and entries[key(SALT)].category == "Studio"
    # Grouped by category, categories first; newest first within one.
    assert [c for c, _ in xrefs.further_reading_groups()] == ["Studio", None]


def test_strict_fails_on_an_ambiguous_entry_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(XREF_BOOK), "--format", "epub", "--output", str(out), "--strict"])
    assert result.exit_code == 1, result.output
    assert "kiln-electric.md" in result.output and "kiln-gas.md" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())
    result = CliRunner().invoke(main, ["build", str(XREF_BOOK), "--format", "epub", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 resolved, 5 outside the book (3 distinct; further reading), 1 ambiguous" in result.output


# --------------------------------------------------------------------------
# The three further_reading modes, built into EPUB and PDF


@dataclass(frozen=True)
class ModeBuild:
    mode: str
    epub: Path
    pdf: Path
    summary: str

    def read(self, name: str) -> str:
        with zipfile.ZipFile(self.epub) as z:
            return z.read(f"OEBPS/{name}").decode("utf-8")

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.epub) as z:
            return [n.removeprefix("OEBPS/") for n in z.namelist()]

    def pdf_text(self) -> str:
        return " ".join(" ".join(pdf_pages_text(self.pdf)).split())


@pytest.fixture(scope="module")
def modes() -> dict[str, ModeBuild]:
    """The xref book in each further_reading mode, built once per test run (read-only)."""

    def make(folder: Path) -> None:
        lines = {}
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
            for mode in ("appendix", "inline", "omit"):
                root = folder / f"xref-{mode}" / "book"
                shutil.copytree(XREF_BOOK, root)
                manifest = root / "book.yaml"
                manifest.write_text(manifest.read_text().replace("further_reading: appendix", f"further_reading: {mode}"))
                result = CliRunner().invoke(main, ["build", str(root), "--output", str(root / "out")])
                assert result.exit_code == 0, result.output
                lines[mode] = next(x for x in result.output.splitlines() if "cross-references:" in x)
        write_json(folder / "summaries.json", lines)

    folder = made_once("xref-modes", make)
    lines = json.loads((folder / "summaries.json").read_text(encoding="utf-8"))
    built = {}
    for mode in ("appendix", "inline", "omit"):
        out = folder / f"xref-{mode}" / "book" / "out"
        built[mode] = ModeBuild(mode, out / "notes-from-the-pottery.epub", out / "notes-from-the-pottery.pdf", lines[mode])
    return built


def test_inline_mode_gives_a_valid_epub(modes: dict[str, ModeBuild]) -> None:
    # EPUBCheck takes half a minute a run here; appendix mode is checked on the
    # sample and seeds books, and omit only leaves sections out.
    found = severities(epubcheck(modes["inline"].epub))
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found


@pytest.mark.parametrize("mode", ["appendix", "inline", "omit"])
def test_every_mode_counts_the_outside_entries_in_the_summary(modes: dict[str, ModeBuild], mode: str) -> None:
    assert "3 resolved, 5 outside the book (3 distinct;" in modes[mode].summary
    assert modes[mode].summary.endswith("1 ambiguous")
    if mode == "omit":
        assert "not printed" in modes[mode].summary


def test_appendix_mode_has_a_further_reading_section_with_backlinks(modes: dict[str, ModeBuild]) -> None:
    b = modes["appendix"]
    assert "further-reading.xhtml" in b.names()
    assert 'href="further-reading.xhtml' in b.read("nav.xhtml")
    page = ET.fromstring(b.read("further-reading.xhtml"))
    items = list(page.iter(f"{XHTML}li"))
    assert len(items) == 3
    by_summary = {key("".join(li.itertext()).split(" (")[0].split("Cited in")[0]): li for li in items}
    assert set(by_summary) == {key(s) for s in OUTSIDE}
    salt = by_summary[key(SALT)]
    links = [(a.get("href"), "".join(a.itertext())) for a in salt.iter(f"{XHTML}a")]
    assert [text for _, text in links] == ["Mixing Glazes", "The Gas Kiln", "Centring on the Wheel"]
    for href, _ in links:
        doc, _, anchor = str(href).partition("#")
        assert f'id="{anchor}"' in b.read(doc), href
    # Each citing article points at the section instead of listing the entries.
    chapter_1 = b.read("chapter-1.xhtml")
    assert "further-reading.xhtml#further-reading" in chapter_1 and SALT not in chapter_1
    text = b.pdf_text()
    assert text.count("Further Reading") >= 2  # the contents and the section
    assert re.search(r"Cited in Mixing Glazes \(p\. \d+\); The Gas Kiln \(p\. \d+\); Centring on the Wheel \(p\. \d+\)", text), text[-800:]
    assert re.search(r"Further reading for this article: 2 entries, page \d+", text)


def test_inline_mode_lists_the_entries_under_each_article(modes: dict[str, ModeBuild]) -> None:
    b = modes["inline"]
    assert "further-reading.xhtml" not in b.names()
    assert "further-reading" not in b.read("nav.xhtml")
    chapter_1 = ET.fromstring(b.read("chapter-1.xhtml"))
    inline = [s for s in chapter_1.iter(f"{XHTML}section") if s.get("class") == "further-reading-inline"]
    assert len(inline) == 1
    listed = [key("".join(li.itertext()).split(" (")[0]) for li in inline[0].iter(f"{XHTML}li")]
    assert sorted(listed) == sorted([key(AMBIGUOUS), key(SALT)])
    kilns = b.read("chapter-2.xhtml")
    assert NOTEBOOK in kilns.replace("&#x27;", "'").replace("&#39;", "'")
    text = b.pdf_text()
    assert "Further Reading" not in text  # no appendix, no contents entry
    assert text.count("FURTHER READING") == 3  # under glazes, the gas kiln and the wheel (set in capitals)
    assert " ".join(SALT.split()) in text.replace("\u00ad", "")


def test_omit_mode_prints_no_outside_entry(modes: dict[str, ModeBuild]) -> None:
    b = modes["omit"]
    assert "further-reading.xhtml" not in b.names()
    with zipfile.ZipFile(b.epub) as z:
        everything = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xhtml"))
    assert "salt glazing" not in everything.lower() and "Further reading" not in everything
    text = b.pdf_text()
    assert "salt glazing" not in text.lower() and "further reading" not in text.lower()
    assert "Related in this book" in everything  # in-book links stay


def test_in_book_links_read_as_chapter_title_and_page_in_print(modes: dict[str, ModeBuild]) -> None:
    b = modes["appendix"]
    assert re.search(r"see chapter 3, “Centring on the Wheel”, page \d+", b.pdf_text())
    chapter_1 = b.read("chapter-1.xhtml")
    assert '<a href="chapter-3.xhtml#wheel">Chapter 3: Centring on the Wheel</a>' in chapter_1
