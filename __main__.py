"""The Pulumi program: ``pulumi up`` builds the stack's spec.

The spec is ``stacks/<stack>.yaml`` unless the stack config sets ``queuekit:spec``. An
invalid spec stops the program with every located error, before any resource is registered.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pulumi

sys.path.insert(0, str(Path(__file__).resolve().parent))

from components.program import build
from queuekit.diagnostics import SpecError
from queuekit.spec import load

config = pulumi.Config("queuekit")
spec_path = config.get("spec") or f"stacks/{pulumi.get_stack()}.yaml"
try:
    spec = load(spec_path)
except SpecError as exc:
    for diagnostic in exc.diagnostics:
        pulumi.log.error(str(diagnostic))
    raise SystemExit(2) from None
build(spec)
