"""Helpers every subcommand shares: loading specs with located errors, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

from queuekit.diagnostics import SpecError
from queuekit.model import Spec
from queuekit.spec import load


def load_or_report(path: str) -> Spec | None:
    """Load ``path``; on error print every diagnostic to stderr and return None (exit 2)."""
    try:
        return load(path)
    except SpecError as exc:
        print(str(exc), file=sys.stderr)
        return None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")
