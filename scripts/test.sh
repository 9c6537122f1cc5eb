#!/usr/bin/env bash
# The one test command (README, second line; .ci/run calls it too):
# installs what the tests need, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# Lint, formatting and types first: a regression fails the run.
python3 -m ruff check src tests benchmarks
python3 -m ruff format --check src tests benchmarks
python3 -m mypy --strict src
# Two workers halve the wall time on two cores; -p no:benchmark keeps a
# machine-wide pytest-benchmark plugin from refusing to run beside xdist.
exec python3 -m pytest -p no:benchmark -n auto "$@"
