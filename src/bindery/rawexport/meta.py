"""Meta lines of a raw export: dates, bylines and reading times."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,5})?)?"
_DATE_FORMS = (
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}", re.I),
    re.compile(rf"{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}", re.I),
    re.compile(r"(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", re.I),
    re.compile(r"(?P<year>\d{4})/(?P<mon>\d{1,2})/(?P<day>\d{1,2})"),
)
_DATE_PREFIX = re.compile(
    r"(?:(?P<prefix>published|posted|updated|last\s+updated|last\s+modified|modified|first\s+published|"
    r"originally\s+published|date|dated)(?:\s+on)?\s*:?\s*)?(?P<rest>.+)",
    re.I,
)
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten"
_READING_TIME = re.compile(
    rf"(?:(?:estimated\s+)?read(?:ing)?\s+time\s*:?\s*)?(?:about\s+|~\s*)?(?:\d{{1,3}}|{_NUMBER_WORDS})"
    r"(?:\s*[-–]\s*|\s*)(?:min(?:ute)?s?)\.?(?P<read>\s+(?:read|reading|to\s+read))?",
    re.I,
)
_META_SPLIT = re.compile(r"(?<!\s)\s+[-–—|·•]\s+|(?<!\s)\s+[|·•]\s*|[|·•]\s*")  # a run's first space only: linear
_BYLINE = re.compile(
    r"(?:(?P<verb>published|written|posted|words|story|text|reported|reporting)\s+)?by\s*:?\s+(?P<rest>.+)"
    r"|(?:authors?|writer|written\s+by)\s*:\s*(?P<rest2>.+)",
    re.I,
)
_NAME = re.compile(r"[^\W\d_][\w'’.\- ]*")
_NAME_SUFFIXES = {"phd", "ph.d.", "md", "m.d.", "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "psyd", "edd", "rn", "lcsw", "lmft", "mft"}


def _parse_date(text: str) -> str | None:
    """The ISO date of a string that is only a date (any supported form)."""
    text = text.strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if not m:
            continue
        mon = m.group("mon")
        month = int(mon) if mon.isdigit() else _MONTHS[mon[:3].lower()]
        try:
            return _dt.date(int(m.group("year")), month, int(m.group("day"))).isoformat()
        except ValueError:
            return None
    return None


def _parse_dated(text: str) -> tuple[str, bool] | None:
    """(ISO date, is an 'updated' date) for 'Published July 26, 2025' and the like."""
    m = _DATE_PREFIX.fullmatch(text.strip())
    if not m:
        return None
    iso = _parse_date(m.group("rest"))
    if iso is None:
        return None
    prefix = (m.group("prefix") or "").lower()
    return iso, prefix in {"updated", "modified"} or prefix.startswith("last")


def _is_reading_time(text: str, *, need_read: bool = False) -> bool:
    m = _READING_TIME.fullmatch(text.strip())
    if m is None:
        return False
    return not need_read or bool(m.group("read")) or text.lower().startswith(("read", "estimated"))


def _split_names(text: str) -> list[str] | None:
    text = text.strip().rstrip(",;")
    if not text or len(text) > 120:
        return None
    pieces = [p.strip() for p in re.split(r"(?<!\s)(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", text) if p.strip()]
    names: list[str] = []
    for piece in pieces:
        if names and piece.lower() in _NAME_SUFFIXES:
            names[-1] = f"{names[-1]}, {piece}"
            continue
        words = piece.split()
        if not (1 <= len(words) <= 6 and len(piece) <= 60 and _NAME.fullmatch(piece) and piece[0].isupper()):
            return None
        if any(ch.isdigit() for ch in piece):
            return None
        names.append(piece)
    return names or None


@dataclass
class _Meta:
    date: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    reading_time: int = 0


def _parse_byline(text: str, meta: _Meta, allow_bare_by: bool) -> bool:
    m = _BYLINE.fullmatch(text.strip())
    if not m:
        return False
    if m.group("rest") is not None and not m.group("verb") and not allow_bare_by:
        return False
    rest = m.group("rest") if m.group("rest") is not None else m.group("rest2")
    # "By Ada Lovelace on July 26, 2025" / "By Ada Lovelace, 26 July 2025"
    words = rest.split(" ")
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        tail = re.sub(r"^on\s+", "", tail, flags=re.I)
        dated = _parse_dated(tail)
        if dated:
            names = _split_names(head.rstrip(" ,-–—"))
            if names:
                meta.authors.extend(names)
                _set_date(meta, dated)
                return True
    names = _split_names(rest)
    if not names:
        return False
    meta.authors.extend(names)
    return True


def _set_date(meta: _Meta, dated: tuple[str, bool]) -> None:
    iso, updated = dated
    if updated:
        meta.updated = meta.updated or iso
    else:
        meta.date = meta.date or iso


def _parse_meta(text: str, *, allow_bare_by: bool = True) -> _Meta | None:
    """A date / byline / reading-time line (parts may be joined by ' - ' or '|')."""
    if len(text) > 200:
        return None
    meta = _Meta()
    for part in _META_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        if _is_reading_time(part):
            meta.reading_time += 1
            continue
        dated = _parse_dated(part)
        if dated:
            _set_date(meta, dated)
            continue
        if _parse_byline(part, meta, allow_bare_by):
            continue
        return None
    if meta.date is None and meta.updated is None and not meta.authors:
        # a line that is only a reading time must say "read" ("5 minutes" may be a title)
        if not meta.reading_time or not _is_reading_time(text, need_read=True):
            return None
    return meta
