"""Stage 3, the book model: `types` holds every type a `Book` is made of, `assemble`
builds the book from the manifest and the sources (`assemble_book`).

The types are re-exported here (`from bindery.model import Book`); `assemble` is
not, so that the model's own helpers (`content`, `articletree`, `assets`,
`indexing`) can import the types without importing the assembly that uses them.
"""

from bindery.model.types import (
    MATTER_TITLES,
    Article,
    Asset,
    Book,
    BookIndex,
    Chapter,
    Entry,
    Heading,
    IndexMark,
    LetterGroup,
    LinkOut,
    Matter,
    Part,
)

__all__ = [
    "MATTER_TITLES",
    "Article",
    "Asset",
    "Book",
    "BookIndex",
    "Chapter",
    "Entry",
    "Heading",
    "IndexMark",
    "LetterGroup",
    "LinkOut",
    "Matter",
    "Part",
]
