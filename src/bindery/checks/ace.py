"""DAISY Ace (the accessibility checker, `ace-puppeteer` from npm) on the EPUB:
one `Check`, failed by any violation in Ace's EARL report; skipped when Ace
is not installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bindery.checks.results import Check


def run_ace(epub: Path) -> Check:
    ace = shutil.which("ace-puppeteer") or shutil.which("ace")
    if ace is None:
        return Check("ace", str(epub), "skip", "skipped: DAISY Ace (ace-puppeteer) is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ.copy()
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser and "PUPPETEER_EXECUTABLE_PATH" not in env:
            env["PUPPETEER_EXECUTABLE_PATH"] = browser  # Ace's own browser download does not work offline
        run = subprocess.run([ace, "--outdir", tmp, "--force", "--silent", str(epub)], capture_output=True, text=True, timeout=900, env=env)
        report_path = Path(tmp) / "report.json"
        if not report_path.is_file():
            return Check(
                "ace",
                str(epub),
                "fail",
                f"Ace did not write a report (exit {run.returncode})",
                tuple((run.stderr or run.stdout).strip().splitlines()[-5:]),
            )
        report = json.loads(report_path.read_text(encoding="utf-8"))
    violations = list(_ace_violations(report))
    if violations:
        return Check("ace", str(epub), "fail", f"Ace: {len(violations)} violation(s)", tuple(violations))
    return Check("ace", str(epub), "pass", "Ace: 0 violations")


def _ace_violations(node: Any, document: str = "") -> Iterator[str]:
    """Leaf assertions whose outcome is 'fail' in Ace's EARL report."""
    if isinstance(node, dict):
        document = (node.get("earl:testSubject") or {}).get("url", document)
        nested = node.get("assertions")
        outcome = (node.get("earl:result") or {}).get("earl:outcome")
        if outcome == "fail" and not nested and "earl:test" in node:
            test = node.get("earl:test") or {}
            result = node.get("earl:result") or {}
            yield f"{document}: {test.get('earl:impact', '')} {test.get('dct:title', '')}: {result.get('dct:description', '')}"
        for value in node.values():
            yield from _ace_violations(value, document)
    elif isinstance(node, list):
        for value in node:
            yield from _ace_violations(value, document)
