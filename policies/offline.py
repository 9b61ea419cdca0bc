"""The offline runner: every rule over the planned resources plus the model, no Pulumi CLI.

``queuekit check`` plans the stack with ``components.plan.fast_plan`` (the same camelCase inputs
CrossGuard receives) and hands the items here as :class:`Resource`s with the model; this module
never imports ``components`` so the pack stays usable inside CrossGuard.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policies.rule import Enforcement, Resource, Rule, Severity, StackContext, severity_rank
from policies.rules import RULES
from policies.settings import RuleSettings
from queuekit.model import Spec


@dataclass(frozen=True)
class Violation:
    rule: str  # kebab-case name (CrossGuard's policy name)
    rule_id: str
    severity: Severity
    enforcement: Enforcement
    message: str
    urn: str | None = None
    subject: str | None = None

    @property
    def resource(self) -> str:
        """What the violation is about: the resource URN, else the spec node, else the stack."""
        return self.urn or self.subject or "stack"

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "id": self.rule_id, "severity": self.severity,
                "enforcement": self.enforcement, "resource": self.resource, "message": self.message}


def as_resources(items: Iterable[Any]) -> list[Resource]:
    """Plan items (anything with type/name/urn/parent/inputs) as rule resources."""
    return [Resource(i.type, i.name, i.urn, i.parent, i.inputs) for i in items]


def evaluate(resources: Sequence[Resource], model: Spec | None, settings: Mapping[str, RuleSettings],
             base: Spec | None = None, rules: Sequence[Rule] = RULES) -> list[Violation]:
    """Run every enabled rule; violations in rule order, then in resource order."""
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        by_type[r.type].append(r)
    ctx = StackContext(resources, model, base)
    out: list[Violation] = []
    for rule in rules:
        s = settings[rule.name]
        if s.enforcement == "disabled":
            continue

        def emit(message: str, urn: str | None = None, subject: str | None = None, rule: Rule = rule,
                 level: Enforcement = s.enforcement) -> None:
            out.append(Violation(rule.name, rule.id, rule.severity, level, message, urn, subject))

        if rule.check_resource is not None:
            types = s.config.get("resourceTypes") or rule.resource_types
            for r in (r for t in types for r in by_type.get(t, ())):
                for message in rule.check_resource(r.type, r.name, r.inputs, s.config):
                    emit(message, r.urn)
        if rule.check_stack is not None:
            for f in rule.check_stack(ctx, s.config):
                emit(f.message, f.urn, f.subject)
    return out


def failing(violations: Iterable[Violation], hard_fail_on: str | None = None) -> list[Violation]:
    """Violations that fail the check: mandatory ones, and advisory ones at/above ``hard_fail_on``."""
    floor = severity_rank(hard_fail_on) if hard_fail_on else None
    return [v for v in violations
            if v.enforcement == "mandatory" or (floor is not None and severity_rank(v.severity) >= floor)]
