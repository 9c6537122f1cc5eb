"""The index itself: every mark of the book gathered into sorted entries.

Marks come from the articles in reading order (`Article.index_marks`, with
book-wide ids); `index.yaml` adds sort keys and cross-references for its
terms. Entries with the same name (case-folded) merge; sub-entries sort
under their entry; entries file under letter groups (`collation`).
Problems become warnings: a term of index.yaml found nowhere, a "see" to an
entry that does not exist, an entry with more than `MAX_LOCATORS` places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bindery.diagnostics import Diagnostic
from bindery.indexing.collation import letter_group, sort_key
from bindery.indexing.terms import IndexTerms
from bindery.model.types import BookIndex, Entry, IndexMark, LetterGroup

MAX_LOCATORS = 10


@dataclass(frozen=True)
class MarkSite:
    """Where a mark was written, for messages."""

    file: str
    line: int | None


@dataclass
class _Draft:
    path: tuple[str, ...]
    term: str
    sort: str | None = None
    locators: list[str] = field(default_factory=list)
    see: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    site: MarkSite | None = None  # where it was first defined
    from_terms_file: bool = False


def _key(path: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(p.split()).casefold() for p in path)


def build_index(
    marks: Sequence[IndexMark], terms: IndexTerms | None, language: str, title: str = "Index"
) -> tuple[BookIndex, list[Diagnostic]]:
    """The sorted index of the book's marks (in reading order) and index.yaml's terms."""
    drafts = _drafts(marks, terms)
    ids = {key: f"index--e{n}" for n, key in enumerate(sorted(drafts), start=1)}
    warnings: list[Diagnostic] = []
    warnings += _check(drafts, terms)
    tree = _Tree(drafts, ids, language, warnings)
    tops = sorted((k for k in drafts if len(k) == 1), key=lambda k: _order(drafts[k], language))
    groups: dict[str, list[Entry]] = {}
    for key in tops:
        groups.setdefault(letter_group(drafts[key].sort or drafts[key].term, language), []).append(tree.entry(key))
    letter_groups = tuple(
        LetterGroup(label, f"index--group-{n}", tuple(entries)) for n, (label, entries) in enumerate(groups.items(), start=1)
    )
    return BookIndex(title, letter_groups), warnings


def _drafts(marks: Sequence[IndexMark], terms: IndexTerms | None) -> dict[tuple[str, ...], _Draft]:
    """Every entry and sub-entry of index.yaml's terms and the marks, merged by case-folded name."""
    drafts: dict[tuple[str, ...], _Draft] = {}
    if terms is not None:
        for term in terms.terms:
            d = _draft(drafts, term.path, MarkSite(terms.file, term.line))
            d.from_terms_file = True
            d.sort = d.sort or term.sort
            d.see += [term.see] if term.see else []
            d.see_also += list(term.see_also)
    for mark in marks:
        d = _draft(drafts, mark.path, MarkSite(mark.file, mark.line))
        d.sort = d.sort or mark.sort
        if mark.see:
            d.see.append(mark.see)
        d.see_also += list(mark.see_also)
        if not mark.see and (mark.text or not mark.see_also):  # a "see", or an invisible "see also", has no place
            d.locators.append(mark.id)
    return drafts


def _draft(drafts: dict[tuple[str, ...], _Draft], path: tuple[str, ...], site: MarkSite | None) -> _Draft:
    for depth in range(1, len(path)):
        _draft(drafts, path[:depth], site)  # a sub-entry's entry exists too
    key = _key(path)
    if key not in drafts:
        drafts[key] = _Draft(path, path[-1], site=site)
    return drafts[key]


@dataclass
class _Tree:
    """Turns the drafts into entries, resolving "see" targets (warnings for the missing ones)."""

    drafts: dict[tuple[str, ...], _Draft]
    ids: dict[tuple[str, ...], str]
    language: str
    warnings: list[Diagnostic]

    def reference(self, target: str, d: _Draft) -> tuple[str, str | None]:
        path = tuple(p for p in target.split("!") if p.strip())
        ident = self.ids.get(_key(path))
        if ident is None:
            site = d.site or MarkSite("", None)
            self.warnings.append(
                Diagnostic(
                    f"index entry '{d.term}' refers to '{target}', which is not an entry of the index",
                    file=site.file or None,
                    line=site.line,
                    severity="warning",
                    hint="mark that term somewhere, add it to index.yaml, or correct the spelling",
                    code="index-see-missing",
                )
            )
        return ", ".join(" ".join(p.split()) for p in path), ident

    def entry(self, key: tuple[str, ...]) -> Entry:
        drafts = self.drafts
        d = drafts[key]
        subs = sorted(
            (k for k in drafts if len(k) == len(key) + 1 and k[: len(key)] == key), key=lambda k: _order(drafts[k], self.language)
        )
        return Entry(
            self.ids[key],
            d.term,
            tuple(dict.fromkeys(d.locators)),
            tuple(self.reference(t, d) for t in dict.fromkeys(d.see)),
            tuple(self.reference(t, d) for t in dict.fromkeys(d.see_also)),
            tuple(self.entry(k) for k in subs),
        )


def _order(d: _Draft, language: str) -> tuple[tuple[tuple[int, ...], str], str]:
    return sort_key(d.sort or d.term, language), d.term


def _check(drafts: dict[tuple[str, ...], _Draft], terms: IndexTerms | None) -> list[Diagnostic]:
    out = []
    for key, d in drafts.items():
        has_subs = any(len(k) > len(key) and k[: len(key)] == key for k in drafts)
        site = d.site or MarkSite("", None)
        if d.from_terms_file and not d.locators and not d.see and not d.see_also and not has_subs:
            out.append(
                Diagnostic(
                    f"index term '{d.term}' is found nowhere in the book",
                    file=site.file or None,
                    line=site.line,
                    severity="warning",
                    hint="check its spelling and 'match:' words, mark it in an article, or remove it",
                    code="index-unused",
                )
            )
        if len(dict.fromkeys(d.locators)) > MAX_LOCATORS:
            out.append(
                Diagnostic(
                    f"index entry '{' ! '.join(d.path)}' has {len(dict.fromkeys(d.locators))} places (more than {MAX_LOCATORS})",
                    file=site.file or None,
                    line=site.line,
                    severity="warning",
                    hint="split it into sub-entries (Entry!aspect) so a reader knows which page to turn to",
                    code="index-many-locators",
                )
            )
    return out
