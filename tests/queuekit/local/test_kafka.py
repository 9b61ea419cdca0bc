"""``local up`` / ``verify`` for Kafka on a real KRaft broker with SASL/SCRAM and the StandardAuthorizer."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    ResourceType,
)
from support.kafka_cluster import KafkaCluster
from support.kafka_specs import kafka_spec, suffix

from queuekit.local import kafka as local_kafka
from queuekit.local import kafka_secrets
from queuekit.local.kafka_endpoint import KafkaError as QueuekitKafkaError

pytestmark = pytest.mark.broker


@pytest.fixture
def env(kafka_cluster: KafkaCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Admin credentials for queuekit and a private state dir for the generated user passwords."""
    monkeypatch.setenv("QUEUEKIT_KAFKA_USERNAME", "admin")
    monkeypatch.setenv("QUEUEKIT_KAFKA_PASSWORD", kafka_cluster.admin_password)
    monkeypatch.setenv("QUEUEKIT_STATE_DIR", str(tmp_path))
    return tmp_path


def passwords(cluster: KafkaCluster) -> dict[str, str]:
    host, port = cluster.nodes[0].address.split(":")
    return kafka_secrets.read_passwords(kafka_secrets.credentials_file(host, int(port)))


def test_up_creates_planned_topics_then_changes_nothing(kafka_cluster: KafkaCluster, env: Path) -> None:
    s = suffix()
    spec = kafka_spec(s)
    lines = local_kafka.up(spec, kafka_cluster.bootstrap)

    assert lines[:4] == [
        f"created topic orders{s} (3 partitions x 1 replicas)",
        f"created topic orders{s}.dlq (1 partitions x 1 replicas)",
        f"created topic events{s} (1 partitions x 1 replicas)",
        f"created topic events{s}-billing.dlq (1 partitions x 1 replicas)",
    ]
    state_file = kafka_secrets.credentials_file(*kafka_cluster.nodes[0].address.split(":"))  # type: ignore[arg-type]
    assert sorted(line for line in lines if "user" in line) == sorted(
        f"created SCRAM-SHA-512 user {u}{s} (password from {state_file})" for u in ("auditor", "biller", "packer", "shop"))
    assert len([line for line in lines if line.startswith("allowed ")]) == 17

    admin = AdminClient(kafka_cluster.client_config())
    md = admin.list_topics(timeout=10).topics
    assert len(md[f"orders{s}"].partitions) == 3
    assert len(md[f"orders{s}.dlq"].partitions) == 1
    assert f"events{s}-audit.dlq" not in md  # dead_letter: none
    res = ConfigResource(ResourceType.TOPIC, f"orders{s}")
    configs = {k: v.value for k, v in admin.describe_configs([res])[res].result().items()}
    assert (configs["min.insync.replicas"], configs["unclean.leader.election.enable"], configs["retention.ms"],
            configs["max.message.bytes"]) == ("1", "false", "172800000", "262144")

    assert local_kafka.up(spec, kafka_cluster.bootstrap) == [
        "nothing to change: 4 topics, 4 users and 17 ACLs already as planned"]


def test_passwords_are_private_and_never_printed(kafka_cluster: KafkaCluster, env: Path) -> None:
    s = suffix()
    lines = local_kafka.up(kafka_spec(s), kafka_cluster.bootstrap)
    stored = passwords(kafka_cluster)
    assert {f"shop{s}", f"packer{s}"} <= set(stored)
    path = kafka_secrets.credentials_file(*kafka_cluster.nodes[0].address.split(":"))  # type: ignore[arg-type]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert not any(pw in line for pw in stored.values() for line in lines)


