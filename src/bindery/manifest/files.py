"""The validator's file checks: paths inside the book folder, article files, the cover image."""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath
from typing import Any

from bindery.assets import check_image_file
from bindery.diagnostics import suggest_file
from bindery.limits import check_path_length
from bindery.manifest.checker import ValidatorBase, kind_of
from bindery.manifest.schema import ArticleRef
from bindery.paths import is_hidden
from bindery.yamlsource import key_path


class FileChecks(ValidatorBase):
    def cover(self, value: str | None) -> None:
        """The cover image: a file inside the book folder that is an image Bindery can read."""
        if not value or not (rel := self.book_path(value, ("cover",), "cover image")):
            return
        if is_hidden(self.root, rel):
            hint = "hidden files are never published; move the cover into images/"
            self.error(("cover",), f"the cover image '{value}' is in a hidden file or folder", hint, code="manifest-cover")
        elif bad := check_image_file(self.root / rel):
            self.error(("cover",), f"the cover image {bad[0]}", bad[1], code="manifest-cover")

    def book_path(self, value: str, path: tuple[str | int, ...], what: str) -> str | None:
        """A path inside the book folder, or an error naming the problem."""
        posix = value.replace("\\", "/")
        if problem := check_path_length(posix, what):
            self.error(path, *problem, code="manifest-too-long")
            return None
        pure = PurePosixPath(posixpath.normpath(posix))  # chapters/../chapters/a.md is chapters/a.md
        if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", posix) or "://" in posix:
            self.error(
                path,
                f"{what} '{value}' is outside the book folder",
                "keep every file inside the book folder and use a relative path",
                code="manifest-outside",
            )
            return None
        if self._file_refused(pure, f"{what} '{value}'", path):
            return None
        return str(pure)

    def _file_refused(self, pure: PurePosixPath, named: str, path: tuple[str | int, ...]) -> bool:
        """True, with an error, when the file at `pure` cannot be read as one inside the book."""
        full = self.root / pure
        try:
            real, is_dir, is_file = full.resolve(), full.is_dir(), full.is_file()
            inside = [str(p.relative_to(self.root).as_posix()) for p in sorted(full.glob("*.md")) if p.is_file()] if is_dir else []
        except (OSError, RuntimeError) as exc:  # a link that points back at itself, a folder that cannot be read
            reason = "a link that leads back to itself" if isinstance(exc, RuntimeError) else exc.strerror or type(exc).__name__
            hint = "point the link at a real file, or give the folder read permission"
            self.error(path, f"{named} cannot be read: {reason}", hint, code="manifest-missing-file")
        else:
            if real != self.root and self.root not in real.parents:
                hint = "copy the file into the book folder instead of linking to it"
                self.error(path, f"{named} is a link to a file outside the book folder", hint, code="manifest-outside")
            elif is_dir:
                hint = f"name one of its files, e.g. '{inside[0]}'" if inside else "name a file, not a folder"
                self.error(path, f"{named} is a folder, not a file", hint, code="manifest-missing-file")
            elif not is_file:
                hint = suggest_file(self.root, pure.as_posix()) or "check the file name; paths are relative to the book folder"
                self.error(
                    path,
                    f"{named} {'is a pipe or a device, not a file' if full.exists() else 'does not exist'}",
                    hint,
                    code="manifest-missing-file",
                )
            else:
                return False
        return True

    def article(self, value: Any, path: tuple[str | int, ...]) -> ArticleRef | None:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"an article must be a file path, not {kind_of(value)}", "e.g. chapters/intro.md", code="manifest-type")
            return None
        rel = self.book_path(value.strip(), path, "article")
        if rel is None:
            return None
        ref = ArticleRef(rel, self.lines.line(path), key_path(path))
        if rel in self.seen_articles:
            first = self.seen_articles[rel]
            self.error(
                path,
                f"'{rel}' is already used at line {first.line} ({first.key})",
                "an article may appear only once in a book",
                code="manifest-duplicate",
            )
            return None
        self.seen_articles[rel] = ref
        return ref
