"""Stage 3: the book model (`bindery.model.types`), built from the manifest and the sources.

Everything the model holds is immutable. `assemble_book` numbers chapters and parts,
gives every article a book-wide unique id and renders its Markdown body once;
later stages only read the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from bindery.book_images import check_images, cover_asset
from bindery.content import RenderedArticle, render_markdown
from bindery.diagnostics import BinderyError, Report
from bindery.indexing import collect
from bindery.manifest.schema import Manifest
from bindery.model.types import Article, Book, Chapter, IndexMark, Matter, Part
from bindery.paths import display_path, slugify
from bindery.sources import RAW_EXPORT_SUFFIXES, Source

# Ids the templates use themselves; an article never takes one of them.
RESERVED_IDS = frozenset(
    {"toc", "title-page", "half-title", "copyright", "cover", "nav", "landmarks", "page-list", "further-reading", "dedication", "index"}
)

# Ids the model gives units itself (chapter-3, part-1, front-2, page-7...).
GENERATED_ID = re.compile(r"(chapter|part|front|back|page)-\d+")


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED_IDS)

    def claim(self, wanted: str) -> str:
        base = re.sub(r"^[^a-z]+", "", slugify(wanted))[:48].rstrip("-") or "article"
        if GENERATED_ID.fullmatch(base):
            base += "-article"  # chapter-10.md must not take chapter 10's own id
        candidate = base
        n = 2
        while candidate in self.used:
            candidate = f"{base}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate


def _claim_article_ids(manifest: Manifest, sources: Mapping[str, Source]) -> dict[str, str]:
    """Every article's id, in reading order, before any is rendered: links between articles need them."""
    ids = _Ids()
    paths = [m.article.path for m in manifest.front_matter]
    paths += [ref.path for part in manifest.parts for chapter in part.chapters for ref in chapter.articles]
    paths += [m.article.path for m in manifest.back_matter]
    claimed: dict[str, str] = {}
    for path in paths:
        if path in claimed:
            continue
        src = sources[path]
        # A raw export's file name is the site's (often a hash); its title reads better.
        named_by = src.title if path.lower().endswith(RAW_EXPORT_SUFFIXES) else PurePosixPath(path).stem
        claimed[path] = ids.claim(src.explicit_id or named_by)
    return claimed


