"""The cluster's topology script (``components.kafka_provision``) on a real Kafka 4.1 broker.

The very text node 0 runs is run here, twice (it must be idempotent), with ``KAFKA_BIN`` pointing at
wrappers named like the distribution's ``bin/kafka-*.sh`` that start the same tool classes from the cached
jars. Then the project's own ``verify`` checks topics, configs, SCRAM users and ACLs and round-trips a
probe, and a planned producer logs in with the password from the password file.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from support.kafka_cluster import LIBS, KafkaCluster
from support.kafka_specs import kafka_spec, suffix

from components.kafka_provision import acl_commands, provision_script
from queuekit.local.kafka import verify
from queuekit.topology.kafka import plan

# bin/kafka-*.sh of the Kafka 4.1 distribution → their main classes.
TOOLS = {
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "kafka.admin.ConfigCommand",
    "kafka-acls.sh": "org.apache.kafka.tools.AclCommand",
    "kafka-broker-api-versions.sh": "org.apache.kafka.tools.BrokerApiVersionsCommand",
}


def test_acls_grouped_per_resource_and_operations() -> None:
    acls = plan(kafka_spec("g"), "events")["acls"]
    assert acl_commands(acls)[:2] == [
        "acl --allow-principal User:shopg --allow-host '*' --operation DESCRIBE --operation WRITE --topic ordersg "
        "--resource-pattern-type LITERAL",
        "acl --allow-principal User:packerg --allow-host '*' --operation DESCRIBE --operation READ --topic ordersg "
        "--resource-pattern-type LITERAL"]


@pytest.mark.broker
def test_generated_script_applies_the_plan_twice_and_verify_passes(kafka_cluster: KafkaCluster, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    s = suffix()
    spec = kafka_spec(s)
    planned = plan(spec, "events")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, cls in TOOLS.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\nexec java -Xmx256m -cp '{LIBS}/*' {cls} \"$@\"\n")
        tool.chmod(0o755)
    admin = tmp_path / "admin.properties"
    admin.write_text("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config="
                     "org.apache.kafka.common.security.scram.ScramLoginModule required "
                     f'username="admin" password="{kafka_cluster.admin_password}";\n')
    passwords = {u: uuid.uuid4().hex for u in planned["users"]}
    (tmp_path / "passwords.json").write_text(json.dumps(passwords))
    script = tmp_path / "provision.sh"
    script.write_text(provision_script(planned))
    env = {**os.environ, "KAFKA_BIN": str(bin_dir), "BOOTSTRAP": kafka_cluster.bootstrap,
           "ADMIN_CONFIG": str(admin), "PASSWORDS": str(tmp_path / "passwords.json")}

    runs = [subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    assert [(r.returncode, r.stderr) for r in runs] == [(0, ""), (0, "")]
    assert [line for line in runs[0].stdout.splitlines() if line.startswith("created")] == [
        f"created topic {t['name']}" for t in planned["topics"]]
    assert runs[1].stdout == "queuekit: topology applied\n"  # nothing to create the second time

    monkeypatch.setenv("QUEUEKIT_KAFKA_USERNAME", "admin")
    monkeypatch.setenv("QUEUEKIT_KAFKA_PASSWORD", kafka_cluster.admin_password)
    checks = verify(spec, kafka_cluster.bootstrap, broker="events")
    assert [c.line() for c in checks if not c.ok] == []
    assert {c.name for c in checks} >= {"topic exists", "configs", "SCRAM-SHA-512 credential", "planned ACLs present",
                                         "no grants beyond the plan", "probe round-trip"}

    producer = Producer(kafka_cluster.client_config(f"shop{s}", passwords[f"shop{s}"], acks="all"))
    errors: list[object] = []
    producer.produce(f"orders{s}", b"from a provisioned user", on_delivery=lambda err, _msg: errors.append(err))
    producer.flush(30)
    assert errors == [None]
