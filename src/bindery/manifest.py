"""Stage 1 of the pipeline: read and validate `book.yaml` into a `Manifest`.

Validation reports every problem in one run, each with its line, key path and
a hint; nothing downstream runs on an invalid manifest.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bindery.diagnostic_codes import ignore_problem
from bindery.diagnostics import BinderyError, Diagnostic, Report, did_you_mean, suggest_file
from bindery.limits import MAX_MANIFEST_BYTES, cap_slug, check_file_name, check_path_length, check_text_length, shorten
from bindery.manifest_options import AccessibilityClaim, NavigationSettings, accessibility_claim, navigation_settings
from bindery.output_names import output_names
from bindery.printspec import MIN_OUTSIDE_WITH_BLEED_IN, PAPERS
from bindery.sanitize import check_image_file
from bindery.textinput import decode_text, read_capped
from bindery.yamlsource import LineMap, key_path, load_yaml

MANIFEST_NAME = "book.yaml"

FRONT_TYPES = ("dedication", "epigraph", "foreword", "preface", "introduction", "prologue")
BACK_TYPES = (
    "appendix",
    "afterword",
    "epilogue",
    "glossary",
    "bibliography",
    "acknowledgments",
    "about-the-author",
    "colophon",
    "index",  # generated from the articles' index marks; it takes no file
)
ROLES = {
    "author": "aut",
    "editor": "edt",
    "translator": "trl",
    "illustrator": "ill",
    "contributor": "ctb",
    "foreword": "aui",
}
FURTHER_READING = ("appendix", "inline", "omit")

# Named trim sizes, in inches (width, height).
TRIM_SIZES: dict[str, tuple[float, float]] = {
    "5x8": (5.0, 8.0),
    "5.06x7.81": (5.06, 7.81),
    "5.25x8": (5.25, 8.0),
    "5.5x8.5": (5.5, 8.5),
    "6x9": (6.0, 9.0),
    "6.14x9.21": (6.14, 9.21),
    "7x10": (7.0, 10.0),
    "8x10": (8.0, 10.0),
    "8.5x11": (8.5, 11.0),
    "a5": (148 / 25.4, 210 / 25.4),
    "a4": (210 / 25.4, 297 / 25.4),
}
TRIM_LIMITS_IN = (3.0, 14.0)
UNITS_IN = {"in": 1.0, "mm": 1 / 25.4, "cm": 1 / 2.54, "pt": 1 / 72, "pc": 1 / 6}

TOP_KEYS = (
    "title",
    "subtitle",
    "authors",
    "language",
    "identifier",
    "publisher",
    "date",
    "rights",
    "description",
    "subjects",
    "series",
    "cover",
    "front_matter",
    "parts",
    "chapters",
    "back_matter",
    "further_reading",
    "pdf",
    "epub",
    "accessibility",
    "navigation",
    "ignore_warnings",
)
PDF_KEYS = ("filename", "trim", "margins", "font_size", "profile", "bleed", "crop_marks", "paper")
PDF_PROFILES = ("digital", "print")
MARGIN_KEYS = ("top", "bottom", "inside", "outside")
EPUB_KEYS = ("filename",)
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Author:
    name: str
    role: str = "aut"  # MARC relator code


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str | None
    authors: tuple[Author, ...]
    language: str
    identifier: str
    identifier_derived: bool
    publisher: str | None
    date: str | None
    rights: str | None
    description: str | None
    subjects: tuple[str, ...]
    series: str | None
    series_position: int | None
    cover: str | None
    accessibility: AccessibilityClaim | None = None  # who evaluated the book: without it, no conformance claim

    @property
    def author_names(self) -> str:
        names = [a.name for a in self.authors if a.role == "aut"] or [a.name for a in self.authors]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + ", and " + names[-1]


@dataclass(frozen=True)
class ArticleRef:
    """One article file named by the manifest, with the line that names it."""

    path: str  # relative to the book folder, POSIX form
    line: int
    key: str


@dataclass(frozen=True)
class MatterSpec:
    kind: str
    article: ArticleRef


@dataclass(frozen=True)
class ChapterSpec:
    title: str | None  # set for a titled group of articles
    articles: tuple[ArticleRef, ...]
    line: int


@dataclass(frozen=True)
class PartSpec:
    title: str | None  # None: chapters listed without parts
    chapters: tuple[ChapterSpec, ...]
    line: int


@dataclass(frozen=True)
class PdfSettings:
    trim_name: str
    width_in: float
    height_in: float
    margin_top_in: float = 0.75
    margin_bottom_in: float = 0.75
    margin_inside_in: float = 0.875
    margin_outside_in: float = 0.625
    font_size_pt: float = 10.5
    profile: str = "digital"  # digital: bookmarks, links, PDF/UA-1 | print: for a print-on-demand upload
    bleed: bool = False
    crop_marks: bool = False
    paper: str = "white"  # white | cream: sets the spine width of the print cover
    inside_given: bool = False  # margins.inside set in the manifest (else the print gutter band decides)


@dataclass(frozen=True)
class EpubSettings:
    filename: str


@dataclass(frozen=True)
class Manifest:
    root: Path
    path: Path
    slug: str
    metadata: Metadata
    front_matter: tuple[MatterSpec, ...]
    parts: tuple[PartSpec, ...]
    back_matter: tuple[MatterSpec, ...]
    further_reading: str
    pdf: PdfSettings
    epub: EpubSettings
    navigation: NavigationSettings = NavigationSettings()
    lines: LineMap = field(repr=False, compare=False, default=LineMap({}))
    index: bool = False  # back_matter has {type: index}: the book ends with an index
    ignore_warnings: tuple[str, ...] = ()  # warning codes not shown and not failing --strict

    @property
    def has_parts(self) -> bool:
        return any(p.title is not None for p in self.parts)

    def article_refs(self) -> list[ArticleRef]:
        refs = [m.article for m in self.front_matter]
        refs += [a for p in self.parts for c in p.chapters for a in c.articles]
        refs += [m.article for m in self.back_matter]
        return refs


def find_manifest(path: Path) -> Path:
    """The manifest for a book folder or a manifest file given by the user."""
    path = path.expanduser()
    if path.is_dir():
        candidate = path / MANIFEST_NAME
        if not candidate.is_file():
            raise BinderyError(
                Diagnostic(
                    f"no {MANIFEST_NAME} in this folder",
                    file=str(path),
                    hint="run 'bindery new DIR' to start a book, or pass the manifest file",
                    code="manifest-missing",
                )
            )
        return candidate
    if not path.is_file():
        raise BinderyError(Diagnostic("no such file or folder", file=str(path), hint="check the path", code="manifest-missing"))
    return path


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return cap_slug(re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")) or "book"


def load_manifest(path: Path) -> Manifest:
    manifest_path = find_manifest(path)
    root = manifest_path.parent.resolve()
    name = display_path(manifest_path)
    text = decode_text(read_capped(manifest_path, name, MAX_MANIFEST_BYTES, "book.yaml"), name)
    data, lines, duplicates = load_yaml(text, name)
    report = Report(list(duplicates))
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise BinderyError(
            Diagnostic(
                "the manifest must be a mapping of keys such as 'title:' and 'parts:'",
                file=name,
                line=1,
                hint="see docs/FORMATS.md",
                code="manifest-type",
            )
        )
    return _Validator(root, manifest_path, name, lines, report).manifest(data)


class _Validator:
    def __init__(self, root: Path, path: Path, name: str, lines: LineMap, report: Report) -> None:
        self.root = root
        self.path = path
        self.name = name
        self.lines = lines
        self.report = report
        self.seen_articles: dict[str, ArticleRef] = {}
        self.index = False

    # -- helpers -------------------------------------------------------
    def error(self, path: tuple[str | int, ...], message: str, hint: str | None = None, *, code: str) -> None:
        self.report.error(message, file=self.name, line=self.lines.line(path), key=key_path(path) or None, hint=hint, code=code)

    def positional_error(self, path: tuple[str | int, ...], message: str, hint: str | None, code: str) -> None:
        """`error` for the option readers of `manifest_options`, which pass the code by position."""
        self.error(path, message, hint, code=code)

    def unknown_keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], path: tuple[str | int, ...]) -> None:
        for key in data:
            if str(key) not in allowed:
                hint = did_you_mean(str(key), allowed) or "allowed keys: " + ", ".join(allowed)
                self.error(path + (str(key),), "unknown key", hint, code="manifest-unknown-key")

    def text(self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...] = ()) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, (_dt.date, int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            hint = "write the text on one line after the colon"
            self.error(path + (key,), f"must be text, not {_kind(value)}", hint, code="manifest-type")
            return None
        if problem := check_text_length(key, value):
            self.error(path + (key,), *problem, code="manifest-too-long")
            return None
        value = value.strip()
        return value or None

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
            further_reading=further,
            pdf=pdf,
            epub=epub,
            navigation=navigation,
            lines=self.lines,
            index=self.index,
            ignore_warnings=ignore,
        )

    def metadata(self, data: Mapping[str, Any]) -> Metadata:
        title = self.text(data, "title")
        if not title and "title" not in data:
            self.report.error(
                "the book has no title",
                file=self.name,
                line=1,
                key="title",
                hint="add a line such as 'title: My Book'",
                code="manifest-title-missing",
            )
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
        if cover and self.book_path(cover, ("cover",), "cover image") and (bad := check_image_file(self.root / cover)):
            self.error(("cover",), f"the cover image {bad[0]}", bad[1], code="manifest-cover")
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
            self.error(("authors",), f"must be a list of names, not {_kind(value)}", "e.g. authors: [Ada Lovelace]", code="manifest-type")
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
                self.error(path, f"an author must be a name or {{name, role}}, not {_kind(item)}", code="manifest-type")
        return tuple(out)

    def date(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, _dt.datetime):
            return value.date().isoformat()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, (str, int)) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(value)):
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

    def book_path(self, value: str, path: tuple[str | int, ...], what: str) -> str | None:
        """A path inside the book folder, or an error naming the problem."""
        posix = value.replace("\\", "/")
        if problem := check_path_length(posix, what):
            self.error(path, *problem, code="manifest-too-long")
            return None
        pure = PurePosixPath(posix)
        if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", posix) or "://" in posix:
            self.error(
                path,
                f"{what} '{value}' is outside the book folder",
                "keep every file inside the book folder and use a relative path",
                code="manifest-outside",
            )
            return None
        full = self.root / pure
        real = full.resolve()
        if real != self.root and self.root not in real.parents:
            hint = "copy the file into the book folder instead of linking to it"
            self.error(path, f"{what} '{value}' is a link to a file outside the book folder", hint, code="manifest-outside")
            return None
        if full.is_dir():
            inside = [str(p.relative_to(self.root).as_posix()) for p in sorted(full.glob("*.md")) if p.is_file()]
            hint = f"name one of its files, e.g. '{inside[0]}'" if inside else "name a file, not a folder"
            self.error(path, f"{what} '{value}' is a folder, not a file", hint, code="manifest-missing-file")
            return None
        if not full.is_file():
            hint = suggest_file(self.root, pure.as_posix()) or "check the file name; paths are relative to the book folder"
            self.error(path, f"{what} '{value}' does not exist", hint, code="manifest-missing-file")
            return None
        return str(pure)

    def article(self, value: Any, path: tuple[str | int, ...]) -> ArticleRef | None:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"an article must be a file path, not {_kind(value)}", "e.g. chapters/intro.md", code="manifest-type")
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
                self.error(path, f"must be {{file, type}}, not {_kind(item)}", code="manifest-type")
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
                out.append(MatterSpec(kind, ref))
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
            parts = []
            for i, part in enumerate(parts_value):
                path: tuple[str | int, ...] = ("parts", i)
                if not isinstance(part, Mapping):
                    self.error(path, f"a part must be {{title, chapters}}, not {_kind(part)}", code="manifest-type")
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
                f"must be a list of chapters, not {_kind(value)}",
                "each chapter is a file, or {title, articles}",
                code="manifest-type",
            )
            return ()
        out = []
        for i, item in enumerate(value):
            cpath = path + (i,)
            if isinstance(item, str):
                ref = self.article(item, cpath)
                if ref:
                    out.append(ChapterSpec(None, (ref,), self.lines.line(cpath)))
                continue
            if not isinstance(item, Mapping):
                self.error(cpath, f"a chapter must be a file or {{title, articles}}, not {_kind(item)}", code="manifest-type")
                continue
            if "file" in item and "articles" not in item:
                self.unknown_keys(item, ("file", "title"), cpath)
                ref = self.article(item.get("file"), cpath + ("file",))
                if ref:
                    out.append(ChapterSpec(self.text(item, "title", cpath), (ref,), self.lines.line(cpath)))
                continue
            self.unknown_keys(item, ("title", "articles"), cpath)
            title = self.text(item, "title", cpath)
            if not title:
                self.error(cpath, "a chapter that groups articles needs a title", "add 'title: ...'", code="manifest-key-missing")
            articles = item.get("articles")
            if not isinstance(articles, list) or not articles:
                self.error(cpath + ("articles",), "a grouped chapter needs a non-empty list of article files", code="manifest-empty")
                continue
            refs = [self.article(a, cpath + ("articles", j)) for j, a in enumerate(articles)]
            kept = tuple(r for r in refs if r)
            if kept and title:
                out.append(ChapterSpec(title, kept, self.lines.line(cpath)))
        return tuple(out)

    def length(self, value: Any, path: tuple[str | int, ...], default_unit: str = "in") -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) * UNITS_IN[default_unit]
        if isinstance(value, str):
            m = re.fullmatch(r"(?<!\s)\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(in|mm|cm|pt|pc)?\s*", value)
            if m:
                return float(m.group(1)) * UNITS_IN[m.group(2) or default_unit]
        self.error(
            path, f"'{shorten(str(value))}' is not a length", "write a number with a unit: 0.75in, 18mm, 54pt", code="manifest-length"
        )
        return None

    def trim(self, value: Any) -> tuple[str, float, float] | None:
        path = ("pdf", "trim")
        raw = str(value).strip().lower().replace(" ", "")
        if raw in TRIM_SIZES:
            w, h = TRIM_SIZES[raw]
            return raw, w, h
        m = re.fullmatch(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(in|mm|cm)?[x×]([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(in|mm|cm)?", raw)
        if not m:
            self.error(
                path,
                f"'{shorten(str(value))}' is not a trim size",
                "use a named size (" + ", ".join(TRIM_SIZES) + ") or '140mm x 216mm'",
                code="manifest-trim",
            )
            return None
        unit = m.group(4) or m.group(2) or "in"
        w = float(m.group(1)) * UNITS_IN[m.group(2) or unit]
        h = float(m.group(3)) * UNITS_IN[m.group(4) or unit]
        low, high = TRIM_LIMITS_IN
        if not (low <= w <= high and low <= h <= high):
            self.error(
                path,
                f"trim {shorten(str(value))} is {w:.2f} x {h:.2f} in, outside what printers make",
                f"width and height must be between {low:g} and {high:g} in",
                code="manifest-trim",
            )
            return None
        if w > h:
            self.error(path, f"trim {shorten(str(value))} is wider than tall", "give width x height, e.g. 6x9", code="manifest-trim")
            return None
        return str(value), w, h

    def pdf(self, value: Any) -> PdfSettings:
        default = PdfSettings("6x9", 6.0, 9.0)
        if value is None:
            return default
        if not isinstance(value, Mapping):
            self.error(("pdf",), f"must be a mapping, not {_kind(value)}", "e.g. pdf: {trim: 6x9}", code="manifest-type")
            return default
        self.unknown_keys(value, PDF_KEYS, ("pdf",))
        trim = self.trim(value["trim"]) if "trim" in value else ("6x9", 6.0, 9.0)
        name, w, h = trim or ("6x9", 6.0, 9.0)
        margins = {"top": 0.75, "bottom": 0.75, "inside": 0.875, "outside": 0.625}
        given = value.get("margins")
        if given is not None:
            if not isinstance(given, Mapping):
                self.error(("pdf", "margins"), "must be a mapping of top, bottom, inside, outside", code="manifest-type")
            else:
                self.unknown_keys(given, MARGIN_KEYS, ("pdf", "margins"))
                for key in MARGIN_KEYS:
                    if key in given:
                        length = self.length(given[key], ("pdf", "margins", key))
                        if length is not None:
                            if not 0.25 <= length <= min(w, h) / 4:
                                self.error(
                                    ("pdf", "margins", key),
                                    f"{length:.3f} in is not a usable margin",
                                    f"use between 0.25in and {min(w, h) / 4:.2f}in",
                                    code="manifest-margin",
                                )
                            margins[key] = length
        size = 10.5
        if "font_size" in value:
            length = self.length(value["font_size"], ("pdf", "font_size"), "pt")
            if length is not None:
                size = length * 72
                if not 7 <= size <= 16:
                    self.error(
                        ("pdf", "font_size"), f"{size:g}pt is not a body text size", "use between 7pt and 16pt", code="manifest-font-size"
                    )
        profile = self.choice(value, "profile", PDF_PROFILES)
        paper = self.choice(value, "paper", tuple(PAPERS))
        bleed = self.flag(value, "bleed")
        crop_marks = self.flag(value, "crop_marks")
        if bleed and isinstance(given, Mapping):
            for key in ("top", "bottom", "outside"):
                if key in given and margins[key] < MIN_OUTSIDE_WITH_BLEED_IN:
                    self.error(
                        ("pdf", "margins", key),
                        f"{margins[key]:.3f} in is too narrow for a page that bleeds",
                        f"use at least {MIN_OUTSIDE_WITH_BLEED_IN}in with bleed: true",
                        code="manifest-margin",
                    )
        inside_given = isinstance(given, Mapping) and "inside" in given
        return PdfSettings(
            name,
            w,
            h,
            margins["top"],
            margins["bottom"],
            margins["inside"],
            margins["outside"],
            size,
            profile,
            bleed,
            crop_marks,
            paper,
            inside_given,
        )

    def choice(self, value: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
        given = self.text(value, key, ("pdf",))
        if given is None:
            return choices[0]
        if given not in choices:
            self.error(
                ("pdf", key),
                f"'{given}' is not a choice",
                did_you_mean(given, choices) or "use " + " | ".join(choices),
                code="manifest-choice",
            )
            return choices[0]
        return given

    def flag(self, value: Mapping[str, Any], key: str) -> bool:
        given = value.get(key, False)
        if not isinstance(given, bool):
            self.error(("pdf", key), f"must be true or false, not {_kind(given)}", f"e.g. {key}: true", code="manifest-type")
            return False
        return given

    def epub(self, value: Any, slug: str) -> EpubSettings:
        default = EpubSettings(output_names(slug).epub)
        if value is None:
            return default
        if not isinstance(value, Mapping):
            self.error(("epub",), f"must be a mapping, not {_kind(value)}", "e.g. epub: {filename: book.epub}", code="manifest-type")
            return default
        self.unknown_keys(value, EPUB_KEYS, ("epub",))
        filename = self.text(value, "filename", ("epub",))
        if filename is None:
            return default
        if problem := check_file_name(filename, ".epub"):
            self.error(("epub", "filename"), *problem, code="manifest-epub-filename")
            return default
        return EpubSettings(filename)

    def pdf_stem(self, value: Any) -> str | None:
        """`pdf.filename` without `.pdf`: it names the PDF and its cover (`NAME-cover.pdf`)."""
        if not isinstance(value, Mapping) or value.get("filename") is None:
            return None
        filename = self.text(value, "filename", ("pdf",))
        if filename is None:
            return None
        if problem := check_file_name(filename, ".pdf"):
            self.error(("pdf", "filename"), *problem, code="manifest-pdf-filename")
            return None
        return filename[: -len(".pdf")]


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
    }.get(type(value), type(value).__name__)
