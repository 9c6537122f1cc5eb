"""Dates as the book's language writes them, from CLDR data (Babel).

Bindery keeps every date as ISO 8601 text (`2025-07-26`, or `2025-07`, `2025`
in the manifest); the templates show them through `long_date`: "26 July 2025"
in en-GB, "July 26, 2025" in en, "26 juillet 2025" in fr. A language CLDR does
not know falls back to its base language ("de-CH-x-foo" to "de"), and one with
no CLDR data at all keeps the ISO form, which every reader can read.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton

ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@functools.lru_cache(maxsize=32)
def cldr_locale(language: str) -> Locale | None:
    """The CLDR locale for a BCP 47 tag, its nearest known parent, or None."""
    subtags = language.replace("_", "-").split("-")
    while subtags:
        try:
            return Locale.parse("_".join(subtags), sep="_")
        except (UnknownLocaleError, ValueError, TypeError):
            subtags.pop()
    return None


def long_date(iso: str, language: str) -> str:
    """`iso` (YYYY, YYYY-MM or YYYY-MM-DD) written out in `language`; other text unchanged."""
    match = ISO_DATE.fullmatch(iso.strip())
    locale = cldr_locale(language)
    if match is None or locale is None:
        return iso
    year, month, day = match.groups()
    try:
        when = _dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return iso
    if day:
        return str(format_date(when, format="long", locale=locale))
    if month:
        return str(format_skeleton("yMMMM", when, locale=locale))
    return year
