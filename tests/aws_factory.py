"""An sqs-only happy-path spec (one queue, one fan-out topic) and plan helpers for the AWS tests.

Derived from ``factories.BASE`` so the two stay in step; tests change one field with
``factories.changed(path, value, SQS_BASE)`` and compare exact resource inputs.
"""

from __future__ import annotations

import json
from typing import Any

from factories import BASE, load, spec_dict

from components.plan import PlanItem, fast_plan, mock_plan

ACCOUNT = "123456789012"
API = f"arn:aws:iam::{ACCOUNT}:role/api"
WORKER = f"arn:aws:iam::{ACCOUNT}:role/worker"
BILLING = f"arn:aws:iam::{ACCOUNT}:role/billing"

SQS_BASE: dict[str, Any] = {
    **{k: v for k, v in spec_dict(BASE).items() if k not in ("brokers", "queues", "topics")},
    "queues": [q for q in spec_dict(BASE)["queues"] if q["backend"] == "sqs"],
    "topics": [t for t in spec_dict(BASE)["topics"] if t["backend"] == "sqs"],
}
TAGS = {"team": "payments", "cost-center": "cc-42", "managed-by": "queuekit", "queuekit-project": "shop"}


def plan(d: dict[str, Any], engine: str = "fast") -> dict[str, PlanItem]:
    """The plan of spec dict ``d`` by resource logical name."""
    spec = load(d)
    items = fast_plan(spec) if engine == "fast" else mock_plan(spec)
    return {i.name: i for i in items}


def inputs(items: dict[str, PlanItem], name: str) -> dict[str, Any]:
    return items[name].inputs


def doc(items: dict[str, PlanItem], name: str, key: str = "policy") -> Any:
    """A JSON-document input (policy, redrive policy) parsed back."""
    return json.loads(items[name].inputs[key])


def of_type(items: dict[str, PlanItem], token: str) -> list[PlanItem]:
    return [i for i in items.values() if i.type == token]


def sqs_arn(name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:sqs:{region}:{ACCOUNT}:{name}"


def sqs_url(name: str, region: str = "us-east-1") -> str:
    return f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}"
