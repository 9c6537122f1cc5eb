"""The images a book shows, checked and read once while the model is assembled.

Every image an article shows must be a real, decodable file inside the book
folder and not hidden; the manifest's cover is read the same way. Builders
read only the `Asset`s made here, never the files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Protocol

from bindery.assets import ImageRefused, load_image, package_names
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest.schema import Manifest
from bindery.model.types import Asset
from bindery.paths import display_path


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
    problems = []
    loaded: dict[str, tuple[str, bytes]] = {}
    root = manifest.root.resolve()
    for art in articles:
        lines = dict(art.image_lines)
        name = display_path(manifest.root / art.source)
        for src in art.images:
            if src in loaded:
                continue
            try:
                full = (manifest.root / src).resolve()
            except RuntimeError:  # a link that leads back to itself
                hint = "point the link at a real image file"
                problems.append(
                    Diagnostic(
                        f"image '{src}' is a link that leads back to itself",
                        file=name,
                        line=lines.get(src),
                        hint=hint,
                        code="image-missing",
                    )
                )
                continue
            if full != root and root not in full.parents:
                hint = "copy the image into the book folder instead of linking to it"
                problems.append(
                    Diagnostic(
                        f"image '{src}' links to a file outside the book folder",
                        file=name,
                        line=lines.get(src),
                        hint=hint,
                        code="image-outside",
                    )
                )
            elif any(part.startswith(".") for part in (*PurePosixPath(src).parts, *full.relative_to(root).parts)):  # or where a link leads
                problems.append(
                    Diagnostic(
                        f"image '{src}' is in a hidden file or folder",
                        file=name,
                        line=lines.get(src),
                        hint="hidden files are never published; move the image into images/",
                        code="image-hidden",
                    )
                )
            elif not full.is_file():
                what = "is a folder or a pipe, not an image file" if full.exists() else "does not exist"
                hint = "check the path; it is relative to the article file"
                problems.append(Diagnostic(f"image '{src}' {what}", file=name, line=lines.get(src), hint=hint, code="image-missing"))
            else:
                removed: list[str] = []
                try:
                    loaded[src] = load_image(full, removed)
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
                except ImageRefused as bad:
                    problems.append(Diagnostic(f"image {bad.problem}", file=name, line=lines.get(src), hint=bad.hint, code="image-invalid"))
    if problems:
        raise BinderyError(problems)
    names = package_names(list(loaded))
    return tuple(Asset(src, names[src], media, data) for src, (media, data) in loaded.items())


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
