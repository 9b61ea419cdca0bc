"""Rule metadata and the shapes rule functions read and return.

A rule is *data plus plain functions*. The same functions run in two places:

* offline (``queuekit check``), over the resources ``fast_plan`` produces plus the typed model;
* in ``pulumi preview --policy-pack policies`` (CrossGuard), over the resources Pulumi sends.

So rule functions never see a Pulumi or CrossGuard object: they get a :class:`Resource`
(type, logical name, URN, parent URN, camelCase inputs) and a plain config mapping. Both
runners adapt their own objects to this shape (``policies/offline.py``, ``policies/crossguard.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from queuekit.model import Spec

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["advisory", "mandatory", "disabled"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
ENFORCEMENTS: tuple[Enforcement, ...] = ("advisory", "mandatory", "disabled")


def severity_rank(severity: str) -> int:
    """Position of ``severity`` in low < medium < high < critical (for ``--hard-fail-on``)."""
    return SEVERITIES.index(severity)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Resource:
    """One resource as both runners see it: inputs are camelCase, numbers may be floats."""

    type: str
    name: str
    urn: str
    parent: str | None
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """One violation as a rule function reports it.

    ``urn`` ties it to a resource (CrossGuard shows it there); ``subject`` names the spec node
    (queue, topic, ``topic/subscription`` or broker) when the rule decided it from the model, so
    SARIF can point at the right line even when no resource is involved.
    """

    message: str
    urn: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class StackContext:
    """What a stack-level rule gets: every resource, and the model when the runner has one.

    CrossGuard has no model unless the pack's config names the spec (``spec``); ``base`` is the
    spec of the target branch (``queuekit check --base``), for rules about replacements.
    """

    resources: Sequence[Resource]
    model: Spec | None = None
    base: Spec | None = None
    # Derived views (by type, the SQS/Pub/Sub graphs) computed once per evaluation and shared by rules.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def of_type(self, *types: str) -> list[Resource]:
        if "by_type" not in self.memo:
            index: dict[str, list[Resource]] = {}
            for r in self.resources:
                index.setdefault(r.type, []).append(r)
            self.memo["by_type"] = index
        by_type = self.memo["by_type"]
        if len(types) == 1:
            return list(by_type.get(types[0], ()))
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    def derived(self, key: str, build: Callable[[StackContext], Any]) -> Any:
        """``build(self)``, computed once per context (the graphs several rules read)."""
        if key not in self.memo:
            self.memo[key] = build(self)
        return self.memo[key]


Config = Mapping[str, Any]
ResourceCheck = Callable[[str, str, Mapping[str, Any], Config], list[str]]
StackCheck = Callable[[StackContext, Config], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A policy: its catalogue metadata, config schema and the function(s) that decide it.

    Exactly one of ``check_resource`` / ``check_stack`` is set. ``check_resource`` sees one
    resource of ``resource_types`` at a time (a CrossGuard ``ResourceValidationPolicy``);
    ``check_stack`` sees the whole stack (a ``StackValidationPolicy``). ``needs_model`` marks
    stack rules that can only decide with the spec (budget, replacements): CrossGuard reports
    them not applicable unless configured with the spec's path.
    """

    id: str
    name: str
    title: str
    rationale: str
    severity: Severity
    enforcement: Enforcement
    anchors: tuple[str, ...]
    url: str
    remediation_steps: str
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    resource_types: frozenset[str] = frozenset()
    check_resource: ResourceCheck | None = None
    check_stack: StackCheck | None = None
    needs_model: bool = False

    @property
    def description(self) -> str:
        """CrossGuard's ``description``: the one-line title (the rationale goes in the README)."""
        return self.title

    @property
    def tags(self) -> list[str]:
        """CrossGuard tags: the anchor ids this rule mirrors (``CKV_AWS_27``, ``SQS.1``) plus the id."""
        return [self.id, *self.anchors]

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.config_schema.items() if "default" in v}

    def config(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Defaults overlaid with the given config (``enforcementLevel`` is not rule config)."""
        merged = self.defaults()
        merged.update({k: v for k, v in (given or {}).items() if k != "enforcementLevel"})
        return merged
