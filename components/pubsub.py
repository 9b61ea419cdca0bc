"""Pub/Sub components: fan-out topics with their subscriptions, and point-to-point queues.

A Pub/Sub ``queue`` is a topic plus exactly one subscription with the same id; a ``topic`` has one
subscription per spec subscription, named ``<topic>-<subscription>`` because subscription ids are
project-wide. Both build through :func:`_build` so the two can never drift apart.

What the defaults protect against (each one a real outage cause, see FIELD-NOTES):

* ``expiration_policy.ttl = ""`` — GCP deletes a subscription idle for 31 days unless told never to.
* every dead-letter topic ``<sub>-dlq`` gets a subscription: messages forwarded to a topic with no
  subscription are dropped.
* the Pub/Sub service agent gets publisher on the dead-letter topic and subscriber on the source
  subscription; without them dead-lettering silently does nothing.
* only non-authoritative IAM (``…IAMMember``): an ``IAMBinding``/``IAMPolicy`` would wipe grants other
  teams made on the same topic.

The service agent's member comes from ``gcp.projects.ServiceIdentity`` (a resource, no invoke), so
plans stay offline. A CMEK key gets one ``CryptoKeyIAMMember`` per stack, and topics take the key name
from that grant's output: the data dependency makes the grant exist before the topic that needs it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from components import gcp_alerts
from components.blueprint import Blueprint, Handle, QueuekitComponent, Ref
from components.common import gcp_labels
from queuekit.limits import PUBSUB_SCHEMA_SUFFIX
from queuekit.model import (
    Alarms,
    DeadLetter,
    Encryption,
    PubSubOptions,
    PubSubSchema,
    Queue,
    Spec,
    Subscription,
    Topic,
)

TOPIC = "gcp:pubsub/topic:Topic"
SCHEMA = "gcp:pubsub/schema:Schema"
SUBSCRIPTION = "gcp:pubsub/subscription:Subscription"
TOPIC_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
SUBSCRIPTION_MEMBER = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"
KMS_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"

PUBLISHER = "roles/pubsub.publisher"
SUBSCRIBER = "roles/pubsub.subscriber"
KMS_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
AGENT_NAME = "pubsub-service-agent"
NEVER_EXPIRES = ""


def duration(seconds: int) -> str:
    """Pub/Sub's duration strings are seconds with an ``s`` suffix."""
    return f"{seconds}s"


@dataclass(frozen=True)
class DeadLetterArgs:
    """Where a subscription dead-letters.

    ``target_topic`` None: create ``<sub>-dlq`` (topic + subscription). Otherwise a ref to a declared
    queue's topic id; that queue's subscription (``target_subscription``) receives the messages and the
    target queue's own component grants the service agent publisher on its topic.
    """

    max_deliveries: int
    retention: int
    target_topic: Any | None = None
    target_subscription: str | None = None


@dataclass(frozen=True)
class SubscriptionArgs:
    name: str  # the subscription id
    ack_deadline: int
    retention: int | None
    options: PubSubOptions
    consumers: tuple[str, ...]
    dead_letter: DeadLetterArgs | None
    alerts: gcp_alerts.AlertArgs | None


@dataclass(frozen=True)
class TopicArgs:
    """Everything a topic (or queue) component creates; refs resolve before ``build`` runs."""

    name: str
    retention: int | None
    producers: tuple[str, ...]
    subscriptions: tuple[SubscriptionArgs, ...]
    labels: dict[str, str]
    project: str | None
    region: str | None
    protect: bool
    kms_key_name: Any | None  # ref to the CMEK grant's crypto_key_id, None = Google-managed
    agent_member: Any | None  # ref to the Pub/Sub service agent's member; set when dead-lettering
    dead_letter_target: bool = False  # other subscriptions dead-letter into this topic
    schema: PubSubSchema | None = None  # the topic's schema (never its dead-letter topics')


