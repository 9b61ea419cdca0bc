"""Generated documents in the repo are exactly what their generators produce."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

from queuekit.reference import markdown

ROOT = Path(__file__).resolve().parents[2]


def test_readme_spec_reference_is_current() -> None:
    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- spec-reference:start -->\n") + len("<!-- spec-reference:start -->\n")
    end = text.index("<!-- spec-reference:end -->")
    assert text[start:end] == markdown()


def test_committed_schema_is_what_the_generator_writes() -> None:
    generated = runpy.run_path(str(ROOT / "tools" / "gen_schema.py"), run_name="not_main")["SCHEMA"]
    assert json.loads((ROOT / "queuekit.schema.json").read_text()) == generated


def test_example_spec_points_editors_at_the_schema() -> None:
    first = (ROOT / "stacks" / "example.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../queuekit.schema.json"
    assert (ROOT / "stacks" / "../queuekit.schema.json").resolve().exists()