def assemble_book(manifest: Manifest, sources: Mapping[str, Source], *, render: Callable[..., RenderedArticle] = render_markdown) -> Book:
    """The book model; `render` turns one article's Markdown into XHTML (`content.render_markdown`,
    or the build cache's `article_cache.markdown_renderer`, which takes the same arguments)."""
    report = Report()
    explicit: dict[str, str] = {}
    terms, terms_warnings = collect.load_terms(manifest.root, display_path(manifest.root)) if manifest.index else (None, [])
    report.diagnostics.extend(terms_warnings)
    article_ids = _claim_article_ids(manifest, sources)

    def article(path: str, heading_offset: int) -> Article:
        src = sources[path]
        name = display_path(manifest.root / path)
        if src.explicit_id:
            wanted = slugify(src.explicit_id)
            if wanted in explicit:
                report.error(
                    f"'{src.explicit_id}' is already the id of {explicit[wanted]}",
                    file=name,
                    line=src.id_line,
                    key="id",
                    hint="give each article its own id, or remove the 'id:' line",
                    code="model-duplicate-id",
                )
            explicit.setdefault(wanted, display_path(manifest.root / path))
        article_id = article_ids[path]
        try:
            rendered = render(
                src.body,
                prefix=article_id,
                heading_offset=heading_offset,
                source=path,
                body_line=src.body_line,
                name=name,
                articles=article_ids,
            )
            report.diagnostics.extend(src.at_file_lines(name, rendered.warnings))
        except BinderyError as exc:
            report.diagnostics.extend(src.at_file_lines(name, exc.diagnostics))
            rendered = None
        marks: tuple[IndexMark, ...] = ()
        if rendered is not None and manifest.index:
            rendered.html, marks, problems = collect.article_marks(
                rendered.html, rendered.index_marks, rendered.index_problems, article_id=article_id,
                front_matter=src.index_terms, terms=terms, name=name, body=src.body, body_line=src.body_line,
            )  # fmt: skip
            report.diagnostics.extend(src.at_file_lines(name, problems))
            marks = tuple(replace(mark, line=src.file_line(mark.line)) for mark in marks)
        return Article(
            id=article_id,
            source=path,
            title=src.title,
            summary=src.summary,
            date=src.date,
            authors=src.authors,
            category=src.category,
            related=src.related,
            html=rendered.html if rendered else "",
            headings=tuple(rendered.headings) if rendered else (),
            images=tuple(dict.fromkeys(rendered.images)) if rendered else (),
            digest=src.digest,
            image_lines=tuple((image, src.file_line(line)) for image, line in rendered.image_lines.items()) if rendered else (),
            index_marks=marks,
            links=tuple(replace(link, line=src.file_line(link.line)) for link in rendered.links) if rendered else (),
        )

    front = tuple(Matter(m.kind, article(m.article.path, 0), f"front-{i + 1}") for i, m in enumerate(manifest.front_matter))
    parts = []
    number = 0
    for p_index, part_spec in enumerate(manifest.parts):
        chapters = []
        for chapter_spec in part_spec.chapters:
            number += 1
            grouped = chapter_spec.title is not None and len(chapter_spec.articles) > 1
            arts = tuple(article(ref.path, 1 if grouped else 0) for ref in chapter_spec.articles)
            title = chapter_spec.title or arts[0].title
            chapters.append(Chapter(f"chapter-{number}", number, title, arts, grouped, f"chapter-{number}"))
        titled = part_spec.title is not None
        parts.append(
            Part(
                id=f"part-{p_index + 1}",
                number=p_index + 1 if titled else None,
                title=part_spec.title,
                chapters=tuple(chapters),
                unit=f"part-{p_index + 1}",
            )
        )
    back = tuple(Matter(m.kind, article(m.article.path, 0), f"back-{i + 1}") for i, m in enumerate(manifest.back_matter))
    report.raise_if_errors()
    assets = check_images(manifest, report.diagnostics, _walk_articles((front, parts, back)))
    front, parts, back = _check_links(manifest, report, front, parts, back)
    index = None
    if manifest.index:
        every = [m for a in _walk_articles((front, parts, back)) for m in a.index_marks]
        index, index_warnings = collect.book_index(every, terms, manifest.metadata.language)
        report.diagnostics.extend(index_warnings)
    return Book(
        metadata=manifest.metadata,
        slug=manifest.slug,
        front_matter=front,
        parts=tuple(parts),
        back_matter=back,
        further_reading=manifest.further_reading,
        pdf=manifest.pdf,
        epub_filename=manifest.epub.filename,
        root=manifest.root,
        navigation=manifest.navigation,
        warnings=tuple(report.warnings),
        index=index,
        assets=assets,
        cover=cover_asset(manifest),
    )


def _check_links(
    manifest: Manifest, report: Report, front: tuple[Matter, ...], parts: list[Part], back: tuple[Matter, ...]
) -> tuple[tuple[Matter, ...], list[Part], tuple[Matter, ...]]:
    """A link to another article's heading that does not exist points at the article, with a warning."""
    every_id = {ident for art in _walk_articles((front, parts, back)) for ident in _ID_ATTR.findall(art.html)}
    every_id |= {art.id for art in _walk_articles((front, parts, back))}

    def fixed(art: Article) -> Article:
        html = art.html
        for link in art.links:
            if link.anchor not in every_id:
                report.warn(
                    f"link '{link.written}': the article has no heading '{link.written.split('#', 1)[-1]}'; it points at the article",
                    file=display_path(manifest.root / art.source),
                    line=link.line,
                    hint="check the heading's id (its text in lower case, spaces as hyphens)",
                    code="link-dangling",
                )
                html = html.replace(f'href="#{link.anchor}"', f'href="#{link.article}"')
        return art if html == art.html else replace(art, html=html)

    front = tuple(replace(m, article=fixed(m.article)) for m in front)
    back = tuple(replace(m, article=fixed(m.article)) for m in back)
    parts = [replace(p, chapters=tuple(replace(c, articles=tuple(fixed(a) for a in c.articles)) for c in p.chapters)) for p in parts]
    return front, parts, back


_ID_ATTR = re.compile(r'\sid="([^"]+)"')


def _walk_articles(groups: tuple[object, ...]) -> Iterator[Article]:
    for group in groups:
        for item in group:  # type: ignore[attr-defined]
            if isinstance(item, Matter):
                yield item.article
            elif isinstance(item, Part):
                for chapter in item.chapters:
                    yield from chapter.articles
