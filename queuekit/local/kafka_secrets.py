"""Passwords of the per-principal Kafka SCRAM users that ``local up`` creates (see ``queuekit.local.passwords``).

    $QUEUEKIT_STATE_DIR/kafka/<host>-<port>.json    (default ~/.local/state/queuekit)

``QUEUEKIT_KAFKA_PASSWORD_<USER>`` overrides a user's password. Only users that do not exist on the cluster
yet get a password: SCRAM stores salted hashes, so re-setting an existing user's password would change the
cluster on every run (``up`` must be idempotent) and could lock out an application that already has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from queuekit.local import passwords
from queuekit.local.passwords import read_passwords

__all__ = ["credentials_file", "env_name", "passwords_for", "read_passwords"]

ENGINE = "kafka"


def env_name(user: str) -> str:
    return passwords.env_name(ENGINE, user)


def credentials_file(host: str, port: int) -> Path:
    return passwords.state_file(ENGINE, f"{host}-{port}")


def passwords_for(users: Iterable[str], path: Path) -> dict[str, tuple[str, str]]:
    """``user → (password, where it came from)``; "where" is safe to print."""
    return passwords.passwords_for(ENGINE, users, path)
