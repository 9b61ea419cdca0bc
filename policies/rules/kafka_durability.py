"""QK304–QK306: Kafka topics in production survive a broker loss without losing acked writes.

Replication and ``min.insync.replicas`` are in the model (resolved by the loader); unclean
leader election is a topic config in the broker topology (``queuekit.topology.kafka``). These
live inside the cluster, not in Pulumi resources, so the rules need the spec: offline they get
it, in CrossGuard they need the pack config ``spec`` (a path) or report not-applicable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policies.envs import applies
from policies.rule import Config, Finding, Rule, StackContext
from queuekit.model import Spec

_DOCS = "https://kafka.apache.org/documentation/#design_replicatedlog"
_ENVS = {"environments": {"type": "array", "items": {"type": "string"}, "default": ["prod"],
                          "description": "Environments the rule applies to."}}


def _topics(spec: Spec) -> Iterator[tuple[str, int | None, int | None, Any]]:
    for q in spec.queues_on("kafka"):
        yield q.name, q.replication, q.min_insync_replicas, q.source
    for t in spec.topics_on("kafka"):
        yield t.name, t.replication, t.min_insync_replicas, t.source


def check_replication(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    low = config["minReplication"]
    return [Finding(f"Kafka topic '{name}' has replication {rep} (< {low}) in {ctx.model.environment}: "
                    "one broker loss can make it unavailable or lose data", subject=name)
            for name, rep, _, _ in _topics(ctx.model) if rep is not None and rep < low]


def check_isr(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    low = config["minInsyncReplicas"]
    return [Finding(f"Kafka topic '{name}' has min.insync.replicas {isr} (< {low}): an acks=all write can "
                    "be acknowledged by a single broker and lost with it", subject=name)
            for name, _, isr, _ in _topics(ctx.model) if isr is not None and isr < low]


def unclean_settings(spec: Spec) -> dict[str, str]:
    """Topic name → ``unclean.leader.election.enable`` from the topology plan, where it is set."""
    try:
        from queuekit.topology import kafka as topology
    except ImportError:
        return {}
    found: dict[str, str] = {}
    for broker in spec.brokers.values():
        if broker.engine != "kafka":
            continue
        for topic in _plan_topics(topology.plan(spec, broker.name)):
            configs = topic.get("configs") or topic.get("config") or {}
            if "unclean.leader.election.enable" in configs:
                found[str(topic.get("name"))] = str(configs["unclean.leader.election.enable"]).lower()
    return found


def _plan_topics(plan: Any) -> list[dict[str, Any]]:
    topics = plan.get("topics", []) if isinstance(plan, dict) else getattr(plan, "topics", [])
    out = []
    for t in topics:
        if isinstance(t, dict):
            out.append(t)
        else:  # a dataclass: name + configs
            out.append({"name": getattr(t, "name", "?"), "configs": dict(getattr(t, "configs", {}) or {})})
    return out


def check_unclean(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or not applies(ctx.model, config):
        return []
    return [Finding(f"Kafka topic '{name}' enables unclean leader election: an out-of-sync replica can become "
                    "leader and silently drop acknowledged messages", subject=name.removesuffix(".dlq"))
            for name, value in sorted(unclean_settings(ctx.model).items()) if value == "true"]


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
