"""Property tests: random valid specs load; random mutations give located errors, never exceptions."""

from __future__ import annotations

import copy
from typing import Any

from factories import to_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queuekit.diagnostics import SpecError
from queuekit.spec import load_bytes

NAME = st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True)
SECONDS = st.sampled_from(["s", "m", "h"])


def duration(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n}s")


@st.composite
def queue(draw: st.DrawFn, name: str) -> dict[str, Any]:
    backend = draw(st.sampled_from(["sqs", "pubsub", "rabbitmq", "kafka"]))
    q: dict[str, Any] = {"name": name, "backend": backend}
    if backend == "sqs":
        q["visibility_timeout"] = draw(duration(0, 43200))
        retention = draw(st.integers(60, 14 * 86400))
        q["retention"] = f"{retention}s"
        q["fifo"] = draw(st.booleans())
        # A DLQ must keep messages at least as long as its source (a documented semantic check).
        q["dead_letter"] = draw(st.one_of(st.just("none"), st.fixed_dictionaries(
            {"max_receives": st.integers(1, 1000), "retention": duration(retention, 14 * 86400)})))
        q["producers"] = [f"arn:aws:iam::123456789012:role/{name}-p"]
    elif backend == "pubsub":
        q["visibility_timeout"] = draw(duration(10, 600))
        q["retention"] = draw(duration(600, 7 * 86400))
        q["dead_letter"] = {"max_deliveries": draw(st.integers(5, 100))}
        q["ordering"] = draw(st.booleans())
    elif backend == "rabbitmq":
        q["broker"] = "jobs"
        q["queue_type"] = draw(st.sampled_from(["quorum", "classic"]))
        q["producers"] = [f"{name}-p"]
    else:
        q["broker"] = "events"
        q["partitions"] = draw(st.integers(1, 64))
        q["replication"] = draw(st.integers(1, 3))
    q["volume"] = {"messages_per_second": draw(st.floats(0, 1e4, allow_nan=False)), "message_size": "1KiB"}
    return q


@st.composite
def valid_spec(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(NAME, min_size=1, max_size=6, unique=True))
    names = [n for n in names if not any(m != n and (m.startswith(n) or n.startswith(m)) for m in names)] or names[:1]
    return {
        "version": 1,
        "project": draw(NAME),
        "environment": draw(st.sampled_from(["dev", "staging", "prod"])),
        "defaults": {"aws_region": "eu-west-1", "gcp_region": "europe-west1", "alarms": {"notify": ["ops"]}},
        "notify": {"ops": {"email": "ops@example.com"}},
        "brokers": {"jobs": {"engine": "rabbitmq", "cloud": "gcp", "nodes": 3},
                    "events": {"engine": "kafka", "cloud": "aws", "nodes": 3}},
        "queues": [draw(queue(n)) for n in names],
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_spec())
def test_random_valid_specs_load(d: dict[str, Any]) -> None:
    spec = load_bytes(to_yaml(d), "random.yaml")
    assert [q.name for q in spec.queues] == [q["name"] for q in d["queues"]]


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                 st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                                            st.integers(), max_size=2))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _set(d: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    node: Any = d
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return d


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_spec(), st.data())
def test_random_mutations_never_raise_anything_but_spec_errors(d: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(d)))
    mutated = _set(d, path, data.draw(JUNK))
    try:
        load_bytes(to_yaml(mutated), "mutated.yaml")
    except SpecError as exc:
        assert exc.diagnostics and all(e.line >= 1 and e.column >= 1 for e in exc.diagnostics)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_spec(), st.data())
def test_unknown_keys_anywhere_are_errors(d: dict[str, Any], data: st.DataObject) -> None:
    mappings = [p for p in [(), *_paths(d)] if isinstance(_get(d, p), dict) and p[:1] not in (("notify",),)
                and not (p and p[-1] in ("tags", "brokers"))]
    path = data.draw(st.sampled_from(mappings))
    mutated = copy.deepcopy(d)
    _get(mutated, path)["zz_unknown"] = 1
    try:
        load_bytes(to_yaml(mutated), "mutated.yaml")
    except SpecError as exc:
        assert any("zz_unknown" in e.message for e in exc.diagnostics)
    else:
        raise AssertionError(f"unknown key at {path} was accepted")


def _get(d: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        d = d[part]
    return d
