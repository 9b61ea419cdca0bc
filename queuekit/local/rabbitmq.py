"""RabbitMQ on a live broker: ``up`` imports the spec's topology, ``verify`` proves it works.

``endpoint`` is the ``--rabbitmq`` URL (management API with admin credentials, see
``queuekit.local.rabbitmq_endpoint``). ``broker`` names the spec's broker; it may be omitted
when the spec has exactly one RabbitMQ broker.

``up`` imports the same definitions document ``render`` prints and the VMs load at boot
(``queuekit.topology.rabbitmq``), with real password hashes for the per-principal users
(``queuekit.local.rabbitmq_secrets``: environment or a 0600 file, never printed), then grants
the admin user access to the vhost so ``verify`` can probe it. Re-running it changes nothing.
A queue that exists with another type is reported as a conflict before anything is imported:
RabbitMQ cannot change a queue's type in place (delete and recreate it, losing its messages).

``verify`` per queue (work queues and every subscription queue): the queue exists with the
right type and its policy applies; a probe published to its exchange is confirmed; nacked with
requeue it is delivered exactly ``max_deliveries`` times and then found in the DLQ with an
``x-death`` reason ``delivery_limit`` (quorum queues); a second probe rejected with
``requeue=False`` is found in the DLQ with reason ``rejected``. Per topic: one probe reaches
every subscription queue. A queue that already holds messages is not probed (the probe would
have to requeue other messages and count against their delivery limit): run ``verify`` on a
fresh or idle broker.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pika
import pika.exceptions

from queuekit.local.base import Check
from queuekit.local.rabbitmq_endpoint import Endpoint, Management, RabbitMQError, quote
from queuekit.local.rabbitmq_secrets import ENV_PREFIX, credentials_file, passwords_for
from queuekit.model import Spec
from queuekit.topology.rabbitmq import (
    QueuePlan,
    definitions,
    exact,
    policy_name,
    principals,
    queue_plans,
    queue_policy,
    vhost_name,
)

PROBE_HEADER = "queuekit-probe"
WAIT = 10.0  # seconds any one expected delivery may take
ADMIN_PERMISSIONS = {"configure": ".*", "write": ".*", "read": ".*"}


def pick_broker(spec: Spec, broker: str | None) -> str:
    """The RabbitMQ broker to act on: the named one, or the spec's only one."""
    names = [n for n, b in spec.brokers.items() if b.engine == "rabbitmq"]
    if broker is not None:
        if broker not in names:
            raise RabbitMQError(f"no rabbitmq broker named '{broker}' (have: {', '.join(names) or 'none'})")
        return broker
    if len(names) != 1:
        raise RabbitMQError(f"the spec has {len(names)} rabbitmq brokers ({', '.join(names)}); pass --broker NAME")
    return names[0]


# --------------------------------------------------------------------------------------------- up


