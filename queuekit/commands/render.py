"""``queuekit render rabbitmq|kafka SPEC --broker NAME``: the broker-side topology document."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from queuekit.commands.common import load_or_report


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("render", help="print a broker's topology document (RabbitMQ definitions, Kafka plan)",
                       description="rabbitmq: the definitions document (vhost, quorum queues, DLX/DLQs, policies, "
                                   "users and permissions; no secrets). kafka: topics, configs, DLQ topics, "
                                   "consumer groups and ACLs as JSON.")
    p.add_argument("engine", choices=("rabbitmq", "kafka"))
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--broker", required=True, metavar="NAME")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = load_or_report(args.spec)
    if spec is None:
        return 2
    broker = spec.brokers.get(args.broker)
    if broker is None or broker.engine != args.engine:
        names = ", ".join(n for n, b in spec.brokers.items() if b.engine == args.engine) or "none"
        print(f"queuekit render: {args.spec}: no {args.engine} broker named '{args.broker}' (have: {names})",
              file=sys.stderr)
        return 2
    module = importlib.import_module(f"queuekit.topology.{args.engine}")
    document = module.definitions(spec, args.broker) if args.engine == "rabbitmq" else module.plan(spec, args.broker)
    text = json.dumps(document, indent=2) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
