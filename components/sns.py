"""SNS fan-out topics (``queuekit:aws:Topic``): a topic and one full SQS queue per subscription.

Each subscription queue is a nested ``SqsQueue`` (``<topic>-<sub>``, with its own DLQ and
alarms) whose policy lets only this topic send (``aws:SourceArn``). Encryption follows the
topic's: ``managed`` is the AWS managed key ``alias/aws/sns`` on the topic and SSE-SQS on the
queues; ``kms_key: create`` makes ONE customer key for the topic and all its queues, whose
policy lets SNS use it for this topic — without that grant SNS cannot encrypt into the queues
and drops every message silently; a given key is used as is (its policy must grant SNS).

The key policy names the topic by its ARN built from region, account and name rather than by
a ref: the topic needs the key first, so a ref would be a cycle.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from components.blueprint import Blueprint, Handle, JsonDoc, QueuekitComponent, Ref
from components.common import aws_tags
from components.sqs import KmsUse, SqsQueue, SqsQueueArgs, add_identity_policies, kms_use_for
from queuekit import aws_documents as docs
from queuekit.model import Spec, Topic


@dataclass(frozen=True)
class SnsSubscriptionArgs:
    name: str  # the subscription's spec name (``billing``)
    queue: SqsQueueArgs  # topic_arn and a created key's ARN are filled in by the topic
    raw_delivery: bool = True
    filter_policy: dict[str, Any] | None = None


@dataclass(frozen=True)
class SnsTopicArgs:
    name: str  # physical name without ".fifo"
    region: str
    stack_prefix: str
    fifo: bool = False
    encryption: str = "managed"  # managed | none | kms
    kms_key: str | None = None  # a given key
    create_key: bool = False
    kms_use: KmsUse | None = None
    account: str | None = None
    producers: tuple[str, ...] = ()
    subscriptions: tuple[SnsSubscriptionArgs, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    protect: bool = False

    @property
    def physical(self) -> str:
        return docs.physical_name(self.name, self.fifo)


class SnsTopic(QueuekitComponent):
    """An SNS topic fanning out to one SQS queue per subscription."""

    TOKEN = "queuekit:aws:Topic"

    @staticmethod
    def build(name: str, args: SnsTopicArgs) -> Blueprint:
        bp = Blueprint()
        a = args
        key_arn: Any = None
        if a.encryption == "kms" and a.create_key:
            key = bp.add("aws:kms/key:Key", f"{name}.key", protect=a.protect,
                         description=f"queuekit: encrypts SNS topic {a.physical} and its subscription queues",
                         enable_key_rotation=True, deletion_window_in_days=30,
                         policy=JsonDoc(topic_key_policy(a)), tags=a.tags, region=a.region)
            key_arn = key.arn
        elif a.encryption == "kms":
            key_arn = a.kms_key
        topic_key = {"managed": "alias/aws/sns", "kms": key_arn}.get(a.encryption)
        topic = bp.add("aws:sns/topic:Topic", f"{name}.topic", name=a.physical, fifo_topic=a.fifo or None,
                       kms_master_key_id=topic_key, tags=a.tags, region=a.region)
        bp.add("aws:sns/topicPolicy:TopicPolicy", f"{name}.policy", arn=topic.arn,
               policy=JsonDoc(docs.topic_policy(topic.arn, list(a.producers))), region=a.region)
        kms = a.kms_use or (KmsUse(key_arn) if key_arn is not None else None)
        add_identity_policies(
            bp, name, "publish", a.producers, a.account, f"{a.stack_prefix}-{a.physical}-publish",
            docs.identity_policy(docs.PUBLISHER_ACTIONS, topic.arn,
                                 kms_actions=docs.KMS_PRODUCER_ACTIONS if kms else (),
                                 kms_resource=kms.resource if kms else None,
                                 kms_condition=kms.condition if kms else None))
        bp.outputs = {"arn": topic.arn, "name": Ref(topic.name, "name")}  # handle.name is the logical name
        for sub in a.subscriptions:
            qargs = dataclasses.replace(sub.queue, topic_arn=topic.arn, topic_name=a.physical)
            if a.create_key:
                qargs = dataclasses.replace(qargs, kms_key=key_arn, create_key=False, kms_use=KmsUse(key_arn))
            qname = f"sqs-{sub.queue.name}"
            q = bp.add_component(SqsQueue, qname, qargs)
            bp.add("aws:sns/topicSubscription:TopicSubscription", f"{name}.subscription.{sub.name}",
                   depends_on=(qname,), topic=topic.arn, protocol="sqs", endpoint=q.arn,
                   raw_message_delivery=sub.raw_delivery,
                   filter_policy=JsonDoc(sub.filter_policy) if sub.filter_policy is not None else None,
                   region=a.region)
            for key in ("url", "arn", "alarm_names"):
                bp.outputs[f"{sub.name}.{key}"] = getattr(q, key)
            if sub.queue.max_receives is not None:
                bp.outputs[f"{sub.name}.dlq_name"] = q.dlq_name
        return bp


def topic_key_policy(a: SnsTopicArgs) -> dict[str, Any]:
    """Root administers; producers publish (via SNS); subscription consumers decrypt (via SQS);
    SNS encrypts into the subscription queues for this topic only."""
    if a.account is None:
        raise ValueError(f"topic {a.physical}: a created KMS key needs the AWS account for its key policy; "
                         "declare producers/consumers as IAM ARNs of that account")
    consumers = list(dict.fromkeys(c for s in a.subscriptions for c in s.queue.consumers))
    topic_arn = f"arn:aws:sns:{a.region}:{a.account}:{a.physical}"
    return docs.key_policy(a.account, a.region, list(a.producers), consumers, producer_service="sns",
                           topic_arn=topic_arn)


def topic_args(spec: Spec, t: Topic, account: str | None, alarm_topics: dict[tuple[str, str], Any],
               queue_arns: dict[str, Handle | Any]) -> SnsTopicArgs:
    """The topic's args; subscription queues inherit region, tags, protection and encryption."""
    region = t.region or "us-east-1"
    enc = t.encryption
    given = enc.mode == "kms" and not enc.creates_key
    tags = aws_tags(spec, t.tags)
    kms_use = kms_use_for(enc.kms_key, region, account) if given and enc.kms_key else None
    subs = []
    for s in t.subscriptions:
        dl = s.dead_letter
        actions = [alarm_topics[(n, region)] for n in s.alarms.notify
                   if s.alarms.enabled and (n, region) in alarm_topics]
        queue = SqsQueueArgs(
            name=t.subscription_queue_name(s), region=region, stack_prefix=f"{spec.project}-{spec.environment}",
            fifo=t.fifo, content_based_deduplication=t.fifo, visibility_timeout=s.visibility_timeout,
            retention=s.retention, encryption=enc.mode, kms_key=enc.kms_key if given else None,
            kms_use=kms_use, data_key_reuse=enc.data_key_reuse, account=account,
            max_receives=dl.max_deliveries if dl else None, dlq_retention=dl.retention if dl else 0,
            dlq_target_arn=queue_arns.get(dl.target) if dl and dl.target else None,
            dlq_target_name=docs.physical_name(dl.target, t.fifo) if dl and dl.target else None,
            consumers=s.consumers, alarm_dlq=s.alarms.dlq_messages, alarm_age=s.alarms.oldest_message_age,
            alarm_backlog=s.alarms.backlog, alarm_actions=tuple(actions), tags=tags, protect=t.protect,
        )
        subs.append(SnsSubscriptionArgs(s.name, queue, s.raw_delivery, s.filter_policy))
    return SnsTopicArgs(
        name=t.name, region=region, stack_prefix=f"{spec.project}-{spec.environment}", fifo=t.fifo,
        encryption=enc.mode, kms_key=enc.kms_key if given else None, create_key=enc.creates_key,
        kms_use=kms_use, account=account, producers=t.producers, subscriptions=tuple(subs), tags=tags,
        protect=t.protect,
    )
