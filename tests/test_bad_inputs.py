"""Every bad input gets a clear error: the file, the line when there is one,
what is wrong and what to do (a hint in parentheses), and never a traceback.

Each case is a small book written into tmp_path and built with `bindery build`
through Click's CliRunner, from inside tmp_path so that messages name files
as `book/...`. `run_matrix_case` returns the output so the whole matrix can be
printed with `pytest -s -k matrix`.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bindery.build_cache import CACHE_DIR_NAME
from bindery.cli import main

MANIFEST = """\
title: A Small Test Book
authors: [Iris Calloway]
chapters:
  - chapters/one.md
  - chapters/two.md
"""

ONE = """\
---
title: Tides of the Harbour
summary: How the harbour master reads the tides before the boats go out.
---

The harbour master walks the sea wall every morning before the first boat
leaves, and writes the height of the water on a slate by the door.

She has done it for thirty years, and the slate has never been wrong twice.
"""

TWO = """\
---
title: Nets and Knots
summary: Why the old net makers tie a different knot at every corner.
---

Every net maker on the quay learned the corner knot from someone else, and
each of them swears their teacher had it right.

The nets last longer than the arguments, which is saying something.
"""

# A one-pixel transparent PNG, written byte for byte (not copied from anywhere); its zlib data and
# checksums are valid, since images are now decoded (the first version was a broken PNG).
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def with_front(title: str, extra: str = "", body: str = "A short paragraph of body text that says very little.\n") -> str:
    return f"---\ntitle: {title}\n{extra}---\n\n{body}"


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes | None]  # None deletes a default file
    file: str  # the file the message must name
    line: int | None  # the line it must name, when there is one
    says: str  # a piece of the message
    exit_code: int = 1
    args: tuple[str, ...] = ("--format", "epub")
    severity: str = "error"
    extra: dict[str, str] = field(default_factory=dict)


def write_book(root: Path, files: dict[str, str | bytes | None]) -> Path:
    book = root / "book"
    defaults: dict[str, str | bytes | None] = {"book.yaml": MANIFEST, "chapters/one.md": ONE, "chapters/two.md": TWO}
    defaults.update(files)
    for rel, content in defaults.items():
        if content is None:
            continue
        path = book / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return book


def run_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return CliRunner().invoke(main, ["build", "book", *args])


def assert_clear(result: Result, case: Case) -> str:
    out = result.output
    assert "Traceback" not in out, out
    assert "internal error" not in out, out
    assert result.exit_code == case.exit_code, out
    label = "error: " if case.severity == "error" else ""
    lines = [ln.strip() for ln in out.splitlines() if case.says in ln]
    assert lines, f"no message says {case.says!r}:\n{out}"
    line = lines[0]
    assert line.startswith(label), line
    # The file, relative to the working folder (or absolute), then its line.
    place = rf"^{label}(\S*/)?{re.escape(case.file)}" + (rf":{case.line}: " if case.line else r"(:\d+)?: ")
    assert re.match(place, line), f"{line!r} does not name {case.file}:{case.line}"
    if case.severity == "warning":
        assert "warning:" in line, line
    assert re.search(r"\([^()]{4,}(\([^()]*\)[^()]*)*\) \[[a-z0-9-]+\]$", line), f"no hint in parentheses, then the code: {line!r}"
    return line


BAD_DATE = with_front("Bad Date", "date: the second Tuesday\n")
LATIN1 = "---\ntitle: Caf\u00e9 Society\n---\n\nThe caf\u00e9 on the corner opens at six.\n".encode("latin-1")

CASES = [
    # -- the manifest -------------------------------------------------------
    Case(
        "yaml-bad-indent",
        {"book.yaml": "title: A Book\nchapters:\n  - chapters/one.md\n - chapters/two.md\n"},
        "book/book.yaml",
        4,
        "invalid YAML",
    ),
    Case("yaml-unclosed-quote", {"book.yaml": 'title: "A Book\nchapters:\n  - chapters/one.md\n'}, "book/book.yaml", 4, "invalid YAML"),
    Case("yaml-tab-indent", {"book.yaml": "title: A Book\nchapters:\n\t- chapters/one.md\n"}, "book/book.yaml", 3, "invalid YAML"),
    Case("yaml-nested-too-deeply", {"book.yaml": "title: " + "[" * 3000 + "\n"}, "book/book.yaml", None, "nested too deeply"),
    Case("manifest-impossible-date", {"book.yaml": MANIFEST + "date: 2026-02-30\n"}, "book/book.yaml", 6, "not a real date"),
    Case("manifest-not-mapping", {"book.yaml": "- chapters/one.md\n- chapters/two.md\n"}, "book/book.yaml", 1, "must be a mapping"),
    Case("manifest-empty-file", {"book.yaml": ""}, "book/book.yaml", 1, "no title"),
    Case("manifest-missing", {"book.yaml": None}, "book", None, "no book.yaml"),
    Case(
        "manifest-not-utf8",
        {"book.yaml": "title: Caf\u00e9\nchapters: [chapters/one.md]\n".encode("latin-1")},
        "book/book.yaml",
        1,
        "not UTF-8",
    ),
    Case(
        "title-is-a-list",
        {"book.yaml": MANIFEST.replace("title: A Small Test Book", "title: [A, Book]")},
        "book/book.yaml",
        1,
        "title: must be text",
    ),
    Case(
        "authors-is-a-number",
        {"book.yaml": MANIFEST.replace("authors: [Iris Calloway]", "authors: 42")},
        "book/book.yaml",
        2,
        "authors: must be a list",
    ),
    Case(
        "series-position-text",
        {"book.yaml": MANIFEST + "series: {name: Harbour Books, position: first}\n"},
        "book/book.yaml",
        6,
        "series.position",
    ),
    Case("unknown-top-key", {"book.yaml": MANIFEST + "subtitel: By the Sea\n"}, "book/book.yaml", 6, "did you mean 'subtitle'?"),
    Case("unknown-pdf-key", {"book.yaml": MANIFEST + "pdf:\n  trimsize: 6x9\n"}, "book/book.yaml", 7, "did you mean 'trim'?"),
    Case("bad-language", {"book.yaml": MANIFEST + "language: English please\n"}, "book/book.yaml", 6, "BCP 47"),
    Case("duplicate-key", {"book.yaml": MANIFEST + "title: Again\n"}, "book/book.yaml", 6, "given twice"),
    Case("trim-absurd", {"book.yaml": MANIFEST + "pdf:\n  trim: 1x100\n"}, "book/book.yaml", 7, "outside what printers make"),
    Case("trim-landscape", {"book.yaml": MANIFEST + "pdf:\n  trim: 9x6\n"}, "book/book.yaml", 7, "wider than tall"),
    Case("trim-nonsense", {"book.yaml": MANIFEST + "pdf:\n  trim: pocket-sized\n"}, "book/book.yaml", 7, "not a trim size"),
    Case("font-size-absurd", {"book.yaml": MANIFEST + "pdf:\n  font_size: 72pt\n"}, "book/book.yaml", 7, "not a body text size"),
    Case("margin-absurd", {"book.yaml": MANIFEST + "pdf:\n  margins: {top: 5in}\n"}, "book/book.yaml", 7, "not a usable margin"),
    Case(
        "epub-filename-path", {"book.yaml": MANIFEST + "epub:\n  filename: ../escape.epub\n"}, "book/book.yaml", 7, "plain .epub file name"
    ),
    # -- the articles the manifest names -------------------------------------
    Case(
        "missing-article",
        {"book.yaml": MANIFEST.replace("chapters/two.md", "chapters/tow.md")},
        "book/book.yaml",
        5,
        "did you mean 'chapters/two.md'?",
    ),
    Case("duplicate-article", {"book.yaml": MANIFEST + "  - chapters/one.md\n"}, "book/book.yaml", 6, "already used at line 4"),
    Case("no-chapters", {"book.yaml": "title: A Book\n"}, "book/book.yaml", 1, "has no chapters"),
    Case("empty-chapter-list", {"book.yaml": "title: A Book\nchapters: []\n"}, "book/book.yaml", 2, "has no chapters"),
    Case("empty-part", {"book.yaml": "title: A Book\nparts:\n  - title: Alone\n    chapters: []\n"}, "book/book.yaml", 3, "is empty"),
    Case(
        "article-dotdot",
        {"book.yaml": MANIFEST.replace("chapters/two.md", "../outside.md")},
        "book/book.yaml",
        5,
        "outside the book folder",
    ),
    Case(
        "article-absolute",
        {"book.yaml": MANIFEST.replace("chapters/two.md", "/etc/hostname")},
        "book/book.yaml",
        5,
        "outside the book folder",
    ),
    Case(
        "article-file-url",
        {"book.yaml": MANIFEST.replace("chapters/two.md", "file:///etc/hostname")},
        "book/book.yaml",
        5,
        "outside the book folder",
    ),
    Case(
        "article-is-folder", {"book.yaml": MANIFEST.replace("chapters/two.md", "chapters")}, "book/book.yaml", 5, "is a folder, not a file"
    ),
    Case("empty-article", {"chapters/two.md": ""}, "book/chapters/two.md", 1, "is empty"),
    Case("blank-article", {"chapters/two.md": "\n   \n\n"}, "book/chapters/two.md", 1, "is empty"),
    Case("article-not-utf8", {"chapters/two.md": LATIN1}, "book/chapters/two.md", 2, "not UTF-8"),
    Case(
        "article-binary",
        {"chapters/two.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))},
        "book/chapters/two.md",
        None,
        "binary file",
    ),
    # -- front matter -------------------------------------------------------
    Case(
        "no-front-matter", {"chapters/two.md": "Just a paragraph, no front matter at all.\n"}, "book/chapters/two.md", 1, "no front matter"
    ),
    Case(
        "front-matter-unclosed",
        {"chapters/two.md": "---\ntitle: Open Ended\n\nThe body starts but the fence never closes.\n"},
        "book/chapters/two.md",
        1,
        "never closed",
    ),
    Case(
        "front-matter-not-mapping", {"chapters/two.md": "---\n- title\n- summary\n---\n\nBody.\n"}, "book/chapters/two.md", 2, "key: value"
    ),
    Case(
        "front-matter-bad-yaml",
        {"chapters/two.md": "---\ntitle: Colons: everywhere: here\n---\n\nBody.\n"},
        "book/chapters/two.md",
        2,
        "invalid YAML",
    ),
    Case("front-matter-bad-date", {"chapters/two.md": BAD_DATE}, "book/chapters/two.md", 3, "is not a date"),
    Case(
        "front-matter-impossible-date",
        {"chapters/two.md": with_front("Two", extra='date: "2025-02-29"\n')},
        "book/chapters/two.md",
        3,
        "'2025-02-29' is not a day of the calendar",
    ),
    Case(
        "front-matter-impossible-date",
        {"chapters/two.md": with_front("Nets", "related:\n  - summary: Another story.\n    date: 2025-13-45\n")},
        "book/chapters/two.md",
        5,
        "not a real date",
    ),
    Case(
        "front-matter-no-title",
        {"chapters/two.md": "---\nsummary: A summary but no title.\n---\n\nBody.\n"},
        "book/chapters/two.md",
        2,
        "no title",
    ),
    Case(
        "front-matter-title-mapping",
        {"chapters/two.md": "---\ntitle: {main: Nets}\n---\n\nBody.\n"},
        "book/chapters/two.md",
        2,
        "title: must be text",
    ),
    Case(
        "related-without-summary",
        {"chapters/two.md": with_front("Nets", "related:\n  - date: 2025-01-02\n    category: Craft\n")},
        "book/chapters/two.md",
        4,
        "needs a summary",
    ),
    Case(
        "related-not-a-list",
        {"chapters/two.md": with_front("Nets", "related: just one thing\n")},
        "book/chapters/two.md",
        3,
        "must be a list",
    ),
    Case(
        "related-unknown-key",
        {"chapters/two.md": with_front("Nets", "related:\n  - summary: Something else.\n    dat: 2025-01-02\n")},
        "book/chapters/two.md",
        5,
        "did you mean 'date'?",
    ),
    Case(
        "duplicate-explicit-id",
        {"chapters/one.md": ONE.replace("title:", "id: harbour\ntitle:"), "chapters/two.md": TWO.replace("title:", "id: harbour\ntitle:")},
        "book/chapters/two.md",
        2,
        "'harbour' is already the id of book/chapters/one.md",
    ),
    Case(
        "raw-html-unclosed",
        {"chapters/two.md": with_front("Nets", body='Some text.\n\n<div class="box">\nAn open box that is never closed.\n')},
        "book/chapters/two.md",
        None,
        "not well-formed",
    ),
    Case(
        "raw-html-crossed-tags",
        {"chapters/two.md": with_front("Nets", body="Intro.\n\n<p>A <b>bold claim</p>\n")},
        "book/chapters/two.md",
        7,
        "(<b> from line 7 is still open)",
    ),
    Case(
        "raw-export-not-an-article",
        {"book.yaml": MANIFEST.replace("two.md", "two.txt"), "chapters/two.txt": "Only a title line\n"},
        "book/chapters/two.txt",
        1,
        "not an article export",
    ),
    # -- templates ------------------------------------------------------------
    Case(
        "template-unknown-variable",
        {
            "templates/ebook/titlepage.xhtml.j2": '{% extends "_layout.xhtml.j2" %}\n{% block content %}\n<h1>{{ meta.titel }}</h1>\n{% endblock %}\n'
        },
        "book/templates/ebook/titlepage.xhtml.j2",
        3,
        "did you mean 'title'?",
    ),
    Case(
        "template-undefined-name",
        {
            "templates/ebook/titlepage.xhtml.j2": '{% extends "_layout.xhtml.j2" %}\n{% block content %}\n<h1>{{ bok.title }}</h1>\n{% endblock %}\n'
        },
        "book/templates/ebook/titlepage.xhtml.j2",
        3,
        "did you mean 'book'?",
    ),
    Case(
        "template-syntax-error",
        {
            "templates/ebook/titlepage.xhtml.j2": '{% extends "_layout.xhtml.j2" %}\n{% block content %}\n<h1>{{ meta.title }</h1>\n{% endblock %}\n'
        },
        "book/templates/ebook/titlepage.xhtml.j2",
        3,
        "template syntax error",
    ),
    Case(
        "print-template-syntax-error",
        {"templates/print/book.html.j2": "<html>\n{% for x in %}\n</html>\n"},
        "book/templates/print/book.html.j2",
        2,
        "template syntax error",
        args=("--format", "pdf"),
    ),
    Case(
        "template-not-utf8",
        {"templates/ebook/titlepage.xhtml.j2": "<h1>Caf\u00e9 {{ meta.title }}</h1>\n".encode("latin-1")},
        "book/templates/ebook/titlepage.xhtml.j2",
        None,
        "not UTF-8",
    ),
    # -- images ---------------------------------------------------------------
    Case("missing-cover", {"book.yaml": MANIFEST + "cover: images/cover.png\n"}, "book/book.yaml", 6, "does not exist"),
    Case(
        "cover-not-an-image",
        {"book.yaml": MANIFEST + "cover: images/cover.png\n", "images/cover.png": "this is not a picture\n"},
        "book/book.yaml",
        6,
        "not a PNG",
    ),
    Case(
        "article-image-missing",
        {"chapters/two.md": with_front("Nets", body="Look:\n\n![A net](../images/net.png)\n")},
        "book/chapters/two.md",
        7,
        "does not exist",
    ),
    Case(
        "article-image-wrong-type",
        {"chapters/two.md": with_front("Nets", body="![A net](../images/net.bmp)\n"), "images/net.bmp": b"BM\x00\x00"},
        "book/chapters/two.md",
        5,
        "not an image type",
    ),
    Case(
        "article-image-misnamed",
        {"chapters/two.md": with_front("Nets", body="![A net](../images/net.jpg)\n"), "images/net.jpg": PNG_1PX},
        "book/chapters/two.md",
        5,
        "is a PNG image with a .jpg name",
    ),
    Case(
        "article-image-not-an-image",
        {
            "chapters/two.md": with_front("Nets", body="Look:\n\n![A net](../images/net.png)\n"),
            "images/net.png": "<html>not a png</html>\n",
        },
        "book/chapters/two.md",
        7,
        "not a PNG",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_matrix(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, case.files)
    result = run_build(tmp_path, monkeypatch, *case.args)
    line = assert_clear(result, case)
    print(f"\nMATRIX {case.id}: exit {result.exit_code}: {line}")
    assert not (tmp_path / "book" / "output").exists() or not any((tmp_path / "book" / "output").iterdir())


def test_the_matrix_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, {"chapters/two.md": ""})
    result = run_build(tmp_path, monkeypatch, "--format", "epub", "--debug")
    assert result.exit_code == 1
    assert "Traceback" in result.output


# -- related lists: a self-reference warns, a cycle is two links ---------------


def test_self_reference_is_a_warning_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = "Why the old net makers tie a different knot at every corner."
    two = TWO.replace("---\n\n", f"related:\n  - summary: {summary}\n---\n\n", 1)
    write_book(tmp_path, {"chapters/two.md": two})
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    case = Case("self-reference", {}, "chapters/two.md", 5, "refers to the article itself", exit_code=0, severity="warning")
    line = assert_clear(result, case)
    print(f"\nMATRIX self-reference: exit 0: {line}")
    assert (tmp_path / "book" / "output" / "a-small-test-book.epub").is_file()


def test_a_cycle_of_related_articles_is_two_links_and_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = ONE.replace("---\n\n", "related:\n  - summary: Why the old net makers tie a different knot at every corner.\n---\n\n", 1)
    two = TWO.replace("---\n\n", "related:\n  - summary: How the harbour master reads the tides before the boats go out.\n---\n\n", 1)
    write_book(tmp_path, {"chapters/one.md": one, "chapters/two.md": two})
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "warning:" not in result.output
    from bindery.pipeline import load_book

    loaded = load_book(tmp_path / "book")
    xrefs, warnings = loaded.xrefs, loaded.warnings
    assert (xrefs.resolved, xrefs.outside, warnings) == (2, 0, ())
    assert [link.target.id for link in xrefs.of("one").in_book] == ["two"]
    assert [link.target.id for link in xrefs.of("two").in_book] == ["one"]


def test_strict_turns_a_warning_into_a_failure_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, {"chapters/two.md": with_front("Nets", "summery: misspelt key\n")})
    result = run_build(tmp_path, monkeypatch, "--format", "epub", "--strict")
    case = Case("strict", {}, "book/chapters/two.md", 3, "unknown front matter key", severity="warning")
    line = assert_clear(result, case)
    assert "did you mean 'summary'?" in line
    assert "--strict is on; nothing was written" in result.output
    print(f"\nMATRIX strict-warning: exit {result.exit_code}: {line}")
    assert not (tmp_path / "book" / "output").exists()


def test_same_file_stem_in_two_folders_gets_two_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = "title: Twins\nchapters:\n  - a/notes.md\n  - b/notes.md\n"
    write_book(tmp_path, {"book.yaml": manifest, "a/notes.md": with_front("First Notes"), "b/notes.md": with_front("Second Notes")})
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    assert result.exit_code == 0, result.output
    import zipfile

    with zipfile.ZipFile(tmp_path / "book" / "output" / "twins.epub") as z:
        texts = [z.read(n).decode() for n in z.namelist() if n.startswith("OEBPS/chapter-")]
    assert any('id="notes"' in t for t in texts) and any('id="notes-2"' in t for t in texts)


# -- the output folder and the disk ------------------------------------------------


def test_output_folder_under_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, {})
    (tmp_path / "blocker").write_text("a file where a folder should be\n")
    result = run_build(tmp_path, monkeypatch, "--format", "epub", "--output", "blocker/out")
    line = assert_clear(result, Case("output-under-file", {}, "blocker/out", None, "cannot create the output folder"))
    print(f"\nMATRIX output-under-file: exit {result.exit_code}: {line}")


def test_output_folder_not_writable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, {})
    out = tmp_path / "readonly"
    out.mkdir()
    out.chmod(0o555)
    real_access = os.access
    # Tests run as root, which may write anywhere: make the check see what a user would.
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if mode & os.W_OK and Path(p).resolve() == out.resolve() else real_access(p, mode, **kw)
    )
    result = run_build(tmp_path, monkeypatch, "--format", "epub", "--output", "readonly")
    line = assert_clear(result, Case("output-not-writable", {}, "readonly", None, "not writable"))
    print(f"\nMATRIX output-not-writable: exit {result.exit_code}: {line}")
    assert list(out.iterdir()) == []


def test_disk_full_keeps_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_book(tmp_path, {})
    first = run_build(tmp_path, monkeypatch, "--format", "epub")
    assert first.exit_code == 0, first.output
    epub = book / "output" / "a-small-test-book.epub"
    before = epub.read_bytes()
    (book / "chapters" / "two.md").write_text(TWO + "\nA new paragraph that makes the book different.\n")

    import bindery.outputs

    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(bindery.outputs.os, "fdopen", lambda fd, mode="r", *a, **kw: FullDisk(real_fdopen(fd, mode, *a, **kw)))
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    line = assert_clear(result, Case("disk-full", {}, "book/output/a-small-test-book.epub", None, "No space left on device"))
    assert "free some disk space" in line
    print(f"\nMATRIX disk-full: exit {result.exit_code}: {line}")
    assert epub.read_bytes() == before
    assert sorted(p.name for p in (book / "output").iterdir() if p.name != CACHE_DIR_NAME) == ["a-small-test-book.epub"]


# -- nothing leaked: files outside the book, the web, scripts --------------------------

UNSAFE = """\
---
title: Nets and Knots
---

