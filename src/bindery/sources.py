"""Stage 2: read every article the manifest names into a `Source`.

An article is Markdown with YAML front matter. A raw web export (a `.txt`
file) is parsed by `bindery.rawexport`, the same code as `bindery import`,
and becomes a `Source` straight from the parsed export: its body is the
Markdown `bindery import` would write, with a map from each body line to the
line of the `.txt` file, so every problem is reported at the file's own line.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bindery.diagnostics import BinderyError, Diagnostic, Report, did_you_mean
from bindery.limits import MAX_RELATED_ENTRIES, check_nesting, check_text_length, shorten
from bindery.manifest import ArticleRef, Manifest, display_path
from bindery.rawexport import ImportedArticle, NotAnArticleError, parse_export
from bindery.rawexport.writer import body_markdown
from bindery.related_entry import RelatedSpec as RelatedSpec
from bindery.textinput import decode_text as decode_text
from bindery.textinput import read_capped
from bindery.yamlsource import LineMap, key_path, load_yaml

FRONT_MATTER_KEYS = ("title", "summary", "date", "authors", "category", "related", "source", "id", "index")
RELATED_KEYS = ("summary", "date", "category", "ref", "title", "url")
RAW_EXPORT_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class Source:
    path: str  # relative to the book folder
    title: str
    summary: str | None
    date: str | None
    authors: tuple[str, ...]
    category: str | None
    related: tuple[RelatedSpec, ...]
    body: str  # Markdown
    body_line: int  # line of the file where the body starts
    explicit_id: str | None
    digest: str  # sha256 of the file's bytes
    id_line: int | None = None  # line of the `id:` key, for messages
    index_terms: tuple[str, ...] = ()  # front matter `index:`: index entries for the whole article
    body_lines: tuple[int, ...] = ()  # line of the file of each body line, when the file is not Markdown (a raw export)

    def file_line(self, line: int | None) -> int | None:
        """The line of the file for a line counted from `body_line` through `body`."""
        if line is None or not self.body_lines:
            return line
        offset = line - self.body_line
        return self.body_lines[min(max(offset, 0), len(self.body_lines) - 1)]

    def at_file_lines(self, name: str, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
        """Diagnostics about the body (file `name`) moved to the lines of the file."""
        if not self.body_lines:
            return list(diagnostics)
        return [replace(d, line=self.file_line(d.line)) if d.file == name else d for d in diagnostics]


@dataclass(frozen=True)
class Sources:
    """Stage 2's value: every article of the book, and what reading them warned about."""

    by_path: Mapping[str, Source]  # keyed by the path book.yaml gives, in the manifest's order
    warnings: tuple[Diagnostic, ...] = ()


def read_sources(manifest: Manifest, *, reader: Callable[[Path, ArticleRef, Report], Source] | None = None) -> Sources:
    """Every article of the book, keyed by its path; all errors in one report.

    `reader` reads one article (default `read_source`; the build cache hands in
    its own, `article_cache.source_reader`)."""
    read = reader or read_source
    report = Report()
    sources: dict[str, Source] = {}
    for ref in manifest.article_refs():
        try:
            sources[ref.path] = read(manifest.root, ref, report)
        except BinderyError as exc:
            report.diagnostics.extend(exc.diagnostics)
    report.raise_if_errors()
    return Sources(sources, tuple(report.warnings))


def read_source(root: Path, ref: ArticleRef, report: Report) -> Source:
    name = display_path(root / ref.path)
    data = read_capped(root / ref.path, name)
    digest = hashlib.sha256(data).hexdigest()
    text = decode_text(data, name)
    if not text.strip():
        raise BinderyError(
            Diagnostic("is empty", file=name, line=1, hint="write the article, or remove it from book.yaml", code="source-empty")
        )
    if ref.path.lower().endswith(RAW_EXPORT_SUFFIXES):  # notes.TXT too, as `bindery import` takes it
        return replace(source_from_export(text, name, digest), path=ref.path)
    return replace(parse_markdown_article(text, name, digest, report), path=ref.path)


