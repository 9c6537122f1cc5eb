"""One entry of an article's "Related articles" list: the one type for the
front matter (`bindery.sources`), raw exports (`bindery.rawexport`) and the
cross references (`bindery.xref`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RelatedSpec:
    """One entry of an article's "Related articles" list, as written."""

    summary: str
    date: str | None = None  # ISO 8601 yyyy-mm-dd
    category: str | None = None
    ref: str | None = None  # an explicit article id or file
    line: int | None = field(default=None, compare=False)  # where the entry is written, for messages
    title: str | None = None  # the other article's title, shown in further reading
    url: str | None = None  # where it is on the web (http or https), shown in further reading
