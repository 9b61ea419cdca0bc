"""``queuekit check SPEC``: the policy pack, offline — the same rules CrossGuard runs in preview.

The stack is planned with ``components.plan.fast_plan`` (inputs identical to the mocks path and
to what CrossGuard sees) and evaluated with ``policies.offline`` plus the model. Exit codes: 0 no
failing violation, 1 at least one (mandatory, or advisory at/above ``--hard-fail-on``), 2 invalid
input (spec, base spec, policy config).
"""

from __future__ import annotations

import argparse
import sys

from policies.rule import SEVERITIES
from queuekit.commands.common import load_or_report

FORMATS = ("text", "json", "sarif", "junit")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="evaluate the policy pack on a spec (offline CrossGuard)",
                       description="Plan the stack offline and run every policy rule on the planned resources and "
                                   "the spec. Exit 0: no mandatory violation; 1: at least one; 2: invalid input.")
    p.add_argument("spec", metavar="SPEC", nargs="?")
    p.add_argument("--base", metavar="BASE_SPEC", help="the target branch's spec: flag changes forcing replacement")
    p.add_argument("--config", metavar="POLICY_CONFIG",
                   help="policy-config.yaml (CrossGuard style, with per-environment overrides); "
                        "default: policies/policy-config.yaml")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--hard-fail-on", choices=SEVERITIES, metavar="SEVERITY",
                   help="also fail on advisory violations of this severity or higher (low|medium|high|critical)")
    p.add_argument("--catalogue", action="store_true", help="print the rule catalogue (Markdown) and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.catalogue:
        from policies.catalogue import markdown

        print(markdown(), end="")
        return 0
    if not args.spec:
        print("queuekit check: error: SPEC is required", file=sys.stderr)
        return 2
    spec = load_or_report(args.spec)
    if spec is None:
        return 2
    base = None
    if args.base:
        base = load_or_report(args.base)
        if base is None:
            return 2
    from policies import report, settings
    from policies.locate import Locator
    from policies.offline import as_resources, evaluate, failing

    try:
        rule_settings = settings.load(args.config, spec.environment)
    except settings.SettingsError as exc:
        print(str(exc) if exc.where else f"queuekit check: invalid policy config: {exc}", file=sys.stderr)
        return 2
    from components.plan import fast_plan

    resources = as_resources(fast_plan(spec))
    violations = evaluate(resources, spec, rule_settings, base=base)
    fails = failing(violations, args.hard_fail_on)
    locator = Locator(spec, resources)
    if args.format == "json":
        print(report.dumps(report.as_json(violations, fails)))
    elif args.format == "sarif":
        print(report.dumps(report.sarif(violations, locator, rule_settings)))
    elif args.format == "junit":
        sys.stdout.write(report.junit(violations, fails, locator, rule_settings, suite=spec.path))
    else:
        print(report.text(violations, fails, locator))
    return 1 if fails else 0
