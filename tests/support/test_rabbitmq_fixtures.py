"""The RabbitMQ fixtures' contract: without rabbitmq-server they FAIL under CI=true and skip elsewhere."""

from __future__ import annotations

import pytest

from support import rabbitmq_fixtures
from support.rabbitmq_fixtures import require_rabbitmq

MESSAGE = "rabbitmq-server is not installed (run .ci/install-rabbitmq.sh)"


def test_missing_server_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rabbitmq_fixtures, "installed", lambda: False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        require_rabbitmq()
    assert str(failed.value) == MESSAGE


def test_missing_server_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rabbitmq_fixtures, "installed", lambda: False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_rabbitmq()
    assert str(skipped.value) == MESSAGE


def test_installed_server_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rabbitmq_fixtures, "installed", lambda: True)
    monkeypatch.setenv("CI", "true")
    assert require_rabbitmq() is None
