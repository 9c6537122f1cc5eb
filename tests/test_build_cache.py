"""The build cache (`bindery.build_cache`, `article_cache`, `cache_codec`, `cache_secret`):
hits and misses, entries that must never be trusted, a cache that cannot be
written, pruning, and EPUBs byte-identical with and without it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bindery import cache_codec
from bindery.build_cache import CACHE_DIR_NAME, BuildCache, cached_runner, save_build_cache
from bindery.cache_keys import key_of
from bindery.cache_secret import secret_path
from bindery.content import RenderedArticle, render_markdown
from bindery.diagnostics import Diagnostic
from bindery.pipeline import build
from conftest import EPOCH

SECRET = b"s" * 32


@pytest.fixture(autouse=True)
def own_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache's key file in this test's own folder, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def stored(folder: Path, entries: dict[str, bytes], secret: bytes = SECRET) -> BuildCache:
    cache = BuildCache(folder, secret=secret)
    for key, value in entries.items():
        cache.put(key, value)
    cache.flush()
    return cache


K1, K2, K3 = (key_of("test", str(n)) for n in range(3))


# -- the store ------------------------------------------------------------------------


def test_a_stored_value_is_a_hit_and_an_unknown_key_a_miss(tmp_path: Path) -> None:
    stored(tmp_path / "c", {K1: b"one"})
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    assert cache.get(K1) == b"one"
    assert cache.get(K2) is None
    assert (cache.stats.hits, cache.stats.misses, cache.stats.rejected) == (1, 1, 0)


def test_nothing_is_written_before_flush(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    cache.put(K1, b"one")
    assert cache.get(K1) == b"one"  # the pending value already serves this build
    assert not (tmp_path / "c").exists()  # a build that fails later leaves output/ as it was
    cache.flush()
    assert [p.name for p in (tmp_path / "c").iterdir()] == [K1]


def test_keys_are_length_prefixed_and_checked() -> None:
    assert key_of("ab", "c") != key_of("a", "bc")
    assert key_of("a", b"b") == key_of("a", "b")
    with pytest.raises(ValueError, match="not a cache key"):
        BuildCache(Path("/nonexistent"), secret=SECRET).get("../../etc/passwd")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-1], id="truncated"),
        pytest.param(lambda data: data[:20], id="truncated-header"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:80] + bytes([data[80] ^ 1]) + data[81:], id="header-bit-flip"),
        pytest.param(lambda data: data[:-40] + bytes([data[-40] ^ 1]) + data[-39:], id="payload-bit-flip"),
        pytest.param(lambda data: b"JUNK" + data[4:], id="wrong-magic"),
        pytest.param(lambda data: data + b"x", id="trailing-bytes"),
    ],
)
def test_a_corrupt_entry_is_a_miss_and_the_next_put_replaces_it(tmp_path: Path, damage: object) -> None:
    stored(tmp_path / "c", {K1: b"the right value" * 10})
    entry = tmp_path / "c" / K1
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    assert cache.get(K1) is None
    assert cache.stats.rejected == 1
    cache.put(K1, b"fresh")
    cache.flush()
    assert BuildCache(tmp_path / "c", secret=SECRET).get(K1) == b"fresh"


def test_an_entry_stored_under_another_key_is_not_trusted(tmp_path: Path) -> None:
    """A valid entry renamed to another key's name (a planted copy) does not answer for that key."""
    stored(tmp_path / "c", {K1: b"one"})
    (tmp_path / "c" / K1).rename(tmp_path / "c" / K2)
    assert BuildCache(tmp_path / "c", secret=SECRET).get(K2) is None


def test_an_entry_forged_without_the_users_secret_is_not_trusted(tmp_path: Path) -> None:
    """A book folder that ships output/.bindery-cache: its entries have a valid header and
    checksum but were made with another secret; Bindery renders the article itself."""
    stored(tmp_path / "c", {K1: b"<script>planted</script>"}, secret=b"x" * 32)
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    assert cache.get(K1) is None and cache.stats.rejected == 1


def test_an_entry_of_another_bindery_is_not_trusted(tmp_path: Path) -> None:
    foreign = BuildCache(tmp_path / "c", secret=SECRET)
    foreign._fingerprint = b"0" * 64  # another version of Bindery or its libraries
    foreign.put(K1, b"old")
    foreign.flush()
    assert BuildCache(tmp_path / "c", secret=SECRET).get(K1) is None


