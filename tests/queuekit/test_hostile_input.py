"""Hostile and broken files: one clear located error, exit 2, bounded time and memory."""

from __future__ import annotations

import time

import pytest
from factories import errors

from queuekit.cli import main

BOMB = b"\n".join([b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]".encode() for i in range(8)])

CASES = [
    (b"", "(root)", "file is empty: a spec needs at least `version: 1` and `project`"),
    (b"# only a comment\n", "(root)", "file has no YAML document: a spec needs at least `version: 1` and `project`"),
    (b"- a\n- b\n", "(root)", "a spec must be a mapping of keys (version, project, ...), not a list"),
    (b"just text", "(root)", "a spec must be a mapping of keys (version, project, ...), not a single value"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "(root)", "file is binary (contains NUL bytes), not a YAML spec"),
    (b"version: 1\nproject: \xff\xfe\n", "(root)", "file is not UTF-8 text (invalid byte at offset 20)"),
    (b"version: 1\nqueues: [\n", "(root)", "YAML syntax error: expected the node content, but found '<stream end>'"),
    (b"version: 1\nproject: shop\nbudget: {monthly_usd: .inf}\n", "budget.monthly_usd", "'.inf' is not a finite number"),
    (b"version: 1\nproject: shop\nbudget: {monthly_usd: " + b"9" * 5000 + b"}\n", "budget.monthly_usd",
     "number with 5000 digits is too large"),
    (b"version: 1\nproject: shop\nbudget: {monthly_usd: 1e300}\n", "budget.monthly_usd",
     "1e+300 is out of range: must be at most 1e+12"),
    (b"version: 1\nproject: shop\n? [a, b]\n: 1\n", "(root)", "mapping keys must be plain names, not lists or mappings"),
]


@pytest.mark.parametrize(("raw", "path", "message"), CASES, ids=[c[2][:40] for c in CASES])
def test_hostile_input_gives_one_clear_error(raw: bytes, path: str, message: str) -> None:
    [diag] = errors(raw)
    assert (diag.path, diag.message) == (path, message)


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    [diag] = errors(BOMB)
    assert "expands to more than 200000 nodes" in diag.message
    assert time.perf_counter() - start < 10  # generous: the point is "bounded", not fast


def test_oversized_file_is_refused_before_parsing() -> None:
    [diag] = errors(b"version: 1\n" + b"#" * (1024 * 1024))
    assert diag.message == "file is 1048587 bytes; a spec may be at most 1048576 bytes"


def test_cli_exits_2_without_traceback(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BOMB)
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err and out.err.startswith(f"{bad}:1:")


def test_missing_file_is_a_located_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'nope.yaml'}:1:1: error: (root): cannot read file: " \
                                              "No such file or directory"
