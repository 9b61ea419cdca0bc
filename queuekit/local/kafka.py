"""``queuekit local up`` / ``verify`` for Kafka: apply the topic/ACL plan with an AdminClient and smoke-test it.

``up`` is a diff, not a replay: it reads the cluster first, refuses what Kafka cannot do in place (fewer
partitions, a different replication factor — both need a new topic or a reassignment, and silently
ignoring them would leave the cluster unlike the spec), then creates only what is missing. Running it
twice changes nothing. It never deletes a topic, a user or an ACL it did not plan: other grants on a
shared cluster are someone else's.

``verify`` checks every topic's partitions, replication and planned configs, every SCRAM user, every
planned ACL (and that the plan's users hold no other grants), and round-trips a probe through every topic
and DLQ topic. Probes carry the header ``queuekit-probe: 1``; consumers should skip such records.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    NewTopic,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from queuekit.local import kafka_secrets, kafka_state
from queuekit.local.base import Check
from queuekit.local.kafka_endpoint import Endpoint, KafkaError
from queuekit.model import Spec
from queuekit.topology.kafka import plan

SCRAM_ITERATIONS = 8192
PROBE_HEADER = "queuekit-probe"
TIMEOUT_S = kafka_state.TIMEOUT_S


def merged_plan(spec: Spec, broker: str | None) -> dict[str, Any]:
    """The plan of ``broker``, or of every kafka broker the spec uses (one local endpoint serves them all)."""
    if broker is not None:
        if broker not in spec.brokers or spec.brokers[broker].engine != "kafka":
            names = ", ".join(n for n, b in spec.brokers.items() if b.engine == "kafka") or "none"
            raise KafkaError(f"no kafka broker named {broker!r} (have: {names})")
        return plan(spec, broker)
    used = sorted({x.broker for x in (*spec.queues_on("kafka"), *spec.topics_on("kafka")) if x.broker})
    plans = [plan(spec, b) for b in used]
    return {
        "topics": [t for p in plans for t in p["topics"]],
        "consumer_groups": [g for p in plans for g in p["consumer_groups"]],
        "users": sorted({u for p in plans for u in p["users"]}),
        "acls": [a for p in plans for a in p["acls"]],
    }


def refusals(planned: dict[str, Any], existing: dict[str, kafka_state.TopicState], brokers: int) -> list[str]:
    """Changes Kafka cannot make in place, each with the reason and the way out."""
    problems = []
    for t in planned["topics"]:
        name, want_p, want_r = t["name"], t["partitions"], t["replication"]
        if want_r > brokers:
            problems.append(f"topic {name}: replication {want_r} needs at least {want_r} brokers; the cluster has "
                            f"{brokers} (run more brokers, or lower 'replication' / the broker's 'nodes' in the spec)")
        have = existing.get(name)
        if have is None:
            continue
        if have.partitions > want_p:
            problems.append(f"topic {name}: has {have.partitions} partitions, the spec asks for {want_p}; Kafka "
                            f"cannot remove partitions (records live in them and keys would map to other "
                            f"partitions). Keep partitions >= {have.partitions}, or create a new topic and migrate")
        if have.replication != want_r:
            problems.append(f"topic {name}: replication factor is {have.replication}, the spec asks for {want_r}; "
                            f"changing it needs a partition reassignment (kafka-reassign-partitions), which "
                            f"queuekit does not do automatically")
    return problems


CONNECT_TIMEOUT_S = 10.0


def connect(ep: Endpoint) -> tuple[AdminClient, dict[str, kafka_state.TopicState]]:
    """An admin client and the cluster's topics. A cluster that does not answer (or refuses the admin) within
    :data:`CONNECT_TIMEOUT_S` is a user error — one line, exit 2 — for ``local up`` and ``verify`` alike."""
    admin = AdminClient(ep.client_config())
    try:
        return admin, kafka_state.topics(admin, timeout=CONNECT_TIMEOUT_S)
    except KafkaException as exc:
        who = f"as {ep.username}" if ep.username else "without credentials"
        raise KafkaError(f"no Kafka cluster answered at {ep.bootstrap} {who} within {CONNECT_TIMEOUT_S:g}s "
                         f"({exc.args[0].str() if exc.args else exc})") from None


def up(spec: Spec, endpoint: str, *, broker: str | None = None) -> list[str]:
    """Apply the plan to the cluster at ``endpoint`` (HOST:PORT); return one line per change made."""
    ep = Endpoint.from_env(endpoint)
    planned = merged_plan(spec, broker)
    admin, existing = connect(ep)
    problems = refusals(planned, existing, kafka_state.broker_count(admin))
    if problems:
        raise KafkaError("refusing to change the Kafka cluster:\n  " + "\n  ".join(problems))

    lines = _topics_up(admin, planned, existing)
    lines += _users_up(admin, ep, planned["users"])
    lines += _acls_up(admin, planned["acls"])
    if not lines:
        lines.append(f"nothing to change: {len(planned['topics'])} topics, {len(planned['users'])} users and "
                     f"{len(planned['acls'])} ACLs already as planned")
    return lines


def _topics_up(admin: AdminClient, planned: dict[str, Any], existing: dict[str, kafka_state.TopicState]
               ) -> list[str]:
    lines: list[str] = []
    new = [NewTopic(t["name"], num_partitions=t["partitions"], replication_factor=t["replication"],
                    config=dict(t["configs"])) for t in planned["topics"] if t["name"] not in existing]
    for name, future in (admin.create_topics(new, operation_timeout=TIMEOUT_S).items() if new else ()):
        future.result(timeout=TIMEOUT_S)
        t = next(t for t in planned["topics"] if t["name"] == name)
        lines.append(f"created topic {name} ({t['partitions']} partitions x {t['replication']} replicas)")

    grow = [NewPartitions(t["name"], t["partitions"]) for t in planned["topics"]
            if t["name"] in existing and existing[t["name"]].partitions < t["partitions"]]
    for name, future in (admin.create_partitions(grow, operation_timeout=TIMEOUT_S).items() if grow else ()):
        future.result(timeout=TIMEOUT_S)
        want = next(t["partitions"] for t in planned["topics"] if t["name"] == name)
        lines.append(f"increased partitions of {name} from {existing[name].partitions} to {want}")

    old = [t for t in planned["topics"] if t["name"] in existing]
    current = kafka_state.topic_configs(admin, [t["name"] for t in old])
    for t in old:
        diff = {k: v for k, v in t["configs"].items() if current[t["name"]].get(k) != v}
        if not diff:
            continue
        entries = [ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET) for k, v in diff.items()]
        resource = ConfigResource(ResourceType.TOPIC, t["name"], incremental_configs=entries)
        for future in admin.incremental_alter_configs([resource]).values():
            future.result(timeout=TIMEOUT_S)
        for k, v in diff.items():
            lines.append(f"set {t['name']} {k}={v} (was {current[t['name']].get(k)})")
    return lines


def _users_up(admin: AdminClient, ep: Endpoint, users: list[str]) -> list[str]:
    have = kafka_state.scram_users(admin)
    missing = [u for u in users if "SCRAM_SHA_512" not in have.get(u, [])]
    if not missing:
        return []
    host, port = ep.host_port
    secrets = kafka_secrets.passwords_for(missing, kafka_secrets.credentials_file(host, port))
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    upserts = [UserScramCredentialUpsertion(u, info, secrets[u][0].encode()) for u in missing]
    for future in admin.alter_user_scram_credentials(upserts).values():
        future.result(timeout=TIMEOUT_S)
    return [f"created SCRAM-SHA-512 user {u} (password from {secrets[u][1]})" for u in missing]


def _acls_up(admin: AdminClient, planned_acls: list[dict[str, str]]) -> list[str]:
    have = kafka_state.acls(admin)
    missing = [a for a in planned_acls if kafka_state.acl_key(a) not in have]
    if not missing:
        return []
    for future in admin.create_acls([kafka_state.to_binding(a) for a in missing]).values():
        future.result(timeout=TIMEOUT_S)
    return [f"allowed {a['principal']} {a['operation']} on {a['resource_type']} {a['resource_name']}"
            for a in missing]


# -- verify ---------------------------------------------------------------------------------------------


def verify(spec: Spec, endpoint: str, *, broker: str | None = None) -> list[Check]:
    """Check the cluster at ``endpoint`` against the plan and round-trip a probe through every topic."""
    ep = Endpoint.from_env(endpoint)
    planned = merged_plan(spec, broker)
    admin, existing = connect(ep)
    checks = [Check(endpoint, "cluster reachable as admin", True)]
    checks += _topic_checks(admin, planned, existing)
    checks += _user_checks(admin, planned["users"])
    checks += _acl_checks(admin, planned)
    present = [t["name"] for t in planned["topics"] if t["name"] in existing]
    checks += [_probe(ep, name) for name in present]
    return checks


def _topic_checks(admin: AdminClient, planned: dict[str, Any], existing: dict[str, kafka_state.TopicState]
                  ) -> list[Check]:
    checks = []
    present = [t for t in planned["topics"] if t["name"] in existing]
    configs = kafka_state.topic_configs(admin, [t["name"] for t in present])
    for t in planned["topics"]:
        name = t["name"]
        have = existing.get(name)
        checks.append(Check(name, "topic exists", have is not None, "" if have else "missing: run `local up`"))
        if have is None:
            continue
        checks.append(Check(name, "partitions", have.partitions == t["partitions"],
                            f"{have.partitions}, planned {t['partitions']}"))
        checks.append(Check(name, "replication", have.replication == t["replication"],
                            f"{have.replication}, planned {t['replication']}"))
        wrong = {k: (configs[name].get(k), v) for k, v in t["configs"].items() if configs[name].get(k) != v}
        detail = "; ".join(f"{k}={got} (planned {want})" for k, (got, want) in wrong.items())
        checks.append(Check(name, "configs", not wrong, detail or ", ".join(f"{k}={v}" for k, v in
                                                                             t["configs"].items())))
    return checks


def _user_checks(admin: AdminClient, users: list[str]) -> list[Check]:
    have = kafka_state.scram_users(admin)
    return [Check(f"User:{u}", "SCRAM-SHA-512 credential", "SCRAM_SHA_512" in have.get(u, []),
                  "" if "SCRAM_SHA_512" in have.get(u, []) else "missing: run `local up`") for u in users]


def _acl_checks(admin: AdminClient, planned: dict[str, Any]) -> list[Check]:
    have = kafka_state.acls(admin)
    want = {kafka_state.acl_key(a) for a in planned["acls"]}
    checks = []
    for user in planned["users"]:
        principal = f"User:{user}"
        mine = {k for k in want if k[0] == principal}
        missing = sorted(mine - have)
        extra = sorted(k for k in have if k[0] == principal and k not in want)
        checks.append(Check(principal, "planned ACLs present", not missing,
                            "; ".join(f"{k[4]} on {k[1]} {k[2]}" for k in missing) or f"{len(mine)} ACLs"))
        checks.append(Check(principal, "no grants beyond the plan", not extra,
                            "; ".join(f"{k[5]} {k[4]} on {k[1]} {k[2]} ({k[3]})" for k in extra)))
    return checks


def _probe(ep: Endpoint, topic: str) -> Check:
    """Produce one marked record with acks=all and read exactly that record back by partition and offset."""
    token = uuid.uuid4().hex.encode()
    producer = Producer(ep.client_config(**{"acks": "all", "enable.idempotence": True, "message.timeout.ms": 20000}))
    delivered: list[Any] = []
    producer.produce(topic, token, key=b"queuekit-probe", headers=[(PROBE_HEADER, b"1")],
                     on_delivery=lambda err, msg: delivered.append((err, msg)))
    producer.flush(TIMEOUT_S)
    if not delivered or delivered[0][0] is not None:
        return Check(topic, "probe round-trip", False, f"produce failed: {delivered[0][0] if delivered else 'timeout'}")
    msg = delivered[0][1]
    consumer = Consumer(ep.client_config(**{"group.id": f"queuekit-verify-{uuid.uuid4().hex[:8]}",
                                            "enable.auto.commit": False}))
    try:
        consumer.assign([TopicPartition(topic, msg.partition(), msg.offset())])
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            got = consumer.poll(0.5)
            if got is None or got.error():
                continue
            if got.value() == token:
                return Check(topic, "probe round-trip", True, f"partition {msg.partition()} offset {msg.offset()}")
        return Check(topic, "probe round-trip", False, "produced but not read back within 30 s")
    finally:
        consumer.close()
