"""``local up`` and ``verify`` against a real RabbitMQ node: import, dead-lettering, fan-out, access.

Each test uses its own project name, hence its own vhost, on the session's shared node.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pika
import pika.exceptions
import pytest
from rabbitmq_factory import rabbit_dict, rabbit_spec
from support.rabbitmq_cluster import ADMIN_USER, RabbitCluster

from queuekit.local import rabbitmq as local
from queuekit.local.rabbitmq_endpoint import RabbitMQError
from queuekit.local.rabbitmq_secrets import credentials_file, read_passwords
from queuekit.topology.rabbitmq import principals

pytestmark = pytest.mark.broker


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QUEUEKIT_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def passwords(node: RabbitCluster, vhost: str) -> dict[str, str]:
    return read_passwords(credentials_file("127.0.0.1", node.nodes[0].amqp_port, vhost))


QUEUES = ("email-send", "email-send-dlq", "thumbnails", "thumbnails-dlq", "user-events-audit",
          "user-events-audit-dlq", "user-events-crm", "user-events-crm-dlq")


def depth(node: RabbitCluster, vhost: str, queue: str) -> int:
    """Ready messages, from AMQP (the management statistics lag seconds behind)."""
    conn = connect(node, vhost, ADMIN_USER, node.password)
    try:
        return int(conn.channel().queue_declare(queue, passive=True).method.message_count)
    finally:
        conn.close()


def connect(node: RabbitCluster, vhost: str, user: str, password: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.ConnectionParameters(
        "127.0.0.1", node.nodes[0].amqp_port, vhost, pika.PlainCredentials(user, password), connection_attempts=1))


def test_up_imports_the_definitions_and_is_idempotent(rabbitmq_node: RabbitCluster) -> None:
    spec = rabbit_spec("up-idem")
    # Users are broker-wide and the node is shared by the session: start from a broker without them.
    present = {u["name"] for u in rabbitmq_node.api("GET", "/api/users")}  # type: ignore[union-attr]
    for user in sorted(present & set(principals(spec, "jobs"))):
        rabbitmq_node.api("DELETE", f"/api/users/{user}")
    first = local.up(spec, rabbitmq_node.endpoint())
    assert first[0].endswith("broker 'jobs', vhost 'up-idem' created")
    assert "queue email-send (quorum; message-ttl=172800000, dead-letter-exchange=email-send-dlx, " \
           "delivery-limit=2, dead-letter-strategy=at-least-once, overflow=reject-publish): created" in first
    assert "user api: write ^(email-send|thumbnails|user-events)$, read (none), configure (none): created" in first
    queues = rabbitmq_node.api("GET", "/api/queues/up-idem")
    assert {q["name"]: (q["arguments"]["x-queue-type"], q["durable"]) for q in queues} == {  # type: ignore[union-attr]
        "email-send": ("quorum", True), "email-send-dlq": ("quorum", True),
        "thumbnails": ("classic", True), "thumbnails-dlq": ("classic", True),
        "user-events-audit": ("quorum", True), "user-events-audit-dlq": ("quorum", True),
        "user-events-crm": ("quorum", True), "user-events-crm-dlq": ("quorum", True),
    }
    policies = rabbitmq_node.api("GET", "/api/policies/up-idem")
    assert sorted((p["name"], p["pattern"]) for p in policies) == [  # type: ignore[union-attr]
        (f"queuekit.{q}", f"^{q}$") for q in sorted(n for n in (q["name"] for q in queues))]  # type: ignore[union-attr]
    stored = passwords(rabbitmq_node, "up-idem")
    assert sorted(stored) == ["admin-ui", "api", "auditor", "crm", "mailer", "worker"]
    path = credentials_file("127.0.0.1", rabbitmq_node.nodes[0].amqp_port, "up-idem")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not any(pw in line for line in first for pw in stored.values())

    second = local.up(spec, rabbitmq_node.endpoint())
    assert second[0].endswith("vhost 'up-idem' exists")
    assert [line for line in second if line.startswith(("queue ", "user ")) and not line.endswith("exists")] == []
    assert passwords(rabbitmq_node, "up-idem") == stored
    connect(rabbitmq_node, "up-idem", "mailer", stored["mailer"]).close()  # the password still works


def test_password_from_environment_wins(rabbitmq_node: RabbitCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUEUEKIT_RABBITMQ_PASSWORD_ADMIN_UI", "from-env-123")
    local.up(rabbit_spec("env-pw"), rabbitmq_node.endpoint())
    assert "admin-ui" not in passwords(rabbitmq_node, "env-pw")
    connect(rabbitmq_node, "env-pw", "admin-ui", "from-env-123").close()


def test_verify_passes_every_dead_letter_and_fanout_check(rabbitmq_node: RabbitCluster) -> None:
    spec = rabbit_spec("verify-ok")
    local.up(spec, rabbitmq_node.endpoint())
    checks = local.verify(spec, rabbitmq_node.endpoint())
    assert [c.line() for c in checks if not c.ok] == []
    assert [(c.target, c.name) for c in checks] == [
        ("email-send", "declared with type and policy"),
        ("email-send", "publish confirmed"),
        ("email-send", "delivery"),
        ("email-send", "dead-letter after max deliveries"),
        ("email-send", "reject → DLQ"),
        ("thumbnails", "declared with type and policy"),
        ("thumbnails", "publish confirmed"),
        ("thumbnails", "delivery"),
        ("thumbnails", "dead-letter after max deliveries"),
        ("thumbnails", "reject → DLQ"),
        ("user-events-audit", "declared with type and policy"),
        ("user-events-crm", "declared with type and policy"),
        ("user-events", "publish confirmed"),
        ("user-events-audit", "fan-out delivery"),
        ("user-events-crm", "fan-out delivery"),
        ("user-events-audit", "dead-letter after max deliveries"),
        ("user-events-crm", "dead-letter after max deliveries"),
        ("user-events-audit", "reject → DLQ"),
        ("user-events-crm", "reject → DLQ"),
    ]
    details = {(c.target, c.name): c.detail for c in checks}
    assert details[("email-send", "dead-letter after max deliveries")] == \
        "delivered 3 times (max_deliveries 3), then in email-send-dlq with x-death reason 'delivery_limit'"
    assert details[("user-events-crm", "dead-letter after max deliveries")] == \
        "delivered 2 times (max_deliveries 2), then in user-events-crm-dlq with x-death reason 'delivery_limit'"
    assert details[("thumbnails", "reject → DLQ")] == "in thumbnails-dlq, x-death reason 'rejected' from 'thumbnails'"
    assert details[("thumbnails", "dead-letter after max deliveries")].startswith("not applicable")
    # verify leaves nothing behind: every probe was consumed from the queues and their DLQs
    assert {q: depth(rabbitmq_node, "verify-ok", q) for q in QUEUES} == dict.fromkeys(QUEUES, 0)


def test_verify_fails_before_up_and_on_a_wrong_policy(rabbitmq_node: RabbitCluster) -> None:
    spec = rabbit_spec("verify-bad")
    assert [(c.name, c.ok) for c in local.verify(spec, rabbitmq_node.endpoint())] == [
        ("AMQP connection as admin", False)]
    local.up(spec, rabbitmq_node.endpoint())
    rabbitmq_node.api("DELETE", "/api/policies/verify-bad/queuekit.email-send")
    checks = local.verify(spec, rabbitmq_node.endpoint())
    bad = [(c.target, c.name, c.detail) for c in checks if not c.ok]
    assert bad == [("email-send", "declared with type and policy", "policy queuekit.email-send missing")]


def test_verify_leaves_a_busy_queue_alone(rabbitmq_node: RabbitCluster) -> None:
    spec = rabbit_spec("verify-busy")
    local.up(spec, rabbitmq_node.endpoint())
    conn = connect(rabbitmq_node, "verify-busy", "api", passwords(rabbitmq_node, "verify-busy")["api"])
    ch = conn.channel()
    ch.confirm_delivery()
    ch.basic_publish("thumbnails", "", b"real work", pika.BasicProperties(delivery_mode=2))
    conn.close()
    checks = local.verify(spec, rabbitmq_node.endpoint())
    assert [(c.target, c.detail) for c in checks if not c.ok] == [
        ("thumbnails", "queue holds 1 messages; verify needs an idle queue")]
    assert depth(rabbitmq_node, "verify-busy", "thumbnails") == 1


def test_access_is_least_privilege(rabbitmq_node: RabbitCluster) -> None:
    local.up(rabbit_spec("access"), rabbitmq_node.endpoint())
    pw = passwords(rabbitmq_node, "access")

    def refused(user: str, action: str, *args: str) -> bool:
        conn = connect(rabbitmq_node, "access", user, pw[user])
        ch = conn.channel()
        try:
            if action == "consume":
                ch.basic_get(args[0])
            elif action == "publish":
                ch.confirm_delivery()
                ch.basic_publish(args[0], args[1] if len(args) > 1 else "", b"x")
            elif action == "declare":
                ch.queue_declare(args[0], durable=True)
            return False
        except pika.exceptions.ChannelClosedByBroker as exc:
            assert exc.reply_code == 403, exc
            return True
        finally:
            if conn.is_open:
                conn.close()

    # producers publish to their exchanges, nothing else
    assert not refused("api", "publish", "email-send")
    assert not refused("admin-ui", "publish", "user-events")
    assert refused("api", "consume", "email-send")
    assert refused("admin-ui", "publish", "email-send")
    assert refused("api", "publish", "", "email-send")  # not the default exchange either
    assert refused("api", "publish", "email-send-dlx")
    # consumers read their own queue only and publish nowhere
    assert not refused("mailer", "consume", "email-send")
    assert refused("mailer", "consume", "thumbnails")
    assert refused("mailer", "consume", "email-send-dlq")
    assert refused("mailer", "publish", "email-send")
    assert refused("auditor", "consume", "user-events-crm")
    assert not refused("auditor", "consume", "user-events-audit")
    # nobody declares anything
    assert refused("api", "declare", "sneaky")
    assert refused("mailer", "declare", "sneaky")


def test_changing_a_queue_type_is_refused_before_import(rabbitmq_node: RabbitCluster) -> None:
    d = rabbit_dict("type-change")
    local.up(rabbit_spec(d=d), rabbitmq_node.endpoint())
    d["queues"][1]["queue_type"] = "quorum"
    with pytest.raises(RabbitMQError, match=r"cannot change a RabbitMQ queue's type in place.*queue 'thumbnails' "
                                            r"exists as classic, the spec wants quorum"):
        local.up(rabbit_spec(d=d), rabbitmq_node.endpoint())
