"""The README's first command, scripts/setup.sh: what it asks of the system and when it installs.

Run on a copy of the script (with the project's pyproject.toml) and stand-ins first on
PATH: an `ldconfig` that lists the libraries (and, like the real one on a busy machine,
is still writing when grep has found its match), an `id` that says the user is not root
(so a missing package is named, not installed), an `apt-get` that installs nothing, a
Python that makes stand-in environments instead of real ones, and environments whose
Python writes down what pip was asked and answers with success. Nothing is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="setup.sh checks for Pango with ldconfig on Linux only")

ROOT = Path(__file__).resolve().parents[1]
PANGO = "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0"
PANGOFT2 = "\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpangoft2-1.0.so.0"
SUBSET = "\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz-subset.so.0"
ALL = [PANGO, PANGOFT2, SUBSET]
VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def stand_in_environment(folder: Path, pip_works: bool = True) -> None:
    """A .venv whose python logs `-m pip install ...` to pip.log and succeeds (or has no pip)."""
    pip = 'case "$*" in *"-m pip --version"*) exit 1;; esac\n' if not pip_works else ""
    executable(
        folder / "bin" / "python",
        f'#!/bin/sh\n{pip}case "$*" in *"-m pip install"*) echo "$*" >> "$(dirname "$0")/../pip.log";; esac\nexit 0\n',
    )


class Machine:
    """A copy of setup.sh with the project's pyproject.toml, and the stand-ins it runs with."""

    def __init__(self, tmp_path: Path, listed: list[str], ensurepip: bool = True, pause: float = 0.0) -> None:
        self.repo = tmp_path / "repo"
        (self.repo / "scripts").mkdir(parents=True)
        shutil.copy(ROOT / "scripts" / "setup.sh", self.repo / "scripts" / "setup.sh")
        shutil.copy(ROOT / "pyproject.toml", self.repo / "pyproject.toml")
        self.venv = self.repo / ".venv"
        fake = tmp_path / "fake-bin"
        # The matches come first, the rest of the cache `pause` seconds later (one write each).
        lines = "".join(f"echo '{line}'\n" for line in listed)
        executable(
            fake / "ldconfig", f"#!/bin/sh\necho '1234 libs found in cache'\n{lines}sleep {pause}\necho '\tlibz.so.1 => /lib/libz.so.1'\n"
        )
        executable(fake / "id", "#!/bin/sh\necho 1000\n")
        executable(fake / "apt-get", '#!/bin/sh\necho "apt-get $*" >&2\nexit 1\n')
        # This Python, except that `-m venv DIR` makes a stand-in environment and, on a
        # machine without python3.X-venv, `import ensurepip` fails as on Debian.
        no_ensurepip = "" if ensurepip else 'case "$*" in *ensurepip*) exit 1;; esac\n'
        venv_stub = (
            'if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin"; cp "' + str(tmp_path / "venv-python") + '" "$3/bin/python"; exit 0; fi\n'
        )
        executable(fake / f"python{VERSION}", f'#!/bin/sh\n{no_ensurepip}{venv_stub}exec "{sys.executable}" "$@"\n')
        stand_in_environment(tmp_path / "template")
        shutil.copy(tmp_path / "template" / "bin" / "python", tmp_path / "venv-python")
        self.env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "PYTHON": str(fake / f"python{VERSION}")}
        self.env.pop("VENV", None)

    def setup(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(self.repo / "scripts" / "setup.sh")], env=self.env, cwd=self.repo, capture_output=True, text=True, timeout=60
        )

    def pip_installs(self) -> int:
        log = self.venv / "pip.log"
        return len(log.read_text().splitlines()) if log.exists() else 0


def test_installed_libraries_are_found_even_when_ldconfig_is_still_writing(tmp_path: Path) -> None:
    """`ldconfig -p | grep -q` under pipefail took an installed library for a missing one when
    grep left at its match before ldconfig had written the rest (ldconfig died of SIGPIPE)."""
    machine = Machine(tmp_path, ALL, pause=0.3)  # grep has long left when the rest is written
    done = machine.setup()
    assert done.returncode == 0, done.stderr
    assert "apt-get" not in done.stderr and "setup: ready" in done.stderr, done.stderr


def test_a_missing_library_is_named_with_the_command_that_installs_it(tmp_path: Path) -> None:
    done = Machine(tmp_path, [PANGO, SUBSET]).setup()
    assert done.returncode == 1
    assert "run  sudo apt-get install libpangoft2-1.0-0  and then this command again" in done.stderr, done.stderr


def test_a_fresh_debian_gets_one_message_for_pango_and_the_venv_package(tmp_path: Path) -> None:
    """Not one message, a fix, a second message and a second fix."""
    done = Machine(tmp_path, [PANGO], ensurepip=False).setup()
    assert done.returncode == 1
    wanted = f"run  sudo apt-get install libpangoft2-1.0-0 libharfbuzz-subset0 python{VERSION}-venv  and then this command again"
    assert wanted in done.stderr, done.stderr


def test_a_second_run_installs_nothing_until_pyproject_changes(tmp_path: Path) -> None:
    """scripts/test.sh runs setup.sh every time: a reinstall each run needed the network."""
    machine = Machine(tmp_path, ALL)
    assert machine.setup().returncode == 0 and machine.pip_installs() == 1
    again = machine.setup()
    assert again.returncode == 0 and machine.pip_installs() == 1, again.stderr
    assert "is installed in" in again.stderr and "already" in again.stderr
    (machine.repo / "pyproject.toml").write_text((machine.repo / "pyproject.toml").read_text() + "\n# a new dependency\n")
    assert machine.setup().returncode == 0 and machine.pip_installs() == 2


def test_an_environment_without_pip_is_made_again(tmp_path: Path) -> None:
    """`python3 -m venv` interrupted, or run without python3.X-venv, leaves bin/python and no pip."""
    machine = Machine(tmp_path, ALL)
    stand_in_environment(machine.venv, pip_works=False)
    done = machine.setup()
    assert done.returncode == 0, done.stderr
    assert "has no working Python 3.11+ with pip" in done.stderr and f"created .venv with Python {VERSION}" in done.stderr
    assert machine.pip_installs() == 1
