"""YAML to plain data plus the position of every node, safely.

PyYAML alone is not enough for a spec loader: it silently keeps the last of duplicate keys,
forgets positions, and an alias bomb ("billion laughs") expands into billions of nodes as
soon as anything walks the result. This module composes the node graph (cheap: aliases are
shared), then converts it while counting every visited node against a budget, rejecting
duplicate keys, non-finite numbers and non-string keys, and recording ``path → (line, col)``
for values and for keys (unknown-key errors point at the key).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from queuekit.diagnostics import Path

MAX_BYTES = 1024 * 1024  # a spec for 20,000 queues fits in well under a megabyte
MAX_NODES = 200_000  # after alias expansion
MAX_DEPTH = 64
_YAML12_EXP = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")


class SourceError(Exception):
    """The file cannot be read as a YAML mapping at all; carries a position."""

    def __init__(self, line: int, column: int, path: Path, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.path, self.message = line, column, path, message


@dataclass
class Located:
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path`` (its key when ``key``), else of its nearest ancestor."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if not key and p in self.keys:
                return self.keys[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_text(raw: bytes) -> Located:
    """Parse ``raw`` (a file's bytes) into data with positions; raises :class:`SourceError`."""
    if len(raw) > MAX_BYTES:
        raise SourceError(1, 1, (), f"file is {len(raw)} bytes; a spec may be at most {MAX_BYTES} bytes")
    if b"\x00" in raw:
        raise SourceError(1, 1, (), "file is binary (contains NUL bytes), not a YAML spec")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(line, 1, (), f"file is not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise SourceError(1, 1, (), "file is empty: a spec needs at least `version: 1` and `project`")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(line, col, (), f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise SourceError(1, 1, (), f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise SourceError(1, 1, (), "file has no YAML document: a spec needs at least `version: 1` and `project`")
    if not isinstance(node, yaml.MappingNode):
        line, col = _pos(node)
        raise SourceError(line, col, (),
                          f"a spec must be a mapping of keys (version, project, ...), not a {_kind(node)}")
    located = Located(None)
    budget = [MAX_NODES]
    located.data = _convert(node, (), located, budget, 0, yaml.SafeLoader(""))
    return located


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return "single value"


def _convert(node: yaml.Node, path: Path, located: Located, budget: list[int], depth: int,
             constructor: yaml.SafeLoader) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        line, col = _pos(node)
        raise SourceError(line, col, path, f"document expands to more than {MAX_NODES} nodes "
                                           "(aliases nested too deep?); queuekit refuses to expand it")
    if depth > MAX_DEPTH:
        line, col = _pos(node)
        raise SourceError(line, col, path, f"nesting deeper than {MAX_DEPTH} levels")
    located.values[path] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in _merged_pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _pos(key_node)
                raise SourceError(line, col, path, "mapping keys must be plain names, not lists or mappings")
            key = constructor.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key) if isinstance(key, (int, float, bool)) or key is None else key
            child = (*path, key)
            if key in out:
                line, col = _pos(key_node)
                raise SourceError(line, col, child, f"duplicate key '{key}' (first at line "
                                                    f"{located.keys[child][0]})")
            located.keys[child] = _pos(key_node)
            out[key] = _convert(value_node, child, located, budget, depth + 1, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), located, budget, depth + 1, constructor)
                for i, item in enumerate(node.value)]
    try:
        value = constructor.construct_object(node)
    except (ValueError, yaml.YAMLError) as exc:
        line, col = _pos(node)
        if "digits" in str(exc):
            raise SourceError(line, col, path, f"number with {len(node.value)} digits is too large") from None
        raise SourceError(line, col, path, f"cannot read value {node.value[:40]!r}: {exc}") from None
    if isinstance(value, str) and node.style is None and _YAML12_EXP.fullmatch(value):
        value = float(value)  # YAML 1.2 reads 1e9 as a number; PyYAML (YAML 1.1) would keep a string
    if isinstance(value, float) and not math.isfinite(value):
        line, col = _pos(node)
        raise SourceError(line, col, path, f"{node.value!r} is not a finite number")
    if not isinstance(value, (str, int, float, bool, type(None))):
        # timestamps, binary: a spec has none; keep the text so the schema reports a type error
        return node.value
    return value


def _merged_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """Pairs of a mapping with YAML merge keys (``<<: *base``) applied, explicit keys winning."""
    explicit = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for k, v in node.value:
        if k.tag == "tag:yaml.org,2002:merge":
            sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for src in sources:
                if isinstance(src, yaml.MappingNode):
                    merged.extend(_merged_pairs(src))
    names = {k.value for k, _ in explicit if isinstance(k, yaml.ScalarNode)}
    seen: set[str] = set()
    out = list(explicit)
    for k, v in merged:
        if not isinstance(k, yaml.ScalarNode):
            out.append((k, v))
        elif k.value not in names and k.value not in seen:
            seen.add(k.value)
            out.append((k, v))
    return out
