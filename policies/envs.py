"""Environment scoping shared by rules that only matter in some environments (e.g. prod)."""

from __future__ import annotations

from policies.rule import Config
from queuekit.model import Spec


def applies(spec: Spec, config: Config) -> bool:
    """True when the spec's environment is in the rule's ``environments`` list (absent: all)."""
    envs = config.get("environments")
    return envs is None or spec.environment in envs
