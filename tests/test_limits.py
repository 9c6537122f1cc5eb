"""Limits everywhere (issue 12): regular expressions, YAML, sizes, names, dates, Ctrl-C.

Unit tests of the pure functions plus a few small builds; the bad-input cases
that end in a message are in `test_bad_inputs_limits.py`.
"""

from __future__ import annotations

import ast
import datetime as _dt
import html
import inspect
import io
import math
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from bindery import matching, paths, rawexport, sources, yamlsource
from bindery.cli import main
from bindery.content import render_markdown
from bindery.diagnostics import BinderyError
from bindery.limits import MAX_SLUG_CHARS, cap_slug, check_nesting
from bindery.manifest import files, load_manifest, options, print_settings, validate, vocabulary
from bindery.outputs import write_all_atomic
from bindery.paths import slugify
from bindery.rawexport import body as rx_body
from bindery.rawexport import header as rx_header
from bindery.rawexport import lines as rx_lines
from bindery.rawexport import meta as rx_meta
from bindery.rawexport import noise as rx_noise
from bindery.rawexport import parse_export
from bindery.rawexport import related as rx_related
from bindery.rawexport import writer as rx_writer
from bindery.reproducible import normalise_epub
from bindery.textinput import decode_text
from bindery.yamlsource import load_yaml
from test_bad_inputs import MANIFEST, write_book

SRC = Path(__file__).resolve().parents[1] / "src"

# -- regular expressions over user text --------------------------------------------

PATTERN_MODULES: tuple[ModuleType, ...] = (
    rawexport,
    rx_lines,
    rx_header,
    rx_meta,
    rx_noise,
    rx_body,
    rx_related,
    rx_writer,
    sources,
    matching,
    vocabulary,
    validate,
    files,
    print_settings,
    options,
    paths,
    yamlsource,
)
ATOMS = ("-", " ", "a", "1", "#", ".", "|", "'", "[", "{#", ">", "- ", "-.", ". ", "a ", "1 ", "by ", "and ", ", ", "a-", " · ", "\\", "&", "<a")  # fmt: skip
PREFIXES = ("", "by ", "1. ")
TAILS = ("\x00", " Notes")
SHORT_CHARS = 1_000  # the long line is LONGER times as long
LONGER = 8
GROWTH_LIMIT = 3 * LONGER  # a pattern that scans a line once takes about LONGER times as long on it; a quadratic one LONGER**2
TRIES = 5  # a measure over the limit is taken again, the least time of each line counting: a busy machine stalls one, not five
HANG_SECONDS = 60.0  # a pattern that backtracks exponentially never returns: it fails after this
ABSENT = re.compile("\x01\x02")  # the reference: a pattern that finds nothing in a line, in one scan


