"""The README's rule catalogue, generated from rule metadata (``python -m policies.catalogue``).

A test asserts README.md holds exactly this text between ``<!-- rules:start -->`` and
``<!-- rules:end -->``, so the documentation cannot drift from the rules.
"""

from __future__ import annotations

from policies.rules import RULES


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    lines = ["| id | name | severity | default | what | anchors |", "|---|---|---|---|---|---|"]
    for r in RULES:
        anchors = ", ".join(f"`{a}`" for a in r.anchors) or "—"
        lines.append(f"| {r.id} | `{r.name}` | {r.severity} | {r.enforcement} | {_cell(r.title)} | {anchors} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
