"""What a build cache key is made of: `key_of` (sha256 of the inputs, length-prefixed, with the code
fingerprint), `code_fingerprint` (Bindery's code and built-in templates, Python's and the libraries'
versions) and `book_templates_digest` (a book's own template files)."""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from bindery import __version__
from bindery.cache_files import read_regular_file

# The libraries whose output a cached value may hold; their versions are part of every key.
_LIBRARIES = (
    "markdown",
    "pyyaml",
    "tinyhtml5",
    "jinja2",
    "babel",
    "lxml",
    "ebooklib",
    "weasyprint",
    "pydyf",
    "tinycss2",
    "pillow",
    "pyuca",
)


def key_of(*parts: str | bytes) -> str:
    """The sha256 hex of `parts` (each length-prefixed, so ("ab", "c") and ("a", "bc") differ) and the code fingerprint."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 hex of what produced a cached value: Bindery's version, every file of its package and
    built-in templates, Python's version and the libraries' versions. A changed line of Bindery is a new cache."""
    from bindery.templating import default_templates_dir

    digest = hashlib.sha256(f"bindery {__version__}\npython {sys.version}\n".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    package = Path(__file__).resolve().parent
    for folder, pattern in ((package, "*.py"), (default_templates_dir(), "*")):
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def book_templates_digest(book_root: Path) -> str:
    """sha256 hex of the book's own `templates/` folder (names and bytes of its regular files):
    for a key whose value depends on template files (fonts, overrides) beyond one rendered text."""
    digest = hashlib.sha256()
    folder = book_root / "templates"
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        data = read_regular_file(path, limit=1 << 30)
        if data is not None:
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()
