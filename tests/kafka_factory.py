"""A kafka-only happy-path spec for the Kafka cluster component tests (one field changed per case).

Derived from ``factories.BASE`` (defaults, notify, the ``events`` broker: AWS, 3 nodes, 500 GiB,
``10.20.0.0/16``) so the specs stay in step. It holds a work queue with a DLQ and a fan-out topic with
two subscriptions — one with a DLQ and a backlog alarm of its own, one with its alarms off — so every
branch of the plan, the secret and the alarm set is exercised.
"""

from __future__ import annotations

from typing import Any

from factories import BASE, load, spec_dict

from queuekit.model import Spec

KAFKA_BASE: dict[str, Any] = {
    **{k: v for k, v in spec_dict(BASE).items() if k not in ("brokers", "queues", "topics")},
    "brokers": {"events": spec_dict(BASE)["brokers"]["events"]},
    "queues": [
        {"name": "clickstream", "backend": "kafka", "broker": "events", "retention": "3d",
         "dead_letter": {"max_receives": 3}, "producers": ["web"], "consumers": ["analytics"],
         "volume": {"messages_per_second": 2000, "peak_messages_per_second": 8000, "message_size": "1KiB",
                    "pollers": 6}},
    ],
    "topics": [
        {"name": "user-events", "backend": "kafka", "broker": "events", "retention": "7d", "producers": ["web"],
         "subscriptions": [
             {"name": "search", "consumers": ["indexer"], "dead_letter": {"max_receives": 5},
              "alarms": {"backlog": 500}},
             {"name": "crm", "consumers": ["crm"], "dead_letter": "none", "alarms": "off"},
         ],
         "volume": {"messages_per_second": 10, "message_size": "2KiB"}},
    ],
}


def kafka_dict(**broker: Any) -> dict[str, Any]:
    """The happy path with the ``events`` broker's fields changed (e.g. ``cloud="gcp"``, ``nodes=5``)."""
    d = spec_dict(KAFKA_BASE)
    d["brokers"]["events"].update(broker)
    return d


def kafka_spec(**broker: Any) -> Spec:
    return load(kafka_dict(**broker))
