"""How a command shows the stages of long work (the pipeline's `progress` callback).

- on a terminal, outside CI: a spinner with the current stage and its elapsed
  time (rich), erased when the work is done;
- `--verbose`: one line as each stage begins, stamped with the seconds since
  the work began (printed at once, so a killed build shows how far it got),
  and a last line with the total;
- `--quiet`, a pipe, a file or CI: nothing.

Use it as a context manager and pass it as the callback:
`with StageDisplay(quiet, verbose) as say: build(..., progress=say)`.
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import TextIO

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


def is_interactive(stream: TextIO) -> bool:
    """A person is watching: the stream is a terminal and this is not CI."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")


class StageDisplay:
    def __init__(self, quiet: bool = False, verbose: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.verbose = verbose and not quiet
        self.live = not quiet and is_interactive(self.stream)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._began: float | None = None

    def __enter__(self) -> StageDisplay:
        if self.live:
            console = Console(file=self.stream)
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
            )
            self._progress.start()
        return self

    def __call__(self, stage: str) -> None:
        """A new stage begins (the previous one, if any, has ended)."""
        if self._began is None:
            self._began = time.perf_counter()
        if self.verbose:
            self._say(f"  [{time.perf_counter() - self._began:6.2f} s] {stage}")
        if self._progress is not None:
            if self._task is not None:
                self._progress.remove_task(self._task)
            self._task = self._progress.add_task(stage, total=None)

    def _say(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            click.echo(line, file=self.stream)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self.verbose and self._began is not None:
            end = "stopped" if kind is not None else "done"
            self._say(f"  [{time.perf_counter() - self._began:6.2f} s] {end}")
