"""The `bindery build` command as a user runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.build_cache import CACHE_DIR_NAME
from bindery.cli import main
from conftest import BOOKS, ROOT


def test_build_prints_outputs_pages_sizes_and_warnings(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert re.search(r"a-minimal-book\.epub\s+\(\d+\.\d KB\)", result.output)
    assert re.search(r"a-minimal-book\.pdf\s+\(\d+\.\d KB, \d+ pages\)", result.output)
    assert "warnings: 0" in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != CACHE_DIR_NAME) == ["a-minimal-book.epub", "a-minimal-book.pdf"]


def test_format_epub_builds_only_the_epub(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal" / "book.yaml"), "--format", "epub", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir() if p.name != CACHE_DIR_NAME] == ["a-minimal-book.epub"]
    with zipfile.ZipFile(tmp_path / "a-minimal-book.epub") as z:
        assert z.testzip() is None


def test_a_missing_book_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 1
    assert "no book.yaml in this folder" in result.output and "bindery new" in result.output


def test_strict_turns_warnings_into_a_failure_and_writes_nothing(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(BOOKS / "minimal", book)
    article = book / "chapters" / "only.md"
    article.write_text(article.read_text().replace("title: The Only Chapter", "title: The Only Chapter\nsubtitle: not a front matter key"))
    out = tmp_path / "out"
    relaxed = CliRunner().invoke(main, ["build", str(book), "--format", "epub", "-o", str(out)])
    assert relaxed.exit_code == 0 and "unknown front matter key" in relaxed.output
    (out / "a-minimal-book.epub").unlink()
    strict = CliRunner().invoke(main, ["build", str(book), "--format", "epub", "-o", str(out), "--strict"])
    assert strict.exit_code == 1
    assert "only.md:3: warning: subtitle: unknown front matter key" in strict.output
    assert [p.name for p in out.iterdir()] == [CACHE_DIR_NAME]  # the first build's cache; no output


@pytest.mark.slow
def test_no_arguments_builds_the_sample_book_in_the_current_folder(tmp_path: Path) -> None:
    """README's first command: `bindery build` in the repository root."""
    book = tmp_path / "guide"
    # Not the hidden folders: .git, the caches and .venv (scripts/test.sh makes it there: hundreds of MB).
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns("output", ".*", "tests", "src", "benchmarks", "*.egg-info"))
    done = subprocess.run(
        [sys.executable, "-m", "bindery", "build", "--format", "epub", "--no-page-list"], cwd=book, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (book / "output" / "the-bindery-guide.epub").is_file()


def test_a_command_loads_only_its_own_modules(tmp_path: Path) -> None:
    """`bindery new` and `bindery import` start at once: the layout, the PDF readers and the
    checks are loaded by the commands that use them."""
    script = (
        "import sys\nfrom click.testing import CliRunner\nfrom bindery.cli import main\n"
        f"result = CliRunner().invoke(main, ['new', {str(tmp_path / 'book')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('weasyprint', 'pypdf', 'pypdfium2', 'bindery.pipeline', 'bindery.checks.run') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "book" / "book.yaml").is_file()
    listed = CliRunner().invoke(main, ["--help"])
    assert all(name in listed.output for name in ("build", "check", "import", "new", "serve"))
