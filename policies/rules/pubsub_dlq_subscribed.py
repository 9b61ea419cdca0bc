"""QK201: a Pub/Sub dead-letter topic has at least one subscription."""

from __future__ import annotations

from policies.graph import pubsub_graph
from policies.inputs import PS_SUB, PS_TOPIC
from policies.rule import Config, Finding, Rule, StackContext


def check(ctx: StackContext, config: Config) -> list[Finding]:
    ps = pubsub_graph(ctx)
    out: list[Finding] = []
    for topic in sorted(ps.dlq_topics):
        if ps.subscriptions_of(topic):
            continue
        resource = ps.topics.get(topic)
        users = sorted(s for s, rd in ps.redrives.items() if rd.target == topic)
        out.append(Finding(f"dead-letter topic '{topic}' (used by {', '.join(users)}) has no subscription: "
                           "Pub/Sub drops messages published to a topic nobody subscribes to",
                           resource.urn if resource else ps.redrives[users[0]].source.urn))
    return out


RULE = Rule(
    id="QK201", name="pubsub-dlq-topic-subscribed",
    title="Every Pub/Sub dead-letter topic has a subscription",
    rationale="A topic without subscriptions discards what is published to it, so a dead-letter topic nobody "
              "subscribes to loses exactly the messages you wanted to keep.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://cloud.google.com/pubsub/docs/handling-failures#dead_letter_topic",
    remediation_steps="Let queuekit create the dead-letter topic (it always adds `<name>-dlq` subscription), or "
                      "subscribe to the target topic.",
    resource_types=frozenset({PS_TOPIC, PS_SUB}), check_stack=check,
)
