"""`bindery new DIR`: a scaffold that explains every option and builds at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from bindery.manifest import BACK_TYPES, EPUB_KEYS, FRONT_TYPES, MARGIN_KEYS, PDF_KEYS, TOP_KEYS, load_manifest
from bindery.pipeline import build
from conftest import EPOCH, epubcheck, severities


def new_book(tmp_path: Path, *args: str) -> tuple[Path, str]:
    target = tmp_path / "my-new_book"
    result = CliRunner().invoke(main, ["new", str(target), *args])
    assert result.exit_code == 0, result.output
    return target, result.output


def test_new_writes_a_manifest_two_articles_and_a_templates_folder(tmp_path: Path) -> None:
    book, output = new_book(tmp_path)
    files = sorted(str(p.relative_to(book)) for p in book.rglob("*") if p.is_file())
    assert files == ["book.yaml", "chapters/first-article.md", "chapters/second-article.md", "templates/README.md"]
    assert "bindery serve" in output and "bindery build" in output  # says what to do next
    assert "override" in (book / "templates" / "README.md").read_text()
    manifest = load_manifest(book)
    assert manifest.metadata.title == "My new book"  # from the folder name
    assert "__" not in "".join(p.read_text() for p in book.rglob("*.*"))  # every placeholder filled in


def test_the_title_option_is_quoted_safely(tmp_path: Path) -> None:
    book, _ = new_book(tmp_path, "--title", 'Notes: "Ink" & Paper # one')
    assert load_manifest(book).metadata.title == 'Notes: "Ink" & Paper # one'


def test_every_manifest_option_is_in_the_scaffold(tmp_path: Path) -> None:
    book, _ = new_book(tmp_path)
    text = (book / "book.yaml").read_text()
    keys = set(re.findall(r"^[#\s-]*\{?([a-z_]+):", text, flags=re.MULTILINE)) | set(re.findall(r"[{,]\s*([a-z_]+):", text))
    for key in (*TOP_KEYS, *PDF_KEYS, *MARGIN_KEYS, *EPUB_KEYS):
        assert key in keys, f"book.yaml of 'bindery new' does not show the option '{key}'"
    for kind in (*FRONT_TYPES, *BACK_TYPES):
        assert kind in text, f"book.yaml of 'bindery new' does not list the type '{kind}'"
    # Every option that is not in use is a comment, so the book builds with defaults.
    active = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert [line.split(":")[0] for line in active if not line.startswith(" ")] == ["title", "authors", "language", "date", "chapters"]


@pytest.mark.slow
def test_the_new_book_builds_at_once_and_passes_epubcheck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book, _ = new_book(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    result = build(book, ("epub", "pdf"), tmp_path / "out")
    assert result.warnings == []
    assert (result.xrefs.resolved, result.xrefs.outside) == (2, 1)  # the two articles name each other; one entry is further reading
    epub = next(a.path for a in result.artifacts if a.path.suffix == ".epub")
    pdf = next(a for a in result.artifacts if a.path.suffix == ".pdf")
    assert pdf.path.is_file() and pdf.pages and pdf.pages >= 4
    found = severities(epubcheck(epub))
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found


def test_a_folder_that_is_not_empty_is_refused_and_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "draft.md").write_text("my own words\n")
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 1
    assert "folder is not empty" in result.output and str(target) in result.output and "bindery new my-book" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in target.iterdir()) == ["draft.md"]
    assert (target / "draft.md").read_text() == "my own words\n"


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "book.txt"
    target.write_text("x")
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 1 and "is a file, not a folder" in result.output


def test_an_existing_empty_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["new", str(tmp_path / "empty")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "empty" / "book.yaml").is_file()


@pytest.mark.parametrize("title", ["   ", "\u200b\u2060"], ids=["blank", "invisible"])
def test_a_title_with_nothing_to_see_is_refused_before_anything_is_written(tmp_path: Path, title: str) -> None:
    """`new --title "   "` wrote a book.yaml its first build then refused (found by a helper)."""
    result = CliRunner().invoke(main, ["new", str(tmp_path / "b"), "--title", title])
    assert result.exit_code == 1 and "the title is empty (nothing a reader could see)" in result.output, result.output
    assert not (tmp_path / "b").exists()
