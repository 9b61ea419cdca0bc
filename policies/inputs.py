"""Reading provider inputs the way both runners deliver them.

CrossGuard and the offline plan give the same camelCase inputs, but values are loose: JSON
documents arrive as strings (``redrivePolicy``, ``policy``), numbers as floats, single values
where a list is allowed (``Action: "sqs:*"``). These helpers normalise that once so rules stay
short and agree with each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

SQS_QUEUE = "aws:sqs/queue:Queue"
SQS_QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
SQS_REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
KMS_KEY = "aws:kms/key:Key"
CW_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
IAM_POLICY_TYPES = frozenset({"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy",
                              "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"})
PS_TOPIC = "gcp:pubsub/topic:Topic"
PS_SUB = "gcp:pubsub/subscription:Subscription"
GCP_ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
EC2_INSTANCE = "aws:ec2/instance:Instance"
EBS_VOLUME = "aws:ebs/volume:Volume"
AWS_SG = "aws:ec2/securityGroup:SecurityGroup"
AWS_SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
AWS_SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
GCE_FIREWALL = "gcp:compute/firewall:Firewall"
GCE_INSTANCE = "gcp:compute/instance:Instance"
GCE_DISK = "gcp:compute/disk:Disk"

SQS_DEFAULT_RETENTION = 345_600  # CreateQueue's MessageRetentionPeriod default (4 days)
PUBSUB_DEFAULT_RETENTION = 604_800  # Subscription.messageRetentionDuration default (7 days)


def json_doc(value: Any) -> Any:
    """A JSON document input (string or already-parsed); ``None`` when absent or unparsable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)):
        return [value]
    return list(value) if isinstance(value, Sequence) else [value]  # CrossGuard wraps lists in a Sequence proxy


def last_segment(ref: Any, sep: str) -> str:
    """``arn:aws:sqs:r:a:orders`` → ``orders`` (sep ``:``); ``…/subscriptions/x`` → ``x`` (sep ``/``)."""
    return str(ref).rsplit(sep, 1)[-1] if ref else ""


def physical_name(name: str, inputs: Mapping[str, Any]) -> str:
    """The provider-side name: the ``name`` input, else the logical name (what the mocks use too)."""
    value = inputs.get("name")
    return str(value) if value else name


def duration_seconds(value: Any, default: int) -> int:
    """Pub/Sub durations are strings like ``"604800s"``; absent means the provider default."""
    if value is None or value == "":
        return default
    text = str(value).strip()
    return int(float(text[:-1] if text.endswith("s") else text))


def statements(policy: Any) -> list[Mapping[str, Any]]:
    doc = json_doc(policy)
    if not isinstance(doc, Mapping):
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, Mapping)]


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal a statement names (``"*"``, ``{"AWS": [...]}``, ``{"Service": ...}``)."""
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        return [str(p) for v in principal.values() for p in as_list(v)]
    return [str(p) for p in as_list(principal)]


def tags_of(inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """AWS ``tags`` or GCP ``labels``; None when the resource carries neither."""
    for key in ("tags", "labels", "userLabels"):
        value = inputs.get(key)
        if isinstance(value, Mapping):
            return dict(value)
    return None


def kind(type_: str) -> str:
    """A readable resource kind for messages: ``aws:sqs/queue:Queue`` → ``SQS Queue``."""
    provider_module, _, cls = type_.rpartition(":")
    module = provider_module.split(":", 1)[-1].split("/")[0]
    return f"{_KINDS.get(module, module)} {cls}"


_KINDS = {"sqs": "SQS", "sns": "SNS", "kms": "KMS", "iam": "IAM", "ec2": "EC2", "ebs": "EBS", "vpc": "VPC",
          "pubsub": "Pub/Sub", "compute": "GCE", "cloudwatch": "CloudWatch", "monitoring": "Monitoring"}
