"""Benchmark: the fast plan next to Pulumi's mocks on the same generated spec, in one run.

Prints the wall time of each engine, the ratio, and whether they produced identical
resources (they must: ``tests/components/test_fastplan.py`` asserts it on every repo spec).

    python bench/plan_engines.py [--queues 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.plan import fast_plan, mock_plan  # noqa: E402
from queuekit.spec import load_bytes  # noqa: E402


def spec_yaml(queues: int) -> bytes:
    items = [{"name": f"q{i:04d}", "backend": "sqs", "visibility_timeout": "60s",
              "producers": ["arn:aws:iam::123456789012:role/api"],
              "consumers": ["arn:aws:iam::123456789012:role/worker"],
              "volume": {"messages_per_second": 5, "message_size": "1KiB"}} for i in range(queues)]
    doc = {"version": 1, "project": "bench", "environment": "prod",
           "defaults": {"aws_region": "us-east-1", "alarms": {"notify": ["ops"]}},
           "notify": {"ops": {"email": "ops@example.com"}}, "queues": items}
    return yaml.safe_dump(doc, sort_keys=False).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queues", type=int, default=200)
    args = parser.parse_args()
    spec = load_bytes(spec_yaml(args.queues), f"bench-{args.queues}.yaml")
    fast_plan(spec)  # warm imports (pulumi_aws submodules) so neither engine pays them
    start = time.perf_counter()
    fast = fast_plan(spec)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    mocks = mock_plan(spec)
    t_mocks = time.perf_counter() - start
    custom = sum(1 for i in fast if i.custom)
    print(f"{args.queues} queues, {custom} resources in {len(fast) - custom} components")
    print(f"mocks: {t_mocks:8.3f} s  ({t_mocks / custom * 1000:.2f} ms/resource)")
    print(f"fast:  {t_fast:8.3f} s  ({t_fast / custom * 1000:.2f} ms/resource)")
    print(f"ratio: fast is {t_mocks / t_fast:.1f}x faster; identical output: {fast == mocks}")
    return 0 if fast == mocks else 1


if __name__ == "__main__":
    sys.exit(main())
