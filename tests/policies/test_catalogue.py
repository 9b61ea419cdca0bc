"""The README's rule catalogue is exactly what the metadata generates."""

from pathlib import Path

from policies.catalogue import markdown
from policies.rules import RULES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_catalogue_has_one_row_per_rule() -> None:
    rows = markdown().splitlines()[2:]
    assert len(rows) == len(RULES)
    assert rows[0].startswith("| QK101 | `sqs-encryption-at-rest` | high | mandatory |")
    assert "`CKV_AWS_27`, `SQS.1`" in rows[0]


def test_readme_holds_the_generated_catalogue() -> None:
    text = README.read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    assert start in text and end in text, "README.md lacks the rules markers"
    between = text.split(start, 1)[1].split(end, 1)[0]
    assert between == markdown(), "README catalogue is stale: paste `python -m policies.catalogue` between markers"
