"""Ctrl-C while the command line starts: one line and exit code 130, no traceback.

Loading a command's module (Jinja2, EbookLib, the layout and check modules:
up to about half a second) comes before any command can catch
KeyboardInterrupt. `bindery.cli` imports this module first, which makes SIGINT
end the process quietly, and calls `restore()` once the command's module is
loaded (`BinderyGroup.get_command`); from then on Ctrl-C raises
KeyboardInterrupt as usual and `commands.common.reports_errors` turns it into
the same one line and exit code 130 (after the atomic writer removed its
temporary files).
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

INTERRUPTED_EXIT = 130


def _quit_while_starting(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("interrupted; nothing was written\n")
    raise SystemExit(INTERRUPTED_EXIT)


_previous: Any = None
if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
    _previous = signal.signal(signal.SIGINT, _quit_while_starting)


def restore() -> None:
    """Give SIGINT back to whoever had it (Python's KeyboardInterrupt)."""
    global _previous
    if _previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _previous)
        _previous = None
