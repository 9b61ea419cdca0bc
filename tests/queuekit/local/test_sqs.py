"""``local up`` and ``verify`` for sqs against a real moto server (started by the fixtures).

Each test gets an empty moto account (``aws_endpoint`` resets it). The broken-topology tests
break one thing with boto3 after ``up`` and assert the exact failing check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from factories import changed, load, messages, to_yaml

from queuekit.cli import main
from queuekit.local import sqs as local_sqs
from queuekit.local.base import Check
from queuekit.model import Encryption
from queuekit.spec import load as load_path

ROOT = Path(__file__).resolve().parents[3]
FANOUT = ROOT / "tests/components/specs/sqs-fanout.yaml"
EXAMPLE = ROOT / "stacks/example.yaml"
pytestmark = pytest.mark.broker


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto answers at once: short polls keep the suite fast (the CLI test keeps the default)."""
    monkeypatch.setattr(local_sqs, "RECEIVE_WAIT_SECONDS", 0)


def client(service: str, endpoint: str, region: str = "us-east-1") -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=region)


def failures(checks: list[Check]) -> list[tuple[str, str]]:
    return [(c.target, c.name) for c in checks if not c.ok]


def check(checks: list[Check], target: str, name: str) -> Check:
    return next(c for c in checks if (c.target, c.name) == (target, name))


def set_keeping_policy(sqs: Any, name: str, attributes: dict[str, str]) -> None:
    """SetQueueAttributes as AWS does it: moto drops a queue's Policy unless the call repeats it."""
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={**attributes, "Policy": policy})


def verify_changed(endpoint: str, *changes: tuple[str, str, dict[str, str]]) -> list[Check]:
    """``up`` the fan-out spec, change (region, queue, attributes) as an operator might, then ``verify``."""
    spec = load_path(FANOUT)
    local_sqs.up(spec, endpoint)
    for region, name, attributes in changes:
        set_keeping_policy(client("sqs", endpoint, region), name, attributes)
    return local_sqs.verify(spec, endpoint, timeout=3)


def test_up_then_verify_passes(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    lines = local_sqs.up(spec, aws_endpoint)
    assert "created queue image-resize-dlq (DLQ of image-resize)" in lines
    assert "created subscription orders -> orders-shipping with filter policy" in lines
    checks = local_sqs.verify(spec, aws_endpoint, timeout=5)
    assert failures(checks) == []
    assert check(checks, "payments.fifo", "probe dead-letters").detail == (
        "received 5 times, then found in payments-dlq.fifo and deleted")
    assert check(checks, "exports", "probe dead-letters").detail == "received 3 times, then found in parking and deleted"
    assert check(checks, "parking", "probe round trip").ok
    assert check(checks, "orders -> orders-shipping", "fan-out").detail == "published probe arrived, filter matched"
    # Probes are cleaned up: nothing is left in any queue.
    sqs = client("sqs", aws_endpoint)
    for url in sqs.list_queues()["QueueUrls"]:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                      "ApproximateNumberOfMessagesNotVisible"])
        assert attrs["Attributes"] == {"ApproximateNumberOfMessages": "0",
                                       "ApproximateNumberOfMessagesNotVisible": "0"}, url


def test_up_is_idempotent(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    local_sqs.up(spec, aws_endpoint)
    again = local_sqs.up(spec, aws_endpoint)
    assert "updated queue image-resize" in again
    assert "found KMS key alias/queuekit/shop-prod/payments for queue payments.fifo" in again
    assert "updated subscription orders -> orders-billing (raw)" in again
    assert len(client("sqs", aws_endpoint).list_queues()["QueueUrls"]) == 8
    assert len(client("sqs", aws_endpoint, "eu-west-1").list_queues()["QueueUrls"]) == 2  # exports, parking
    assert len(client("sns", aws_endpoint).list_subscriptions()["Subscriptions"]) == 2
    assert failures(local_sqs.verify(spec, aws_endpoint, timeout=5)) == []


def test_up_sets_the_documented_attributes(aws_endpoint: str) -> None:
    local_sqs.up(load_path(FANOUT), aws_endpoint)
    sqs = client("sqs", aws_endpoint)
    url = sqs.get_queue_url(QueueName="payments.fifo")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert {k: attrs[k] for k in ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
                                  "FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds")} == {
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId", "KmsDataKeyReusePeriodSeconds": "300"}
    assert json.loads(attrs["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:payments-dlq.fifo", "maxReceiveCount": 5}
    key = client("kms", aws_endpoint).describe_key(KeyId=attrs["KmsMasterKeyId"])["KeyMetadata"]
    assert key["Arn"] == attrs["KmsMasterKeyId"]
    dlq = sqs.get_queue_url(QueueName="image-resize-dlq")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["MessageRetentionPeriod"])["Attributes"] == {
        "MessageRetentionPeriod": "1209600"}


def test_example_spec_up_and_verify(aws_endpoint: str) -> None:
    spec = load_path(EXAMPLE)
    local_sqs.up(spec, aws_endpoint)
    checks = local_sqs.verify(spec, aws_endpoint, timeout=5)
    assert failures(checks) == []
    assert {c.target for c in checks if c.name == "probe dead-letters"} == {
        "image-resize", "payments.fifo", "orders-billing", "orders-shipping"}


def test_deleted_dlq_fails(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    local_sqs.up(spec, aws_endpoint)
    sqs = client("sqs", aws_endpoint)
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="image-resize-dlq")["QueueUrl"])
    checks = local_sqs.verify(spec, aws_endpoint, timeout=3)
    assert failures(checks) == [("image-resize", "dead-letter queue")]
    assert check(checks, "image-resize", "dead-letter queue").detail == "image-resize-dlq not found"


