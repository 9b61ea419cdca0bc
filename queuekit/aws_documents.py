"""The AWS JSON documents queuekit writes: redrive, redrive-allow, queue, topic, key and IAM policies.

One builder per document, shared by the Pulumi components (``components/sqs.py``, which pass
refs as ARNs) and the boto3 runner (``queuekit/local/sqs.py``, which passes strings and then
compares what the endpoint returns with the same builders). So ``local up`` creates exactly
what ``pulumi up`` would, and ``verify`` detects any drift from it (a wrong policy, a missing
redrive) with one definition of "right".

ARN arguments are opaque (``Any``): a string, a ``components.blueprint.Ref`` or a Pulumi
``Output``. The builders never inspect them, so both interpreters build identical documents.
"""

from __future__ import annotations

import re
from typing import Any

VERSION = "2012-10-17"

PRODUCER_ACTIONS: tuple[str, ...] = ("sqs:SendMessage",)
CONSUMER_ACTIONS: tuple[str, ...] = (
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
)
PUBLISHER_ACTIONS: tuple[str, ...] = ("sns:Publish",)
# With a customer key, SQS/SNS call KMS on the caller's behalf: producers need a data key
# (GenerateDataKey) and, to reuse a cached one, Decrypt; consumers only Decrypt.
KMS_PRODUCER_ACTIONS: tuple[str, ...] = ("kms:GenerateDataKey", "kms:Decrypt")
KMS_CONSUMER_ACTIONS: tuple[str, ...] = ("kms:Decrypt",)

_ACCOUNT = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):")
_IDENTITY = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")


def physical_name(name: str, fifo: bool) -> str:
    """The AWS name of a queue or topic: FIFO ones must end in ``.fifo``."""
    return f"{name}.fifo" if fifo else name


def account_of(principal: str) -> str | None:
    """The 12-digit account of an IAM ARN (``None`` for ``*``)."""
    m = _ACCOUNT.match(principal)
    return m.group(1) if m else None


def identity_of(principal: str) -> tuple[str, str] | None:
    """``("role", name)`` or ``("user", name)`` for an IAM role/user ARN; None for root or ``*``.

    IAM inline policies attach to the name without its path: ``role/service/api`` → ``api``.
    """
    m = _IDENTITY.fullmatch(principal)
    return (m.group(1), m.group(2)) if m else None


def redrive_policy(dlq_arn: Any, max_receives: int) -> dict[str, Any]:
    return {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives}


def redrive_allow_policy(source_arns: list[Any]) -> dict[str, Any]:
    """Only the named source queues may use this queue as their DLQ (not every queue in the account)."""
    return {"redrivePermission": "byQueue", "sourceQueueArns": list(source_arns)}


def _deny_insecure(actions: str, resource: Any) -> dict[str, Any]:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": actions,
            "Resource": resource, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def queue_policy(queue_arn: Any, producers: list[str], consumers: list[str],
                 topic_arn: Any = None) -> dict[str, Any]:
    """Deny plain HTTP to everyone; allow only the declared producers/consumers (and the topic).

    A subscription queue lets SNS send only on behalf of its own topic (``aws:SourceArn``):
    without the condition any topic in any account could write into it.
    """
    statements: list[dict[str, Any]] = [_deny_insecure("sqs:*", queue_arn)]
    if producers:
        statements.append({"Sid": "AllowProducers", "Effect": "Allow", "Principal": {"AWS": list(producers)},
                           "Action": list(PRODUCER_ACTIONS), "Resource": queue_arn})
    if consumers:
        statements.append({"Sid": "AllowConsumers", "Effect": "Allow", "Principal": {"AWS": list(consumers)},
                           "Action": list(CONSUMER_ACTIONS), "Resource": queue_arn})
    if topic_arn is not None:
        statements.append({"Sid": "AllowTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                           "Action": "sqs:SendMessage", "Resource": queue_arn,
                           "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}})
    return {"Version": VERSION, "Statement": statements}


def dlq_policy(dlq_arn: Any) -> dict[str, Any]:
    """A DLQ holds the same data as its source: plain HTTP is denied there too."""
    return {"Version": VERSION, "Statement": [_deny_insecure("sqs:*", dlq_arn)]}


def topic_policy(topic_arn: Any, producers: list[str]) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [_deny_insecure("sns:Publish", topic_arn)]
    if producers:
        statements.append({"Sid": "AllowProducers", "Effect": "Allow", "Principal": {"AWS": list(producers)},
                           "Action": list(PUBLISHER_ACTIONS), "Resource": topic_arn})
    return {"Version": VERSION, "Statement": statements}


def key_policy(account: str, region: str, producers: list[str], consumers: list[str], *,
               producer_service: str = "sqs", topic_arn: str | None = None) -> dict[str, Any]:
    """A customer key's policy: the account administers it, the declared roles use it only through
    SQS/SNS (``kms:ViaService``), and for fan-out SNS may use it only for this topic.

    A key policy's ``Resource`` is always ``*``: it means "this key" (the policy is attached to it).
    The SNS statement is the one users forget: without it SNS cannot encrypt into the queue and
    drops every message silently.
    """
    via = {"StringEquals": {"kms:ViaService": f"{producer_service}.{region}.amazonaws.com"}}
    statements: list[dict[str, Any]] = [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
    ]
    if producers:
        statements.append({"Sid": "ProducersEncrypt", "Effect": "Allow", "Principal": {"AWS": list(producers)},
                           "Action": list(KMS_PRODUCER_ACTIONS), "Resource": "*", "Condition": via})
    if consumers:
        statements.append({"Sid": "ConsumersDecrypt", "Effect": "Allow", "Principal": {"AWS": list(consumers)},
                           "Action": list(KMS_CONSUMER_ACTIONS), "Resource": "*",
                           "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}}})
    if topic_arn is not None:
        statements.append({"Sid": "SnsFanOut", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                           "Action": list(KMS_PRODUCER_ACTIONS), "Resource": "*",
                           "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}})
    return {"Version": VERSION, "Statement": statements}


def identity_policy(actions: tuple[str, ...], resource: Any, *, kms_actions: tuple[str, ...] = (),
                    kms_resource: Any = None, kms_condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """An IAM inline policy: ``actions`` on one queue/topic ARN (never ``*``), plus the key's actions."""
    statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]
    if kms_actions and kms_resource is not None:
        kms: dict[str, Any] = {"Effect": "Allow", "Action": list(kms_actions), "Resource": kms_resource}
        if kms_condition:
            kms["Condition"] = kms_condition
        statements.append(kms)
    return {"Version": VERSION, "Statement": statements}


def normalized(doc: Any) -> Any:
    """A policy document in a canonical form for comparison: one-element lists become scalars,
    lists are sorted, ints are strings (AWS returns ``"5"`` or ``5`` depending on the API)."""
    if isinstance(doc, dict):
        return {k: normalized(v) for k, v in sorted(doc.items())}
    if isinstance(doc, list):
        items = [normalized(v) for v in doc]
        if len(items) == 1:
            return items[0]
        return sorted(items, key=repr)
    if isinstance(doc, bool):
        return str(doc).lower()
    if isinstance(doc, int):
        return str(doc)
    return doc
