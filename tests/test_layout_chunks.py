"""The print edition laid out chunk by chunk (bindery.chunked_layout, layout_chunks, chunk_split)
against the one-document layout: same pages, folios, text, page numbers, page map."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

import bindery.printspec
from bindery.builders.base import BuildOutput
from bindery.builders.pdf import PdfBuilder
from bindery.chunk_split import CROSS_CHUNK_PREFIX, chunk_css, split_chunks, with_cross_chunk_pages
from bindery.layout import PrintLayout, lay_out_print
from bindery.layout_chunks import ChunkJob, ChunkResult, ChunkRunner, lay_out_chunk, serial_runner
from bindery.layout_lanes import LaneRunner
from bindery.layout_pages import PageText
from bindery.pipeline import load_book
from bindery.templating import Templates
from conftest import BOOKS, EPOCH, ROOT, Laid, shared_layout

# --- Results as bytes ------------------------------------------------------------

RESULT = ChunkResult(
    pdf=b"%PDF-1.7\n%fake\n",
    page_count=2,
    anchors=(("ch-1", 0), ("fn-1", 1)),
    bookmarks=((1, "1. One", 0, 12.5, 700.0),),
    labels=("1", ""),
    page_map=(PageText("1", 0, (("ch-1", 0),), 1, 40), PageText("", -1, (), 0, 0)),
    messages=("weasyprint\tsomething", "dpi\timages/a.png\t150.0"),
    kept_whole=((3, "bookbinding"),),
)


def test_result_round_trips_through_bytes() -> None:
    assert ChunkResult.decode(RESULT.encode()) == RESULT


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-3],  # PDF cut short
        lambda b: b"X" + b[1:],  # foreign magic
        lambda b: b[:40],  # header cut short
        lambda b: b.replace(b'"page_count":2', b'"page_count":3'),  # counts disagree
        lambda b: b.replace(b'"page_count":2', b'"page_count":"2"'),  # wrong type
        lambda b: b.replace(b'"labels":["1",""]', b'"labels":["1",7]'),
        lambda b: b.replace(b'"anchors":[["ch-1",0],', b'"anchors":[["ch-1"],'),
        lambda b: b.replace(b"%PDF-1.7", b"%PDX-1.7"),
        lambda b: b"",
    ],
)
def test_decode_refuses_malformed_data(damage) -> None:  # type: ignore[no-untyped-def]
    data = damage(RESULT.encode())
    assert data != RESULT.encode()
    with pytest.raises(ValueError):
        ChunkResult.decode(data)


# --- Jobs and their digest -------------------------------------------------------

JOB = ChunkJob(
    index=3,
    html="<html><body><p>x</p></body></html>",
    css="p { color: black }",
    base_url="file:///book/",
    assets=(("/book/images/a.png", "image/png", b"\x89PNG"),),
    template_dirs=(),
    profile="digital",
)


def test_digest_is_stable() -> None:
    assert JOB.digest() == ChunkJob(**{f: getattr(JOB, f) for f in JOB.__dataclass_fields__}).digest()
    assert re.fullmatch(r"[0-9a-f]{64}", JOB.digest())


@pytest.mark.parametrize(
    "change",
    [
        {"index": 4},
        {"html": "<html><body><p>y</p></body></html>"},
        {"css": "p { color: red }"},
        {"base_url": "file:///other/"},
        {"assets": (("/book/images/a.png", "image/png", b"\x89PNG!"),)},
        {"profile": "print"},
        {"kept_whole": ((0, "word"),)},
        {"pad": False},
    ],
)
def test_digest_sees_every_field(change: dict[str, object]) -> None:
    assert replace(JOB, **change).digest() != JOB.digest()  # type: ignore[arg-type]


def test_digest_sees_template_files(tmp_path: Path) -> None:
    font = tmp_path / "fonts" / "Body.ttf"
    font.parent.mkdir()
    font.write_bytes(b"one")
    job = replace(JOB, template_dirs=(str(tmp_path),))
    before = job.digest()
    (tmp_path / "notes.txt").write_text("not a file WeasyPrint may read")
    assert job.digest() == before
    font.write_bytes(b"two")
    os.utime(font, ns=(1, 1))  # a new modification time, whatever the clock's resolution
    assert job.digest() != before


# --- Splitting -------------------------------------------------------------------

BOOK_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>T</title></head><body>
<section class="half-title" id="half">Half</section>
<nav class="toc" id="toc"><ol><li class="toc-front"><a href="#pre">Preface</a></li>
<li class="toc-part"><a href="#p1">Part</a></li><li class="toc-chapter"><a href="#c1">One</a></li></ol></nav>
<section class="matter front" id="pre"><p>Preface <a class="xref" href="#c2">see</a></p></section>
<section class="part body-start" id="p1"><h1>Part</h1></section>
<section class="chapter" id="c1"><p id="c1-a">One <a class="xref" href="#c1-a">here</a> <a class="xref" href="#c2">there</a></p></section>
<section class="chapter" id="c2"><p>Two <a href="#nowhere">x</a></p></section>
<section class="matter back appendix" id="app"><p>Appendix</p></section>
<section class="matter back book-index" id="index"><a class="index-page roman" href="#pre"></a></section>
</body></html>"""


