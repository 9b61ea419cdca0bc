"""``queuekit verify SPEC``: the smoke test — probes through every queue, to its DLQ and fan-out."""

from __future__ import annotations

import argparse

from queuekit.commands.common import print_json
from queuekit.commands.endpoints import add_endpoint_arguments, run_backends


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("verify", help="send probes through every queue and prove dead-lettering and fan-out",
                       description="For each queue: send a probe, fail it until the redrive limit, and find it in "
                                   "the DLQ. For each topic: every subscription gets the probe. Exit 0 when all "
                                   "pass, 1 otherwise. Without endpoints it runs against the real clouds "
                                   "(default AWS credentials, Google application-default credentials).")
    p.add_argument("spec", metavar="SPEC")
    add_endpoint_arguments(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    checks = run_backends("verify", args,
                          lambda mod, spec, endpoint, broker: mod.verify(spec, endpoint, broker=broker))
    if isinstance(checks, int):
        return checks
    failed = [c for _, c in checks if not c.ok]
    if args.format == "json":
        print_json({"ok": not failed, "checks": [{"backend": b, "target": c.target, "check": c.name, "ok": c.ok,
                                                  "detail": c.detail} for b, c in checks]})
    else:
        for backend, check in checks:
            print(f"[{backend}] {check.line()}")
        print(f"\n{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not checks else 0
