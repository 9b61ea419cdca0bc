"""Pub/Sub on a live endpoint: ``up`` creates the spec's topology, ``verify`` proves it works.

``endpoint`` is a ``HOST:PORT`` of the Pub/Sub emulator (what ``PUBSUB_EMULATOR_HOST`` would hold),
or None for real Google Cloud with application-default credentials; ``queuekit.local.pubsub_endpoint``
builds the clients and turns what the user must fix into one-line errors.

``up`` creates the same topics and subscriptions the Pulumi components do (names, dead-letter
policy, retry policy, expiration, retention, filter, ordering, push config) and is idempotent:
what exists is reported, not changed. A topic's schema is created first (``<topic>-schema`` from the
spec's definition; a schema named in the spec must already exist) and the topic enforces it. The
emulator implements Avro schemas only: a protobuf definition fails there with Google's "not
implemented" message, as a one-line error. IAM is not set here: the emulator does not enforce it, and
on real GCP the Pulumi stack owns the grants.

``verify`` publishes one probe per queue/topic and, per subscription: checks it exists on the right
topic with the right dead-letter policy, that its dead-letter topic has a subscription (a topic
without one drops messages), pulls the probe (fan-out), then nacks it until ``max_deliveries`` and
finds it on the dead-letter subscription. Two kinds of subscription are checked by configuration
only, and the check says so: push subscriptions (the emulator would push to the spec's endpoint,
which verify cannot observe) and subscriptions with a filter (the probe may not match it). A topic with a
schema gets its schema settings checked and no probe (the probe is not a message of the user's schema).
While waiting, any message that is not a probe is nacked at once; on a busy real subscription
that counts as a delivery attempt, so run ``verify`` against fresh or quiet stacks.
"""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from queuekit.limits import PUBSUB_SCHEMA_SUFFIX
from queuekit.local.base import Check
from queuekit.local.pubsub_endpoint import Clients, PubSubError, clients
from queuekit.local.pubsub_endpoint import why as _why
from queuekit.model import DeadLetter, PubSubOptions, PubSubSchema, Spec

with warnings.catch_warnings():  # google.api_core warns about Python 3.11's end of life on import
    warnings.simplefilter("ignore", FutureWarning)
    from google.api_core import exceptions as gexc

__all__ = ["Clients", "clients", "plan", "up", "verify"]

PROBE_ATTR = "queuekit-probe"
PULL_WAIT = 2.0  # seconds one pull may wait for messages
API_TIMEOUT = 30.0  # seconds one create call may take, retries included


@dataclass(frozen=True)
class DeadLetterPlan:
    topic: str  # topic id (short)
    subscription: str  # the subscription on it that keeps the messages
    max_deliveries: int
    generated: bool  # False: a declared queue is the target (its own entry creates it)


@dataclass(frozen=True)
class SubPlan:
    """One subscription to create or check; ``owner`` is the queue/topic it belongs to."""

    owner: str
    name: str
    topic: str
    ack_deadline: int
    retention: int | None
    options: PubSubOptions
    dead_letter: DeadLetterPlan | None


@dataclass(frozen=True)
class Plan:
    topics: tuple[str, ...]
    subscriptions: tuple[SubPlan, ...]  # dead-letter subscriptions first, so policies point at ready topics
    schemas: dict[str, PubSubSchema] = field(default_factory=dict)  # topic -> the schema it enforces


def plan(spec: Spec) -> Plan:
    """The topology both ``up`` and ``verify`` work from, named exactly as the Pulumi components name it."""
    topics: list[str] = []
    dlq_subs: list[SubPlan] = []
    subs: list[SubPlan] = []

    def dead_letter(sub_id: str, dl: DeadLetter | None, ack: int) -> DeadLetterPlan | None:
        if dl is None:
            return None
        if dl.target:
            return DeadLetterPlan(dl.target, dl.target, dl.max_deliveries, generated=False)
        dlq = f"{sub_id}-dlq"
        topics.append(dlq)
        dlq_subs.append(SubPlan(sub_id, dlq, dlq, ack, dl.retention, PubSubOptions(), None))
        return DeadLetterPlan(dlq, dlq, dl.max_deliveries, generated=True)

    schemas = {x.name: x.schema for x in (*spec.queues_on("pubsub"), *spec.topics_on("pubsub")) if x.schema}
    for q in spec.queues_on("pubsub"):
        topics.append(q.name)
        dl = dead_letter(q.name, q.dead_letter, q.visibility_timeout)
        subs.append(SubPlan(q.name, q.name, q.name, q.visibility_timeout, q.retention, q.pubsub, dl))
    for t in spec.topics_on("pubsub"):
        topics.append(t.name)
        for s in t.subscriptions:
            sub_id = t.subscription_queue_name(s)
            dl = dead_letter(sub_id, s.dead_letter, s.visibility_timeout)
            subs.append(SubPlan(t.name, sub_id, t.name, s.visibility_timeout, s.retention, s.pubsub, dl))
    return Plan(tuple(topics), tuple(dlq_subs + subs), schemas)


