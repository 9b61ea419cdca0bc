"""Per-stack enforcement levels and rule config, in CrossGuard's policy-config style.

A ``policy-config.yaml`` is what ``pulumi preview --policy-pack-config`` takes (rule name →
level, or → ``{enforcementLevel, ...properties}``, plus ``all``), with one addition:
``environments.<env>`` holds the same shape again and wins for stacks of that environment.
Layers apply in order — rule defaults, top-level ``all``, top-level rules, the environment's
``all``, the environment's rules — so ``environments: {dev: {all: advisory}}`` makes every rule
advisory in dev whatever the top level says. ``crossguard_config(path, env)`` flattens a file
into the plain JSON the Pulumi CLI reads, so both runners enforce the same levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from policies.rule import ENFORCEMENTS, Enforcement, Rule
from policies.rules import BY_NAME, RULES
from queuekit.diagnostics import Diagnostic, format_path
from queuekit.diagnostics import Path as FieldPath

DEFAULT_CONFIG = Path(__file__).parent / "policy-config.yaml"


class SettingsError(ValueError):
    """An invalid policy config: unknown rule, bad level, config that does not match the schema.

    ``path`` is the offending field (``("environments", "dev", "budget")``); :func:`load` adds the
    file and line so the CLI prints it like a spec error: ``FILE:LINE:COL: error: FIELD: message``.
    """

    def __init__(self, path: FieldPath, message: str, where: Diagnostic | None = None) -> None:
        self.path, self.message, self.where = path, message, where
        super().__init__(str(where) if where else f"{format_path(path)}: {message}")


@dataclass(frozen=True)
class RuleSettings:
    enforcement: Enforcement
    config: Mapping[str, Any]


def _layer(raw: Mapping[str, Any], where: FieldPath, levels: dict[str, str],
           configs: dict[str, dict[str, Any]]) -> None:
    if "all" in raw:
        level = raw["all"]
        if level not in ENFORCEMENTS:
            raise SettingsError((*where, "all"), f"'{level}' is not one of {', '.join(ENFORCEMENTS)}")
        for name in levels:
            levels[name] = level
    for name, value in raw.items():
        if name in ("all", "environments"):
            continue
        if name not in BY_NAME:
            raise SettingsError((*where, name), "no such rule (known: see `python -m policies.catalogue`)")
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, Mapping):
            raise SettingsError((*where, name), "expected an enforcement level or a mapping")
        if "enforcementLevel" in value:
            if value["enforcementLevel"] not in ENFORCEMENTS:
                raise SettingsError((*where, name, "enforcementLevel"), f"'{value['enforcementLevel']}' is not "
                                    f"one of {', '.join(ENFORCEMENTS)}")
            levels[name] = value["enforcementLevel"]
        props = {k: v for k, v in value.items() if k != "enforcementLevel"}
        schema = {"type": "object", "properties": dict(BY_NAME[name].config_schema), "additionalProperties": False}
        try:
            jsonschema.validate(props, schema)
        except jsonschema.ValidationError as exc:
            raise SettingsError((*where, name, *exc.absolute_path), exc.message) from None
        configs[name].update(props)


def resolve(raw: Mapping[str, Any] | None, environment: str) -> dict[str, RuleSettings]:
    """Every rule's effective level and config for a stack of ``environment``."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise SettingsError((), "policy config must be a mapping of rule name → settings")
    levels: dict[str, str] = {r.name: r.enforcement for r in RULES}
    configs: dict[str, dict[str, Any]] = {r.name: r.defaults() for r in RULES}
    _layer(raw, (), levels, configs)
    envs = raw.get("environments") or {}
    if not isinstance(envs, Mapping):
        raise SettingsError(("environments",), "expected a mapping of environment → settings")
    for env, layer in envs.items():
        if env not in ("dev", "staging", "prod"):
            raise SettingsError(("environments", env), "not an environment (dev, staging, prod)")
        if not isinstance(layer, Mapping):
            raise SettingsError(("environments", env), "expected a mapping")
    if environment in envs:
        _layer(envs[environment], ("environments", environment), levels, configs)
    return {name: RuleSettings(levels[name], configs[name]) for name in levels}  # type: ignore[arg-type]


def load(path: str | Path | None, environment: str) -> dict[str, RuleSettings]:
    """Settings from ``path`` (default: the pack's own ``policy-config.yaml``)."""
    file = Path(path) if path else DEFAULT_CONFIG
    if path and not file.is_file():
        raise SettingsError((), "no such file", Diagnostic(str(file), 1, 1, "(root)", "no such file"))
    text = file.read_text(errors="replace") if file.exists() else ""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        raise SettingsError((), message, Diagnostic(str(file), line, col, "(root)", message)) from None
    try:
        return resolve(raw, environment)
    except SettingsError as exc:
        line, col = _position(text, exc.path)
        raise SettingsError(exc.path, exc.message,
                            Diagnostic(str(file), line, col, format_path(exc.path), exc.message)) from None


def _position(text: str, path: FieldPath) -> tuple[int, int]:
    """Line and column of ``path`` in the YAML ``text`` (its deepest existing ancestor when absent)."""
    node = yaml.compose(text)
    where = (1, 1)
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                break
            where, node = (pair[0].start_mark.line + 1, pair[0].start_mark.column + 1), pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            where = (node.start_mark.line + 1, node.start_mark.column + 1)
        else:
            break
    return where


def crossguard_config(settings: Mapping[str, RuleSettings]) -> dict[str, Any]:
    """The ``--policy-pack-config`` JSON for these settings: every rule spelled out."""
    return {name: {"enforcementLevel": s.enforcement, **s.config} for name, s in settings.items()}


def rule(name: str) -> Rule:
    return BY_NAME[name]


if __name__ == "__main__":  # python -m policies.settings policy-config.yaml prod > prod.json
    import json
    import sys

    print(json.dumps(crossguard_config(load(sys.argv[1] if len(sys.argv) > 1 else None,
                                            sys.argv[2] if len(sys.argv) > 2 else "prod")), indent=2))
