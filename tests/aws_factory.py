"""An sqs-only happy-path spec (one queue, one fan-out topic) and plan helpers for the AWS tests.

Derived from ``factories.BASE`` so the two stay in step; tests change one field with
``factories.changed(path, value, SQS_BASE)`` and compare exact resource inputs.
"""

from __future__ import annotations

import json
from typing import Any

from factories import only_backend, plan_by_name

from components.plan import PlanItem

ACCOUNT = "123456789012"
API = f"arn:aws:iam::{ACCOUNT}:role/api"
WORKER = f"arn:aws:iam::{ACCOUNT}:role/worker"
BILLING = f"arn:aws:iam::{ACCOUNT}:role/billing"

SQS_BASE: dict[str, Any] = only_backend("sqs")
TAGS = {"team": "payments", "cost-center": "cc-42", "managed-by": "queuekit", "queuekit-project": "shop"}


def plan(d: dict[str, Any], engine: str = "fast") -> dict[str, PlanItem]:
    """The plan of spec dict ``d`` by resource logical name."""
    return plan_by_name(d, engine)


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
