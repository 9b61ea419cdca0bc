"""SnsTopic: fan-out to full SQS queues, the topic-only queue policy and the KMS grant SNS needs."""

from __future__ import annotations

import json

import pytest
from aws_factory import ACCOUNT, API, BILLING, SQS_BASE, TAGS, doc, inputs, of_type, plan, sqs_arn
from factories import changed

ENGINES = ["mock", "fast"]
T = "sns-orders"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
SHIPPING = f"arn:aws:iam::{ACCOUNT}:role/shipping"


def topic_only(**fields: object) -> dict:
    d = changed("queues", [], SQS_BASE)
    d["topics"][0].update(fields)
    return d


@pytest.mark.parametrize("engine", ENGINES)
def test_topic_inputs_with_the_aws_managed_key(engine: str) -> None:
    items = plan(topic_only(), engine)
    assert inputs(items, f"{T}.topic") == {"name": "orders", "kmsMasterKeyId": "alias/aws/sns", "tags": TAGS,
                                          "region": "us-east-1"}
    assert items[T].type == "queuekit:aws:Topic"
    assert items["sqs-orders-billing"].parent == items[T].urn
    # Subscription queues with the managed setting use SSE-SQS, which SNS can write without grants.
    assert inputs(items, "sqs-orders-billing.queue")["sqsManagedSseEnabled"] is True


@pytest.mark.parametrize("engine", ENGINES)
def test_subscriptions_deliver_raw_with_the_filter_policy(engine: str) -> None:
    items = plan(topic_only(), engine)
    assert inputs(items, f"{T}.subscription.billing") == {
        "topic": TOPIC_ARN, "protocol": "sqs", "endpoint": sqs_arn("orders-billing"),
        "rawMessageDelivery": True, "region": "us-east-1"}
    shipping = inputs(items, f"{T}.subscription.shipping")
    assert shipping["endpoint"] == sqs_arn("orders-shipping")
    assert json.loads(shipping["filterPolicy"]) == {"region": ["eu"]}


def test_raw_delivery_can_be_turned_off() -> None:
    d = topic_only()
    d["topics"][0]["subscriptions"][0]["raw_delivery"] = False
    assert inputs(plan(d), f"{T}.subscription.billing")["rawMessageDelivery"] is False


@pytest.mark.parametrize("engine", ENGINES)
def test_subscription_queue_policy_allows_only_this_topic(engine: str) -> None:
    items = plan(topic_only(), engine)
    arn = sqs_arn("orders-shipping")
    assert doc(items, "sqs-orders-shipping.policy") == {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": arn,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AllowTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC_ARN}}},
    ]}
    billing = doc(items, "sqs-orders-billing.policy")["Statement"]
    assert [s["Sid"] for s in billing] == ["DenyInsecureTransport", "AllowConsumers", "AllowTopic"]
    assert billing[1]["Principal"] == {"AWS": [BILLING]}


def test_subscription_queues_are_full_queues() -> None:
    items = plan(topic_only())
    assert inputs(items, "sqs-orders-billing.dlq")["name"] == "orders-billing-dlq"
    assert doc(items, "sqs-orders-billing.queue", "redrivePolicy") == {
        "deadLetterTargetArn": sqs_arn("orders-billing-dlq"), "maxReceiveCount": 5}
    assert sorted(n.rsplit(".", 1)[1] for n in items if n.startswith("sqs-orders-billing.alarm.")) == [
        "backlog", "dlq-messages", "oldest-message-age"]


@pytest.mark.parametrize("engine", ENGINES)
def test_topic_policy_and_publisher_iam(engine: str) -> None:
    items = plan(topic_only(), engine)
    assert doc(items, f"{T}.policy") == {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
         "Resource": TOPIC_ARN, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AllowProducers", "Effect": "Allow", "Principal": {"AWS": [API]}, "Action": ["sns:Publish"],
         "Resource": TOPIC_ARN}]}
    assert inputs(items, f"{T}.policy")["arn"] == TOPIC_ARN
    publish = inputs(items, f"{T}.publish.api")
    assert (publish["role"], publish["name"]) == ("api", "shop-prod-orders-publish")
    assert json.loads(publish["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": TOPIC_ARN}]}


@pytest.mark.parametrize("engine", ENGINES)
def test_created_key_lets_sns_encrypt_into_the_subscription_queues(engine: str) -> None:
    d = topic_only(encryption={"kms_key": "create"})
    d["topics"][0]["subscriptions"][1]["consumers"] = [SHIPPING]
    items = plan(d, engine)
    keys = of_type(items, "aws:kms/key:Key")
    assert [k.name for k in keys] == [f"{T}.key"]  # one key for the topic and all its queues
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mock-key-{T}.key"
    assert json.loads(keys[0].inputs["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "ProducersEncrypt", "Effect": "Allow", "Principal": {"AWS": [API]},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}},
        {"Sid": "ConsumersDecrypt", "Effect": "Allow", "Principal": {"AWS": [BILLING, SHIPPING]},
         "Action": ["kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}},
        {"Sid": "SnsFanOut", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC_ARN}}},
    ]}
    assert inputs(items, f"{T}.topic")["kmsMasterKeyId"] == key_arn
    for q in ("sqs-orders-billing.queue", "sqs-orders-billing.dlq", "sqs-orders-shipping.queue"):
        assert inputs(items, q)["kmsMasterKeyId"] == key_arn
    assert json.loads(inputs(items, f"{T}.publish.api")["policy"])["Statement"][1] == {
        "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key_arn}
    assert json.loads(inputs(items, "sqs-orders-billing.receive.billing")["policy"])["Statement"][1] == {
        "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn}


def test_fifo_topic_and_queues() -> None:
    items = plan(topic_only(fifo=True))
    topic = inputs(items, f"{T}.topic")
    assert (topic["name"], topic["fifoTopic"]) == ("orders.fifo", True)
    q = inputs(items, "sqs-orders-billing.queue")
    assert (q["name"], q["fifoQueue"], q["contentBasedDeduplication"]) == ("orders-billing.fifo", True, True)
    assert inputs(items, "sqs-orders-billing.dlq")["name"] == "orders-billing-dlq.fifo"
    assert inputs(items, f"{T}.subscription.billing")["topic"] == f"{TOPIC_ARN}.fifo"


def test_unencrypted_topic() -> None:
    items = plan(topic_only(encryption="none"))
    assert "kmsMasterKeyId" not in inputs(items, f"{T}.topic")
    assert inputs(items, "sqs-orders-billing.queue")["sqsManagedSseEnabled"] is False


def test_subscription_dead_letters_into_a_declared_queue() -> None:
    d = topic_only()
    d["queues"] = [{"name": "parking", "backend": "sqs", "dead_letter": "none"}]
    d["topics"][0]["subscriptions"][0]["dead_letter"] = {"target": "parking"}
    items = plan(d)
    assert "sqs-orders-billing.dlq" not in items
    assert doc(items, "sqs-orders-billing.queue", "redrivePolicy")["deadLetterTargetArn"] == sqs_arn("parking")
    assert doc(items, "sqs-parking.redrive-allow", "redriveAllowPolicy") == {
        "redrivePermission": "byQueue", "sourceQueueArns": [sqs_arn("orders-billing")]}
