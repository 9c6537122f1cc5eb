"""What WeasyPrint may read while it lays the print edition out: the book's checked images and the
template folders' fonts, styles and pictures, nothing else (dotfiles, `.git`, unlisted files,
http, attachments are refused and reported by the layout)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from bindery.model import Book

# Files a template folder may give WeasyPrint: fonts, stylesheets and pictures, never anything else.
TEMPLATE_FILE_TYPES = frozenset({".ttf", ".otf", ".woff", ".woff2", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})


class BookURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves WeasyPrint exactly the files the book model lists, and nothing else.

    `assets`: the images the model checked (`Book.assets`), by absolute path in
    the book folder; their checked bytes are served, never the file read again.
    `template_dirs`: fonts, styles and pictures of the template folders. Every
    other URL (dotfiles, `.git`, any unlisted file, http, attachments) is refused."""

    def __init__(self, assets: dict[Path, tuple[str, bytes]], template_dirs: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.assets = {path.resolve(): served for path, served in assets.items()}
        self.template_dirs = [p.resolve() for p in template_dirs]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            path = file_url_path(url)
            if path in self.assets:
                media_type, data = self.assets[path]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            if self.template_file(path):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise URLFetchingError(f"refused to fetch {url}: only the book's checked images, fonts and styles are used")

    def template_file(self, path: Path) -> bool:
        """`path` (resolved) is a font, style or picture of the template folders, and no dotfile."""
        for root in self.template_dirs:
            if root in path.parents:
                inside = path.relative_to(root).parts
                return path.suffix.lower() in TEMPLATE_FILE_TYPES and not any(p.startswith(".") for p in inside) and path.is_file()
        return False


def file_url_path(url: str) -> Path:
    """The file a `file:` URL names, as the fetcher reads it: query and fragment dropped, `..`
    and links followed."""
    return Path(url2pathname(unquote(url.split("?")[0].split("#")[0].removeprefix("file:")))).resolve()


def book_fetcher(book: Book, template_dirs: list[Path]) -> BookURLFetcher:
    root = Path(book.root)
    listed = [*book.assets, *([book.cover] if book.cover else [])]
    return BookURLFetcher({root / a.source: (a.media_type, a.data) for a in listed}, template_dirs)
