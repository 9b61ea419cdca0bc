"""policy-config.yaml: CrossGuard-style levels/config with per-environment overrides."""

from pathlib import Path

import pytest

from policies.settings import SettingsError, crossguard_config, load, resolve


def test_defaults_are_each_rules_own() -> None:
    s = resolve({}, "prod")
    assert s["sqs-encryption-at-rest"].enforcement == "mandatory"
    assert s["sns-kms-encryption"].enforcement == "advisory"
    assert s["dead-letter-attempts-band"].config == {"minAttempts": 3, "maxAttempts": 20}


def test_environment_all_overrides_top_level_rule() -> None:
    raw = {"required-tags": {"enforcementLevel": "mandatory", "tags": ["owner"]}, "environments": {"dev": {"all": "advisory"}}}
    dev, prod = resolve(raw, "dev"), resolve(raw, "prod")
    assert dev["required-tags"].enforcement == "advisory"
    assert dev["required-tags"].config["tags"] == ["owner"]
    assert prod["required-tags"].enforcement == "mandatory"
    assert {s.enforcement for s in dev.values()} == {"advisory"}


def test_environment_rule_beats_environment_all() -> None:
    raw = {"environments": {"dev": {"all": "advisory", "sqs-encryption-at-rest": "mandatory"}}}
    s = resolve(raw, "dev")
    assert s["sqs-encryption-at-rest"].enforcement == "mandatory"
    assert s["aws-tls-only"].enforcement == "advisory"


def test_shipped_config_is_advisory_in_dev_and_default_in_prod() -> None:
    dev, prod = load(None, "dev"), load(None, "prod")
    assert {s.enforcement for s in dev.values()} == {"advisory"}
    assert prod["aws-tls-only"].enforcement == "mandatory"
    assert prod["required-tags"].config["tags"] == ["team", "cost-center"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"no-such-rule": "advisory"}, "no-such-rule: no such rule (known: see `python -m policies.catalogue`)"),
    ({"all": "loud"}, "all: 'loud' is not one of advisory, mandatory, disabled"),
    ({"budget": {"enforcementLevel": "sometimes"}},
     "budget.enforcementLevel: 'sometimes' is not one of advisory, mandatory, disabled"),
    ({"dead-letter-attempts-band": {"minAttempts": "three"}}, "dead-letter-attempts-band.minAttempts: 'three' is not of type 'number'"),
    ({"budget": {"colour": "red"}}, "budget: Additional properties are not allowed ('colour' was unexpected)"),
    ({"environments": {"qa": {}}}, "environments.qa: not an environment (dev, staging, prod)"),
])
def test_invalid_config_is_rejected_with_its_path(raw: dict, message: str) -> None:
    with pytest.raises(SettingsError) as exc:
        resolve(raw, "prod")
    assert str(exc.value) == message


def test_crossguard_config_spells_out_every_rule() -> None:
    cfg = crossguard_config(resolve({"budget": "advisory"}, "prod"))
    assert cfg["budget"] == {"enforcementLevel": "advisory", "hoursPerMonth": 730, "prices": ""}
    assert cfg["pubsub-cmek"] == {"enforcementLevel": "mandatory", "required": False}


def test_load_names_file_line_and_field(tmp_path: Path) -> None:
    config = tmp_path / "policy.yaml"
    config.write_text("budget: advisory\nenvironments:\n  dev:\n    dead-letter-attempts-band:\n"
                      "      minAttempts: three\n")
    with pytest.raises(SettingsError) as exc:
        load(config, "dev")
    assert str(exc.value) == (f"{config}:5:7: error: environments.dev.dead-letter-attempts-band.minAttempts: "
                              "'three' is not of type 'number'")


def test_load_reports_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    config = tmp_path / "policy.yaml"
    config.write_text("budget: [advisory\n")
    with pytest.raises(SettingsError) as exc:
        load(config, "prod")
    assert str(exc.value).startswith(f"{config}:2:1: error: (root): not valid YAML: ")
    with pytest.raises(SettingsError) as exc:
        load(tmp_path / "missing.yaml", "prod")
    assert str(exc.value) == f"{tmp_path / 'missing.yaml'}:1:1: error: (root): no such file"
