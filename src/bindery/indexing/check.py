"""`bindery check`'s look at the index: the warnings the model stage found
(a term of index.yaml marked nowhere, a "see" to a missing entry, an entry
with too many places), as one check with a line per diagnostic."""

from __future__ import annotations

from pathlib import Path

from bindery.diagnostics import BinderyError, Check
from bindery.pipeline import load_book

INDEX_CODES = ("index-unused", "index-see-missing", "index-many-locators", "index-mark", "index-yaml")


def check_index(book_path: Path) -> Check:
    try:
        loaded = load_book(book_path)
    except BinderyError as exc:
        return Check("index", "book", "fail", "the book cannot be read", findings=exc.diagnostics)
    book = loaded.book
    if book.index is None:
        return Check("index", "book", "skip", "skipped: the book has no index (back_matter: - {type: index})")
    found = tuple(d for d in loaded.warnings if d.code in INDEX_CODES)
    entries = sum(1 for _ in book.index.entries())
    if found:
        return Check("index", "book", "warn", f"{len(found)} warning(s) in an index of {entries} entries", findings=found)
    return Check("index", "book", "pass", f"{entries} entries, {len(book.index.locator_ids())} places")
