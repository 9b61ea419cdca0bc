"""Metadata over every rule: the catalogue, CrossGuard and SARIF all depend on it being complete."""

import re

import pytest

from policies.crossguard import policies
from policies.rule import ENFORCEMENTS, SEVERITIES, Rule
from policies.rules import RULES

ID_RANGES = {"QK1": "AWS", "QK2": "GCP", "QK3": "brokers", "QK9": "cross-cutting"}


def test_ids_and_names_are_unique() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_rules_are_sorted_by_id() -> None:
    assert [r.id for r in RULES] == sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_metadata_is_complete(rule: Rule) -> None:
    assert re.fullmatch(r"QK[1239]\d\d", rule.id) and rule.id[:3] in ID_RANGES
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.enforcement in ENFORCEMENTS
    assert rule.title and rule.description == rule.title
    assert len(rule.rationale) > 40
    assert rule.remediation_steps
    assert rule.url.startswith("https://")
    assert (rule.check_resource is None) != (rule.check_stack is None), "exactly one check function"
    if rule.check_resource is not None:
        assert rule.resource_types, "a resource rule must name the types it checks"
    for key, schema in rule.config_schema.items():
        assert "type" in schema and "default" in schema, key
    assert rule.tags == [rule.id, *rule.anchors]


def test_crossguard_policies_mirror_metadata() -> None:
    built = policies()
    assert [p.name for p in built] == [r.name for r in RULES]
    for p, r in zip(built, RULES, strict=True):
        assert p.description == r.title
        assert p.severity is not None and p.severity.value == r.severity
        assert p.enforcement_level is not None and p.enforcement_level.value == r.enforcement
        assert p.tags == r.tags
        assert p.url == r.url
        assert p.remediation_steps == r.remediation_steps
        assert (p.config_schema.properties if p.config_schema else {}) == dict(r.config_schema)
