"""The RabbitMQ definitions document of one broker: what ``render``, ``local up`` and the VMs import.

One document serves all three so that what a developer tests locally is byte-for-byte what the
cluster loads at boot. Layout (everything in one vhost named after the project):

* every queue and every topic is a **fanout exchange of the same name** — producers publish
  there with any routing key, never to the default exchange, so their permission can be one
  exact exchange name;
* a work queue ``Q`` is a durable queue bound to exchange ``Q``; a topic ``T`` gets one queue
  ``T-<subscription>`` per subscription, each bound to exchange ``T`` (every subscription sees
  every message);
* each of those queues has its own dead-letter exchange ``<queue>-dlx`` (internal: no client
  may publish to it) bound to its DLQ ``<queue>-dlq`` (or the declared ``dead_letter.target``);
* the queue **type** is a queue argument (``quorum`` by default) because it cannot be changed
  later anyway; everything RabbitMQ allows to change — dead-lettering, delivery limit, TTL —
  is a **policy** (one per queue, ``queuekit.<queue>``), so later spec changes apply in place;
* one **user per principal**: producers may write only to their exchanges, consumers may read
  only their queues, nobody may configure (declare/delete) anything.

Delivery limit: the spec's ``max_deliveries`` counts deliveries (like SQS ``maxReceiveCount``
and Pub/Sub ``max_delivery_attempts``). RabbitMQ's quorum ``delivery-limit`` counts
*re*-deliveries — with ``delivery-limit: 5`` a message is delivered 6 times — so the policy
carries ``max_deliveries - 1``. Classic queues track no delivery count: they dead-letter on
reject/expiry only (``verify`` reports the delivery-limit check as not applicable).

Dead-lettering from quorum queues uses ``dead-letter-strategy: at-least-once`` (RabbitMQ
≥ 3.10): the source queue keeps a message until the DLQ has confirmed it, so a node failure
while dead-lettering cannot lose it. That strategy requires ``overflow: reject-publish``.

Secrets: the rendered document carries **no passwords**. Users get ``password_hash: ""`` —
RabbitMQ's documented "no password" state: importing it creates the user, who cannot log in
until a password is set. ``local up`` and the VMs' boot script pass ``passwords`` to get real
salted SHA-256 hashes instead (hashes, never plain text, and never printed).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from queuekit.model import DeadLetter, Spec

HASHING_ALGORITHM = "rabbit_password_hashing_sha256"
_REGEX_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")


@dataclass(frozen=True)
class QueuePlan:
    """One physical RabbitMQ queue queuekit declares, with what its policy needs."""

    name: str
    exchange: str  # the exchange it is bound to (its queue's or its topic's)
    queue_type: str
    retention: int | None  # seconds
    dead_letter: DeadLetter | None
    dlq: str | None
    consumers: tuple[str, ...]
    subscription_of: str | None = None  # the topic, for subscription queues


def vhost_name(spec: Spec) -> str:
    """The vhost holding the whole topology: the project name."""
    return spec.project


def dlx_name(queue: str) -> str:
    return f"{queue}-dlx"


def policy_name(queue: str) -> str:
    return f"queuekit.{queue}"


def exact(names: list[str] | tuple[str, ...] | set[str]) -> str:
    """A permission regex matching exactly these names (``""`` = nothing, RabbitMQ's 'no access')."""
    if not names:
        return ""
    escaped = sorted(_REGEX_SPECIAL.sub(r"\\\1", n) for n in names)
    return f"^{escaped[0]}$" if len(escaped) == 1 else "^(" + "|".join(escaped) + ")$"


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt ‖ sha256(salt ‖ password)), 4-byte salt."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def queue_plans(spec: Spec, broker: str) -> list[QueuePlan]:
    """Every queue queuekit declares on ``broker`` (work queues and subscription queues), spec order."""
    queues, topics = spec.on_broker(broker)
    plans = [QueuePlan(q.name, q.name, q.queue_type, q.retention, q.dead_letter,
                       q.dlq_name if q.dead_letter else None, q.consumers) for q in queues]
    for topic in topics:
        for sub in topic.subscriptions:
            name = topic.subscription_queue_name(sub)
            plans.append(QueuePlan(name, topic.name, topic.queue_type, sub.retention, sub.dead_letter,
                                   topic.subscription_dlq_name(sub) if sub.dead_letter else None,
                                   sub.consumers, subscription_of=topic.name))
    return plans


