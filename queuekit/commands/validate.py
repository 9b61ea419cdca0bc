"""``queuekit validate SPEC...``: schema and semantic checks, every error located."""

from __future__ import annotations

import argparse
import sys

from queuekit.commands.common import print_json
from queuekit.diagnostics import SpecError
from queuekit.spec import load


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("validate", help="check specs against the schema and the providers' limits",
                       description="Validate spec files. Prints FILE:LINE:COL: error: FIELD: MESSAGE for every "
                                   "problem; exit 0 when all are valid, 2 otherwise.")
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (stacks/*.yaml)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    results = []
    for path in args.specs:
        try:
            spec = load(path)
            results.append({"file": path, "ok": True, "errors": [],
                            "summary": {"queues": len(spec.queues), "topics": len(spec.topics),
                                        "brokers": len(spec.brokers), "backends": list(spec.backends())}})
        except SpecError as exc:
            results.append({"file": path, "ok": False, "summary": None,
                            "errors": [d.__dict__ for d in exc.diagnostics], "text": str(exc)})
    if args.format == "json":
        print_json({"files": [{k: v for k, v in r.items() if k != "text"} for r in results]})
    else:
        for r in results:
            if r["ok"]:
                s = r["summary"]
                print(f"{r['file']}: ok ({s['queues']} queues, {s['topics']} topics, {s['brokers']} brokers; "
                      f"backends: {', '.join(s['backends']) or 'none'})")
            else:
                print(r["text"], file=sys.stderr)
    return 0 if all(r["ok"] for r in results) else 2
