"""`bindery check`: validate what `build` wrote (building first when it is missing).

EPUBCheck and Ace on the EPUB, a print preflight on the PDF and, in the
print profile, on the cover spread (see `bindery.preflight`), and the
typographic preflight of the PDF's pages (`bindery.typography`). Exit code 1
when any check failed; warnings fail too with --strict; skipped checks never.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from pypdf import PdfReader

from bindery.commands.common import reports_errors
from bindery.commands.progress import StageDisplay
from bindery.diagnostic_codes import check_ignorable
from bindery.indexing.check import check_index
from bindery.manifest import Manifest, load_manifest
from bindery.output_names import output_names
from bindery.pipeline import build
from bindery.preflight import Check, preflight_cover, preflight_pdf, run_ace, run_epubcheck
from bindery.typography import typography_checks

MARKS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}


def expected_outputs(manifest: Manifest, output_dir: Path) -> dict[str, Path]:
    names = output_names(manifest.slug, manifest.epub.filename)
    outputs = {"epub": output_dir / names.epub, "pdf": output_dir / names.pdf}
    if manifest.pdf.profile == "print":
        outputs["cover"] = output_dir / names.cover
    return outputs


def run_checks(manifest: Manifest, outputs: dict[str, Path]) -> list[Check]:
    checks = [run_epubcheck(outputs["epub"]), run_ace(outputs["epub"])]
    checks += preflight_pdf(outputs["pdf"], manifest.pdf)
    checks += typography_checks(outputs["pdf"], manifest)  # one check per rule; findings are warnings
    if "cover" in outputs:
        try:
            pages = len(PdfReader(outputs["pdf"]).pages)
        except Exception:  # noqa: BLE001 (reported by the PDF preflight already)
            pages = 0
        checks += preflight_cover(outputs["cover"], manifest.pdf, pages)
    checks.append(check_index(manifest.path))
    return checks


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
    manifest = load_manifest(path)
    output_dir = output if output is not None else manifest.root / "output"
    outputs = expected_outputs(manifest, output_dir)
    built = rebuild or not all(p.is_file() for p in outputs.values())
    if built and not as_json:
        click.echo("building first: " + ("--build given" if rebuild else "outputs missing in " + str(output_dir)), err=True)
    with StageDisplay(quiet=as_json) as progress:  # a spinner on a terminal only
        if built:
            build(path, ("epub", "pdf"), output_dir, progress=progress)
        progress("checking: EPUBCheck, Ace and the print preflight")
        checks = [c.ignoring((*ignore, *manifest.ignore_warnings)) for c in run_checks(manifest, outputs)]
    failed = [c for c in checks if c.status == "fail" or (strict and c.status == "warn")]
    if as_json:
        report = {
            "book": manifest.metadata.title,
            "profile": manifest.pdf.profile,
            "strict": strict,
            "built": built,
            "outputs": {k: str(v) for k, v in outputs.items()},
            "ok": not failed,
            "counts": {s: sum(c.status == s for c in checks) for s in ("pass", "warn", "fail", "skip")},
            "checks": [c.as_dict() for c in checks],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(f"Checking “{manifest.metadata.title}” ({manifest.pdf.profile} PDF profile)")
        target = None
        for check in checks:
            if check.target != target:
                target = check.target
                click.echo(f"  {target}")
            click.echo(f"    {MARKS[check.status]}  {check.name}: {check.summary}")
            for detail in check.lines()[:10] if check.status in ("fail", "warn") else ():
                click.echo(f"            {detail}")
        click.echo(f"  {count_line(checks)}")
    if failed:
        sys.exit(1)
