"""`bindery check`: validate what `build` wrote (building first when it is missing).

The options and the report; which checks run on which outputs is
`bindery.checks.run` (EPUBCheck and Ace on the EPUB, the print preflight on
the PDF and, in the print profile, on the cover spread, the typographic
preflight of the PDF's pages, the index rule). Exit code 1 when any check
failed; warnings fail too with --strict; skipped checks never.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from bindery.checks.results import Check
from bindery.checks.run import build_and_check, plan_checks
from bindery.commands.common import reports_errors
from bindery.commands.progress import StageDisplay
from bindery.diagnostic_codes import check_ignorable
from bindery.manifest import Manifest

MARKS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}


def count_line(checks: list[Check]) -> str:
    """`7 passed, 1 warning, 0 failed, 1 skipped`: the last line of the report."""
    parts = []
    for status, label in (("pass", "passed"), ("warn", "warning"), ("fail", "failed"), ("skip", "skipped")):
        n = sum(c.status == status for c in checks)
        parts.append(f"{n} {label}{'s' if status == 'warn' and n != 1 else ''}")
    return ", ".join(parts)


@click.command("check")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the outputs are (default: output/ in the book folder).",
)
@click.option("--build", "rebuild", is_flag=True, help="Build first even when the outputs exist.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report for machines.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (typographic findings included).")
@click.option("--ignore", "ignore", multiple=True, metavar="CODE", help="Leave out warnings and checks with this code (repeatable).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def check_command(
    path: Path, output: Path | None, rebuild: bool, as_json: bool, strict: bool, ignore: tuple[str, ...], debug: bool
) -> None:
    """Check the EPUB and print PDF of the book in PATH: EPUBCheck, Ace, print preflight."""
    check_ignorable(ignore)
    plan = plan_checks(path, output, rebuild)
    manifest, outputs, built = plan.manifest, plan.outputs, plan.builds_first
    if built and not as_json:
        click.echo(f"building first: {plan.build_reason}", err=True)
    with StageDisplay(quiet=as_json) as progress:  # a spinner on a terminal only
        checks = [c.ignoring((*ignore, *manifest.ignore_warnings)) for c in build_and_check(plan, progress)]
    failed = [c for c in checks if c.status == "fail" or (strict and c.status == "warn")]
    if as_json:
        click.echo(json_report(manifest, outputs, checks, strict=strict, built=built, ok=not failed))
    else:
        click.echo(text_report(manifest, checks))
    if failed:
        sys.exit(1)


def json_report(manifest: Manifest, outputs: Mapping[str, Path], checks: list[Check], *, strict: bool, built: bool, ok: bool) -> str:
    """The --json report: the book, what was checked and every check's result."""
    report = {
        "book": manifest.metadata.title,
        "profile": manifest.pdf.profile,
        "strict": strict,
        "built": built,
        "outputs": {k: str(v) for k, v in outputs.items()},
        "ok": ok,
        "counts": {s: sum(c.status == s for c in checks) for s in ("pass", "warn", "fail", "skip")},
        "checks": [c.as_dict() for c in checks],
    }
    return json.dumps(report, indent=2, ensure_ascii=False)


def text_report(manifest: Manifest, checks: list[Check]) -> str:
    """The report for people: checks grouped by output, details of failures and warnings, the counts."""
    out = [f"Checking “{manifest.metadata.title}” ({manifest.pdf.profile} PDF profile)"]
    target = None
    for check in checks:
        if check.target != target:
            target = check.target
            out.append(f"  {target}")
        out.append(f"    {MARKS[check.status]}  {check.name}: {check.summary}")
        for detail in check.lines()[:10] if check.status in ("fail", "warn") else ():
            out.append(f"            {detail}")
    out.append(f"  {count_line(checks)}")
    return "\n".join(out)