def up(spec: Spec, endpoint: str, *, broker: str | None = None) -> list[str]:
    """Import the broker's topology (idempotent); returns one line per vhost/queue/user."""
    name = pick_broker(spec, broker)
    ep = Endpoint.parse(endpoint)
    api = Management(ep)
    version = api.get("/api/overview")["rabbitmq_version"]
    vhost = vhost_name(spec)
    path = credentials_file(ep.host, ep.amqp_port, vhost)
    users = list(principals(spec, name))
    doc = definitions(spec, name, passwords=passwords_for(users, path))

    vhost_existed = api.get(f"/api/vhosts/{quote(vhost)}") is not None
    existing = {q["name"]: q for q in (api.get(f"/api/queues/{quote(vhost)}") or [])} if vhost_existed else {}
    conflicts = [f"queue '{q['name']}' exists as {_type_of(existing[q['name']])}, the spec wants "
                 f"{q['arguments']['x-queue-type']}"
                 for q in doc["queues"]
                 if q["name"] in existing and _type_of(existing[q["name"]]) != q["arguments"]["x-queue-type"]]
    if conflicts:
        raise RabbitMQError("cannot change a RabbitMQ queue's type in place; delete these queues first (their "
                            "messages are lost) or keep their type in the spec: " + "; ".join(conflicts))
    known_users = {u["name"] for u in (api.get("/api/users") or [])}

    api.call("POST", "/api/definitions", doc)
    api.call("PUT", f"/api/permissions/{quote(vhost)}/{quote(ep.username)}", ADMIN_PERMISSIONS)
    _wait_for_queues(api, vhost, [q["name"] for q in doc["queues"]])

    lines = [f"RabbitMQ {version} at {ep.management_base}: broker '{name}', vhost '{vhost}' "
             f"{'exists' if vhost_existed else 'created'}"]
    for q in doc["queues"]:
        state = "exists" if q["name"] in existing else "created"
        policy = next((p for p in doc["policies"] if p["name"] == policy_name(q["name"])), None)
        detail = ", ".join(f"{k}={v}" for k, v in (policy["definition"] if policy else {}).items())
        lines.append(f"queue {q['name']} ({q['arguments']['x-queue-type']}"
                     f"{'; ' + detail if detail else ''}): {state}")
    for ex in doc["exchanges"]:
        lines.append(f"exchange {ex['name']} ({ex['type']}{', internal' if ex['internal'] else ''})")
    for perm in doc["permissions"]:
        state = "exists" if perm["user"] in known_users else "created"
        lines.append(f"user {perm['user']}: write {perm['write'] or '(none)'}, read {perm['read'] or '(none)'}, "
                     f"configure (none): {state}")
    if users:
        lines.append(f"passwords of {len(users)} users: {path} (mode 0600; {ENV_PREFIX}<USER> overrides)")
    lines.append(f"admin {ep.username}: full access to vhost '{vhost}' (for verify)")
    return lines


def _type_of(queue: dict[str, Any]) -> str:
    return str(queue.get("type") or queue.get("arguments", {}).get("x-queue-type") or "classic")


def _wait_for_queues(api: Management, vhost: str, names: list[str]) -> None:
    deadline = time.monotonic() + WAIT
    missing = set(names)
    while time.monotonic() < deadline:
        present = {q["name"] for q in (api.get(f"/api/queues/{quote(vhost)}") or [])}
        missing = set(names) - present
        if not missing:
            return
        time.sleep(0.2)
    raise RabbitMQError(f"definitions imported but queues never appeared: {', '.join(sorted(missing))}")


# ----------------------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Probe:
    id: str

    def properties(self) -> pika.BasicProperties:
        return pika.BasicProperties(message_id=self.id, delivery_mode=2, headers={PROBE_HEADER: self.id})

    def matches(self, props: pika.BasicProperties | None) -> bool:
        return props is not None and (props.headers or {}).get(PROBE_HEADER) == self.id


def verify(spec: Spec, endpoint: str, *, broker: str | None = None) -> list[Check]:
    """Probe every queue and topic of the broker (see the module docstring)."""
    name = pick_broker(spec, broker)
    ep = Endpoint.parse(endpoint)
    api = Management(ep)
    api.get("/api/overview")  # an unreachable broker or bad credentials: RabbitMQError (exit 2), like local up
    vhost = vhost_name(spec)
    plans = queue_plans(spec, name)
    try:
        conn = ep.amqp(vhost)
    except pika.exceptions.AMQPError as exc:
        reason = f"{type(exc).__name__}: {exc}".rstrip(": ")  # pika's connection errors often have no text
        return [Check(vhost, "AMQP connection as admin", False, f"{reason} at {ep.host}:{ep.amqp_port} as "
                      f"{ep.username} (is the broker running? has local up created vhost '{vhost}'?)")]
    checks: list[Check] = []
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        queues, topics = spec.on_broker(name)
        for q in queues:
            plan = next(p for p in plans if p.name == q.name)
            checks += _verify_owner(api, ch, vhost, q.name, [plan])
        for t in topics:
            subs = [p for p in plans if p.subscription_of == t.name]
            checks += _verify_owner(api, ch, vhost, t.name, subs)
    finally:
        if conn.is_open:
            conn.close()
    return checks


