"""CrossGuard entry point: ``pulumi preview --policy-pack policies``.

Constructing the ``PolicyPack`` starts the analyzer's gRPC server and blocks, which is why it
happens here and nowhere else (tests use ``policies.crossguard.policies()`` directly).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo: queuekit, policies, cost

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.crossguard import policies

PolicyPack(
    name="queuekit",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
    description="queuekit's queue rules: encryption, dead-lettering, alarms, IAM hygiene, broker durability, "
                "tags, budget",
)
