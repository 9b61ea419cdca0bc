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


def test_schema_is_valid_draft_2020_12_and_accepts_the_example_as_editors_see_it() -> None:
    """Editors (yaml-language-server) validate the raw YAML with the raw schema: it must accept the example
    and flag a misspelt key, without queuekit's loader in between."""
    import jsonschema
    import yaml

    schema = json.loads((ROOT / "queuekit.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    example = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text())
    assert list(validator.iter_errors(example)) == []
    example["queues"][0]["visibilty_timeout"] = "30s"
    assert [e.validator for e in validator.iter_errors(example)] == ["additionalProperties"]
