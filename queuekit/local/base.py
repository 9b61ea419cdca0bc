"""What every backend's ``up`` and ``verify`` return, so the CLI reports them one way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One verification step: ``target`` is the queue/topic/subscription it concerns."""

    target: str
    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.target}: {self.name}" + (f" ({self.detail})" if self.detail else "")
