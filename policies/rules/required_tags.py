"""QK906: every taggable resource carries the organisation's required tags/labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import (
    AWS_SG,
    CW_ALARM,
    EBS_VOLUME,
    EC2_INSTANCE,
    GCE_INSTANCE,
    GCP_ALERT,
    KMS_KEY,
    PS_SUB,
    PS_TOPIC,
    SNS_TOPIC,
    SQS_QUEUE,
    kind,
    tags_of,
)
from policies.rule import Config, Rule

TAGGABLE = (SQS_QUEUE, SNS_TOPIC, KMS_KEY, CW_ALARM, EC2_INSTANCE, EBS_VOLUME, AWS_SG, PS_TOPIC, PS_SUB,
            GCE_INSTANCE, GCP_ALERT)


def _label(key: str) -> str:
    """GCP label form of a tag key (lowercase; other characters become '_'), as components write it."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key.lower())[:63]


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    if type_ not in set(config.get("resourceTypes") or TAGGABLE):
        return []
    tags = tags_of(inputs) or {}
    gcp = type_.startswith("gcp:")
    missing = [k for k in config["tags"] if (_label(k) if gcp else k) not in tags or tags[_label(k) if gcp else k]
               in (None, "")]
    if not missing:
        return []
    what = "labels" if gcp else "tags"
    return [f"{kind(type_)} '{name}' lacks required {what}: {', '.join(missing)}"]


RULE = Rule(
    id="QK906", name="required-tags",
    title="Taggable resources carry the required tags (default: team, cost-center)",
    rationale="Untagged resources cannot be attributed in the bill or routed to an owner during an incident; "
              "tags set in the spec's `defaults.tags` reach every resource queuekit creates.",
    severity="low", enforcement="mandatory", anchors=(),
    url="https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
    remediation_steps="Add the keys under `defaults.tags` (or per queue/topic `tags`).",
    config_schema={
        "tags": {"type": "array", "items": {"type": "string"}, "default": ["team", "cost-center"],
                 "description": "Tag keys every taggable resource must carry (GCP: as labels)."},
        "resourceTypes": {"type": "array", "items": {"type": "string"}, "default": list(TAGGABLE),
                          "description": "Resource types the rule checks."},
    },
    resource_types=frozenset(TAGGABLE), check_resource=check,
)
