"""Stage 4: resolve every "Related articles" entry before anything is rendered.

An entry names an article of the book when its summary matches that
article's summary (see `bindery.matching`) or when its `ref` names the
article explicitly. The rest is gathered, deduplicated across the whole book,
into further reading. Nothing is dropped: ambiguous entries are warnings and
go to further reading too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from bindery.diagnostics import Diagnostic
from bindery.matching import Candidate, SummaryIndex, normalise, words
from bindery.model import Article, Book, Chapter
from bindery.paths import display_path
from bindery.sources import RelatedSpec


@dataclass(frozen=True)
class CrossReference:
    """A related entry that names an article of this book."""

    entry: RelatedSpec
    target: Article
    chapter: Chapter | None  # None for front and back matter


@dataclass(frozen=True)
class FurtherReading:
    """An entry outside the book, once however many articles cite it."""

    id: str
    summary: str
    date: str | None
    category: str | None
    cited_by: tuple[Article, ...]
    title: str | None = None  # when an entry citing it gave one
    url: str | None = None


@dataclass(frozen=True)
class ArticleLinks:
    in_book: tuple[CrossReference, ...] = ()
    outside: tuple[FurtherReading, ...] = ()


@dataclass(frozen=True)
class CrossReferences:
    by_article: Mapping[str, ArticleLinks]
    further_reading: tuple[FurtherReading, ...]
    resolved: int
    outside: int
    ambiguous: int
    warnings: tuple[Diagnostic, ...] = field(default=())

    def of(self, article_id: str) -> ArticleLinks:
        return self.by_article.get(article_id, ArticleLinks())

    def further_reading_groups(self) -> tuple[tuple[str | None, tuple[FurtherReading, ...]], ...]:
        """Further reading by category (case-insensitive), in the resolved order;
        entries without a category come last, under None."""
        groups: dict[str | None, list[FurtherReading]] = {}
        labels: dict[str | None, str | None] = {}
        for entry in self.further_reading:
            key = entry.category.casefold() if entry.category else None
            labels.setdefault(key, entry.category)
            groups.setdefault(key, []).append(entry)
        return tuple((labels[key], tuple(entries)) for key, entries in groups.items())

    def further_reading_by_article(self) -> tuple[ArticleFurtherReading, ...]:
        """Further reading in one group per citing article, in book order.

        Each entry is listed once, under the first article that cites it (by
        category, newest first, as in `further_reading`); a later article that
        cites it too names it under `earlier`, so an article's "further
        reading" pointer can lead to one group that accounts for all its entries."""
        listed: set[str] = set()
        groups: list[ArticleFurtherReading] = []
        order = {entry.id: n for n, entry in enumerate(self.further_reading)}
        for article_id, links in self.by_article.items():
            if not links.outside:
                continue
            article = next(a for a in links.outside[0].cited_by if a.id == article_id)
            new = tuple(sorted((f for f in links.outside if f.id not in listed), key=lambda f: order[f.id]))
            earlier = tuple(f for f in links.outside if f.id in listed)
            listed.update(f.id for f in new)
            groups.append(ArticleFurtherReading(article, further_reading_anchor(article_id), new, earlier))
        return tuple(groups)


@dataclass(frozen=True)
class ArticleFurtherReading:
    """One article's group in the further-reading appendix."""

    article: Article
    id: str  # the group's anchor: `further-reading--for-<article id>`
    entries: tuple[FurtherReading, ...]  # first cited by this article
    earlier: tuple[FurtherReading, ...]  # also cited here, listed under an earlier article


def further_reading_anchor(article_id: str) -> str:
    """Where an article's "Further reading for this article" pointer leads."""
    return f"further-reading--for-{article_id}"


def resolve_cross_references(book: Book) -> CrossReferences:
    resolver = _Resolver(book)
    for art in resolver.articles:
        seen_targets: set[str] = set()
        for entry in art.related:
            target = resolver.target_of(art, entry)
            if target is not None:
                if target.id not in seen_targets:
                    seen_targets.add(target.id)
                    resolver.in_book.setdefault(art.id, []).append(CrossReference(entry, target, book.chapter_of(target.id)))
                resolver.resolved += 1
                continue
            resolver.add_outside(art, entry)
    return resolver.result()


