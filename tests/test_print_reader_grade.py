"""Reader-grade print: what a reader, a designer or a store sees on the pages (issue 9).

Every test reads the written PDF back (poppler's `pdftotext`, pypdf), never
Bindery's own layout, so it fails if the defect comes back on the page: a
gutter narrower than the outside margin, a text layer that loses ligatures,
notes that are not at the foot of their page, a viewer that shows the wrong
page numbers, a bookmark in a print cover.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from bindery.builders.pdf import page_label_ranges
from bindery.checks.cover import preflight_cover
from bindery.manifest import load_manifest
from bindery.pipeline import build
from bindery.printspec import gutter_for, print_margins
from conftest import EPOCH, made_once, write_json
from print_books import POINTS_PER_INCH, Word, words_by_page

# Original prose for the test book: words with fi, fl and ffi ligatures in Charis SIL.
LIGATURE_WORDS = ("confidence", "reflection", "efficacy", "office", "fluent", "affirm", "firefly", "baffled")
SENTENCES = (
    "A binder with confidence trims the reflection of each signature before the office closes.",
    "The efficacy of a fluent fold depends on paper grain, humidity and the patience of the hands.",
    "Every firefly of glue is wiped away, and a baffled apprentice learns to affirm the square corner.",
    "Sewing stations line the long wall, each with its frame, its needles and a lamp that never flickers.",
)


LONG_TITLE = "Boards and Covers, Cloth and Leather, and the Long Patience of Pressing Them Flat Overnight"
TABLE = """| Board | Size in millimetres | Command |
|---|---|---|
| Crown octavo | 186.0 x 123.0 | `--trim-crown-octavo` |
| Demy octavo | 216.0 x 138.0 | `--trim-demy-octavo` |
| Royal octavo | 234.0 x 156.0 | `--trim-royal-octavo` |
| Trade paperback | 152.4 x 228.6 | `--trim-trade` |"""
CODE = """```yaml
press:
  boards: [crown-octavo, demy-octavo, royal-octavo, trade-paperback, a-very-long-board-name-that-must-wrap-somewhere]
  hours: 12
```"""


def paragraphs(count: int, start: int = 0) -> str:
    return "\n\n".join(" ".join(SENTENCES[(start + n + k) % len(SENTENCES)] for k in range(4)) for n in range(count))


MANIFEST = """title: The Proof Sheet
subtitle: A Small Book for Reading Back
authors: [Test Writer]
date: 2026-01-15
front_matter:
  - {{file: preface.md, type: preface}}
chapters:
  - one.md
  - two.md
pdf: {{profile: {profile}, trim: 5x8}}
"""


def write_book(root: Path, profile: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "book.yaml").write_text(MANIFEST.format(profile=profile), encoding="utf-8")
    (root / "preface.md").write_text("---\ntitle: Preface\n---\n\n" + paragraphs(2) + "\n", encoding="utf-8")
    (root / "one.md").write_text(
        "---\ntitle: The Sewing Room\nsummary: How signatures are gathered and sewn.\nrelated:\n"
        "  - {summary: A history of the sewing frame in small workshops., category: History, date: 2024-03-02}\n"
        "  - {summary: Choosing linen thread by weight and twist., category: Materials,\n"
        "     title: Linen Thread, url: 'https://example.org/linen-thread'}\n---\n\n"
        + paragraphs(3)
        + "\n\nThe thread is waxed first.[^wax] "
        + SENTENCES[1]
        + "\n\n"
        + paragraphs(12, 1)
        + "\n\n[^wax]: Beeswax keeps the thread from knotting and fraying in the holes.\n",
        encoding="utf-8",
    )
    (root / "two.md").write_text(
        f"---\ntitle: {LONG_TITLE}\nsummary: Cutting boards and covering them.\nrelated:\n"
        "  - {summary: Choosing linen thread by weight and twist., category: Materials}\n"
        "  - {summary: Why grey board warps and how to stop it., category: Materials}\n---\n\n"
        + paragraphs(6, 2)
        + "\n\nThe board sizes, by name:\n\n"
        + TABLE
        + "\n\n"
        + paragraphs(2, 1)
        + "\n\nA cutting list for the press looks like this:\n\n"
        + CODE
        + "\n\n"
        + paragraphs(6, 3)
        + "\n",
        encoding="utf-8",
    )
    return root


def build_pdf(root: Path, out: Path) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(root, ("pdf",), out)
    return next(a.path for a in result.artifacts if a.path.name.endswith(".pdf") and not a.path.name.endswith("-cover.pdf"))


@pytest.fixture(scope="module")
def books() -> dict[str, Path]:
    """The proof book's PDF in each profile, built once per test run (read-only)."""

    def make(base: Path) -> None:
        pdfs = {profile: build_pdf(write_book(base / profile, profile), base / f"out-{profile}").name for profile in ("digital", "print")}
        write_json(base / "pdfs.json", pdfs)

    base = made_once("proof-books", make)
    pdfs = json.loads((base / "pdfs.json").read_text(encoding="utf-8"))
    return {profile: base / f"out-{profile}" / name for profile, name in pdfs.items()}


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(pdf: Path) -> list[str]:
    return pdftotext(pdf).split("\f")[:-1]