def source_from_export(text: str, name: str, digest: str) -> Source:
    """A raw export as a Source, every line in messages a line of the export."""
    try:
        article = parse_export(text, name)
    except NotAnArticleError as exc:
        raise BinderyError(
            Diagnostic(f"is not an article export: {exc.problem}", file=name, line=exc.line, hint=exc.hint, code="import-not-article")
        ) from None
    body = body_markdown(article) + "\n"
    # Block i is Markdown line 2i + 1 (then a blank line): both map to the block's line of the export.
    body_lines = tuple(line for line in article.paragraph_lines for _ in range(2))
    try:
        check_nesting(body, name, 1)
    except BinderyError as exc:
        raise BinderyError([replace(d, line=body_lines[(d.line or 1) - 1]) for d in exc.diagnostics]) from None
    local = Report()
    source = Source(
        path=name,
        title=_export_text(local, name, "title", article.title, article.title_line) or "",
        summary=_export_text(local, name, "summary", article.summary, article.summary_line),
        date=article.date,
        authors=article.authors,
        category=_export_text(local, name, "category", article.category, article.category_line),
        related=_export_related(local, name, article),
        body=body,
        body_line=1,
        explicit_id=None,
        digest=digest,
        body_lines=body_lines,
    )
    local.raise_if_errors()
    return source


def _export_text(report: Report, name: str, key: str, value: str | None, line: int | None, path: str = "") -> str | None:
    """A text of the export as the front matter would read it: length checked, spaces collapsed."""
    if value is None:
        return None
    if problem := check_text_length(key, value):
        report.error(problem[0], file=name, line=line, key=path + key, hint=problem[1], code="source-length")
        return None
    return " ".join(value.split()) or None


def _export_related(report: Report, name: str, article: ImportedArticle) -> tuple[RelatedSpec, ...]:
    if len(article.related) > MAX_RELATED_ENTRIES:
        report.error(
            f"the related-articles list has {len(article.related):,} entries; an article may list at most {MAX_RELATED_ENTRIES:,}",
            file=name,
            line=article.related[0].line,
            hint="keep the related articles that matter most",
            code="source-related",
        )
        return ()
    out = []
    for i, entry in enumerate(article.related):
        path = f"related[{i}]."
        summary = _export_text(report, name, "summary", entry.summary, entry.line, path)
        if summary:
            category = _export_text(report, name, "category", entry.category, entry.line, path)
            out.append(replace(entry, summary=summary, category=category))
    return tuple(out)


FENCE = re.compile(r"^---[ \t]*$", re.M)


def split_front_matter(text: str, name: str) -> tuple[str, str, int]:
    """(front matter YAML, body, line where the body starts)."""
    if not text.startswith("---"):
        raise BinderyError(
            Diagnostic(
                "has no front matter",
                file=name,
                line=1,
                hint="start the file with a '---' line, 'title: ...', and another '---' line",
                code="source-front-matter",
            )
        )
    first = text.split("\n", 1)
    if first[0].strip() != "---":
        raise BinderyError(Diagnostic("the first line must be exactly '---'", file=name, line=1, code="source-front-matter"))
    rest = first[1] if len(first) > 1 else ""
    end = FENCE.search(rest)
    if not end:
        raise BinderyError(
            Diagnostic(
                "the front matter is never closed",
                file=name,
                line=1,
                hint="add a line with '---' after the front matter",
                code="source-front-matter",
            )
        )
    yaml_text = rest[: end.start()]
    body = rest[end.end() :].lstrip("\n")
    consumed = text[: len(text) - len(body)]
    return yaml_text, body, consumed.count("\n") + 1


def parse_markdown_article(text: str, name: str, digest: str, report: Report) -> Source:
    yaml_text, body, body_line = split_front_matter(text, name)
    check_nesting(body, name, body_line)
    data, lines, duplicates = load_yaml(yaml_text, name, line_offset=1)
    report.diagnostics.extend(duplicates)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise BinderyError(
            Diagnostic(
                "front matter must be 'key: value' lines", file=name, line=2, hint="e.g. title: My Article", code="source-front-matter"
            )
        )
    local = Report()
    fm = _FrontMatter(name, lines, local)
    for key in data:
        if str(key) not in FRONT_MATTER_KEYS:
            local.warn(
                "unknown front matter key, ignored",
                file=name,
                line=lines.line((str(key),)),
                key=str(key),
                hint=did_you_mean(str(key), FRONT_MATTER_KEYS) or "known keys: " + ", ".join(FRONT_MATTER_KEYS),
                code="source-unknown-key",
            )
    title = fm.text(data, "title")
    if not title:
        misspelt = [str(k) for k in data if str(k) not in FRONT_MATTER_KEYS and did_you_mean(str(k), ["title"])]
        local.error(
            "the article has no title",
            file=name,
            line=lines.line((misspelt[0],)) if misspelt else lines.line(("title",)),
            key="title",
            hint=f"'{misspelt[0]}:' is not a known key; did you mean 'title'?" if misspelt else "add 'title: ...' to the front matter",
            code="source-front-matter",
        )
    source = Source(
        path=name,
        title=title or "",
        summary=fm.text(data, "summary"),
        date=fm.date(data.get("date"), ("date",)),
        authors=fm.names(data.get("authors")),
        category=fm.text(data, "category"),
        related=fm.related(data.get("related")),
        body=body,
        body_line=body_line,
        explicit_id=fm.text(data, "id"),
        id_line=lines.line(("id",)) if "id" in data else None,
        digest=digest,
        index_terms=fm.names(data.get("index"), "index"),
    )
    report.diagnostics.extend(local.warnings)
    local.raise_if_errors()
    if not body.strip():
        report.warn(
            "the article has no body text",
            file=name,
            line=body_line,
            hint="write the article below the front matter",
            code="source-empty-body",
        )
    return source


