"""The whole stack as one blueprint: each backend module adds what the spec asks of it.

``stack_blueprint`` is pure (the fast plan reads it); ``build`` materializes it with Pulumi
and exports every output the components expose (queue URLs/ARNs, DLQ names, alarm names).
"""

from __future__ import annotations

import importlib
from typing import Any

import pulumi

from components.blueprint import Blueprint, materialize
from queuekit.model import Spec

# Backend → module with add_to_stack(spec, bp). Broker engines add their clusters themselves.
BACKEND_MODULES = {
    "sqs": "components.sqs",
    "pubsub": "components.pubsub",
    "rabbitmq": "components.rabbitmq",
    "kafka": "components.kafka",
}


def stack_blueprint(spec: Spec) -> Blueprint:
    bp = Blueprint()
    used = set(spec.backends()) | {b.engine for b in spec.brokers.values()}
    for backend, module in BACKEND_MODULES.items():
        if backend in used:
            importlib.import_module(module).add_to_stack(spec, bp)
    return bp


def build(spec: Spec) -> dict[str, pulumi.Resource]:
    """Create the stack's resources and export its outputs; returns the top-level resources."""
    bp = stack_blueprint(spec)
    created = materialize(bp)
    for key, value in bp.outputs.items():
        pulumi.export(key, _output(value, created))
    return created


def _output(value: Any, created: dict[str, pulumi.Resource]) -> Any:
    from components.blueprint import _to_output

    return _to_output(value, created)
