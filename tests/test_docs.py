"""Docs that are tested: the README, the guide (chapters/*.md) and docs/FORMATS.md never lie.

- The guide's command appendix says what `--help` says, option by option and
  default by default (tests/cli_reference.py builds the expected tables; run it
  to regenerate them).
- Every `bindery ...` line in a shell block of the docs is accepted by the CLI.
- The README's shell blocks (except the two set-up lines, which CI runs as
  `.ci/run`) and the guide's runnable ones are run, as written, in a temporary folder.
- Every book.yaml key and value FORMATS.md shows is one the manifest takes,
  and every key and value the manifest takes is shown.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
import yaml

from bindery.build_cache import CACHE_DIR_NAME
from bindery.cli import main
from bindery.manifest import (
    BACK_TYPES,
    EPUB_KEYS,
    FRONT_TYPES,
    FURTHER_READING,
    MARGIN_KEYS,
    PDF_KEYS,
    PDF_PROFILES,
    ROLES,
    TOP_KEYS,
    TRIM_SIZES,
    load_manifest,
)
from bindery.manifest.options import ACCESSIBILITY_KEYS, NAVIGATION_KEYS
from bindery.printspec import PAPERS
from bindery.sources import FRONT_MATTER_KEYS, RELATED_KEYS
from cli_reference import commands, option_rows, summary, usage
from conftest import ROOT
from test_import import bike_export, hive_export

README = ROOT / "README.md"
FORMATS = ROOT / "docs" / "FORMATS.md"
APPENDIX = ROOT / "chapters" / "appendix-reference.md"
GUIDE = sorted((ROOT / "chapters").glob("*.md"))
FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.S | re.M)


def blocks(path: Path, *langs: str) -> list[str]:
    return [m.group("body") for m in FENCE.finditer(path.read_text(encoding="utf-8")) if m.group("lang") in langs]


def command_lines(block: str) -> list[str]:
    """The commands of a shell block, comments removed, `&&`/`||` chains split."""
    lines = []
    for line in block.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("#"):
            lines += [part.strip() for part in re.split(r"&&|\|\|", line) if part.strip()]
    return lines


def table(text: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after HEADING, cells stripped of `code` marks."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.split("\n|---", 1)[1].splitlines()[1:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"\s\|\s", line.strip().strip("|").strip())
        rows.append([cell.strip().strip("`") for cell in cells])
    return rows


# --- The guide's command appendix is the CLI's own help ---------------------------------


def test_the_appendix_lists_every_command_with_its_usage_and_summary() -> None:
    text = APPENDIX.read_text(encoding="utf-8")
    expected = [[usage(name, command, ctx), summary(command)] for name, command, ctx in commands()]
    assert table(text, "## Commands") == expected, "regenerate with: python3 tests/cli_reference.py"


@pytest.mark.parametrize("name", [name for name, _, _ in commands()])
def test_the_appendix_gives_every_option_and_default_as_help_does(name: str) -> None:
    text = APPENDIX.read_text(encoding="utf-8")
    heading = f"## Options of `bindery {name}`"
    assert heading in text, f"the appendix has no section {heading!r}"
    [(command, ctx)] = [(c, x) for n, c, x in commands() if n == name]
    expected = [list(row) for row in option_rows(command, ctx)]
    assert table(text, heading) == expected, "regenerate with: python3 tests/cli_reference.py"


def test_the_appendix_tables_match_the_help_text_itself() -> None:
    """The reference is read from the same records `--help` prints (a check of cli_reference.py)."""
    for name, command, _ in commands():
        shown = " ".join(click.testing.CliRunner().invoke(main, [name, "--help"], terminal_width=1000).output.split())
        for option, default, effect in option_rows(command, click.Context(command, info_name=name)):
            assert option in shown and effect.rstrip(".") in shown, (name, option)
            if default not in ("off", "none"):
                assert default in shown, (name, option, default)


# --- Every command line in the docs is one the CLI accepts -------------------------------


def parse(line: str) -> None:
    """Parse a `bindery ...` line with the real CLI, raising click's error if it is wrong."""
    words = shlex.split(line.split(">")[0])
    assert words[0] == "bindery"
    root = click.Context(main, info_name="bindery")
    name, command, rest = main.resolve_command(root, words[1:])
    assert command is not None, name
    with command.make_context(name, rest, parent=root):
        pass


DOCS_WITH_COMMANDS = [README, FORMATS, *GUIDE]


