"""One copy of each font in the joined PDF (stub)."""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf


def merge_fonts(out: pikepdf.Pdf, sources: Sequence[pikepdf.Pdf]) -> None:
    return None
