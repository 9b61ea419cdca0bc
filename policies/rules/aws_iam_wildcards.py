"""QK103: no `*` action or public principal in queue/topic/key policies and generated IAM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.inputs import (
    IAM_POLICY_TYPES,
    KMS_KEY,
    SNS_TOPIC_POLICY,
    SQS_QUEUE_POLICY,
    as_list,
    kind,
    principals,
    statements,
)
from policies.rule import Config, Rule

# A public principal is acceptable only when a condition pins the caller (e.g. aws:SourceArn of our topic).
_SCOPING_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:principalorgid", "aws:sourceowner",
                 "aws:principalarn", "aws:sourcevpce", "aws:sourcevpc")


def _scoped(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    keys = {k.lower() for op in condition.values() if isinstance(op, Mapping) for k in op}
    return any(k in keys for k in _SCOPING_KEYS)


def _wild_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def check(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    out: list[str] = []
    allowed = set(config.get("allowedActionWildcards", []))
    for i, st in enumerate(statements(inputs.get("policy"))):
        if st.get("Effect") != "Allow":
            continue  # Deny * is how TLS-only is enforced: wildcards there are the point
        sid = st.get("Sid") or f"#{i}"
        actions = [str(a) for a in as_list(st.get("Action"))]
        who = principals(st)
        account_root = type_ == KMS_KEY and bool(who) and all(p.endswith(":root") for p in who)
        for action in actions if not account_root else ():  # a key policy must give its account kms:*
            if _wild_action(action) and action not in allowed:
                out.append(f"{kind(type_)} '{name}' statement {sid} allows every action ('{action}')")
        if st.get("NotAction") is not None:
            out.append(f"{kind(type_)} '{name}' statement {sid} allows NotAction (all but a few)")
        if type_ in IAM_POLICY_TYPES:
            if "*" in [str(r) for r in as_list(st.get("Resource"))] and any(_wild_action(a) for a in actions):
                out.append(f"IAM policy '{name}' statement {sid} grants '*' on every resource")
            continue
        if any(p == "*" for p in who) and not _scoped(st):
            out.append(f"{kind(type_)} '{name}' statement {sid} allows any principal ('*') "
                       "without a source condition")
    return out


RULE = Rule(
    id="QK103",
    name="aws-no-wildcard-access",
    title="Queue, topic, key and IAM policies grant no `*` action and no unscoped `*` principal",
    rationale="`sqs:*` lets a consumer purge or delete the queue and re-point its redrive; a `*` principal "
              "without an aws:SourceArn/SourceAccount condition makes the queue writable by any AWS account.",
    severity="critical",
    enforcement="mandatory",
    anchors=("CKV_AWS_72", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_62"),
    url="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-security-best-practices.html",
    remediation_steps="List producers and consumers by role ARN in the spec; queuekit then grants exactly "
                      "SendMessage / ReceiveMessage+DeleteMessage+ChangeMessageVisibility to them.",
    config_schema={"allowedActionWildcards": {"type": "array", "items": {"type": "string"}, "default": [],
                                              "description": "Action wildcards to accept (e.g. 'kms:*' in key "
                                                             "policies for the account root)."}},
    resource_types=frozenset({SQS_QUEUE_POLICY, SNS_TOPIC_POLICY, KMS_KEY, *IAM_POLICY_TYPES}),
    check_resource=check,
)
