"""Located errors: ``FILE:LINE:COL: error: <field path>: <message>``.

Every problem the loader finds becomes a :class:`Diagnostic`; all of them are collected and
raised together as one :class:`SpecError`, so a user fixes a spec in one pass instead of one
error per run.
"""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """``("queues", 0, "dead_letter")`` → ``queues[0].dead_letter``; the root is ``(root)``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: error: {self.path}: {self.message}"


class SpecError(Exception):
    """One or more diagnostics; ``str()`` is one line per diagnostic, sorted by position."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.column, d.path, d.message))
        super().__init__("\n".join(str(d) for d in self.diagnostics))
