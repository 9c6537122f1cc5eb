"""Reproducible builds: one clock (SOURCE_DATE_EPOCH) and normalised archives."""

from __future__ import annotations

import datetime as _dt
import io
import os
import zipfile

from bindery.diagnostics import BinderyError, Diagnostic

DEFAULT_EPOCH = 946684800  # 2000-01-01T00:00:00Z, when SOURCE_DATE_EPOCH is unset and the book has no date
# A zip entry's timestamp can say 1980 to 2107 only; a later build time
# (SOURCE_DATE_EPOCH=5000000000, a book dated 2150) is stamped as the last one.
ZIP_FIRST = _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)
ZIP_LAST = _dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=_dt.UTC)


def build_time(book_date: str | None = None) -> _dt.datetime:
    """The build's timestamp in UTC: SOURCE_DATE_EPOCH, else the book's date, else now (whole seconds)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is not None:
        try:
            return _dt.datetime.fromtimestamp(int(raw), tz=_dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise BinderyError(
                Diagnostic(
                    f"SOURCE_DATE_EPOCH={raw!r} is not a Unix timestamp",
                    hint="set it to whole seconds since 1970, e.g. $(git log -1 --format=%ct)",
                    code="env-source-date-epoch",
                )
            ) from None
    if book_date:  # YYYY, YYYY-MM or YYYY-MM-DD: its first day
        return _dt.datetime.fromisoformat((book_date + "-01-01")[:10]).replace(tzinfo=_dt.UTC)
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def publication_date(book_date: str | None) -> str:
    """The book's date as written in the manifest, else the build's day (YYYY-MM-DD): never empty."""
    return book_date or build_time().date().isoformat()


def normalise_epub(data: bytes, when: _dt.datetime) -> bytes:
    """Re-pack an EPUB: mimetype first and stored, fixed timestamps and modes."""
    stamp = min(max(when, ZIP_FIRST), ZIP_LAST).timetuple()[:6]
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = ["mimetype"] + [n for n in names if n != "mimetype"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, b"application/epub+zip")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, src.read(name), compresslevel=9)
    return out.getvalue()
