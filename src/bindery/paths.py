"""How the project names files and books: general helpers used by every stage."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

from bindery.limits import cap_slug


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return cap_slug(re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")) or "book"


def is_hidden(root: Path, rel: str) -> bool:
    """Whether `rel`, a file inside the book folder `root`, is hidden (a name starting with "."),
    as written or where a link leads: hidden files are never published."""
    leads_to = (root / rel).resolve().relative_to(root.resolve())
    return any(part.startswith(".") for part in (*PurePosixPath(rel).parts, *leads_to.parts))
