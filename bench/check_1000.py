"""Benchmark: ``queuekit check`` + ``queuekit cost`` on a generated 1,000-queue spec, next to Checkov.

Both tools get the same infrastructure: queuekit reads the spec; Checkov reads the equivalent
Terraform (``main-NNN.tf``), generated here from the very resources ``queuekit plan`` produces
(one Terraform resource per Pulumi resource, same attributes in snake_case). Times are wall
clock of the whole CLI process (interpreter start-up included), measured in the same run.
Checkov is installed into a throwaway venv under ``.cache/checkov-venv`` when absent; if that
fails (no registry access), the bench says so and reports queuekit alone.

    python bench/check_1000.py [--queues 1000] [--skip-checkov]

Target: check + cost ≤ 5 s on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench"
VENV = ROOT / ".cache" / "checkov-venv"
TARGET_SECONDS = 5.0

# Pulumi type token → Terraform resource type, where the generic rule (provider_module_snake) is wrong.
TF_TYPES = {
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "gcp:projects/serviceIdentity:ServiceIdentity": "google_project_service_identity",
}
# Attributes whose value is a free-form map: keep its keys as written.
MAP_ATTRS = {"tags", "labels", "dimensions", "user_labels", "filter_policy", "attributes"}


def spec(queues: int) -> dict[str, Any]:
    """A stack of ``queues`` work queues: 70 % SQS, 30 % Pub/Sub, secure defaults, declared volumes."""
    items = []
    for i in range(queues):
        backend = "pubsub" if i % 10 >= 7 else "sqs"
        principal = ("serviceAccount:worker@bench-prod-1234.iam.gserviceaccount.com" if backend == "pubsub"
                     else "arn:aws:iam::123456789012:role/worker")
        items.append({"name": f"q{i:04d}", "backend": backend, "visibility_timeout": "60s",
                      "producers": [principal], "consumers": [principal],
                      "volume": {"messages_per_month": 1_000_000 + 1000 * i, "message_size": "2KiB"}})
    return {"version": 1, "project": "bench", "environment": "prod",
            "defaults": {"aws_region": "us-east-1", "gcp_project": "bench-prod-1234",
                         "tags": {"team": "platform", "cost-center": "cc-1"}, "alarms": {"notify": ["oncall"]}},
            "notify": {"oncall": {"email": "oncall@example.com"}},
            "queues": items, "budget": {"monthly_usd": 100000}}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name.replace("IAM", "Iam")).lower()


def _tf_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        if key in MAP_ATTRS:
            return value
        return {_snake(k): _tf_value(_snake(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tf_value(key, v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def tf_type(token: str) -> str:
    if token in TF_TYPES:
        return TF_TYPES[token]
    provider, module, cls = re.fullmatch(r"(\w+):(\w+)/\w+:(\w+)", token).groups()  # type: ignore[union-attr]
    return f"{'google' if provider == 'gcp' else provider}_{module.lower()}_{_snake(cls)}"


def terraform(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan's custom resources as Terraform JSON (one resource block each)."""
    resources: dict[str, dict[str, Any]] = {}
    for r in plan["resources"]:
        if not r["type"].startswith(("aws:", "gcp:")):
            continue
        label = re.sub(r"[^A-Za-z0-9_-]", "_", r["name"])
        attrs = {_snake(k): _tf_value(_snake(k), v) for k, v in r["inputs"].items() if k != "region"}
        resources.setdefault(tf_type(r["type"]), {})[label] = attrs
    return {"resource": resources}


def hcl_files(doc: dict[str, Any], per_file: int = 500) -> list[str]:
    """Terraform JSON as HCL files of ``per_file`` resources (Checkov skips ``.tf.json`` here and any file
    over 5 MB). Values are JSON, which HCL2 accepts as expressions once ``${`` is escaped."""
    blocks = []
    for type_, resources in doc["resource"].items():
        for label, attrs in resources.items():
            body = "".join(f"  {k} = {json.dumps(v).replace('${', '$${')}\n" for k, v in attrs.items())
            blocks.append(f'resource "{type_}" "{label}" {{\n{body}}}\n')
    return ["".join(blocks[i:i + per_file]) for i in range(0, len(blocks), per_file)]


