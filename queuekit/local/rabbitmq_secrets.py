"""Passwords of the per-principal RabbitMQ users that ``local up`` creates (see ``queuekit.local.passwords``).

    $QUEUEKIT_STATE_DIR/rabbitmq/<host>-<amqp port>-<vhost>.json    (default ~/.local/state/queuekit)

``QUEUEKIT_RABBITMQ_PASSWORD_<USER>`` overrides a user's password.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from queuekit.local import passwords
from queuekit.local.passwords import read_passwords

__all__ = ["ENV_PREFIX", "credentials_file", "env_name", "passwords_for", "read_passwords"]

ENGINE = "rabbitmq"
ENV_PREFIX = "QUEUEKIT_RABBITMQ_PASSWORD_"


def env_name(user: str) -> str:
    return passwords.env_name(ENGINE, user)


def credentials_file(host: str, amqp_port: int, vhost: str) -> Path:
    return passwords.state_file(ENGINE, f"{host}-{amqp_port}-{vhost}")


def passwords_for(users: Iterable[str], path: Path) -> dict[str, str]:
    """Every user's password: environment first, then the file, else a new one stored in the file."""
    return {user: pw for user, (pw, _where) in passwords.passwords_for(ENGINE, users, path).items()}