# --------------------------------------------------------------------------
# Item 1: the gutter


def margins_on_full_pages(pdf: Path) -> dict[str, tuple[float, float]]:
    """(inside, outside) in inches on the first full recto and verso, measured from the trim box."""
    reader = PdfReader(pdf)
    found: dict[str, tuple[float, float]] = {}
    for number, (page, words) in enumerate(zip(reader.pages, words_by_page(pdf), strict=True), start=1):
        height = float(page.mediabox.height)
        body = [w for w in words if 0.15 * height < w.y0 < 0.85 * height]  # no running head, no folio
        side = "recto" if number % 2 else "verso"
        if len(body) < 120 or side in found:
            continue
        trim_left = float(page.trimbox.left) - float(page.mediabox.left)
        left = (min(w.x0 for w in body) - trim_left) / POINTS_PER_INCH
        right = (trim_left + float(page.trimbox.width) - max(w.x1 for w in body)) / POINTS_PER_INCH
        found[side] = (left, right) if side == "recto" else (right, left)
    return found


def test_the_print_gutter_is_the_designs_and_never_narrower_than_the_outside_margin(books: dict[str, Path]) -> None:
    pages = len(PdfReader(books["print"]).pages)
    measured = margins_on_full_pages(books["print"])
    assert set(measured) == {"recto", "verso"}, measured
    for side, (inside, outside) in measured.items():
        assert inside >= outside - 0.01, (side, inside, outside)
        assert inside >= gutter_for(pages) - 0.01, (side, inside)
        assert inside == pytest.approx(0.875, abs=0.02), (side, inside)  # the default design, as in the digital profile
        assert outside == pytest.approx(0.625, abs=0.02), (side, outside)
    digital = margins_on_full_pages(books["digital"])
    assert set(digital) == set(measured), digital
    for side, margins in measured.items():
        assert digital[side] == pytest.approx(margins, abs=0.02), (side, digital[side], margins)