def test_password_from_environment(kafka_cluster: KafkaCluster, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = suffix()
    monkeypatch.setenv(kafka_secrets.env_name(f"shop{s}"), "from-the-env-123")
    lines = local_kafka.up(kafka_spec(s), kafka_cluster.bootstrap)
    assert f"created SCRAM-SHA-512 user shop{s} (password from ${kafka_secrets.env_name(f'shop{s}')})" in lines
    assert f"shop{s}" not in passwords(kafka_cluster)
    producer = Producer(kafka_cluster.client_config(f"shop{s}", "from-the-env-123"))
    assert produce_one(producer, f"orders{s}") is None


def test_partitions_grow_but_never_shrink(kafka_cluster: KafkaCluster, env: Path) -> None:
    s = suffix()
    local_kafka.up(kafka_spec(s), kafka_cluster.bootstrap)
    assert local_kafka.up(kafka_spec(s, partitions=5), kafka_cluster.bootstrap) == [
        f"increased partitions of orders{s} from 3 to 5"]

    with pytest.raises(QueuekitKafkaError) as err:
        local_kafka.up(kafka_spec(s, partitions=2), kafka_cluster.bootstrap)
    assert str(err.value) == (
        "refusing to change the Kafka cluster:\n"
        f"  topic orders{s}: has 5 partitions, the spec asks for 2; Kafka cannot remove partitions (records live in "
        "them and keys would map to other partitions). Keep partitions >= 5, or create a new topic and migrate")
    md = AdminClient(kafka_cluster.client_config()).list_topics(timeout=10).topics
    assert len(md[f"orders{s}"].partitions) == 5


def test_replication_beyond_the_cluster_is_refused_before_any_change(kafka_cluster: KafkaCluster, env: Path) -> None:
    s = suffix()
    with pytest.raises(QueuekitKafkaError, match=f"topic orders{s}: replication 3 needs at least 3 brokers; "
                                                 "the cluster has 1"):
        local_kafka.up(kafka_spec(s, nodes=3), kafka_cluster.bootstrap)
    assert f"orders{s}" not in AdminClient(kafka_cluster.client_config()).list_topics(timeout=10).topics


def test_config_drift_is_reported_by_verify_and_repaired_by_up(kafka_cluster: KafkaCluster, env: Path) -> None:
    s = suffix()
    spec = kafka_spec(s)
    local_kafka.up(spec, kafka_cluster.bootstrap)
    checks = local_kafka.verify(spec, kafka_cluster.bootstrap)
    assert [c.line() for c in checks if not c.ok] == []
    names = {(c.target, c.name) for c in checks}
    for topic in (f"orders{s}", f"orders{s}.dlq", f"events{s}", f"events{s}-billing.dlq"):
        assert (topic, "probe round-trip") in names

    admin = AdminClient(kafka_cluster.client_config())
    entry = ConfigEntry("unclean.leader.election.enable", "true", incremental_operation=AlterConfigOpType.SET)
    res = ConfigResource(ResourceType.TOPIC, f"orders{s}", incremental_configs=[entry])
    admin.incremental_alter_configs([res])[res].result()
    bad = [c for c in local_kafka.verify(spec, kafka_cluster.bootstrap) if not c.ok]
    assert [(c.target, c.name, c.detail) for c in bad] == [
        (f"orders{s}", "configs", "unclean.leader.election.enable=true (planned false)")]
    assert local_kafka.up(spec, kafka_cluster.bootstrap) == [
        f"set orders{s} unclean.leader.election.enable=false (was true)"]


def test_verify_reports_missing_topics_and_extra_grants(kafka_cluster: KafkaCluster, env: Path) -> None:
    s = suffix()
    spec = kafka_spec(s)
    local_kafka.up(spec, kafka_cluster.bootstrap)
    admin = AdminClient(kafka_cluster.client_config())
    admin.delete_topics([f"orders{s}.dlq"])[f"orders{s}.dlq"].result()
    admin.create_partitions([NewPartitions(f"events{s}", 2)])[f"events{s}"].result()
    from queuekit.local.kafka_state import to_binding

    extra = {"principal": f"User:shop{s}", "resource_type": "TOPIC", "resource_name": "*", "pattern_type": "LITERAL",
             "operation": "READ", "permission": "ALLOW", "host": "*"}
    admin.create_acls([to_binding(extra)])[to_binding(extra)].result()
    deadline = time.monotonic() + 10
    while f"orders{s}.dlq" in admin.list_topics(timeout=10).topics and time.monotonic() < deadline:
        time.sleep(0.2)

    bad = {(c.target, c.name, c.detail) for c in local_kafka.verify(spec, kafka_cluster.bootstrap) if not c.ok}
    assert bad == {
        (f"orders{s}.dlq", "topic exists", "missing: run `local up`"),
        (f"events{s}", "partitions", "2, planned 1"),
        (f"User:shop{s}", "no grants beyond the plan", "ALLOW READ on TOPIC * (LITERAL)"),
    }


# -- ACL enforcement with the users `up` created --------------------------------------------------------


def produce_one(producer: Producer, topic: str) -> str | None:
    """Produce one record; the error name, or None when acknowledged."""
    result: list[str | None] = []
    producer.produce(topic, b"payload", on_delivery=lambda err, _m: result.append(err.name() if err else None))
    producer.flush(20)
    return result[0] if result else "no delivery report"


def consume_error(config: dict[str, object], topic: str, timeout: float = 20) -> str | None:
    """Subscribe and poll until a record or an error arrives; the error name, or None for a record."""
    consumer = Consumer({**config, "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            return msg.error().name() if msg.error() else None
        return "timeout"
    finally:
        consumer.close()


@pytest.fixture
def applied(kafka_cluster: KafkaCluster, env: Path) -> tuple[str, dict[str, str]]:
    s = suffix()
    local_kafka.up(kafka_spec(s), kafka_cluster.bootstrap)
    admin_producer = Producer(kafka_cluster.client_config())
    assert produce_one(admin_producer, f"orders{s}") is None
    assert produce_one(admin_producer, f"events{s}") is None
    return s, passwords(kafka_cluster)


def test_producer_writes_its_topic_only(kafka_cluster: KafkaCluster, applied: tuple[str, dict[str, str]]) -> None:
    s, pw = applied
    shop = kafka_cluster.client_config(f"shop{s}", pw[f"shop{s}"])
    assert produce_one(Producer(shop), f"orders{s}") is None
    assert produce_one(Producer({**shop, "message.timeout.ms": 5000}), f"orders{s}.dlq") == "TOPIC_AUTHORIZATION_FAILED"
    assert consume_error({**shop, "group.id": f"orders{s}"}, f"orders{s}") == "GROUP_AUTHORIZATION_FAILED"


def test_consumer_reads_its_topic_with_its_group_and_writes_only_its_dlq(
        kafka_cluster: KafkaCluster, applied: tuple[str, dict[str, str]]) -> None:
    s, pw = applied
    packer = kafka_cluster.client_config(f"packer{s}", pw[f"packer{s}"])
    assert consume_error({**packer, "group.id": f"orders{s}"}, f"orders{s}") is None
    assert produce_one(Producer(packer), f"orders{s}.dlq") is None
    assert produce_one(Producer({**packer, "message.timeout.ms": 5000}), f"orders{s}") == "TOPIC_AUTHORIZATION_FAILED"
    assert consume_error({**packer, "group.id": f"events{s}-billing"}, f"orders{s}") == "GROUP_AUTHORIZATION_FAILED"
    assert consume_error({**packer, "group.id": f"orders{s}"}, f"events{s}") == "TOPIC_AUTHORIZATION_FAILED"


def test_subscription_groups_each_read_the_topic(kafka_cluster: KafkaCluster,
                                                 applied: tuple[str, dict[str, str]]) -> None:
    s, pw = applied
    biller = kafka_cluster.client_config(f"biller{s}", pw[f"biller{s}"])
    auditor = kafka_cluster.client_config(f"auditor{s}", pw[f"auditor{s}"])
    assert consume_error({**biller, "group.id": f"events{s}-billing"}, f"events{s}") is None
    assert consume_error({**auditor, "group.id": f"events{s}-audit"}, f"events{s}") is None
    assert consume_error({**auditor, "group.id": f"events{s}-billing"}, f"events{s}") == "GROUP_AUTHORIZATION_FAILED"
    assert produce_one(Producer({**auditor, "message.timeout.ms": 5000}), f"events{s}-billing.dlq") == \
        "TOPIC_AUTHORIZATION_FAILED"


def test_cli_local_up_and_verify(kafka_cluster: KafkaCluster, env: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import yaml
    from support.kafka_specs import kafka_spec_dict

    from queuekit.cli import main

    s = suffix()
    spec_file = tmp_path / "kafka.yaml"
    spec_file.write_text(yaml.safe_dump(kafka_spec_dict(s)))
    assert main(["local", "up", str(spec_file), "--kafka", kafka_cluster.bootstrap]) == 0
    out = capsys.readouterr().out
    assert f"[kafka] created topic orders{s} (3 partitions x 1 replicas)\n" in out
    assert main(["verify", str(spec_file), "--kafka", kafka_cluster.bootstrap]) == 0
    out = capsys.readouterr().out
    assert f"[kafka] ok   orders{s}.dlq: probe round-trip" in out
    assert out.endswith(" passed, 0 failed\n")


def test_cli_refusal_is_a_user_error_not_a_crash(kafka_cluster: KafkaCluster, env: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import yaml
    from support.kafka_specs import kafka_spec_dict

    from queuekit.cli import main

    s = suffix()
    spec_file = tmp_path / "kafka.yaml"
    spec_file.write_text(yaml.safe_dump(kafka_spec_dict(s, nodes=3)))
    assert main(["local", "up", str(spec_file), "--kafka", kafka_cluster.bootstrap]) == 2
    err = capsys.readouterr().err
    assert err.startswith("queuekit local up: [kafka] refusing to change the Kafka cluster:\n")
    assert f"  topic orders{s}: replication 3 needs at least 3 brokers; the cluster has 1" in err
    assert "internal error" not in err


@pytest.mark.parametrize("command", ["local up", "verify"])
def test_no_cluster_at_the_address_is_one_line_and_exit_2(command: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    import yaml
    from support.kafka_specs import kafka_spec_dict

    from queuekit.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"  # closed again before use: nothing listens
    spec_file = tmp_path / "kafka.yaml"
    spec_file.write_text(yaml.safe_dump(kafka_spec_dict("-gone")))
    monkeypatch.delenv("QUEUEKIT_KAFKA_USERNAME", raising=False)
    monkeypatch.delenv("QUEUEKIT_KAFKA_PASSWORD", raising=False)
    assert main([*command.split(), str(spec_file), "--kafka", address]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"queuekit {command}: [kafka] no Kafka cluster answered at {address} without credentials "
                          "within 10s (")
    assert err.count("\n") == 1
