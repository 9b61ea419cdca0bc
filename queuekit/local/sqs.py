"""``backend: sqs`` on a live AWS API: create the topology with boto3 and smoke-test it.

``up`` creates what ``pulumi up`` creates for the data path — queues, DLQs, redrive and
redrive-allow policies, queue policies, SNS topics with their policies and subscriptions (raw
delivery, filter policies), and customer KMS keys (found again by alias, so ``up`` is
idempotent) — on moto server, LocalStack, or real AWS. It does not create alarms or IAM role
policies: those are deployment concerns the Pulumi components own.

``verify`` proves the topology works end to end, and that it is the one the spec declares:

* per queue: the queue, its settings and at-rest encryption (also its generated DLQ's), its
  DLQ, the redrive policy (target, ``maxReceiveCount``), the redrive-allow policy (moto cannot
  return one: reported as skipped there) and the queue policy equal what the spec implies (the same documents
  the components write, ``queuekit.aws_documents``); then a probe message is received without
  being deleted (visibility reset to 0 each time) until the redrive limit, and must show up in
  the DLQ, where it is deleted;
* per topic: the topic policy and each subscription (queue ARN, raw delivery, filter policy),
  then one probe per subscription, published with attributes that satisfy its filter policy,
  must reach that subscription's queue (a filter that no attribute set can satisfy, e.g. one on
  the message body, is reported as skipped with the reason).

On a live stack with running consumers a probe may be consumed by them, and messages the probe
loop receives by accident are released at once (their receive count still grows by one): run
it right after ``pulumi up``, before consumers start, or on an idle stack. Every wait is
bounded (``PROBE_TIMEOUT`` seconds per probe).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from queuekit import aws_documents as docs
from queuekit.local.aws_endpoint import API_ERRORS, Aws, AwsError, describe
from queuekit.local.base import Check
from queuekit.model import Encryption, Spec

DEFAULT_REGION = "us-east-1"
PROBE_ATTRIBUTE = "queuekit-probe"
PROBE_TIMEOUT = 20.0  # seconds to wait for one probe to arrive (queue, DLQ or subscription)
RECEIVE_WAIT_SECONDS = 1  # long polling: AWS may miss a message on a short poll (it samples servers)
EXTRA_RECEIVES = 3  # receives past the redrive limit before calling the redrive broken


@dataclass(frozen=True)
class LocalQueue:
    """A queue to create and verify: a spec queue or a topic subscription's queue."""

    label: str  # the spec name (``image-resize``, ``orders-billing``)
    region: str
    fifo: bool
    high_throughput_fifo: bool
    content_based_deduplication: bool
    visibility_timeout: int
    retention: int | None
    delay: int
    max_message_size: int
    encryption: Encryption
    key_owner: str  # whose created KMS key this queue uses: itself or its topic
    max_receives: int | None
    dlq_retention: int
    dlq_target: str | None  # physical name of a declared queue to dead-letter into
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    topic: str | None = None  # physical topic name for subscription queues

    @property
    def physical(self) -> str:
        return docs.physical_name(self.label, self.fifo)

    @property
    def dlq_physical(self) -> str | None:
        if self.max_receives is None:
            return None
        return self.dlq_target or docs.physical_name(f"{self.label}-dlq", self.fifo)

    @property
    def generates_dlq(self) -> bool:
        return self.max_receives is not None and self.dlq_target is None


@dataclass(frozen=True)
class LocalSubscription:
    name: str
    queue: LocalQueue
    raw_delivery: bool
    filter_policy: dict[str, Any] | None


@dataclass(frozen=True)
class LocalTopic:
    label: str
    region: str
    fifo: bool
    encryption: Encryption
    producers: tuple[str, ...]
    subscriptions: tuple[LocalSubscription, ...] = field(default_factory=tuple)

    @property
    def physical(self) -> str:
        return docs.physical_name(self.label, self.fifo)


