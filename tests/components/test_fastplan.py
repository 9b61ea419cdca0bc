"""``fast_plan`` must equal ``mock_plan`` (the real program under Pulumi's mocks) on every spec.

The fast plan replaces the Pulumi runtime for ``queuekit plan --engine fast``, the policies and
the cost report; any divergence would make them check something `pulumi up` does not create.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components.plan import fast_plan, mock_plan
from queuekit.spec import load

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted([*ROOT.glob("stacks/*.yaml"), *ROOT.glob("tests/**/specs/*.yaml")])


@pytest.mark.parametrize("path", SPECS, ids=[str(p.relative_to(ROOT)) for p in SPECS])
def test_fast_plan_equals_mock_plan(path: Path) -> None:
    spec = load(path)
    assert fast_plan(spec) == mock_plan(spec)


def test_there_are_specs_to_compare() -> None:
    assert any(p.name == "example.yaml" for p in SPECS)
