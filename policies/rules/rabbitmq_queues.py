"""QK307–QK308: RabbitMQ queues in production are quorum queues; mirrored classic queues are forbidden.

The queue type is in the model; mirroring (``ha-mode``) would appear as a policy in the broker
definitions (``queuekit.topology.rabbitmq.definitions``). Both live inside the broker, so the
rules need the spec (CrossGuard: the pack config ``spec``).
"""

from __future__ import annotations

from typing import Any

from policies.envs import applies
from policies.rule import Config, Finding, Rule, StackContext
from queuekit.model import Spec

_ENVS = {"environments": {"type": "array", "items": {"type": "string"}, "default": ["prod"],
                          "description": "Environments the rule applies to."}}


def check_quorum(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    out = [Finding(f"RabbitMQ queue '{q.name}' is a classic queue in {ctx.model.environment}: it lives on one "
                   "node and is lost or unavailable with it", subject=q.name)
           for q in ctx.model.queues_on("rabbitmq") if q.queue_type != "quorum"]
    out += [Finding(f"RabbitMQ topic '{t.name}' uses classic subscription queues in {ctx.model.environment}",
                    subject=t.name)
            for t in ctx.model.topics_on("rabbitmq") if t.queue_type != "quorum"]
    return out


def mirroring_policies(spec: Spec) -> list[tuple[str, str]]:
    """(broker, policy name) of every definitions policy that mirrors classic queues (``ha-mode``)."""
    from queuekit.topology import rabbitmq as topology

    found = []
    for broker in spec.brokers.values():
        if broker.engine != "rabbitmq":
            continue
        doc: Any = topology.definitions(spec, broker.name)
        for policy in (doc.get("policies", []) if isinstance(doc, dict) else []):
            definition = policy.get("definition") or {}
            if any(k.startswith("ha-") for k in definition):
                found.append((broker.name, str(policy.get("name"))))
    return found


def check_mirrored(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None:
        return []
    return [Finding(f"RabbitMQ broker '{broker}' policy '{name}' mirrors classic queues (ha-mode): classic "
                    "mirroring is deprecated and removed in RabbitMQ 4.0; use quorum queues", subject=broker)
            for broker, name in mirroring_policies(ctx.model)]


QUORUM = Rule(
    id="QK307", name="rabbitmq-quorum-queues",
    title="RabbitMQ queues are quorum queues (prod)",
    rationale="A classic queue lives on one node; quorum queues replicate through Raft and survive a node loss "
              "without losing confirmed messages.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://www.rabbitmq.com/docs/quorum-queues",
    remediation_steps="Remove `queue_type: classic` (quorum is the default). The type cannot change in place: "
                      "create a new queue and drain the old one.",
    config_schema=_ENVS, check_stack=check_quorum, needs_model=True,
)
MIRRORED = Rule(
    id="QK308", name="rabbitmq-no-mirrored-classic",
    title="No RabbitMQ policy mirrors classic queues (ha-mode)",
    rationale="Classic queue mirroring is deprecated, slow to resynchronise and can lose messages on "
              "partitions; RabbitMQ 4 removed it.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://www.rabbitmq.com/docs/ha",
    remediation_steps="Use quorum queues; delete `ha-*` keys from broker policies.",
    check_stack=check_mirrored, needs_model=True,
)
RULES = (QUORUM, MIRRORED)
