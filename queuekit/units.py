"""Durations and sizes as people write them (``90s``, ``1h30m``, ``256KiB``, ``1MB``).

Units are mandatory: a bare ``60`` could mean seconds or minutes, bytes or KiB, and a wrong
guess silently changes a retention or a message limit. ``KB``/``MB`` are powers of 1000 and
``KiB``/``MiB`` powers of 1024, as the providers' documentation uses them.
"""

from __future__ import annotations

import re

DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SIZE_UNITS = {
    "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
    "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4,
}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)")
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")
MAX_DIGITS = 15  # larger numbers are typos or attacks, never real durations or sizes


class UnitError(ValueError):
    """A value that is not a duration/size; the message says what would be."""


def parse_duration(text: object) -> int:
    """Whole seconds in ``text`` (``"1h30m"`` → 5400). Fractions of a second round up."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise UnitError(f"{text!r} is not a duration: write a number with a unit (s, m, h, d, w), e.g. '90s'")
    s = text.strip()
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(s):
        if match.start() != pos or len(match.group(1)) > MAX_DIGITS:
            break
        total += float(match.group(1)) * DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(s) or not s:
        raise UnitError(f"{text!r} is not a duration: use a number and a unit ms, s, m, h, d or w (e.g. 90s, 15m, 4d)")
    whole = int(total)
    return whole if whole == total else whole + 1


def parse_size(text: object) -> int:
    """Bytes in ``text`` (``"2KiB"`` → 2048, ``"1MB"`` → 1,000,000)."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise UnitError(f"{text!r} is not a size: write a number with a unit (B, KB, KiB, MB, MiB, ...), e.g. '256KiB'")
    match = _SIZE.fullmatch(text.strip())
    if not match or len(match.group(1)) > MAX_DIGITS:
        raise UnitError(f"{text!r} is not a size: use a number and a unit B, KB, MB, GB, TB, KiB, MiB, GiB or TiB")
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2)])


def format_duration(seconds: int) -> str:
    """The shortest exact spelling: 1209600 → '14d', 90 → '90s'."""
    for unit in ("d", "h", "m"):
        size = DURATION_UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // int(size)}{unit}"
    return f"{seconds}s"


def format_size(n: int) -> str:
    for unit in ("TiB", "GiB", "MiB", "KiB", "TB", "GB", "MB", "KB"):
        if n and n % SIZE_UNITS[unit] == 0:
            return f"{n // SIZE_UNITS[unit]}{unit}"
    return f"{n}B"
