"""What every backend's ``up`` and ``verify`` return or raise, so the CLI reports them one way."""

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


class EndpointError(ValueError):
    """The user must fix something about the endpoint or the live broker (bad URL, unreachable, conflict).

    ``local up`` / ``verify`` print it as one line and exit 2 instead of reporting an internal error.
    """
