#!/usr/bin/env bash
# The one test command (README, second line; .ci/run calls it too): the same
# .venv as the first line (created when missing) with the test tools in it,
# the system tools the tests use, then lint, formatting, types and the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/install-system-deps.sh
# Python keeps the bytecode of src/ and tests/ in __pycache__ (ignored by git) for the suite's
# processes: with PYTHONDONTWRITEBYTECODE set (some CI images set it), each test worker compiled
# every Bindery module and rewrote every test module again (collection 4.4 s a worker instead of 2.3 s).
unset PYTHONDONTWRITEBYTECODE
venv=${VENV:-.venv}
case $venv in /*) ;; *) venv=$PWD/$venv ;; esac   # VENV may be absolute, as for setup.sh
export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH"
python=$VIRTUAL_ENV/bin/python
# Lint, formatting and types first: a regression fails the run.
"$python" -m ruff check src tests benchmarks
"$python" -m ruff format --check src tests benchmarks
"$python" -m mypy --strict src
# Every core (two workers halve the wall time on two cores); -p no:benchmark keeps a
# machine-wide pytest-benchmark plugin from refusing to run beside xdist. worksteal
# hands each worker a contiguous half of the tests (so a module's fixtures are made
# once) and lets an idle worker take queued tests from a busy one, so both finish
# together; whole books are built once per run and shared (tests/conftest.py).
exec "$python" -m pytest -p no:benchmark -n auto --dist worksteal "$@"
