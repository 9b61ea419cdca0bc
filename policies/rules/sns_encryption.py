"""QK102: SNS topics that carry messages use a KMS key (advisory: SNS has no free SSE like SQS's).

Alarm-notification topics are exempt: CloudWatch cannot publish to a topic encrypted with the
AWS-managed key, and they carry alarm text rather than message bodies.
"""

from __future__ import annotations

from policies.graph import alarm_topics
from policies.inputs import CW_ALARM, SNS_TOPIC, physical_name
from policies.rule import Config, Finding, Rule, StackContext


def check(ctx: StackContext, config: Config) -> list[Finding]:
    exempt = alarm_topics(ctx)
    return [Finding(f"SNS topic '{physical_name(r.name, r.inputs)}' has no kmsMasterKeyId: messages are stored "
                    "unencrypted until every subscriber has them", r.urn)
            for r in ctx.of_type(SNS_TOPIC)
            if not r.inputs.get("kmsMasterKeyId") and physical_name(r.name, r.inputs) not in exempt]


RULE = Rule(
    id="QK102",
    name="sns-kms-encryption",
    title="SNS topics carrying messages are encrypted with a KMS key",
    rationale="SNS keeps messages on disk until every subscription has them; without a KMS key they are "
              "unencrypted at rest. Advisory because a customer key costs $1/month and the SQS subscribers' key "
              "policy must then let SNS use it. Alarm-notification topics are exempt (CloudWatch cannot publish "
              "to the AWS-managed key).",
    severity="medium",
    enforcement="advisory",
    anchors=("CKV_AWS_26", "SNS.1"),
    url="https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
    remediation_steps="Set `encryption: {kms_key: create}` (or a key ARN) on the topic.",
    resource_types=frozenset({SNS_TOPIC, CW_ALARM}),
    check_stack=check,
)
