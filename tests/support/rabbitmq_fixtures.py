"""Pytest fixtures for real RabbitMQ nodes (registered in ``tests/conftest.py``).

``rabbitmq_node`` is session-scoped: one node serves every broker test, which isolate
themselves by using their own vhost (the spec's project name). ``rabbitmq_cluster3`` starts a
fresh three-node cluster for the one test that kills a node. Without rabbitmq-server the tests
skip locally but FAIL under ``CI=true`` (``.ci/install-rabbitmq.sh`` installs it there).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.rabbitmq_cluster import RabbitCluster, installed
from support.runtime import require


def require_rabbitmq() -> None:
    """Skip (fail in CI) when Debian's rabbitmq-server is not installed."""
    require(installed(), "rabbitmq-server is not installed (run .ci/install-rabbitmq.sh)")


@pytest.fixture(scope="session")
def rabbitmq_node() -> Iterator[RabbitCluster]:
    """One running RabbitMQ node with the management plugin, shared by the session."""
    require_rabbitmq()
    with RabbitCluster(1) as node:
        yield node


@pytest.fixture
def rabbitmq_cluster3() -> Iterator[RabbitCluster]:
    """A fresh three-node cluster (qk1..qk3@localhost); the test may kill nodes."""
    require_rabbitmq()
    with RabbitCluster(3) as cluster:
        yield cluster
