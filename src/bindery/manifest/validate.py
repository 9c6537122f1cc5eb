"""The `book.yaml` validator: the top level, metadata and the book's structure.

Validation reports every problem in one run, each with its line, key path and
a hint; the file checks and the `pdf:`/`epub:` sections live in the mixins
this class joins.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from bindery.diagnostic_codes import ignore_problem
from bindery.diagnostics import did_you_mean
from bindery.limits import shorten
from bindery.manifest.checker import kind_of
from bindery.manifest.files import FileChecks
from bindery.manifest.options import accessibility_claim, navigation_settings
from bindery.manifest.print_settings import PrintSettingsChecks
from bindery.manifest.schema import Author, ChapterSpec, Manifest, MatterSpec, Metadata, PartSpec
from bindery.manifest.vocabulary import BACK_TYPES, FRONT_TYPES, FURTHER_READING, LANG_RE, ROLES, TOP_KEYS, FurtherReadingMode, MatterKind
from bindery.paths import slugify
from bindery.textinput import is_visible


class Validator(FileChecks, PrintSettingsChecks):
    """Reads a parsed `book.yaml` into a `Manifest`, collecting every problem in its report."""

    # -- sections ------------------------------------------------------
    def manifest(self, data: Mapping[str, Any]) -> Manifest:
        self.unknown_keys(data, TOP_KEYS, ())
        metadata = self.metadata(data)
        front = self.matter(data.get("front_matter"), "front_matter", FRONT_TYPES)
        parts = self.structure(data)
        back = self.matter(data.get("back_matter"), "back_matter", BACK_TYPES)
        further = self.text(data, "further_reading") or "appendix"
        if further not in FURTHER_READING:
            self.error(("further_reading",), f"'{further}' is not a choice", "use " + " | ".join(FURTHER_READING), code="manifest-choice")
        pdf = self.pdf(data.get("pdf"))
        slug = self.pdf_stem(data.get("pdf")) or (slugify(metadata.title) if metadata.title else "book")
        epub = self.epub(data.get("epub"), slug)
        navigation = navigation_settings(data.get("navigation"), self.positional_error)
        ignore = self.ignore_warnings(data.get("ignore_warnings"))
        self.report.raise_if_errors()
        return Manifest(
            root=self.root,
            path=self.path,
            slug=slug,
            metadata=metadata,
            front_matter=front,
            parts=parts,
            back_matter=back,
            further_reading=FurtherReadingMode(further),
            pdf=pdf,
            epub=epub,
            navigation=navigation,
            lines=self.lines,
            index=self.index,
            ignore_warnings=ignore,
        )

    def metadata(self, data: Mapping[str, Any]) -> Metadata:
        title = self.text(data, "title")
        if "title" not in data:
            self.report.error(
                "the book has no title",
                file=self.name,
                line=1,
                key="title",
                hint="add a line such as 'title: My Book'",
                code="manifest-title-missing",
            )
        elif isinstance(data["title"], str | None) and not is_visible(title):  # a title of another type is reported as such
            hint = "write the title the book's cover and contents show, e.g. 'title: My Book'"
            self.error(("title",), "the book's title is empty (nothing a reader could see)", hint, code="manifest-title-missing")
        authors = self.authors(data.get("authors"))
        language = self.text(data, "language") or "en"
        if not LANG_RE.match(language):
            self.error(
                ("language",), f"'{language}' is not a BCP 47 language tag", "use a tag such as en, en-GB, fr", code="manifest-language"
            )
        publisher = self.text(data, "publisher")
        date = self.date(data.get("date"))
        subjects = self.string_list(data.get("subjects"), ("subjects",))
        series, position = self.series(data.get("series"))
        identifier = self.text(data, "identifier")
        derived = identifier is None
        if identifier is None:
            seed = "\x1f".join([title or "", *(a.name for a in authors), publisher or "", date or "", language])
            identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'bindery:' + seed)}"
        else:
            identifier = self.identifier(identifier)
        cover = self.text(data, "cover")
        self.cover(cover)
        return Metadata(
            title=title or "",
            subtitle=self.text(data, "subtitle"),
            authors=authors,
            language=language,
            identifier=identifier,
            identifier_derived=derived,
            publisher=publisher,
            date=date,
            rights=self.text(data, "rights"),
            description=self.text(data, "description"),
            subjects=subjects,
            series=series,
            series_position=position,
            cover=cover,
            accessibility=accessibility_claim(data.get("accessibility"), self.positional_error),
        )

    def authors(self, value: Any) -> tuple[Author, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(("authors",), f"must be a list of names, not {kind_of(value)}", "e.g. authors: [Ada Lovelace]", code="manifest-type")
            return ()
        out = []
        for i, item in enumerate(value):
            path: tuple[str | int, ...] = ("authors", i)
            if isinstance(item, str) and item.strip():
                out.append(Author(item.strip()))
            elif isinstance(item, Mapping):
                self.unknown_keys(item, ("name", "role"), path)
                name = self.text(item, "name", path)
                role = self.text(item, "role", path) or "author"
                if not name:
                    self.error(path + ("name",), "an author needs a name", code="manifest-key-missing")
                    continue
                if role not in ROLES:
                    self.error(
                        path + ("role",),
                        f"unknown role '{role}'",
                        did_you_mean(role, ROLES) or "use " + ", ".join(ROLES),
                        code="manifest-author-role",
                    )
                    continue
                out.append(Author(name, ROLES[role]))
            else:
                self.error(path, f"an author must be a name or {{name, role}}, not {kind_of(item)}", code="manifest-type")
        return tuple(out)

    def date(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, _dt.datetime):
            return value.date().isoformat()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, (str, int)) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(value)):
            try:  # a day the calendar has: 2026-02-30 and 2026-13 are not
                _dt.date.fromisoformat((str(value) + "-01-01")[:10])
            except ValueError:
                self.error(
                    ("date",), f"'{value}' is not a day of the calendar", "write a real date as YYYY-MM-DD", code="manifest-bad-date"
                )
                return None
            return str(value)
        self.error(("date",), f"'{shorten(str(value))}' is not a date", "write it as YYYY-MM-DD", code="manifest-bad-date")
        return None

    def identifier(self, value: str) -> str:
        bare = re.sub(r"^(urn:)?(isbn:|uuid:)", "", value, flags=re.I)
        digits = bare.replace("-", "").replace(" ", "")
        if re.fullmatch(r"97[89]\d{10}", digits):
            total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
            if (10 - total % 10) % 10 != int(digits[12]):
                self.error(
                    ("identifier",), f"ISBN {value} has a wrong check digit", "copy the ISBN again from your agency", code="manifest-isbn"
                )
            return f"urn:isbn:{digits}"
        try:
            return f"urn:uuid:{uuid.UUID(bare)}"
        except ValueError:
            pass
        if re.fullmatch(r"[\w:.\-/]+", value):
            return value
        self.error(
            ("identifier",),
            f"'{shorten(value)}' is neither an ISBN-13 nor a UUID",
            "leave it out to derive a UUID",
            code="manifest-identifier",
        )
        return value

    def string_list(self, value: Any, path: tuple[str | int, ...]) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.error(path, "must be a list of words or phrases", "e.g. subjects: [Publishing, Typography]", code="manifest-type")
            return ()
        return tuple(str(v) for v in value)

    def ignore_warnings(self, value: Any) -> tuple[str, ...]:
        codes = self.string_list(value, ("ignore_warnings",))
        for i, code in enumerate(codes):
            if problem := ignore_problem(code):
                self.error(("ignore_warnings", i), *problem, code="manifest-ignore-code")
        return codes

    def series(self, value: Any) -> tuple[str | None, int | None]:
        if value is None:
            return None, None
        if isinstance(value, str):
            return value, None
        if not isinstance(value, Mapping):
            self.error(("series",), "must be a name or {name, position}", code="manifest-type")
            return None, None
        self.unknown_keys(value, ("name", "position"), ("series",))
        position = value.get("position")
        if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 1):
            self.error(("series", "position"), "must be a whole number from 1", "e.g. position: 2", code="manifest-series-position")
            position = None
        return self.text(value, "name", ("series",)), position

    def matter(self, value: Any, key: str, kinds: tuple[str, ...]) -> tuple[MatterSpec, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(
                (key,), "must be a list of {file, type} entries", f"e.g. - {{file: chapters/x.md, type: {kinds[0]}}}", code="manifest-type"
            )
            return ()
        out = []
        for i, item in enumerate(value):
            path: tuple[str | int, ...] = (key, i)
            if isinstance(item, str):
                item = {"file": item, "type": kinds[0] if key == "back_matter" else "preface"}
            if not isinstance(item, Mapping):
                self.error(path, f"must be {{file, type}}, not {kind_of(item)}", code="manifest-type")
                continue
            self.unknown_keys(item, ("file", "type"), path)
            kind = self.text(item, "type", path) or ("appendix" if key == "back_matter" else "preface")
            if kind not in kinds:
                self.error(
                    path + ("type",),
                    f"unknown type '{kind}'",
                    did_you_mean(kind, kinds) or "use one of " + ", ".join(kinds),
                    code="manifest-matter-type",
                )
                continue
            if kind == "index":
                self.unknown_keys(item, ("type",), path)
                self.index = True
                continue
            if "file" not in item:
                self.error(path, "needs a file", "e.g. file: chapters/preface.md", code="manifest-key-missing")
                continue
            ref = self.article(item.get("file"), path + ("file",))
            if ref:
                out.append(MatterSpec(MatterKind(kind), ref))
        return tuple(out)

    def structure(self, data: Mapping[str, Any]) -> tuple[PartSpec, ...]:
        if "parts" in data and "chapters" in data:
            self.error(
                ("chapters",),
                "a book has either 'parts' or top-level 'chapters', not both",
                "move these chapters into a part",
                code="manifest-structure",
            )
        if "parts" in data:
            parts_value = data["parts"]
            if not isinstance(parts_value, list) or not parts_value:
                self.error(("parts",), "must be a non-empty list of parts", "each part has a title and chapters", code="manifest-structure")
                return ()
            return self.parts(parts_value)
        if "chapters" in data:
            chapters = self.chapters(data["chapters"], ("chapters",))
            if not chapters:
                self.error(("chapters",), "the book has no chapters", "list article files under 'chapters:'", code="manifest-empty")
                return ()
            return (PartSpec(None, chapters, self.lines.line(("chapters",))),)
        self.report.error(
            "the book has no chapters",
            file=self.name,
            line=1,
            key="chapters",
            hint="add 'chapters:' with article files, or 'parts:'",
            code="manifest-empty",
        )
        return ()

    def chapters(self, value: Any, path: tuple[str | int, ...]) -> tuple[ChapterSpec, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(
                path,
                f"must be a list of chapters, not {kind_of(value)}",
                "each chapter is a file, or {title, articles}",
                code="manifest-type",
            )
            return ()
        out = []
        for i, item in enumerate(value):
            chapter = self.chapter(item, path + (i,))
            if chapter is not None:
                out.append(chapter)
        return tuple(out)

    def chapter(self, item: Any, cpath: tuple[str | int, ...]) -> ChapterSpec | None:
        """One entry of a chapters list: a file, {file, title} or {title, articles}."""
        if isinstance(item, str):
            ref = self.article(item, cpath)
            return ChapterSpec(None, (ref,), self.lines.line(cpath)) if ref else None
        if not isinstance(item, Mapping):
            self.error(cpath, f"a chapter must be a file or {{title, articles}}, not {kind_of(item)}", code="manifest-type")
            return None
        if "file" in item and "articles" not in item:
            self.unknown_keys(item, ("file", "title"), cpath)
            ref = self.article(item.get("file"), cpath + ("file",))
            return ChapterSpec(self.text(item, "title", cpath), (ref,), self.lines.line(cpath)) if ref else None
        self.unknown_keys(item, ("title", "articles"), cpath)
        title = self.text(item, "title", cpath)
        if not title:
            self.error(cpath, "a chapter that groups articles needs a title", "add 'title: ...'", code="manifest-key-missing")
        articles = item.get("articles")
        if not isinstance(articles, list) or not articles:
            self.error(cpath + ("articles",), "a grouped chapter needs a non-empty list of article files", code="manifest-empty")
            return None
        refs = [self.article(a, cpath + ("articles", j)) for j, a in enumerate(articles)]
        kept = tuple(r for r in refs if r)
        return ChapterSpec(title, kept, self.lines.line(cpath)) if kept and title else None

    def parts(self, parts_value: list[Any]) -> tuple[PartSpec, ...]:
        """The parts list of a book: each {title, chapters}, none empty."""
        parts = []
        for i, part in enumerate(parts_value):
            path: tuple[str | int, ...] = ("parts", i)
            if not isinstance(part, Mapping):
                self.error(path, f"a part must be {{title, chapters}}, not {kind_of(part)}", code="manifest-type")
                continue
            self.unknown_keys(part, ("title", "chapters"), path)
            title = self.text(part, "title", path)
            if not title:
                self.error(path, "a part needs a title", "add 'title: ...' to this part", code="manifest-key-missing")
            chapters = self.chapters(part.get("chapters"), path + ("chapters",))
            if not chapters and isinstance(part.get("chapters"), list) and part.get("chapters"):
                continue  # its chapters were reported already
            if not chapters:
                self.error(
                    path, f"part '{title or i + 1}' is empty", "list its chapters under 'chapters:' or remove it", code="manifest-empty"
                )
                continue
            parts.append(PartSpec(title or "", chapters, self.lines.line(path)))
        return tuple(parts)
