"""QK102: SNS topics use a KMS key (advisory: SNS has no free SSE like SQS's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import SNS_TOPIC
from policies.rule import Config, Rule


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    if inputs.get("kmsMasterKeyId"):
        return []
    return [f"SNS topic '{name}' has no kmsMasterKeyId: messages are stored unencrypted while in flight"]


RULE = Rule(
    id="QK102",
    name="sns-kms-encryption",
    title="SNS topics are encrypted with a KMS key",
    rationale="SNS keeps messages on disk until every subscription has them; without a KMS key they are "
              "unencrypted at rest. It is advisory because a key costs $1/month and the SQS subscribers' key "
              "policy must then let SNS use it.",
    severity="medium",
    enforcement="advisory",
    anchors=("CKV_AWS_26", "SNS.1"),
    url="https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
    remediation_steps="Set `encryption: {kms_key: create}` (or a key ARN) on the topic.",
    resource_types=frozenset({SNS_TOPIC}),
    check_resource=check,
)
