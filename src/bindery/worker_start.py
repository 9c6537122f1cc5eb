"""The first module a forkserver imports (`executors.WORKER_MODULES`): Ctrl-C while it imports the rest ends it quietly.

The forkserver imports Bindery and WeasyPrint before it forks any worker
(about a second), and only then ignores SIGINT. Ctrl-C in that second reached
it as KeyboardInterrupt inside an import and printed a traceback under the
build's own "interrupted" line. Importing this module first makes SIGINT end
the process with exit code 130 and no traceback (`SystemExit`). Each worker
forked later starts with this handler too, until it sets its own: a pool
worker's `executors.leave_with`, the preview worker's `SIG_IGN`.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from bindery.interrupts import INTERRUPTED_EXIT  # its own start-up handler, set on import, is replaced below


def _leave(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(INTERRUPTED_EXIT)


if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, _leave)