def module_patterns(module: ModuleType) -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled module-level pattern (alone or in a tuple), and every
    literal pattern passed to re.* inside a function, found in the source."""
    found: list[tuple[str, re.Pattern[str]]] = []
    for name, value in vars(module).items():
        if isinstance(value, re.Pattern):
            found.append((f"{module.__name__}.{name}", value))
        elif isinstance(value, tuple) and value and all(isinstance(v, re.Pattern) for v in value):
            found += [(f"{module.__name__}.{name}[{i}]", v) for i, v in enumerate(value)]
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((f"{module.__name__}:{node.lineno}", re.compile(node.args[0].value, re.I)))
    return found


ALL_PATTERNS = [p for module in PATTERN_MODULES for p in module_patterns(module)]


def test_the_pattern_collection_finds_the_patterns_of_every_module() -> None:
    names = [name for name, _ in ALL_PATTERNS]
    assert "bindery.rawexport.noise._SEPARATOR" in names
    assert any(name.startswith("bindery.rawexport.meta._DATE_FORMS[") for name in names)
    assert any(name.startswith("bindery.manifest.validate:") for name in names)  # the inline ones too
    assert len(ALL_PATTERNS) >= 30


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[name for name, _ in ALL_PATTERNS])
def test_no_pattern_backtracks_on_long_adversarial_lines(name: str, pattern: re.Pattern[str]) -> None:
    """Each pattern's time on a line LONGER times as long grows like the line (a ratio of two
    timings taken together, never a time), plus one scan of the line by a pattern that finds
    nothing; on adversarial lines made of one atom repeated (a backtracking pattern's worst case)."""

    def too_slow(signum: int, frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        over = [case for case in adversarial_lines() if not grows_linearly(pattern, *case)]
    except TimeoutError:
        over = [(f"a line that had not finished after {HANG_SECONDS:.0f} s", "", "")]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not over, f"{name} takes more than {GROWTH_LIMIT}x as long on a line {LONGER}x as long: {over[:3]}"


def test_the_growth_measure_finds_a_quadratic_pattern() -> None:
    """The measure above, on a pattern that tries every start and scans to the end from each."""
    assert grows_linearly(re.compile(r"(?:a|b)c"), "", "a", "")
    assert not grows_linearly(re.compile(r"\s*x"), "", " ", "")


def adversarial_lines() -> list[tuple[str, str, str]]:
    return [(prefix, atom, tail) for atom in ATOMS for prefix in PREFIXES for tail in TAILS]


def grows_linearly(pattern: re.Pattern[str], prefix: str, atom: str, tail: str) -> bool:
    short = prefix + atom * (SHORT_CHARS // len(atom)) + tail
    long = prefix + atom * (LONGER * SHORT_CHARS // len(atom)) + tail
    least = {short: math.inf, long: math.inf}
    absent = math.inf
    for _ in range(TRIES):
        least[short] = min(least[short], _seconds(pattern, short))
        least[long] = min(least[long], _seconds(pattern, long))
        absent = min(absent, _seconds(ABSENT, long))
        if least[long] <= GROWTH_LIMIT * least[short] + absent:
            return True
    return False


def _seconds(pattern: re.Pattern[str], line: str) -> float:
    """CPU seconds of this thread (time the machine gave to others does not count)."""
    started = time.thread_time()
    pattern.match(line)
    pattern.search(line)
    pattern.fullmatch(line)
    return time.thread_time() - started


PROSE = (
    "The harbour master walks the sea wall every morning before the first boat leaves, and writes "
    "the height of the water on a slate by the door, as her mother did before her."
)
PROSE2 = (
    "She has done it for thirty years, and the slate has never been wrong twice; the fishermen read "
    "it before they read the sky, and argue about it on the quay until the tide turns."
)


def diary(*extra: str) -> str:
    return "\n\n".join(["A Harbour Diary", PROSE, PROSE2, *extra, PROSE]) + "\n"


def test_a_separator_of_40_dashes_before_words_imports_at_once() -> None:
    started = time.thread_time()  # CPU, not wall: a busy machine does not stall it
    assert rx_noise._SEPARATOR.fullmatch("-" * 40 + " Notes") is None
    assert rx_noise._SEPARATOR.fullmatch("- - - * * *")
    article = parse_export(diary("-" * 40 + " Notes"), "diary.txt")
    assert time.thread_time() - started < 1
    assert "Notes" in article.to_markdown()


def test_a_raw_export_with_a_long_separator_builds_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = diary("-" * 40 + " Notes")
    write_book(tmp_path, {"book.yaml": MANIFEST.replace("two.md", "two.txt"), "chapters/two.txt": export})
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", "book", "--format", "epub", "--no-page-list"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60


# -- imported prose is escaped Markdown ----------------------------------------------


def test_imported_prose_about_tags_is_escaped_and_builds_as_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prose = "Never paste a <script> tag or an <img src=x onerror=alert(1)> into a page; write &amp; for an ampersand."
    export = tmp_path / "tags.txt"
    export.write_text(diary(prose, "<div>Still words</div>").replace("A Harbour Diary", "Tags in Prose"), encoding="utf-8")
    article = parse_export(export.read_text(encoding="utf-8"), "tags.txt")
    markdown = article.to_markdown()
    assert "<script>" not in markdown and "<div>" not in markdown and "<img" not in markdown
    assert "&lt;script>" in markdown and "&amp;amp;" in markdown
    write_book(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    imported = CliRunner().invoke(main, ["import", str(export), "--into", "book/chapters"])
    assert imported.exit_code == 0, imported.output
    (tmp_path / "book" / "book.yaml").write_text(MANIFEST.replace("chapters/two.md", "chapters/tags-in-prose.md"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "book", "--format", "epub", "--no-page-list"])
    assert result.exit_code == 0, result.output
    epub = next((tmp_path / "book" / "output").glob("*.epub"))
    xhtml = "".join(zipfile.ZipFile(epub).read(n).decode("utf-8") for n in zipfile.ZipFile(epub).namelist() if n.endswith(".xhtml"))
    assert "a &lt;script&gt; tag" in xhtml
    assert "&lt;div&gt;Still words&lt;/div&gt;" in xhtml
    assert "write &amp;amp; for an ampersand" in xhtml


def test_markdown_block_starts_are_still_escaped() -> None:
    assert rx_writer.render_block("# not a heading") == "\\# not a heading"
    assert rx_writer.render_block("1. not a list") == "1\\. not a list"
    assert rx_writer.render_block("<b>bold</b> words") == "&lt;b>bold&lt;/b> words"
    assert rx_writer.render_block("## Heading ##") == "## Heading \\#\\#"  # each # escaped: Markdown took the last as closing
    assert rx_writer.render_block("AT&T and 3 < 4") == "AT&T and 3 < 4"


# -- YAML -------------------------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def test_a_yaml_alias_bomb_is_refused_at_once_with_its_line() -> None:
    assert len(BOMB) < 1024
    started = time.thread_time()  # CPU, not wall: a busy machine does not stall it
    with pytest.raises(BinderyError) as caught:
        load_yaml(BOMB, "book.yaml")
    assert time.thread_time() - started < 1
    assert str(caught.value).startswith("book.yaml:6: aliases (*name) expand this YAML to more than 100,000 values")


def test_aliases_are_read_but_walked_once() -> None:
    shared = "base: &b {title: T, items: [1, 2, 3]}\n" + "".join(f"k{i}: *b\n" for i in range(50))
    data, lines, dups = load_yaml(shared, "f.yaml")
    assert data["k49"]["items"] == [1, 2, 3]
    assert lines.line(("k7",)) == 9
    assert lines.line(("k7", "items", 2)) == 9  # inside an alias: the alias's own line, never expanded
    assert dups == []


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "&a [*a]\n", "a: &m {b: *m}\n", "x: &x [[[*x]]]\n"])
def test_a_recursive_alias_is_a_clear_error(text: str) -> None:
    with pytest.raises(BinderyError, match="never ends"):
        load_yaml(text, "f.yaml")


def test_keys_stay_the_text_written() -> None:
    data, lines, dups = load_yaml("1: one\ntrue: yes\nnull: nothing\n~: tilde\n'1': quoted\n", "f.yaml")
    assert list(data) == ["1", "true", "null", "~"]
    assert lines.line(("null",)) == 3
    assert [d.line for d in dups] == [5]


def test_a_long_number_names_its_line_and_no_date() -> None:
    with pytest.raises(BinderyError) as caught:
        load_yaml("a: 1\nb: " + "5" * 5000 + "\n", "f.yaml", line_offset=1)
    message = str(caught.value)
    assert message.startswith("f.yaml:3: a number with 5,000 digits is too long")
    assert "date" not in message and len(message) < 300


# -- dates and clocks ---------------------------------------------------------------------


@pytest.mark.parametrize(("epoch", "date"), [("5000000000", "2025-01-01"), ("1700000000", "2150-01-01")])
def test_far_future_dates_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, date: str) -> None:
    write_book(tmp_path, {"book.yaml": MANIFEST + f"date: {date}\n"})
    monkeypatch.chdir(tmp_path)
    if date.startswith("2150"):
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = CliRunner().invoke(main, ["build", "book", "--format", "epub", "--no-page-list"])
    assert result.exit_code == 0, result.output
    epub = zipfile.ZipFile(next((tmp_path / "book" / "output").glob("*.epub")))
    assert {info.date_time[0] for info in epub.infolist()} == {2107}


def test_zip_stamps_are_clamped_to_what_zip_can_say() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("a.txt", "a")
    late = normalise_epub(buffer.getvalue(), _dt.datetime(2200, 1, 1, tzinfo=_dt.UTC))
    early = normalise_epub(buffer.getvalue(), _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC))
    assert zipfile.ZipFile(io.BytesIO(late)).infolist()[1].date_time == (2107, 12, 31, 23, 59, 58)
    assert zipfile.ZipFile(io.BytesIO(early)).infolist()[1].date_time[0] == 1980


# -- titles and file names -------------------------------------------------------------------


def test_file_names_made_from_a_long_title_are_capped(tmp_path: Path) -> None:
    title = " ".join(["Harbour"] * 36)[:291]
    write_book(tmp_path, {"book.yaml": MANIFEST.replace("A Small Test Book", title)})
    loaded = load_manifest(tmp_path / "book")
    assert loaded.metadata.title == title
    assert len(loaded.slug) <= MAX_SLUG_CHARS and loaded.slug.startswith("harbour-harbour")
    assert not loaded.slug.endswith("-") and len(loaded.epub.filename) <= MAX_SLUG_CHARS + 5
    assert len(slugify("x" * 100_000)) == MAX_SLUG_CHARS
    assert cap_slug("ab-cd-ef", 5) == "ab-cd"


def test_pdf_filename_names_the_pdf_and_its_cover(tmp_path: Path) -> None:
    write_book(tmp_path, {"book.yaml": MANIFEST + "pdf:\n  filename: Harbour Tides.pdf\nepub:\n  filename: tides.epub\n"})
    loaded = load_manifest(tmp_path / "book")
    assert loaded.slug == "Harbour Tides"  # the builders write <slug>.pdf and <slug>-cover.pdf
    assert loaded.epub.filename == "tides.epub"


def test_new_refuses_a_title_it_could_not_build(tmp_path: Path) -> None:
    bad = CliRunner().invoke(main, ["new", str(tmp_path / "a"), "--title", "Bad\x01Title"])
    assert bad.exit_code == 1 and "control character U+0001" in bad.output and "Traceback" not in bad.output
    long = CliRunner().invoke(main, ["new", str(tmp_path / "b"), "--title", "T" * 100_000])
    assert long.exit_code == 1 and "the limit is 500" in long.output and len(long.output) < 500
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_bad_title_never_writes_an_epub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, {"book.yaml": MANIFEST.replace("title: A Small Test Book", 'title: "Bad\\x01"')})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "book", "--format", "epub", "--no-page-list"])
    assert result.exit_code == 1 and "book/book.yaml:1:" in result.output
    assert not (tmp_path / "book" / "output").exists() or not any((tmp_path / "book" / "output").iterdir())