def test_removed_redrive_policy_fails(aws_endpoint: str) -> None:
    checks = verify_changed(aws_endpoint, ("us-east-1", "orders-billing", {"RedrivePolicy": ""}))
    assert failures(checks) == [("orders-billing", "redrive policy")]
    assert check(checks, "orders-billing", "redrive policy").detail == (
        "none: failed messages are retried until retention expires, never moved to orders-billing-dlq")


def test_wrong_queue_policy_fails(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    local_sqs.up(spec, aws_endpoint)
    sqs = client("sqs", aws_endpoint)
    url = sqs.get_queue_url(QueueName="orders-shipping")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:123456789012:orders-shipping"
    # Any topic may now write into the queue: the aws:SourceArn condition is gone.
    wide_open = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": arn}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(wide_open)})
    checks = local_sqs.verify(spec, aws_endpoint, timeout=3)
    assert failures(checks) == [("orders-shipping", "queue policy")]
    assert check(checks, "orders-shipping", "queue policy").detail.startswith("differs from the spec: expected ")


def test_encryption_checks_pass_with_what_up_created(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    local_sqs.up(spec, aws_endpoint)
    checks = local_sqs.verify(spec, aws_endpoint, timeout=3)
    assert check(checks, "image-resize", "encryption").detail == "SSE-SQS"
    assert check(checks, "image-resize-dlq", "encryption").detail == "SSE-SQS"
    assert check(checks, "exports", "encryption").detail == "KMS key alias/exports"
    key = client("kms", aws_endpoint).describe_key(KeyId="alias/queuekit/shop-prod/payments")["KeyMetadata"]["Arn"]
    assert check(checks, "payments-dlq.fifo", "encryption").detail == f"KMS key {key}"


def test_encryption_turned_off_fails(aws_endpoint: str) -> None:
    checks = verify_changed(aws_endpoint, ("us-east-1", "image-resize", {"SqsManagedSseEnabled": "false"}))
    assert failures(checks) == [("image-resize", "encryption")]
    assert check(checks, "image-resize", "encryption").detail == "expected SSE-SQS, found none"


def test_wrong_kms_key_or_reuse_period_fails(aws_endpoint: str) -> None:
    checks = verify_changed(aws_endpoint, ("eu-west-1", "exports", {"KmsMasterKeyId": "alias/other"}),
                            ("us-east-1", "payments.fifo", {"KmsDataKeyReusePeriodSeconds": "60"}))
    assert failures(checks) == [("payments.fifo", "encryption"), ("exports", "encryption")]
    assert check(checks, "exports", "encryption").detail == "expected KMS key alias/exports, found KMS key alias/other"
    assert check(checks, "payments.fifo", "encryption").detail == "KmsDataKeyReusePeriodSeconds='60' (spec: 300)"


def test_unsubscribed_queue_fails(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    local_sqs.up(spec, aws_endpoint)
    sns = client("sns", aws_endpoint)
    sub = next(s for s in sns.list_subscriptions()["Subscriptions"] if s["Endpoint"].endswith(":orders-billing"))
    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    checks = local_sqs.verify(spec, aws_endpoint, timeout=3)
    assert failures(checks) == [("orders -> orders-billing", "subscription")]


def test_changed_filter_policy_fails_and_the_probe_is_filtered_out(aws_endpoint: str) -> None:
    spec = load_path(FANOUT)
    local_sqs.up(spec, aws_endpoint)
    sns = client("sns", aws_endpoint)
    sub = next(s for s in sns.list_subscriptions()["Subscriptions"] if s["Endpoint"].endswith(":orders-shipping"))
    sns.set_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"], AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"region": ["apac"]}))
    checks = local_sqs.verify(spec, aws_endpoint, timeout=2)
    assert failures(checks) == [("orders -> orders-shipping", "subscription"),
                                ("orders -> orders-shipping", "fan-out")]
    assert check(checks, "orders -> orders-shipping", "fan-out").detail == (
        "published probe did not arrive within 2s")


def test_missing_topic_and_queue_fail(aws_endpoint: str) -> None:
    checks = local_sqs.verify(load_path(FANOUT), aws_endpoint, timeout=1)
    assert failures(checks) == [("image-resize", "exists"), ("payments.fifo", "exists"), ("exports", "exists"),
                                ("parking", "exists"), ("orders", "exists")]


def test_probe_that_never_dead_letters_fails(aws_endpoint: str) -> None:
    """The probe loop itself: a redrive limit higher than the spec's is caught by counting receives."""
    sqs = client("sqs", aws_endpoint)
    dlq = sqs.create_queue(QueueName="q-dlq")["QueueUrl"]
    url = sqs.create_queue(QueueName="q", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:q-dlq", "maxReceiveCount": 50})})["QueueUrl"]
    q = local_sqs.LocalQueue("q", "us-east-1", False, False, False, 30, None, 0, 1024, Encryption(), "q",
                             max_receives=2, dlq_retention=60, dlq_target=None)
    result = local_sqs._dead_letter_probe(local_sqs.Aws(aws_endpoint), q, url, dlq, local_sqs._Probe("t0k"), 5)
    assert result == Check("q", "probe dead-letters", False,
                           "received 6 times with max_receives 2 and never moved to q-dlq: the redrive policy "
                           "does not work; probe deleted")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0"}


def test_cli_end_to_end(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(local_sqs, "RECEIVE_WAIT_SECONDS", 1)  # the shipped setting
    assert main(["local", "up", str(FANOUT), "--aws-endpoint", aws_endpoint]) == 0
    assert "[sqs] created queue payments.fifo" in capsys.readouterr().out
    assert main(["verify", str(FANOUT), "--aws-endpoint", aws_endpoint]) == 0
    out = capsys.readouterr().out
    assert "[sqs] ok   image-resize: probe dead-letters (received 5 times, then found in image-resize-dlq and deleted)" in out
    assert out.rstrip().endswith("59 passed, 0 failed")  # 6 queues and 4 generated DLQs
    monkeypatch.setattr(local_sqs, "RECEIVE_WAIT_SECONDS", 0)
    sqs = client("sqs", aws_endpoint)
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="payments-dlq.fifo")["QueueUrl"])
    assert main(["verify", str(FANOUT), "--aws-endpoint", aws_endpoint, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(c["target"], c["check"], c["detail"]) for c in report["checks"] if not c["ok"]] == [
        ("payments.fifo", "dead-letter queue", "payments-dlq.fifo not found")]


def test_moto_accepts_a_visibility_timeout_that_validate_rejects(aws_endpoint: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sqs = client("sqs", aws_endpoint)
    url = sqs.create_queue(QueueName="lenient", Attributes={"VisibilityTimeout": "99999"})["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "99999"}  # AWS rejects anything above 43,200 s (12 h)
    from aws_factory import SQS_BASE

    bad = changed("queues.0.visibility_timeout", "99999s", SQS_BASE)
    assert messages(bad) == {("queues[0].visibility_timeout",
                              "visibility_timeout 99999s is out of range for sqs: must be 0s to 12h")}
    path = tmp_path / "bad.yaml"
    path.write_bytes(to_yaml(bad))
    assert main(["validate", str(path)]) != 0
    assert "visibility_timeout 99999s is out of range for sqs: must be 0s to 12h" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Filter policies → probe attributes (pure)


@pytest.mark.parametrize(("policy", "expected"), [
    (None, {}),
    ({"region": ["eu", "us"]}, {"region": {"DataType": "String", "StringValue": "eu"}}),
    ({"size": [5]}, {"size": {"DataType": "Number", "StringValue": "5"}}),
    ({"region": [{"prefix": "eu-"}]}, {"region": {"DataType": "String", "StringValue": "eu-probe"}}),
    ({"region": [{"anything-but": ["us"]}]}, {"region": {"DataType": "String", "StringValue": "queuekit-probe-value"}}),
    ({"price": [{"numeric": [">", 10, "<=", 20]}]}, {"price": {"DataType": "Number", "StringValue": "11.0"}}),
    ({"flag": [{"exists": False}]}, {}),
    ({"a": ["x"], "$or": [{"b": [{"cidr": "10.0.0.0/8"}]}, {"c": ["y"]}]},
     {"a": {"DataType": "String", "StringValue": "x"}, "c": {"DataType": "String", "StringValue": "y"}}),
])
def test_matching_attributes(policy: dict[str, Any] | None, expected: dict[str, Any]) -> None:
    assert local_sqs.matching_attributes(policy) == (expected, "")


@pytest.mark.parametrize(("policy", "reason"), [
    ({"order": {"region": ["eu"]}}, "the filter on 'order' is nested (a message-body filter); probes set attributes only"),
    ({"ip": [{"cidr": "10.0.0.0/8"}]}, 'cannot build a value matching the filter on \'ip\': [{"cidr": "10.0.0.0/8"}]'),
    ({"n": [{"numeric": [">", 5, "<", 5]}]}, 'cannot build a value matching the filter on \'n\': [{"numeric": [">", 5, "<", 5]}]'),
])
def test_unmatchable_filters_are_skipped_with_a_reason(policy: dict[str, Any], reason: str) -> None:
    assert local_sqs.matching_attributes(policy) == (None, reason)


def test_unmatchable_filter_is_reported_as_skipped(aws_endpoint: str) -> None:
    # moto rejects cidr filters and nested ones; a boolean filter it accepts, and no attribute can match it.
    d = load(changed("topics.0.subscriptions.1.filter", {"flag": [True]}, _fanout_dict()))
    local_sqs.up(d, aws_endpoint)
    checks = local_sqs.verify(d, aws_endpoint, timeout=3)
    assert failures(checks) == []
    assert check(checks, "orders -> orders-shipping", "fan-out").detail == (
        "skipped: the filter on 'flag' matches a boolean; probes carry only String and Number attributes")


def test_filter_with_prefix_anything_but_and_numeric_passes_validate_up_and_verify(aws_endpoint: str) -> None:
    """The SNS filter validator is not stricter than SNS: moto applies and matches these documented forms."""
    policy = {"region": [{"prefix": "eu-"}], "tier": [{"anything-but": ["free", "trial"]}],
              "plan": [{"anything-but": {"prefix": "legacy-"}}], "price": [{"numeric": [">", 0, "<=", 100]}],
              "items": [{"numeric": ["=", 3]}, {"numeric": [">=", 10]}]}
    d = load(changed("topics.0.subscriptions.1.filter", policy, _fanout_dict()))
    lines = local_sqs.up(d, aws_endpoint)
    assert "created subscription orders -> orders-shipping with filter policy" in lines
    checks = local_sqs.verify(d, aws_endpoint, timeout=3)
    assert failures(checks) == []
    assert check(checks, "orders -> orders-shipping", "fan-out").detail == "published probe arrived, filter matched"


def _fanout_dict() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(FANOUT.read_text())


def test_unreachable_endpoint_is_a_user_error_for_verify_too(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    endpoint = _closed_port_url()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert main(["verify", str(FANOUT), "--aws-endpoint", endpoint]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f'queuekit verify: [sqs] {endpoint}: EndpointConnectionError: Could not connect to '
                            f'the endpoint URL: "{endpoint}/"\n')


def _closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again before use: nothing listens


def test_local_up_on_an_unreachable_endpoint_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    endpoint = _closed_port_url()
    assert main(["local", "up", str(FANOUT), "--aws-endpoint", endpoint]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f'queuekit local up: [sqs] {endpoint}: EndpointConnectionError: Could not connect to '
                            f'the endpoint URL: "{endpoint}/"\n')


@pytest.mark.parametrize("command", ["local up", "verify"])
def test_an_endpoint_that_is_not_a_url_is_one_line_and_exit_2(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command.split(), str(FANOUT), "--aws-endpoint", "localhost:5000"]) == 2
    assert capsys.readouterr().err == (
        f"queuekit {command}: [sqs] --aws-endpoint must be an http(s) URL such as http://127.0.0.1:5000 (moto "
        "server) or http://localhost:4566 (LocalStack); got 'localhost:5000'\n")
