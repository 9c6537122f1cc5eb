"""Diagnostics: every problem Bindery reports has a place, a code and a fix.

A `Diagnostic` is one message
(`book.yaml:14: parts[0].chapters[2]: ... (hint) [code]`), with a stable code
per kind of problem (all listed in `bindery.diagnostic_codes` and
docs/DIAGNOSTICS.md). A `Report` collects them while a stage runs; warnings
travel on as a list of Diagnostics; a stage that found errors raises
`BinderyError`, which the command line turns into messages and an exit code,
never a traceback. Files are named relative to the working folder
(`bindery.paths.display_path`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

Severity = Literal["error", "warning"]
Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Diagnostic:
    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None
    hint: str | None = None
    severity: Severity = "error"
    code: str = field(kw_only=True)  # stable, one per kind of problem: see bindery.diagnostic_codes

    def __str__(self) -> str:
        place = ""
        if self.file:
            place = self.file + (f":{self.line}" if self.line else "") + ": "
        key = f"{self.key}: " if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        label = "warning: " if self.severity == "warning" else ""
        return f"{place}{label}{key}{self.message}{hint} [{self.code}]"


@dataclass(frozen=True)
class Check:
    """One rule of `bindery check` over one output: its verdict and what it found.

    `findings` are Diagnostics (typography, index); `details` are the text
    lines of outside tools (EPUBCheck, Ace) and of the PDF preflight.
    """

    name: str
    target: str
    status: Status
    summary: str
    details: tuple[str, ...] = field(default=())
    findings: tuple[Diagnostic, ...] = field(default=())

    def lines(self) -> tuple[str, ...]:
        """The details to print under the summary (a detail that only repeats the summary is left out)."""
        return tuple(d for d in self.details if d != self.summary) + tuple(str(f) for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "target": self.target, "status": self.status, "summary": self.summary, "details": list(self.lines())}

    def ignoring(self, codes: Iterable[str]) -> Check:
        """The check with ignored codes left out: a warning check named by an
        ignored code is skipped; findings with an ignored code are dropped."""
        skip = frozenset(codes)
        if self.status != "warn":
            return self
        if self.name in skip:
            return replace(self, status="skip", summary=f"ignored ({self.name}): {self.summary}", details=(), findings=())
        kept = tuple(f for f in self.findings if f.code not in skip)
        if len(kept) == len(self.findings):
            return self
        summary = f"{self.summary} ({len(self.findings) - len(kept)} ignored)"
        return replace(self, status="warn" if kept or self.details else "pass", summary=summary, findings=kept)


class BinderyError(Exception):
    """A failure the user can fix; carries every diagnostic found."""

    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass
class Report:
    """Collects diagnostics during a stage; warnings travel with the build."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, **where: object) -> None:
        self.diagnostics.append(Diagnostic(message, severity="error", **where))  # type: ignore[arg-type]

    def warn(self, message: str, **where: object) -> None:
        self.diagnostics.append(Diagnostic(message, severity="warning", **where))  # type: ignore[arg-type]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BinderyError(self.errors)


def without_ignored(diagnostics: Iterable[Diagnostic], ignore: Iterable[str]) -> list[Diagnostic]:
    """The diagnostics minus the warnings whose code is ignored; errors always stay."""
    skip = frozenset(ignore)
    return [d for d in diagnostics if d.severity == "error" or d.code not in skip]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, Click-style, or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


#: Folders a missing-file hint never searches: outputs, caches and hidden folders.
_NOT_SEARCHED = {"output", "node_modules", "__pycache__"}


def suggest_file(root: Path, wanted: str, limit: int = 2000) -> str | None:
    """A hint for a path in the book folder that does not exist, or None.

    A file of a close name in the same folder first (`chapters/intro.md` for
    `chapters/intro.md` misspelt); else a file of the same or a close name
    elsewhere in the book (`chapters/intro.md` for `intro.md`, the missing
    `chapters/` prefix); else the files the named folder holds.
    """
    target = PurePosixPath(wanted)
    folder = root / target.parent
    here = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    close = difflib.get_close_matches(target.name, here, n=1, cutoff=0.75)
    if close:
        return f"did you mean '{(target.parent / close[0]).as_posix()}'?"
    elsewhere: dict[str, list[str]] = {}
    for count, path in enumerate(_book_files(root)):
        if count >= limit:
            break
        elsewhere.setdefault(path.name, []).append(path.relative_to(root).as_posix())
    names = difflib.get_close_matches(target.name, list(elsewhere), n=1, cutoff=0.75)
    if names:
        return f"did you mean '{sorted(elsewhere[names[0]])[0]}'?"
    same_kind = [name for name in here if PurePosixPath(name).suffix == target.suffix]
    if same_kind:
        shown = ", ".join(same_kind[:5]) + (", ..." if len(same_kind) > 5 else "")
        where = f"{target.parent.as_posix()}/" if target.parent != PurePosixPath(".") else "the book folder"
        return f"{where} has: {shown}"
    return None


def _book_files(root: Path) -> Iterable[Path]:
    """Every file under root, breadth first, skipping hidden and output folders."""
    queue = [root]
    while queue:
        folder = queue.pop(0)
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in _NOT_SEARCHED:
                    queue.append(entry)
            elif entry.is_file():
                yield entry
