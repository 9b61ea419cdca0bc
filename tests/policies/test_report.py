"""SARIF 2.1.0 as GitHub code scanning reads it: valid shape, and every result on the offending spec line.

No copy of the OASIS schema can be fetched here, so ``SARIF_SUBSET`` restates the parts of the
SARIF 2.1.0 schema that queuekit emits — property names, required members, enums and minimums
exactly as the standard defines them, with ``additionalProperties: false`` wherever the standard
has no property bag, so a misspelt or misplaced member fails — plus GitHub's own requirements
(``security-severity`` a number in a string, ``partialFingerprints`` strings).
"""

from __future__ import annotations

from typing import Any

import jsonschema
from factories import changed, load, to_yaml

from components.plan import fast_plan
from policies import report
from policies.locate import Locator
from policies.offline import as_resources, evaluate
from policies.rules import RULES
from policies.settings import resolve


def _obj(required: list[str], props: dict[str, Any], closed: bool = True) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props, "additionalProperties": not closed}


_TEXT = _obj(["text"], {"text": {"type": "string"}, "markdown": {"type": "string"}})
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_BAG = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"},
                                                  "uniqueItems": True}}}
_RULE = _obj(["id"], {
    "id": {"type": "string"}, "name": {"type": "string"}, "shortDescription": _TEXT, "fullDescription": _TEXT,
    "helpUri": {"type": "string", "format": "uri"}, "help": _TEXT,
    "defaultConfiguration": _obj([], {"level": _LEVEL, "enabled": {"type": "boolean"}}),
    "properties": {**_BAG, "required": ["security-severity"],
                   "properties": {**_BAG["properties"],
                                  "security-severity": {"type": "string", "pattern": r"^\d+(\.\d+)?$"}}},
})
_LOCATION = _obj([], {
    "physicalLocation": _obj(["artifactLocation", "region"], {
        "artifactLocation": _obj(["uri"], {"uri": {"type": "string"}, "uriBaseId": {"type": "string"}}),
        "region": _obj(["startLine"], {"startLine": {"type": "integer", "minimum": 1},
                                       "startColumn": {"type": "integer", "minimum": 1}}),
    }),
    "logicalLocations": {"type": "array", "items": _obj([], {"fullyQualifiedName": {"type": "string"},
                                                              "kind": {"type": "string"}})},
})
_RESULT = _obj(["message", "ruleId", "locations"], {
    "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1}, "level": _LEVEL,
    "message": _TEXT, "locations": {"type": "array", "minItems": 1, "items": _LOCATION},
    "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
})
SARIF_SUBSET = _obj(["version", "runs"], {
    "$schema": {"type": "string", "format": "uri"}, "version": {"const": "2.1.0"},
    "runs": {"type": "array", "minItems": 1, "items": _obj(["tool"], {
        "tool": _obj(["driver"], {"driver": _obj(["name"], {
            "name": {"type": "string"}, "informationUri": {"type": "string"}, "version": {"type": "string"},
            "semanticVersion": {"type": "string"}, "rules": {"type": "array", "items": _RULE}})}),
        "results": {"type": "array", "items": _RESULT},
    })},
})


def _violating_spec() -> dict[str, Any]:
    """One violation per way a result is located: a resource URN (SQS), a subscription's resource
    (Pub/Sub push), a model subject (RabbitMQ queue type) and the stack (budget)."""
    d = changed("queues.0.encryption", "none")
    d["queues"][2]["queue_type"] = "classic"
    d["topics"][1]["subscriptions"][0]["push_endpoint"] = "http://billing.example.com/push"
    d["budget"]["monthly_usd"] = 1
    return d


def _line(text: str, needle: str, after: str | None = None) -> int:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


def _sarif(d: dict[str, Any]) -> dict[str, Any]:
    spec = load(d)
    resources = as_resources(fast_plan(spec))
    settings = resolve({}, spec.environment)
    return report.sarif(evaluate(resources, spec, settings), Locator(spec, resources), settings)


def test_sarif_matches_the_sarif_2_1_0_subset_we_emit() -> None:
    doc = _sarif(_violating_spec())
    jsonschema.validate(doc, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    driver = doc["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    for result in doc["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_every_result_points_at_the_offending_node() -> None:
    d = _violating_spec()
    text = to_yaml(d).decode()
    where = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in _sarif(d)["runs"][0]["results"]}
    assert where == {
        ("QK101", _line(text, "name: image-resize")),
        ("QK205", _line(text, "name: billing", after="name: order-events")),
        ("QK307", _line(text, "name: email-send")),
        ("QK907", _line(text, "monthly_usd: 1")),  # the budget mapping starts at its first key
    }


def test_no_violation_is_an_empty_result_list_with_every_rule() -> None:
    doc = _sarif(changed("project", "shop"))
    jsonschema.validate(doc, SARIF_SUBSET)
    assert doc["runs"][0]["results"] == []
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)
