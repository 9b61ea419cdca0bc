"""The RabbitMQ definitions document, exactly: names, types, policies, bindings, least-privilege users."""

from __future__ import annotations

import base64
import hashlib

from factories import changed
from rabbitmq_factory import RABBIT_BASE, rabbit_spec

from queuekit.topology.rabbitmq import definitions, exact, password_hash


def doc(d: dict | None = None) -> dict:
    return definitions(rabbit_spec(d=d) if d is not None else rabbit_spec(), "jobs")


def test_vhost_is_the_project() -> None:
    assert doc()["vhosts"] == [{"name": "shop"}]


def test_queues_are_durable_with_their_type_and_one_dlq_each() -> None:
    assert [(q["name"], q["arguments"], q["durable"], q["auto_delete"], q["vhost"]) for q in doc()["queues"]] == [
        ("email-send", {"x-queue-type": "quorum"}, True, False, "shop"),
        ("email-send-dlq", {"x-queue-type": "quorum"}, True, False, "shop"),
        ("thumbnails", {"x-queue-type": "classic"}, True, False, "shop"),
        ("thumbnails-dlq", {"x-queue-type": "classic"}, True, False, "shop"),
        ("user-events-audit", {"x-queue-type": "quorum"}, True, False, "shop"),
        ("user-events-audit-dlq", {"x-queue-type": "quorum"}, True, False, "shop"),
        ("user-events-crm", {"x-queue-type": "quorum"}, True, False, "shop"),
        ("user-events-crm-dlq", {"x-queue-type": "quorum"}, True, False, "shop"),
    ]


def test_exchanges_fanout_per_queue_and_topic_plus_internal_dlx() -> None:
    assert [(e["name"], e["type"], e["internal"], e["durable"]) for e in doc()["exchanges"]] == [
        ("email-send", "fanout", False, True),
        ("thumbnails", "fanout", False, True),
        ("user-events", "fanout", False, True),
        ("email-send-dlx", "fanout", True, True),
        ("thumbnails-dlx", "fanout", True, True),
        ("user-events-audit-dlx", "fanout", True, True),
        ("user-events-crm-dlx", "fanout", True, True),
    ]


def test_bindings_one_queue_per_subscription_and_dlx_to_dlq() -> None:
    assert [(b["source"], b["destination"], b["destination_type"], b["routing_key"]) for b in doc()["bindings"]] == [
        ("email-send", "email-send", "queue", ""),
        ("email-send-dlx", "email-send-dlq", "queue", ""),
        ("thumbnails", "thumbnails", "queue", ""),
        ("thumbnails-dlx", "thumbnails-dlq", "queue", ""),
        ("user-events", "user-events-audit", "queue", ""),
        ("user-events-audit-dlx", "user-events-audit-dlq", "queue", ""),
        ("user-events", "user-events-crm", "queue", ""),
        ("user-events-crm-dlx", "user-events-crm-dlq", "queue", ""),
    ]