def principals(spec: Spec, broker: str) -> dict[str, tuple[set[str], set[str]]]:
    """User name → (exchanges it may write, queues it may read), users in first-mention order."""
    queues, topics = spec.on_broker(broker)
    users: dict[str, tuple[set[str], set[str]]] = {}

    def grant(user: str, write: str | None = None, read: str | None = None) -> None:
        w, r = users.setdefault(user, (set(), set()))
        if write:
            w.add(write)
        if read:
            r.add(read)

    for q in queues:
        for p in q.producers:
            grant(p, write=q.name)
        for c in q.consumers:
            grant(c, read=q.name)
    for t in topics:
        for p in t.producers:
            grant(p, write=t.name)
        for sub in t.subscriptions:
            for c in sub.consumers:
                grant(c, read=t.subscription_queue_name(sub))
    return users


def definitions(spec: Spec, broker: str, *, passwords: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The definitions document (``POST /api/definitions``, ``rabbitmqctl import_definitions``).

    Without ``passwords`` users carry an empty hash (no password login; safe to print). With
    ``passwords`` (user → password) every listed user gets a salted hash.
    """
    vhost = vhost_name(spec)
    queues, topics = spec.on_broker(broker)
    plans = queue_plans(spec, broker)
    declared = {q.name for q in queues}

    exchanges = [_exchange(vhost, q.name, "fanout") for q in queues]
    exchanges += [_exchange(vhost, t.name, "fanout") for t in topics]
    out_queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    policies: list[dict[str, Any]] = []
    for plan in plans:
        out_queues.append(_queue(vhost, plan.name, plan.queue_type))
        bindings.append(_binding(vhost, plan.exchange, plan.name))
        if policy := queue_policy(plan):  # RabbitMQ rejects a policy with an empty definition
            policies.append(_policy(vhost, plan.name, policy))
        if plan.dead_letter is None or plan.dlq is None:
            continue
        exchanges.append(_exchange(vhost, dlx_name(plan.name), "fanout", internal=True))
        bindings.append(_binding(vhost, dlx_name(plan.name), plan.dlq))
        if plan.dlq not in declared:  # a generated DLQ (a declared target has its own queue/policy)
            out_queues.append(_queue(vhost, plan.dlq, plan.queue_type))
            policies.append(_policy(vhost, plan.dlq, dlq_policy(plan)))
    out_queues = _unique(out_queues)

    users, permissions = [], []
    for user, (write, read) in principals(spec, broker).items():
        secret = (passwords or {}).get(user)
        users.append({"name": user, "password_hash": password_hash(secret) if secret else "",
                      "hashing_algorithm": HASHING_ALGORITHM, "tags": ""})
        permissions.append({"user": user, "vhost": vhost, "configure": "", "write": exact(write),
                            "read": exact(read)})
    return {
        "vhosts": [{"name": vhost}],
        "users": users,
        "permissions": permissions,
        "exchanges": exchanges,
        "queues": out_queues,
        "bindings": bindings,
        "policies": policies,
    }


def queue_policy(plan: QueuePlan) -> dict[str, Any]:
    """The policy definition of a queue: retention, dead-lettering, delivery limit ({} = no policy)."""
    definition: dict[str, Any] = {}
    if plan.retention is not None:
        definition["message-ttl"] = plan.retention * 1000
    if plan.dead_letter is not None:
        definition["dead-letter-exchange"] = dlx_name(plan.name)
        if plan.queue_type == "quorum":
            definition["delivery-limit"] = plan.dead_letter.max_deliveries - 1
            definition["dead-letter-strategy"] = "at-least-once"
            definition["overflow"] = "reject-publish"
    return definition


def dlq_policy(plan: QueuePlan) -> dict[str, Any]:
    """The policy definition of a generated DLQ: its own retention."""
    assert plan.dead_letter is not None
    return {"message-ttl": plan.dead_letter.retention * 1000}


def _exchange(vhost: str, name: str, type_: str, *, internal: bool = False) -> dict[str, Any]:
    return {"name": name, "vhost": vhost, "type": type_, "durable": True, "auto_delete": False,
            "internal": internal, "arguments": {}}


def _queue(vhost: str, name: str, queue_type: str) -> dict[str, Any]:
    return {"name": name, "vhost": vhost, "durable": True, "auto_delete": False,
            "arguments": {"x-queue-type": queue_type}}


def _binding(vhost: str, exchange: str, queue: str) -> dict[str, Any]:
    return {"source": exchange, "vhost": vhost, "destination": queue, "destination_type": "queue",
            "routing_key": "", "arguments": {}}


def _policy(vhost: str, queue: str, definition: dict[str, Any]) -> dict[str, Any]:
    """A policy matching exactly one queue (only the highest-priority policy applies, so it is complete)."""
    return {"name": policy_name(queue), "vhost": vhost, "pattern": exact([queue]), "apply-to": "queues",
            "priority": 10, "definition": definition}


def _unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item["name"] not in seen:
            seen.add(item["name"])
            out.append(item)
    return out
