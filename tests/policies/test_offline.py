"""The offline runner: enforcement levels, disabled rules, --hard-fail-on."""

from factories import changed, load, spec_dict

from components.plan import fast_plan
from policies.offline import Violation, as_resources, evaluate, failing
from policies.settings import resolve


def _run(d: dict, raw_config: dict | None = None) -> list[Violation]:
    spec = load(d)
    return evaluate(as_resources(fast_plan(spec)), spec, resolve(raw_config or {}, spec.environment))


def test_secure_defaults_pass_every_rule() -> None:
    assert _run(spec_dict()) == []


def test_violation_carries_rule_metadata_and_resource() -> None:
    [v] = _run(changed("topics.0.encryption", "none"), {"aws-tls-only": "disabled", "sqs-encryption-at-rest": "disabled"})
    assert (v.rule, v.rule_id, v.severity, v.enforcement) == ("sns-kms-encryption", "QK102", "medium", "advisory")
    assert v.resource == "urn:pulumi:prod::shop::queuekit:aws:Topic$aws:sns/topic:Topic::sns-orders.topic"
    assert v.as_json() == {"rule": "sns-kms-encryption", "id": "QK102", "severity": "medium",
                           "enforcement": "advisory", "resource": v.urn, "message": v.message}


def test_advisory_fails_only_at_or_above_hard_fail_on() -> None:
    found = _run(changed("topics.0.encryption", "none"), {"sqs-encryption-at-rest": "disabled"})
    assert [v.rule for v in found] == ["sns-kms-encryption"]
    assert failing(found) == []
    assert failing(found, "high") == []
    assert failing(found, "medium") == found
    assert failing(found, "low") == found


def test_mandatory_always_fails_and_disabled_never_runs() -> None:
    d = changed("queues.0.encryption", "none")
    assert {v.rule for v in failing(_run(d))} == {"sqs-encryption-at-rest"}
    assert _run(d, {"sqs-encryption-at-rest": "disabled"}) == []


def test_dev_environment_makes_everything_advisory() -> None:
    d = changed("queues.0.encryption", "none")
    d["environment"] = "dev"
    spec = load(d)
    found = evaluate(as_resources(fast_plan(spec)), spec, resolve({"environments": {"dev": {"all": "advisory"}}}, "dev"))
    assert [v.enforcement for v in found] == ["advisory", "advisory"]
    assert failing(found) == []
