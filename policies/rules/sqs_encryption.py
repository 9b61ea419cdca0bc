"""QK101: every SQS queue is encrypted at rest (SSE-SQS or a KMS key)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import SQS_QUEUE
from policies.rule import Config, Rule


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    if inputs.get("kmsMasterKeyId"):
        return []
    if config.get("requireKms"):
        return [f"SQS queue '{name}' is not encrypted with a KMS key (kmsMasterKeyId is unset)"]
    if inputs.get("sqsManagedSseEnabled") is True:
        return []
    return [f"SQS queue '{name}' is not encrypted at rest: set sqsManagedSseEnabled or kmsMasterKeyId"]


RULE = Rule(
    id="QK101",
    name="sqs-encryption-at-rest",
    title="SQS queues are encrypted at rest (SSE-SQS or KMS)",
    rationale="Messages often carry personal or payment data; an unencrypted queue stores it in clear on "
              "AWS's disks. SSE-SQS costs nothing; a customer KMS key adds key-policy control and audit.",
    severity="high",
    enforcement="mandatory",
    anchors=("CKV_AWS_27", "SQS.1"),
    url="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
    remediation_steps="Remove `encryption: none` from the queue (the default is `managed`, SSE-SQS), or set "
                      "`encryption: {kms_key: create}` for a customer-managed key.",
    config_schema={"requireKms": {"type": "boolean", "default": False,
                                  "description": "Demand a customer KMS key; SSE-SQS alone then fails."}},
    resource_types=frozenset({SQS_QUEUE}),
    check_resource=check,
)
