"""The sample book's index checked against its own layout (the issue's "done when").

Every page number the printed index shows is read back from the PDF
(pdftotext, the two columns split by word position) and must be a page on
which pdftotext finds the entry's marked text; every EPUB locator must land on
an element that contains it.
"""

from __future__ import annotations

import html
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bindery.layout_pages import _infer_labels
from bindery.model.types import BookIndex, Entry
from bindery.pipeline import load_book
from conftest import ROOT, Built, pdf_pages_text

pytestmark = pytest.mark.slow
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
LOCATOR = re.compile(r"\b(\d+|[ivxlc]+)(?:–(\d+))?\b")
XHTML = "{http://www.w3.org/1999/xhtml}"


def normalise(text: str) -> str:
    text = re.sub(r"[\u2010-]\s*\n\s*", "", text)  # a word hyphenated at a line end
    return " ".join(text.replace("\u00ad", "").split()).casefold()


def page_labels(pages: list[str]) -> list[str]:
    shown: list[str | None] = []
    for text in pages:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        last = lines[-1] if lines else ""
        shown.append(last if re.fullmatch(r"\d+|[ivxlcdm]+", last) else None)
    return _infer_labels(shown)


def column_text(pdf: Path, page: int) -> str:
    """One page of the index in reading order: the left column, then the right."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True
    )
    words = [(float(a), float(b), float(c), html.unescape(t)) for a, b, c, _, t in WORD.findall(out.stdout)]
    body = [w for w in words if 0.75 * 72 <= w[1] <= 9 * 72 - 0.75 * 72]  # the 6x9 in page without its running head and folio
    mid = (min(w[0] for w in body) + max(w[2] for w in body)) / 2
    text = []
    for left in (True, False):
        col = sorted((w for w in body if (w[0] < mid) == left), key=lambda w: (round(w[1]), w[0]))
        line_y = None
        for _x, y, _, t in col:
            text.append(("\n" if line_y is not None and round(y) != line_y else " ") + t)
            line_y = round(y)
        text.append("\n")
    return "".join(text)


def printed_order(index: BookIndex) -> list[Entry]:
    return [e for g in index.groups for top in g.entries for e in (top, *top.subentries)]


def test_every_printed_page_number_shows_the_term(sample: Built) -> None:
    book = load_book(ROOT).book
    assert book.index is not None
    texts = {m.id: m.text or m.path[-1] for a in book.articles() for m in a.index_marks}
    pages = pdf_pages_text(sample.pdf)  # type: ignore[arg-type]
    labels = page_labels(pages)
    physical = {label: n for n, label in enumerate(labels, start=1)}
    first = next(n for n, t in enumerate(pages, start=1) if t.strip().startswith("Index"))
    stream = "".join(column_text(sample.pdf, p) for p in range(first, len(pages) + 1))  # type: ignore[arg-type]
    stream = stream.split("\n", 1)[1]  # the "Index" heading
    lines = [ln.strip() for ln in stream.splitlines()]
    entries = printed_order(book.index)
    starts: list[int] = []
    at = 0
    for entry in entries:
        while not re.match(re.escape(entry.term) + r"(,|\.|$)", lines[at]):
            at += 1
        starts.append(at)
        at += 1
    checked = ranges = 0
    for i, entry in enumerate(entries):
        end = starts[i + 1] if i + 1 < len(entries) else len(lines)
        chunk = " ".join(lines[starts[i] : end])[len(entry.term) :].split("See")[0]
        found = [(a, b) for a, b in LOCATOR.findall(chunk) if not re.fullmatch(r"[ivxlc]+", a) or a in physical]
        wanted = {normalise(texts[ident]) for ident in entry.locators}
        for a, b in found:
            span = range(physical[a], physical[b] + 1) if b else [physical[a]]
            ranges += bool(b)
            for n in span:
                page = normalise(pages[n - 1])
                assert any(w in page for w in wanted), f"'{entry.term}': page {labels[n - 1]} shows none of {wanted}"
                checked += 1
        assert found or not entry.locators, f"'{entry.term}' prints no page number"
    assert checked >= 60 and ranges >= 1


def test_every_epub_locator_lands_on_the_term(sample: Built) -> None:
    book = load_book(ROOT).book
    assert book.index is not None
    texts = {m.id: m.text or m.path[-1] for a in book.articles() for m in a.index_marks}
    index = ET.fromstring(sample.epub_text("OEBPS/index.xhtml"))
    docs: dict[str, ET.Element] = {}
    hrefs = [a.get("href", "") for a in index.iter(f"{XHTML}a") if a.get("{http://www.idpf.org/2007/ops}type") == "index-locator"]
    assert len(hrefs) >= 60
    for href in hrefs:
        name, ident = href.split("#")
        doc = docs.setdefault(name, ET.fromstring(sample.epub_text(f"OEBPS/{name}")))
        target = next(el for el in doc.iter() if el.get("id") == ident)
        assert normalise(texts[ident]) in normalise("".join(target.itertext())), href
