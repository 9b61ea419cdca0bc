"""QK104: SQS queues (and SNS topics) deny any request not made over TLS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.graph import alarm_topics
from policies.inputs import (
    CW_ALARM,
    SNS_TOPIC,
    SNS_TOPIC_POLICY,
    SQS_QUEUE,
    SQS_QUEUE_POLICY,
    as_list,
    last_segment,
    physical_name,
    statements,
)
from policies.rule import Config, Finding, Rule, StackContext


def denies_plain_http(policy: Any) -> bool:
    """A Deny statement conditioned on ``aws:SecureTransport`` = false (the documented TLS-only pattern)."""
    for st in statements(policy):
        if st.get("Effect") != "Deny":
            continue
        condition = st.get("Condition")
        if not isinstance(condition, Mapping):
            continue
        for op in ("Bool", "BoolIfExists"):
            block = condition.get(op)
            if not isinstance(block, Mapping):
                continue
            for key, value in block.items():
                if key.lower() == "aws:securetransport" and [str(v).lower() for v in as_list(value)] == ["false"]:
                    return True
    return False


def check(ctx: StackContext, config: Config) -> list[Finding]:
    tls_queues = {last_segment(r.inputs.get("queueUrl"), "/")
                  for r in ctx.of_type(SQS_QUEUE_POLICY) if denies_plain_http(r.inputs.get("policy"))}
    out = [Finding(f"SQS queue '{physical_name(r.name, r.inputs)}' has no queue policy denying "
                   "requests without TLS (aws:SecureTransport=false)", r.urn)
           for r in ctx.of_type(SQS_QUEUE) if physical_name(r.name, r.inputs) not in tls_queues]
    if config.get("includeSns", True):
        exempt = alarm_topics(ctx)  # CloudWatch publishes alarm text over TLS; no message bodies
        tls_topics = {last_segment(r.inputs.get("arn"), ":")
                      for r in ctx.of_type(SNS_TOPIC_POLICY) if denies_plain_http(r.inputs.get("policy"))}
        out += [Finding(f"SNS topic '{physical_name(r.name, r.inputs)}' has no topic policy denying "
                        "requests without TLS (aws:SecureTransport=false)", r.urn)
                for r in ctx.of_type(SNS_TOPIC)
                if physical_name(r.name, r.inputs) not in tls_topics | exempt]
    return out


RULE = Rule(
    id="QK104",
    name="aws-tls-only",
    title="SQS queues and message-carrying SNS topics deny requests made without TLS",
    rationale="The SQS and SNS endpoints still accept plain HTTP; only a resource policy denying "
              "aws:SecureTransport=false guarantees message bodies and credentials never cross the network "
              "in clear.",
    severity="high",
    enforcement="mandatory",
    anchors=(),
    url="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-security-best-practices.html",
    remediation_steps="Keep the queue/topic policy queuekit generates (it always includes the TLS-only Deny); "
                      "do not replace it with a hand-written policy.",
    config_schema={"includeSns": {"type": "boolean", "default": True,
                                  "description": "Also require the TLS-only statement on SNS topic policies."}},
    resource_types=frozenset({SQS_QUEUE, SQS_QUEUE_POLICY, SNS_TOPIC, SNS_TOPIC_POLICY, CW_ALARM}),
    check_stack=check,
)
