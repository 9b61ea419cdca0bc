"""Pytest fixtures for real Kafka brokers (see ``kafka_cluster.py``). Registered in ``tests/conftest.py``.

A missing broker runtime must not hide a regression in CI: with ``CI=true`` the fixtures fail; on a
developer machine without the jars they skip with the command that fetches them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.kafka_cluster import KafkaCluster, installed
from support.node_certs import issue
from support.runtime import LOOPBACK, require

TLS_SEED = "kafka-tls-seed"


def _require_kafka() -> None:
    require(installed(), "Kafka jars missing: run `bash .ci/kafka-jars.sh` (needs Java 17+ and Maven)")


@pytest.fixture(scope="session")
def kafka_cluster() -> Iterator[KafkaCluster]:
    """One KRaft node shared by the whole session (tests use their own topic and user names)."""
    _require_kafka()
    with KafkaCluster(1) as cluster:
        yield cluster


@pytest.fixture
def kafka_cluster3() -> Iterator[KafkaCluster]:
    """Three KRaft combined nodes, fresh per test: the fault test kills one of them."""
    _require_kafka()
    with KafkaCluster(3, heap="384m") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def kafka_tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    """One KRaft node whose client listener is SASL_SSL with the ssl.* settings of ``components.kafka_boot``,
    its keystore issued by the cluster's certificate tool for ``localhost`` / ``127.0.0.1`` from ``TLS_SEED``."""
    _require_kafka()
    tls = issue(tmp_path_factory.mktemp("kafka") / "tls", TLS_SEED, "localhost", LOOPBACK, engine="kafka")
    with KafkaCluster(1, tls=tls) as cluster:
        yield cluster
