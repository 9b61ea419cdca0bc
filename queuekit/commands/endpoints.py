"""Which live endpoint each backend talks to, shared by ``local up`` and ``verify``.

Each backend module ``queuekit.local.<backend>`` exposes ``up(spec, endpoint, *, broker)`` and
``verify(spec, endpoint, *, broker)``; ``endpoint`` None means the real cloud (default AWS
credentials / Google application-default credentials) and is only allowed for sqs and pubsub.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from queuekit.commands.common import load_or_report
from queuekit.local.base import EndpointError
from queuekit.model import SELF_HOSTED, Spec

FLAGS = {"sqs": "aws_endpoint", "pubsub": "pubsub_emulator", "rabbitmq": "rabbitmq", "kafka": "kafka"}


def add_endpoint_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--aws-endpoint", metavar="URL", help="AWS-compatible endpoint (moto server, LocalStack)")
    p.add_argument("--pubsub-emulator", metavar="HOST:PORT", help="Pub/Sub emulator address")
    p.add_argument("--rabbitmq", metavar="URL",
                   help="RabbitMQ management URL with admin credentials, e.g. http://admin:pw@127.0.0.1:15672")
    p.add_argument("--kafka", metavar="HOST:PORT",
                   help="Kafka bootstrap server (admin SASL credentials from QUEUEKIT_KAFKA_USERNAME/PASSWORD)")
    p.add_argument("--broker", metavar="NAME", help="only the queues/topics of this broker (rabbitmq/kafka)")
    p.add_argument("--backend", action="append", choices=sorted(FLAGS), default=None,
                   help="limit to this backend (repeatable); default: every backend given an endpoint, "
                        "or sqs and pubsub on the real clouds when no endpoint is given")


def selected(spec: Spec, args: argparse.Namespace) -> tuple[list[tuple[str, str | None]], list[str]]:
    """The (backend, endpoint) pairs to act on, and problems that make the call invalid."""
    used = spec.backends()
    given = {b for b in used if getattr(args, FLAGS[b], None)}
    wanted = args.backend or (sorted(given, key=used.index) if given else [b for b in used if b not in SELF_HOSTED])
    pairs, problems = [], []
    for backend in wanted:
        if backend not in used:
            problems.append(f"the spec has no {backend} queues or topics")
            continue
        endpoint = getattr(args, FLAGS[backend], None)
        if endpoint is None and backend in SELF_HOSTED:
            problems.append(f"{backend} needs --{FLAGS[backend].replace('_', '-')}")
            continue
        pairs.append((backend, endpoint))
    if not pairs and not problems:
        problems.append("nothing to do: the spec uses no backend reachable with the given options")
    return pairs, problems


def backend_module(backend: str) -> ModuleType:
    return importlib.import_module(f"queuekit.local.{backend}")


Action = Callable[[ModuleType, Spec, str | None, str | None], list[Any]]


def run_backends(command: str, args: argparse.Namespace, action: Action) -> list[tuple[str, Any]] | int:
    """Load the spec, pick the endpoints and run ``action`` per backend; an exit code when the call is invalid.

    ``local up`` and ``verify`` differ only in what they do per backend and how they print it; the
    user errors (bad spec, missing endpoint, an endpoint that refuses) are reported here, once.
    """
    spec = load_or_report(args.spec)
    if spec is None:
        return 2
    pairs, problems = selected(spec, args)
    for problem in problems:
        print(f"queuekit {command}: {problem}", file=sys.stderr)
    if problems:
        return 2
    results: list[tuple[str, Any]] = []
    for backend, endpoint in pairs:
        try:
            results += [(backend, r) for r in action(backend_module(backend), spec, endpoint, args.broker)]
        except EndpointError as exc:
            print(f"queuekit {command}: [{backend}] {exc}", file=sys.stderr)
            return 2
    return results