A picture that is really in the book:

![A knot](../images/knot.png)

![A tracker](https://tracker.example/pixel.png)

![Someone else's file](/etc/hostname)

![Escaping](../../secret.png)

[A local file link](file:///etc/passwd) and [a web page](https://example.org/knots) and [a trap](javascript:alert(1)).

<div class="note" onclick="steal()">A boxed note that stays, without its handler.</div>

<script>steal()</script>

<p><a href="javascript:steal()">click</a> <img src="http://example.com/x.png" alt="remote" /></p>

The last paragraph is still here.
"""


@pytest.mark.slow
def test_unsafe_content_is_removed_with_warnings_and_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret.png").write_bytes(PNG_1PX)
    book = write_book(tmp_path, {"chapters/two.md": UNSAFE, "images/knot.png": PNG_1PX})
    result = run_build(tmp_path, monkeypatch)  # EPUB and PDF
    out = result.output
    assert result.exit_code == 0, out
    assert "Traceback" not in out
    warnings = [ln.strip() for ln in out.splitlines() if "warning:" in ln]
    expected = {
        "https://tracker.example/pixel.png": 9,
        "/etc/hostname": 11,
        "../../secret.png": 13,
        "file:///etc/passwd": 15,
        "javascript: URL": 15,
        "onclick": 17,
        "<script>": 19,
        "http://example.com/x.png": 21,
    }
    for needle, line in expected.items():
        hits = [w for w in warnings if needle in w]
        assert hits, f"no warning about {needle}: {warnings}"
        assert hits[0].startswith(f"book/chapters/two.md:{line}: warning: "), hits[0]
        assert re.search(r"\) \[[a-z-]+\]$", hits[0]), hits[0]  # the hint, then the code
    assert not any("refused to fetch" in w for w in warnings), "WeasyPrint tried to fetch something"

    import zipfile

    with zipfile.ZipFile(book / "output" / "a-small-test-book.epub") as z:
        names = z.namelist()
        chapter = next(z.read(n).decode() for n in names if n.endswith(".xhtml") and "The last paragraph" in z.read(n).decode())
    assert "OEBPS/images/knot.png" in names
    assert not any("secret" in n or "hostname" in n or "pixel" in n for n in names)
    for gone in ("<script", "onclick", "javascript:", "tracker.example", "/etc/", "secret.png", "example.com/x.png", "file:"):
        assert gone not in chapter, gone
    assert 'href="https://example.org/knots"' in chapter  # a link to the web stays a link
    assert "A boxed note that stays" in chapter and "The last paragraph is still here." in chapter
    assert 'src="images/knot.png"' in chapter


def test_a_symlink_to_a_file_outside_the_book_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "private.md").write_text(with_front("Private", body="Nothing here should ever be read into a book.\n"))
    (tmp_path / "private.png").write_bytes(PNG_1PX)
    book = write_book(tmp_path, {"chapters/one.md": with_front("Tides", body="![Linked](../images/linked.png)\n")})
    (book / "chapters" / "two.md").unlink()
    (book / "chapters" / "two.md").symlink_to(tmp_path / "private.md")
    (book / "images").mkdir()
    (book / "images" / "linked.png").symlink_to(tmp_path / "private.png")
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    line = assert_clear(result, Case("symlink-article", {}, "book/book.yaml", 5, "link to a file outside the book folder"))
    print(f"\nMATRIX symlink-article: exit {result.exit_code}: {line}")
    (book / "chapters" / "two.md").unlink()
    (book / "chapters" / "two.md").write_text(TWO)
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    line = assert_clear(result, Case("symlink-image", {}, "book/chapters/one.md", 5, "links to a file outside the book folder"))
    print(f"\nMATRIX symlink-image: exit {result.exit_code}: {line}")


def test_an_unknown_entity_is_kept_as_the_text_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(tmp_path, {"chapters/two.md": with_front("Nets", body="Fish &nosuch; chips &amp; peas &eacute;.\n")})
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    assert result.exit_code == 0, result.output
    import zipfile

    with zipfile.ZipFile(tmp_path / "book" / "output" / "a-small-test-book.epub") as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("OEBPS/chapter-"))
    assert "Fish &amp;nosuch; chips &amp; peas \u00e9." in text
