"""A `.txt` listed in book.yaml becomes an article straight from the parsed
export: every message names the line of the `.txt` file, and the article is
the one `bindery import` would write.

The export here is written for these tests; no text comes from ../shared/seeds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from bindery.diagnostics import BinderyError, Report
from bindery.limits import MAX_LONG_TEXT_CHARS
from bindery.rawexport import parse_export
from bindery.sources import parse_markdown_article, source_from_export

P1 = "Water early in the morning, before the sun is high, so that the roots drink before the soil warms up."
P2 = "A deep soak twice a week does more than a sprinkle every day, because the roots follow the water down."
P3 = "Mulch keeps the water where it belongs and the soil cool, and it feeds the worms over the winter as well."
LONG_WORD = "The nursery labels this one " + "tomato" * 20 + ", a word no printed line can hold whole."
REL = "How to prune tomato side shoots so the plant puts its strength into the fruit and not into the leaves."


def export(body: list[str], related: list[str]) -> str:
    head = [
        "Gardening",  # 1
        "How to water tomatoes   in a dry summer",  # 2: two spaces collapse, as the front matter reads them
        "A short routine for the hottest weeks of the year, one can at a time and early in the morning.",  # 3
        "By Ada Lovelace",  # 4
        "Published July 26, 2025",  # 5
        "Facebook X Email",  # 6
    ]
    return "\n".join(head + body + ["Related Articles"] + related) + "\n"


def build(root: Path, text: str, *options: str) -> str:
    (root / "exports").mkdir()
    (root / "exports" / "garden.txt").write_text(text, encoding="utf-8")
    (root / "book.yaml").write_text("title: Lines\nauthors: [A B]\nchapters:\n  - exports/garden.txt\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(root), "--format", "epub", "--no-page-list", "--output", str(root / "out"), *options])
    assert result.exit_code == 1, result.output
    return result.output


def test_a_body_problem_names_the_line_of_the_export(tmp_path: Path) -> None:
    # the long word is on line 11: blank lines, noise and the header do not shift it (an export is
    # plain text, so its problems are of words: Markdown written in it is text, never an image)
    text = export([P1, "ADVERTISEMENT", "", P2, LONG_WORD, P3], ["Pruning", REL, "July 18, 2025"])
    assert text.splitlines()[10] == LONG_WORD
    out = build(tmp_path, text, "--strict")
    assert "garden.txt:11: warning: a word of 121+ characters" in out, out


def test_a_related_entry_problem_names_the_line_of_the_export() -> None:
    long_summary = "word " * (MAX_LONG_TEXT_CHARS // 5 + 1)
    text = export([P1, P2, P3], ["Pruning", REL, "July 18, 2025", long_summary.strip()])
    assert text.splitlines()[13] == long_summary.strip()
    with pytest.raises(BinderyError) as caught:
        source_from_export(text, "garden.txt", "0")
    [problem] = caught.value.diagnostics
    assert (problem.file, problem.line, problem.key, problem.code) == ("garden.txt", 14, "related[1].summary", "source-length")


def test_a_related_entry_keeps_the_line_of_its_summary() -> None:
    source = source_from_export(export([P1, P2, P3], ["Pruning", REL, "July 18, 2025"]), "garden.txt", "0")
    [entry] = source.related
    assert (entry.summary, entry.category, entry.date, entry.line) == (REL, "Pruning", "2025-07-18", 12)


def test_the_export_reads_as_the_article_bindery_import_writes() -> None:
    text = export([P1, "## Keeping it cool", P2, P3], ["Pruning", REL, "July 18, 2025"])
    digest = hashlib.sha256(text.encode()).hexdigest()
    direct = source_from_export(text, "garden.txt", digest)
    markdown = parse_export(text, "garden.txt").to_markdown()
    written = parse_markdown_article(markdown, "garden.txt", digest, Report())
    assert direct.title == "How to water tomatoes in a dry summer"
    for field in ("title", "summary", "date", "authors", "category", "related", "body", "explicit_id", "index_terms"):
        assert getattr(direct, field) == getattr(written, field), field
    # every Markdown line of the body maps to the export: the heading is on line 8, the last paragraph on 10
    assert direct.file_line(direct.body_line + direct.body.split("\n").index("## Keeping it cool")) == 8
    assert direct.file_line(direct.body_line + direct.body.split("\n").index(P3)) == 10


def test_an_export_named_in_upper_case_is_read_as_an_export(tmp_path: Path) -> None:
    """`exports/GARDEN.TXT` in book.yaml was read as a Markdown article ("has no front matter"),
    though `bindery import` takes it (found by an import fuzz, a helper)."""
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "GARDEN.TXT").write_text(export([P1, P2, P3], ["Pruning", REL, "July 18, 2025"]), encoding="utf-8")
    (tmp_path / "book.yaml").write_text("title: Lines\nauthors: [A B]\nchapters:\n  - exports/GARDEN.TXT\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path), "--format", "epub", "--no-page-list", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
