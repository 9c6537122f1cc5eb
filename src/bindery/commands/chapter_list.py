"""Adding imported articles to book.yaml's `chapters:` list (`bindery import --add`).

The edit is made on the text, never by loading and dumping the YAML, so the
author's comments, quoting, order and blank lines stay exactly as they were:
the new `- path` lines go after the last entry of the top-level `chapters:`
list, with the same indentation. The result is parsed again and written only
when its chapter list is the old one plus the new entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.outputs import write_atomic
from bindery.paths import display_path

_CHAPTERS_KEY = re.compile(r"^chapters:[ \t]*(#.*)?$")
_TOP_LEVEL_KEY = re.compile(r"^[^\s#-][^:]*:")
_ITEM = re.compile(r"^(?P<indent>[ ]*)- ")


@dataclass(frozen=True)
class Addition:
    """What adding to the manifest found and did."""

    manifest: Path | None  # None: no book.yaml beside the imported folder
    new: tuple[str, ...]  # entries not yet in the manifest, as book.yaml would list them
    written: bool = False


def _book_folders(into: Path) -> list[Path]:
    """Where the book of INTO may be: INTO and the folders above it up to the working folder
    (`--into texts/stories` from the book's folder), or INTO and its parent when it is elsewhere."""
    here, inside = Path.cwd().resolve(), into.resolve()
    if inside != here and here not in inside.parents:
        return [into, into.parent]
    return [inside, *[p for p in inside.parents if p == here or here in p.parents]]


def find_manifest(into: Path) -> Path | None:
    """The book.yaml of the book the articles were imported into (`_book_folders`)."""
    for folder in _book_folders(into):
        candidate = folder / "book.yaml"
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a folder name too long for the file system: no book.yaml there
            continue
    return None


def entry_for(article: Path, manifest: Path | None, into: Path) -> str:
    """How book.yaml names the article: relative to the book folder, with `/`."""
    root = manifest.parent if manifest is not None else _book_folders(into)[-1]
    try:
        return article.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return article.as_posix()


def listed_paths(data: Any) -> set[str]:
    """Every string (and `file:` value) anywhere in the manifest: what it already lists."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item.strip())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _load(text: str, manifest: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise BinderyError(
            Diagnostic(
                "cannot add the articles: book.yaml is not valid YAML",
                file=display_path(manifest),
                hint="run `bindery build` to see the problem, fix it, and import again with --add",
                code="import-add",
            )
        ) from None


def plan(articles: list[Path], into: Path) -> Addition:
    """Which imported articles the manifest does not list yet (in import order, once each)."""
    manifest = find_manifest(into)
    try:
        listed = listed_paths(_load(manifest.read_bytes().decode("utf-8"), manifest)) if manifest is not None else set()
    except UnicodeDecodeError:  # UTF-16 or UTF-32, which the build reads: this edit writes UTF-8 only
        assert manifest is not None
        lines = "; ".join(f"- {entry_for(a, manifest, into)}" for a in articles)
        hint = f"save book.yaml as UTF-8 and import again with --add, or add under chapters: {lines}"
        raise BinderyError(
            Diagnostic("--add edits a book.yaml in UTF-8 only", file=display_path(manifest), hint=hint, code="import-add")
        ) from None
    new: list[str] = []
    for article in articles:
        entry = entry_for(article, manifest, into)
        if entry not in listed and entry not in new:
            new.append(entry)
    return Addition(manifest, tuple(new))


def insert_entries(text: str, entries: tuple[str, ...]) -> str | None:
    """book.yaml's text with `- entry` lines after the last item of `chapters:`, or None
    when the list is not a block list this edit can extend (flow style, parts only)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _CHAPTERS_KEY.match(line.rstrip("\r\n"))), None)
    if start is None:
        return None
    last_item, indent = _chapters_block(lines, start)
    if indent is None:
        return None  # `chapters:` with no block items (empty or `[...]` on the next lines)
    if not lines[last_item].endswith(("\n", "\r")):
        lines[last_item] += newline
    added = [f"{indent}- {entry}{newline}" for entry in entries]
    return "".join(lines[: last_item + 1] + added + lines[last_item + 1 :])


def _chapters_block(lines: list[str], start: int) -> tuple[int, str | None]:
    """The index of the last line of the `chapters:` block starting at line `start`, and
    the indent of its first `- ` item (None when it has no block items)."""
    last_item, indent = start, None
    for i in range(start + 1, len(lines)):
        line = lines[i].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _TOP_LEVEL_KEY.match(line):
            break
        item = _ITEM.match(line)
        if item is not None and indent is None:
            indent = item.group("indent")
        if item is None and not line.startswith(" "):
            break
        last_item = i
    return last_item, indent


def add_to_manifest(addition: Addition) -> Addition:
    """Write the new entries into book.yaml (atomically), or raise with the lines to paste."""
    if addition.manifest is None or not addition.new:
        return addition
    manifest = addition.manifest
    text = manifest.read_bytes().decode("utf-8")
    before = _load(text, manifest)
    edited = insert_entries(text, addition.new)
    old_list = before.get("chapters") if isinstance(before, dict) else None
    after = _load(edited, manifest) if edited is not None else None
    if (
        edited is None
        or not isinstance(old_list, list)
        or not isinstance(after, dict)
        or after.get("chapters") != [*old_list, *addition.new]
    ):
        raise BinderyError(
            Diagnostic(
                "cannot add the articles to book.yaml: it has no block list `chapters:` to extend (a book with `parts:`?)",
                file=display_path(manifest),
                hint="add these lines by hand where they belong: " + "; ".join(f"- {e}" for e in addition.new),
                code="import-add",
            )
        )
    write_atomic(manifest, edited.encode("utf-8"))
    return Addition(manifest, addition.new, written=True)


def paste_lines(addition: Addition) -> list[str]:
    """What `bindery import` prints without --add: the lines to paste into book.yaml."""
    if not addition.new:
        return []
    where = display_path(addition.manifest) if addition.manifest is not None else "book.yaml"
    return [
        f"Not yet in {where}; add these lines to its `chapters:` list (or run again with --add):",
        *(f"  - {entry}" for entry in addition.new),
    ]