def test_a_symlinked_entry_is_not_followed(tmp_path: Path) -> None:
    stored(tmp_path / "elsewhere", {K1: b"one"})
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / K1).symlink_to(tmp_path / "elsewhere" / K1)
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    assert cache.get(K1) is None
    cache.put(K1, b"mine")
    cache.flush()  # replaces the link itself, never writes through it
    assert not (tmp_path / "c" / K1).is_symlink()
    assert BuildCache(tmp_path / "elsewhere", secret=SECRET).get(K1) == b"one"


def test_a_fifo_in_place_of_an_entry_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    os.mkfifo(tmp_path / "c" / K1)
    assert BuildCache(tmp_path / "c", secret=SECRET).get(K1) is None


def test_a_cache_folder_that_is_a_file_warns_once_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "c").write_text("in the way")
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    for key in (K1, K2):
        cache.put(key, b"x")
        cache.flush()
    assert cache.get(K1) is None
    [warning] = cache.diagnostics
    assert warning.code == "cache-unwritable" and warning.severity == "warning" and "--no-cache" in (warning.hint or "")


def test_a_symlinked_cache_folder_is_not_written_through(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "c").symlink_to(tmp_path / "target")
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    cache.put(K1, b"x")
    cache.flush()
    assert list((tmp_path / "target").iterdir()) == []
    assert [d.code for d in cache.diagnostics] == ["cache-unwritable"]


def test_pruning_removes_the_least_recently_used_entries(tmp_path: Path) -> None:
    value = b"v" * 1000
    cache = stored(tmp_path / "c", {K1: value, K2: value, K3: value})
    for age, key in ((300, K1), (200, K2), (100, K3)):
        os.utime(tmp_path / "c" / key, (1e9 - age, 1e9 - age))
    BuildCache(tmp_path / "c", secret=SECRET).get(K1)  # a hit makes K1 the most recently used
    (tmp_path / "c" / f".tmp-{2**22 + 7}-abcd").write_bytes(b"left by a killed build")
    small = BuildCache(
        tmp_path / "c", secret=SECRET, max_bytes=3200
    )  # entries of about 1,210 bytes: over the cap with three, under 80 % with two
    small.prune()
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted([K1, K3])
    assert small.stats.pruned == 1
    cache.prune()  # under the cap: nothing goes
    assert len(list((tmp_path / "c").iterdir())) == 2


def test_pruning_never_deletes_through_a_symlinked_cache_folder(tmp_path: Path) -> None:
    stored(tmp_path / "target", {K1: b"v" * 1000, K2: b"v" * 1000})
    (tmp_path / "c").symlink_to(tmp_path / "target")
    BuildCache(tmp_path / "c", secret=SECRET, max_bytes=100).prune()
    assert sorted(p.name for p in (tmp_path / "target").iterdir()) == sorted([K1, K2])


def test_an_unusable_key_file_warns_and_the_cache_lives_for_this_process_only(tmp_path: Path) -> None:
    path = secret_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"k" * 32)
    path.chmod(0o644)  # readable by others: anyone could forge entries
    cache = BuildCache(tmp_path / "c")
    [warning] = cache.diagnostics
    assert warning.code == "cache-unwritable" and "not private" in warning.message
    cache.put(K1, b"x")
    cache.flush()
    assert cache.get(K1) == b"x"


def test_the_key_file_is_created_private(tmp_path: Path) -> None:
    BuildCache(tmp_path / "c")
    assert secret_path().stat().st_mode & 0o777 == 0o600 and secret_path().stat().st_size == 32


# -- the codec and the runner -------------------------------------------------------------


def test_the_codec_round_trips_a_rendered_article_and_refuses_a_wrong_shape() -> None:
    rendered = render_markdown(
        "# Title\n\nText[^1] and <u>x</u>.\n\n[^1]: A note.", prefix="a", heading_offset=0, source="a.md", body_line=3
    )
    data = cache_codec.encode(rendered)
    assert cache_codec.decode(data, RenderedArticle) == rendered
    assert cache_codec.decode(cache_codec.encode(Diagnostic("m", line=2, severity="warning", code="c")), Diagnostic).line == 2
    for bad in (b"not json", b"[]", data.replace(b'"html"', b'"htm"'), data.replace(b'"warnings":[', b'"warnings":[7,')):
        with pytest.raises(ValueError):
            cache_codec.decode(bad, RenderedArticle)
    with pytest.raises(ValueError):
        cache_codec.decode(b'{"message":"m","file":null,"line":null,"key":null,"hint":null,"severity":"fatal","code":"c"}', Diagnostic)


