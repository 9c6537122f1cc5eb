"""Each stage hands on one frozen value, and what it warns about travels in that
value's `warnings: tuple[Diagnostic, ...]` (errors are raised as BinderyError)."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from bindery.builders.base import BuildOutput
from bindery.diagnostics import Diagnostic
from bindery.layout import PrintLayout
from bindery.layout_chunks import ChunkResult
from bindery.manifest import load_manifest
from bindery.model import Book
from bindery.pipeline import LoadedBook, load_book
from bindery.sources import Sources, read_sources
from bindery.xref import CrossReferences


def _book(root: Path, manifest_extra: str = "") -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "book.yaml").write_text(f"title: Values\nlanguage: en\nchapters: [chapters/b.md, chapters/a.md]\n{manifest_extra}")
    (root / "chapters/a.md").write_text("---\ntitle: A\n---\n\nText.\n")
    (root / "chapters/b.md").write_text("---\ntitle: B\ncolour: red\n---\n\nText.\n")
    return root


@pytest.mark.parametrize("value", [Sources, Book, CrossReferences, PrintLayout, BuildOutput, LoadedBook])
def test_every_stage_value_is_frozen_and_carries_its_warnings_as_a_tuple(value: type) -> None:
    assert dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert typing.get_type_hints(value, localns={"ChunkResult": ChunkResult})["warnings"] == tuple[Diagnostic, ...]
    assert "diagnostics" not in {f.name for f in dataclasses.fields(value)}


def test_read_sources_returns_the_articles_in_manifest_order_and_their_warnings(tmp_path: Path) -> None:
    sources = read_sources(load_manifest(_book(tmp_path)))
    assert list(sources.by_path) == ["chapters/b.md", "chapters/a.md"]
    assert [(w.code, w.line) for w in sources.warnings] == [("source-unknown-key", 3)]


def test_load_book_leaves_out_and_counts_the_warnings_book_yaml_ignores(tmp_path: Path) -> None:
    loaded = load_book(_book(tmp_path, "ignore_warnings: [source-unknown-key]\n"))
    assert (loaded.warnings, loaded.ignored_codes, loaded.dropped) == ((), ("source-unknown-key",), 1)
    assert [c.title for c in loaded.book.chapters()] == ["B", "A"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.dropped = 0  # type: ignore[misc]


def test_load_book_reports_the_warnings_it_does_not_ignore(tmp_path: Path) -> None:
    loaded = load_book(_book(tmp_path))
    assert [w.code for w in loaded.warnings] == ["source-unknown-key"] and loaded.dropped == 0
