"""The bad-input matrix for limits, parsers and metadata (issue 12).

Each case is a small book built with `bindery build` (as in
`test_bad_inputs.py`, whose helpers it uses) that must fail at once with the
file, the line, the problem and a hint, exit code 1, no traceback and no
internal error: YAML alias bombs and loops, characters XML cannot hold,
oversized files, titles, file names and related lists, deep nesting,
misleading YAML keys and numbers, UTF-16 files. Every case also has to
finish within seconds (`CASE_SECONDS`), which is the point of a limit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from test_bad_inputs import MANIFEST, Case, assert_clear, run_build, with_front, write_book

CASE_SECONDS = 20  # generous on a loaded machine; an unbounded case takes minutes or never ends

BOMB_LINES = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)
]
BOMB = "\n".join(BOMB_LINES) + "\n"  # 9 anchors, each 9 aliases of the one before: 9**9 values, ~0.4 KB
NESTED_LIST = "".join("  " * i + "- item\n" for i in range(10_000))
NESTED_LIST_1400 = "".join("  " * i + "- item\n" for i in range(1_400))  # just under 2 MB
NESTED_LIST_1000 = "".join("  " * i + "- item\n" for i in range(1_000))
ORDERED = "".join("   " * i + "1. item\n" for i in range(40))
RELATED_600 = "related:\n" + "".join(f"  - summary: Another article number {i}\n" for i in range(600))
MANIFEST_LINES = MANIFEST.count("\n")  # the next line appended to MANIFEST is MANIFEST_LINES + 1


def front(extra: str, body: str = "A short paragraph of body text.\n") -> str:
    return with_front("Nets and Knots", extra, body)


def utf16(text: str, bom: bool = True) -> bytes:
    return ("\ufeff" if bom else "").encode("utf-16-le") + text.encode("utf-16-le")


N = MANIFEST_LINES + 1
CASES = [
    # -- YAML: aliases, loops, keys, numbers ------------------------------------------
    Case("manifest-alias-bomb", {"book.yaml": MANIFEST + BOMB}, "book/book.yaml", N + 5, "expand this YAML to more than 100,000"),
    Case("manifest-alias-loop", {"book.yaml": MANIFEST + "subjects: &a [*a]\n"}, "book/book.yaml", N, "refers to the list or mapping"),
    Case("manifest-alias-loop-mapping", {"book.yaml": MANIFEST + "series: &s {name: *s}\n"}, "book/book.yaml", N, "never ends"),
    Case(
        "front-matter-alias-bomb",
        {"chapters/two.md": front("\n".join("x" + line for line in BOMB_LINES) + "\n")},
        "book/chapters/two.md",
        8,
        "expand this YAML",
    ),
    Case("front-matter-alias-loop", {"chapters/two.md": front("category: &a [*a]\n")}, "book/chapters/two.md", 3, "never ends"),
    Case(
        "manifest-huge-integer",
        {"book.yaml": MANIFEST + "series:\n  name: S\n  position: " + "7" * 5000 + "\n"},
        "book/book.yaml",
        N + 2,
        "5,000 digits",
    ),
    Case("front-matter-huge-integer", {"chapters/two.md": front("id: " + "9" * 5000 + "\n")}, "book/chapters/two.md", 3, "5,000 digits"),
    Case("front-matter-impossible-date", {"chapters/two.md": front("date: 2025-02-30\n")}, "book/chapters/two.md", 3, "is not a real date"),
    Case("manifest-null-key", {"book.yaml": MANIFEST + "\nnull: x\n"}, "book/book.yaml", N + 1, "null: unknown key"),
    Case("manifest-true-key", {"book.yaml": MANIFEST + "1: one\ntrue: yes\n"}, "book/book.yaml", N + 1, "true: unknown key"),
    Case("manifest-tilde-key", {"book.yaml": MANIFEST + "\n\n~: x\n"}, "book/book.yaml", N + 2, "~: unknown key"),
    Case(
        "manifest-yes-and-true",
        {"book.yaml": MANIFEST + "pdf:\n  bleed: true\n  crop_marks: true\n  true: 1\n"},
        "book/book.yaml",
        N + 3,
        "pdf.true: unknown key",
    ),
    # -- characters XML cannot hold -------------------------------------------------
    Case("manifest-title-escape-x01", {"book.yaml": 'title: "Bad\\x01"\n' + MANIFEST.split("\n", 1)[1]}, "book/book.yaml", 1, "U+0001"),
    Case("manifest-title-raw-x01", {"book.yaml": "title: Bad\x01\n" + MANIFEST.split("\n", 1)[1]}, "book/book.yaml", 1, "U+0001"),
    Case("manifest-publisher-escape-bell", {"book.yaml": MANIFEST + 'publisher: "Ring\\a"\n'}, "book/book.yaml", N, "U+0007"),
    Case("manifest-lone-surrogate", {"book.yaml": MANIFEST + 'rights: "\\ud800"\n'}, "book/book.yaml", N, "U+D800"),
    Case("manifest-raw-nul-in-comment", {"book.yaml": MANIFEST + "# a comment\x00\n"}, "book/book.yaml", N, "U+0000"),
    Case("epub-filename-nul", {"book.yaml": MANIFEST + 'epub:\n  filename: "a\\0b.epub"\n'}, "book/book.yaml", N + 1, "U+0000"),
    Case("front-matter-title-escape", {"chapters/two.md": '---\ntitle: "Nets\\x01"\n---\n\nBody.\n'}, "book/chapters/two.md", 2, "U+0001"),
    Case(
        "front-matter-related-escape", {"chapters/two.md": front('related:\n  - summary: "x\\x1f"\n')}, "book/chapters/two.md", 4, "U+001F"
    ),
    Case(
        "body-stray-control-char",
        {"chapters/two.md": front("", "First paragraph.\n\nA stray \x01 here.\n")},
        "book/chapters/two.md",
        7,
        "control character U+0001",
    ),
    Case("body-form-feed", {"chapters/two.md": front("", "Page one.\n\x0c\nPage two.\n")}, "book/chapters/two.md", 6, "U+000C"),
    Case(
        "raw-export-control-char",
        {"book.yaml": MANIFEST.replace("two.md", "two.txt"), "chapters/two.txt": "A Title\n\nSome text \x02.\n"},
        "book/chapters/two.txt",
        3,
        "U+0002",
    ),
    # -- encodings -----------------------------------------------------------------
    Case("article-utf16-without-bom", {"chapters/two.md": utf16(front(""), bom=False)}, "book/chapters/two.md", None, "UTF-16"),
    Case("manifest-utf16-without-bom", {"book.yaml": utf16(MANIFEST, bom=False)}, "book/book.yaml", None, "UTF-16"),
    Case("article-utf16-broken", {"chapters/two.md": utf16(front("")) + b"\x00\xd8"}, "book/chapters/two.md", None, "not valid UTF-16"),
    # -- sizes -----------------------------------------------------------------------
    Case(
        "manifest-title-100k",
        {"book.yaml": "title: " + "T" * 100_000 + "\n" + MANIFEST.split("\n", 1)[1]},
        "book/book.yaml",
        1,
        "the limit is 500",
    ),
    Case(
        "manifest-subtitle-too-long",
        {"book.yaml": MANIFEST + "subtitle: " + "s" * 800 + "\n"},
        "book/book.yaml",
        N,
        "the subtitle is 800 characters",
    ),
    Case(
        "manifest-description-too-long",
        {"book.yaml": MANIFEST + "description: " + "d" * 25_000 + "\n"},
        "book/book.yaml",
        N,
        "the limit is 20,000",
    ),
    Case(
        "front-matter-title-100k",
        {"chapters/two.md": with_front("W" * 100_000)},
        "book/chapters/two.md",
        2,
        "the title is 100,000 characters long",
    ),
    Case(
        "front-matter-summary-too-long",
        {"chapters/two.md": front("summary: " + "w " * 15_000 + "\n")},
        "book/chapters/two.md",
        3,
        "the limit is 20,000",
    ),
    Case("related-entries-600", {"chapters/two.md": front(RELATED_600)}, "book/chapters/two.md", 3, "has 600 entries"),
    Case("article-over-2mb", {"chapters/two.md": front("", "word " * 450_000)}, "book/chapters/two.md", None, "at most 2 MB"),
    Case("article-20mb", {"chapters/two.md": front("", ("word " * 200_000 + "\n\n") * 20)}, "book/chapters/two.md", None, "at most 2 MB"),
    Case(
        "raw-export-over-2mb",
        {"book.yaml": MANIFEST.replace("two.md", "two.txt"), "chapters/two.txt": "A Title\n\n" + "text " * 450_000},
        "book/chapters/two.txt",
        None,
        "at most 2 MB",
    ),
    Case("manifest-over-1mb", {"book.yaml": MANIFEST + "# " + "c" * 1_100_000 + "\n"}, "book/book.yaml", None, "at most 1 MB"),
    Case(
        "article-file-name-too-long",
        {"book.yaml": MANIFEST.replace("chapters/two.md", "chapters/" + "n" * 300 + ".md")},
        "book/book.yaml",
        5,
        "the limit is 120",
    ),
    Case(
        "article-path-too-long",
        {"book.yaml": MANIFEST.replace("chapters/two.md", "a/" * 600 + "two.md")},
        "book/book.yaml",
        5,
        "the limit is 1,000",
    ),
    # -- output file names -----------------------------------------------------------
    Case(
        "pdf-filename-path", {"book.yaml": MANIFEST + "pdf:\n  filename: out/book.pdf\n"}, "book/book.yaml", N + 1, "plain .pdf file name"
    ),
    Case("pdf-filename-suffix", {"book.yaml": MANIFEST + "pdf:\n  filename: book.epub\n"}, "book/book.yaml", N + 1, "plain .pdf file name"),
    Case("pdf-filename-hidden", {"book.yaml": MANIFEST + "pdf:\n  filename: .book.pdf\n"}, "book/book.yaml", N + 1, "plain .pdf file name"),
    Case(
        "pdf-filename-too-long",
        {"book.yaml": MANIFEST + "pdf:\n  filename: " + "p" * 200 + ".pdf\n"},
        "book/book.yaml",
        N + 1,
        "the limit is 120",
    ),
    Case("pdf-filename-not-text", {"book.yaml": MANIFEST + "pdf:\n  filename: [a.pdf]\n"}, "book/book.yaml", N + 1, "must be text"),
    Case("epub-filename-hidden", {"book.yaml": MANIFEST + "epub:\n  filename: .epub\n"}, "book/book.yaml", N + 1, "plain .epub file name"),
    Case(
        "epub-filename-colon", {"book.yaml": MANIFEST + "epub:\n  filename: 'a:b?.epub'\n"}, "book/book.yaml", N + 1, "file systems refuse"
    ),
    # -- nesting -----------------------------------------------------------------------
    Case("nested-list-10000-lines", {"chapters/two.md": front("", NESTED_LIST)}, "book/chapters/two.md", None, "at most 2 MB"),
    Case("nested-list-1400", {"chapters/two.md": front("", NESTED_LIST_1400)}, "book/chapters/two.md", 5 + 20, "nested more than 20"),
    Case(
        "nested-list-one-line", {"chapters/two.md": front("", "- " * 10_000 + "item\n")}, "book/chapters/two.md", 5, "nested more than 20"
    ),
    Case(
        "nested-list-1000", {"chapters/two.md": front("", NESTED_LIST_1000)}, "book/chapters/two.md", 5 + 20, "nested more than 20 levels"
    ),
    Case(
        "nested-quote-10000",
        {"chapters/two.md": front("", ">" * 10_000 + " deep\n")},
        "book/chapters/two.md",
        5,
        "nested more than 20 levels",
    ),
    Case(
        "nested-quote-lines",
        {"chapters/two.md": front("", "".join("> " * i + "q\n" for i in range(1, 30)))},
        "book/chapters/two.md",
        5 + 20,
        "nested more than 20",
    ),
    Case("nested-ordered-list", {"chapters/two.md": front("", ORDERED)}, "book/chapters/two.md", 5 + 20, "nested more than 20"),
    Case("nested-quote-and-list", {"chapters/two.md": front("", "> - " * 15 + "x\n")}, "book/chapters/two.md", 5, "nested more than 20"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_limits_matrix(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, case.files)
    started = time.monotonic()
    result = run_build(tmp_path, monkeypatch, *case.args)
    elapsed = time.monotonic() - started
    line = assert_clear(result, case)
    print(f"\nMATRIX {case.id}: exit {result.exit_code}: {line[:200]}")
    assert elapsed < CASE_SECONDS, f"{case.id} took {elapsed:.1f} s"
    assert len(result.output) < 5000, "a message echoed the input"
    assert not (tmp_path / "book" / "output").exists() or not any((tmp_path / "book" / "output").iterdir())


def test_the_limits_matrix_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
