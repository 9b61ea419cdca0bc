"""SQS work queues (``queuekit:aws:Queue``) and the stack's ``backend: sqs`` resources.

A queue is a full production setup, not just ``aws.sqs.Queue``: its DLQ (longer retention,
redrive policy, a redrive-allow policy naming only this source), encryption (SSE-SQS, or a
customer KMS key created here with rotation and a key policy for the declared roles), a queue
policy (TLS only; only the declared producers/consumers, and for a topic subscription only
that topic), an IAM inline policy per role on this queue's ARN alone, and CloudWatch alarms.

The AWS account: a created key's policy must name the account root, and the components use no
data source (plans run offline), so the account is taken from the spec's principals — the
account most of the sqs producers/consumers belong to (``stack_account``). IAM inline policies
are only written for roles/users of that account: a foreign role's policy has to be added in its
own account (the queue policy already admits it).

Logical names: a queue component is ``sqs-<name>``, its children ``sqs-<name>.<part>``. SQS
names cannot contain ``.``, so no child name can collide with another queue's component.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from components import aws_alarms
from components.blueprint import Blueprint, Handle, JsonDoc, QueuekitComponent, Ref
from components.common import aws_tags
from queuekit import aws_documents as docs
from queuekit.model import Queue, Spec

QUEUE = "aws:sqs/queue:Queue"


@dataclass(frozen=True)
class KmsUse:
    """How IAM policies name a customer key: its ARN, or for an alias every key with that alias."""

    resource: Any  # key ARN (str or ref); for an alias: arn:aws:kms:<region>:<account>:key/*
    condition: dict[str, Any] | None = None  # kms:ResourceAliases for an alias


@dataclass(frozen=True)
class SqsQueueArgs:
    """Everything a queue needs, resolved from the model by ``queue_args``/``subscription_queue_args``.

    ``kms_key`` and ``topic_arn`` may be refs to resources outside the component (a topic's key, the
    topic); ``dlq_target_arn`` is the ARN of another declared queue when the spec dead-letters into it.
    """

    name: str  # physical name without ".fifo"
    region: str
    stack_prefix: str  # "<project>-<environment>": alarm and IAM policy names
    fifo: bool = False
    high_throughput_fifo: bool = False
    content_based_deduplication: bool = False
    visibility_timeout: int = 30
    retention: int | None = 4 * 86400
    delay: int = 0
    max_message_size: int = 1024 * 1024
    encryption: str = "managed"  # managed | none | kms
    kms_key: Any = None  # given key (ARN / alias) or a ref; None with create_key
    create_key: bool = False
    kms_use: KmsUse | None = None  # how IAM policies name a given key (None: created here)
    data_key_reuse: int = 300
    account: str | None = None
    max_receives: int | None = None  # None: no dead-lettering
    dlq_retention: int = 14 * 86400
    dlq_target_arn: Any = None  # another declared queue's ARN (ref)
    dlq_target_name: str | None = None  # its physical name (alarm dimension)
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    topic_arn: Any = None  # subscription queues: only this topic may send
    topic_name: str | None = None  # physical topic name, for the key policy's aws:SourceArn
    alarm_dlq: int | None = None
    alarm_age: int | None = None
    alarm_backlog: int | None = None
    alarm_actions: tuple[Any, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    protect: bool = False

    @property
    def physical(self) -> str:
        return docs.physical_name(self.name, self.fifo)

    @property
    def dlq_physical(self) -> str | None:
        if self.max_receives is None:
            return None
        if self.dlq_target_name is not None:
            return self.dlq_target_name
        return docs.physical_name(f"{self.name}-dlq", self.fifo)


class SqsQueue(QueuekitComponent):
    """An SQS queue with its DLQ, encryption, policies, IAM grants and alarms."""

    TOKEN = "queuekit:aws:Queue"

    @staticmethod
    def build(name: str, args: SqsQueueArgs) -> Blueprint:
        bp = Blueprint()
        a = args
        common: dict[str, Any] = {"region": a.region}
        fifo: dict[str, Any] = {}
        if a.fifo:
            fifo = {"fifo_queue": True, "content_based_deduplication": a.content_based_deduplication}
            if a.high_throughput_fifo:
                fifo.update(deduplication_scope="messageGroup", fifo_throughput_limit="perMessageGroupId")
        # SSE-SQS is on by default in AWS, but set explicitly so a plan (and a policy) can see it.
        enc: dict[str, Any] = {"sqs_managed_sse_enabled": a.encryption == "managed"}
        key_arn: Any = None
        if a.encryption == "kms":
            if a.create_key:
                key = bp.add("aws:kms/key:Key", f"{name}.key", protect=a.protect,
                             description=f"queuekit: encrypts SQS queue {a.physical} and its DLQ",
                             enable_key_rotation=True, deletion_window_in_days=30,
                             policy=JsonDoc(key_policy_for(a)), tags=a.tags, **common)
                key_arn = key.arn
            else:
                key_arn = a.kms_key
            enc = {"kms_master_key_id": key_arn, "kms_data_key_reuse_period_seconds": a.data_key_reuse}

        dlq_arn: Any = a.dlq_target_arn
        dlq = None
        if a.max_receives is not None and a.dlq_target_arn is None:
            dlq = bp.add(QUEUE, f"{name}.dlq", protect=a.protect, name=a.dlq_physical,
                         message_retention_seconds=a.dlq_retention, visibility_timeout_seconds=a.visibility_timeout,
                         max_message_size=a.max_message_size, tags=a.tags, **fifo, **enc, **common)
            dlq_arn = dlq.arn
        redrive = JsonDoc(docs.redrive_policy(dlq_arn, a.max_receives)) if a.max_receives is not None else None
        queue = bp.add(QUEUE, f"{name}.queue", protect=a.protect, name=a.physical,
                       visibility_timeout_seconds=a.visibility_timeout, message_retention_seconds=a.retention,
                       delay_seconds=a.delay, max_message_size=a.max_message_size, redrive_policy=redrive,
                       tags=a.tags, **fifo, **enc, **common)
        bp.add("aws:sqs/queuePolicy:QueuePolicy", f"{name}.policy", queue_url=queue.url,
               policy=JsonDoc(docs.queue_policy(queue.arn, list(a.producers), list(a.consumers), a.topic_arn)),
               **common)
        if dlq is not None:
            bp.add("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", f"{name}.dlq-redrive-allow", queue_url=dlq.url,
                   redrive_allow_policy=JsonDoc(docs.redrive_allow_policy([queue.arn])), **common)
            bp.add("aws:sqs/queuePolicy:QueuePolicy", f"{name}.dlq-policy", queue_url=dlq.url,
                   policy=JsonDoc(docs.dlq_policy(dlq.arn)), **common)

        kms_use = a.kms_use or (KmsUse(key_arn) if key_arn is not None else None)
        _add_identity_policies(bp, name, a, queue.arn, kms_use)

        specs = aws_alarms.queue_alarms(a.physical, a.dlq_physical, a.alarm_dlq, a.alarm_age, a.alarm_backlog)
        alarms = aws_alarms.add_queue_alarms(bp, name, a.stack_prefix, a.region, specs, list(a.alarm_actions), a.tags)

        # Ref(..., "name"), not handle.name: a Handle's own field ``name`` is its logical name.
        bp.outputs = {"url": queue.url, "arn": queue.arn, "name": Ref(queue.name, "name"),
                      "alarm_names": [Ref(h.name, "name") for h in alarms]}
        if dlq is not None:
            bp.outputs.update(dlq_name=Ref(dlq.name, "name"), dlq_arn=dlq.arn, dlq_url=dlq.url)
        elif a.dlq_target_name is not None:
            bp.outputs["dlq_name"] = a.dlq_target_name
        return bp


def key_policy_for(a: SqsQueueArgs) -> dict[str, Any]:
    if a.account is None:
        raise ValueError(f"queue {a.physical}: a created KMS key needs the AWS account for its key policy; "
                         "declare producers/consumers as IAM ARNs of that account")
    topic = f"arn:aws:sns:{a.region}:{a.account}:{a.topic_name}" if a.topic_name else None
    return docs.key_policy(a.account, a.region, list(a.producers), list(a.consumers), topic_arn=topic)


def _add_identity_policies(bp: Blueprint, name: str, a: SqsQueueArgs, queue_arn: Any, kms: KmsUse | None) -> None:
    """Inline policies on the declared roles/users of the stack's account, this queue's ARN only."""
    for kind, principals, actions, kms_actions in (
        ("send", a.producers, docs.PRODUCER_ACTIONS, docs.KMS_PRODUCER_ACTIONS),
        ("receive", a.consumers, docs.CONSUMER_ACTIONS, docs.KMS_CONSUMER_ACTIONS),
    ):
        add_identity_policies(bp, name, kind, principals, a.account, f"{a.stack_prefix}-{a.physical}-{kind}",
                              docs.identity_policy(actions, queue_arn, kms_actions=kms_actions if kms else (),
                                                   kms_resource=kms.resource if kms else None,
                                                   kms_condition=kms.condition if kms else None))


def add_identity_policies(bp: Blueprint, name: str, kind: str, principals: tuple[str, ...], account: str | None,
                          policy_name: str, document: dict[str, Any]) -> None:
    seen: Counter[str] = Counter()
    for principal in principals:
        identity = docs.identity_of(principal)
        if identity is None or docs.account_of(principal) != account:
            continue  # root, "*" or another account: nothing this stack can attach a policy to
        what, ident = identity
        seen[ident] += 1
        suffix = "" if seen[ident] == 1 else f"-{seen[ident]}"
        if what == "role":
            bp.add("aws:iam/rolePolicy:RolePolicy", f"{name}.{kind}.{ident}{suffix}", role=ident,
                   name=policy_name, policy=JsonDoc(document))
        else:
            bp.add("aws:iam/userPolicy:UserPolicy", f"{name}.{kind}.user.{ident}{suffix}", user=ident,
                   name=policy_name, policy=JsonDoc(document))


# ---------------------------------------------------------------------------------------------
# From the model


def stack_account(spec: Spec) -> str | None:
    """The account most sqs principals belong to (ties: the first seen); None when none names one."""
    counts: Counter[str] = Counter()
    for q in spec.queues_on("sqs"):
        counts.update(filter(None, map(docs.account_of, (*q.producers, *q.consumers))))
    for t in spec.topics_on("sqs"):
        counts.update(filter(None, map(docs.account_of, t.producers)))
        for s in t.subscriptions:
            counts.update(filter(None, map(docs.account_of, s.consumers)))
    return counts.most_common(1)[0][0] if counts else None


def kms_use_for(key: str, region: str, account: str | None) -> KmsUse:
    """IAM ``Resource`` for a given key: its ARN, or for an alias any key carrying that alias."""
    if ":alias/" in key or key.startswith("alias/"):
        alias = key[key.index("alias/"):]
        parts = key.split(":")
        key_region, key_account = (parts[3], parts[4]) if key.startswith("arn:") else (region, account or "*")
        return KmsUse(f"arn:aws:kms:{key_region}:{key_account}:key/*",
                      {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}})
    return KmsUse(key)


def queue_args(spec: Spec, q: Queue, account: str | None, actions: list[Any], dlq_target_arn: Any) -> SqsQueueArgs:
    region = q.region or "us-east-1"
    enc = q.encryption
    dl = q.dead_letter
    given = enc.mode == "kms" and not enc.creates_key
    return SqsQueueArgs(
        name=q.name, region=region, stack_prefix=f"{spec.project}-{spec.environment}", fifo=q.fifo,
        high_throughput_fifo=q.high_throughput_fifo, content_based_deduplication=q.content_based_deduplication,
        visibility_timeout=q.visibility_timeout, retention=q.retention, delay=q.delay,
        max_message_size=q.max_message_size, encryption=enc.mode,
        kms_key=enc.kms_key if given else None, create_key=enc.creates_key,
        kms_use=kms_use_for(enc.kms_key, region, account) if given and enc.kms_key else None,
        data_key_reuse=enc.data_key_reuse, account=account,
        max_receives=dl.max_deliveries if dl else None, dlq_retention=dl.retention if dl else 0,
        dlq_target_arn=dlq_target_arn,
        dlq_target_name=docs.physical_name(dl.target, q.fifo) if dl and dl.target else None,
        producers=q.producers, consumers=q.consumers,
        alarm_dlq=q.alarms.dlq_messages, alarm_age=q.alarms.oldest_message_age, alarm_backlog=q.alarms.backlog,
        alarm_actions=tuple(actions), tags=aws_tags(spec, q.tags), protect=q.protect,
    )


def ordered_queues(queues: tuple[Queue, ...]) -> list[Queue]:
    """Dead-letter targets before the queues that use them (their ARN is an input of the source)."""
    by_name = {q.name: q for q in queues}
    out: list[Queue] = []
    state: dict[str, str] = {}

    def visit(q: Queue) -> None:
        if state.get(q.name) == "done":
            return
        if state.get(q.name) == "visiting":
            raise ValueError(f"dead-letter targets form a cycle through queue '{q.name}'")
        state[q.name] = "visiting"
        target = q.dead_letter.target if q.dead_letter else None
        if target in by_name:
            visit(by_name[target])
        state[q.name] = "done"
        out.append(q)

    for q in queues:
        visit(q)
    return out


def _actions(alarms_notify: tuple[str, ...], region: str, topics: dict[tuple[str, str], Any],
             enabled: bool) -> list[Any]:
    if not enabled:
        return []
    return [topics[(n, region)] for n in alarms_notify if (n, region) in topics]


def add_to_stack(spec: Spec, bp: Blueprint) -> None:
    """Every ``backend: sqs`` queue and topic of the spec, their alarm topics and stack outputs."""
    from components.sns import SnsTopic, topic_args

    queues = ordered_queues(spec.queues_on("sqs"))
    topics = spec.topics_on("sqs")
    if not queues and not topics:
        return
    account = stack_account(spec)
    used: set[tuple[str, str]] = set()
    for q in queues:
        used |= aws_alarms.notify_pairs(q.alarms, q.region or "us-east-1")
    for t in topics:
        for s in t.subscriptions:
            used |= aws_alarms.notify_pairs(s.alarms, t.region or "us-east-1")
    alarm_topics = aws_alarms.add_alarm_topics(spec, bp, used)

    sources: dict[str, list[Any]] = {}
    for q in queues:
        region = q.region or "us-east-1"
        target = q.dead_letter.target if q.dead_letter else None
        target_arn = Handle(f"sqs-{target}").arn if target else None
        args = queue_args(spec, q, account, _actions(q.alarms.notify, region, alarm_topics, q.alarms.enabled),
                          target_arn)
        h = bp.add_component(SqsQueue, f"sqs-{q.name}", args)
        if target:
            sources.setdefault(target, []).append(h.arn)
        for key in ("url", "arn", "alarm_names"):
            bp.outputs[f"{q.name}.{key}"] = getattr(h, key)
        if q.dead_letter is not None:
            bp.outputs[f"{q.name}.dlq_name"] = h.dlq_name
    for t in topics:
        args = topic_args(spec, t, account, alarm_topics,
                          {q.name: Handle(f"sqs-{q.name}").arn for q in queues})
        h = bp.add_component(SnsTopic, f"sns-{t.name}", args)
        bp.outputs[f"{t.name}.topic_arn"] = h.arn
        for s in t.subscriptions:
            sub = t.subscription_queue_name(s)
            for key in ("url", "arn", "alarm_names"):
                bp.outputs[f"{sub}.{key}"] = getattr(h, f"{s.name}.{key}")
            if s.dead_letter is not None:
                bp.outputs[f"{sub}.dlq_name"] = getattr(h, f"{s.name}.dlq_name")
            if s.dead_letter is not None and s.dead_letter.target:
                sources.setdefault(s.dead_letter.target, []).append(getattr(h, f"{s.name}.arn"))
    for target, arns in sources.items():
        # One redrive-allow policy per declared target, naming every queue that dead-letters into it.
        target_queue = next(q for q in queues if q.name == target)
        bp.add("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", f"sqs-{target}.redrive-allow",
               queue_url=Handle(f"sqs-{target}").url,
               redrive_allow_policy=JsonDoc(docs.redrive_allow_policy(arns)), region=target_queue.region or "us-east-1")