@pytest.mark.parametrize("path", DOCS_WITH_COMMANDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bindery_command_in_the_docs_is_accepted_by_the_cli(path: Path) -> None:
    for block in blocks(path, "sh", "bash", "console"):
        for line in command_lines(block):
            if line.startswith("bindery "):
                try:
                    parse(line)
                except click.exceptions.Exit:
                    pass  # --help, --version
                except click.ClickException as exc:
                    pytest.fail(f"{path.name}: `{line}`: {exc.format_message()}")


def test_the_readme_synopsis_names_every_option_of_each_command() -> None:
    [synopsis] = blocks(README, "text")[:1]
    lines = {line.split()[1]: line.split("#")[0] for line in synopsis.splitlines() if line.startswith("bindery ")}
    assert sorted(lines) == sorted(name for name, _, _ in commands())
    for name, command, ctx in commands():
        documented = set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", lines[name]))
        longs = {max(p.opts, key=len) for p in command.get_params(ctx) if isinstance(p, click.Option) and "--help" not in p.opts}
        assert documented - {"-h"} <= {o for p in command.get_params(ctx) for o in p.opts}, name
        assert longs - {"--debug"} <= documented, f"bindery {name}: the README's synopsis leaves out {sorted(longs - documented)}"


# --- The README's and the guide's command blocks run ------------------------------------


@pytest.fixture()
def shell(tmp_path: Path) -> dict[str, str]:
    """An environment whose `bindery` is this checkout's, run by this Python."""
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "bindery").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bindery "$@"\n', encoding="utf-8")
    (shim / "bindery").chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{shim}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    return env


def run_block(block: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_readme_starts_with_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    first = blocks(README, "sh")[0]
    setup, tests = command_lines(first)[:2], command_lines(first)[2:]
    assert [line.split()[0] for line in command_lines(first)] == ["bash", ".venv/bin/bindery", "bash"]
    assert len(first.strip().splitlines()) == 2
    assert setup == ["bash scripts/setup.sh", ".venv/bin/bindery build"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^exec {re.escape(tests[0])}$", ci, re.M), "`.ci/run` must run exactly the README's test command"
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    for step in (
        "ruff check src tests benchmarks",
        "ruff format --check src tests benchmarks",
        "mypy --strict src",
        "pytest -p no:benchmark -n auto",
    ):
        assert step in script


@pytest.mark.slow
def test_the_readme_command_blocks_run_as_written(tmp_path: Path, shell: dict[str, str]) -> None:
    runnable = blocks(README, "sh")[1:]  # the first block is the set-up, which CI runs as .ci/run
    assert runnable, "the README has no command example"
    for i, block in enumerate(runnable):
        folder = tmp_path / f"block-{i}"
        folder.mkdir()
        done = run_block(block, folder, shell)
        assert done.returncode == 0, f"README block {i}:\n{block}\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "block-0" / "my-book" / "output" / "my-book.epub").is_file()
    assert (tmp_path / "block-0" / "my-book" / "output" / "my-book.pdf").is_file()


def guide_block(chapter: str, first_line: str) -> str:
    [block] = [b for b in blocks(ROOT / "chapters" / chapter, "sh") if b.startswith(first_line)]
    return block


@pytest.mark.slow
def test_the_guides_first_build_runs_as_written(tmp_path: Path, shell: dict[str, str]) -> None:
    done = run_block(guide_block("why-bindery.md", "bindery new my-first-book"), tmp_path, shell)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "my-first-book" / "output").iterdir() if p.name != CACHE_DIR_NAME) == [
        "my-first-book.epub",
        "my-first-book.pdf",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("chapter", "first_line"), [("appendix-reference.md", "bindery import"), ("writing-articles.md", "bindery import")]
)
def test_the_guides_import_examples_run_as_written(tmp_path: Path, shell: dict[str, str], chapter: str, first_line: str) -> None:
    subprocess.run([sys.executable, "-m", "bindery", "new", "book"], cwd=tmp_path, env=shell, check=True, capture_output=True)
    book = tmp_path / "book"
    (book / "exports").mkdir()
    (book / "exports" / "hive.txt").write_text(hive_export(), encoding="utf-8")
    (book / "exports" / "bike.txt").write_text(bike_export(), encoding="utf-8")
    done = run_block(guide_block(chapter, first_line), book, shell)
    assert done.returncode == 0, done.stderr
    reports = list(book.glob("import-report.*"))
    for report in reports:
        assert report.suffix == ".json", "the import report is JSON"


# --- FORMATS.md and the manifest schema -------------------------------------------------


def manifest_examples() -> list[dict[str, object]]:
    section = FORMATS.read_text(encoding="utf-8").split("## Articles:", 1)[0]
    return [yaml.safe_load(m.group("body")) for m in FENCE.finditer(section) if m.group("lang") == "yaml"]


def files_named(data: object) -> set[str]:
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and item.endswith(".md"):
            found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@pytest.mark.parametrize("index", range(2))