@dataclass(frozen=True)
class FakeJob:
    name: str

    def digest(self) -> str:
        return key_of("fake", self.name)


@dataclass(frozen=True)
class FakeResult:
    text: str

    def encode(self) -> bytes:
        return self.text.encode()

    @classmethod
    def decode(cls, data: bytes) -> FakeResult:
        if data.startswith(b"!"):
            raise ValueError("malformed")
        return cls(data.decode())


def test_cached_runner_lays_out_only_the_jobs_it_has_no_result_for(tmp_path: Path) -> None:
    ran: list[str] = []

    def runner(jobs: Sequence[FakeJob]) -> list[FakeResult]:
        ran.extend(job.name for job in jobs)
        return [FakeResult(job.name.upper()) for job in jobs]

    cache = BuildCache(tmp_path / "c", secret=SECRET)
    run = cached_runner(cache, runner, FakeResult)  # type: ignore[arg-type]
    assert run([FakeJob("a"), FakeJob("b")]) == [FakeResult("A"), FakeResult("B")]
    save_build_cache(cache)
    ran.clear()
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    cache.put(key_of("chunk-layout", FakeJob("b").digest()), b"!undecodable")
    run = cached_runner(cache, runner, FakeResult)  # type: ignore[arg-type]
    assert run([FakeJob("c"), FakeJob("a"), FakeJob("b")]) == [FakeResult("C"), FakeResult("A"), FakeResult("B")]
    assert ran == ["c", "b"]  # "a" came from the cache; "b"'s entry did not decode
    assert cached_runner(None, runner) is runner


# -- the EPUB build -------------------------------------------------------------------------

ARTICLE = """---
title: {title}
summary: What {title} is about
related:
  - summary: What {other} is about
---

# Opening

Some words about {title}, with a footnote[^n] and a [link](other.md).

[^n]: The note.
"""


def write_book(root: Path) -> Path:
    (root / "chapters").mkdir(parents=True)
    names = ["first", "second", "third"]
    for i, name in enumerate(names):
        other = names[(i + 1) % 3]
        text = ARTICLE.format(title=name.title(), other=other.title()).replace("other.md", f"{other}.md")
        (root / "chapters" / f"{name}.md").write_text(text, encoding="utf-8")
    (root / "book.yaml").write_text(
        "title: A Cached Book\nauthors: Test Writer\ndate: 2024-01-02\nchapters:\n"
        + "".join(f"  - chapters/{n}.md\n" for n in names)
        + "  - chapters/missing-link.md\n",
        encoding="utf-8",
    )
    (root / "chapters" / "missing-link.md").write_text("---\ntitle: Dangling\n---\n\nSee [x](first.md#nowhere).\n", encoding="utf-8")
    return root


def epub_of(book: Path, out: Path, *, cache: bool = True) -> tuple[bytes, list[str]]:
    result = build(book, ("epub",), out, page_list=False, cache=cache)
    [artifact] = result.artifacts
    return artifact.path.read_bytes(), [str(w) for w in result.warnings]


def test_cold_warm_and_uncached_builds_are_byte_identical(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book")
    uncached, uncached_warnings = epub_of(book, tmp_path / "plain", cache=False)
    assert not (tmp_path / "plain" / CACHE_DIR_NAME).exists()
    cold, cold_warnings = epub_of(book, tmp_path / "out")
    warm, warm_warnings = epub_of(book, tmp_path / "out")
    assert cold == warm == uncached
    assert any("[link-dangling]" in w for w in uncached_warnings)  # warnings are replayed from the cache
    assert cold_warnings == warm_warnings == uncached_warnings


def test_an_edit_renders_only_that_article_again_and_matches_a_fresh_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_book(tmp_path / "book")
    epub_of(book, tmp_path / "out")
    second = book / "chapters" / "second.md"
    second.write_text(second.read_text(encoding="utf-8").replace("Some words", "Other words"), encoding="utf-8")

    import bindery.article_cache

    rendered: list[str] = []
    real = bindery.article_cache.render_markdown

    def spy(text: str, **kwargs: object) -> RenderedArticle:
        rendered.append(str(kwargs["source"]))
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bindery.article_cache, "render_markdown", spy)
    edited, _ = epub_of(book, tmp_path / "out")
    assert rendered == ["chapters/second.md"]
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    fresh, _ = epub_of(book, tmp_path / "fresh", cache=False)
    assert edited == fresh
    assert b"Other words" in _chapter_text(edited)