def test_print_margins_raise_the_gutter_to_the_outside_margin_and_to_the_band(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n\nText.\n")
    (tmp_path / "book.yaml").write_text("title: T\nchapters: [a.md]\npdf: {profile: print, margins: {inside: 0.3in, outside: 0.7in}}\n")
    settings = load_manifest(tmp_path).pdf
    assert print_margins(settings, 100).inside == 0.7  # a gutter never narrower than the outside margin
    (tmp_path / "book.yaml").write_text("title: T\nchapters: [a.md]\npdf: {profile: print, margins: {inside: 0.3in, outside: 0.3in}}\n")
    settings = load_manifest(tmp_path).pdf
    assert [print_margins(settings, n).inside for n in (100, 200, 400, 600, 800)] == [0.375, 0.5, 0.625, 0.75, 0.875]  # the KDP floor


# --------------------------------------------------------------------------
# Item 2: ligatures in the text layer


def test_the_print_text_layer_keeps_ligatures(books: dict[str, Path]) -> None:
    printed, digital = pdftotext(books["print"]), pdftotext(books["digital"])
    for word in LIGATURE_WORDS:
        assert word in printed, word
    assert "con dence" not in printed and "re ection" not in printed
    for pair in ("fi", "fl", "ffi"):
        assert printed.count(pair) == digital.count(pair) > 0, pair
    fonts = {str(f.get("/BaseFont")) for page in PdfReader(books["print"]).pages for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("Charis" in name or "Inconsolata" in name for name in fonts), fonts  # the shipped fonts, embedded


# --------------------------------------------------------------------------
# Item 6: page labels


def printed_folio(text: str) -> str | None:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1].split()
    candidates = [last[0], last[-1]]
    return next((c for c in candidates if re.fullmatch(r"\d+|[ivxlc]+", c)), None)


def test_the_digital_pdf_labels_its_pages_with_the_printed_folios(books: dict[str, Path]) -> None:
    reader = PdfReader(books["digital"])
    labels = reader.page_labels
    assert "/PageLabels" in reader.trailer["/Root"]
    compared = 0
    for label, text in zip(labels, page_texts(books["digital"]), strict=True):
        folio = printed_folio(text)
        if folio is not None:
            assert label == folio, (label, folio)
            compared += 1
    assert compared >= 8
    assert labels[0] == "i" and "1" in labels and labels.index("1") > labels.index("v")
    first_chapter = next(
        n for n, text in enumerate(page_texts(books["digital"])) if "The Sewing Room" in text and "chapter 1" in text.lower()
    )
    assert labels[first_chapter] == "1"


def test_page_label_ranges_follow_the_folios() -> None:
    assert page_label_ranges(["i", "ii", "iii", "1", "2", "3"]) == [(0, "r", 1), (3, "D", 1)]
    assert page_label_ranges(["i", "ii", "iv", "1", "3"]) == [(0, "r", 1), (2, "r", 4), (3, "D", 1), (4, "D", 3)]
    assert page_label_ranges(["ix", "x", "xi"]) == [(0, "r", 9)]
    assert page_label_ranges([]) == []


def test_the_digital_pdf_with_page_labels_is_byte_identical_across_builds(books: dict[str, Path], tmp_path: Path) -> None:
    again = build_pdf(books["digital"].parent.parent / "digital", tmp_path / "again")
    assert again.read_bytes() == books["digital"].read_bytes()


# --------------------------------------------------------------------------
# Item 12: no bookmark in the print cover


def test_the_print_cover_has_no_bookmark_and_the_check_fails_one(books: dict[str, Path], tmp_path: Path) -> None:
    cover = books["print"].with_name(books["print"].stem + "-cover.pdf")
    reader = PdfReader(cover)
    assert not reader.outline
    settings = load_manifest(books["print"].parent.parent / "print").pdf
    pages = len(PdfReader(books["print"]).pages)
    checks = {c.name: c.status for c in preflight_cover(cover, settings, pages)}
    assert checks["cover-annotations"] == "pass"
    writer = PdfWriter(clone_from=reader)
    writer.add_outline_item(title="Cover", page_number=0)
    marked = tmp_path / "marked-cover.pdf"
    with marked.open("wb") as handle:
        writer.write(handle)
    checks = {c.name: c.status for c in preflight_cover(marked, settings, pages)}
    assert checks["cover-annotations"] == "fail"


# --------------------------------------------------------------------------
# Item 5: footnotes at the foot of the page


def line_tops(words: list[Word]) -> list[float]:
    """The top of each text line of a page, in order (words within 2 pt are one line)."""
    tops: list[float] = []
    for top in sorted(w.y0 for w in words):
        if not tops or top - tops[-1] > 2:
            tops.append(top)
    return tops


def test_a_footnote_sits_at_the_foot_of_the_page_that_cites_it(books: dict[str, Path]) -> None:
    pages = words_by_page(books["print"])
    texts = page_texts(books["print"])
    assert sum(text.count("Beeswax keeps the thread") for text in texts) == 1  # once, and not also as an endnote
    call_page = next(n for n, text in enumerate(texts) if "waxed first.1" in text)
    note_page = next(n for n, text in enumerate(texts) if "Beeswax keeps the thread" in text)
    assert note_page == call_page, (call_page + 1, note_page + 1)
    words = pages[note_page]
    note = next(w for w in words if w.text == "Beeswax")
    body = [w for w in words if w.y1 < note.y0 - 1]
    assert note.y0 > max(w.y1 for w in body)  # below the text block's last line
    assert re.search(r"^\s*1\.\s+Beeswax", texts[note_page], re.M)  # numbered from 1 in its chapter


def test_a_note_marker_does_not_open_up_the_leading_of_its_line(books: dict[str, Path]) -> None:
    for words in words_by_page(books["print"]):
        marker = next((w for w in words if w.text == "first."), None)  # the word before the superscript 1
        if marker is None:
            continue
        heights = sorted(w.y1 - w.y0 for w in words)
        full = [w for w in words if w.y1 - w.y0 > 0.8 * heights[len(heights) // 2]]  # not the superscript digits
        tops = line_tops([w for w in full if w.y0 < marker.y0 + 40])
        gaps = [b - a for a, b in zip(tops, tops[1:], strict=False)]
        index = min(range(len(tops)), key=lambda i: abs(tops[i] - marker.y0))
        typical = sorted(gaps)[len(gaps) // 2]
        around = [gaps[i] for i in (index - 1, index) if 0 <= i < len(gaps)]
        assert all(abs(gap - typical) < 0.6 for gap in around), (around, typical)
        return
    raise AssertionError("no page has the note marker")


def test_the_epub_keeps_its_notes_as_pop_up_footnotes(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", "print")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(root, ("epub",), tmp_path / "out")
    epub = next(a.path for a in result.artifacts if a.path.suffix == ".epub")
    import zipfile

    with zipfile.ZipFile(epub) as z:
        chapter = next(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml") and "Beeswax" in z.read(n).decode())
    assert 'epub:type="noteref"' in chapter and 'epub:type="endnotes"' in chapter and "print-note" not in chapter


def test_notes_move_to_their_calls_and_are_numbered_per_chapter() -> None:
    from bindery.builders.print_html import prepare_for_print

    def chapter(ident: str, notes: int) -> str:
        calls = "".join(
            f'<p>Text{n}<sup id="{ident}--r{n}"><a class="footnote-ref" href="#{ident}--n{n}">{n}</a></sup> more.</p>'
            for n in range(1, notes + 1)
        )
        items = "".join(
            f'<li id="{ident}--n{n}"><p>Note {ident} {n}\nline <a class="footnote-backref" href="#">b</a></p></li>'
            for n in range(1, notes + 1)
        )
        return f'<section class="chapter" id="{ident}"><div class="article">{calls}<section class="footnote"><ol>{items}</ol></section></div></section>'

    html = "<!DOCTYPE html><html><body>" + chapter("a", 2) + chapter("b", 1) + "</body></html>"
    out = prepare_for_print(html)
    assert out.startswith("<!DOCTYPE html>")
    assert 'class="footnote"' not in out and "footnote-backref" not in out
    assert re.findall(r'data-n="(\d)"', out) == ["1", "2", "1"]
    assert '</sup><span class="print-note" id="a--n2" data-n="2" data-call="a--r2"><span>Note a 2 line </span></span> more.' in out


# --------------------------------------------------------------------------
# Item 9: typesetting


def test_a_long_chapter_title_gives_a_one_line_running_head(books: dict[str, Path]) -> None:
    checked = 0
    for number, words in enumerate(words_by_page(books["print"]), start=1):
        if number % 2 == 0 or not words:
            continue
        top = min(w.y0 for w in words)
        head = [w for w in words if w.y0 < top + 12 and w.y0 < 60]
        if not head or head[0].text.upper() != "BOARDS":
            continue
        assert len({round(w.y0) for w in head}) == 1  # one line
        first_line = page_texts(books["print"])[number - 1].strip().splitlines()[0].strip()
        assert first_line.endswith("…") and first_line.startswith("BOARDS AND COVERS"), first_line  # shortened, not clipped
        assert max(w.x1 for w in head) < float(PdfReader(books["print"]).pages[number - 1].trimbox.right) - 0.5 * POINTS_PER_INCH
        below = [w for w in words if w not in head]
        assert min(w.y0 for w in below) > max(w.y1 for w in head)
        checked += 1
    assert checked >= 1


def test_contents_entries_are_not_hyphenated_and_no_page_number_is_alone(books: dict[str, Path]) -> None:
    contents = next(text for text in page_texts(books["print"]) if "Contents" in text)
    lines = [line.strip() for line in contents.splitlines() if line.strip()]
    assert not any(line.endswith(("-", "‐")) for line in lines), lines
    assert not any(re.fullmatch(r"[.\s]*\d+", line) for line in lines), lines
    last = next(n for n, line in enumerate(lines) if "Overnight" in line)
    assert re.search(r"Overnight\s*[. ]+\s*\d+$", lines[last]), lines[last]


def test_a_long_code_line_wraps_with_a_hanging_indent(books: dict[str, Path]) -> None:
    for words in words_by_page(books["print"]):
        first = next((w for w in words if w.text == "boards:"), None)
        if first is None:
            continue
        wrapped = next(w for w in words if w.text.startswith("trade-paperback"))
        assert wrapped.y0 > first.y0 + 2 and wrapped.x0 > first.x0 + 4  # the continuation is indented
        hours = next(w for w in words if w.text == "hours:")
        assert abs(hours.x0 - first.x0) < 1  # the next source line is not
        return
    raise AssertionError("no page has the code block")


def test_a_lead_in_ending_in_a_colon_stays_with_its_table(books: dict[str, Path]) -> None:
    texts = page_texts(books["print"])
    lead = next(n for n, text in enumerate(texts) if "by name:" in text)
    assert "Crown octavo" in texts[lead]
    assert "looks like this:" in texts[next(n for n, text in enumerate(texts) if "press:" in text)]


def test_lead_ins_and_code_lines_are_marked_for_print() -> None:
    from bindery.builders.print_html import prepare_for_print

    out = prepare_for_print(
        "<html><body><p>Sizes by name:</p><pre><code>a: 1\n\nb: 2\n</code></pre><p>Not: a lead-in</p><p>x</p></body></html>"
    )
    assert '<p class="lead-in">Sizes by name:</p>' in out and "Not: a lead-in</p>" in out
    assert out.count('class="code-line"') == 3


# --------------------------------------------------------------------------
# Item 14: one cover design, rendered twice


def test_the_print_covers_front_panel_is_the_ebook_cover(books: dict[str, Path], tmp_path: Path) -> None:
    import io

    from bindery.builders.cover_image import generated_cover
    from bindery.pipeline import load_book

    cover = books["print"].with_name(books["print"].stem + "-cover.pdf")
    page = PdfReader(cover).pages[0]
    dpi = 40
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(cover), str(tmp_path / "spread")], check=True)
    spread = Image.open(tmp_path / "spread.png").convert("RGB")
    scale = dpi / POINTS_PER_INCH
    trim_left, trim_top = float(page.trimbox.left) - float(page.mediabox.left), float(page.mediabox.top) - float(page.trimbox.top)
    trim_w, trim_h = 5 * POINTS_PER_INCH, 8 * POINTS_PER_INCH
    front_left = trim_left + float(page.trimbox.width) - trim_w
    front = spread.crop(
        (round(front_left * scale), round(trim_top * scale), round((front_left + trim_w) * scale), round((trim_top + trim_h) * scale))
    )
    book = load_book(books["print"].parent.parent / "print").book
    ebook = Image.open(io.BytesIO(generated_cover(book).data)).convert("RGB").resize(front.size)
    assert ink_correlation(front, ebook) > 0.85  # the same rules, title, subtitle and author in the same places
    flipped = ebook.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    assert ink_correlation(flipped, ebook) < 0.5  # the measure tells designs apart


def ink_correlation(a: Image.Image, b: Image.Image) -> float:
    """How alike two covers' layouts are: where ink (not background) lies, on a coarse grid."""
    from PIL import ImageChops

    def density(image: Image.Image) -> list[float]:
        background = Image.new("RGB", image.size, image.getpixel((2, 2)))
        ink = ImageChops.difference(image, background).convert("L").point(lambda v: 255 if v > 60 else 0)
        small = ink.resize((16, 26), Image.Resampling.BOX)
        return [float(small.getpixel((i, j))) for j in range(26) for i in range(16)]

    x, y = density(a), density(b)
    mx, my = sum(x) / len(x), sum(y) / len(y)
    cov = sum((p - mx) * (q - my) for p, q in zip(x, y, strict=True))
    return cov / ((sum((p - mx) ** 2 for p in x) * sum((q - my) ** 2 for q in y)) ** 0.5 or 1)


def test_without_a_description_the_back_cover_carries_the_title_subtitle_and_author(books: dict[str, Path]) -> None:
    cover = books["print"].with_name(books["print"].stem + "-cover.pdf")
    words = words_by_page(cover)[0]
    page = PdfReader(cover).pages[0]
    back_right = float(page.trimbox.left) - float(page.mediabox.left) + 5 * POINTS_PER_INCH
    back = " ".join(w.text for w in words if w.x1 < back_right)
    assert "Proof Sheet" in back and "Reading Back" in back and "Test Writer" in back, back
    settings = load_manifest(books["print"].parent.parent / "print").pdf
    checks = {c.name: c.status for c in preflight_cover(cover, settings, len(PdfReader(books["print"]).pages))}
    assert checks["cover-barcode-area"] == "pass"


# --------------------------------------------------------------------------
# Item 8: further reading per article


def test_further_reading_for_an_article_leads_to_that_articles_own_entries(books: dict[str, Path]) -> None:
    texts = page_texts(books["print"])
    flat = [" ".join(text.split()) for text in texts]
    pointers = [re.search(r"Further reading for this article: (\d) entries, page (\d+)", text) for text in flat]
    found = [m for m in pointers if m]
    assert len(found) == 2, found
    for match, heading in zip(found, ("Chapter 1: The Sewing Room", "Chapter 2: Boards and Covers"), strict=True):
        group_page = next(n for n, text in enumerate(flat) if heading in text and "Cited in" in text)
        assert texts[group_page].count("Cited in") >= 1
        folio = printed_folio(texts[group_page])
        assert folio == match.group(2), (heading, folio, match.group(2))  # the pointer's page is its group's page
    appendix = " ".join(flat[next(n for n, text in enumerate(flat) if "Further Reading" in text and "first article" in text) :])
    assert appendix.count("Choosing linen thread by weight and twist.") == 2  # once listed, once named under the second article
    assert "Also cited here, listed above: Choosing linen thread" in appendix


def test_further_reading_shows_the_title_and_web_address_an_entry_gave(books: dict[str, Path]) -> None:
    appendix = " ".join(" ".join(text.split()) for text in page_texts(books["print"]) if "Cited in" in text)
    assert "Linen Thread: Choosing linen thread by weight and twist. (Materials) https://example.org/linen-thread" in appendix


def test_a_related_entry_with_a_url_that_is_not_a_web_address_is_refused(tmp_path: Path) -> None:
    from bindery.diagnostics import BinderyError
    from bindery.pipeline import load_book

    root = write_book(tmp_path / "book", "print")
    text = (root / "one.md").read_text(encoding="utf-8").replace("https://example.org/linen-thread", "javascript:alert(1)")
    (root / "one.md").write_text(text, encoding="utf-8")
    with pytest.raises(BinderyError) as caught:
        load_book(root)
    [problem] = caught.value.diagnostics
    assert (
        problem.file and problem.file.endswith("one.md") and problem.line == 7 and problem.key == "related[1].url"
    )  # the line of the url key
    assert "not a web address" in problem.message and "https://" in (problem.hint or "")
