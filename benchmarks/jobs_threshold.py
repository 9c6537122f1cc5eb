"""Where two lanes start to pay: `--jobs 1` against `--jobs 2` on books of growing size.

    python3 benchmarks/jobs_threshold.py --rounds 3 6 10 20

Each size N is a book of `generate.py` (about 12,000 characters an article; the
repository's own book is measured too, as `sample`). A book below
`pipeline.IN_PROCESS_BELOW_CHARS` is laid out in the build's own process even
with `--jobs 2`, so the child this script starts lowers that threshold to 0, to
time the lanes on every size. It
reports the median wall time and the machine's CPU time (from /proc/stat, so the
forkserver and the lanes count too) of each side, alternating sides every round.
Run it on an idle machine: the CPU column counts every process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

EPOCH = "1700000000"
#: The child: a build with the in-process threshold at 0, so `--jobs 2` always uses lanes.
CHILD = "import sys, bindery.pipeline as p; from bindery.cli import main; p.IN_PROCESS_BELOW_CHARS = 0; main(sys.argv[1:])"


def machine_cpu() -> float:
    """Seconds of CPU every process of the machine has used (user, nice, system, irq)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def timed(book: Path, jobs: int, out: Path) -> tuple[float, float]:
    cmd = [sys.executable, "-c", CHILD, "build", str(book), "--format", "pdf", "--no-cache", "--jobs", str(jobs), "-o", str(out)]
    cpu, wall = machine_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    return time.perf_counter() - wall, machine_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[6, 10, 20], help="articles per generated book")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        books = {"sample": HERE.parent, **{f"N={n}": generate(n, Path(tmp) / f"book-{n}") for n in args.sizes}}
        print(f"{'book':>8} {'chars':>8} {'j1 wall':>8} {'j2 wall':>8} {'j1 cpu':>7} {'j2 cpu':>7}")
        for name, book in books.items():
            from bindery.pipeline import load_book

            chars = sum(len(a.html) for a in load_book(book).book.articles())
            runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
            for _ in range(args.rounds):
                for jobs in (1, 2):
                    runs[jobs].append(timed(book, jobs, Path(tmp) / "out"))
            wall = {j: statistics.median(r[0] for r in runs[j]) for j in runs}
            cpu = {j: statistics.median(r[1] for r in runs[j]) for j in runs}
            print(f"{name:>8} {chars:>8} {wall[1]:>8.2f} {wall[2]:>8.2f} {cpu[1]:>7.2f} {cpu[2]:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
