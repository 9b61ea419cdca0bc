"""Passwords of the per-principal RabbitMQ users that ``local up`` creates — never printed.

Each user's password comes from ``QUEUEKIT_RABBITMQ_PASSWORD_<USER>`` when set (user name upper-
cased, every other character than A-Z/0-9 turned into ``_``: ``order-api`` →
``QUEUEKIT_RABBITMQ_PASSWORD_ORDER_API``), otherwise from a credentials file that ``up`` creates
with mode 0600 in a 0700 directory and reuses on the next run — so ``up`` is idempotent and the
applications (and the access tests) can read the passwords from one place:

    $QUEUEKIT_STATE_DIR/rabbitmq/<host>-<amqp port>-<vhost>.json    (default ~/.local/state/queuekit)

The file maps user → password. It is written atomically (temp file + rename) so a crash never
leaves a half-written secret behind.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

ENV_PREFIX = "QUEUEKIT_RABBITMQ_PASSWORD_"


def env_name(user: str) -> str:
    """The environment variable that overrides ``user``'s password."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", user.upper())


def state_dir() -> Path:
    base = os.environ.get("QUEUEKIT_STATE_DIR")
    return Path(base) if base else Path.home() / ".local" / "state" / "queuekit"


def credentials_file(host: str, amqp_port: int, vhost: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{host}-{amqp_port}-{vhost}")
    return state_dir() / "rabbitmq" / f"{safe}.json"


def read_passwords(path: Path) -> dict[str, str]:
    """The stored user → password map ({} when the file does not exist)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a JSON object of user → password")
    return data


def passwords_for(users: Iterable[str], path: Path) -> dict[str, str]:
    """Every user's password: environment first, then the file, else a new one stored in the file."""
    stored = read_passwords(path)
    result: dict[str, str] = {}
    changed = False
    for user in users:
        from_env = os.environ.get(env_name(user))
        if from_env:
            result[user] = from_env
            continue
        if user not in stored:
            stored[user] = secrets.token_urlsafe(24)
            changed = True
        result[user] = stored[user]
    if changed:
        _write_private(path, stored)
    return result


def _write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
