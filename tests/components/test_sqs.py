"""SqsQueue: the exact inputs `pulumi up` would send, under Pulumi's mocks and the fast plan."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from aws_factory import (
    ACCOUNT,
    API,
    SQS_BASE,
    TAGS,
    WORKER,
    doc,
    inputs,
    of_type,
    plan,
    sqs_arn,
    sqs_url,
)
from factories import changed, load

from components.mocks import QueuekitMocks
from components.program import stack_blueprint
from components.sqs import SqsQueue, SqsQueueArgs, ordered_queues

ENGINES = ["mock", "fast"]
Q = "sqs-image-resize"
SEND_DOC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": sqs_arn("image-resize")}]}
RECEIVE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                   "sqs:GetQueueAttributes"]


def tls_deny(arn: str) -> dict[str, Any]:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def queue_only(**fields: Any) -> dict[str, Any]:
    """The base spec with the image-resize queue's fields changed (no topic)."""
    d = changed("topics", [], SQS_BASE)
    d["queues"][0].update(fields)
    return d


@pytest.mark.parametrize("engine", ENGINES)
def test_standard_queue_inputs(engine: str) -> None:
    items = plan(queue_only(), engine)
    assert inputs(items, f"{Q}.queue") == {
        "name": "image-resize", "region": "us-east-1", "visibilityTimeoutSeconds": 60.0,
        "messageRetentionSeconds": 345600.0, "delaySeconds": 0.0, "maxMessageSize": 1048576.0,
        "sqsManagedSseEnabled": True, "tags": TAGS,
        "redrivePolicy": json.dumps({"deadLetterTargetArn": sqs_arn("image-resize-dlq"), "maxReceiveCount": 5}),
    }
    assert items[f"{Q}.queue"].parent == items[Q].urn
    assert items[Q].type == "queuekit:aws:Queue"


@pytest.mark.parametrize("engine", ENGINES)
def test_dlq_has_longer_retention_and_allows_only_its_source(engine: str) -> None:
    items = plan(queue_only(), engine)
    dlq = inputs(items, f"{Q}.dlq")
    assert (dlq["name"], dlq["messageRetentionSeconds"], dlq["sqsManagedSseEnabled"]) == (
        "image-resize-dlq", 14 * 86400.0, True)
    assert "redrivePolicy" not in dlq
    assert doc(items, f"{Q}.dlq-redrive-allow", "redriveAllowPolicy") == {
        "redrivePermission": "byQueue", "sourceQueueArns": [sqs_arn("image-resize")]}
    assert inputs(items, f"{Q}.dlq-redrive-allow")["queueUrl"] == sqs_url("image-resize-dlq")
    assert doc(items, f"{Q}.dlq-policy") == {"Version": "2012-10-17",
                                             "Statement": [tls_deny(sqs_arn("image-resize-dlq"))]}


def test_dead_letter_settings_reach_the_redrive_policy() -> None:
    items = plan(queue_only(dead_letter={"max_receives": 3, "retention": "10d"}))
    assert doc(items, f"{Q}.queue", "redrivePolicy") == {"deadLetterTargetArn": sqs_arn("image-resize-dlq"),
                                                         "maxReceiveCount": 3}
    assert inputs(items, f"{Q}.dlq")["messageRetentionSeconds"] == 864000.0


@pytest.mark.parametrize("engine", ENGINES)
def test_queue_policy_denies_plain_http_and_allows_only_declared_roles(engine: str) -> None:
    items = plan(queue_only(), engine)
    arn = sqs_arn("image-resize")
    assert doc(items, f"{Q}.policy") == {"Version": "2012-10-17", "Statement": [
        tls_deny(arn),
        {"Sid": "AllowProducers", "Effect": "Allow", "Principal": {"AWS": [API]}, "Action": ["sqs:SendMessage"],
         "Resource": arn},
        {"Sid": "AllowConsumers", "Effect": "Allow", "Principal": {"AWS": [WORKER]}, "Action": RECEIVE_ACTIONS,
         "Resource": arn},
    ]}
    assert inputs(items, f"{Q}.policy")["queueUrl"] == sqs_url("image-resize")


@pytest.mark.parametrize("engine", ENGINES)
def test_iam_policies_per_role_on_this_queue_only(engine: str) -> None:
    items = plan(queue_only(), engine)
    send = inputs(items, f"{Q}.send.api")
    assert (send["role"], send["name"]) == ("api", "shop-prod-image-resize-send")
    assert json.loads(send["policy"]) == SEND_DOC
    receive = inputs(items, f"{Q}.receive.worker")
    assert (receive["role"], receive["name"]) == ("worker", "shop-prod-image-resize-receive")
    assert json.loads(receive["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": RECEIVE_ACTIONS, "Resource": sqs_arn("image-resize")}]}