def _chapter_text(epub: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(epub)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml"))


def test_a_planted_cache_in_the_book_folder_is_ignored(tmp_path: Path) -> None:
    """A book shipped with output/.bindery-cache made on another machine (another secret): the
    entries are rejected, the EPUB is the one an uncached build makes."""
    book = write_book(tmp_path / "book")
    planted = BuildCache(book / "output" / CACHE_DIR_NAME, secret=b"p" * 32)
    epub_of(book, tmp_path / "probe")  # learn the keys this book uses
    for entry in (tmp_path / "probe" / CACHE_DIR_NAME).iterdir():
        planted.put(entry.name, b'{"html":"<script>alert(1)</script>"}')
    planted.flush()
    built, _ = epub_of(book, book / "output")
    assert built == epub_of(book, tmp_path / "plain", cache=False)[0]
    assert b"alert(1)" not in _chapter_text(built)


def test_a_cache_folder_in_the_way_builds_uncached_with_one_warning(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / CACHE_DIR_NAME).write_text("a file, not a folder")
    built, warnings = epub_of(book, tmp_path / "out")
    assert built == epub_of(book, tmp_path / "plain", cache=False)[0]
    assert len([w for w in warnings if "[cache-unwritable]" in w]) == 1


def test_no_cache_leaves_an_existing_cache_alone(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book")
    epub_of(book, tmp_path / "out")
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / CACHE_DIR_NAME).iterdir()}
    epub_of(book, tmp_path / "out", cache=False)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / CACHE_DIR_NAME).iterdir()} == before


def _cover_png(epub: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(epub)) as z:
        return z.read("OEBPS/images/bindery-cover.png")


def test_the_generated_cover_is_drawn_again_when_its_design_or_a_font_changes(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book")
    first, _ = epub_of(book, tmp_path / "out")
    manifest = book / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("A Cached Book", "A Renamed Book"), encoding="utf-8")
    renamed, _ = epub_of(book, tmp_path / "out")
    assert _cover_png(renamed) != _cover_png(first)
    assert renamed == epub_of(book, tmp_path / "plain", cache=False)[0]
    fonts = book / "templates" / "shared" / "fonts"
    fonts.mkdir(parents=True)
    shipped = Path(__file__).resolve().parents[1] / "templates" / "shared" / "fonts"
    # A book's own font file under the name the design uses: the same design, other letters.
    bold = "CharisSIL-Bold.ttf"
    other = next(p for p in sorted(shipped.glob("*.ttf")) if p.name != bold)
    (fonts / bold).write_bytes(other.read_bytes())
    refont, _ = epub_of(book, tmp_path / "out")
    assert _cover_png(refont) != _cover_png(renamed)
    assert refont == epub_of(book, tmp_path / "plain", cache=False)[0]


def test_the_preview_renders_from_the_books_cache_and_an_edit_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bindery.preview_worker import RenderCache, render_snapshot

    book = write_book(tmp_path / "book")
    epub_of(book, book / "output")  # `bindery build` filled the cache the preview reads
    import bindery.article_cache

    rendered: list[str] = []
    real = bindery.article_cache.render_markdown

    def spy(text: str, **kwargs: object) -> RenderedArticle:
        rendered.append(str(kwargs["source"]))
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bindery.article_cache, "render_markdown", spy)
    worker = RenderCache()
    first, _ = render_snapshot(book, "1", worker)
    assert first.ok and rendered == []
    second = book / "chapters" / "second.md"
    second.write_text(second.read_text(encoding="utf-8").replace("Some words", "Edited words"), encoding="utf-8")
    edited, _ = render_snapshot(book, "2", worker)
    again, _ = render_snapshot(book, "3", worker)  # from the worker's memory this time
    assert rendered == ["chapters/second.md"]
    fresh, _ = render_snapshot(book, "4", RenderCache())
    assert {n: d.content for n, d in edited.documents.items()} == {n: d.content for n, d in fresh.documents.items()}
    assert {n: d.content for n, d in again.documents.items()} == {n: d.content for n, d in fresh.documents.items()}
    assert any("Edited words" in d.content for d in edited.documents.values())
    assert edited.warnings == first.warnings == again.warnings


