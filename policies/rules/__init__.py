"""Every rule of the pack, in catalogue order (by id). Adding a rule = one module + one line here."""

from __future__ import annotations

from policies.rule import Rule
from policies.rules import (
    alarms,
    aws_iam_wildcards,
    aws_tls_only,
    broker_network,
    budget,
    dead_letter,
    kafka_durability,
    pubsub_cmek,
    pubsub_dlq_subscribed,
    pubsub_expiration,
    pubsub_public_iam,
    pubsub_push,
    rabbitmq_queues,
    replacement,
    required_tags,
    sns_encryption,
    sqs_encryption,
)

RULES: tuple[Rule, ...] = tuple(sorted((
    sqs_encryption.RULE, sns_encryption.RULE, aws_iam_wildcards.RULE, aws_tls_only.RULE,
    pubsub_dlq_subscribed.RULE, pubsub_cmek.RULE, pubsub_public_iam.RULE, pubsub_expiration.RULE, pubsub_push.RULE,
    *broker_network.RULES, *kafka_durability.RULES, *rabbitmq_queues.RULES,
    *dead_letter.RULES, *alarms.RULES, required_tags.RULE, budget.RULE, replacement.RULE,
), key=lambda r: r.id))

BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
