"""The GitHub Actions example in ``.github/workflows/``: a valid workflow whose commands exist.

Validated against the GitHub workflow JSON Schema that ``check-jsonschema`` ships (SchemaStore's,
vendored in the wheel, so no network), then every ``queuekit`` command line in a ``run:`` script
is parsed by the real CLI parser with the workflow's variables filled in, so a renamed command
or flag breaks this test instead of the pull request pipeline.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from queuekit.cli import build_parser

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "queuekit.yml"
# What the workflow's expressions and shell variables stand for when its command lines are parsed.
FILL = {"${{ steps.base.outputs.args }}": "--base base.yaml", '"$SPEC"': "stacks/example.yaml",
        '"$PR"': "1"}


def _workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as a boolean; GitHub reads it as "on"
    return data


def _steps() -> list[dict[str, Any]]:
    return [step for job in _workflow()["jobs"].values() for step in job["steps"]]


def _queuekit_lines() -> list[list[str]]:
    lines = []
    for step in _steps():
        for line in step.get("run", "").splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("queuekit "):
                for placeholder, value in FILL.items():
                    line = line.replace(placeholder, value)
                lines.append(shlex.split(re.sub(r"\s*>\s*\S+$", "", line))[1:])
    return lines


def test_workflow_matches_the_github_workflow_schema() -> None:
    schema_file = importlib.resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "github-workflows.json"
    jsonschema.validate(_workflow(), json.loads(schema_file.read_text()))


def test_runs_check_with_sarif_and_cost_with_base_on_pull_requests() -> None:
    wf = _workflow()
    assert "pull_request" in wf["on"]
    commands = [argv[0] for argv in _queuekit_lines()]
    assert commands == ["check", "check", "check", "cost"]
    check_sarif, _, _, cost = _queuekit_lines()
    assert check_sarif[-2:] == ["--format", "sarif"] and "--base" in check_sarif
    assert "--base" in cost
    upload = next(s for s in _steps() if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "queuekit.sarif"
    assert any("> queuekit.sarif" in s.get("run", "") for s in _steps())


@pytest.mark.parametrize("argv", _queuekit_lines(), ids=lambda a: " ".join(a))
def test_every_queuekit_command_line_parses(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.command == argv[0]
    assert args.spec == "stacks/example.yaml" and args.base == "base.yaml"


def test_step_outputs_it_reads_are_defined() -> None:
    ids = {s["id"] for s in _steps() if "id" in s}
    used = set(re.findall(r"steps\.([\w-]+)\.outputs", WORKFLOW.read_text()))
    assert used <= ids, used - ids