class PubSubTopic(QueuekitComponent):
    """A fan-out topic with its subscriptions, dead-lettering, IAM and alerts."""

    TOKEN = "queuekit:gcp:Topic"

    @staticmethod
    def build(name: str, args: TopicArgs) -> Blueprint:
        return _build(args)


class PubSubQueue(PubSubTopic):
    """A point-to-point queue: a topic and one subscription with the same id."""

    TOKEN = "queuekit:gcp:Queue"


def _build(a: TopicArgs) -> Blueprint:
    bp = Blueprint()
    topic = _topic(bp, a, a.name, a.retention, _schema_settings(bp, a))
    topic_name = Ref(topic.name, "name")
    for member in a.producers:
        bp.add(TOPIC_MEMBER, f"pubsub-{a.name}-publisher-{_slug(member)}", topic=topic_name, role=PUBLISHER,
               member=member, project=a.project)
    if a.dead_letter_target:
        _agent_member(bp, TOPIC_MEMBER, f"pubsub-{a.name}-agent-publisher", a, topic=topic_name, role=PUBLISHER)
    sub_ids: dict[str, Ref] = {}
    dlq_topics: dict[str, Ref] = {}
    dlq_subs: dict[str, Ref | str] = {}
    alerts: list[Ref] = []
    for s in a.subscriptions:
        dead_letter_policy, dlq_sub_id = None, None
        if s.dead_letter is not None:
            dl = s.dead_letter
            if dl.target_topic is None:
                dlq = f"{s.name}-dlq"
                dlq_topic = _topic(bp, a, dlq, None)
                dlq_sub = _subscription(bp, a, SubscriptionArgs(
                    name=dlq, ack_deadline=s.ack_deadline, retention=dl.retention, options=PubSubOptions(),
                    consumers=(), dead_letter=None, alerts=None), dlq_topic, None)
                _agent_member(bp, TOPIC_MEMBER, f"pubsub-{dlq}-agent-publisher", a, topic=Ref(dlq_topic.name, "name"),
                              role=PUBLISHER)
                dead_letter_target, dlq_sub_id = dlq_topic.id, dlq
                dlq_topics[s.name], dlq_subs[s.name] = dlq_topic.id, dlq_sub.id
            else:
                dead_letter_target, dlq_sub_id = dl.target_topic, dl.target_subscription
                dlq_topics[s.name], dlq_subs[s.name] = dl.target_topic, str(dl.target_subscription)
            dead_letter_policy = {"dead_letter_topic": dead_letter_target, "max_delivery_attempts": dl.max_deliveries}
        sub = _subscription(bp, a, s, topic, dead_letter_policy)
        sub_ids[s.name], sub_name = sub.id, Ref(sub.name, "name")
        for member in s.consumers:
            bp.add(SUBSCRIPTION_MEMBER, f"pubsub-{s.name}-subscriber-{_slug(member)}", subscription=sub_name,
                   role=SUBSCRIBER, member=member, project=a.project)
        if s.dead_letter is not None:
            _agent_member(bp, SUBSCRIPTION_MEMBER, f"pubsub-{s.name}-agent-subscriber", a, subscription=sub_name,
                          role=SUBSCRIBER)
        if s.alerts is not None:
            alerts += [Ref(h.name, "name") for h in gcp_alerts.add_alert_policies(
                bp, s.name, dlq_sub_id, s.alerts, a.project, a.labels)]
    bp.outputs.update(topic_id=topic.id, subscription_ids=sub_ids, dlq_topic_ids=dlq_topics,
                      dlq_subscription_ids=dlq_subs, alert_policy_names=alerts)
    return bp


def _topic(bp: Blueprint, a: TopicArgs, name: str, retention: int | None,
           schema_settings: dict[str, Any] | None = None) -> Handle:
    return bp.add(
        TOPIC, f"pubsub-{name}-topic", protect=a.protect, name=name, project=a.project, labels=a.labels,
        message_retention_duration=duration(retention) if retention else None,
        kms_key_name=a.kms_key_name,
        message_storage_policy={"allowed_persistence_regions": [a.region]} if a.region else None,
        schema_settings=schema_settings,
    )


