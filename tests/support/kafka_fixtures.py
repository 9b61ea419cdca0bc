"""Pytest fixtures for real Kafka brokers (see ``kafka_cluster.py``). Registered in ``tests/conftest.py``.

A missing broker runtime must not hide a regression in CI: with ``CI=true`` the fixtures fail; on a
developer machine without the jars they skip with the command that fetches them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.kafka_cluster import KafkaCluster, installed
from support.runtime import require


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
