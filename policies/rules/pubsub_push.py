"""QK205: Pub/Sub push endpoints use HTTPS and an OIDC token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import PS_SUB
from policies.rule import Config, Rule


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    push = inputs.get("pushConfig")
    if not isinstance(push, Mapping) or not push.get("pushEndpoint"):
        return []
    out: list[str] = []
    endpoint = str(push["pushEndpoint"])
    if not endpoint.startswith("https://"):
        out.append(f"Pub/Sub subscription '{name}' pushes to {endpoint} without HTTPS")
    oidc = push.get("oidcToken")
    if not isinstance(oidc, Mapping) or not oidc.get("serviceAccountEmail"):
        out.append(f"Pub/Sub subscription '{name}' pushes without an OIDC token: the endpoint cannot tell "
                   "Pub/Sub from anyone else")
    return out


RULE = Rule(
    id="QK205", name="pubsub-push-https-oidc",
    title="Pub/Sub push subscriptions use HTTPS endpoints and OIDC authentication",
    rationale="Push delivers message bodies to a URL: over HTTP they cross the internet in clear, and without "
              "an OIDC token the endpoint must accept unauthenticated POSTs.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions",
    remediation_steps="Use an https:// `push_endpoint` and set `push_service_account` (and `push_audience`).",
    resource_types=frozenset({PS_SUB}), check_resource=check,
)
