"""The suite's own scheduling hint (conftest.RUN_FIRST) names tests that exist: a renamed
test would silently drop back to its place in the order, and a worker would again be left
with it at the end."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import RUN_FIRST

TESTS = Path(__file__).resolve().parent


def test_every_test_named_to_run_first_exists() -> None:
    for entry in RUN_FIRST:
        module, _, name = entry.partition("::")
        source = (TESTS / module).read_text(encoding="utf-8")
        assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"conftest.RUN_FIRST names {entry}, which is not a test"
