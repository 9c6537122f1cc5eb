"""Per-article work kept in the build cache: reading an article and rendering its Markdown.

`source_reader(cache)` and `markdown_renderer(cache)` are drop-in
replacements for `sources.read_source` and `content.render_markdown` that
the pipeline hands to `read_sources` and `assemble_book`; those stages never
know about the cache. Keys are the article's bytes (or its Markdown body)
plus every other input of the function (its paths and names as messages
show them, the ids of every article of the book, the heading depth) and
`build_cache.key_of`'s code fingerprint. Values are the function's result
and warnings as JSON (`cache_codec`); results with errors are never stored.
Editing one article therefore re-reads and re-renders that article only.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bindery import cache_codec
from bindery.build_cache import BuildCache
from bindery.cache_keys import key_of
from bindery.content import RenderedArticle, render_markdown
from bindery.diagnostics import BinderyError, Diagnostic, Report
from bindery.manifest import ArticleRef, display_path
from bindery.sources import Source, read_source
from bindery.textinput import read_capped

SourceReader = Callable[[Path, ArticleRef, Report], Source]
MarkdownRenderer = Callable[..., RenderedArticle]
T = TypeVar("T")
V = TypeVar("V")
MAX_DECODED = 4096  # decoded values kept per process (two per article)


@dataclass(frozen=True)
class _CachedSource:
    source: Source
    warnings: tuple[Diagnostic, ...]


def source_reader(cache: BuildCache | None) -> SourceReader:
    """`read_source`, reusing the cached `Source` of a file whose bytes did not change."""
    if cache is None:
        return read_source

    def read(root: Path, ref: ArticleRef, report: Report) -> Source:
        name = display_path(root / ref.path)
        try:
            data = read_capped(root / ref.path, name)
        except BinderyError:
            return read_source(root, ref, report)  # says what is wrong with the file
        digest = hashlib.sha256(data).hexdigest()
        key = key_of("source", str(root), ref.path, name, digest)
        cached = _load(cache, key, _CachedSource)
        if cached is not None and cached.source.digest == digest and cached.source.path == ref.path:
            report.diagnostics.extend(cached.warnings)
            return cached.source
        local = Report()
        try:
            source = read_source(root, ref, local)
        finally:
            report.diagnostics.extend(local.diagnostics)
        if source.digest == digest and not local.errors:  # the file did not change while it was read
            _store(cache, key, _CachedSource(source, tuple(local.diagnostics)))
        return source

    return read


def markdown_renderer(cache: BuildCache | None) -> MarkdownRenderer:
    """`render_markdown`, reusing the cached rendering of a body rendered with the same inputs."""
    if cache is None:
        return render_markdown
    ids_digest: dict[int, tuple[Mapping[str, str], str]] = {}  # the book's article ids, hashed once per build

    def render(
        text: str,
        *,
        prefix: str,
        heading_offset: int,
        source: str,
        body_line: int,
        name: str | None = None,
        articles: Mapping[str, str] | None = None,
    ) -> RenderedArticle:
        ids = articles or {}
        known = ids_digest.get(id(ids))
        if known is None or known[0] is not ids:
            known = (ids, hashlib.sha256(json.dumps(sorted(ids.items())).encode()).hexdigest())
            ids_digest[id(ids)] = known
        key = key_of("markdown", text, prefix, str(heading_offset), source, str(body_line), name or "", known[1])
        cached = _load(cache, key, RenderedArticle)
        if cached is not None:
            return cached
        rendered = render_markdown(
            text, prefix=prefix, heading_offset=heading_offset, source=source, body_line=body_line, name=name, articles=articles
        )
        if not any(d.severity == "error" for d in rendered.warnings):
            _store(cache, key, rendered)
        return rendered

    return render


def _load(cache: BuildCache, key: str, kind: type[T]) -> T | None:
    """The value under `key` (with `keep_decoded`, decoded once per process; each caller gets its own copy)."""
    known = cache.decoded.get(key)
    if isinstance(known, kind):
        cache.stats.hits += 1
        return _private(known)
    data = cache.get(key)
    if data is None:
        return None
    try:
        value = cache_codec.decode(data, kind)
    except ValueError:
        cache.stats.rejected += 1
        return None
    _keep(cache, key, value)
    return value


def _store(cache: BuildCache, key: str, value: object) -> None:
    cache.put(key, cache_codec.encode(value))
    _keep(cache, key, value)


def _keep(cache: BuildCache, key: str, value: object) -> None:
    """Keep a private copy of `value` for the next build in this process (the preview's worker)."""
    if not cache.keep_decoded:
        return
    if len(cache.decoded) >= MAX_DECODED:
        cache.decoded.clear()  # a long preview session: start over rather than grow
    cache.decoded[key] = _private(value)


def _private(value: V) -> V:
    """A copy no caller can change the kept value through: a frozen dataclass as it is (its fields are
    frozen dataclasses, tuples and text), else a shallow copy whose lists and dicts are copied too
    (a `RenderedArticle`'s lists hold frozen dataclasses)."""
    params = getattr(value, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return value
    duplicate = copy.copy(value)
    for name, field_value in vars(duplicate).items():
        if isinstance(field_value, (list, dict)):
            setattr(duplicate, name, copy.copy(field_value))
    return duplicate