def test_no_iam_policy_anywhere_grants_a_wildcard_resource() -> None:
    d = changed("queues.0.encryption", {"kms_key": "create"}, SQS_BASE)
    d["topics"][0]["encryption"] = {"kms_key": "create"}
    items = plan(d)
    policies = of_type(items, "aws:iam/rolePolicy:RolePolicy")
    assert len(policies) == 4  # api send, worker receive, api publish, billing receive
    for item in policies:
        for statement in json.loads(item.inputs["policy"])["Statement"]:
            assert "*" not in json.dumps(statement["Resource"]), (item.name, statement)


def test_role_path_is_dropped_and_users_get_user_policies() -> None:
    user = f"arn:aws:iam::{ACCOUNT}:user/deploy"
    items = plan(queue_only(producers=[f"arn:aws:iam::{ACCOUNT}:role/svc/api", user]))
    assert inputs(items, f"{Q}.send.api")["role"] == "api"
    assert inputs(items, f"{Q}.send.user.deploy") == {
        "user": "deploy", "name": "shop-prod-image-resize-send", "policy": json.dumps(SEND_DOC)}


def test_foreign_account_role_is_admitted_by_the_queue_policy_but_gets_no_iam_policy() -> None:
    foreign = "arn:aws:iam::210987654321:role/partner"
    items = plan(queue_only(producers=[API, foreign]))
    assert doc(items, f"{Q}.policy")["Statement"][1]["Principal"] == {"AWS": [API, foreign]}
    assert sorted(n for n in items if ".send." in n) == [f"{Q}.send.api"]


def test_fifo_with_high_throughput() -> None:
    items = plan(queue_only(fifo=True, high_throughput_fifo=True))
    for name, physical in ((f"{Q}.queue", "image-resize.fifo"), (f"{Q}.dlq", "image-resize-dlq.fifo")):
        got = inputs(items, name)
        assert {k: got[k] for k in ("name", "fifoQueue", "contentBasedDeduplication", "deduplicationScope",
                                    "fifoThroughputLimit")} == {
            "name": physical, "fifoQueue": True, "contentBasedDeduplication": True,
            "deduplicationScope": "messageGroup", "fifoThroughputLimit": "perMessageGroupId"}
    assert doc(items, f"{Q}.queue", "redrivePolicy")["deadLetterTargetArn"] == sqs_arn("image-resize-dlq.fifo")


def test_fifo_without_dedup_or_high_throughput() -> None:
    got = inputs(plan(queue_only(fifo=True, content_based_deduplication=False)), f"{Q}.queue")
    assert (got["fifoQueue"], got["contentBasedDeduplication"]) == (True, False)
    assert "deduplicationScope" not in got and "fifoThroughputLimit" not in got


def test_standard_queue_sets_no_fifo_inputs() -> None:
    got = inputs(plan(queue_only()), f"{Q}.queue")
    assert not {"fifoQueue", "contentBasedDeduplication", "deduplicationScope"} & set(got)


def test_encryption_none_turns_sse_off() -> None:
    items = plan(queue_only(encryption="none"))
    assert inputs(items, f"{Q}.queue")["sqsManagedSseEnabled"] is False
    assert "kmsMasterKeyId" not in inputs(items, f"{Q}.queue")


