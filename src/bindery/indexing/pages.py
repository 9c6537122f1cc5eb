"""Page numbers of index locators, with consecutive pages collapsed into ranges.

The print layout says on which page each marked place falls (`PageMap.locations`,
read from WeasyPrint's boxes); a locator group is one page, or a run of
consecutive pages (47–49) that links to its first and last place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bindery.model import Book
    from bindery.model.types import Entry
    from bindery.pagemap import PageMap


@dataclass(frozen=True)
class LocatorGroup:
    first: str  # id of the first marked place
    last: str  # id of the last one (the same for a single page)
    first_label: str = ""  # its printed page ("47"), "" when the layout is not known
    last_label: str = ""

    @property
    def is_range(self) -> bool:
        return self.first_label != self.last_label

    @property
    def label(self) -> str:
        return f"{self.first_label}\u2013{self.last_label}" if self.is_range else self.first_label


def group_pages(ids: Sequence[str], pages: Mapping[str, tuple[int, str]]) -> list[LocatorGroup]:
    """`pages`: id -> (physical page, printed folio); ids it does not know stay single locators.

    Several places on one page give one locator (the first); pages in a row
    (arabic folios only) give one range. Locators come out in page order."""
    known = sorted((pages[i][0], n, i) for n, i in enumerate(ids) if i in pages)
    groups: list[LocatorGroup] = []
    for _, _, ident in known:
        label = pages[ident][1]
        last = groups[-1] if groups else None
        if last is not None and last.last_label == label:
            continue  # the same page again
        if last is not None and _follows(last.last_label, label):
            groups[-1] = LocatorGroup(last.first, ident, last.first_label, label)
            continue
        groups.append(LocatorGroup(ident, ident, label, label))
    return groups + [LocatorGroup(i, i) for i in ids if i not in pages]


def _follows(previous: str, label: str) -> bool:
    return previous.isdigit() and label.isdigit() and int(label) == int(previous) + 1


def pages_of(ids: Sequence[str], page_map: PageMap | None) -> dict[str, tuple[int, str]]:
    """id -> (physical page, printed folio) for each id the layout placed."""
    if page_map is None:
        return {}
    out = {}
    for ident in ids:
        number = page_map.locations.get(ident)
        if number:
            out[ident] = (number, page_map.pages[number - 1].label)
    return out


class Locators:
    """What the index templates call: `index_locators(entry)` gives its locator groups,
    `index_locators.title(id)` the title of the article that holds a place."""

    def __init__(self, book: Book, pages: Mapping[str, tuple[int, str]] | None) -> None:
        self.pages = pages or {}
        self.titles = {m.id: a.title for a in book.articles() for m in a.index_marks}

    def __call__(self, entry: Entry) -> list[LocatorGroup]:
        groups = group_pages(entry.locators, self.pages)
        if self.pages:
            return groups
        out, seen = [], set()
        for group in groups:  # without page numbers: one locator per article
            title = self.titles.get(group.first, "")
            if title not in seen:
                seen.add(title)
                out.append(group)
        return out

    def title(self, ident: str) -> str:
        return self.titles.get(ident, "")