def subscription_request(c: Clients, s: SubPlan) -> dict[str, Any]:
    """The Subscription message for ``s`` (the same settings as ``components.pubsub``)."""
    o = s.options
    req: dict[str, Any] = {
        "name": c.sub(s.name), "topic": c.topic(s.topic), "ack_deadline_seconds": s.ack_deadline,
        # An expiration policy with no ttl means "never expires"; leaving the field out means 31 days.
        "expiration_policy": {"ttl": f"{o.expiration}s"} if o.expiration else {},
        "retry_policy": {"minimum_backoff": f"{o.min_backoff}s", "maximum_backoff": f"{o.max_backoff}s"},
        "enable_message_ordering": o.ordering, "enable_exactly_once_delivery": o.exactly_once,
        "labels": {"managed-by": "queuekit"},
    }
    if s.retention:
        req["message_retention_duration"] = f"{s.retention}s"
    if o.filter:
        req["filter"] = o.filter
    if o.push_endpoint:
        push: dict[str, Any] = {"push_endpoint": o.push_endpoint}
        if o.push_service_account:
            push["oidc_token"] = {"service_account_email": o.push_service_account,
                                  "audience": o.push_audience or ""}
        req["push_config"] = push
    if s.dead_letter is not None:
        req["dead_letter_policy"] = {"dead_letter_topic": c.topic(s.dead_letter.topic),
                                     "max_delivery_attempts": s.dead_letter.max_deliveries}
    return req


def up(spec: Spec, endpoint: str | None, *, broker: str | None = None) -> list[str]:
    """Create every Pub/Sub topic and subscription of ``spec``; existing ones are reported, not changed."""
    c = clients(spec, endpoint)
    p = plan(spec)
    lines = []
    for name in p.topics:
        request: dict[str, Any] = {"name": c.topic(name), "labels": {"managed-by": "queuekit"}}
        if name in p.schemas:
            lines += _schema_up(c, name, p.schemas[name])
            request["schema_settings"] = schema_settings(c, name, p.schemas[name])
        if _create(c.publisher.create_topic, request):
            lines.append(f"created topic {c.topic(name)}")
        else:
            lines.append(f"topic {c.topic(name)} exists")
    for s in p.subscriptions:
        if _create(c.subscriber.create_subscription, subscription_request(c, s)):
            dl = (f", dead-letters to {s.dead_letter.topic} after {s.dead_letter.max_deliveries} deliveries"
                  if s.dead_letter else "")
            lines.append(f"created subscription {c.sub(s.name)} on {s.topic}{dl}")
        else:
            lines.append(f"subscription {c.sub(s.name)} exists")
    return lines


def schema_settings(c: Clients, topic: str, s: PubSubSchema) -> dict[str, str]:
    """The topic's SchemaSettings: the schema queuekit creates (``<topic>-schema``) or the existing one named."""
    return {"schema": s.name or c.schema(f"{topic}{PUBSUB_SCHEMA_SUFFIX}"), "encoding": s.api_encoding}


def _schema_up(c: Clients, topic: str, s: PubSubSchema) -> list[str]:
    """Create the topic's schema from its definition, or check that the named one exists."""
    if s.name is not None:
        try:
            c.schemas.get_schema(name=s.name, timeout=API_TIMEOUT)
        except gexc.NotFound:
            raise PubSubError(f"topic {topic}: schema {s.name} does not exist; queuekit creates only schemas given "
                              "by definition") from None
        except gexc.GoogleAPIError as exc:
            raise PubSubError(f"reading schema {s.name}: {_why(exc)}") from None
        return [f"schema {s.name} exists"]
    name = c.schema(f"{topic}{PUBSUB_SCHEMA_SUFFIX}")
    request = {"parent": f"projects/{c.project}", "schema_id": name.rsplit("/", 1)[-1],
               "schema": {"type_": s.api_type, "definition": s.definition}}
    if _create(c.schemas.create_schema, request, name):
        return [f"created schema {name} ({s.type})"]
    return [f"schema {name} exists"]