@pytest.mark.parametrize("engine", ENGINES)
def test_created_kms_key(engine: str) -> None:
    items = plan(queue_only(encryption={"kms_key": "create", "data_key_reuse": "10m"}), engine)
    key = inputs(items, f"{Q}.key")
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mock-key-{Q}.key"
    assert (key["enableKeyRotation"], key["deletionWindowInDays"], key["tags"]) == (True, 30.0, TAGS)
    via_sqs = {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}
    assert json.loads(key["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "ProducersEncrypt", "Effect": "Allow", "Principal": {"AWS": [API]},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": via_sqs},
        {"Sid": "ConsumersDecrypt", "Effect": "Allow", "Principal": {"AWS": [WORKER]},
         "Action": ["kms:Decrypt"], "Resource": "*", "Condition": via_sqs},
    ]}
    for name in (f"{Q}.queue", f"{Q}.dlq"):
        got = inputs(items, name)
        assert (got["kmsMasterKeyId"], got["kmsDataKeyReusePeriodSeconds"]) == (key_arn, 600.0)
        assert "sqsManagedSseEnabled" not in got
    assert json.loads(inputs(items, f"{Q}.send.api")["policy"])["Statement"][1] == {
        "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key_arn}
    assert json.loads(inputs(items, f"{Q}.receive.worker")["policy"])["Statement"][1] == {
        "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn}


def test_given_kms_key_arn_is_used_and_no_key_created() -> None:
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    items = plan(queue_only(encryption={"kms_key": arn}))
    assert of_type(items, "aws:kms/key:Key") == []
    assert inputs(items, f"{Q}.queue")["kmsMasterKeyId"] == arn
    assert json.loads(inputs(items, f"{Q}.receive.worker")["policy"])["Statement"][1]["Resource"] == arn


def test_given_kms_alias_grants_keys_carrying_that_alias() -> None:
    items = plan(queue_only(encryption={"kms_key": "alias/shop-queues"}))
    assert inputs(items, f"{Q}.queue")["kmsMasterKeyId"] == "alias/shop-queues"
    assert json.loads(inputs(items, f"{Q}.send.api")["policy"])["Statement"][1] == {
        "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*",
        "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/shop-queues"}}}


def test_dead_letter_none_creates_no_dlq() -> None:
    items = plan(queue_only(dead_letter="none"))
    assert [n for n in items if "dlq" in n] == []
    assert "redrivePolicy" not in inputs(items, f"{Q}.queue")
    assert f"{Q}.alarm.dlq-messages" not in items


@pytest.mark.parametrize("engine", ENGINES)
def test_dead_letter_target_redrives_into_the_declared_queue(engine: str) -> None:
    d = queue_only(dead_letter={"max_receives": 4, "target": "parking"})
    d["queues"].append({"name": "parking", "backend": "sqs", "retention": "14d", "dead_letter": "none"})
    items = plan(d, engine)
    assert f"{Q}.dlq" not in items
    assert doc(items, f"{Q}.queue", "redrivePolicy") == {"deadLetterTargetArn": sqs_arn("parking"),
                                                         "maxReceiveCount": 4}
    allow = inputs(items, "sqs-parking.redrive-allow")
    assert allow["queueUrl"] == sqs_url("parking")
    assert json.loads(allow["redriveAllowPolicy"]) == {"redrivePermission": "byQueue",
                                                       "sourceQueueArns": [sqs_arn("image-resize")]}
    assert inputs(items, f"{Q}.alarm.dlq-messages")["dimensions"] == {"QueueName": "parking"}
    # The target is created first: its ARN is an input of the source.
    names = list(items)
    assert names.index("sqs-parking.queue") < names.index(f"{Q}.queue")


def test_targets_are_ordered_before_their_sources() -> None:
    d = queue_only(dead_letter={"target": "b"})
    d["queues"] += [{"name": "b", "backend": "sqs", "dead_letter": {"target": "c"}},
                    {"name": "c", "backend": "sqs", "dead_letter": "none"}]
    assert [q.name for q in ordered_queues(load(d).queues)] == ["c", "b", "image-resize"]


def test_region_is_set_on_every_regional_resource() -> None:
    items = plan(queue_only(region="eu-west-1"))
    regional = [i for i in items.values() if i.custom and not i.type.startswith("aws:iam/")]
    assert {i.inputs.get("region") for i in regional if not i.name.startswith("aws-alarm-topic")} == {"eu-west-1"}
    assert inputs(items, f"{Q}.queue")["name"] == "image-resize"
    assert doc(items, f"{Q}.policy")["Statement"][0]["Resource"] == sqs_arn("image-resize", "eu-west-1")
    assert inputs(items, "aws-alarm-topic.oncall.eu-west-1")["region"] == "eu-west-1"


def test_every_taggable_resource_carries_the_spec_tags() -> None:
    d = changed("queues.0.encryption", {"kms_key": "create"}, SQS_BASE)
    d["queues"][0]["tags"] = {"service": "images"}
    items = plan(d)
    taggable = {"aws:sqs/queue:Queue", "aws:kms/key:Key", "aws:cloudwatch/metricAlarm:MetricAlarm",
                "aws:sns/topic:Topic"}
    tagged = [i for i in items.values() if i.type in taggable]
    assert len(tagged) == 18  # alarm topic; key, queue, DLQ, 3 alarms; topic; 2 x (queue, DLQ, 3 alarms)
    for item in tagged:
        expected = {**TAGS, "service": "images"} if item.name.startswith(Q) else TAGS
        assert item.inputs["tags"] == expected, item.name


