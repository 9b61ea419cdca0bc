"""Check results as text, JSON, SARIF 2.1.0 (GitHub code scanning) and JUnit XML.

Every format shows the same violations in the same order. SARIF points at the spec file and the
line of the offending queue/topic/subscription/broker (``locate.Locator``); mandatory violations
are ``error``, advisory ones ``warning``, and each rule carries GitHub's ``security-severity``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from policies.locate import Locator
from policies.offline import Violation
from policies.rule import Rule
from policies.rules import RULES
from policies.settings import RuleSettings
from queuekit.model import Source

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"low": "2.0", "medium": "5.0", "high": "7.5", "critical": "9.5"}
INFO_URI = "https://github.com/queuekit/queuekit#policies"


def _relative(path: str) -> str:
    """SARIF URIs are relative to the repository root (the working directory in CI), with '/'."""
    rel = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return rel.replace(os.sep, "/")


def text(violations: Sequence[Violation], failing: Sequence[Violation], locator: Locator) -> str:
    lines = []
    fails = {id(v) for v in failing}
    for v in violations:
        src = locator.source(v.urn, v.subject)
        verdict = "FAIL" if id(v) in fails else "warn"
        lines.append(f"{_relative(src.file)}:{src.line}:{src.column}: {verdict} {v.rule_id} {v.rule} "
                     f"[{v.severity}, {v.enforcement}]: {v.message}")
    lines.append(f"{len(violations)} violation(s), {len(failing)} failing the check" if violations
                 else "no policy violations")
    return "\n".join(lines)


def as_json(violations: Sequence[Violation], failing: Sequence[Violation]) -> dict[str, Any]:
    return {"violations": [v.as_json() for v in violations], "failing": len(failing)}


def _sarif_rule(rule: Rule, settings: RuleSettings) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(p.title() for p in rule.name.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "helpUri": rule.url,
        "help": {"text": rule.remediation_steps, "markdown": f"**{rule.title}**\n\n{rule.rationale}\n\n"
                                                             f"Fix: {rule.remediation_steps}"},
        "defaultConfiguration": {"level": "error" if settings.enforcement == "mandatory" else "warning"},
        "properties": {"tags": ["security", rule.name, *rule.anchors], "precision": "high",
                       "security-severity": SECURITY_SEVERITY[rule.severity], "problem.severity":
                           "error" if rule.severity in ("high", "critical") else "warning"},
    }


def _fingerprint(v: Violation) -> str:
    return hashlib.sha256(f"{v.rule_id}\0{v.resource}\0{v.message}".encode()).hexdigest()[:32]


def sarif(violations: Sequence[Violation], locator: Locator, settings: Mapping[str, RuleSettings],
          version: str = "0.1.0") -> dict[str, Any]:
    index = {r.id: i for i, r in enumerate(RULES)}
    results = []
    for v in violations:
        src: Source = locator.source(v.urn, v.subject)
        location: dict[str, Any] = {"physicalLocation": {
            "artifactLocation": {"uri": _relative(src.file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(1, src.line), "startColumn": max(1, src.column)}}}
        if v.urn:
            location["logicalLocations"] = [{"fullyQualifiedName": v.urn, "kind": "resource"}]
        results.append({
            "ruleId": v.rule_id, "ruleIndex": index[v.rule_id],
            "level": "error" if v.enforcement == "mandatory" else "warning",
            "message": {"text": v.message},
            "locations": [location],
            "partialFingerprints": {"queuekitViolation/v1": _fingerprint(v)},
        })
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "queuekit", "informationUri": INFO_URI, "version": version,
                                "semanticVersion": version,
                                "rules": [_sarif_rule(r, settings[r.name]) for r in RULES]}},
            "results": results,
        }],
    }


def junit(violations: Sequence[Violation], failing: Sequence[Violation], locator: Locator,
          settings: Mapping[str, RuleSettings], suite: str) -> str:
    """One testcase per rule: failure if it has failing violations, skipped if disabled."""
    fails = {id(v) for v in failing}
    by_rule: dict[str, list[Violation]] = {}
    for v in violations:
        by_rule.setdefault(v.rule, []).append(v)
    root = ET.Element("testsuites", name="queuekit check")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(RULES)))
    n_fail = n_skip = 0
    for rule in RULES:
        case = ET.SubElement(ts, "testcase", classname=f"queuekit.policies.{rule.id}", name=rule.name)
        mine = by_rule.get(rule.name, [])
        if settings[rule.name].enforcement == "disabled":
            ET.SubElement(case, "skipped", message="disabled by policy config")
            n_skip += 1
            continue
        bad = [v for v in mine if id(v) in fails]
        body = "\n".join(f"{_loc(locator, v)}: {v.message}" for v in mine)
        if bad:
            n_fail += 1
            failure = ET.SubElement(case, "failure", type=rule.severity,
                                    message=f"{len(bad)} violation(s) of {rule.title}")
            failure.text = body
        elif mine:
            ET.SubElement(case, "system-out").text = "advisory:\n" + body
    ts.set("failures", str(n_fail))
    ts.set("errors", "0")
    ts.set("skipped", str(n_skip))
    root.set("tests", str(len(RULES)))
    root.set("failures", str(n_fail))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _loc(locator: Locator, v: Violation) -> str:
    src = locator.source(v.urn, v.subject)
    return f"{_relative(src.file)}:{src.line}"


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2)
