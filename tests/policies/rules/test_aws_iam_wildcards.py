"""QK103 aws-no-wildcard-access: no `*` action or unscoped `*` principal in AWS policies."""

import json

from factories import changed, spec_dict

from tests.policies.harness import both, replace_inputs

RULE = "aws-no-wildcard-access"


def test_generated_policies_pass() -> None:
    assert both(spec_dict(), RULE) == []


def test_star_producer_fails() -> None:
    assert both(changed("queues.0.producers", ["*"]), RULE) == [
        "SQS QueuePolicy 'sqs-image-resize.policy' statement AllowProducers allows any principal ('*') without a "
        "source condition",
    ]


def test_wildcard_action_in_role_policy_fails() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    mutate = replace_inputs("sqs-image-resize.send.api", policy=json.dumps(policy))
    assert both(spec_dict(), RULE, mutate=mutate) == [
        "IAM RolePolicy 'sqs-image-resize.send.api' statement #0 allows every action ('sqs:*')",
        "IAM policy 'sqs-image-resize.send.api' statement #0 grants '*' on every resource",
    ]


def test_configured_wildcard_is_accepted() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*",
                                                      "Resource": "arn:aws:sqs:us-east-1:123456789012:x"}]}
    mutate = replace_inputs("sqs-image-resize.send.api", policy=json.dumps(policy))
    assert both(spec_dict(), RULE, {"allowedActionWildcards": ["sqs:*"]}, mutate=mutate) == []
