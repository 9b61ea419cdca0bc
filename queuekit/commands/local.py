"""``queuekit local up SPEC``: create the topology on local endpoints (moto, emulator, brokers)."""

from __future__ import annotations

import argparse

from queuekit.commands.endpoints import add_endpoint_arguments, run_backends


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
    results = run_backends("local up", args, lambda mod, spec, endpoint, broker: mod.up(spec, endpoint, broker=broker))
    if isinstance(results, int):
        return results
    for backend, line in results:
        print(f"[{backend}] {line}")
    return 0
