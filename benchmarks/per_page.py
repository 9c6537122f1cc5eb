"""Seconds per printed page: Bindery's PDF build against Pandoc + WeasyPrint on the same Markdown.

    python3 benchmarks/per_page.py 20 --rounds 2

The book of `generate.py` is built both ways, alternately, each in its own
process: `python3 -m bindery build BOOK --format pdf` (the serial build:
every layout pass, PDF/UA-1 tagging, the digital profile), and
`pandoc --standalone --toc --pdf-engine=weasyprint` over the same article
files in reading order (Pandoc's HTML and default CSS, one WeasyPrint pass,
no tagging). Each side's CPU time (user + system of the process and its
children) and wall time are divided by its page count (pdfinfo); the ratio
of the medians is the issue's target "seconds per printed page, serial /
Pandoc + WeasyPrint <= 1.3". CPU time is the guide on a loaded machine.
Needs pandoc and poppler-utils.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import article_files, generate  # noqa: E402

EPOCH = "1700000000"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (of the command and everything it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if found is None:
        raise SystemExit(f"per_page: pdfinfo gave no page count for {pdf}")
    return int(found.group(1))


def pandoc_command(files: list[Path], pdf: Path) -> list[str]:
    """Pandoc + WeasyPrint over the article files, in reading order."""
    cmd = ["pandoc", "--from", "markdown", "--standalone", "--toc", "--metadata", "title=Benchmark", "--pdf-engine=weasyprint"]
    return [*cmd, "--output", str(pdf), *(str(f) for f in files)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="seconds per printed page: Bindery against Pandoc + WeasyPrint")
    parser.add_argument("n", type=int, nargs="?", default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("pandoc") is None:
        print("pandoc is not installed (apt-get install pandoc): no comparison")
        return 1
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    with tempfile.TemporaryDirectory() as tmp:
        book = generate(args.n, Path(tmp) / "book")
        bindery_out, pandoc_pdf = Path(tmp) / "out", Path(tmp) / "pandoc.pdf"
        sides = {
            "bindery build --format pdf": [
                sys.executable,
                "-m",
                "bindery",
                "build",
                str(book),
                "--format",
                "pdf",
                "--jobs",
                "1",
                "--no-cache",  # every round a fresh build (a warm cache would lay nothing out)
                "-q",
                "-o",
                str(bindery_out),
            ],
            "pandoc + weasyprint": pandoc_command(article_files(book), pandoc_pdf),
        }
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in sides}
        for r in range(args.rounds):
            for name in list(sides) if r % 2 == 0 else list(sides)[::-1]:
                wall, cpu = timed(sides[name], env)
                pdf = pandoc_pdf if name.startswith("pandoc") else next(bindery_out.glob("*.pdf"))
                runs[name].append((wall, cpu, pages(pdf)))
                print(f"  round {r + 1} {name:28} {wall:7.1f} s wall {cpu:7.1f} s CPU {runs[name][-1][2]:5d} pages", flush=True)
    per_page = {
        name: (statistics.median(w / p for w, _, p in rs), statistics.median(c / p for _, c, p in rs), rs[-1][2])
        for name, rs in runs.items()
    }
    bindery, pandoc = per_page["bindery build --format pdf"], per_page["pandoc + weasyprint"]
    print(f"\nN = {args.n}, {args.rounds} rounds (medians)\n")
    print("| side | pages | wall s / page | CPU s / page |\n|---|---:|---:|---:|")
    for name, (wall, cpu, count) in per_page.items():
        print(f"| {name} | {count} | {wall:.3f} | {cpu:.3f} |")
    print(f"| ratio Bindery / Pandoc + WeasyPrint (target <= 1.3) | | {bindery[0] / pandoc[0]:.2f} | {bindery[1] / pandoc[1]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
