"""The verdict of one rule of `bindery check` on one output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    name: str
    target: str
    status: Status
    summary: str
    details: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "target": self.target, "status": self.status, "summary": self.summary, "details": list(self.details)}
