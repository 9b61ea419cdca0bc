"""QK203: no Pub/Sub IAM grant to allUsers / allAuthenticatedUsers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import as_list, json_doc, kind
from policies.rule import Config, Rule

PUBLIC = frozenset({"allUsers", "allAuthenticatedUsers"})
IAM_TYPES = frozenset({
    f"gcp:pubsub/{kind}IAM{form}:{kind[0].upper()}{kind[1:]}IAM{form}"
    for kind in ("topic", "subscription") for form in ("Member", "Binding", "Policy")
})


def members(inputs: Mapping[str, Any]) -> list[str]:
    found = [str(m) for m in as_list(inputs.get("member"))] + [str(m) for m in as_list(inputs.get("members"))]
    doc = json_doc(inputs.get("policyData"))
    if isinstance(doc, Mapping):
        for binding in as_list(doc.get("bindings")):
            if isinstance(binding, Mapping):
                found += [str(m) for m in as_list(binding.get("members"))]
    return found


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    public = sorted({m for m in members(inputs) if m in PUBLIC})
    return [f"{kind(type_)} '{name}' grants {inputs.get('role') or 'roles'} to {m}" for m in public]


RULE = Rule(
    id="QK203", name="pubsub-no-public-iam",
    title="No Pub/Sub topic or subscription is granted to allUsers or allAuthenticatedUsers",
    rationale="`allAuthenticatedUsers` is any Google account in the world, not your organisation; either member "
              "lets strangers publish into or read from the stack.",
    severity="critical", enforcement="mandatory", anchors=(),
    url="https://cloud.google.com/pubsub/docs/access-control",
    remediation_steps="List producers/consumers as `serviceAccount:` or `group:` members in the spec.",
    resource_types=IAM_TYPES, check_resource=check,
)
