"""Stage 1 of the pipeline: find and read `book.yaml`, then validate it into a `Manifest`.

Validation reports every problem in one run, each with its line, key path and
a hint; nothing downstream runs on an invalid manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bindery.diagnostics import BinderyError, Diagnostic, Report
from bindery.limits import MAX_MANIFEST_BYTES
from bindery.manifest.schema import Manifest
from bindery.manifest.validate import Validator
from bindery.manifest.vocabulary import MANIFEST_NAME
from bindery.paths import display_path
from bindery.textinput import decode_text, read_capped
from bindery.yamlsource import load_yaml


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
    return Validator(root, manifest_path, name, lines, report).manifest(data)
