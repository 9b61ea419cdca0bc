"""The README's spec reference, generated from the JSON Schema and the provider limits.

Generated so that the documentation cannot drift from what the validator enforces;
``tests/queuekit/test_reference.py`` asserts the README holds exactly this output between
the ``<!-- spec-reference:start -->`` / ``end`` markers. Print it with
``python -m queuekit.reference``.
"""

from __future__ import annotations

from typing import Any

from queuekit.limits import DEFAULTS, LIMITS
from queuekit.schema import schema
from queuekit.units import format_duration, format_size

SECTIONS = (
    ("Top level", ()),
    ("defaults", ("properties", "defaults")),
    ("notify.&lt;name&gt;", ("properties", "notify", "additionalProperties")),
    ("brokers.&lt;name&gt;", ("properties", "brokers", "additionalProperties")),
    ("queues[]", ("properties", "queues", "items")),
    ("topics[]", ("properties", "topics", "items")),
    ("topics[].subscriptions[]", ("properties", "topics", "items", "properties", "subscriptions", "items")),
    ("dead_letter", ("$defs", "dead_letter", "oneOf", 1)),
    ("alarms", ("$defs", "alarms", "oneOf", 1)),
    ("volume", ("$defs", "volume")),
    ("encryption", ("$defs", "encryption", "oneOf", 1)),
    ("budget", ("properties", "budget")),
)


def _type(node: dict[str, Any]) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "allOf" in node:
        return _type(node["allOf"][0])
    if "oneOf" in node:
        return " \\| ".join(_type(n) for n in node["oneOf"])
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    t = node.get("type", "")
    return " \\| ".join(t) if isinstance(t, list) else t


def _at(root: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    node: Any = root
    for part in path:
        node = node[part]
    return node


def markdown() -> str:
    root = schema()
    out: list[str] = []
    for title, path in SECTIONS:
        node = _at(root, path)
        required = set(node.get("required", ()))
        out += [f"#### {title}", "", "| field | type | meaning |", "| --- | --- | --- |"]
        for name, prop in node.get("properties", {}).items():
            req = " (required)" if name in required else ""
            desc = prop.get("description") or _at(root, ("$defs", prop["$ref"].rsplit("/", 1)[-1])).get(
                "description", "") if "$ref" in prop else prop.get("description", "")
            desc = desc.replace("|", "\\|")
            out.append(f"| `{name}`{req} | {_type(prop)} | {desc} |")
        out.append("")
    out += ["#### Limits and defaults per backend", "",
            "| setting | " + " | ".join(LIMITS) + " |", "| --- |" + " --- |" * len(LIMITS)]
    keys = sorted({k for v in LIMITS.values() for k in v} | {k for v in DEFAULTS.values() for k in v})
    for key in keys:
        cells = []
        for backend in LIMITS:
            bounds, default = LIMITS[backend].get(key), DEFAULTS[backend].get(key)
            fmt = _formatter(key)
            text = f"{fmt(bounds[0])}–{fmt(bounds[1])}" if bounds else "—"
            if default is not None and bounds:
                text += f" (default {fmt(default)})"
            cells.append(text)
        out.append(f"| {key} | " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)


def _formatter(key: str) -> Any:
    if "size" in key:
        return lambda v: format_size(v) if v else "0"
    if key in ("max_deliveries", "batch"):
        return lambda v: f"{v:,}"
    return lambda v: format_duration(v) if v else "0s"


if __name__ == "__main__":
    print(markdown(), end="")
