"""The images a book shows, checked and read once while the model is assembled.

Every image an article shows must be a real, decodable file inside the book
folder and not hidden; the manifest's cover is read the same way. Builders
read only the `Asset`s made here, never the files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Protocol

from bindery.assets import ImageRefused, load_image, package_names
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest.schema import Manifest
from bindery.model.types import Asset
from bindery.paths import display_path, is_hidden


class ShowsImages(Protocol):
    """What the check reads of an article (`model.Article` has it)."""

    @property
    def source(self) -> str: ...

    @property
    def images(self) -> tuple[str, ...]: ...

    @property
    def image_lines(self) -> tuple[tuple[str, int | None], ...]: ...


def check_images(manifest: Manifest, warnings: list[Diagnostic], articles: Iterable[ShowsImages]) -> tuple[Asset, ...]:
    """Every image an article shows: a real, decodable image file inside the book folder.

    `sanitize` has already removed images on the web or outside the folder
    (with a warning); what is left is the author's own files, read once here."""
    problems: list[Diagnostic] = []
    loaded: dict[str, tuple[str, bytes]] = {}
    for art in articles:
        lines = dict(art.image_lines)
        name = display_path(manifest.root / art.source)
        for src in art.images:
            if src in loaded:
                continue
            full = _image_file(manifest.root, src, name, lines.get(src), problems)
            if full is None:
                continue
            removed: list[str] = []
            try:
                loaded[src] = load_image(full, removed)
            except ImageRefused as bad:
                problems.append(Diagnostic(f"image {bad.problem}", file=name, line=lines.get(src), hint=bad.hint, code="image-invalid"))
                continue
            if removed:
                left_out = ", ".join(dict.fromkeys(removed))
                warnings.append(
                    Diagnostic(
                        f"SVG image '{src}' was cleaned: {left_out if len(left_out) < 160 else left_out[:159] + '…'} removed",
                        file=name,
                        line=lines.get(src),
                        severity="warning",
                        hint="SVG images may hold shapes, text and colours, no scripts, styles or outside references",
                        code="image-svg-cleaned",
                    )
                )
    if problems:
        raise BinderyError(problems)
    names = package_names(list(loaded))
    return tuple(Asset(src, names[src], media, data) for src, (media, data) in loaded.items())


def _image_file(book: Path, src: str, name: str, line: int | None, problems: list[Diagnostic]) -> Path | None:
    """The file `src` names, judged by where a link leads; None, with a problem, when it cannot be published."""

    def refuse(what: str, hint: str, *, code: str) -> None:
        problems.append(Diagnostic(f"image '{src}' {what}", file=name, line=line, hint=hint, code=code))

    root = book.resolve()
    try:
        full = (book / src).resolve()
    except RuntimeError:  # a link that leads back to itself
        refuse("is a link that leads back to itself", "point the link at a real image file", code="image-missing")
        return None
    if full != root and root not in full.parents:
        refuse(
            "links to a file outside the book folder", "copy the image into the book folder instead of linking to it", code="image-outside"
        )
    elif is_hidden(book, src):
        refuse("is in a hidden file or folder", "hidden files are never published; move the image into images/", code="image-hidden")
    elif not full.is_file():
        what = "is a folder or a pipe, not an image file" if full.exists() else "does not exist"
        refuse(what, "check the path; it is relative to the article file", code="image-missing")
    else:
        return full
    return None


def cover_asset(manifest: Manifest) -> Asset | None:
    cover = manifest.metadata.cover
    if not cover:
        return None
    try:
        media, data = load_image(manifest.root / cover)
    except ImageRefused as bad:
        raise BinderyError(
            Diagnostic(
                f"the cover image {bad.problem}", file=display_path(manifest.root / "book.yaml"), hint=bad.hint, code="manifest-cover"
            )
        ) from None
    return Asset(cover, "images/cover" + PurePosixPath(cover).suffix.lower(), media, data)
