"""The JSON Schema pass: structure and types, with messages a person can act on.

jsonschema's own messages ("'x' is not valid under any of the given schemas") name neither
the field nor the fix. Here each error is translated: unknown keys get a "did you mean"
hint, ``oneOf`` errors are narrowed to the alternative that matches the value's type, and
pattern errors for durations and sizes say which units exist.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from queuekit.diagnostics import Path as FieldPath

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "queuekit.schema.json"

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "null"}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def schema_errors(data: Any) -> Iterator[tuple[FieldPath, bool, str]]:
    """Yield ``(path, at_key, message)`` for every schema violation in ``data``."""
    for error in _validator().iter_errors(data):
        yield from _translate(error)


def _translate(error: jsonschema.ValidationError) -> Iterator[tuple[FieldPath, bool, str]]:
    path: FieldPath = tuple(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind in ("oneOf", "anyOf"):
        yield from _narrow(error, path)
    elif kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(value) - set(allowed)):
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            msg = f"unknown field '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                              f"; allowed: {', '.join(allowed)}" if len(allowed) <= 12 else "")
            yield (*path, key), True, msg
    elif kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield path, False, f"missing required field '{missing}'"
    elif kind == "type" and error.schema.get("pattern") in _unit_patterns():
        yield path, False, _pattern_message(error.schema["pattern"], value)
    elif kind == "type":
        expected = error.validator_value
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in (expected if isinstance(expected, list) else [expected]))
        yield path, False, f"must be {names}, not {_TYPE_NAMES[_json_type(value)]} ({_short(value)})"
    elif kind == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        hint = difflib.get_close_matches(str(value), [str(o) for o in error.validator_value], n=1, cutoff=0.6)
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        yield path, False, f"{_short(value)} is not one of: {options}{suffix}"
    elif kind == "const":
        yield path, False, f"must be {error.validator_value!r}, not {_short(value)}"
    elif kind == "pattern":
        yield path, False, _pattern_message(error.validator_value, value)
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                "exclusiveMaximum": "less than"}[kind]
        yield path, False, f"{_short(value)} is out of range: must be {word} {error.validator_value:g}"
    elif kind in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"):
        what = {"Items": "entries", "Length": "characters", "Properties": "keys"}[kind[3:]]
        word = "at least" if kind.startswith("min") else "at most"
        if kind == "maxProperties" and error.validator_value == 1:
            yield path, False, f"give exactly one of: {', '.join(sorted(error.schema.get('properties', {})))}"
        else:
            yield path, False, f"must have {word} {error.validator_value} {what}"
    else:
        yield path, False, error.message


def _narrow(error: jsonschema.ValidationError, path: FieldPath) -> Iterator[tuple[FieldPath, bool, str]]:
    """For oneOf/anyOf: report the errors of the alternative whose type matches the value."""
    value_type = _json_type(error.instance)
    fitting = {i for i, alt in enumerate(error.validator_value) if _accepts_type(alt, value_type)}
    matching = [e for e in error.context or [] if e.relative_schema_path and e.relative_schema_path[0] in fitting]
    options: list[str] = []
    for alt in error.validator_value:
        if "enum" in alt:
            options += [str(v) for v in alt["enum"]]
        elif alt.get("type") == "object":
            options.append("a mapping")
        elif "$ref" in alt:
            name = alt["$ref"].rsplit("/", 1)[-1]
            named = {"duration": "a duration (e.g. 90s, 15m, 4d)", "size": "a size (e.g. 256KiB)"}
            options.append(named.get(name, name))
        elif alt.get("type") == "integer":
            options.append("a whole number" + (f" >= {alt['minimum']}" if "minimum" in alt else ""))
    alternatives = {e.relative_schema_path[0] for e in matching}
    if len(alternatives) > 1:
        yield path, False, f"{_short(error.instance)} is not valid here: use {' or '.join(options)}"
        return
    if matching:
        # Errors inside the alternative of the right type (e.g. an unknown key in the mapping form)
        for sub in matching:
            yield from _translate(sub)
        return
    yield path, False, f"{_short(error.instance)} is not valid here: use {' or '.join(options)}"


def _unit_patterns() -> tuple[str, str]:
    defs = schema()["$defs"]
    return defs["duration"]["pattern"], defs["size"]["pattern"]


def _accepts_type(schema: Any, value_type: str) -> bool:
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        schema = _resolve(schema["$ref"])
    declared = schema.get("type")
    if declared is None:
        return False
    declared = declared if isinstance(declared, list) else [declared]
    return value_type in declared or (value_type == "integer" and "number" in declared)


def _resolve(ref: str) -> dict[str, Any]:
    return schema()["$defs"][ref.rsplit("/", 1)[-1]]


def _pattern_message(pattern: str, value: Any) -> str:
    defs = schema()["$defs"]
    if pattern == defs["duration"]["pattern"]:
        return f"{_short(value)} is not a duration: use a number and a unit ms, s, m, h, d or w (e.g. 90s, 15m, 4d)"
    if pattern == defs["size"]["pattern"]:
        return f"{_short(value)} is not a size: use a number and a unit B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"
    if "[a-z][a-z0-9-]" in pattern:
        return (f"{_short(value)} is not a valid project name: lowercase letters, digits and dashes, "
                "starting with a letter")
    return f"{_short(value)} does not match {pattern}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
