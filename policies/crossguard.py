"""The same rules as CrossGuard policies (``ResourceValidationPolicy`` / ``StackValidationPolicy``).

Only ``policies/__main__.py`` builds the ``PolicyPack`` (constructing it starts a gRPC server and
blocks); tests call the policy objects returned by :func:`policies` directly.

Rules that need the spec (budget, brokers' internals, replacements) find it through
``QUEUEKIT_SPEC``, then the stack config ``queuekit:spec`` (Pulumi passes stack config to policy
packs), then ``stacks/<stack>.yaml`` next to this package; without one they report
not-applicable. ``QUEUEKIT_BASE_SPEC`` names the base spec for the replacement rule.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rule import Resource, Rule, StackContext
from policies.rules import RULES
from queuekit.model import Spec

REPO_ROOT = Path(__file__).resolve().parent.parent


def spec_path(env_var: str = "QUEUEKIT_SPEC") -> str | None:
    """Where the stack's spec is, as the Pulumi program would find it (see the module docstring)."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    if env_var != "QUEUEKIT_SPEC":
        return None
    try:
        import pulumi

        configured = pulumi.Config("queuekit").get("spec")
    except Exception:  # no Pulumi runtime settings: running outside the engine
        configured = None
    if configured:
        return configured if os.path.isabs(configured) else str(REPO_ROOT / configured)
    stack = os.environ.get("PULUMI_STACK")
    candidate = REPO_ROOT / "stacks" / f"{stack}.yaml"
    return str(candidate) if stack and candidate.exists() else None


def _load(path: str | None) -> Spec | None:
    if not path:
        return None
    from queuekit.spec import load

    return load(path)


def _resource_validation(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    check = rule.check_resource
    assert check is not None

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = rule.config(args.get_config())
        types = config.get("resourceTypes") or rule.resource_types
        if args.resource_type not in types:
            return
        for message in check(args.resource_type, args.name, args.props, config):
            report(message, None)

    return validate


def _stack_validation(rule: Rule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    check = rule.check_stack
    assert check is not None

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        model = _load(spec_path())
        if rule.needs_model and model is None:
            args.not_applicable("needs the queuekit spec: set QUEUEKIT_SPEC or the stack config queuekit:spec")
        resources = [Resource(r.resource_type, r.name, r.urn, r.parent.urn if r.parent else None, r.props)
                     for r in args.resources]
        ctx = StackContext(resources, model, _load(spec_path("QUEUEKIT_BASE_SPEC")))
        for finding in check(ctx, rule.config(args.get_config())):
            report(finding.message, finding.urn)  # model findings name their queue/topic in the message

    return validate


def policy_for(rule: Rule) -> Policy:
    common: dict[str, Any] = dict(
        enforcement_level=EnforcementLevel(rule.enforcement),
        config_schema=PolicyConfigSchema(properties={k: dict(v) for k, v in rule.config_schema.items()})
        if rule.config_schema else None,
        display_name=f"{rule.id} {rule.title}",
        severity=Severity(rule.severity),
        tags=rule.tags,
        remediation_steps=rule.remediation_steps,
        url=rule.url,
    )
    if rule.check_resource is not None:
        return ResourceValidationPolicy(rule.name, rule.description, validate=_resource_validation(rule), **common)
    return StackValidationPolicy(rule.name, rule.description, validate=_stack_validation(rule), **common)


def policies(rules: Sequence[Rule] = RULES) -> list[Policy]:
    return [policy_for(r) for r in rules]
