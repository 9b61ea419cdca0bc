"""Passwords of the per-principal Kafka SCRAM users that ``local up`` creates — never printed.

A user's password comes from ``QUEUEKIT_KAFKA_PASSWORD_<USER>`` when set (user upper-cased, every character
other than A-Z/0-9 turned into ``_``: ``order-api`` → ``QUEUEKIT_KAFKA_PASSWORD_ORDER_API``), otherwise from a
credentials file that ``up`` creates with mode 0600 in a 0700 directory and reuses on the next run:

    $QUEUEKIT_STATE_DIR/kafka/<host>-<port>.json    (default ~/.local/state/queuekit)

Only users that do not exist on the cluster yet get a password: SCRAM stores salted hashes, so re-setting an
existing user's password would change the cluster on every run (``up`` must be idempotent) and could lock
out an application that already has it. The file is written atomically (temp file + rename).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

ENV_PREFIX = "QUEUEKIT_KAFKA_PASSWORD_"


def env_name(user: str) -> str:
    """The environment variable that sets ``user``'s password."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", user.upper())


def credentials_file(host: str, port: int) -> Path:
    base = os.environ.get("QUEUEKIT_STATE_DIR")
    root = Path(base) if base else Path.home() / ".local" / "state" / "queuekit"
    return root / "kafka" / (re.sub(r"[^A-Za-z0-9_.-]", "_", f"{host}-{port}") + ".json")


def read_passwords(path: Path) -> dict[str, str]:
    """The stored user → password map ({} when the file does not exist)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a JSON object of user → password")
    return data


def passwords_for(users: Iterable[str], path: Path) -> dict[str, tuple[str, str]]:
    """``user → (password, where it came from)``: the environment first, then the file, else a new one stored
    in the file. "Where" names the variable or the file, never the value, so it is safe to print."""
    stored = read_passwords(path)
    result: dict[str, tuple[str, str]] = {}
    changed = False
    for user in users:
        from_env = os.environ.get(env_name(user))
        if from_env:
            result[user] = (from_env, f"${env_name(user)}")
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
