"""The base of the `book.yaml` validator: where errors go, unknown keys, text values."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bindery.diagnostics import Report, did_you_mean
from bindery.limits import check_text_length
from bindery.manifest.schema import ArticleRef
from bindery.yamlsource import LineMap, key_path


class ValidatorBase:
    """The state and helpers every part of the validator shares."""

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
        """`error` for the option readers of `options.py`, which pass the code by position."""
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
            self.error(path + (key,), f"must be text, not {kind_of(value)}", hint, code="manifest-type")
            return None
        if problem := check_text_length(key, value):
            self.error(path + (key,), *problem, code="manifest-too-long")
            return None
        value = value.strip()
        return value or None


def kind_of(value: Any) -> str:
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