def _verify_owner(api: Management, ch: Any, vhost: str, exchange: str, plans: list[QueuePlan]) -> list[Check]:
    """All checks of one queue (one plan) or one topic (one plan per subscription)."""
    checks = [_config_check(api, vhost, p) for p in plans]
    if not all(c.ok for c in checks):
        return checks
    busy = [(p, n) for p in plans if (n := ch.queue_declare(p.name, passive=True).method.message_count)]
    if busy:
        return checks + [Check(p.name, "probe", False, f"queue holds {n} messages; verify needs an idle queue")
                         for p, n in busy]
    fanout = plans[0].subscription_of is not None

    # 1. routing: the probe reaches every queue bound to the exchange (fan-out for topics).
    first = Probe(f"probe-{uuid.uuid4()}")
    publish_check = _publish(ch, exchange, first)
    checks.append(publish_check)
    if not publish_check.ok:
        return checks
    for plan in plans:
        got = _get_probe(ch, plan.name, first)
        name = "fan-out delivery" if fanout else "delivery"
        checks.append(Check(plan.name, name, got is not None, "" if got else f"probe not received in {WAIT:.0f}s"))
        if got is not None:
            ch.basic_ack(got.delivery_tag)

    # 2. delivery-limit: nack with requeue until the broker dead-letters it.
    limited = [p for p in plans if p.dead_letter is not None and p.queue_type == "quorum"]
    checks += [Check(p.name, "dead-letter after max deliveries", True,
                     "not applicable: classic queues have no delivery limit (reject/expiry only)")
               for p in plans if p.dead_letter is not None and p.queue_type != "quorum"]
    if limited:
        second = Probe(f"probe-{uuid.uuid4()}")
        if _publish(ch, exchange, second).ok:
            checks += [_delivery_limit_check(ch, p, second) for p in limited]
            _discard(ch, [p for p in plans if p not in limited], second)

    # 3. reject(requeue=False) goes straight to the DLQ.
    lettered = [p for p in plans if p.dead_letter is not None]
    if lettered:
        third = Probe(f"probe-{uuid.uuid4()}")
        if _publish(ch, exchange, third).ok:
            checks += [_reject_check(ch, p, third) for p in lettered]
            _discard(ch, [p for p in plans if p not in lettered], third)
    return checks


def _discard(ch: Any, plans: list[QueuePlan], probe: Probe) -> None:
    """Ack ``probe`` on the subscription queues a check did not consume it from (topics mixing kinds)."""
    for plan in plans:
        method = _get_probe(ch, plan.name, probe)
        if method is not None:
            ch.basic_ack(method.delivery_tag)


def _config_check(api: Management, vhost: str, plan: QueuePlan) -> Check:
    """The queue exists with its type, and its policy is the one the spec renders.

    Read from the queue's arguments and the policy object (both immediate) rather than the
    management statistics, which lag seconds behind; the probes then prove the policy applies.
    """
    queues = {q["name"]: q for q in (api.get(f"/api/queues/{quote(vhost)}") or [])}
    info = queues.get(plan.name)
    if info is None:
        return Check(plan.name, "declared with type and policy", False, "queue does not exist (run local up)")
    problems = []
    if _type_of(info) != plan.queue_type:
        problems.append(f"type {_type_of(info)}, want {plan.queue_type}")
    want = queue_policy(plan)
    if want:
        policy = api.get(f"/api/policies/{quote(vhost)}/{quote(policy_name(plan.name))}")
        if policy is None:
            problems.append(f"policy {policy_name(plan.name)} missing")
        elif policy.get("definition") != want or policy.get("pattern") != exact([plan.name]):
            problems.append(f"policy {policy_name(plan.name)} is {policy.get('definition')}, want {want}")
    detail = "; ".join(problems) or f"{plan.queue_type}, policy {policy_name(plan.name) if want else '(none)'}"
    return Check(plan.name, "declared with type and policy", not problems, detail)