def _schema_settings(bp: Blueprint, a: TopicArgs) -> dict[str, Any] | None:
    """The topic's ``schema_settings``; a schema defined in the spec is created first.

    The topic takes the created schema's id from its output, so the topic depends on the schema
    (created before it, deleted after it). An existing schema (``name``) is referenced as given.
    """
    s = a.schema
    if s is None:
        return None
    schema: Any = s.name
    if s.definition is not None:
        created = bp.add(SCHEMA, f"pubsub-{a.name}-schema", protect=a.protect, name=f"{a.name}{PUBSUB_SCHEMA_SUFFIX}",
                         project=a.project, type=s.api_type, definition=s.definition)
        schema = created.id
    return {"schema": schema, "encoding": s.api_encoding}


def _subscription(bp: Blueprint, a: TopicArgs, s: SubscriptionArgs, topic: Handle,
                  dead_letter_policy: dict[str, Any] | None) -> Handle:
    o = s.options
    push = None
    if o.push_endpoint:
        oidc = None
        if o.push_service_account:
            oidc = {"service_account_email": o.push_service_account, "audience": o.push_audience}
        push = {"push_endpoint": o.push_endpoint, "oidc_token": oidc}
    return bp.add(
        SUBSCRIPTION, f"pubsub-{s.name}-subscription", protect=a.protect, name=s.name, topic=topic.id,
        project=a.project, labels=a.labels, ack_deadline_seconds=s.ack_deadline,
        message_retention_duration=duration(s.retention) if s.retention else None,
        expiration_policy={"ttl": duration(o.expiration) if o.expiration else NEVER_EXPIRES},
        retry_policy={"minimum_backoff": duration(o.min_backoff), "maximum_backoff": duration(o.max_backoff)},
        enable_message_ordering=o.ordering or None, enable_exactly_once_delivery=o.exactly_once or None,
        filter=o.filter, push_config=push, dead_letter_policy=dead_letter_policy,
    )


def _agent_member(bp: Blueprint, token: str, name: str, a: TopicArgs, **props: Any) -> None:
    if a.agent_member is None:
        raise ValueError(f"{a.name}: dead-lettering needs the Pub/Sub service agent's member")
    bp.add(token, name, member=a.agent_member, project=a.project, **props)


_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(member: str) -> str:
    """A stable logical-name part for an IAM member (reordering the spec's list replaces nothing)."""
    return _SLUG.sub("-", member.lower()).strip("-")


# ---------------------------------------------------------------------------------------------
# The stack: one component per Pub/Sub queue and topic