def topology(spec: Spec) -> tuple[list[LocalQueue], list[LocalTopic]]:
    """The spec's sqs queues and topics in the shape the runner needs."""
    queues = []
    for q in spec.queues_on("sqs"):
        dl = q.dead_letter
        queues.append(LocalQueue(
            label=q.name, region=q.region or DEFAULT_REGION, fifo=q.fifo, high_throughput_fifo=q.high_throughput_fifo,
            content_based_deduplication=q.content_based_deduplication, visibility_timeout=q.visibility_timeout,
            retention=q.retention, delay=q.delay, max_message_size=q.max_message_size, encryption=q.encryption,
            key_owner=q.name, max_receives=dl.max_deliveries if dl else None, dlq_retention=dl.retention if dl else 0,
            dlq_target=docs.physical_name(dl.target, q.fifo) if dl and dl.target else None,
            producers=q.producers, consumers=q.consumers))
    topics = []
    for t in spec.topics_on("sqs"):
        region = t.region or DEFAULT_REGION
        subs = []
        for s in t.subscriptions:
            dl = s.dead_letter
            queue = LocalQueue(
                label=t.subscription_queue_name(s), region=region, fifo=t.fifo, high_throughput_fifo=False,
                content_based_deduplication=t.fifo, visibility_timeout=s.visibility_timeout, retention=s.retention,
                delay=0, max_message_size=1024 * 1024, encryption=t.encryption, key_owner=f"topic-{t.name}",
                max_receives=dl.max_deliveries if dl else None, dlq_retention=dl.retention if dl else 0,
                dlq_target=docs.physical_name(dl.target, t.fifo) if dl and dl.target else None,
                consumers=s.consumers, topic=docs.physical_name(t.name, t.fifo))
            subs.append(LocalSubscription(s.name, queue, s.raw_delivery, s.filter_policy))
        topics.append(LocalTopic(t.name, region, t.fifo, t.encryption, t.producers, tuple(subs)))
    return queues, topics


