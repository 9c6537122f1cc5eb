"""How deep the book's navigation goes: which article headings the EPUB nav, the NCX,
the PDF bookmarks and the printed contents list below the chapters.

The manifest's `navigation.depth` (default `sections`) sets the EPUB nav, NCX
and PDF outline; `navigation.contents` (default `chapters`) sets the printed
contents. "Sections" are an article's `##` headings, "subsections" its `###`
headings, nested under the section before them. The templates lay the entries
out; this module only chooses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bindery.model import Article, Book


@dataclass(frozen=True)
class NavEntry:
    id: str
    title: str
    children: tuple[NavEntry, ...] = ()


def article_sections(article: Article, grouped: bool = False, *, depth: int) -> tuple[NavEntry, ...]:
    """The article's sections to `depth` (0: none, 1: `##`, 2: `##` and `###`), nested.

    `grouped`: the article is one of several in a chapter, so its `##` headings were shifted one level down.
    """
    if depth < 1:
        return ()
    section_level = 3 if grouped else 2  # where content.render_markdown puts an article's `##`
    out: list[NavEntry] = []
    pending: list[NavEntry] = []  # subsections of the last section

    def close() -> None:
        if out and pending:
            out[-1] = NavEntry(out[-1].id, out[-1].title, tuple(pending))
        pending.clear()

    for heading in article.headings:
        if not heading.id or not heading.text.strip():
            continue
        entry = NavEntry(heading.id, " ".join(heading.text.split()))
        if heading.level == section_level:
            close()
            out.append(entry)
        elif heading.level == section_level + 1 and depth >= 2:
            if out:
                pending.append(entry)
            else:  # a `###` before any `##`: it stands on its own
                out.append(entry)
    close()
    return tuple(out)


def outline_depth(book: Book, depth: int) -> int:
    """The deepest level of the nav tree (the NCX's `dtb:depth`), counting parts, chapters and grouped articles."""

    def deepest(entries: tuple[NavEntry, ...]) -> int:
        return max((1 + deepest(e.children) for e in entries), default=0)

    levels = [1 + deepest(article_sections(m.article, depth=depth)) for m in (*book.front_matter, *book.back_matter)]
    for part in book.parts:
        above = 1 if part.title is not None else 0
        for chapter in part.chapters:
            below = max(
                ((1 if chapter.grouped else 0) + deepest(article_sections(a, chapter.grouped, depth=depth)) for a in chapter.articles),
                default=0,
            )
            levels.append(above + 1 + below)
    return max(levels, default=1)