def timed(cmd: list[str], **kw: Any) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)
    return time.perf_counter() - start, proc


def checkov_binary() -> tuple[Path | None, str]:
    exe = VENV / "bin" / "checkov"
    if exe.exists():
        return exe, "cached in .cache/checkov-venv"
    print("installing Checkov into .cache/checkov-venv (once) ...", flush=True)
    steps = [[sys.executable, "-m", "venv", str(VENV)],
             [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "checkov"]]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True)
        if proc.returncode != 0:
            return None, f"Checkov could not be installed ({' '.join(step[:3])}): {proc.stderr.strip()[-300:]}"
    return exe, "installed now"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queues", type=int, default=1000)
    parser.add_argument("--skip-checkov", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    spec_file = WORK / f"spec-{args.queues}.yaml"
    spec_file.write_text(yaml.safe_dump(spec(args.queues), sort_keys=False))
    qk = [sys.executable, "-m", "queuekit.cli"]

    check_s, check = timed([*qk, "check", str(spec_file), "--format", "json"])
    cost_s, cost = timed([*qk, "cost", str(spec_file), "--format", "json"])
    if check.returncode not in (0, 1) or cost.returncode != 0:
        print(check.stderr or cost.stderr, file=sys.stderr)
        return 2
    violations = len(json.loads(check.stdout)["violations"])
    plan_s, plan = timed([*qk, "plan", str(spec_file), "--engine", "fast", "--format", "json"])
    plan_doc = json.loads(plan.stdout)
    n_resources = sum(1 for r in plan_doc["resources"] if r["type"].startswith(("aws:", "gcp:")))
    tf_dir = WORK / f"tf-{args.queues}"
    tf_dir.mkdir(exist_ok=True)
    for old in tf_dir.glob("*.tf*"):
        old.unlink()
    for i, text in enumerate(hcl_files(terraform(plan_doc))):
        (tf_dir / f"main-{i:03d}.tf").write_text(text)

    total = check_s + cost_s
    print(f"spec: {args.queues} queues → {n_resources} cloud resources ({spec_file.relative_to(ROOT)})")
    print(f"{'tool':<34}{'wall s':>9}  notes")
    print(f"{'queuekit check':<34}{check_s:>9.2f}  {violations} violations, {len(plan_doc['resources'])} plan items")
    print(f"{'queuekit cost':<34}{cost_s:>9.2f}")
    verdict = "OK" if total <= TARGET_SECONDS else "OVER TARGET"
    print(f"{'queuekit check + cost':<34}{total:>9.2f}  target ≤ {TARGET_SECONDS:.0f} s: {verdict}")
    print(f"{'(queuekit plan --engine fast)':<34}{plan_s:>9.2f}  only to write the Terraform for Checkov")

    if args.skip_checkov:
        print(f"{'checkov (terraform)':<34}{'—':>9}  skipped (--skip-checkov)")
        return 0 if total <= TARGET_SECONDS else 1
    exe, how = checkov_binary()
    if exe is None:
        print(f"{'checkov (terraform)':<34}{'—':>9}  {how}")
        return 0 if total <= TARGET_SECONDS else 1
    ck_s, ck = timed([str(exe), "-d", str(tf_dir), "--framework", "terraform", "--quiet", "--compact",
                      "-o", "json", "--skip-download"], env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    summary = "no summary"
    try:
        data = json.loads(ck.stdout)
        s = (data[0] if isinstance(data, list) else data)["summary"]
        summary = f"{s['resource_count']} resources, {s['passed']} passed / {s['failed']} failed checks"
    except (ValueError, KeyError, IndexError, TypeError):
        summary = f"exit {ck.returncode}: {(ck.stderr or ck.stdout).strip()[-200:]}"
    print(f"{'checkov (terraform, same stack)':<34}{ck_s:>9.2f}  {summary}; {how}")
    print(f"speed-up: queuekit check+cost is {ck_s / total:.1f}x faster than checkov alone")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