def all_queues(queues: list[LocalQueue], topics: list[LocalTopic]) -> list[LocalQueue]:
    return [*queues, *(s.queue for t in topics for s in t.subscriptions)]


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def queue_url(aws: Aws, region: str, name: str) -> str | None:
    try:
        return str(aws("sqs", region).get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as exc:
        if "NonExistentQueue" in _error_code(exc) or "QueueDoesNotExist" in _error_code(exc):
            return None
        raise


def queue_attributes(aws: Aws, region: str, url: str, names: list[str] | None = None) -> dict[str, str]:
    out = aws("sqs", region).get_queue_attributes(QueueUrl=url, AttributeNames=names or ["All"])
    return dict(out.get("Attributes", {}))


def find_topic(aws: Aws, region: str, name: str) -> str | None:
    for page in aws("sns", region).get_paginator("list_topics").paginate():
        for t in page.get("Topics", []):
            if t["TopicArn"].rsplit(":", 1)[1] == name:
                return str(t["TopicArn"])
    return None


def subscriptions_of(aws: Aws, region: str, topic_arn: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in aws("sns", region).get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        out += page.get("Subscriptions", [])
    return out


# ---------------------------------------------------------------------------------------------
# up


def _encryption_attributes(enc: Encryption, key: str | None) -> dict[str, str]:
    if enc.mode == "managed":
        return {"SqsManagedSseEnabled": "true"}
    if enc.mode == "none":
        return {"SqsManagedSseEnabled": "false"}
    return {"KmsMasterKeyId": str(key), "KmsDataKeyReusePeriodSeconds": str(enc.data_key_reuse)}


def queue_settings(q: LocalQueue, key: str | None, *, dlq: bool = False) -> dict[str, str]:
    """The CreateQueue attributes of the queue (or of its generated DLQ), without policies."""
    attrs = {"VisibilityTimeout": str(q.visibility_timeout), "MaximumMessageSize": str(q.max_message_size),
             **_encryption_attributes(q.encryption, key)}
    if dlq:
        attrs["MessageRetentionPeriod"] = str(q.dlq_retention)
    else:
        attrs["DelaySeconds"] = str(q.delay)
        if q.retention is not None:
            attrs["MessageRetentionPeriod"] = str(q.retention)
    if q.fifo:
        attrs.update(FifoQueue="true", ContentBasedDeduplication=str(q.content_based_deduplication).lower())
        if q.high_throughput_fifo:
            attrs.update(DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
    return attrs


def ensure_queue(aws: Aws, region: str, name: str, attrs: dict[str, str]) -> tuple[str, str]:
    """Create the queue, or bring an existing one's mutable attributes in line; returns (url, verb)."""
    url = queue_url(aws, region, name)
    if url is None:
        return str(aws("sqs", region).create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]), "created"
    mutable = {k: v for k, v in attrs.items() if k != "FifoQueue"}
    aws("sqs", region).set_queue_attributes(QueueUrl=url, Attributes=mutable)
    return url, "updated"


def key_alias(spec: Spec, owner: str) -> str:
    return f"alias/queuekit/{spec.project}-{spec.environment}/{owner}"


def ensure_key(aws: Aws, region: str, alias: str, policy: dict[str, Any]) -> tuple[str, str]:
    """A customer key found by its alias, or created with rotation and ``policy``; (key ARN, verb)."""
    kms = aws("kms", region)
    for page in kms.get_paginator("list_aliases").paginate():
        for a in page.get("Aliases", []):
            if a["AliasName"] == alias and a.get("TargetKeyId"):
                return str(kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["Arn"]), "found"
    meta = kms.create_key(Description=f"queuekit {alias}", Policy=json.dumps(policy))["KeyMetadata"]
    kms.enable_key_rotation(KeyId=meta["KeyId"])
    kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    return str(meta["Arn"]), "created"


def _keys(spec: Spec, aws: Aws, queues: list[LocalQueue], topics: list[LocalTopic],
          lines: list[str]) -> dict[str, str]:
    """Customer keys by owner (a queue's name or ``topic-<name>``), created when the spec says create."""
    keys: dict[str, str] = {}
    for q in queues:
        if q.encryption.creates_key:
            account = aws.account(q.region)
            arn, verb = ensure_key(aws, q.region, key_alias(spec, q.key_owner),
                                   docs.key_policy(account, q.region, list(q.producers), list(q.consumers)))
            keys[q.key_owner] = arn
            lines.append(f"{verb} KMS key {key_alias(spec, q.key_owner)} for queue {q.physical}")
        elif q.encryption.mode == "kms":
            keys[q.key_owner] = str(q.encryption.kms_key)
    for t in topics:
        owner = f"topic-{t.label}"
        if t.encryption.creates_key:
            account = aws.account(t.region)
            consumers = list(dict.fromkeys(c for s in t.subscriptions for c in s.queue.consumers))
            policy = docs.key_policy(account, t.region, list(t.producers), consumers, producer_service="sns",
                                     topic_arn=f"arn:aws:sns:{t.region}:{account}:{t.physical}")
            arn, verb = ensure_key(aws, t.region, key_alias(spec, owner), policy)
            keys[owner] = arn
            lines.append(f"{verb} KMS key {key_alias(spec, owner)} for topic {t.physical}")
        elif t.encryption.mode == "kms":
            keys[owner] = str(t.encryption.kms_key)
    return keys


_ATTRIBUTE_WORDS = {"Policy": "queue policy", "RedrivePolicy": "redrive policy",
                    "RedriveAllowPolicy": "redrive-allow policy"}


def up(spec: Spec, endpoint: str | None, *, broker: str | None = None) -> list[str]:
    """Create (or update) every sqs queue, DLQ, policy, topic and subscription of the spec.

    Raises :class:`AwsError` (one line for the CLI) when the endpoint is unusable or refuses a call.
    """
    del broker  # sqs has no brokers
    aws = Aws(endpoint)
    try:
        return _up(spec, aws)
    except API_ERRORS as exc:
        raise AwsError(describe(endpoint, exc)) from None


def _up(spec: Spec, aws: Aws) -> list[str]:
    queues, topics = topology(spec)
    lines: list[str] = []
    keys = _keys(spec, aws, queues, topics, lines)
    everything = all_queues(queues, topics)
    urls: dict[str, tuple[str, str]] = {}  # physical name → (region, url)
    for q in everything:
        key = keys.get(q.key_owner)
        if q.generates_dlq:
            url, verb = ensure_queue(aws, q.region, q.dlq_physical or "", queue_settings(q, key, dlq=True))
            urls[q.dlq_physical or ""] = (q.region, url)
            lines.append(f"{verb} queue {q.dlq_physical} (DLQ of {q.physical})")
        url, verb = ensure_queue(aws, q.region, q.physical, queue_settings(q, key))
        urls[q.physical] = (q.region, url)
        lines.append(f"{verb} queue {q.physical}")
    topic_arns: dict[str, str] = {}
    for t in topics:
        attrs = {"FifoTopic": "true"} if t.fifo else {}
        topic_key = {"managed": "alias/aws/sns", "kms": keys.get(f"topic-{t.label}")}.get(t.encryption.mode)
        if topic_key:
            attrs["KmsMasterKeyId"] = topic_key
        arn = str(aws("sns", t.region).create_topic(Name=t.physical, Attributes=attrs)["TopicArn"])
        topic_arns[t.physical] = arn
        aws("sns", t.region).set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                                  AttributeValue=json.dumps(docs.topic_policy(arn, list(t.producers))))
        lines.append(f"ensured topic {t.physical} and its policy")

    arns = {name: queue_attributes(aws, region, url, ["QueueArn"])["QueueArn"] for name, (region, url) in urls.items()}
    # One SetQueueAttributes per queue with every policy at once: moto drops a queue's Policy
    # whenever a call does not repeat it (AWS keeps it), so split calls would undo each other.
    pending: dict[str, dict[str, str]] = {}
    sources: dict[str, list[str]] = {}
    for q in everything:
        attrs = pending.setdefault(q.physical, {})
        attrs["Policy"] = json.dumps(docs.queue_policy(arns[q.physical], list(q.producers), list(q.consumers),
                                                       topic_arns.get(q.topic) if q.topic else None))
        if q.max_receives is not None and q.dlq_physical:
            attrs["RedrivePolicy"] = json.dumps(docs.redrive_policy(arns[q.dlq_physical], q.max_receives))
            sources.setdefault(q.dlq_physical, []).append(arns[q.physical])
            if q.generates_dlq:
                pending.setdefault(q.dlq_physical, {})["Policy"] = json.dumps(docs.dlq_policy(arns[q.dlq_physical]))
    for dlq, source_arns in sources.items():
        pending.setdefault(dlq, {})["RedriveAllowPolicy"] = json.dumps(docs.redrive_allow_policy(source_arns))
    for name, attrs in pending.items():
        region, url = urls[name]
        aws("sqs", region).set_queue_attributes(QueueUrl=url, Attributes=attrs)
        lines.append(f"set {', '.join(_ATTRIBUTE_WORDS[k] for k in attrs)} on {name}")

    for t in topics:
        arn = topic_arns[t.physical]
        existing = {s["Endpoint"]: s["SubscriptionArn"] for s in subscriptions_of(aws, t.region, arn)
                    if s.get("Protocol") == "sqs"}
        for s in t.subscriptions:
            endpoint_arn = arns[s.queue.physical]
            sub_arn = existing.get(endpoint_arn)
            verb = "updated"
            if sub_arn is None:
                sub_arn = aws("sns", t.region).subscribe(TopicArn=arn, Protocol="sqs", Endpoint=endpoint_arn,
                                                         ReturnSubscriptionArn=True)["SubscriptionArn"]
                verb = "created"
            sns = aws("sns", t.region)
            sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery",
                                            AttributeValue=str(s.raw_delivery).lower())
            if s.filter_policy is not None:
                sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="FilterPolicy",
                                                AttributeValue=json.dumps(s.filter_policy))
            lines.append(f"{verb} subscription {t.physical} -> {s.queue.physical}"
                         f"{' (raw)' if s.raw_delivery else ''}{' with filter policy' if s.filter_policy else ''}")
    return lines


