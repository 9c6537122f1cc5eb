"""The verdict of one rule of `bindery check` on one output: `Check`, kept with the
other problem types in `bindery.diagnostics` (its findings are Diagnostics)."""

from __future__ import annotations

from bindery.diagnostics import Check, Status

__all__ = ["Check", "Status"]