class _Resolver:
    """The state of one `resolve_cross_references` run: lookups, counts, warnings."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.articles = list(book.articles())
        self.by_id = {a.id: a for a in self.articles}
        self.by_path = {a.source: a for a in self.articles}
        self.by_stem = {PurePosixPath(a.source).stem: a for a in self.articles}
        self.index = SummaryIndex(Candidate(a.id, a.summary) for a in self.articles if a.summary)
        self.warnings: list[Diagnostic] = []
        self.in_book: dict[str, list[CrossReference]] = {}
        self.outside_keys: dict[str, list[str]] = {}
        self.groups: dict[str, dict[str, object]] = {}
        self.resolved = self.outside = self.ambiguous = 0

    def shown(self, article: Article) -> str:  # files in messages: relative to the working folder, like every message
        return display_path(self.book.root / article.source)

    def warning(self, art: Article, entry: RelatedSpec, message: str, hint: str, *, code: str) -> None:
        self.warnings.append(Diagnostic(message, file=self.shown(art), line=entry.line, severity="warning", hint=hint, code=code))

    def target_of(self, art: Article, entry: RelatedSpec) -> Article | None:
        """The article of the book this entry names, or None (warned about when it should have)."""
        target: Article | None
        if entry.ref:
            target = self.by_id.get(entry.ref) or self.by_path.get(entry.ref) or self.by_stem.get(entry.ref)
            if target is None:
                self.warning(
                    art,
                    entry,
                    f"related entry refers to '{entry.ref}', which is not an article of this book",
                    "use an article id or a file listed in book.yaml",
                    code="xref-unknown-ref",
                )
        elif art.summary and normalise(entry.summary) == normalise(art.summary):
            target = art  # the article's own summary: a self-reference, warned about below
        else:
            target = self.matched(art, entry)
        if target is not None and target.id == art.id:
            self.warning(
                art,
                entry,
                "related entry refers to the article itself; ignored as a link",
                "remove the entry or point it at another article",
                code="xref-self",
            )
            return None
        return target

    def matched(self, art: Article, entry: RelatedSpec) -> Article | None:
        """The article whose summary the entry's summary matches, if exactly one does."""
        match = self.index.match(entry.summary, exclude=art.id)
        if match.status == "resolved" and match.key:
            return self.by_id[match.key]
        if match.status == "ambiguous":
            self.ambiguous += 1
            names = " and ".join(f"'{self.by_id[k].title}' ({self.shown(self.by_id[k])})" for k in match.candidates)
            self.warning(
                art,
                entry,
                f"related entry matches {names}; listed under further reading instead",
                "add 'ref: FILE' to the entry to choose one",
                code="xref-ambiguous",
            )
        return None

    def add_outside(self, art: Article, entry: RelatedSpec) -> None:
        """Count the entry into further reading, merged with the same summary cited elsewhere."""
        self.outside += 1
        key = " ".join(words(entry.summary)) or normalise(entry.summary)  # same words, whatever the punctuation
        group = self.groups.setdefault(key, {"entry": entry, "cited_by": []})
        cited: list[Article] = group["cited_by"]  # type: ignore[assignment]
        if art not in cited:
            cited.append(art)
        first: RelatedSpec = group["entry"]  # type: ignore[assignment]
        if any(getattr(first, key) is None and getattr(entry, key) for key in ("date", "category", "title", "url")):
            group["entry"] = RelatedSpec(
                first.summary,
                first.date or entry.date,
                first.category or entry.category,
                None,
                first.line,
                first.title or entry.title,
                first.url or entry.url,
            )
        keys = self.outside_keys.setdefault(art.id, [])
        if key not in keys:
            keys.append(key)

    def result(self) -> CrossReferences:
        ordered = sorted(self.groups.items(), key=lambda kv: _order(kv[1]["entry"]))  # type: ignore[arg-type]
        further: dict[str, FurtherReading] = {}
        for n, (key, group) in enumerate(ordered, start=1):
            spec = group["entry"]
            assert isinstance(spec, RelatedSpec)
            citing: tuple[Article, ...] = tuple(group["cited_by"])  # type: ignore[arg-type]
            further[key] = FurtherReading(f"further-reading--{n}", spec.summary, spec.date, spec.category, citing, spec.title, spec.url)
        by_article = {
            art.id: ArticleLinks(tuple(self.in_book.get(art.id, ())), tuple(further[k] for k in self.outside_keys.get(art.id, ())))
            for art in self.articles
        }
        return CrossReferences(by_article, tuple(further.values()), self.resolved, self.outside, self.ambiguous, tuple(self.warnings))


def _order(entry: RelatedSpec) -> tuple[str, str, str]:
    """Further reading is grouped by category, newest first within one."""
    category = entry.category or "\uffff"
    date = entry.date or "0000-00-00"
    inverted = "".join(chr(0x7A - ord(c) + 0x30) if c.isdigit() else c for c in date)
    return (category.casefold(), inverted, normalise(entry.summary))
