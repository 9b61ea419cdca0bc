"""A happy-path spec and helpers to change one field per test case.

``spec_dict()`` is a small valid spec using all four backends with secure defaults; tests
change exactly one thing with ``changed(path, value)`` (``DELETE`` removes a key) and assert
the exact outcome. ``load(d)`` dumps the dict to YAML and runs the real loader on it.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from queuekit.diagnostics import Diagnostic, SpecError
from queuekit.model import Spec
from queuekit.spec import load_bytes

DELETE = object()

BASE: dict[str, Any] = {
    "version": 1,
    "project": "shop",
    "environment": "prod",
    "defaults": {
        "aws_region": "us-east-1",
        "gcp_region": "us-central1",
        "gcp_project": "shop-prod-4821",
        "tags": {"team": "payments", "cost-center": "cc-42"},
        "alarms": {"notify": ["oncall"]},
    },
    "notify": {"oncall": {"email": "oncall@example.com"}},
    "brokers": {
        "events": {"engine": "kafka", "cloud": "aws", "nodes": 3, "disk": "500GiB", "allowed_cidrs": ["10.20.0.0/16"]},
        "jobs": {"engine": "rabbitmq", "cloud": "gcp", "nodes": 3, "disk": "100GiB", "allowed_cidrs": ["10.30.0.0/16"]},
    },
    "queues": [
        {"name": "image-resize", "backend": "sqs", "visibility_timeout": "60s", "retention": "4d",
         "producers": ["arn:aws:iam::123456789012:role/api"], "consumers": ["arn:aws:iam::123456789012:role/worker"],
         "volume": {"messages_per_month": 26000000, "peak_messages_per_second": 200, "message_size": "2KiB",
                    "receive_batch": 10, "pollers": 2}},
        {"name": "report-jobs", "backend": "pubsub", "visibility_timeout": "120s",
         "producers": ["serviceAccount:api@shop-prod-4821.iam.gserviceaccount.com"],
         "consumers": ["serviceAccount:reports@shop-prod-4821.iam.gserviceaccount.com"],
         "volume": {"messages_per_month": 3000000, "message_size": "4KiB"}},
        {"name": "email-send", "backend": "rabbitmq", "broker": "jobs", "retention": "2d",
         "producers": ["api"], "consumers": ["mailer"],
         "volume": {"messages_per_second": 20, "peak_messages_per_second": 300, "message_size": "8KiB"}},
        {"name": "clickstream", "backend": "kafka", "broker": "events", "retention": "3d",
         "producers": ["web"], "consumers": ["analytics"],
         "volume": {"messages_per_second": 2000, "peak_messages_per_second": 8000, "message_size": "1KiB",
                    "pollers": 6}},
    ],
    "topics": [
        {"name": "orders", "backend": "sqs", "producers": ["arn:aws:iam::123456789012:role/api"],
         "subscriptions": [{"name": "billing", "consumers": ["arn:aws:iam::123456789012:role/billing"]},
                           {"name": "shipping", "filter": {"region": ["eu"]}}],
         "volume": {"messages_per_second": 10, "message_size": "1KiB"}},
        {"name": "order-events", "backend": "pubsub", "retention": "7d",
         "subscriptions": [{"name": "billing", "dead_letter": {"max_deliveries": 10}}]},
    ],
    "budget": {"monthly_usd": 5000},
}


def spec_dict(base: dict[str, Any] | None = None) -> dict[str, Any]:
    return copy.deepcopy(base if base is not None else BASE)


def changed(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of the spec with ``path`` (dotted, list indexes as numbers) set to ``value``."""
    d = spec_dict(base)
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = d
    for part in parts[:-1]:
        node = node[part]
    if value is DELETE:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return d


def to_yaml(d: dict[str, Any]) -> bytes:
    return yaml.safe_dump(d, sort_keys=False).encode()


def load(d: dict[str, Any], filename: str = "spec.yaml") -> Spec:
    return load_bytes(to_yaml(d), filename)


def errors(d: dict[str, Any] | bytes, filename: str = "spec.yaml") -> list[Diagnostic]:
    """The diagnostics of an invalid spec (fails the test if the spec is valid)."""
    raw = d if isinstance(d, bytes) else to_yaml(d)
    try:
        load_bytes(raw, filename)
    except SpecError as exc:
        return exc.diagnostics
    raise AssertionError("spec unexpectedly valid")


def messages(d: dict[str, Any] | bytes) -> set[tuple[str, str]]:
    """``{(field path, message)}`` of an invalid spec: the exact set tests compare against."""
    return {(e.path, e.message) for e in errors(d)}


def only_backend(backend: str) -> dict[str, Any]:
    """``BASE`` without brokers and with only the queues and topics of ``backend`` (the per-backend factories)."""
    d = spec_dict(BASE)
    return {**{k: v for k, v in d.items() if k not in ("brokers", "queues", "topics")},
            "queues": [q for q in d["queues"] if q["backend"] == backend],
            "topics": [t for t in d["topics"] if t["backend"] == backend]}


def plan_by_name(d: dict[str, Any], engine: str = "fast") -> dict[str, Any]:
    """The plan of spec dict ``d`` (fast or mocks engine) by resource logical name."""
    from components.plan import fast_plan, mock_plan

    spec = load(d)
    return {i.name: i for i in (fast_plan(spec) if engine == "fast" else mock_plan(spec))}
