"""What the diagnostic codes allow: which may be ignored, and the docs table.

The codes themselves are `diagnostic_table.CODES`. `docs/DIAGNOSTICS.md` is
that table written out (`python3 -m bindery.diagnostic_codes > docs/DIAGNOSTICS.md`),
and `tests/test_diagnostic_codes.py` holds both to the source. Warnings and
checks can be ignored by code (`--ignore CODE`, `ignore_warnings:` in
book.yaml); errors cannot.
"""

from __future__ import annotations

from collections.abc import Iterable

from bindery.diagnostic_table import CODES, Code
from bindery.diagnostics import BinderyError, Diagnostic, did_you_mean

__all__ = ["CODES", "IGNORABLE", "Code", "check_ignorable", "ignore_problem", "markdown_table"]

IGNORABLE = frozenset(code for code, entry in CODES.items() if entry.severity != "error")


def ignore_problem(name: str) -> tuple[str, str] | None:
    """(message, hint) when `name` cannot be ignored (unknown, or an error's code); else None."""
    entry = CODES.get(name)
    if entry is None:
        return f"'{name}' is not a diagnostic code", did_you_mean(name, CODES) or "see docs/DIAGNOSTICS.md for the codes"
    if entry.severity == "error":
        return f"'{name}' is an error, not a warning", "errors cannot be ignored; fix the problem instead"
    return None


def check_ignorable(codes: Iterable[str]) -> None:
    """Raise a BinderyError naming every code of `--ignore` that cannot be ignored."""
    problems = [Diagnostic(f"--ignore: {p[0]}", hint=p[1], code="ignore-code") for p in map(ignore_problem, codes) if p]
    if problems:
        raise BinderyError(problems)


def markdown_table() -> str:
    """docs/DIAGNOSTICS.md: the table of every code."""
    head = (
        "# Diagnostic codes\n\n"
        "Every message Bindery prints ends with its code in brackets, e.g.\n"
        "`book.yaml:4: title: the book has no title (add a line such as 'title: My Book') [manifest-title-missing]`.\n"
        "Warnings and `bindery check` rules can be ignored by code: `--ignore CODE` (repeatable) on\n"
        "`bindery build` and `bindery check`, or `ignore_warnings: [CODE, ...]` in `book.yaml`. Ignored\n"
        "warnings are not shown and do not fail `--strict`. Errors cannot be ignored.\n\n"
        "Generated from `src/bindery/diagnostic_table.py` (`python3 -m bindery.diagnostic_codes > docs/DIAGNOSTICS.md`);\n"
        "`tests/test_diagnostic_codes.py` checks it against the source.\n\n"
        "| code | severity | what it means | what to do |\n"
        "|---|---|---|---|\n"
    )
    rows = (f"| `{c.code}` | {c.severity} | {c.meaning} | {c.fix} |\n" for c in CODES.values())
    return head + "".join(rows)


if __name__ == "__main__":
    print(markdown_table(), end="")