def test_split_gives_front_parts_chapters_back() -> None:
    chunks = split_chunks(BOOK_HTML)
    assert [c.kind for c in chunks] == ["front", "body", "body", "body", "back", "back"]  # each piece of back matter
    assert [c.body_start for c in chunks] == [False, True, False, False, False, False]
    assert [c.has_index for c in chunks] == [False, False, False, False, False, True]
    assert chunks[2].targets == {"c1-a", "c2"}
    assert set(chunks[0].ids) == {"half", "toc", "pre"}
    assert set(chunks[2].ids) == {"c1", "c1-a"}
    for chunk in chunks:
        assert chunk.html.startswith("<!DOCTYPE html>") and "<title>T</title>" in chunk.html and '<html lang="en">' in chunk.html
    assert sum(c.html.count("<section") + c.html.count("<nav") for c in chunks) == 8  # every section in exactly one chunk


def test_a_book_without_chapters_is_one_chunk() -> None:
    chunks = split_chunks("<html><body><section id='a'>A</section><section id='b'>B</section></body></html>")
    assert [c.kind for c in chunks] == ["front"] and set(chunks[0].ids) == {"a", "b"}


def test_cross_chunk_links_get_their_page_and_the_join_prefix() -> None:
    chunks = split_chunks(BOOK_HTML)
    front = with_cross_chunk_pages(chunks[0].html, chunks[0].ids, {"pre": 5, "p1": 1, "c1": 3, "c2": 7})
    assert f'href="{CROSS_CHUNK_PREFIX}c2"' in front and 'data-page="7"' in front  # an xref: arabic
    assert f'<a href="{CROSS_CHUNK_PREFIX}c1" data-page="3">' in front
    assert '<a href="#pre">' in front  # same chunk: target-counter does it
    chapter = with_cross_chunk_pages(chunks[2].html, chunks[2].ids, {"c1-a": 3, "c2": 7})
    assert 'href="#c1-a"' in chapter and f'href="{CROSS_CHUNK_PREFIX}c2" data-page="7"' in chapter
    assert with_cross_chunk_pages(chunks[3].html, chunks[3].ids, {"c1": 3}) == chunks[3].html  # #nowhere: left alone
    index = with_cross_chunk_pages(chunks[5].html, chunks[5].ids, {"pre": 5})
    assert 'data-page="v"' in index  # a.index-page.roman prints lower-roman


def test_cross_chunk_contents_entry_of_front_matter_prints_roman() -> None:
    chunks = split_chunks(BOOK_HTML)
    moved = chunks[0].ids.keys() - {"pre"}
    front = with_cross_chunk_pages(chunks[0].html, dict.fromkeys(moved, 0.0), {"pre": 4})
    assert f'<a href="{CROSS_CHUNK_PREFIX}pre" data-page="iv">' in front


def test_chunk_css_sets_the_first_folio() -> None:
    assert chunk_css("a{}", None).startswith("a{}") and "counter-reset" not in chunk_css("a{}", None)
    assert "@page :first { counter-reset: page 17; }" in chunk_css("a{}", 17)


# --- Chunked against one document ------------------------------------------------


