"""QK104 aws-tls-only. queuekit always writes the TLS-only Deny, so no spec can break this rule:
the failing case edits the planned queue policy the way a hand-written override would."""

import json

from factories import spec_dict

from tests.policies.harness import both, replace_inputs

RULE = "aws-tls-only"
ALLOW_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/api"}, "Action": "sqs:SendMessage",
     "Resource": "arn:aws:sqs:us-east-1:123456789012:image-resize"}]})


def test_generated_policies_pass() -> None:
    assert both(spec_dict(), RULE) == []


def test_queue_policy_without_tls_deny_fails() -> None:
    assert both(spec_dict(), RULE, mutate=replace_inputs("sqs-image-resize.policy", policy=ALLOW_ONLY)) == [
        "SQS queue 'image-resize' has no queue policy denying requests without TLS (aws:SecureTransport=false)",
    ]


def test_topic_policy_without_tls_deny_fails_unless_sns_excluded() -> None:
    mutate = replace_inputs("sns-orders.policy", policy=ALLOW_ONLY)
    assert both(spec_dict(), RULE, mutate=mutate) == [
        "SNS topic 'orders' has no topic policy denying requests without TLS (aws:SecureTransport=false)",
    ]
    assert both(spec_dict(), RULE, {"includeSns": False}, mutate=mutate) == []
