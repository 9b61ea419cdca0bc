"""Small kafka-only specs for the topology and live-broker tests, loaded by the real loader.

Names carry a suffix so that tests sharing one session broker never see each other's topics, users or ACLs.
"""

from __future__ import annotations

import uuid
from typing import Any

from factories import load

from queuekit.model import Spec


def suffix() -> str:
    return uuid.uuid4().hex[:6]


def kafka_spec_dict(s: str = "", *, nodes: int = 1, **queue_overrides: Any) -> dict[str, Any]:
    """One kafka broker with a work queue ``orders<s>`` and a fan-out topic ``events<s>`` (two subscriptions)."""
    queue: dict[str, Any] = {
        "name": f"orders{s}", "backend": "kafka", "broker": "events", "retention": "2d",
        "producers": [f"shop{s}"], "consumers": [f"packer{s}"], "max_message_size": "256KiB",
        "volume": {"messages_per_second": 100, "peak_messages_per_second": 12000, "message_size": "1KiB",
                   "pollers": 2},
    }
    queue.update(queue_overrides)
    return {
        "version": 1,
        "project": "shop",
        "environment": "dev",
        "defaults": {"alarms": {"notify": ["oncall"]}},
        "notify": {"oncall": {"email": "oncall@example.com"}},
        "brokers": {"events": {"engine": "kafka", "cloud": "aws", "region": "us-east-1", "nodes": nodes,
                               "disk": "100GiB", "allowed_cidrs": ["10.20.0.0/16"]}},
        "queues": [queue],
        "topics": [
            {"name": f"events{s}", "backend": "kafka", "broker": "events", "retention": "1d",
             "producers": [f"shop{s}"],
             "subscriptions": [
                 {"name": "billing", "consumers": [f"biller{s}"], "dead_letter": {"max_receives": 3}},
                 {"name": "audit", "consumers": [f"auditor{s}"], "dead_letter": "none"},
             ]},
        ],
    }


def kafka_spec(s: str = "", *, nodes: int = 1, **queue_overrides: Any) -> Spec:
    return load(kafka_spec_dict(s, nodes=nodes, **queue_overrides))
