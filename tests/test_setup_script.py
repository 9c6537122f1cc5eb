"""The README's first command, scripts/setup.sh: which system packages it asks for.

Run on a copy of the script with stand-ins on PATH: an `ldconfig` that lists the
libraries (and, like the real one on a busy machine, is still writing when grep
has found its match), an `id` that says the user is not root (so a missing
library is named, not installed), and an environment whose Python only answers
pip with success. Nothing is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PANGO = "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0"
PANGOFT2 = "\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpangoft2-1.0.so.0"
SUBSET = "\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz-subset.so.0"


def executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def run_setup(tmp_path: Path, listed: list[str]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    # The matches come first, the rest of the cache a moment later (one write each).
    lines = "".join(f"echo '{line}'\n" for line in listed)
    executable(fake / "ldconfig", f"#!/bin/sh\necho '1234 libs found in cache'\n{lines}sleep 0.3\necho '\tlibz.so.1 => /lib/libz.so.1'\n")
    executable(fake / "id", "#!/bin/sh\necho 1000\n")
    executable(fake / "apt-get", '#!/bin/sh\necho "apt-get $*" >&2\nexit 1\n')
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    executable(venv / "bin" / "python", "#!/bin/sh\nexit 0\n")  # `python -m pip install -e .` succeeds, installing nothing
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "PYTHON": sys.executable, "VENV": str(venv)}
    return subprocess.run(["bash", str(tmp_path / "scripts" / "setup.sh")], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(sys.platform != "linux", reason="setup.sh checks for Pango with ldconfig on Linux only")
def test_installed_libraries_are_found_even_when_ldconfig_is_still_writing(tmp_path: Path) -> None:
    """`ldconfig -p | grep -q` under pipefail took an installed library for a missing one when
    grep left at its match before ldconfig had written the rest (ldconfig died of SIGPIPE)."""
    done = run_setup(tmp_path, [PANGO, PANGOFT2, SUBSET])
    assert done.returncode == 0, done.stderr
    assert "apt-get" not in done.stderr and "setup: ready" in done.stderr, done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="setup.sh checks for Pango with ldconfig on Linux only")
def test_a_missing_library_is_named_with_the_command_that_installs_it(tmp_path: Path) -> None:
    done = run_setup(tmp_path, [PANGO, SUBSET])
    assert done.returncode == 1
    assert "WeasyPrint needs Pango: run  sudo apt-get install libpangoft2-1.0-0  and then this command again" in done.stderr, done.stderr
