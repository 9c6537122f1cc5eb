"""The file names a build writes, derived in one place from the book's slug.

`<slug>.epub` (unless book.yaml names the EPUB), `<slug>.pdf` and, for a
print profile, `<slug>-cover.pdf`. The manifest's default, the builders, the
pipeline and `bindery check` all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputNames:
    epub: str
    pdf: str  # the interior
    cover: str  # the print cover spread


def output_names(slug: str, epub_filename: str | None = None) -> OutputNames:
    """The output file names of the book with this slug (`epub_filename`: book.yaml's `epub.filename`)."""
    return OutputNames(epub_filename or f"{slug}.epub", f"{slug}.pdf", f"{slug}-cover.pdf")
