"""``queuekit plan SPEC``: what ``pulumi up`` would create, with no CLI and no credentials.

By default the plan runs the real Pulumi program under Pulumi's mocks (``--engine mocks``);
``--engine fast`` walks the same blueprints with Pulumi's serializer and gives identical
output much faster (see ``components/plan.py``).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from typing import Any

from queuekit.commands.common import load_or_report, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("plan", help="show the resources `pulumi up` would create (offline)",
                       description="Run the Pulumi program offline and print every resource with its type, "
                                   "name, parent and inputs (as Pulumi records them, camelCase).")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--engine", choices=("mocks", "fast"), default="mocks",
                   help="mocks: the real program under pulumi.runtime.set_mocks; fast: same inputs, ~100x faster")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = load_or_report(args.spec)
    if spec is None:
        return 2
    from components.plan import fast_plan, mock_plan

    items = mock_plan(spec) if args.engine == "mocks" else fast_plan(spec)
    if args.format == "json":
        print_json({"resources": [i.as_json() for i in items]})
        return 0
    children: dict[str | None, list[Any]] = defaultdict(list)
    urns = {i.urn for i in items}
    for item in items:
        children[item.parent if item.parent in urns else None].append(item)

    def show(parent: str | None, depth: int) -> None:
        for item in children.get(parent, []):
            print(f"{'  ' * depth}+ {item.type}  {item.name}{_key_inputs(item.inputs)}")
            show(item.urn, depth + 1)

    show(None, 0)
    custom = sum(1 for i in items if i.custom)
    print(f"\n{custom} resources in {len(items) - custom} components would be created "
          f"(stack {spec.environment}, project {spec.project}).")
    return 0


KEY_INPUTS = ("name", "fifoQueue", "messageRetentionSeconds", "visibilityTimeoutSeconds", "kmsMasterKeyId",
              "metricName", "threshold", "topic", "ackDeadlineSeconds", "instanceType", "machineType", "role")


def _key_inputs(inputs: dict[str, Any]) -> str:
    shown = [f"{k}={inputs[k]!r}" for k in KEY_INPUTS if k in inputs]
    return f"  [{', '.join(shown)}]" if shown else ""
