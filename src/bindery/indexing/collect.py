"""The model stage's part of the index: each article's marks with book-wide
ids and source lines, the terms of index.yaml found in its text, and the
finished `BookIndex` once every article is rendered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bindery.diagnostics import Diagnostic
from bindery.indexing.entries import build_index
from bindery.indexing.markup import MarkProblem
from bindery.indexing.terms import INDEX_FILE, IndexTerms, front_matter_marks, load_index_terms, mark_terms
from bindery.model.types import BookIndex, IndexMark


def load_terms(root: Path, display: str) -> tuple[IndexTerms | None, list[Diagnostic]]:
    """index.yaml of the book folder (None when absent); `display`: how messages name the folder."""
    return load_index_terms(root, f"{display.rstrip('/')}/{INDEX_FILE}" if display not in ("", ".") else INDEX_FILE)


def article_marks(
    html: str,
    marks: list[IndexMark],
    problems: list[MarkProblem],
    *,
    article_id: str,
    front_matter: tuple[str, ...],
    terms: IndexTerms | None,
    name: str,
    body: str,
    body_line: int,
) -> tuple[str, tuple[IndexMark, ...], list[Diagnostic]]:
    """The article's XHTML (with found terms marked), all its marks, and warnings about bad marks."""

    def line_of(source: str) -> int | None:
        at = body.find(source) if source else -1
        return body_line + body.count("\n", 0, at) if at >= 0 else None

    found = [replace(m, id=f"{article_id}--{m.id}", file=name, line=line_of(m.source)) for m in marks]
    starts = [replace(m, file=name) for m in front_matter_marks(front_matter, article_id)]
    if terms is not None:
        html, auto = mark_terms(html, terms, article_id, len(marks) + 1)
        found += [replace(m, file=name) for m in auto]
    warnings = [
        Diagnostic(p.message, file=name, line=line_of(p.source), severity="warning", hint=p.hint, code="index-mark") for p in problems
    ]
    return html, (*starts, *found), warnings


def book_index(marks: list[IndexMark], terms: IndexTerms | None, language: str) -> tuple[BookIndex, list[Diagnostic]]:
    return build_index(marks, terms, language)
