"""The progress display of long commands: a spinner for people, silence for pipes and CI."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from bindery.commands.progress import StageDisplay
from conftest import BOOKS

ANSI = re.compile(r"\x1b\[")


class Terminal(io.StringIO):
    """What a terminal looks like to the display."""

    def isatty(self) -> bool:
        return True


def run_stages(display: StageDisplay) -> None:
    with display as say:
        say("reading the manifest and articles")
        time.sleep(0.3)
        say("building the PDF")
        time.sleep(0.3)


def test_a_terminal_gets_a_live_display_of_the_current_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")  # rich draws nothing for TERM=dumb, which some CI runners set
    screen = Terminal()
    run_stages(StageDisplay(stream=screen))
    shown = screen.getvalue()
    assert "building the PDF" in shown and ANSI.search(shown)  # drawn and redrawn in place


@pytest.mark.parametrize("where", ["ci", "pipe", "quiet"])
def test_ci_pipes_and_quiet_get_no_display(where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    if where == "ci":
        monkeypatch.setenv("CI", "true")
    screen = io.StringIO() if where == "pipe" else Terminal()
    run_stages(StageDisplay(quiet=where == "quiet", stream=screen))
    assert screen.getvalue() == ""


def test_verbose_prints_each_stage_as_it_begins_with_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    log = io.StringIO()
    run_stages(StageDisplay(verbose=True, stream=log))
    lines = log.getvalue().splitlines()
    assert [re.sub(r"\[\s*[\d.]+ s\] ", "", line).strip() for line in lines] == [
        "reading the manifest and articles",
        "building the PDF",
        "done",
    ]
    stamps = [float(re.search(r"\[\s*([\d.]+) s\]", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert stamps[0] < 0.1 and 0.25 < stamps[1] < stamps[2] and stamps[2] >= 0.55


def test_build_quiet_prints_nothing_and_verbose_prints_the_stages(tmp_path: Path) -> None:
    quiet = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--format", "epub", "-o", str(tmp_path), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--format", "epub", "-o", str(tmp_path), "--verbose"])
    assert verbose.exit_code == 0
    assert re.search(r"\[\s*\d+\.\d\d s\] reading the manifest and articles", verbose.stderr)
    assert re.search(r"\[\s*\d+\.\d\d s\] building the EPUB 3", verbose.stderr)
    assert re.search(r"\[\s*\d+\.\d\d s\] done", verbose.stderr)
    assert not ANSI.search(verbose.stderr)  # not a terminal: plain lines only


def test_build_quiet_still_prints_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path), "--quiet"])
    assert result.exit_code == 1 and "no book.yaml in this folder" in result.stderr
