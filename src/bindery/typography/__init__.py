"""The typographic preflight of `bindery check`: what a reader would see on the pages.

The finished PDF is read back (`pages.read_pdf`, PDFium), placed against the
text block of the book's print spec (`layout.lay_out`), and every rule of
`rules.RULES` looks at every page. Each finding is a warning `Diagnostic` with
a stable code, its page, and the article file and line its text came from
(`origins.SourceIndex`); `typography_checks` turns them into one `Check` per
rule for the check command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bindery.checks.results import Check
from bindery.diagnostics import Diagnostic
from bindery.manifest import Manifest, display_path
from bindery.printspec import PageMargins, padded_to_even, print_margins, screen_margins
from bindery.typography.layout import Layout, lay_out
from bindery.typography.origins import SourceIndex, index_sources
from bindery.typography.pages import read_pdf
from bindery.typography.rules import RULES, Rule

__all__ = ["RULES", "Finding", "find_in_layout", "source_index", "typography_checks", "typography_findings"]


@dataclass(frozen=True)
class Finding:
    rule: Rule
    page: int
    message: str
    file: str  # the article the text came from, else the PDF
    line: int | None = None

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(
            self.message,
            file=self.file,
            line=self.line,
            key=f"page {self.page}",
            hint=self.rule.hint,
            severity="warning",
            code=self.rule.code,
        )


def source_index(manifest: Manifest) -> SourceIndex:
    """Every article of the book, and book.yaml for the titles."""
    files = [(display_path(manifest.path), manifest.path, False)]
    files += [(display_path(manifest.root / ref.path), manifest.root / ref.path, True) for ref in manifest.article_refs()]
    return index_sources(files)


def margins_for(manifest: Manifest, pages: int) -> PageMargins:
    settings = manifest.pdf
    return print_margins(settings, padded_to_even(pages)) if settings.profile == "print" else screen_margins(settings)


def typography_findings(pdf: Path, manifest: Manifest) -> list[Finding]:
    """Every rule on every page of `pdf`; raises when PDFium cannot read the file."""
    book = read_pdf(pdf)
    margins = margins_for(manifest, len(book.pages))
    layout = lay_out(book, lambda page: margins, source_index(manifest))
    return find_in_layout(layout, display_path(pdf))


def find_in_layout(layout: Layout, pdf_name: str, rules: tuple[Rule, ...] | None = None) -> list[Finding]:
    findings = []
    for rule in RULES if rules is None else rules:
        for view in layout.views:
            for line, message in rule.find(layout, view):
                place = layout.index.locate(line.text, view.article) if line is not None else None
                file, number = place if place is not None else (pdf_name, None)
                findings.append(Finding(rule, view.number, message, file, number))
    return findings


def typography_checks(pdf: Path, manifest: Manifest) -> list[Check]:
    """One check per rule: pass, or warn with one detail line per finding."""
    target = str(pdf)
    try:
        findings = typography_findings(pdf, manifest)
    except Exception as exc:  # noqa: BLE001 (a file PDFium cannot read is a finding, not a crash)
        return [Check("typography", target, "fail", f"the PDF's text cannot be read: {type(exc).__name__}: {exc}")]
    checks = []
    for rule in dict.fromkeys(RULES + tuple(f.rule for f in findings)):
        mine = [f for f in findings if f.rule is rule]
        if mine:
            pages = sorted({f.page for f in mine})
            summary = f"{len(mine)} finding(s) on {len(pages)} page(s): {rule.what}"
            checks.append(Check(rule.code, target, "warn", summary, tuple(str(f.diagnostic()) for f in mine)))
        else:
            checks.append(Check(rule.code, target, "pass", f"none: {rule.what}"))
    return checks
