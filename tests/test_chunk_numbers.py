"""A chunk's cross-chunk page numbers written into its kept layout (bindery/chunk_numbers.py)
instead of a new layout: only when the new numbers take the old ones' width, and with the
same pages and PDF bytes as a fresh layout."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import bindery.chunk_numbers
import bindery.layout
import bindery.layout_chunks
from bindery.chunk_numbers import Kept, cross_chunk_numbers, shape_key
from bindery.executors import local_runner
from bindery.layout import lay_out_print
from bindery.layout_chunks import ChunkJob, lay_out_chunk, serial_runner
from bindery.pdf_join.navigation import CROSS_CHUNK_PREFIX
from bindery.pipeline import build, load_book
from bindery.templating import Templates
from conftest import BOOKS, EPOCH
from test_layout_chunks import _pdf_text

CSS = "@page { size: 4in 5in; margin: 0.5in } a[data-page]::after { content: ' (page\\a0' attr(data-page) ')' }"


def _job(number: str, css: str = CSS) -> ChunkJob:
    link = f'<a href="{CROSS_CHUNK_PREFIX}later" data-page="{number}">the later chapter</a>'
    words = " ".join(["Words set in a paragraph long enough to wrap."] * 12)
    html = f"<html lang='en'><body><p>{words} See {link}, and go on. {words}</p></body></html>"
    return ChunkJob(0, html, css, "file:///nowhere/", (), (), "digital", pad=False)


def _renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    render = bindery.layout.render_text

    def counting(*args):  # type: ignore[no-untyped-def]
        counted.append(1)
        return render(*args)

    monkeypatch.setattr(bindery.layout, "render_text", counting)
    return counted


def test_the_numbers_of_links_into_other_chunks_are_read_and_masked_to_their_length() -> None:
    html = _job("17").html
    assert cross_chunk_numbers(html) == {f"{CROSS_CHUNK_PREFIX}later": "17"}
    assert shape_key("rest", html) == shape_key("rest", _job("42").html)
    assert shape_key("rest", html) != shape_key("rest", _job("142").html)  # another width: another layout
    assert shape_key("rest", html) != shape_key("other", html)


def test_a_job_that_only_prints_another_number_is_not_laid_out_again_and_gives_a_fresh_layouts_pdf(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    fresh = lay_out_chunk(_job("47"))  # laid out with the right number from the start
    kept = Kept()
    renders = _renders(monkeypatch)
    first = lay_out_chunk(_job("12"), kept)
    assert len(renders) == 1 and "(page 12)" in _pdf_text(first.pdf)[0]
    again = lay_out_chunk(_job("47"), kept)
    assert len(renders) == 1  # no new layout
    assert "(page 47)" in _pdf_text(again.pdf)[0] and "(page 12)" not in _pdf_text(again.pdf)[0]
    assert again.pdf == fresh.pdf and again.page_map == fresh.page_map and again.anchors == fresh.anchors


def test_a_number_of_another_width_is_laid_out_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = Kept()
    renders = _renders(monkeypatch)
    lay_out_chunk(_job("12"), kept)
    wider = lay_out_chunk(replace(_job("112"), index=1), kept)  # another length: another shape, a layout of its own
    assert len(renders) == 2 and "(page 112)" in _pdf_text(wider.pdf)[0]
    job = _job("12")
    key, href = shape_key(replace(job, html="").digest(), job.html), f"{CROSS_CHUNK_PREFIX}later"
    assert kept.renumbered(key, {href: "1"}) is None  # narrower than the kept "12": never squeezed in
    assert kept.renumbered(key, {href: "12", "elsewhere": "3"}) is None  # other links: another chunk
    assert kept.renumbered(key, {href: "47"}) is not None


def test_a_number_its_generated_text_holds_twice_is_laid_out_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stylesheet may print other digits around the number: the edit must not touch them."""
    css = CSS.replace("attr(data-page) ')' }", "attr(data-page) '\\a0of\\a0 12)'; white-space: nowrap }")
    assert "of\\a0 12)'; white-space: nowrap" in css
    kept = Kept()
    renders = _renders(monkeypatch)
    lay_out_chunk(_job("12", css), kept)
    again = lay_out_chunk(_job("47", css), kept)
    assert len(renders) == 2  # "(page 12 of 12)": which 12 is the number is not for an edit to guess
    assert "(page 47 of 12)" in " ".join(_pdf_text(again.pdf))


