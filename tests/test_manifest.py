"""The manifest: defaults, derived values, and every error reported in one run."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from bindery.diagnostics import BinderyError
from bindery.manifest import load_manifest
from conftest import BOOKS, ROOT


def write_book(tmp: Path, manifest: str, articles: dict[str, str] | None = None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "book.yaml").write_text(manifest)
    for name, text in (articles or {}).items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)
    return tmp


ARTICLE = "---\ntitle: A\n---\n\nText.\n"


def test_sample_manifest_loads_with_defaults_and_a_derived_identifier() -> None:
    manifest = load_manifest(ROOT)
    assert manifest.slug == "the-bindery-guide"
    assert manifest.pdf.width_in == 6 and manifest.pdf.height_in == 9
    assert manifest.metadata.identifier_derived
    assert uuid.UUID(manifest.metadata.identifier.removeprefix("urn:uuid:")).version == 5
    assert load_manifest(ROOT).metadata.identifier == manifest.metadata.identifier  # stable, not random


def test_only_the_title_is_required(tmp_path: Path) -> None:
    book = write_book(tmp_path, "title: Tiny\nchapters: [a.md]\n", {"a.md": ARTICLE})
    manifest = load_manifest(book)
    assert manifest.metadata.language == "en"
    assert manifest.pdf.trim_name == "6x9"
    assert manifest.epub.filename == "tiny.epub"


@pytest.mark.parametrize("title", ["null", '""', '"   "', '"\\u200b\\u2060"'], ids=["null", "empty", "spaces", "invisible"])
def test_a_title_with_nothing_to_see_is_an_error(tmp_path: Path, title: str) -> None:
    """It built a book titled “” with an empty dc:title, which EPUBCheck and Ace then failed."""
    book = write_book(tmp_path, f"title: {title}\nchapters: [a.md]\n", {"a.md": ARTICLE})
    with pytest.raises(BinderyError) as error:
        load_manifest(book)
    [problem] = error.value.diagnostics
    assert (problem.code, problem.line) == ("manifest-title-missing", 1) and "title is empty" in problem.message


@pytest.mark.parametrize("date", ['"2026-02-30"', '"2026-13"', '"2025-02-29"'])
def test_a_date_the_calendar_does_not_have_is_an_error(tmp_path: Path, date: str) -> None:
    """Quoted, it passed the YYYY-MM-DD pattern and the build stopped with an internal error."""
    book = write_book(tmp_path, f"title: T\ndate: {date}\nchapters: [a.md]\n", {"a.md": ARTICLE})
    with pytest.raises(BinderyError) as error:
        load_manifest(book)
    [problem] = error.value.diagnostics
    assert (problem.code, problem.line) == ("manifest-bad-date", 2) and "not a day of the calendar" in problem.message
    assert load_manifest(write_book(tmp_path / "leap", 'title: T\ndate: "2024-02-29"\nchapters: [a.md]\n', {"a.md": ARTICLE}))


def test_named_and_explicit_trim_sizes(tmp_path: Path) -> None:
    for trim, expected in (
        ("5.5x8.5", (5.5, 8.5)),
        ("5x8", (5.0, 8.0)),
        ("140mm x 216mm", (140 / 25.4, 216 / 25.4)),
        ("6in x 9in", (6.0, 9.0)),
    ):
        book = write_book(tmp_path, f"title: T\nchapters: [a.md]\npdf: {{trim: {trim}}}\n", {"a.md": ARTICLE})
        pdf = load_manifest(book).pdf
        assert (round(pdf.width_in, 3), round(pdf.height_in, 3)) == (round(expected[0], 3), round(expected[1], 3))


def test_isbn_is_checked_and_normalised(tmp_path: Path) -> None:
    book = write_book(tmp_path, "title: T\nidentifier: 978-0-306-40615-7\nchapters: [a.md]\n", {"a.md": ARTICLE})
    assert load_manifest(book).metadata.identifier == "urn:isbn:9780306406157"


def test_every_manifest_error_is_reported_with_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    book = tmp_path / "bad"
    shutil.copytree(BOOKS / "bad-manifest", book)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous output")
    result = CliRunner().invoke(main, ["build", str(book), "--output", str(out)])
    assert result.exit_code == 1
    text = result.output
    assert "Traceback" not in text
    expected = [
        ":2: autors: unknown key (did you mean 'authors'?)",
        ":3: language: 'english please' is not a BCP 47 language tag",
        ":8: parts[0].chapters[1]: article 'chapters/missing.md' does not exist",
        ":9: parts[1]: part 'Empty Part' is empty",
        ":13: parts[2].chapters[0]: 'chapters/present.md' is already used at line 7",
        ":15: pdf.trim: trim 60x90 is 60.00 x 90.00 in, outside what printers make",
        ":16: pdf.font_size: 3pt is not a body text size",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    assert all("book.yaml:" in line for line in text.splitlines() if line.startswith("error"))
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    book = write_book(tmp_path, "title: T\nchapters:\n  - a.md\n bad: [\n")
    result = CliRunner().invoke(main, ["build", str(book)])
    assert result.exit_code == 1
    assert "book.yaml:4: invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_paths_outside_the_book_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text(ARTICLE)
    book = write_book(tmp_path / "book", "title: T\nchapters:\n  - ../secret.md\n  - /etc/hostname\n")
    result = CliRunner().invoke(main, ["build", str(book)])
    assert result.exit_code == 1
    assert "book.yaml:3: chapters[0]: article '../secret.md' is outside the book folder" in result.output
    assert "book.yaml:4: chapters[1]: article '/etc/hostname' is outside the book folder" in result.output


def test_article_front_matter_errors_name_the_article_and_line(tmp_path: Path) -> None:
    book = write_book(
        tmp_path,
        "title: T\nchapters: [a.md, b.md]\n",
        {"a.md": "---\ntitle: A\ndate: yesterday\n---\n\nText.\n", "b.md": "No front matter here.\n"},
    )
    result = CliRunner().invoke(main, ["build", str(book)])
    assert result.exit_code == 1
    assert "a.md:3: date: 'yesterday' is not a date (write dates as YYYY-MM-DD)" in result.output
    assert "b.md:1: has no front matter" in result.output


def test_a_path_that_goes_up_and_back_down_inside_the_book_is_the_file_it_names(tmp_path: Path) -> None:
    """`chapters/../chapters/a.md` was called outside the book folder (found by a helper)."""
    book = write_book(tmp_path, "title: T\nchapters: [chapters/../chapters/a.md]\n", {"chapters/a.md": ARTICLE})
    [part] = load_manifest(book).parts
    assert [a.path for chapter in part.chapters for a in chapter.articles] == ["chapters/a.md"]
    outside = write_book(tmp_path / "other", "title: T\nchapters: [../other/a.md]\n", {"a.md": ARTICLE})
    with pytest.raises(BinderyError) as error:
        load_manifest(outside)
    assert any(d.code == "manifest-outside" for d in error.value.diagnostics)