def _pdf_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [" ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))]


def _laid_out(root: Path, tmp_path: Path, runner: ChunkRunner | None = None) -> tuple[PrintLayout, BuildOutput]:
    """The book at `root` laid out (as one document, or chunk by chunk through `runner`) and its PDF
    written, under the test run's SOURCE_DATE_EPOCH."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        loaded = load_book(root)
        layout = lay_out_print(loaded.book, loaded.xrefs, Templates(Path(loaded.book.root), "print"), runner)
        return layout, PdfBuilder(loaded.book, loaded.xrefs, tmp_path, layout=layout).build()


def _both(root: Path, tmp_path: Path) -> tuple[PrintLayout, PrintLayout, list[str], list[str]]:
    (one, one_pdf), (chunked, chunked_pdf) = _laid_out(root, tmp_path), _laid_out(root, tmp_path, serial_runner)
    assert one.document is not None and chunked.document is None and chunked.chunks
    built = [one_pdf, chunked_pdf]
    assert [str(d) for d in built[1].warnings] == [str(d) for d in built[0].warnings]  # also what writing the PDF said
    pdfs = [output.artifacts[0].data for output in built]
    (tmp_path / "one.pdf").write_bytes(pdfs[0])
    (tmp_path / "chunked.pdf").write_bytes(pdfs[1])
    return one, chunked, _pdf_text(pdfs[0]), _pdf_text(pdfs[1])


def _navigation(path: Path) -> tuple[list[tuple[int, str, int]], list[tuple[int, int]], list[tuple[int, str]], bool]:
    """The outline (depth, title, page), the internal links (page, target page), the page labels, tagged."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        names = {str(k): v for k, v in _name_tree(pdf)}

        def target(dest: object) -> int:
            if isinstance(dest, (pikepdf.String, str)):
                dest = names[str(dest)]
            return pages[dest[0].objgen]  # type: ignore[index]

        outline: list[tuple[int, str, int]] = []
        with pdf.open_outline() as tree:
            stack = [(0, item) for item in reversed(tree.root)]
            while stack:
                depth, item = stack.pop()
                outline.append((depth, item.title, target(item.destination)))
                stack.extend((depth + 1, child) for child in reversed(item.children))
        links = []
        for n, page in enumerate(pdf.pages):
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and action.get("/S") == "/URI":
                    links.append((n, -1))
                elif annot.get("/Dest") is not None or (action is not None and action.get("/S") == "/GoTo"):
                    links.append((n, target(annot.get("/Dest") if annot.get("/Dest") is not None else action.D)))
        nums = pdf.Root.PageLabels.Nums if "/PageLabels" in pdf.Root else []
        labels = [(int(nums[i]), str(nums[i + 1].get("/S"))) for i in range(0, len(nums), 2)]
        return outline, sorted(links), labels, "/StructTreeRoot" in pdf.Root


def _name_tree(pdf: pikepdf.Pdf) -> list[tuple[object, object]]:
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return list(pdf.Root.get("/Dests", {}).items()) if "/Dests" in pdf.Root else []
    return list(pikepdf.NameTree(pdf.Root.Names.Dests).items())


def _assert_equivalent(one: PrintLayout, chunked: PrintLayout | Laid, one_text: list[str], chunked_text: list[str]) -> None:
    assert chunked.page_count == one.page_count == len(chunked_text) == len(one_text)
    assert [p.label for p in chunked.page_map.pages] == [p.label for p in one.page_map.pages]
    assert chunked.page_map == one.page_map  # the EPUB's page-list
    for n, (a, b) in enumerate(zip(one_text, chunked_text, strict=True), start=1):
        assert b == a, f"page {n} differs"
    assert [str(d) for d in chunked.warnings] == [str(d) for d in one.warnings]


def _generated_book(root: Path) -> Path:
    """Two parts, five chapters with footnotes and related articles pointing forward and back."""
    (root / "chapters").mkdir(parents=True)
    words = "binding folding sewing trimming gathering casing pressing gluing".split()
    summaries = [f"How the workshop handles step {n} of the binding, from the first sheet to the last." for n in range(5)]
    for n in range(5):
        body = []
        for p in range(3 + 2 * n):
            sentence = " ".join(words[(p + k) % len(words)] for k in range(40))
            body.append(f"Paragraph {p} of chapter {n}: {sentence}.[^n{p}]\n\n[^n{p}]: A note on paragraph {p}, chapter {n}.")
        related = "\n".join(f"  - summary: {summaries[m]}" for m in {(n + 3) % 5, (n + 1) % 5})
        (root / "chapters" / f"c{n}.md").write_text(
            f"---\ntitle: Step {n}\nsummary: {summaries[n]}\ndate: 2025-0{n + 1}-01\nrelated:\n{related}\n---\n\n"
            + "\n\n".join(body)
            + "\n"
        )
    (root / "book.yaml").write_text(
        "title: Generated Chunks\nauthors: Test Writer\ndate: 2026-01-01\n"
        "parts:\n  - title: First\n    chapters: [chapters/c0.md, chapters/c1.md]\n"
        "  - title: Second\n    chapters: [chapters/c2.md, chapters/c3.md, chapters/c4.md]\n"
        "pdf:\n  trim: 5x8\n"
    )
    return root


def test_generated_book_chunked_equals_one_document(tmp_path: Path) -> None:
    one, chunked, one_text, chunked_text = _both(_generated_book(tmp_path / "book"), tmp_path)
    assert len(chunked.chunks) == 8  # front, 2 part openers, 5 chapters
    _assert_equivalent(one, chunked, one_text, chunked_text)
    labels = {p.number: p.label for p in chunked.page_map.pages}
    contents = next(t for t in chunked_text if t.startswith("Contents"))
    for n in range(5):  # the contents prints each chapter's folio, read from its chunk
        label = labels[chunked.page_map.locations[f"chapter-{n + 1}"]]
        assert re.search(rf"Step {n}[ .]*{label}\b", contents), (n, label, contents)
    outline, links, page_labels, tagged = _navigation(tmp_path / "chunked.pdf")
    assert (outline, links, page_labels, tagged) == _navigation(tmp_path / "one.pdf")  # the digital profile's links, outline, labels, tags
    assert tagged and len(outline) == 8 and all(target >= 0 for _, target in links) and page_labels  # contents, 2 parts, 5 chapters
    for n in range(5):  # "see chapter N, “Step n”, page P": P where that article begins
        label = labels[chunked.page_map.locations[f"c{n}"]]
        assert any(f"“Step {n}”, page {label}" in t for t in chunked_text), (n, label)


def test_a_book_past_a_gutter_band_chunked_equals_one_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both layouts start in the first gutter band and lay the book out again in the second once
    it runs past the band's last page; long-print's first two chapters with narrow design margins,
    and the first band ending at 30 pages (KDP's ends at 150: long-print itself, 180 pages, is
    checked for the 151-300 band's gutter in tests/test_print_profiles.py)."""
    book = Path(shutil.copytree(BOOKS / "long-print", tmp_path / "book"))
    manifest = book / "book.yaml"
    days = "".join(f"  - chapters/day-{n:02}.md\n" for n in range(3, 11))
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(days, ""), encoding="utf-8")
    monkeypatch.setattr(bindery.printspec, "GUTTER_BANDS", ((30, 0.375), *bindery.printspec.GUTTER_BANDS[1:]))
    gutters: list[float] = []
    gutter_for = bindery.printspec.gutter_for
    monkeypatch.setattr(bindery.printspec, "gutter_for", lambda pages: gutters.append(gutter_for(pages)) or gutters[-1])
    one, chunked, one_text, chunked_text = _both(book, tmp_path)
    assert 30 < chunked.page_count < 150  # past the first band only with the band moved
    assert gutters.count(0.375) >= 2 and gutters.count(0.5) >= 2  # each layout began in the first band and ended in the second
    _assert_equivalent(one, chunked, one_text, chunked_text)


@pytest.mark.parametrize("name", ["short-print", "images"])
def test_small_books_chunked_equal_one_document(name: str, tmp_path: Path) -> None:
    """short-print: the print profile (even count, no links); images: the chunks fetch their pictures."""
    one, chunked, one_text, chunked_text = _both(BOOKS / name, tmp_path)
    assert chunked.page_count % 2 == 0 or name == "images"
    _assert_equivalent(one, chunked, one_text, chunked_text)


@pytest.mark.slow
def test_the_whole_sample_book_chunked_equals_one_document(tmp_path: Path) -> None:
    """The repository's own book (parts, an index, further reading, front matter in the contents).
    The chunked layout is the run's shared build of the book (`shared_layout`: `bindery build`'s
    layout and `PdfBuilder` under the same SOURCE_DATE_EPOCH); the one document is laid out here."""
    chunked = shared_layout("sample", ROOT)
    one, written = _laid_out(ROOT, tmp_path)
    assert one.document is not None
    assert tuple(str(d) for d in written.warnings) == chunked.write_warnings
    _assert_equivalent(one, chunked, _pdf_text(written.artifacts[0].data), _pdf_text(chunked.pdf.read_bytes()))


def test_a_layout_that_does_not_settle_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bindery.chunked_layout

    monkeypatch.setattr(bindery.chunked_layout, "MAX_ROUNDS", 1)  # one round lays out, none checks
    loaded = load_book(BOOKS / "short-print")
    book, xrefs = loaded.book, loaded.xrefs
    laid = lay_out_print(book, xrefs, Templates(Path(book.root), "print"), serial_runner)
    assert [d.code for d in laid.warnings] == ["pdf-page-count", "pdf-chunks-unsettled"]  # a pamphlet: too few pages


def test_the_runner_gets_every_chunk_once_when_nothing_crosses(tmp_path: Path) -> None:
    seen: list[int] = []

    def runner(jobs):  # type: ignore[no-untyped-def]
        seen.extend(job.index for job in jobs)
        return serial_runner(jobs)

    loaded = load_book(BOOKS / "short-print")
    book, xrefs = loaded.book, loaded.xrefs
    laid = lay_out_print(book, xrefs, Templates(Path(book.root), "print"), runner)
    assert sorted(seen) == list(range(len(laid.chunks)))
    assert [d.code for d in laid.warnings] == ["pdf-page-count"]


def test_a_second_layout_of_the_same_book_asks_for_the_same_jobs() -> None:
    """Job digests are stable across runs, so a cache keyed by them (build_cache) lays nothing out again."""
    store: dict[str, ChunkResult] = {}
    laid: list[int] = []

    def memo(jobs):  # type: ignore[no-untyped-def]
        out = []
        for job in jobs:
            key = job.digest()
            if key not in store:
                laid.append(job.index)
                store[key] = ChunkResult.decode(lay_out_chunk(job).encode())
            out.append(store[key])
        return out

    memo.batch_size = 1  # type: ignore[attr-defined]
    loaded = load_book(BOOKS / "images")
    book, xrefs = loaded.book, loaded.xrefs
    templates = Templates(Path(book.root), "print")
    first = lay_out_print(book, xrefs, templates, memo)
    assert sorted(set(laid)) == list(range(len(first.chunks)))
    laid.clear()
    second = lay_out_print(book, xrefs, templates, memo)
    assert laid == [] and second.page_map == first.page_map and [c.pdf for c in second.chunks] == [c.pdf for c in first.chunks]


def test_a_runner_with_one_job_per_worker_gets_the_next_chunks_in_order_and_the_same_book() -> None:
    """`--jobs 2`: two jobs at a time in reading order (the second's offset guessed), and the same pages
    as one job at a time."""
    calls: dict[int, list[list[int]]] = {}

    def recording(batch: int):  # type: ignore[no-untyped-def]
        def run(jobs):  # type: ignore[no-untyped-def]
            calls.setdefault(batch, []).append([job.index for job in jobs])
            return serial_runner(jobs)

        run.batch_size = batch  # type: ignore[attr-defined]
        return run

    loaded = load_book(BOOKS / "xref")  # three chapters, cross-references and further reading
    book, xrefs = loaded.book, loaded.xrefs
    templates = Templates(Path(book.root), "print")
    laid = {batch: lay_out_print(book, xrefs, templates, recording(batch)) for batch in (1, 2)}
    assert all(len(jobs) <= 2 for jobs in calls[2]) and calls[2][0] == [1, 2]  # the first two chapters
    assert any(len(jobs) == 2 for jobs in calls[2]) and all(len(jobs) == 1 for jobs in calls[1])
    assert laid[2].page_map == laid[1].page_map
    assert [c.pdf for c in laid[2].chunks] == [c.pdf for c in laid[1].chunks]


@pytest.mark.parametrize(("args", "batch"), [(["--jobs", "2"], 2), (["--jobs", "1"], 1)])
def test_bindery_build_hands_its_pool_one_chunk_per_worker(args: list[str], batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`bindery build --jobs 2` gives the layout stage two lanes, two jobs at a time (not whole rounds)."""
    from click.testing import CliRunner

    import bindery.commands.build
    from bindery.cli import main

    seen: list[object] = []

    def build(*_args: object, runner: object = None, **_kwargs: object) -> None:
        seen.append(runner)
        raise SystemExit(0)

    monkeypatch.setattr(bindery.commands.build, "build", build)
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), *args])
    assert result.exit_code == 0, result.output
    assert getattr(seen[0], "batch_size", None) == batch
    assert isinstance(seen[0], LaneRunner) == (batch == 2)