def _create(call: Any, request: dict[str, Any], name: str | None = None) -> bool:
    """True if created, False if it existed; anything Google refuses is the user's to fix (PubSubError)."""
    try:
        call(request=request, timeout=API_TIMEOUT)
        return True
    except gexc.AlreadyExists:
        return False
    except gexc.GoogleAPIError as exc:
        raise PubSubError(f"creating {name or request['name']}: {_why(exc)}") from None


# ---------------------------------------------------------------------------------------------
# verify


def verify(spec: Spec, endpoint: str | None, *, broker: str | None = None,
           timeout: float | None = None) -> list[Check]:
    """Probe every Pub/Sub queue and topic; ``timeout`` caps each wait (default: from the retry policy)."""
    c = clients(spec, endpoint)
    p = plan(spec)
    checks: list[Check] = []
    generated_dlq = {s.name for s in p.subscriptions if s.dead_letter is None and s.name.endswith("-dlq")} & {
        s.dead_letter.subscription for s in p.subscriptions if s.dead_letter and s.dead_letter.generated}
    owners: dict[str, list[SubPlan]] = {}
    for s in p.subscriptions:
        if s.name not in generated_dlq:
            owners.setdefault(s.owner, []).append(s)
    for owner, subs in owners.items():
        structural = [_structure(c, s) for s in subs]
        checks += [ch for group in structural for ch in group]
        if owner in p.schemas:
            checks.append(_schema_check(c, owner, p.schemas[owner]))
            checks.append(Check(owner, "publish a probe", True, "skipped: the topic enforces a schema the probe does "
                                                                "not match; subscriptions checked by configuration"))
            continue
        try:
            probe = _publish_probe(c, owner)
        except gexc.GoogleAPIError as exc:
            checks.append(Check(owner, "publish a probe", False, _why(exc)))
            continue
        checks.append(Check(owner, "publish a probe", True, f"probe {probe}"))
        for s, group in zip(subs, structural, strict=True):
            if all(ch.ok for ch in group):
                try:
                    checks += _probe_subscription(c, s, probe, timeout)
                except gexc.GoogleAPIError as exc:  # e.g. no permission to pull on real GCP
                    checks.append(Check(s.name, "receives the probe", False, _why(exc)))
    return checks


def _structure(c: Clients, s: SubPlan) -> list[Check]:
    out = []
    try:
        got = c.subscriber.get_subscription(subscription=c.sub(s.name))
    except gexc.NotFound:
        return [Check(s.name, "subscription exists", False, f"{c.sub(s.name)} not found")]
    except gexc.GoogleAPIError as exc:
        return [Check(s.name, "subscription exists", False, _why(exc))]
    on_topic = got.topic == c.topic(s.topic)
    out.append(Check(s.name, f"subscription exists on topic {s.topic}", on_topic,
                     "" if on_topic else f"attached to {got.topic or 'a deleted topic'}"))
    if s.dead_letter is not None:
        want = (c.topic(s.dead_letter.topic), s.dead_letter.max_deliveries)
        have = (got.dead_letter_policy.dead_letter_topic, got.dead_letter_policy.max_delivery_attempts)
        out.append(Check(s.name, "dead-letter policy", want == have,
                         f"{have[0] or 'none'} after {have[1]} deliveries" + ("" if want == have else
                                                                              f"; expected {want[0]} after {want[1]}")))
        try:
            attached = [n.rsplit("/", 1)[-1] for n in
                        c.publisher.list_topic_subscriptions(topic=c.topic(s.dead_letter.topic))]
            ok = s.dead_letter.subscription in attached
            detail = (f"{s.dead_letter.subscription} keeps dead-lettered messages" if ok else
                      f"{s.dead_letter.subscription} missing (topic has: {', '.join(attached) or 'none'}): "
                      "dead-lettered messages would be lost")
        except gexc.GoogleAPIError as exc:
            ok, detail = False, _why(exc)
        out.append(Check(s.name, "dead-letter topic has a subscription", ok, detail))
    return out


def _schema_check(c: Clients, topic: str, s: PubSubSchema) -> Check:
    want = schema_settings(c, topic, s)
    try:
        got = c.publisher.get_topic(topic=c.topic(topic), timeout=API_TIMEOUT).schema_settings
    except gexc.GoogleAPIError as exc:
        return Check(topic, "schema settings", False, _why(exc))
    have = {"schema": got.schema, "encoding": got.encoding.name}
    detail = f"{have['schema'] or 'no schema'} ({have['encoding']})"
    return Check(topic, "schema settings", have == want,
                 detail if have == want else f"{detail}; expected {want['schema']} ({want['encoding']})")