def test_every_book_yaml_example_in_formats_is_a_valid_manifest(tmp_path: Path, index: int) -> None:
    example = manifest_examples()[index]
    text = FORMATS.read_text(encoding="utf-8").split("## Articles:", 1)[0]
    body = [m.group("body") for m in FENCE.finditer(text) if m.group("lang") == "yaml"][index]
    (tmp_path / "book.yaml").write_text(body, encoding="utf-8")
    for name in files_named(example):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"---\ntitle: {Path(name).stem}\n---\n\nText.\n", encoding="utf-8")
    if isinstance(example, dict) and example.get("cover"):
        from PIL import Image

        (tmp_path / str(example["cover"])).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (16, 16)).save(tmp_path / str(example["cover"]))
    load_manifest(tmp_path)  # raises BinderyError (unknown key, bad value, missing file) if the docs lie


def keys_shown(data: object, path: str = "") -> set[str]:
    """Every mapping key in the examples, as a dotted path with list positions dropped."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(f"{path}{key}")
            found |= keys_shown(value, f"{path}{key}.")
    elif isinstance(data, list):
        for item in data:
            found |= keys_shown(item, path)
    return found


def test_every_key_the_manifest_takes_is_shown_in_formats() -> None:
    shown = set().union(*(keys_shown(example) for example in manifest_examples()))
    expected = {
        *TOP_KEYS,
        *(f"pdf.{k}" for k in PDF_KEYS),
        *(f"pdf.margins.{k}" for k in MARGIN_KEYS),
        *(f"epub.{k}" for k in EPUB_KEYS),
        "authors.name",
        "authors.role",
        "series.name",
        "series.position",
        "front_matter.file",
        "front_matter.type",
        "back_matter.file",
        "back_matter.type",
        "parts.title",
        "parts.chapters",
        "parts.chapters.title",
        "parts.chapters.articles",
        "chapters.file",  # the {file, title} form
        "chapters.title",
        "chapters.articles",
        *(f"accessibility.{k}" for k in ACCESSIBILITY_KEYS),
        *(f"navigation.{k}" for k in NAVIGATION_KEYS),
    }
    assert expected - shown == set(), "FORMATS.md leaves out these book.yaml keys"
    assert shown - expected == set(), "FORMATS.md shows keys the manifest does not take"


def comment_values(section: str, marker: str) -> set[str]:
    """The `a | b | c` choices in the comment of the example line containing MARKER."""
    line = next(line for line in section.splitlines() if marker in line and "#" in line)
    comment = line.split("#", 1)[1]
    return {re.sub(r"\s*\(.*$", "", value).split(":")[0].strip().strip('"') for value in comment.split("|")}


@pytest.mark.parametrize(
    ("marker", "allowed"),
    [
        ("trim:", tuple(TRIM_SIZES)),
        ("role: author", tuple(ROLES)),
        ("type: preface}", FRONT_TYPES),
        ("type: appendix}", BACK_TYPES),
        ("further_reading:", FURTHER_READING),
        ("profile:", PDF_PROFILES),
        ("paper:", tuple(PAPERS)),
    ],
)
def test_formats_lists_exactly_the_values_the_manifest_takes(marker: str, allowed: tuple[str, ...]) -> None:
    section = FORMATS.read_text(encoding="utf-8").split("## Articles:", 1)[0]
    listed = comment_values(section, marker)
    custom = {v for v in listed if " x " in v}  # trim: any "W x H" with units
    assert set(allowed) - listed == set(), f"FORMATS.md ({marker}) leaves out {sorted(set(allowed) - listed)}"
    assert listed - custom - set(allowed) == set(), f"FORMATS.md ({marker}) lists values the manifest refuses"


def test_formats_lists_every_front_matter_key_and_says_which_are_required() -> None:
    text = FORMATS.read_text(encoding="utf-8")
    article = text.split("## Articles:", 1)[1]
    [example] = [m.group("body") for m in FENCE.finditer(article) if m.group("lang") == "markdown"][:1]
    front = yaml.safe_load(example.split("---\n")[1])
    assert set(front) == set(FRONT_MATTER_KEYS)
    assert set().union(*(set(entry) for entry in front["related"])) == set(RELATED_KEYS)
    assert "`title` is the one required key" in article


# --- One name, one Python, everywhere ---------------------------------------------------


def test_the_distribution_name_and_python_version_agree_everywhere() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "bindery-books"
    assert project["scripts"] == {"bindery": "bindery.cli:main"}
    assert project["requires-python"] == ">=3.11"
    install = (ROOT / "chapters" / "why-bindery.md").read_text(encoding="utf-8").split("## Installing Bindery", 1)[1].split("\n## ", 1)[0]
    for text in (README.read_text(encoding="utf-8"), install):
        assert "`bindery-books`" in text
        assert "Python 3.11 or newer" in text
    for path in (README, FORMATS, *GUIDE):
        for block in blocks(path, "sh", "bash"):
            assert not re.search(r"pip install (-e )?bindery\b(?!-books)", block), (
                f"{path.name}: installs the unrelated PyPI project 'bindery'"
            )