# -- text files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_read(encoding: str) -> None:
    text = "---\ntitle: Café\n---\n\nNaïve.\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_text(data, "a.md") == text.replace("\r\n", "\n")


def test_a_nul_in_utf8_text_is_named_with_its_line() -> None:
    with pytest.raises(BinderyError, match=r"^a\.md:3: contains the control character U\+0000"):
        decode_text(b"one\ntwo\nthree\x00\n", "a.md")
    with pytest.raises(BinderyError, match="binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "a.md")


def test_the_nesting_check_is_linear() -> None:
    deep = "".join("  " * i + "- item\n" for i in range(10_000))
    started = time.thread_time()  # CPU, not wall: a busy machine does not stall it
    with pytest.raises(BinderyError, match=r"^a\.md:25: lists and block quotes are nested more than 20 levels deep"):
        check_nesting(deep, "a.md", 5)
    with pytest.raises(BinderyError):
        check_nesting(">" * 100_000, "a.md", 1)
    assert time.thread_time() - started < 1
    check_nesting("- a\n  - b\n    - c\n\n```\n" + "- " * 100 + "\n```\n> > quote\n", "a.md", 1)  # fine


# -- outputs ---------------------------------------------------------------------------------------


def test_a_folder_in_the_way_stops_the_build_before_any_file_is_replaced(tmp_path: Path) -> None:
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"old pdf")
    (tmp_path / "book.epub").mkdir()
    with pytest.raises(BinderyError, match="is a folder"):
        write_all_atomic([(pdf, b"new pdf"), (tmp_path / "book.epub", b"new epub")])
    assert pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub", "book.pdf"]