def _publish_probe(c: Clients, topic: str) -> str:
    probe = uuid.uuid4().hex[:12]
    c.publisher.publish(c.topic(topic), b'{"queuekit": "probe"}', **{PROBE_ATTR: probe}).result(timeout=30)
    return probe


def _probe_subscription(c: Clients, s: SubPlan, probe: str, timeout: float | None) -> list[Check]:
    o = s.options
    if o.push_endpoint:
        return [Check(s.name, "receives the probe", True,
                      f"push subscription to {o.push_endpoint}: configuration checked, delivery not observable")]
    if o.filter:
        return [Check(s.name, "receives the probe", True,
                      f"filter {o.filter!r}: the probe may not match; configuration checked only")]
    wait = timeout if timeout is not None else 60.0
    msg = next(_pull_probe(c, s.name, probe, time.monotonic() + wait), None)
    if msg is None:
        return [Check(s.name, "receives the probe", False, f"no probe within {wait:.0f}s")]
    checks = [Check(s.name, "receives the probe", True)]
    if s.dead_letter is None:
        c.subscriber.acknowledge(subscription=c.sub(s.name), ack_ids=[msg.ack_id])
        return checks
    return [*checks, _dead_letter_probe(c, s, probe, msg, timeout)]


def _dead_letter_probe(c: Clients, s: SubPlan, probe: str, first: Any, timeout: float | None) -> Check:
    """Nack the probe until Pub/Sub forwards it to the dead-letter topic; find it on its subscription."""
    dl = s.dead_letter
    assert dl is not None
    wait = timeout if timeout is not None else redelivery_budget(s.options, dl.max_deliveries)
    deadline = time.monotonic() + wait
    name = f"dead-letters after {dl.max_deliveries} deliveries to {dl.subscription}"
    deliveries = 1
    c.subscriber.modify_ack_deadline(subscription=c.sub(s.name), ack_ids=[first.ack_id], ack_deadline_seconds=0)
    try:
        while time.monotonic() < deadline:
            found = _pull_once(c, dl.subscription, probe)
            if found is not None:
                c.subscriber.acknowledge(subscription=c.sub(dl.subscription), ack_ids=[found.ack_id])
                count = found.message.attributes.get("CloudPubSubDeadLetterSourceDeliveryCount", "?")
                ok = deliveries >= dl.max_deliveries
                return Check(s.name, name, ok, f"arrived after {count} deliveries (saw {deliveries})")
            again = _pull_once(c, s.name, probe)
            if again is not None:
                deliveries += 1
                c.subscriber.modify_ack_deadline(subscription=c.sub(s.name), ack_ids=[again.ack_id],
                                                 ack_deadline_seconds=0)
    except gexc.GoogleAPIError as exc:
        return Check(s.name, name, False, _why(exc))
    return Check(s.name, name, False, f"not on {dl.subscription} within {wait:.0f}s ({deliveries} deliveries seen)")


def redelivery_budget(o: PubSubOptions, max_deliveries: int) -> float:
    """How long Pub/Sub may take to redeliver ``max_deliveries`` times under the retry policy, plus slack."""
    total, backoff = 0.0, float(o.min_backoff)
    for _ in range(max_deliveries):
        total += min(backoff, o.max_backoff) + PULL_WAIT
        backoff = max(backoff * 2, 1.0)
    return total + 30.0


def _pull_probe(c: Clients, sub: str, probe: str, deadline: float) -> Iterator[Any]:
    while time.monotonic() < deadline:
        found = _pull_once(c, sub, probe)
        if found is not None:
            yield found
            return


def _pull_once(c: Clients, sub: str, probe: str) -> Any | None:
    """One pull: returns our probe if it came; other probes are acked, other messages nacked at once."""
    try:
        resp = c.subscriber.pull(subscription=c.sub(sub), max_messages=10, timeout=PULL_WAIT)
    except gexc.DeadlineExceeded:
        return None
    found, stale, others = None, [], []
    for m in resp.received_messages:
        tag = m.message.attributes.get(PROBE_ATTR)
        if tag == probe and found is None:
            found = m
        elif tag is not None:
            stale.append(m.ack_id)
        else:
            others.append(m.ack_id)
    if stale:
        c.subscriber.acknowledge(subscription=c.sub(sub), ack_ids=stale)
    if others:
        c.subscriber.modify_ack_deadline(subscription=c.sub(sub), ack_ids=others, ack_deadline_seconds=0)
    return found