def test_policies_carry_dead_lettering_delivery_limit_and_retention() -> None:
    policies = {p["name"]: (p["pattern"], p["apply-to"], p["priority"], p["definition"]) for p in doc()["policies"]}
    dlq_ttl = {"message-ttl": 14 * 86400 * 1000}
    assert policies == {
        # max_receives 3 = 3 deliveries = RabbitMQ delivery-limit 2 (it counts redeliveries)
        "queuekit.email-send": ("^email-send$", "queues", 10, {
            "message-ttl": 2 * 86400 * 1000, "dead-letter-exchange": "email-send-dlx", "delivery-limit": 2,
            "dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}),
        "queuekit.email-send-dlq": ("^email-send-dlq$", "queues", 10, dlq_ttl),
        # classic queues have no delivery limit nor at-least-once dead-lettering
        "queuekit.thumbnails": ("^thumbnails$", "queues", 10, {"dead-letter-exchange": "thumbnails-dlx"}),
        "queuekit.thumbnails-dlq": ("^thumbnails-dlq$", "queues", 10, dlq_ttl),
        "queuekit.user-events-audit": ("^user-events-audit$", "queues", 10, {
            "message-ttl": 86400 * 1000, "dead-letter-exchange": "user-events-audit-dlx", "delivery-limit": 4,
            "dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}),
        "queuekit.user-events-audit-dlq": ("^user-events-audit-dlq$", "queues", 10, dlq_ttl),
        "queuekit.user-events-crm": ("^user-events-crm$", "queues", 10, {
            "dead-letter-exchange": "user-events-crm-dlx", "delivery-limit": 1,
            "dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}),
        "queuekit.user-events-crm-dlq": ("^user-events-crm-dlq$", "queues", 10, dlq_ttl),
    }


def test_one_user_per_principal_with_least_privilege() -> None:
    d = doc()
    assert [(u["name"], u["tags"]) for u in d["users"]] == [
        ("api", ""), ("mailer", ""), ("worker", ""), ("admin-ui", ""), ("auditor", ""), ("crm", "")]
    assert [(p["user"], p["vhost"], p["configure"], p["write"], p["read"]) for p in d["permissions"]] == [
        ("api", "shop", "", "^(email-send|thumbnails|user-events)$", ""),
        ("mailer", "shop", "", "", "^email-send$"),
        ("worker", "shop", "", "", "^thumbnails$"),
        ("admin-ui", "shop", "", "^user-events$", ""),
        ("auditor", "shop", "", "", "^user-events-audit$"),
        ("crm", "shop", "", "", "^user-events-crm$"),
    ]


def test_rendered_document_holds_no_secrets() -> None:
    assert {(u["password_hash"], u["hashing_algorithm"]) for u in doc()["users"]} == {
        ("", "rabbit_password_hashing_sha256")}
    assert "password\"" not in str(doc())


def test_passwords_become_salted_sha256_hashes_rabbitmq_accepts() -> None:
    d = definitions(rabbit_spec(), "jobs", passwords={"api": "s3cret"})
    users = {u["name"]: u["password_hash"] for u in d["users"]}
    raw = base64.b64decode(users["api"])
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b"s3cret").digest()
    assert users["mailer"] == ""  # users without a password stay password-less
    assert "s3cret" not in str(d)


def test_password_hash_known_vector() -> None:
    # salt 908D C60A, password "test12": the example in RabbitMQ's password hashing guide
    assert password_hash("test12", bytes.fromhex("908DC60A")) == "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"


def test_exact_escapes_regex_characters_and_empty_means_no_access() -> None:
    assert exact(["a.b", "c"]) == r"^(a\.b|c)$"
    assert exact(["only"]) == "^only$"
    assert exact([]) == ""


def test_dead_letter_target_is_bound_instead_of_a_generated_dlq() -> None:
    d = changed("queues.0.dead_letter", {"max_receives": 4, "target": "thumbnails"}, RABBIT_BASE)
    out = doc(d)
    assert "email-send-dlq" not in [q["name"] for q in out["queues"]]
    assert ("email-send-dlx", "thumbnails") in [(b["source"], b["destination"]) for b in out["bindings"]]
    policy = next(p for p in out["policies"] if p["name"] == "queuekit.email-send")
    assert policy["definition"]["delivery-limit"] == 3
    assert [p["name"] for p in out["policies"]].count("queuekit.thumbnails") == 1


def test_no_dead_letter_no_retention_means_no_dlx_and_no_policy() -> None:
    d = changed("queues.1.dead_letter", "none", RABBIT_BASE)
    out = doc(d)
    names = [q["name"] for q in out["queues"]]
    assert "thumbnails" in names and "thumbnails-dlq" not in names
    assert "thumbnails-dlx" not in [e["name"] for e in out["exchanges"]]
    assert "queuekit.thumbnails" not in [p["name"] for p in out["policies"]]


def test_only_the_named_brokers_topology() -> None:
    d = changed("brokers.other", {"engine": "rabbitmq", "cloud": "aws", "nodes": 1, "disk": "20GiB",
                                  "allowed_cidrs": ["10.0.0.0/8"]}, RABBIT_BASE)
    d["queues"].append({"name": "elsewhere", "backend": "rabbitmq", "broker": "other", "producers": ["x"]})
    assert "elsewhere" not in [q["name"] for q in doc(d)["queues"]]
    assert [q["name"] for q in definitions(rabbit_spec(d=d), "other")["queues"]] == ["elsewhere", "elsewhere-dlq"]