def add_to_stack(spec: Spec, bp: Blueprint) -> None:
    """Add every Pub/Sub queue and topic of ``spec``, with the shared service agent, CMEK grants and channels."""
    queues, topics = spec.queues_on("pubsub"), spec.topics_on("pubsub")
    if not queues and not topics:
        return
    project = spec.gcp_project
    agent = None
    if _needs_agent(queues, topics):
        agent = Ref(bp.add(SERVICE_IDENTITY, AGENT_NAME, service="pubsub.googleapis.com", project=project).name,
                    "member")
    keys = _cmek_grants(bp, queues, topics, agent)
    notify = {n for q in queues for n in q.alarms.notify} | {
        n for t in topics for s in t.subscriptions for n in s.alarms.notify}
    channels = gcp_alerts.notification_channels(spec, bp, notify, project)
    targets = {q.dead_letter.target for q in queues if q.dead_letter and q.dead_letter.target} | {
        s.dead_letter.target for t in topics for s in t.subscriptions if s.dead_letter and s.dead_letter.target}
    by_name = {q.name: q for q in queues}
    target_topics: dict[str, Ref] = {}

    def target_of(dl: DeadLetter | None, alarms: Alarms) -> tuple[DeadLetterArgs | None, gcp_alerts.AlertArgs | None]:
        alerts = gcp_alerts.alert_args(alarms, channels, has_dlq=dl is not None)
        if dl is None:
            return None, alerts
        if dl.target:
            if dl.target not in target_topics:
                add_queue(by_name[dl.target])
            return DeadLetterArgs(dl.max_deliveries, dl.retention, target_topics[dl.target], dl.target), alerts
        return DeadLetterArgs(dl.max_deliveries, dl.retention), alerts

    def common(name: str, encryption: Encryption, region: str | None, tags: dict[str, str],
               protect: bool) -> dict[str, Any]:
        return {"labels": gcp_labels(spec, tags), "project": project, "region": region, "protect": protect,
                "kms_key_name": keys.get(encryption.kms_key) if encryption.mode == "kms" else None,
                "agent_member": agent, "dead_letter_target": name in targets}

    def add_queue(q: Queue) -> None:
        if q.name in target_topics:
            return
        dl, alerts = target_of(q.dead_letter, q.alarms)
        sub = SubscriptionArgs(q.name, q.visibility_timeout, q.retention, q.pubsub, q.consumers, dl, alerts)
        handle = bp.add_component(PubSubQueue, f"pubsub-{q.name}", TopicArgs(
            name=q.name, retention=None, producers=q.producers, subscriptions=(sub,), schema=q.schema,
            **common(q.name, q.encryption, q.region, q.tags, q.protect)))
        target_topics[q.name] = Ref(handle.name, "topic_id")
        _export(bp, q.name, handle)

    for q in queues:
        add_queue(q)
    for t in topics:
        subs = []
        for s in t.subscriptions:
            dl, alerts = target_of(s.dead_letter, s.alarms)
            subs.append(SubscriptionArgs(t.subscription_queue_name(s), s.visibility_timeout, s.retention, s.pubsub,
                                         s.consumers, dl, alerts))
        handle = bp.add_component(PubSubTopic, f"pubsub-{t.name}", TopicArgs(
            name=t.name, retention=t.retention, producers=t.producers, subscriptions=tuple(subs), schema=t.schema,
            **common(t.name, t.encryption, t.region, t.tags, t.protect)))
        _export(bp, t.name, handle)


def _needs_agent(queues: tuple[Queue, ...], topics: tuple[Topic, ...]) -> bool:
    subs: list[Queue | Subscription] = [*queues, *(s for t in topics for s in t.subscriptions)]
    kms = any(x.encryption.mode == "kms" for x in (*queues, *topics))
    return kms or any(x.dead_letter is not None for x in subs)


def _cmek_grants(bp: Blueprint, queues: tuple[Queue, ...], topics: tuple[Topic, ...],
                 agent: Ref | None) -> dict[str | None, Ref]:
    """One grant per distinct key: two identical IAM members would revoke each other on destroy."""
    out: dict[str | None, Ref] = {}
    for item in (*queues, *topics):
        key = item.encryption.kms_key
        if item.encryption.mode != "kms" or key is None or key in out:
            continue
        short = key.rsplit("/", 1)[-1].lower()
        digest = hashlib.sha256(key.encode()).hexdigest()[:8]
        grant = bp.add(KMS_MEMBER, f"pubsub-cmek-{_slug(short)}-{digest}", crypto_key_id=key, role=KMS_ROLE,
                       member=agent)
        out[key] = Ref(grant.name, "crypto_key_id")
    return out


def _export(bp: Blueprint, name: str, handle: Handle) -> None:
    for attr in ("topic_id", "subscription_ids", "dlq_topic_ids", "dlq_subscription_ids", "alert_policy_names"):
        bp.outputs[f"pubsub_{name}_{attr}"] = Ref(handle.name, attr)