def test_a_chunk_keeps_only_its_latest_layout() -> None:
    """A chunk laid out again in another shape (a wider number, a new first folio) gives up its
    earlier layout: the room goes to later chunks (`--jobs 2` guesses the offsets of half its jobs)."""
    kept = Kept()
    first = lay_out_chunk(_job("12"), kept)
    lay_out_chunk(_job("112"), kept)
    assert len(kept._layouts) == 1 and kept.pages == first.page_count
    lay_out_chunk(replace(_job("12"), index=1), kept)  # another chunk: both kept
    assert len(kept._layouts) == 2


def test_kept_layouts_stop_at_the_page_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bindery.chunk_numbers, "PAGES_KEPT", 1)
    kept = Kept()
    renders = _renders(monkeypatch)
    lay_out_chunk(_job("12"), kept)  # two pages: more than the budget, not kept
    lay_out_chunk(_job("47"), kept)
    assert len(renders) == 2 and not kept._layouts


def test_a_book_laid_out_one_chunk_at_a_time_renumbers_instead_of_laying_out_and_gives_the_same_pdfs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chapters whose cross-references point forward: their first layout guesses the later
    chapters' pages. With the layouts kept, fewer layouts and byte-identical chunk PDFs (the
    generated book of tests/test_layout_chunks.py is laid out with them kept, against one document)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    loaded = load_book(BOOKS / "xref")
    templates = Templates(Path(loaded.book.root), "print")
    renders = _renders(monkeypatch)
    kept = lay_out_print(loaded.book, loaded.xrefs, templates, serial_runner)
    with_kept = len(renders)
    monkeypatch.setattr(bindery.chunk_numbers, "PAGES_KEPT", 0)
    renders.clear()
    plain = lay_out_print(loaded.book, loaded.xrefs, templates, serial_runner)
    assert with_kept < len(renders)
    assert [c.pdf for c in kept.chunks] == [c.pdf for c in plain.chunks]
    assert kept.page_map == plain.page_map
    assert not bindery.layout_chunks.KEPT._layouts  # forgotten when the stage ends


def _calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[object]:
    """The first argument of each call of bindery.layout_chunks.NAME from now on."""
    seen: list[object] = []
    real = getattr(bindery.layout_chunks, name)

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(bindery.layout_chunks, name, spy)
    return seen


def test_each_chunks_pdf_is_written_once_from_its_final_layout_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs 1` (local_runner) writes a kept layout's PDF at the end of the layout stage, not once
    per job: the xref book's renumbered chapters are written once each. The build cache stores
    those PDFs (a warm build lays out and writes nothing), and the bytes are a build's that keeps no layout."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    jobs, layouts, writes = (_calls(monkeypatch, name) for name in ("lay_out_chunk", "_lay_out", "_write"))
    cold = build(BOOKS / "xref", ("pdf",), tmp_path / "out", runner=local_runner()).artifacts[0].data
    chunks = {job.index for job in jobs}  # type: ignore[attr-defined]
    assert len(jobs) > len(chunks)  # some chunks had a second job (their numbers were guessed)...
    assert len(writes) == len(chunks) and len(layouts) < len(jobs)  # ...renumbered, and each PDF written once
    jobs.clear(), layouts.clear(), writes.clear()
    warm = build(BOOKS / "xref", ("pdf",), tmp_path / "out", runner=local_runner()).artifacts[0].data
    assert (jobs, layouts, writes) == ([], [], []) and warm == cold
    monkeypatch.setattr(bindery.chunk_numbers, "PAGES_KEPT", 0)  # nothing kept: every job laid out and written
    plain = build(BOOKS / "xref", ("pdf",), tmp_path / "plain", runner=local_runner(), cache=False).artifacts[0].data
    assert len(writes) == len(jobs) and plain == cold


def test_a_deferred_result_whose_layout_is_not_kept_is_laid_out_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deferred result read back from the build cache (a later build keeps no layout for it)
    gets its PDF from a fresh layout: the bytes of one written at once."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    job = _job("12")
    deferred = lay_out_chunk(job, Kept(), defer_pdf=True)  # kept in a store of its own, not serial_runner's
    assert deferred.deferred and not bindery.layout_chunks.KEPT._layouts
    [written] = bindery.layout_chunks.write_deferred([(job, deferred)])
    assert not written.deferred and written == lay_out_chunk(job)
