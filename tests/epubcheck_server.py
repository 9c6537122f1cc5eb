"""One EPUBCheck JVM for a whole test run, shared by every pytest-xdist worker.

Starting Java and EPUBCheck costs 10-20 s; tests/support/EpubcheckServer.java keeps
one JVM listening on a loopback port. The first test process that needs it starts
it (under a file lock, in the run's shared folder) and every process that used it
signs its name in the state file; the last one to finish its session stops it
(and the server stops itself after IDLE_SECONDS without a request, so a run that
died leaves nothing behind). Requests are one at a time: a second worker's request
waits in the server's queue.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

from filelock import FileLock

from bindery.checks.epubcheck import JVM_OPTIONS

SOURCE = Path(__file__).resolve().parent / "support" / "EpubcheckServer.java"
IDLE_SECONDS = 600
START_SECONDS = 300  # a JVM on a busy machine: how long to wait for its port
CHECK_SECONDS = 900  # a request waits behind the other worker's, then runs EPUBCheck

_STARTED: list[subprocess.Popen[bytes]] = []  # kept referenced: never collected while running


class SharedServer:
    """The run's EPUBCheck server, as seen from one test process called `user`."""

    def __init__(self, folder: Path, user: str) -> None:
        self.state = folder / "epubcheck-server.json"
        self.lock = FileLock(f"{self.state}.lock")
        self.user = user
        self.joined = False
        self.broken = False

    def check(self, java: str, jar: Path, report: Path, epub: Path) -> int | None:
        """EPUBCheck's exit code for `epub` (its JSON report written to `report`), or None
        when the server cannot run (a JRE without the compiler module): the caller then
        starts one JVM for this EPUB."""
        if self.broken:
            return None
        port = self._join(java, jar)
        answer = (_ask(port, f"{report}\t{epub}", CHECK_SECONDS) if port is not None else None) or ""
        if not answer.startswith("done "):
            self.broken = True
            return None
        return int(answer.split()[1])

    def leave(self) -> None:
        """This process is done: the last process that used the server stops it."""
        if not self.joined:
            return
        with self.lock:
            state = self._read()
            if state is None:
                return
            users = [u for u in state["users"] if u != self.user]
            if users:
                self._write({**state, "users": users})
                return
            _ask(state["port"], "quit", 30)
            self.state.unlink()
        for proc in _STARTED:
            if proc.poll() is None:
                proc.wait(timeout=30)

    def _join(self, java: str, jar: Path) -> int | None:
        with self.lock:
            state = self._read()
            if state is None or _ask(state["port"], "", 10) is None:
                started = self._start(java, jar)
                if started is None:
                    return None
                state = {"port": started, "users": []}
            if self.user not in state["users"]:
                state["users"] = [*state["users"], self.user]
            self._write(state)
            self.joined = True
            port: int = state["port"]
            return port

    def _start(self, java: str, jar: Path) -> int | None:
        port_file = self.state.with_suffix(".port")
        port_file.unlink(missing_ok=True)
        command = [java, *JVM_OPTIONS, "-cp", str(jar), str(SOURCE), str(port_file), str(IDLE_SECONDS)]
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _STARTED.append(proc)
        deadline = time.monotonic() + START_SECONDS
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                return None
            time.sleep(0.05)
        return int(port_file.read_text())

    def _read(self) -> dict[str, object] | None:
        if not self.state.exists():
            return None
        state: dict[str, object] = json.loads(self.state.read_text(encoding="utf-8"))
        return state

    def _write(self, state: dict[str, object]) -> None:
        self.state.write_text(json.dumps(state), encoding="utf-8")


def _ask(port: object, line: str, timeout: float) -> str | None:
    """The server's one-line answer to `line` ("" for an empty line), or None when nothing listens."""
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=timeout) as conn:  # type: ignore[call-overload]
            conn.sendall(f"{line}\n".encode())
            return conn.makefile("r", encoding="utf-8").readline() if line else ""
    except OSError:
        return None
