"""The emulator fixture's contract: skip locally, fail in CI, when the emulator is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.pubsub_emulator import EMULATOR, require_emulator

MISSING = Path("/nonexistent/cloud-pubsub-emulator")
MESSAGE = ("the Pub/Sub emulator is not installed (/nonexistent/cloud-pubsub-emulator; Debian package "
           "google-cloud-cli-pubsub-emulator, see .ci/install-gcp.sh)")


def test_missing_emulator_fails_in_ci() -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        require_emulator(MISSING, ci=True)
    assert str(failed.value) == MESSAGE


def test_missing_emulator_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_emulator(MISSING, ci=False)
    assert str(skipped.value) == MESSAGE


def test_present_emulator_passes(tmp_path: Path) -> None:
    binary = tmp_path / "cloud-pubsub-emulator"
    binary.write_text("#!/bin/sh\n")
    assert require_emulator(binary, ci=True) is None
    assert EMULATOR.name == "cloud-pubsub-emulator"
