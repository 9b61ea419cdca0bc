"""A rabbitmq-only happy-path spec for the topology, live-broker and component tests.

Derived from ``factories.BASE`` (defaults, notify, the ``jobs`` broker) so the specs stay in
step. It holds one quorum queue, one classic queue and a fan-out topic with two subscriptions,
so every branch of the definitions document is exercised. ``rabbit_spec(project)`` gives each
live test its own vhost on the shared node.
"""

from __future__ import annotations

from typing import Any

from factories import BASE, load, spec_dict

from queuekit.model import Spec

RABBIT_BASE: dict[str, Any] = {
    **{k: v for k, v in spec_dict(BASE).items() if k not in ("brokers", "queues", "topics")},
    "brokers": {"jobs": spec_dict(BASE)["brokers"]["jobs"]},
    "queues": [
        {"name": "email-send", "backend": "rabbitmq", "broker": "jobs", "retention": "2d",
         "dead_letter": {"max_receives": 3},
         "producers": ["api"], "consumers": ["mailer"]},
        {"name": "thumbnails", "backend": "rabbitmq", "broker": "jobs", "queue_type": "classic",
         "producers": ["api"], "consumers": ["worker"]},
    ],
    "topics": [
        {"name": "user-events", "backend": "rabbitmq", "broker": "jobs", "producers": ["api", "admin-ui"],
         "subscriptions": [
             {"name": "audit", "retention": "1d", "consumers": ["auditor"]},
             {"name": "crm", "dead_letter": {"max_receives": 2}, "consumers": ["crm"]},
         ]},
    ],
}


def rabbit_dict(project: str = "shop") -> dict[str, Any]:
    d = spec_dict(RABBIT_BASE)
    d["project"] = project
    return d


def rabbit_spec(project: str = "shop", d: dict[str, Any] | None = None) -> Spec:
    return load(d if d is not None else rabbit_dict(project))