# ---------------------------------------------------------------------------------------------
# verify


@dataclass(frozen=True)
class _Probe:
    """One verify run's probes share a random token: their bodies contain it, so copies are found."""

    token: str

    def body(self, target: str) -> str:
        return f"queuekit-probe {self.token} {target}"


def _receive(aws: Aws, region: str, url: str) -> list[dict[str, Any]]:
    out = aws("sqs", region).receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=RECEIVE_WAIT_SECONDS,
                                             MessageAttributeNames=["All"], AttributeNames=["All"])
    return list(out.get("Messages", []))


def _release(aws: Aws, region: str, url: str, messages: list[dict[str, Any]]) -> None:
    for m in messages:
        aws("sqs", region).change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                     VisibilityTimeout=0)


def _wait_for(aws: Aws, region: str, url: str, body: str, timeout: float) -> dict[str, Any] | None:
    """Poll ``url`` for a message whose body contains ``body``; release every other message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = _receive(aws, region, url)
        mine = [m for m in messages if body in m.get("Body", "")]
        _release(aws, region, url, [m for m in messages if m not in mine])
        if mine:
            return mine[0]
    return None


def _send_probe(aws: Aws, q: LocalQueue, url: str, body: str, token: str) -> None:
    kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": body,
                              "MessageAttributes": {PROBE_ATTRIBUTE: {"DataType": "String", "StringValue": token}}}
    if q.fifo:
        kwargs.update(MessageGroupId=f"queuekit-probe-{token}", MessageDeduplicationId=f"{token}-{q.label}")
    aws("sqs", q.region).send_message(**kwargs)


def _dead_letter_probe(aws: Aws, q: LocalQueue, url: str, dlq_url: str, probe: _Probe, timeout: float) -> Check:
    """Receive the probe ``max_receives`` times without deleting it; it must then be in the DLQ."""
    body = probe.body(q.label)
    _send_probe(aws, q, url, body, probe.token)
    assert q.max_receives is not None
    receives = 0
    deadline = time.monotonic() + timeout + q.max_receives
    while time.monotonic() < deadline:
        messages = _receive(aws, q.region, url)
        mine = [m for m in messages if body in m.get("Body", "")]
        _release(aws, q.region, url, messages)
        if mine:
            receives += 1
            if receives > q.max_receives + EXTRA_RECEIVES:
                _delete(aws, q.region, url, body, timeout)
                return Check(q.physical, "probe dead-letters", False,
                             f"received {receives} times with max_receives {q.max_receives} and never moved to "
                             f"{q.dlq_physical}: the redrive policy does not work; probe deleted")
        elif receives >= q.max_receives:
            break
    else:
        return Check(q.physical, "probe dead-letters", False,
                     f"gave up after {timeout:.0f}s: the probe was received {receives} of {q.max_receives} times")
    found = _wait_for(aws, q.region, dlq_url, body, timeout)
    if found is None:
        _delete(aws, q.region, url, body, 2.0)  # still in the source queue? do not leave it behind
        return Check(q.physical, "probe dead-letters", False,
                     f"the probe left {q.physical} after {receives} receives but did not arrive in "
                     f"{q.dlq_physical} within {timeout:.0f}s")
    aws("sqs", q.region).delete_message(QueueUrl=dlq_url, ReceiptHandle=found["ReceiptHandle"])
    return Check(q.physical, "probe dead-letters", True,
                 f"received {receives} times, then found in {q.dlq_physical} and deleted")


def _delete(aws: Aws, region: str, url: str, body: str, timeout: float) -> bool:
    found = _wait_for(aws, region, url, body, timeout)
    if found is not None:
        aws("sqs", region).delete_message(QueueUrl=url, ReceiptHandle=found["ReceiptHandle"])
    return found is not None


def _round_trip_probe(aws: Aws, q: LocalQueue, url: str, probe: _Probe, timeout: float) -> Check:
    body = probe.body(q.label)
    _send_probe(aws, q, url, body, probe.token)
    if _delete(aws, q.region, url, body, timeout):
        return Check(q.physical, "probe round trip", True, "sent, received and deleted; no DLQ declared")
    return Check(q.physical, "probe round trip", False, f"the probe did not come back within {timeout:.0f}s")


def _document_check(target: str, name: str, actual: str | None, expected: dict[str, Any]) -> Check:
    if actual is None:
        return Check(target, name, False, "missing")
    try:
        got = json.loads(actual)
    except ValueError:
        return Check(target, name, False, f"not JSON: {actual[:80]!r}")
    if docs.normalized(got) == docs.normalized(expected):
        return Check(target, name, True)
    return Check(target, name, False, f"differs from the spec: expected {json.dumps(expected)}, found {actual}")


def _redrive_check(q: LocalQueue, actual: str | None, dlq_arn: str | None) -> Check:
    name = "redrive policy"
    if actual is None:
        return Check(q.physical, name, False,
                     f"none: failed messages are retried until retention expires, never moved to {q.dlq_physical}")
    got = json.loads(actual)
    want = (dlq_arn, q.max_receives)
    found = (got.get("deadLetterTargetArn"), int(got.get("maxReceiveCount", 0)))
    if found != want:
        return Check(q.physical, name, False, f"expected target {want[0]} after {want[1]} receives, "
                                              f"found {found[0]} after {found[1]}")
    return Check(q.physical, name, True, f"{q.dlq_physical} after {q.max_receives} receives")


SETTINGS = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize", "FifoQueue",
            "ContentBasedDeduplication")


def _settings_check(q: LocalQueue, attrs: dict[str, str]) -> Check:
    want = queue_settings(q, None)
    wrong = [f"{k}={attrs.get(k)!r} (spec: {want[k]!r})" for k in SETTINGS if k in want and attrs.get(k) != want[k]]
    return Check(q.physical, "settings", not wrong, "; ".join(wrong))


def _encryption_check(target: str, enc: Encryption, attrs: dict[str, str]) -> Check:
    """At-rest encryption as the spec declares it. A KMS key wins over ``SqsManagedSseEnabled``,
    which moto reports as "true" even for a queue with a customer key (AWS reports "false")."""
    key = attrs.get("KmsMasterKeyId") or None
    found = f"KMS key {key}" if key else ("SSE-SQS" if attrs.get("SqsManagedSseEnabled") == "true" else "none")
    if enc.mode == "kms":
        want = "a KMS key created by queuekit" if enc.creates_key else f"KMS key {enc.kms_key}"
        ok = key is not None and (enc.creates_key or key == enc.kms_key)
        reuse = attrs.get("KmsDataKeyReusePeriodSeconds")
        if ok and reuse != str(enc.data_key_reuse):
            return Check(target, "encryption", False, f"KmsDataKeyReusePeriodSeconds={reuse!r} "
                                                      f"(spec: {enc.data_key_reuse!r})")
    else:
        want = {"managed": "SSE-SQS", "none": "none"}[enc.mode]
        ok = found == want
    return Check(target, "encryption", ok, found if ok else f"expected {want}, found {found}")


def _verify_queue(aws: Aws, q: LocalQueue, topic_arn: str | None, sources: dict[str, list[str]],
                  probe: _Probe, timeout: float) -> Iterator[Check]:
    url = queue_url(aws, q.region, q.physical)
    if url is None:
        yield Check(q.physical, "exists", False, "queue not found")
        return
    attrs = queue_attributes(aws, q.region, url)
    arn = attrs["QueueArn"]
    yield Check(q.physical, "exists", True)
    yield _settings_check(q, attrs)
    yield _encryption_check(q.physical, q.encryption, attrs)
    yield _document_check(q.physical, "queue policy", attrs.get("Policy"),
                          docs.queue_policy(arn, list(q.producers), list(q.consumers), topic_arn))
    if q.max_receives is None:
        yield _round_trip_probe(aws, q, url, probe, timeout)
        return
    dlq_url = queue_url(aws, q.region, q.dlq_physical or "")
    if dlq_url is None:
        yield Check(q.physical, "dead-letter queue", False, f"{q.dlq_physical} not found")
        return
    dlq_attrs = queue_attributes(aws, q.region, dlq_url)
    dlq_arn = dlq_attrs["QueueArn"]
    yield Check(q.physical, "dead-letter queue", True, q.dlq_physical or "")
    redrive = _redrive_check(q, attrs.get("RedrivePolicy"), dlq_arn)
    yield redrive
    if q.generates_dlq:
        yield _document_check(q.physical, "DLQ policy", dlq_attrs.get("Policy"), docs.dlq_policy(dlq_arn))
        yield _encryption_check(q.dlq_physical or "", q.encryption, dlq_attrs)
    yield _redrive_allow_check(aws, q, dlq_url, sources.get(q.dlq_physical or "", [arn]))
    if redrive.ok:
        yield _dead_letter_probe(aws, q, url, dlq_url, probe, timeout)


def _redrive_allow_check(aws: Aws, q: LocalQueue, dlq_url: str, source_arns: list[str]) -> Check:
    name = "DLQ redrive-allow policy"
    try:
        attrs = queue_attributes(aws, q.region, dlq_url, ["RedriveAllowPolicy"])
    except ClientError as exc:
        if _error_code(exc) == "InvalidAttributeName":
            return Check(q.physical, name, True, "skipped: this endpoint does not support RedriveAllowPolicy")
        raise
    return _document_check(q.physical, name, attrs.get("RedriveAllowPolicy"),
                           docs.redrive_allow_policy(source_arns))


def verify(spec: Spec, endpoint: str | None, *, broker: str | None = None,
           timeout: float = PROBE_TIMEOUT) -> list[Check]:
    """Check every sqs queue and topic of the spec (see the module docstring).

    Raises :class:`AwsError` when the endpoint cannot be reached or refuses the first calls; API errors on one
    queue or topic later are failing checks of that queue or topic.
    """
    del broker
    aws = Aws(endpoint)
    queues, topics = topology(spec)
    probe = _Probe(uuid.uuid4().hex[:12])
    checks: list[Check] = []
    try:
        topic_arns = {t.physical: find_topic(aws, t.region, t.physical) for t in topics}
        sources = _expected_sources(aws, all_queues(queues, topics))
    except API_ERRORS as exc:  # nothing to verify against: a user error (exit 2), as for local up
        raise AwsError(describe(endpoint, exc)) from None
    for q in queues:
        checks += _guarded(q.physical, lambda q=q: _verify_queue(aws, q, None, sources, probe, timeout))
    for t in topics:
        checks += _guarded(t.physical,
                           lambda t=t: _verify_topic(aws, t, topic_arns[t.physical], sources, probe, timeout))
    return checks


def _guarded(target: str, run: Callable[[], Iterator[Check]]) -> list[Check]:
    """The checks of one queue/topic; an API error ends them with a failing check, not a traceback."""
    out: list[Check] = []
    try:
        for c in run():
            out.append(c)
    except (BotoCoreError, ClientError) as exc:
        out.append(Check(target, "API call", False, f"{type(exc).__name__}: {exc}"))
    return out


def _expected_sources(aws: Aws, queues: list[LocalQueue]) -> dict[str, list[str]]:
    """DLQ physical name → the ARNs of the queues that dead-letter into it (the redrive-allow list)."""
    out: dict[str, list[str]] = {}
    for q in queues:
        if q.dlq_physical is None:
            continue
        url = queue_url(aws, q.region, q.physical)
        if url is not None:
            out.setdefault(q.dlq_physical, []).append(queue_attributes(aws, q.region, url, ["QueueArn"])["QueueArn"])
    return out


def _verify_topic(aws: Aws, t: LocalTopic, arn: str | None, sources: dict[str, list[str]], probe: _Probe,
                  timeout: float) -> Iterator[Check]:
    if arn is None:
        yield Check(t.physical, "exists", False, "topic not found")
        return
    sns = aws("sns", t.region)
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    yield Check(t.physical, "exists", True)
    yield _document_check(t.physical, "topic policy", attrs.get("Policy"), docs.topic_policy(arn, list(t.producers)))
    subs = {s["Endpoint"]: s["SubscriptionArn"] for s in subscriptions_of(aws, t.region, arn)}
    for s in t.subscriptions:
        yield from _verify_queue(aws, s.queue, arn, sources, probe, timeout)
        yield from _verify_subscription(aws, t, arn, s, subs, probe, timeout)
    _drain(aws, t, probe)


def _verify_subscription(aws: Aws, t: LocalTopic, topic_arn: str, s: LocalSubscription, subs: dict[str, str],
                         probe: _Probe, timeout: float) -> Iterator[Check]:
    target = f"{t.physical} -> {s.queue.physical}"
    url = queue_url(aws, s.queue.region, s.queue.physical)
    if url is None:
        return  # reported by the queue checks
    queue_arn = queue_attributes(aws, t.region, url, ["QueueArn"])["QueueArn"]
    sub_arn = subs.get(queue_arn)
    if sub_arn is None:
        yield Check(target, "subscription", False, "the queue is not subscribed to the topic")
        return
    attrs = aws("sns", t.region).get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    problems = []
    if attrs.get("RawMessageDelivery", "false") != str(s.raw_delivery).lower():
        problems.append(f"RawMessageDelivery={attrs.get('RawMessageDelivery')} (spec: {s.raw_delivery})")
    got_filter = json.loads(attrs["FilterPolicy"]) if attrs.get("FilterPolicy") else None
    if docs.normalized(got_filter) != docs.normalized(s.filter_policy):
        problems.append(f"FilterPolicy={attrs.get('FilterPolicy')} (spec: {json.dumps(s.filter_policy)})")
    yield Check(target, "subscription", not problems, "; ".join(problems))
    attributes, why_not = matching_attributes(s.filter_policy)
    if attributes is None:
        yield Check(target, "fan-out", True, f"skipped: {why_not}")
        return
    body = probe.body(f"{t.label}/{s.name}")
    kwargs: dict[str, Any] = {"TopicArn": topic_arn, "Message": body, "MessageAttributes": {
        PROBE_ATTRIBUTE: {"DataType": "String", "StringValue": probe.token}, **attributes}}
    if t.fifo:
        kwargs.update(MessageGroupId=f"queuekit-probe-{probe.token}", MessageDeduplicationId=f"{probe.token}-{s.name}")
    aws("sns", t.region).publish(**kwargs)
    if _delete(aws, t.region, url, body, timeout):
        yield Check(target, "fan-out", True, "published probe arrived" + (", filter matched" if attributes else ""))
    else:
        yield Check(target, "fan-out", False, f"published probe did not arrive within {timeout:.0f}s")


def _drain(aws: Aws, t: LocalTopic, probe: _Probe) -> None:
    """Delete the copies of this run's probes that unfiltered subscriptions also received."""
    for s in t.subscriptions:
        url = queue_url(aws, t.region, s.queue.physical)
        if url is None:
            continue
        for _ in range(5):
            messages = _receive(aws, t.region, url)
            mine = [m for m in messages if probe.token in m.get("Body", "")]
            _release(aws, t.region, url, [m for m in messages if m not in mine])
            for m in mine:
                aws("sqs", t.region).delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if not mine:
                break


