"""Which checks `bindery check` runs on which outputs, building them first when missing.

EPUBCheck and Ace on the EPUB, the print preflight and the typographic
preflight on the PDF, in the print profile the cover spread's preflight, and
the index rule on the book. `commands/check.py` only parses the options and
prints the result.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from bindery.checks.ace import run_ace
from bindery.checks.cover import preflight_cover
from bindery.checks.epubcheck import run_epubcheck
from bindery.checks.pdf_interior import preflight_pdf
from bindery.checks.results import Check
from bindery.executors import local_runner
from bindery.indexing.check import check_index
from bindery.manifest import Manifest, load_manifest
from bindery.output_names import output_names
from bindery.pipeline import Progress, build
from bindery.system_libraries import require_weasyprint
from bindery.typography import typography_checks


@dataclass(frozen=True)
class CheckPlan:
    """The book, the outputs to check and why they are built first (None: they are not)."""

    book_path: Path
    manifest: Manifest
    output_dir: Path
    outputs: dict[str, Path]
    build_reason: str | None

    @property
    def builds_first(self) -> bool:
        return self.build_reason is not None


def expected_outputs(manifest: Manifest, output_dir: Path) -> dict[str, Path]:
    names = output_names(manifest.slug, manifest.epub.filename)
    outputs = {"epub": output_dir / names.epub, "pdf": output_dir / names.pdf}
    if manifest.pdf.profile == "print":
        outputs["cover"] = output_dir / names.cover
    return outputs


def plan_checks(book_path: Path, output: Path | None, rebuild: bool) -> CheckPlan:
    """Read the manifest and decide whether the outputs must be built first."""
    manifest = load_manifest(book_path)
    output_dir = output if output is not None else manifest.root / "output"
    outputs = expected_outputs(manifest, output_dir)
    reason = None
    if rebuild:
        reason = "--build given"
    elif not all(p.is_file() for p in outputs.values()):
        reason = "outputs missing in " + str(output_dir)
    return CheckPlan(book_path, manifest, output_dir, outputs, reason)


def build_and_check(plan: CheckPlan, progress: Progress) -> list[Check]:
    """Build the outputs when the plan says so, then run every check on them."""
    if plan.builds_first:
        require_weasyprint()  # the build lays the print edition out: a clear message when Pango is missing
        # Chunk by chunk in this process, as `bindery build --jobs 1` lays it out: the same bytes as
        # `bindery build` (any --jobs), so what is checked is what build writes.
        build(plan.book_path, ("epub", "pdf"), plan.output_dir, progress=progress, runner=local_runner())
    progress("checking: EPUBCheck, Ace and the print preflight")
    return run_checks(plan.manifest, plan.outputs)


def run_checks(manifest: Manifest, outputs: dict[str, Path]) -> list[Check]:
    """Every check, in report order. EPUBCheck (a JVM) and Ace (a browser) are programs of their
    own: they run side by side, and beside the PDF checks, which run here."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bindery-check") as programs:
        validators = [programs.submit(run_epubcheck, outputs["epub"]), programs.submit(run_ace, outputs["epub"])]
        checks = preflight_pdf(outputs["pdf"], manifest.pdf)
        checks += typography_checks(outputs["pdf"], manifest)  # one check per rule; findings are warnings
        if "cover" in outputs:
            try:
                pages = len(PdfReader(outputs["pdf"]).pages)
            except Exception:  # noqa: BLE001 (reported by the PDF preflight already)
                pages = 0
            checks += preflight_cover(outputs["cover"], manifest.pdf, pages)
        checks.append(check_index(manifest.path))
        return [*(v.result() for v in validators), *checks]
