"""QK202: Pub/Sub topics use a customer-managed key (only when configured to require it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import PS_TOPIC
from policies.rule import Config, Rule


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    if not config.get("required") or inputs.get("kmsKeyName"):
        return []
    return [f"Pub/Sub topic '{name}' has no kmsKeyName: messages use Google-managed keys, and this stack "
            "requires CMEK"]


RULE = Rule(
    id="QK202", name="pubsub-cmek",
    title="Pub/Sub topics use a customer-managed encryption key (when required by config)",
    rationale="Pub/Sub always encrypts at rest with Google-managed keys; regulated workloads may need a key "
              "they can rotate, audit and revoke. Off by default (config `required: false`).",
    severity="medium", enforcement="mandatory", anchors=("CKV_GCP_83",),
    url="https://cloud.google.com/pubsub/docs/encryption",
    remediation_steps="Set `encryption: {kms_key: projects/P/locations/L/keyRings/R/cryptoKeys/K}` on the topic "
                      "or queue, and let the Pub/Sub service agent use the key.",
    config_schema={"required": {"type": "boolean", "default": False,
                                "description": "Require CMEK on every Pub/Sub topic."}},
    resource_types=frozenset({PS_TOPIC}), check_resource=check,
)