class _FrontMatter:
    def __init__(self, name: str, lines: LineMap, report: Report) -> None:
        self.name = name
        self.lines = lines
        self.report = report

    def error(self, path: tuple[str | int, ...], message: str, hint: str | None = None, *, code: str) -> None:
        self.report.error(message, file=self.name, line=self.lines.line(path), key=key_path(path), hint=hint, code=code)

    def text(self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...] = ()) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float, _dt.date)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            kind = {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)
            self.error(path + (key,), f"must be text, not {kind}", "put the text on one line after the colon", code="source-type")
            return None
        if problem := check_text_length(key, value):
            self.error(path + (key,), *problem, code="source-length")
            return None
        return " ".join(value.split()) or None

    def web_address(self, data: Mapping[str, Any], path: tuple[str | int, ...]) -> str | None:
        url = self.text(data, "url", path)
        if url is not None and not re.match(r"https?://[^\s/]+\.[^\s]*$", url):
            self.error(
                path + ("url",),
                f"'{url}' is not a web address",
                "write the full address, e.g. url: https://example.org/article",
                code="source-related",
            )
            return None
        return url

    def date(self, value: Any, path: tuple[str | int, ...]) -> str | None:
        if value is None:
            return None
        if isinstance(value, _dt.datetime):
            return value.date().isoformat()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return _dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:  # "2025-02-29": quoted, YAML does not check it
                self.error(
                    path, f"'{value.strip()}' is not a day of the calendar", "write a real date as YYYY-MM-DD", code="source-bad-date"
                )
                return None
        self.error(path, f"'{shorten(str(value))}' is not a date", "write dates as YYYY-MM-DD", code="source-bad-date")
        return None

    def names(self, value: Any, key: str = "authors") -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value)
        example = "index: [Manifest, Cover!spine width]" if key == "index" else "authors: [Ada Lovelace]"
        self.error(
            (key,),
            f"must be {'a term or a list of terms' if key == 'index' else 'a name or a list of names'}",
            f"e.g. {example}",
            code="source-type",
        )
        return ()

    def related(self, value: Any) -> tuple[RelatedSpec, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(("related",), "must be a list of entries", "each entry is '- summary: ...'", code="source-related")
            return ()
        if len(value) > MAX_RELATED_ENTRIES:
            self.error(
                ("related",),
                f"has {len(value):,} entries; an article may list at most {MAX_RELATED_ENTRIES:,}",
                "keep the related articles that matter most",
                code="source-related",
            )
            return ()
        out = []
        for i, item in enumerate(value):
            path: tuple[str | int, ...] = ("related", i)
            if isinstance(item, str):
                item = {"summary": item}
            if not isinstance(item, Mapping):
                self.error(
                    path, "must be an entry with a summary", "e.g. - summary: What the other article is about", code="source-related"
                )
                continue
            for key in item:
                if str(key) not in RELATED_KEYS:
                    self.error(
                        path + (str(key),),
                        "unknown key",
                        did_you_mean(str(key), RELATED_KEYS) or "use " + ", ".join(RELATED_KEYS),
                        code="source-related",
                    )
            summary = self.text(item, "summary", path)
            if not summary:
                self.error(path, "a related entry needs a summary", "add 'summary: ...'", code="source-related")
                continue
            out.append(
                RelatedSpec(
                    summary=summary,
                    date=self.date(item.get("date"), path + ("date",)),
                    category=self.text(item, "category", path),
                    ref=self.text(item, "ref", path),
                    line=self.lines.line(path),
                    title=self.text(item, "title", path),
                    url=self.web_address(item, path),
                )
            )
        return tuple(out)
