"""QK307 rabbitmq-quorum-queues and QK308 rabbitmq-no-mirrored-classic."""

from typing import Any

import pytest
from factories import changed, spec_dict

import queuekit.topology.rabbitmq as topology
from tests.policies.harness import model_only

RABBIT_QUEUE = "queues.2"  # email-send on broker 'jobs'


def test_quorum_default_passes() -> None:
    assert model_only(spec_dict(), "rabbitmq-quorum-queues") == []
    assert model_only(spec_dict(), "rabbitmq-no-mirrored-classic") == []


def test_classic_queue_fails_in_prod_only() -> None:
    d = changed(f"{RABBIT_QUEUE}.queue_type", "classic")
    assert model_only(d, "rabbitmq-quorum-queues") == [
        "RabbitMQ queue 'email-send' is a classic queue in prod: it lives on one node and is lost or unavailable "
        "with it",
    ]
    d["environment"] = "dev"
    assert model_only(d, "rabbitmq-quorum-queues") == []


def test_ha_mode_policy_in_definitions_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """queuekit never writes ha-* policies; the failing case adds one as a hand edit would."""
    real = topology.definitions

    def mirrored(spec: Any, broker: str, **kw: Any) -> dict[str, Any]:
        doc = real(spec, broker, **kw)
        doc["policies"].append({"name": "ha-all", "vhost": "shop", "pattern": ".*", "apply-to": "queues",
                                "definition": {"ha-mode": "all"}})
        return doc

    monkeypatch.setattr(topology, "definitions", mirrored)
    assert model_only(spec_dict(), "rabbitmq-no-mirrored-classic") == [
        "RabbitMQ broker 'jobs' policy 'ha-all' mirrors classic queues (ha-mode): classic mirroring is deprecated "
        "and removed in RabbitMQ 4.0; use quorum queues",
    ]
