"""Pytest fixtures for real RabbitMQ nodes (registered in ``tests/conftest.py``).

``rabbitmq_node`` is session-scoped: one node serves every broker test, which isolate
themselves by using their own vhost (the spec's project name). ``rabbitmq_cluster3`` starts a
fresh three-node cluster for the one test that kills a node. ``rabbitmq_tls_node`` is a node listening
like a cloud node with TLS, its certificate issued by the cluster's certificate tool for ``localhost`` /
``127.0.0.1`` from the CA seed ``TLS_SEED`` (``node.tls`` holds ``ca.pem``). Without rabbitmq-server the tests
skip locally but FAIL under ``CI=true`` (``.ci/install-rabbitmq.sh`` installs it there).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.node_certs import issue, split_for_rabbitmq
from support.rabbitmq_cluster import RabbitCluster, installed
from support.runtime import LOOPBACK, require

TLS_SEED = "rabbitmq-tls-seed"


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


@pytest.fixture(scope="module")
def rabbitmq_tls_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitCluster]:
    """One node with AMQPS and management HTTPS only, configured as ``components.rabbitmq_boot`` does."""
    require_rabbitmq()
    tls = split_for_rabbitmq(issue(tmp_path_factory.mktemp("rabbitmq") / "tls", TLS_SEED, "localhost", LOOPBACK))
    with RabbitCluster(1, tls=tls) as node:
        yield node