# -- Ctrl-C ----------------------------------------------------------------------------------------


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_ctrl_c_while_bindery_loads_exits_130_without_a_traceback(tmp_path: Path) -> None:
    done = run_python("import os, signal, bindery.interrupts; os.kill(os.getpid(), signal.SIGINT); import bindery.cli", tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted; nothing was written\n"


def test_ctrl_c_during_a_build_exits_130_without_a_traceback(tmp_path: Path) -> None:
    write_book(tmp_path, {})
    code = (
        "import os, signal, sys\n"
        "import bindery.pipeline as p\n"
        "real = p.read_sources\n"
        "def interrupted(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(*a, **k)\n"
        "p.read_sources = interrupted\n"
        "from bindery.cli import main\n"
        "sys.argv = ['bindery', 'build', 'book', '--format', 'epub', '--no-page-list']\n"
        "main()\n"
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "interrupted" in done.stderr
    assert not (tmp_path / "book" / "output").exists() or not any((tmp_path / "book" / "output").iterdir())
    assert signal.getsignal(signal.SIGINT) is not None


def test_an_explicit_heading_line_is_read_in_one_scan() -> None:
    """`# a`, a long run of spaces and `#b`: the whole-line pattern this replaced tried every split
    of the spaces (an import of a 200,000-space line did not finish in two minutes). Measured as
    the pattern test above measures: the time on a line 8 times as long, against the short one's."""
    from bindery.rawexport.body import explicit_heading

    short, long = "# a" + " " * SHORT_CHARS + "#b", "# a" + " " * (LONGER * SHORT_CHARS) + "#b"

    def seconds(line: str) -> float:
        started = time.thread_time()
        explicit_heading(line)
        return time.thread_time() - started

    least = {short: math.inf, long: math.inf}
    absent = math.inf
    for _ in range(TRIES):
        least[short], least[long] = min(least[short], seconds(short)), min(least[long], seconds(long))
        absent = min(absent, _seconds(ABSENT, long))
        if least[long] <= GROWTH_LIMIT * least[short] + absent:
            break
    assert least[long] <= GROWTH_LIMIT * least[short] + absent, least
    assert explicit_heading("## Notes ##") == "Notes" and explicit_heading("# C# #") == "C#" and explicit_heading("# #") == "#"


WEB_TEXT_THAT_LOOKS_LIKE_MARKDOWN = [
    "#1 reason clients give up, in their own words",
    ": this line was a pull quote on the page",
    "1234567890. That many messages were sent in a day.",
    "[TOC]",
    "f**k and s**t, the transcript says, were the words.",
    "A pattern such as \\d+\\.\\d+ and a share at \\\\server\\notes.",
    "[critic](inner voice) is how she wrote it.",
    "~~~ a wavy line of text",
    "*[CBT]: cognitive behavioural therapy, the first method most clinicians use.",
    "snake_case names and `backticks` and <b> in prose.",
]


@pytest.mark.parametrize("line", WEB_TEXT_THAT_LOOKS_LIKE_MARKDOWN)
def test_web_text_that_looks_like_markdown_reads_back_as_written(line: str) -> None:
    """Found by an import fuzz (helper): each of these came out as a heading, a definition, a
    list, a table of contents, emphasis, a link or an abbreviation, or lost a backslash or a word."""
    rendered = render_markdown(
        "The article begins here.\n\n" + rx_writer.render_block(line) + "\n",
        prefix="w",
        heading_offset=0,
        source="chapters/w.md",
        body_line=5,
        articles={},
    )
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered.html)).replace("The article begins here.", "").strip()
    assert text == line and rendered.warnings == [], (rendered.html, rendered.warnings)
    assert rendered.html.count("<p>") == 2 and "<h" not in rendered.html, rendered.html


def test_thousands_of_brackets_that_never_close_are_an_error_not_minutes() -> None:
    """Python-Markdown looks for each '['s ']' to the end of the paragraph: 4,000 of them in
    44 KB took 30 s, 10,000 minutes. A few stay as text, as written."""
    few = render_markdown("Intro.\n\n" + "word [note " * 50 + "\n", prefix="b", heading_offset=0, source="c/b.md", body_line=5)
    assert few.html.count("[note") == 50
    with pytest.raises(BinderyError) as caught:
        render_markdown(
            "Intro.\n\n`a [ in code`\n\n" + "word [note " * 10_000 + "\n", prefix="b", heading_offset=0, source="c/b.md", body_line=5
        )
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.line) == ("content-open-brackets", 9) and "10,000 '[' that never close" in problem.message
