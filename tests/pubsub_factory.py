"""A pubsub-only happy-path spec (one queue, one fan-out topic) and plan helpers for the GCP tests.

Derived from ``factories.BASE`` so the two stay in step; tests change one field with
``factories.changed(path, value, PUBSUB_BASE)`` and compare exact resource inputs.
"""

from __future__ import annotations

from typing import Any

from factories import only_backend, plan_by_name, spec_dict

from components.mocks import MOCK_GCP_PROJECT_NUMBER
from components.plan import PlanItem

PROJECT = "shop-prod-4821"
AGENT = f"serviceAccount:service-{MOCK_GCP_PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"
API = f"serviceAccount:api@{PROJECT}.iam.gserviceaccount.com"
REPORTS = f"serviceAccount:reports@{PROJECT}.iam.gserviceaccount.com"
LABELS = {"team": "payments", "cost-center": "cc-42", "managed-by": "queuekit", "queuekit-project": "shop"}
KEY = f"projects/{PROJECT}/locations/us-central1/keyRings/queues/cryptoKeys/pubsub"

PUBSUB_BASE: dict[str, Any] = only_backend("pubsub")


def plan(d: dict[str, Any], engine: str = "fast") -> dict[str, PlanItem]:
    """The plan of spec dict ``d`` by resource logical name."""
    return plan_by_name(d, engine)


def of_type(items: dict[str, PlanItem], token: str) -> dict[str, PlanItem]:
    return {n: i for n, i in items.items() if i.type == token}


def topic_id(name: str, project: str = PROJECT) -> str:
    return f"projects/{project}/topics/{name}"


def queue_only(**fields: Any) -> dict[str, Any]:
    """The base spec with the report-jobs queue's fields changed (no topic)."""
    d = spec_dict(PUBSUB_BASE)
    d["topics"] = []
    d["queues"][0].update(fields)
    return d


def topic_only(**fields: Any) -> dict[str, Any]:
    """The base spec with the order-events billing subscription's fields changed (no queue)."""
    d = spec_dict(PUBSUB_BASE)
    d["queues"] = []
    d["topics"][0]["subscriptions"][0].update(fields)
    return d