@pytest.mark.parametrize(("environment", "protect"), [("prod", True), ("dev", False)])
def test_data_holding_resources_are_protected_in_prod(environment: str, protect: bool) -> None:
    d = changed("environment", environment, queue_only(encryption={"kms_key": "create"}))
    bp = stack_blueprint(load(d))
    queue = next(p for p in bp.resources if p.name == Q)
    children = {p.name: p.protect for p in SqsQueue.build(Q, queue.props["args"]).resources}
    assert {n: p for n, p in children.items() if p} == (
        {f"{Q}.key": True, f"{Q}.dlq": True, f"{Q}.queue": True} if protect else {})


def test_protect_false_in_spec_overrides_prod() -> None:
    bp = stack_blueprint(load(queue_only(protect=False)))
    args: SqsQueueArgs = next(p for p in bp.resources if p.name == Q).props["args"]
    assert args.protect is False


def test_stack_outputs() -> None:
    bp = stack_blueprint(load(SQS_BASE))
    assert sorted(bp.outputs) == sorted([
        "image-resize.url", "image-resize.arn", "image-resize.alarm_names", "image-resize.dlq_name",
        "orders.topic_arn",
        *[f"orders-{s}.{k}" for s in ("billing", "shipping") for k in ("url", "arn", "alarm_names", "dlq_name")],
    ])


def test_component_outputs_under_pulumi_mocks() -> None:
    """The component's registered outputs, awaited inside the test (an un-awaited apply checks nothing)."""
    pulumi.runtime.set_mocks(QueuekitMocks(), project="shop", stack="prod", preview=False)
    args = SqsQueueArgs(name="thumbs", region="eu-west-1", stack_prefix="shop-prod", max_receives=5,
                        alarm_dlq=1, producers=(API,), consumers=(WORKER,))

    @pulumi.runtime.test
    def check() -> pulumi.Output[Any]:
        queue = SqsQueue("sqs-thumbs", args)

        def verify(values: list[Any]) -> None:
            url, arn, dlq_name, alarm_names = values
            assert url == "https://sqs.eu-west-1.amazonaws.com/123456789012/thumbs"
            assert arn == "arn:aws:sqs:eu-west-1:123456789012:thumbs"
            assert dlq_name == "thumbs-dlq"
            assert alarm_names == ["shop-prod-thumbs-dlq-messages"]

        return pulumi.Output.all(queue.url, queue.arn, queue.dlq_name,  # type: ignore[attr-defined]
                                 pulumi.Output.all(*queue.alarm_names)).apply(verify)  # type: ignore[attr-defined]

    check()


def test_stack_output_values_under_pulumi_mocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `pulumi stack output` would show, from the real program (exports captured, then awaited)."""
    from components import program

    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda key, value: exported.__setitem__(key, value))
    pulumi.runtime.set_mocks(QueuekitMocks(), project="shop", stack="prod", preview=False)
    spec = load(SQS_BASE)

    @pulumi.runtime.test
    def check() -> pulumi.Output[Any]:
        program.build(spec)
        keys = sorted(exported)

        def verify(values: list[Any]) -> None:
            got = dict(zip(keys, values, strict=True))
            assert got == {
                "image-resize.url": sqs_url("image-resize"), "image-resize.arn": sqs_arn("image-resize"),
                "image-resize.dlq_name": "image-resize-dlq",
                "image-resize.alarm_names": ["shop-prod-image-resize-dlq-messages",
                                             "shop-prod-image-resize-oldest-message-age",
                                             "shop-prod-image-resize-backlog"],
                "orders.topic_arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:orders",
                "orders-billing.url": sqs_url("orders-billing"), "orders-billing.arn": sqs_arn("orders-billing"),
                "orders-billing.dlq_name": "orders-billing-dlq",
                "orders-billing.alarm_names": ["shop-prod-orders-billing-dlq-messages",
                                               "shop-prod-orders-billing-oldest-message-age",
                                               "shop-prod-orders-billing-backlog"],
                "orders-shipping.url": sqs_url("orders-shipping"), "orders-shipping.arn": sqs_arn("orders-shipping"),
                "orders-shipping.dlq_name": "orders-shipping-dlq",
                "orders-shipping.alarm_names": ["shop-prod-orders-shipping-dlq-messages",
                                                "shop-prod-orders-shipping-oldest-message-age",
                                                "shop-prod-orders-shipping-backlog"],
            }

        return pulumi.Output.all(*[pulumi.Output.from_input(exported[k]) for k in keys]).apply(verify)

    check()
