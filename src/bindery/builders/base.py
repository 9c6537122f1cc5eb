"""What every builder shares: its name, format and the result it returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from bindery.diagnostics import Diagnostic
from bindery.model import Book
from bindery.templating import Kind, Templates
from bindery.xref import CrossReferences


@dataclass(frozen=True)
class Artifact:
    """One output file, still in memory until the whole build succeeded."""

    path: Path
    data: bytes
    pages: int | None = None


@dataclass(frozen=True)
class BuildOutput:
    """What one builder made: its files, and what it warned about."""

    artifacts: tuple[Artifact, ...]
    warnings: tuple[Diagnostic, ...] = ()


class Builder:
    name: ClassVar[str]
    format: ClassVar[str]
    template_kind: ClassVar[Kind]

    def __init__(self, book: Book, xrefs: CrossReferences, output_dir: Path) -> None:
        self.book = book
        self.xrefs = xrefs
        self.output_dir = output_dir
        self.templates = Templates(book.root, self.template_kind)

    def build(self) -> BuildOutput:
        raise NotImplementedError
