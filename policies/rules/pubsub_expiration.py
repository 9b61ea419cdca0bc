"""QK204: Pub/Sub subscriptions never expire (unless configured otherwise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import PS_SUB
from policies.rule import Config, Rule


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    if config.get("allowExpiring"):
        return []
    policy = inputs.get("expirationPolicy")
    if not isinstance(policy, Mapping):
        return [f"Pub/Sub subscription '{name}' has no expirationPolicy: Google deletes it after 31 idle days"]
    ttl = policy.get("ttl")
    if ttl not in (None, ""):
        return [f"Pub/Sub subscription '{name}' expires after {ttl} of inactivity"]
    return []


RULE = Rule(
    id="QK204", name="pubsub-subscription-never-expires",
    title="Pub/Sub subscriptions never expire",
    rationale="By default a subscription with no activity for 31 days is deleted, with its backlog: a quiet "
              "consumer (month-end jobs, a DLQ) loses its queue without any error.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://cloud.google.com/pubsub/docs/subscription-properties#expiration_period",
    remediation_steps="Remove `expiration` from the subscription (queuekit sets `expirationPolicy.ttl: \"\"`, "
                      "never), or set `allowExpiring: true` for this rule.",
    config_schema={"allowExpiring": {"type": "boolean", "default": False,
                                     "description": "Accept subscriptions with an expiration period."}},
    resource_types=frozenset({PS_SUB}), check_resource=check,
)
