"""The architecture's size rule, held by the test run: no module of Bindery over 400 lines
(docs/ARCHITECTURE.md). Its complexity rule (no function above 15) is ruff's C90 check, which
the test command runs."""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 400
SRC = Path(__file__).resolve().parents[1] / "src" / "bindery"


def test_no_module_is_over_400_lines() -> None:
    sizes = {path.relative_to(SRC).as_posix(): len(path.read_text(encoding="utf-8").splitlines()) for path in SRC.rglob("*.py")}
    assert len(sizes) > 100
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
