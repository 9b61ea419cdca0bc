"""``queuekit local up SPEC``: create the topology on local endpoints (moto, emulator, brokers)."""

from __future__ import annotations

import argparse
import sys

from queuekit.commands.common import load_or_report
from queuekit.commands.endpoints import add_endpoint_arguments, backend_module, selected
from queuekit.local.base import EndpointError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("local", help="create the topology on local endpoints for development and tests")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    up = actions.add_parser("up", help="create (idempotently) every queue, topic, DLQ and grant",
                            description="Create the spec's topology on the endpoints given (moto server or "
                                        "LocalStack, the Pub/Sub emulator, a RabbitMQ or Kafka broker).")
    up.add_argument("spec", metavar="SPEC")
    add_endpoint_arguments(up)
    up.set_defaults(func=run_up)


def run_up(args: argparse.Namespace) -> int:
    spec = load_or_report(args.spec)
    if spec is None:
        return 2
    pairs, problems = selected(spec, args)
    if problems:
        for problem in problems:
            print(f"queuekit local up: {problem}", file=sys.stderr)
        return 2
    for backend, endpoint in pairs:
        try:
            lines = backend_module(backend).up(spec, endpoint, broker=args.broker)
        except EndpointError as exc:
            print(f"queuekit local up: [{backend}] {exc}", file=sys.stderr)
            return 2
        for line in lines:
            print(f"[{backend}] {line}")
    return 0
