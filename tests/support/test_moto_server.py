"""The moto fixture's contract: skip locally, fail in CI, when moto server is missing."""

from __future__ import annotations

import pytest

from support.moto_server import require_moto

MESSAGE = "moto_server is not installed (pip install 'moto[server]'; see .ci/install-aws.sh)"


def test_missing_moto_fails_in_ci() -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        require_moto(None, ci=True)
    assert str(failed.value) == MESSAGE


def test_missing_moto_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_moto(None, ci=False)
    assert str(skipped.value) == MESSAGE


def test_present_moto_is_used_in_ci() -> None:
    assert require_moto("/usr/local/bin/moto_server", ci=True) == "/usr/local/bin/moto_server"

