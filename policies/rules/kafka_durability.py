"""QK304–QK306: Kafka topics in production survive a broker loss without losing acked writes.

All three are read from the topic plan the cluster applies (``queuekit.topology.kafka.plan``:
replication, ``min.insync.replicas``, ``unclean.leader.election.enable`` per topic, DLQ topics
included). They live inside the cluster, not in Pulumi resources, so the rules need the spec:
offline they have it; in CrossGuard it comes from QUEUEKIT_SPEC / ``queuekit:spec``, or the
rules report not-applicable.
"""

from __future__ import annotations

from typing import Any

from policies.envs import applies
from policies.rule import Config, Finding, Rule, StackContext
from queuekit.model import Spec

_DOCS = "https://kafka.apache.org/documentation/#design_replicatedlog"
_ENVS = {"environments": {"type": "array", "items": {"type": "string"}, "default": ["prod"],
                          "description": "Environments the rule applies to."}}


def planned_topics(spec: Spec) -> list[dict[str, Any]]:
    """Every topic the brokers get (DLQ topics included), from ``queuekit.topology.kafka.plan`` —
    the document ``local up`` and the VMs apply, so the rule checks what the cluster really gets."""
    from queuekit.topology import kafka as topology

    return [t for b in spec.brokers.values() if b.engine == "kafka" for t in topology.plan(spec, b.name)["topics"]]


def _config(topic: dict[str, Any], key: str) -> str | None:
    value = (topic.get("configs") or {}).get(key)
    return None if value is None else str(value)


def check_replication(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    low = config["minReplication"]
    return [Finding(f"Kafka topic '{t['name']}' has replication {t['replication']} (< {low}) in "
                    f"{ctx.model.environment}: one broker loss can make it unavailable or lose data", subject=t["name"])
            for t in planned_topics(ctx.model) if int(t["replication"]) < low]


def check_isr(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    low = config["minInsyncReplicas"]
    out = []
    for t in planned_topics(ctx.model):
        isr = _config(t, "min.insync.replicas")
        if isr is None or int(isr) < low:
            out.append(Finding(f"Kafka topic '{t['name']}' has min.insync.replicas {isr or 'unset (1)'} (< {low}): "
                               "an acks=all write can be acknowledged by a single broker and lost with it",
                               subject=t["name"]))
    return out


def check_unclean(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    return [Finding(f"Kafka topic '{t['name']}' enables unclean leader election: an out-of-sync replica can become "
                    "leader and silently drop acknowledged messages", subject=t["name"])
            for t in planned_topics(ctx.model) if _config(t, "unclean.leader.election.enable") == "true"]


REPLICATION = Rule(
    id="QK304", name="kafka-replication",
    title="Kafka topics have replication factor ≥ 3 (prod)",
    rationale="With two replicas a single broker restart leaves one copy; with min.insync.replicas 2 the topic "
              "then rejects writes, with 1 it risks losing them.",
    severity="high", enforcement="mandatory", anchors=(), url=_DOCS,
    remediation_steps="Run at least 3 broker nodes and leave `replication` unset (queuekit uses min(3, nodes)).",
    config_schema={**_ENVS, "minReplication": {"type": "number", "default": 3}},
    check_stack=check_replication, needs_model=True,
)
ISR = Rule(
    id="QK305", name="kafka-min-insync-replicas",
    title="Kafka topics have min.insync.replicas ≥ 2 (prod)",
    rationale="acks=all only means 'all in-sync replicas'; with min.insync.replicas 1 that can be one broker, "
              "whose loss loses acknowledged writes.",
    severity="high", enforcement="mandatory", anchors=(), url=_DOCS,
    remediation_steps="Leave `min_insync_replicas` unset (replication − 1) or set it to 2.",
    config_schema={**_ENVS, "minInsyncReplicas": {"type": "number", "default": 2}},
    check_stack=check_isr, needs_model=True,
)
UNCLEAN = Rule(
    id="QK306", name="kafka-no-unclean-leader-election",
    title="Kafka topics disable unclean leader election (prod)",
    rationale="Unclean election trades durability for availability: a lagging replica becomes leader and the "
              "messages it never received are gone, although producers were told they were written.",
    severity="critical", enforcement="mandatory", anchors=(), url=_DOCS,
    remediation_steps="Do not set `unclean.leader.election.enable=true` in topic or broker configs.",
    config_schema=_ENVS, check_stack=check_unclean, needs_model=True,
)
RULES = (REPLICATION, ISR, UNCLEAN)
