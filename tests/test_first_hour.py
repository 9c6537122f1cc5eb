"""What a newcomer meets in the first hour: messages, pipes, help, `import --add`, CI seeds, Pango.

Each test here would fail if the behaviour it names broke (issue 13).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

import bindery.checks.run as check_run
from bindery.checks.results import Check
from bindery.cli import main
from bindery.commands import check as check_module
from bindery.diagnostics import BinderyError
from bindery.manifest import load_manifest
from bindery.sources import read_sources
from conftest import ROOT
from test_import import bike_export, hive_export

HIVE_MD = "chapters/what-a-beginner-should-check-during-the-first-spring-hive.md"
BIKE_MD = "chapters/truing-a-bicycle-wheel-at-home-with-a-spoke-key-and-a-zip.md"


def env_with_src() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def run_into_closed_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m bindery ARGS` with stdout a pipe whose reader is already gone (`| head`, at its worst)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "bindery", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env_with_src(),
            timeout=120,
        )
    finally:
        os.close(write_end)


def new_book(tmp_path: Path, name: str = "book") -> Path:
    result = CliRunner().invoke(main, ["new", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    return tmp_path / name


def errors_of(path: Path) -> list[str]:
    try:
        manifest = load_manifest(path)
        read_sources(manifest)
    except BinderyError as exc:
        return [str(d) for d in exc.diagnostics]
    return []


# --- 3. output to a closed pipe exits quietly ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["new", "fresh"], ["--help"], ["build", "--help"], ["import", "exports/hive.txt", "--into", "book/chapters"]],
    ids=["new", "help", "build-help", "import"],
)
def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "hive.txt").write_text(hive_export(), encoding="utf-8")
    new_book(tmp_path)
    done = run_into_closed_pipe(args, tmp_path)
    assert "internal error" not in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert done.stderr == ""
    assert done.returncode in (0, 1)


def test_a_closed_pipe_during_a_build_is_quiet(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    done = run_into_closed_pipe(["build", str(book), "--format", "epub", "--no-page-list"], tmp_path)
    assert done.stderr == "" and done.returncode in (0, 1)
    assert (book / "output" / "book.epub").is_file()  # the work was done; only the report was cut


def test_check_into_a_closed_pipe_exits_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = new_book(tmp_path)
    monkeypatch.setattr(check_run, "build", lambda *a, **k: None)
    monkeypatch.setattr(check_run, "run_checks", lambda *a, **k: [Check("epubcheck", "x.epub", "pass", "fine")])

    def closed_pipe(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(check_module.click, "echo", closed_pipe)
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert "internal error" not in result.output


# --- 6. messages -----------------------------------------------------------------------


def test_a_tab_in_book_yaml_says_use_spaces(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text.replace("  - chapters/first-article.md", "\t- chapters/first-article.md"), encoding="utf-8")
    [error] = errors_of(book)
    assert "book.yaml:36:" in error and "use spaces, not tabs" in error


def test_a_tab_in_front_matter_says_use_spaces(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    article = book / "chapters" / "first-article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("authors: [Your Name]", "authors:\n\t- Your Name"), encoding="utf-8")
    [error] = errors_of(book)
    assert "first-article.md:" in error and "use spaces, not tabs" in error


def test_other_yaml_errors_keep_the_general_hint(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    (book / "book.yaml").write_text('title: "Unclosed\nchapters: []\n', encoding="utf-8")
    [error] = errors_of(book)
    assert "tabs" not in error and "check indentation" in error


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("first-article.md", "did you mean 'chapters/first-article.md'?"),  # the chapters/ prefix left out
        ("chapters/first-artcle.md", "did you mean 'chapters/first-article.md'?"),  # a typo in the name
        ("chapter/first-article.md", "did you mean 'chapters/first-article.md'?"),  # a typo in the folder
        ("chapters/intro.md", "chapters/ has: first-article.md, second-article.md"),  # nothing close: what is there
    ],
)
def test_a_missing_article_gets_the_right_suggestion(tmp_path: Path, written: str, hint: str) -> None:
    book = new_book(tmp_path)
    text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text.replace("  - chapters/first-article.md", f"  - {written}"), encoding="utf-8")
    [error] = errors_of(book)
    assert f"'{written}' does not exist ({hint})" in error


def test_titel_in_front_matter_asks_did_you_mean_title(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    article = book / "chapters" / "first-article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    [error] = errors_of(book)
    assert "chapters/first-article.md:2: title: the article has no title" in error
    assert "did you mean 'title'?" in error


def test_check_prints_each_warning_once_and_counts_in_the_singular(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = new_book(tmp_path)
    summary = "11 pages: print-on-demand printers take 24 to 828"
    checks = [
        Check("epubcheck", "book.epub", "pass", "fine"),
        Check("pdf-page-count", "book.pdf", "warn", summary, (summary,)),
        Check("pdf-gutter", "book.pdf", "fail", "too narrow", ("page 3: 0.2 in", "page 5: 0.2 in")),
    ]
    monkeypatch.setattr(check_run, "build", lambda *a, **k: None)
    monkeypatch.setattr(check_run, "run_checks", lambda *a, **k: checks)
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert result.output.count(summary) == 1
    assert "page 3: 0.2 in" in result.output  # details that add something are still shown
    assert result.output.rstrip().endswith("1 passed, 1 warning, 1 failed, 0 skipped")
    assert check_module.count_line(checks[1:2] * 2) == "0 passed, 2 warnings, 0 failed, 0 skipped"


def test_top_level_help_shows_every_summary_whole() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    commands_section = result.output.split("Commands:", 1)[1]
    assert "..." not in commands_section
    flat = " ".join(result.output.split())
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None and command.help is not None
        first_sentence = " ".join(command.help.split("\n\n")[0].split())
        assert f"{name} {first_sentence}" in flat


# --- 7. import tells the author about book.yaml ---------------------------------------


@pytest.fixture()
def book_with_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    book = new_book(tmp_path)
    (book / "exports").mkdir()
    (book / "exports" / "hive.txt").write_text(hive_export(), encoding="utf-8")
    (book / "exports" / "bike.txt").write_text(bike_export(), encoding="utf-8")
    monkeypatch.chdir(book)
    return book


def test_import_without_add_prints_the_lines_to_paste_and_leaves_book_yaml_alone(book_with_exports: Path) -> None:
    before = (book_with_exports / "book.yaml").read_bytes()
    result = CliRunner().invoke(main, ["import", "exports/hive.txt", "exports/bike.txt"])
    assert result.exit_code == 0, result.output
    assert (
        f"Not yet in book.yaml; add these lines to its `chapters:` list (or run again with --add):\n  - {HIVE_MD}\n  - {BIKE_MD}\n"
        in result.output
    )
    assert (book_with_exports / "book.yaml").read_bytes() == before


def test_import_add_appends_to_the_chapter_list_keeping_comments_and_layout(book_with_exports: Path) -> None:
    before = (book_with_exports / "book.yaml").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "exports/hive.txt", "exports/bike.txt", "--add"])
    assert result.exit_code == 0, result.output
    assert "added 2 article(s) to the chapters of book.yaml" in result.output
    after = (book_with_exports / "book.yaml").read_text(encoding="utf-8")
    anchor = "  - chapters/second-article.md\n"
    assert after == before.replace(anchor, f"{anchor}  - {HIVE_MD}\n  - {BIKE_MD}\n", 1)  # every other byte as it was
    assert yaml.safe_load(after)["chapters"][-2:] == [HIVE_MD, BIKE_MD]
    assert errors_of(book_with_exports) == []  # and the book still reads
    again = CliRunner().invoke(main, ["import", "exports/hive.txt", "exports/bike.txt", "--add"])
    assert again.exit_code == 0 and (book_with_exports / "book.yaml").read_text(encoding="utf-8") == after  # no duplicates
    assert "Not yet in" not in again.output


def test_import_add_keeps_windows_line_endings_and_a_list_at_column_zero(book_with_exports: Path) -> None:
    (book_with_exports / "book.yaml").write_bytes(
        b"title: Bees\r\nchapters:\r\n- chapters/first-article.md   # the start\r\n\r\n# pdf:\r\n#   trim: 6x9\r\n"
    )
    result = CliRunner().invoke(main, ["import", "exports/hive.txt", "--add"])
    assert result.exit_code == 0, result.output
    assert (book_with_exports / "book.yaml").read_bytes() == (
        f"title: Bees\r\nchapters:\r\n- chapters/first-article.md   # the start\r\n- {HIVE_MD}\r\n\r\n# pdf:\r\n#   trim: 6x9\r\n".encode()
    )


def test_import_add_to_a_book_with_parts_names_the_lines_and_changes_nothing(book_with_exports: Path) -> None:
    parts = "title: Bees\nparts:\n  - title: One\n    chapters:\n      - chapters/first-article.md\n"
    (book_with_exports / "book.yaml").write_text(parts, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "exports/hive.txt", "--add"])
    assert result.exit_code == 1
    assert "cannot add the articles to book.yaml" in result.output and f"- {HIVE_MD}" in result.output
    assert (book_with_exports / "book.yaml").read_text(encoding="utf-8") == parts
    assert (book_with_exports / HIVE_MD).is_file()  # the import itself was done


# --- 8. the seed tests fail under CI=true -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), ("", "skipped")])
def test_missing_seeds_fail_under_ci_and_skip_otherwise(tmp_path: Path, ci: str, outcome: str) -> None:
    tests = tmp_path / "repo" / "tests"  # ../shared/seeds of this copy does not exist
    tests.mkdir(parents=True)
    (tests / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8")
    (tests / "test_needs_seeds.py").write_text(
        "from conftest import seed_exports\n\ndef test_seeds():\n    assert len(seed_exports()) == 4\n", encoding="utf-8"
    )
    env = env_with_src() | {"CI": ci}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:benchmark", "-p", "no:cacheprovider", "-q", "-rs", str(tests)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert f"1 {outcome}" in done.stdout, done.stdout
    assert "../shared/seeds lies outside this repository" in done.stdout
    if ci:
        assert "CI must check out ../shared/seeds" in done.stdout


# --- Pango missing: one message naming the packages -------------------------------------


def test_a_missing_pango_stops_a_build_with_the_packages_to_install_not_a_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "print('WeasyPrint could not import some external libraries')\n"
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file\")\n",
        encoding="utf-8",
    )
    env = env_with_src()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "fake"), env["PYTHONPATH"]])
    done = subprocess.run([sys.executable, "-m", "bindery", "build"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: WeasyPrint (the PDF layout engine) cannot load the Pango library it needs")
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in done.stderr
    assert "brew install pango" in done.stderr
    made = subprocess.run(
        [sys.executable, "-m", "bindery", "new", "book"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert made.returncode == 0 and (tmp_path / "book" / "book.yaml").is_file(), made.stderr  # writing a book needs no Pango


def test_import_add_without_a_book_yaml_says_nothing_was_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hive.txt").write_text(hive_export(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["import", "hive.txt", "--into", "articles", "--add"])
    assert result.exit_code == 0, result.output
    assert "--add: no book.yaml in articles or a folder above it; nothing was added" in result.output
    assert not (tmp_path / "book.yaml").exists()
