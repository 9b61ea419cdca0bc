"""The CrossGuard entry point and how the pack finds the spec inside `pulumi preview`."""

import runpy
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import EnforcementLevel

from policies import crossguard
from policies.rules import RULES

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def test_main_builds_one_pack_with_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kw: built.append(kw))  # the real one blocks on gRPC
    runpy.run_path(str(PACK_DIR / "__main__.py"), run_name="__main__")
    [pack] = built
    assert pack["name"] == "queuekit"
    assert pack["enforcement_level"] is EnforcementLevel.MANDATORY
    assert [p.name for p in pack["policies"]] == [r.name for r in RULES]


def test_pack_manifest_is_python() -> None:
    assert "runtime: python" in (PACK_DIR / "PulumiPolicy.yaml").read_text()
    assert "pulumi-policy" in (PACK_DIR / "requirements.txt").read_text()


def test_spec_path_prefers_env_then_stack_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUEUEKIT_SPEC", "/tmp/mine.yaml")
    assert crossguard.spec_path() == "/tmp/mine.yaml"
    monkeypatch.delenv("QUEUEKIT_SPEC")
    monkeypatch.setenv("PULUMI_STACK", "example")
    assert crossguard.spec_path() == str(crossguard.REPO_ROOT / "stacks" / "example.yaml")
    monkeypatch.setenv("PULUMI_STACK", "no-such-stack")
    assert crossguard.spec_path() is None
    assert crossguard.spec_path("QUEUEKIT_BASE_SPEC") is None


def test_model_rule_is_not_applicable_without_a_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUEUEKIT_SPEC", raising=False)
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    budget = next(p for p in crossguard.policies() if p.name == "budget")
    args = pulumi_policy.StackValidationArgs([], {})
    with pytest.raises(Exception) as exc:
        budget.validate(args, lambda message, urn=None: None)
    assert getattr(exc.value, "reason", None) == ("needs the queuekit spec: set QUEUEKIT_SPEC or the stack config "
                                                  "queuekit:spec")
