"""The private password store behind ``local up`` for broker users (RabbitMQ and Kafka) — never printed.

A user's password comes from ``QUEUEKIT_<ENGINE>_PASSWORD_<USER>`` when set (user upper-cased, every
character other than A-Z/0-9 turned into ``_``: ``order-api`` → ``QUEUEKIT_KAFKA_PASSWORD_ORDER_API``),
otherwise from a credentials file that ``up`` creates with mode 0600 in a 0700 directory under
``$QUEUEKIT_STATE_DIR/<engine>/`` (default ``~/.local/state/queuekit``) and reuses on the next run — so ``up``
is idempotent and applications (and the access tests) read the passwords from one place. The file maps
user → password and is written atomically (temp file + rename): a crash never leaves half a secret behind.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path


def env_name(engine: str, user: str) -> str:
    """The environment variable that sets ``user``'s password on ``engine``."""
    return f"QUEUEKIT_{engine.upper()}_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", user.upper())


def state_dir() -> Path:
    base = os.environ.get("QUEUEKIT_STATE_DIR")
    return Path(base) if base else Path.home() / ".local" / "state" / "queuekit"


def state_file(engine: str, key: str) -> Path:
    """``<state dir>/<engine>/<key>.json`` with ``key`` made safe for a file name."""
    return state_dir() / engine / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".json")


def read_passwords(path: Path) -> dict[str, str]:
    """The stored user → password map ({} when the file does not exist)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a JSON object of user → password")
    return data


def passwords_for(engine: str, users: Iterable[str], path: Path) -> dict[str, tuple[str, str]]:
    """``user → (password, where it came from)``: the environment first, then the file, else a new one stored
    in the file. "Where" names the variable or the file, never the value, so it is safe to print."""
    stored = read_passwords(path)
    result: dict[str, tuple[str, str]] = {}
    changed = False
    for user in users:
        from_env = os.environ.get(env_name(engine, user))
        if from_env:
            result[user] = (from_env, f"${env_name(engine, user)}")
            continue
        if user not in stored:
            stored[user] = secrets.token_urlsafe(24)
            changed = True
        result[user] = (stored[user], str(path))
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
