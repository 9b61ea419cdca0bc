"""The AWS documents shared by the components and the boto3 runner: names, identities, comparison."""

from __future__ import annotations

import pytest

from queuekit import aws_documents as docs


@pytest.mark.parametrize(("principal", "expected"), [
    ("arn:aws:iam::123456789012:role/api", ("role", "api")),
    ("arn:aws:iam::123456789012:role/service/team/api", ("role", "api")),
    ("arn:aws:iam::123456789012:user/deploy", ("user", "deploy")),
    ("arn:aws-us-gov:iam::123456789012:role/api", ("role", "api")),
    ("arn:aws:iam::123456789012:root", None),
    ("*", None),
])
def test_identity_of(principal: str, expected: tuple[str, str] | None) -> None:
    assert docs.identity_of(principal) == expected


def test_account_of() -> None:
    assert docs.account_of("arn:aws:iam::210987654321:role/partner") == "210987654321"
    assert docs.account_of("arn:aws:iam::210987654321:root") == "210987654321"
    assert docs.account_of("*") is None


def test_physical_name() -> None:
    assert (docs.physical_name("jobs", False), docs.physical_name("jobs", True)) == ("jobs", "jobs.fifo")


def test_normalized_ignores_what_aws_rewrites() -> None:
    written = {"Statement": [{"Principal": {"AWS": ["arn:a"]}, "Action": ["sqs:B", "sqs:A"]}],
               "maxReceiveCount": 5}
    returned = {"maxReceiveCount": "5", "Statement": {"Action": ["sqs:A", "sqs:B"], "Principal": {"AWS": "arn:a"}}}
    assert docs.normalized(written) == docs.normalized(returned)
    assert docs.normalized({"Action": ["sqs:A"]}) != docs.normalized({"Action": ["sqs:A", "sqs:B"]})


def test_queue_policy_without_principals_only_denies_plain_http() -> None:
    assert docs.queue_policy("arn:q", [], []) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "arn:q",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def test_identity_policy_without_a_key_has_one_statement() -> None:
    assert docs.identity_policy(("sns:Publish",), "arn:t", kms_actions=("kms:Decrypt",)) == {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:t"}]}
