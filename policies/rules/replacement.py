"""QK908: changes that force Pulumi to replace a queue (and drop its messages) — needs ``--base``.

Some properties cannot change in place: SQS/SNS ``fifo`` (a different resource kind), a RabbitMQ
queue's type (quorum ↔ classic), and Kafka partitions can only grow. ``pulumi preview`` shows a
replacement only at deploy time; comparing the pull request's spec with the target branch's
shows it in review.
"""

from __future__ import annotations

from policies.rule import Config, Finding, Rule, StackContext
from queuekit.model import Spec


def _nodes(spec: Spec) -> dict[str, object]:
    return {**{f"queue:{q.name}": q for q in spec.queues}, **{f"topic:{t.name}": t for t in spec.topics}}


def check(ctx: StackContext, config: Config) -> list[Finding]:
    if ctx.model is None or ctx.base is None:
        return []
    out: list[Finding] = []
    old_nodes = _nodes(ctx.base)
    for key, new in _nodes(ctx.model).items():
        old = old_nodes.get(key)
        if old is None:
            continue
        kind, name = key.split(":", 1)
        if old.backend != new.backend:  # type: ignore[attr-defined]
            out.append(Finding(f"{kind} '{name}' moves from {old.backend} to {new.backend}: "  # type: ignore[attr-defined]
                               "every resource is replaced and queued messages are lost", subject=name))
            continue
        if new.backend == "sqs" and old.fifo != new.fifo:  # type: ignore[attr-defined]
            out.append(Finding(f"{kind} '{name}' changes fifo {old.fifo} → {new.fifo}: "  # type: ignore[attr-defined]
                               "SQS/SNS replace the resource (new name, messages lost)", subject=name))
        if new.backend == "rabbitmq" and old.queue_type != new.queue_type:  # type: ignore[attr-defined]
            out.append(Finding(f"{kind} '{name}' changes queue type {old.queue_type} → "  # type: ignore[attr-defined]
                               f"{new.queue_type}: RabbitMQ cannot convert a queue in place; it must be deleted "
                               "and re-declared", subject=name))
        if new.backend == "kafka" and (old.partitions or 0) > (new.partitions or 0):  # type: ignore[attr-defined]
            out.append(Finding(f"{kind} '{name}' shrinks from {old.partitions} to {new.partitions} partitions: "  # type: ignore[attr-defined]
                               "Kafka cannot remove partitions; the topic must be recreated (data and "
                               "ordering lost)", subject=name))
    return out


RULE = Rule(
    id="QK908", name="no-forced-replacement",
    title="A change does not force replacing a queue (FIFO flag, RabbitMQ queue type, fewer Kafka partitions)",
    rationale="Replacing a queue deletes it with every message in it, and consumers pointing at the old one "
              "break; Kafka cannot drop partitions at all. Review should see this before `pulumi up` does.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/",
    remediation_steps="Create a new queue/topic under a new name, migrate producers and consumers, then "
                      "remove the old one.",
    check_stack=check, needs_model=True,
)
