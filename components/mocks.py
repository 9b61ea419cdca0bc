"""What a resource "returns" when nothing is deployed: Pulumi mocks and the fast plan share it.

``mock_state`` computes the outputs a provider would give a resource (ARN, URL, id) from its
inputs, deterministically and in the provider's real formats, so refs resolve to believable
values (``arn:aws:sqs:us-east-1:123456789012:orders``) in plans, tests and policy checks.
``QueuekitMocks`` is the ``pulumi.runtime.Mocks`` implementation used by ``queuekit plan`` and
by the unit tests; it records every resource's inputs exactly as Pulumi serialised them.
"""

from __future__ import annotations

from typing import Any

import pulumi

MOCK_ACCOUNT = "123456789012"
MOCK_GCP_PROJECT = "queuekit-plan"
MOCK_GCP_PROJECT_NUMBER = "123456789012"
DEFAULT_AWS_REGION = "us-east-1"


def _aws_arn(service: str, region: str, resource: str, *, regional: bool = True) -> str:
    return f"arn:aws:{service}:{region if regional else ''}:{MOCK_ACCOUNT}:{resource}"


def mock_state(token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The (id, outputs) a provider would return for a new resource, from its inputs."""
    region = inputs.get("region") or DEFAULT_AWS_REGION
    physical = inputs.get("name") or name
    state: dict[str, Any] = dict(inputs)
    rid = f"{name}-id"
    provider, _, rest = token.partition(":")
    module = rest.split("/")[0]
    if token == "aws:sqs/queue:Queue":
        rid = f"https://sqs.{region}.amazonaws.com/{MOCK_ACCOUNT}/{physical}"
        state.update(url=rid, arn=_aws_arn("sqs", region, physical))
    elif token == "aws:sns/topic:Topic":
        state["arn"] = rid = _aws_arn("sns", region, physical)
    elif token == "aws:sns/topicSubscription:TopicSubscription":
        state["arn"] = rid = _aws_arn("sns", region, f"{physical}:{name}")
    elif token == "aws:kms/key:Key":
        rid = f"mock-key-{name}"
        state.update(keyId=rid, arn=_aws_arn("kms", region, f"key/{rid}"))
    elif token == "aws:kms/alias:Alias":
        state["arn"] = _aws_arn("kms", region, physical)
    elif token == "aws:cloudwatch/metricAlarm:MetricAlarm":
        rid = physical
        state["arn"] = _aws_arn("cloudwatch", region, f"alarm:{physical}")
    elif token.startswith("aws:iam/"):
        kind = {"role": "role", "policy": "policy", "user": "user", "instanceProfile": "instance-profile"}.get(
            token.split("/")[1].split(":")[0])
        if kind:
            rid = physical
            state["arn"] = _aws_arn("iam", region, f"{kind}/{physical}", regional=False)
    elif token == "aws:lb/loadBalancer:LoadBalancer":  # internal NLBs are named internal-<name>-<id>.elb…
        state.update(arn=_aws_arn("elasticloadbalancing", region, f"loadbalancer/net/{physical}/0123456789abcdef"),
                     dnsName=f"internal-{physical}-0123456789abcdef.elb.{region}.amazonaws.com")
    elif provider == "aws":
        state.setdefault("arn", _aws_arn(module, region, f"{token.rsplit(':', 1)[1].lower()}/{physical}"))
    elif provider == "gcp":
        project = inputs.get("project") or MOCK_GCP_PROJECT
        if token == "gcp:pubsub/topic:Topic":
            rid = f"projects/{project}/topics/{physical}"
        elif token == "gcp:pubsub/subscription:Subscription":
            rid = f"projects/{project}/subscriptions/{physical}"
        elif token == "gcp:pubsub/schema:Schema":
            rid = f"projects/{project}/schemas/{physical}"
        elif token == "gcp:monitoring/notificationChannel:NotificationChannel":
            rid = f"projects/{project}/notificationChannels/{name}"
            state["name"] = rid
        elif token == "gcp:monitoring/alertPolicy:AlertPolicy":
            rid = f"projects/{project}/alertPolicies/{name}"
            state["name"] = rid
        elif token == "gcp:projects/serviceIdentity:ServiceIdentity":
            email = f"service-{MOCK_GCP_PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"
            state.update(email=email, member=f"serviceAccount:{email}")
        elif token == "gcp:serviceaccount/account:Account":
            email = f"{inputs.get('accountId', name)}@{project}.iam.gserviceaccount.com"
            rid = f"projects/{project}/serviceAccounts/{email}"
            state.update(email=email, member=f"serviceAccount:{email}")
        elif module == "compute":  # refs between compute resources use self links (instance groups, backends)
            kind = token.rsplit(":", 1)[1][0].lower() + token.rsplit(":", 1)[1][1:] + "s"
            where = f"zones/{inputs['zone']}" if inputs.get("zone") else (
                f"regions/{inputs['region']}" if inputs.get("region") else "global")
            state.setdefault("selfLink", f"https://www.googleapis.com/compute/v1/projects/{project}/{where}/{kind}/"
                                         f"{physical}")
        state.setdefault("project", project)
    elif provider == "random":  # generated secrets: a recognisable stand-in, never a real value
        state["result"] = f"mock-{name}"
    state["id"] = rid
    return rid, state


class QueuekitMocks(pulumi.runtime.Mocks):
    """Pulumi mocks that return ``mock_state`` and record every registration in order."""

    def __init__(self) -> None:
        self.recorded: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.recorded.append(args)
        if not args.custom:
            return None, {}
        return mock_state(args.typ, args.name, args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        # queuekit's components use no invokes (data sources), so plans never depend on a cloud.
        raise NotImplementedError(f"unexpected invoke {args.token}: components must not call data sources")