# -- the EPUB's page-list without a layout (issue 11, item 6) -------------------------------


def test_an_epub_with_a_page_list_needs_no_layout_once_the_book_was_laid_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bindery.layout

    book = write_book(tmp_path / "book")
    layouts: list[str] = []
    real = bindery.layout.lay_out_print

    def counted(*args: object, **kwargs: object) -> object:
        layouts.append("layout")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bindery.layout, "lay_out_print", counted)
    both = build(book, ("epub", "pdf"), tmp_path / "out")  # the PDF build stores its page map
    assert layouts == ["layout"]
    with_pages = build(book, ("epub",), tmp_path / "out")
    assert layouts == ["layout"]  # no second layout
    [epub] = [a for a in both.artifacts if a.path.suffix == ".epub"]
    assert with_pages.artifacts[0].data == epub.data
    assert b'epub:type="pagebreak"' in _chapter_text(epub.data)
    plain = build(book, ("epub",), tmp_path / "plain", cache=False)
    assert layouts == ["layout", "layout"] and plain.artifacts[0].data == epub.data

    third = book / "chapters" / "third.md"
    third.write_text(third.read_text(encoding="utf-8").replace("Some words", "Some more words"), encoding="utf-8")
    edited = build(book, ("epub",), tmp_path / "out")
    assert layouts == ["layout", "layout", "layout"]  # the book changed: laid out again
    assert edited.artifacts[0].data == build(book, ("epub",), tmp_path / "plain", cache=False).artifacts[0].data


def test_a_raw_export_is_cached_with_its_line_map(tmp_path: Path) -> None:
    """A `.txt` export's Source carries a map from body lines to the export's lines: the cached
    Source is equal to a fresh one, map included, and the EPUB is the same."""
    from bindery.article_cache import source_reader
    from bindery.diagnostics import Report
    from bindery.manifest.load import load_manifest
    from bindery.sources import read_source

    root = tmp_path / "book"
    (root / "exports").mkdir(parents=True)
    paragraphs = [
        "Water early in the morning so that the roots drink before the soil warms up in the sun.",
        "",
        "ADVERTISEMENT",
        "Mulch keeps the water where it belongs and the soil cool, and it feeds the worms as well.",
    ]
    head = ["Gardening", "How to water tomatoes", "A short routine for the hottest weeks of the year.", "By Ada Lovelace"]
    (root / "exports" / "garden.txt").write_text("\n".join(head + ["Published July 26, 2025", *paragraphs]) + "\n", encoding="utf-8")
    (root / "book.yaml").write_text("title: Lines\nauthors: [A B]\nchapters:\n  - exports/garden.txt\n", encoding="utf-8")
    manifest = load_manifest(root)
    [ref] = manifest.article_refs()
    fresh = read_source(root.resolve(), ref, Report())
    assert fresh.body_lines  # the export's own lines
    cache = BuildCache(tmp_path / "c", secret=SECRET)
    source_reader(cache)(root.resolve(), ref, Report())
    cache.flush()
    again = BuildCache(tmp_path / "c", secret=SECRET)
    cached = source_reader(again)(root.resolve(), ref, Report())
    assert again.stats.hits == 1 and cached == fresh and cached.body_lines == fresh.body_lines
    built = [build(root, ("epub",), tmp_path / "out", page_list=False).artifacts[0].data for _ in range(2)]
    assert built[0] == built[1] == build(root, ("epub",), tmp_path / "plain", page_list=False, cache=False).artifacts[0].data


def test_the_no_cache_option_of_build_writes_no_cache(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bindery.cli import main

    book = write_book(tmp_path / "book")
    args = ["build", str(book), "--format", "epub", "--no-page-list", "-o"]
    assert CliRunner().invoke(main, [*args, str(tmp_path / "plain"), "--no-cache"]).exit_code == 0
    assert not (tmp_path / "plain" / CACHE_DIR_NAME).exists()
    assert CliRunner().invoke(main, [*args, str(tmp_path / "out")]).exit_code == 0
    assert any((tmp_path / "out" / CACHE_DIR_NAME).iterdir())
