"""The moto fixture's contract: skip locally, fail in CI, when moto server is missing."""

from __future__ import annotations

import pytest

from support.moto_server import require_moto

MESSAGE = "moto_server is not installed (pip install 'moto[server]'; see .ci/install-aws.sh)"


@pytest.mark.parametrize(("ci", "outcome"), [(True, pytest.fail.Exception), (False, pytest.skip.Exception)])
def test_missing_moto_fails_in_ci_and_skips_outside(ci: bool, outcome: type[BaseException]) -> None:
    with pytest.raises(outcome) as stopped:
        require_moto(None, ci=ci)
    assert str(stopped.value) == MESSAGE


def test_present_moto_is_used_in_ci() -> None:
    assert require_moto("/usr/local/bin/moto_server", ci=True) == "/usr/local/bin/moto_server"