def _publish(ch: Any, exchange: str, probe: Probe) -> Check:
    try:
        ch.basic_publish(exchange, "queuekit.probe", b"queuekit verify probe", probe.properties(), mandatory=True)
    except pika.exceptions.UnroutableError:
        return Check(exchange, "publish confirmed", False, "unroutable: no queue bound to the exchange")
    except pika.exceptions.NackError:
        return Check(exchange, "publish confirmed", False, "the broker nacked the publish")
    return Check(exchange, "publish confirmed", True)


def _poll(fn: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        result = fn()
        if result is not None:
            return result
        time.sleep(0.02)
    return None


def _get_probe(ch: Any, queue: str, probe: Probe) -> Any:
    """The probe's delivery (method frame) from ``queue``, waiting up to WAIT seconds."""

    def attempt() -> Any:
        method, props, _body = ch.basic_get(queue)
        if method is None:
            return None
        if probe.matches(props):
            return method
        ch.basic_nack(method.delivery_tag, requeue=True)  # not ours (an older probe): leave it
        return None

    return _poll(attempt)


def _find_dead(ch: Any, dlq: str, probe: Probe) -> dict[str, Any] | None:
    """The probe's x-death entry in ``dlq`` (acked), or None; other DLQ messages are left in place.

    Messages that are not the probe stay unacked on a side channel until it closes, so the DLQ
    gets them back untouched (the DLQ has no delivery limit).
    """
    side = ch.connection.channel()
    try:
        def attempt() -> dict[str, Any] | None:
            method, props, _body = side.basic_get(dlq)
            if method is None:
                return None
            if not probe.matches(props):
                return None
            side.basic_ack(method.delivery_tag)
            deaths = (props.headers or {}).get("x-death") or [{}]
            return dict(deaths[0])

        return _poll(attempt)
    finally:
        side.close()


def _delivery_limit_check(ch: Any, plan: QueuePlan, probe: Probe) -> Check:
    assert plan.dead_letter is not None and plan.dlq is not None
    want = plan.dead_letter.max_deliveries
    deliveries = 0
    deadline = time.monotonic() + WAIT + want * 0.5
    death: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        method, props, _body = ch.basic_get(plan.name)
        if method is not None and probe.matches(props):
            deliveries += 1
            ch.basic_nack(method.delivery_tag, requeue=True)
            continue
        if method is not None:
            ch.basic_nack(method.delivery_tag, requeue=True)
        if deliveries >= want:
            death = _find_dead(ch, plan.dlq, probe)
            break
        time.sleep(0.02)
    ok = deliveries == want and death is not None and death.get("reason") == "delivery_limit"
    detail = (f"delivered {deliveries} times (max_deliveries {want}), then in {plan.dlq} with x-death reason "
              f"{(death or {}).get('reason')!r}" if death else
              f"delivered {deliveries} times (max_deliveries {want}); not found in {plan.dlq}")
    return Check(plan.name, "dead-letter after max deliveries", ok, detail)


def _reject_check(ch: Any, plan: QueuePlan, probe: Probe) -> Check:
    assert plan.dlq is not None
    method = _get_probe(ch, plan.name, probe)
    if method is None:
        return Check(plan.name, "reject → DLQ", False, "probe not received")
    ch.basic_reject(method.delivery_tag, requeue=False)
    death = _find_dead(ch, plan.dlq, probe)
    ok = death is not None and death.get("reason") == "rejected" and death.get("queue") == plan.name
    detail = (f"in {plan.dlq}, x-death reason {death.get('reason')!r} from {death.get('queue')!r}" if death
              else f"not found in {plan.dlq}")
    return Check(plan.name, "reject → DLQ", ok, detail)