# ---------------------------------------------------------------------------------------------
# Filter policies → attributes that match


def matching_attributes(policy: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str]:
    """SNS message attributes satisfying ``policy`` (attribute scope), or (None, why not)."""
    if not policy:
        return {}, ""
    if "$or" in policy:
        for branch in policy["$or"]:
            attrs, _ = matching_attributes({**{k: v for k, v in policy.items() if k != "$or"}, **branch})
            if attrs is not None:
                return attrs, ""
        return None, "no branch of the $or filter can be matched by a probe"
    out: dict[str, Any] = {}
    for key, rules in policy.items():
        if isinstance(rules, dict):
            return None, f"the filter on '{key}' is nested (a message-body filter); probes set attributes only"
        value = _satisfying_value(rules if isinstance(rules, list) else [rules])
        if value is _ABSENT:
            continue
        if value is None:
            return None, f"cannot build a value matching the filter on '{key}': {json.dumps(rules)}"
        if isinstance(value, bool):
            return None, f"the filter on '{key}' matches a boolean; probes carry only String and Number attributes"
        if isinstance(value, (int, float)):
            out[key] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[key] = {"DataType": "String", "StringValue": str(value)}
    return out, ""


_ABSENT = object()


def _satisfying_value(rules: list[Any]) -> Any:
    """A value that any one of ``rules`` (an OR list) accepts; ``_ABSENT`` when leaving it out matches."""
    for rule in rules:
        if isinstance(rule, (str, int, float)):  # bool included: the caller explains why it cannot match
            return rule
        if not isinstance(rule, dict) or len(rule) != 1:
            continue
        (op, arg), = rule.items()
        if op == "prefix" and isinstance(arg, str):
            return arg + "probe"
        if op == "suffix" and isinstance(arg, str):
            return "probe" + arg
        if op == "equals-ignore-case" and isinstance(arg, str):
            return arg
        if op == "exists":
            return "probe" if arg else _ABSENT
        if op == "anything-but":
            banned = arg if isinstance(arg, list) else [arg]
            if all(isinstance(b, (int, float)) for b in banned):
                return max([0, *banned]) + 1
            return "queuekit-probe-value"
        if op == "numeric" and isinstance(arg, list):
            number = _numeric_match(arg)
            if number is not None:
                return number
    return None


def _numeric_match(conditions: list[Any]) -> float | None:
    lo, hi, exact = float("-inf"), float("inf"), None
    for op, value in zip(conditions[::2], conditions[1::2], strict=False):
        if op == "=":
            exact = float(value)
        elif op in (">", ">="):
            lo = max(lo, float(value) + (1 if op == ">" else 0))
        elif op in ("<", "<="):
            hi = min(hi, float(value) - (1 if op == "<" else 0))
    if exact is not None:
        return exact if lo <= exact <= hi else None
    candidate = lo if lo != float("-inf") else (hi if hi != float("inf") else 0.0)
    if lo <= candidate <= hi:
        return candidate
    return (lo + hi) / 2 if lo < hi else None
