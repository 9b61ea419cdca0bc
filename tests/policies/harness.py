"""Run one rule through both runners on a spec, for the per-rule tests.

``offline(...)`` is what ``queuekit check`` does (``fast_plan`` + ``policies.offline``);
``crossguard(...)`` calls the real ``pulumi_policy`` policy objects directly with
``ResourceValidationArgs`` / ``StackValidationArgs`` built from the resources the real program
registers under Pulumi's mocks (``mock_plan``), exactly as the analyzer would, spec found through
``QUEUEKIT_SPEC`` like in ``pulumi preview``. Both return the sorted violation messages, so a
test asserts the same expected list against each.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from factories import load, to_yaml
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)

from components.plan import PlanItem, fast_plan, mock_plan
from policies.crossguard import policy_for
from policies.offline import as_resources, evaluate
from policies.rules import BY_NAME
from policies.settings import resolve


@functools.lru_cache(maxsize=64)
def _plans(raw: bytes) -> tuple[Any, tuple[PlanItem, ...], tuple[PlanItem, ...]]:
    spec = load_raw(raw)
    return spec, tuple(fast_plan(spec)), tuple(mock_plan(spec))


def load_raw(raw: bytes) -> Any:
    import yaml

    return load(yaml.safe_load(raw))


Mutate = Callable[[list[PlanItem]], list[PlanItem]]


def offline(d: dict[str, Any], rule: str, config: Mapping[str, Any] | None = None,
            base: dict[str, Any] | None = None, mutate: Mutate | None = None) -> list[str]:
    spec, fast_items, _ = _plans(to_yaml(d))
    fast = mutate(list(fast_items)) if mutate else list(fast_items)
    raw_config = {rule: dict(config)} if config else {}
    settings = resolve(raw_config, spec.environment)
    base_spec = load(base) if base is not None else None
    found = evaluate(as_resources(fast), spec, settings, base=base_spec, rules=(BY_NAME[rule],))
    return sorted(v.message for v in found)


@contextmanager
def _env(**values: str | None) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _opts(parent: str | None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def crossguard(d: dict[str, Any], rule: str, config: Mapping[str, Any] | None = None,
               base: dict[str, Any] | None = None, mutate: Mutate | None = None) -> list[str]:
    """Messages the CrossGuard policy object reports for the mocked resources of spec ``d``."""
    _, _, mocked_items = _plans(to_yaml(d))
    mocked = mutate(list(mocked_items)) if mutate else list(mocked_items)
    policy = policy_for(BY_NAME[rule])
    messages: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        messages.append(message)

    custom = [i for i in mocked if i.custom]
    if isinstance(policy, ResourceValidationPolicy):
        for item in custom:
            policy.validate(ResourceValidationArgs(item.type, dict(item.inputs), item.urn, item.name,
                                                   _opts(item.parent), None, dict(config or {})), report)
        return sorted(messages)
    by_urn = {i.urn: PolicyResource(i.type, dict(i.inputs), i.urn, i.name, _opts(i.parent), None, None, [], {})
              for i in custom}
    for i in custom:
        by_urn[i.urn].parent = by_urn.get(i.parent or "")
    with tempfile.TemporaryDirectory() as tmp:
        spec_file = os.path.join(tmp, "spec.yaml")
        with open(spec_file, "wb") as f:
            f.write(to_yaml(d))
        base_file = None
        if base is not None:
            base_file = os.path.join(tmp, "base.yaml")
            with open(base_file, "wb") as f:
                f.write(to_yaml(base))
        with _env(QUEUEKIT_SPEC=spec_file, QUEUEKIT_BASE_SPEC=base_file):
            policy.validate(StackValidationArgs(list(by_urn.values()), dict(config or {})), report)
    return sorted(messages)


def both(d: dict[str, Any], rule: str, config: Mapping[str, Any] | None = None,
         base: dict[str, Any] | None = None, mutate: Mutate | None = None) -> list[str]:
    """The messages, after asserting both runners agree on them."""
    off = offline(d, rule, config, base, mutate)
    cg = crossguard(d, rule, config, base, mutate)
    assert off == cg, f"offline and CrossGuard disagree:\noffline:    {off}\ncrossguard: {cg}"
    return off


def replace_inputs(name: str, **changes: Any) -> Mutate:
    """A mutation: resource ``name``'s inputs with ``changes`` (None deletes the key) — for rules the
    components always satisfy, so no spec can break them and only a hand-edited resource can."""
    def apply(items: list[PlanItem]) -> list[PlanItem]:
        assert any(i.name == name for i in items), f"no resource {name}"
        out = []
        for i in items:
            if i.name == name:
                inputs = {k: v for k, v in {**i.inputs, **changes}.items() if v is not None}
                i = PlanItem(i.urn, i.type, i.name, i.parent, inputs, i.custom)
            out.append(i)
        return out
    return apply


def drop(name: str) -> Mutate:
    """A mutation: resource ``name`` removed (e.g. a hand-deleted DLQ subscription)."""
    def apply(items: list[PlanItem]) -> list[PlanItem]:
        assert any(i.name == name for i in items), f"no resource {name}"
        return [i for i in items if i.name != name]
    return apply


def model_only(d: dict[str, Any], rule: str, config: Mapping[str, Any] | None = None,
               base: dict[str, Any] | None = None) -> list[str]:
    """Both runners for a rule that reads only the spec (broker internals, budget, replacements): no plan,
    the CrossGuard stack policy finds the spec through QUEUEKIT_SPEC as in ``pulumi preview``."""
    assert not BY_NAME[rule].resource_types, f"{rule} reads resources: use both()"
    spec = load(d)
    settings = resolve({rule: dict(config)} if config else {}, spec.environment)
    off = sorted(v.message for v in evaluate([], spec, settings, base=load(base) if base is not None else None,
                                             rules=(BY_NAME[rule],)))
    cg: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        spec_file, base_file = os.path.join(tmp, "spec.yaml"), None
        with open(spec_file, "wb") as f:
            f.write(to_yaml(d))
        if base is not None:
            base_file = os.path.join(tmp, "base.yaml")
            with open(base_file, "wb") as f:
                f.write(to_yaml(base))
        with _env(QUEUEKIT_SPEC=spec_file, QUEUEKIT_BASE_SPEC=base_file):
            policy_for(BY_NAME[rule]).validate(StackValidationArgs([], dict(config or {})),
                                               lambda message, urn=None: cg.append(message))
    assert off == sorted(cg), f"offline and CrossGuard disagree:\noffline:    {off}\ncrossguard: {sorted(cg)}"
    return off
