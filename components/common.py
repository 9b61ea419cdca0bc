"""Pieces every backend's components share: tags/labels and logical names.

Tags come from the spec (defaults merged by the loader) plus two of queuekit's own, so that
cost reports and the required-tags policy can find everything a stack created.
"""

from __future__ import annotations

import re

from queuekit.model import Spec

MANAGED_BY = {"managed-by": "queuekit"}


def aws_tags(spec: Spec, tags: dict[str, str]) -> dict[str, str]:
    """AWS tags: the spec's tags plus ``managed-by`` and ``queuekit-project``."""
    return {**tags, **MANAGED_BY, "queuekit-project": spec.project}


_LABEL_BAD = re.compile(r"[^a-z0-9_-]")


def gcp_label(text: str) -> str:
    """GCP label rules: lowercase letters, digits, '_' and '-', at most 63, keys start with a letter."""
    return _LABEL_BAD.sub("_", text.lower())[:63]


def gcp_labels(spec: Spec, tags: dict[str, str]) -> dict[str, str]:
    """Tags normalised to GCP labels (``cost-center: CC 42`` → ``cost-center: cc_42``)."""
    out: dict[str, str] = {}
    for key, value in aws_tags(spec, tags).items():
        label = gcp_label(key)
        if not label[:1].isalpha():
            label = ("k" + label)[:63]
        out[label] = gcp_label(value)
    return out
