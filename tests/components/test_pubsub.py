"""PubSubTopic / PubSubQueue: the exact inputs `pulumi up` would send, under Pulumi's mocks and the fast plan."""

from __future__ import annotations

from typing import Any

import pytest
from factories import changed, load, spec_dict
from pubsub_factory import (
    AGENT,
    API,
    KEY,
    LABELS,
    PROJECT,
    PUBSUB_BASE,
    REPORTS,
    of_type,
    plan,
    queue_only,
    topic_id,
    topic_only,
)

from components.mocks import MOCK_GCP_PROJECT
from components.plan import fast_plan, mock_plan

ENGINES = ["mock", "fast"]
SUB = "gcp:pubsub/subscription:Subscription"
TOPIC = "gcp:pubsub/topic:Topic"
TOPIC_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
SUB_MEMBER = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"
KMS_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
REGIONS = {"allowedPersistenceRegions": ["us-central1"]}
RETRY = {"minimumBackoff": "10s", "maximumBackoff": "600s"}
NEVER = {"ttl": ""}


def sub_inputs(d: dict[str, Any], sub: str, engine: str = "fast") -> dict[str, Any]:
    return plan(d, engine)[f"pubsub-{sub}-subscription"].inputs


@pytest.mark.parametrize("engine", ENGINES)
def test_queue_is_a_topic_and_one_subscription_with_the_same_id(engine: str) -> None:
    items = plan(queue_only(), engine)
    assert items["pubsub-report-jobs"].type == "queuekit:gcp:Queue"
    assert items["pubsub-report-jobs-topic"].inputs == {
        "name": "report-jobs", "project": PROJECT, "labels": LABELS, "messageStoragePolicy": REGIONS}
    assert items["pubsub-report-jobs-subscription"].inputs == {
        "name": "report-jobs", "project": PROJECT, "topic": topic_id("report-jobs"), "labels": LABELS,
        "ackDeadlineSeconds": 120.0, "messageRetentionDuration": "604800s", "expirationPolicy": NEVER,
        "retryPolicy": RETRY,
        "deadLetterPolicy": {"deadLetterTopic": topic_id("report-jobs-dlq"), "maxDeliveryAttempts": 5.0},
    }
    assert items["pubsub-report-jobs-subscription"].parent == items["pubsub-report-jobs"].urn


@pytest.mark.parametrize("engine", ENGINES)
def test_dead_letter_topic_has_a_subscription_that_never_expires(engine: str) -> None:
    items = plan(queue_only(retention="1d", dead_letter={"max_deliveries": 7, "retention": "3d"}), engine)
    assert items["pubsub-report-jobs-dlq-topic"].inputs == {
        "name": "report-jobs-dlq", "project": PROJECT, "labels": LABELS, "messageStoragePolicy": REGIONS}
    assert items["pubsub-report-jobs-dlq-subscription"].inputs == {
        "name": "report-jobs-dlq", "project": PROJECT, "topic": topic_id("report-jobs-dlq"), "labels": LABELS,
        "ackDeadlineSeconds": 120.0, "messageRetentionDuration": "259200s", "expirationPolicy": NEVER,
        "retryPolicy": RETRY,
    }
    assert items["pubsub-report-jobs-subscription"].inputs["deadLetterPolicy"] == {
        "deadLetterTopic": topic_id("report-jobs-dlq"), "maxDeliveryAttempts": 7.0}


@pytest.mark.parametrize("engine", ENGINES)
def test_service_agent_gets_publisher_on_dlq_topic_and_subscriber_on_source(engine: str) -> None:
    items = plan(queue_only(), engine)
    assert items["pubsub-service-agent"].inputs == {"service": "pubsub.googleapis.com", "project": PROJECT}
    assert items["pubsub-report-jobs-dlq-agent-publisher"].type == TOPIC_MEMBER
    assert items["pubsub-report-jobs-dlq-agent-publisher"].inputs == {
        "topic": "report-jobs-dlq", "role": "roles/pubsub.publisher", "member": AGENT, "project": PROJECT}
    assert items["pubsub-report-jobs-agent-subscriber"].type == SUB_MEMBER
    assert items["pubsub-report-jobs-agent-subscriber"].inputs == {
        "subscription": "report-jobs", "role": "roles/pubsub.subscriber", "member": AGENT, "project": PROJECT}


def test_producers_publish_on_the_topic_and_consumers_subscribe_on_their_subscription() -> None:
    items = plan(queue_only())
    members = {(i.type, i.inputs["member"], i.inputs.get("topic") or i.inputs.get("subscription"), i.inputs["role"])
               for i in items.values() if i.type in (TOPIC_MEMBER, SUB_MEMBER)}
    assert members == {
        (TOPIC_MEMBER, API, "report-jobs", "roles/pubsub.publisher"),
        (SUB_MEMBER, REPORTS, "report-jobs", "roles/pubsub.subscriber"),
        (TOPIC_MEMBER, AGENT, "report-jobs-dlq", "roles/pubsub.publisher"),
        (SUB_MEMBER, AGENT, "report-jobs", "roles/pubsub.subscriber"),
    }


def test_iam_is_never_authoritative() -> None:
    d = changed("topics.0.producers", [API], PUBSUB_BASE)
    types = {i.type for i in plan(d).values()}
    assert not {t for t in types if t.endswith(("IAMBinding", "IAMPolicy"))}
    assert {TOPIC_MEMBER, SUB_MEMBER} <= types


def test_every_grant_is_on_one_topic_subscription_or_key_never_the_project() -> None:
    d = changed("defaults.encryption", {"kms_key": KEY}, PUBSUB_BASE)
    d["topics"][0]["producers"] = [API]
    grants = {i.type for i in plan(d).values() if "IAM" in i.type}
    assert grants == {TOPIC_MEMBER, SUB_MEMBER, KMS_MEMBER}


def test_no_dead_letter_means_no_dlq_no_agent_and_no_dlq_alert() -> None:
    items = plan(queue_only(dead_letter="none"))
    assert "deadLetterPolicy" not in items["pubsub-report-jobs-subscription"].inputs
    assert [n for n in items if "dlq" in n or "agent" in n] == []


@pytest.mark.parametrize(("expiration", "ttl"), [("60d", "5184000s"), ("never", "")])
def test_expiration_policy(expiration: str, ttl: str) -> None:
    assert sub_inputs(queue_only(expiration=expiration), "report-jobs")["expirationPolicy"] == {"ttl": ttl}


def test_retry_policy_backoff() -> None:
    inputs = sub_inputs(queue_only(min_backoff="5s", max_backoff="2m"), "report-jobs")
    assert inputs["retryPolicy"] == {"minimumBackoff": "5s", "maximumBackoff": "120s"}


@pytest.mark.parametrize(("field", "value", "key", "expected"), [
    ("ordering", True, "enableMessageOrdering", True),
    ("exactly_once", True, "enableExactlyOnceDelivery", True),
    ("filter", 'attributes.region = "eu"', "filter", 'attributes.region = "eu"'),
    ("visibility_timeout", "600s", "ackDeadlineSeconds", 600.0),
    ("retention", "10m", "messageRetentionDuration", "600s"),
])
def test_subscription_knobs(field: str, value: Any, key: str, expected: Any) -> None:
    assert sub_inputs(queue_only(**{field: value}), "report-jobs")[key] == expected


def test_ordering_and_exactly_once_are_off_by_default() -> None:
    inputs = sub_inputs(queue_only(), "report-jobs")
    assert "enableMessageOrdering" not in inputs and "enableExactlyOnceDelivery" not in inputs


@pytest.mark.parametrize("engine", ENGINES)
def test_push_subscription_with_oidc(engine: str) -> None:
    d = topic_only(push_endpoint="https://billing.example.com/push",
                   push_service_account=f"pusher@{PROJECT}.iam.gserviceaccount.com",
                   push_audience="https://billing.example.com")
    assert sub_inputs(d, "order-events-billing", engine)["pushConfig"] == {
        "pushEndpoint": "https://billing.example.com/push",
        "oidcToken": {"serviceAccountEmail": f"pusher@{PROJECT}.iam.gserviceaccount.com",
                      "audience": "https://billing.example.com"}}


@pytest.mark.parametrize("engine", ENGINES)
def test_topic_subscriptions_are_named_topic_dash_subscription(engine: str) -> None:
    items = plan(topic_only(), engine)
    assert items["pubsub-order-events"].type == "queuekit:gcp:Topic"
    assert items["pubsub-order-events-topic"].inputs == {
        "name": "order-events", "project": PROJECT, "labels": LABELS, "messageStoragePolicy": REGIONS,
        "messageRetentionDuration": "604800s"}
    sub = items["pubsub-order-events-billing-subscription"].inputs
    assert (sub["name"], sub["topic"]) == ("order-events-billing", topic_id("order-events"))
    assert sub["deadLetterPolicy"] == {"deadLetterTopic": topic_id("order-events-billing-dlq"),
                                       "maxDeliveryAttempts": 10.0}
    assert sorted(n for n, i in items.items() if i.type == SUB) == [
        "pubsub-order-events-billing-dlq-subscription", "pubsub-order-events-billing-subscription"]


@pytest.mark.parametrize("engine", ENGINES)
def test_cmek_key_with_service_agent_grant(engine: str) -> None:
    d = queue_only(encryption={"kms_key": KEY})
    items = plan(d, engine)
    grants = of_type(items, KMS_MEMBER)
    assert [g.inputs for g in grants.values()] == [
        {"cryptoKeyId": KEY, "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "member": AGENT}]
    assert items["pubsub-report-jobs-topic"].inputs["kmsKeyName"] == KEY
    assert items["pubsub-report-jobs-dlq-topic"].inputs["kmsKeyName"] == KEY


def test_one_cmek_grant_per_key_shared_by_topics() -> None:
    d = changed("defaults.encryption", {"kms_key": KEY}, PUBSUB_BASE)
    items = plan(d)
    assert len(of_type(items, KMS_MEMBER)) == 1
    assert {i.inputs["name"]: i.inputs["kmsKeyName"] for i in of_type(items, TOPIC).values()} == {
        n: KEY for n in ("report-jobs", "report-jobs-dlq", "order-events", "order-events-billing-dlq")}


def test_managed_encryption_sets_no_key() -> None:
    items = plan(PUBSUB_BASE)
    assert not of_type(items, KMS_MEMBER)
    assert all("kmsKeyName" not in i.inputs for i in of_type(items, TOPIC).values())


@pytest.mark.parametrize("engine", ENGINES)
def test_dead_letter_into_a_declared_queue(engine: str) -> None:
    d = queue_only()
    d["queues"].insert(0, {"name": "report-failures", "backend": "pubsub", "dead_letter": "none"})
    d["queues"][1]["dead_letter"] = {"max_deliveries": 6, "target": "report-failures"}
    items = plan(d, engine)
    assert items["pubsub-report-jobs-subscription"].inputs["deadLetterPolicy"] == {
        "deadLetterTopic": topic_id("report-failures"), "maxDeliveryAttempts": 6.0}
    assert items["pubsub-report-failures-agent-publisher"].inputs == {
        "topic": "report-failures", "role": "roles/pubsub.publisher", "member": AGENT, "project": PROJECT}
    assert not [i for i in items.values() if i.type in (TOPIC, SUB) and i.inputs["name"] == "report-jobs-dlq"]
    dlq_alert = items["pubsub-report-jobs-dlq-messages"].inputs["conditions"][0]["conditionThreshold"]["filter"]
    assert 'resource.labels.subscription_id = "report-failures"' in dlq_alert


def test_dead_letter_target_declared_after_its_user_is_created_first() -> None:
    d = queue_only()
    d["queues"].append({"name": "report-failures", "backend": "pubsub", "dead_letter": "none"})
    d["queues"][0]["dead_letter"] = {"max_deliveries": 6, "target": "report-failures"}
    names = [n for n in plan(d) if n in ("pubsub-report-failures", "pubsub-report-jobs")]
    assert names == ["pubsub-report-failures", "pubsub-report-jobs"]


def test_no_gcp_project_leaves_project_to_the_provider() -> None:
    d = changed("defaults.gcp_project", None, queue_only())
    del d["defaults"]["gcp_project"]
    d["queues"][0]["producers"] = d["queues"][0]["consumers"] = []
    items = plan(d)
    assert all("project" not in i.inputs for i in items.values())
    sub = items["pubsub-report-jobs-subscription"].inputs
    assert sub["topic"] == topic_id("report-jobs", MOCK_GCP_PROJECT)


def test_labels_follow_gcp_rules() -> None:
    d = changed("defaults.tags", {"Cost Center": "CC 42"}, queue_only())
    assert plan(d)["pubsub-report-jobs-topic"].inputs["labels"] == {
        "cost_center": "cc_42", "managed-by": "queuekit", "queuekit-project": "shop"}


def test_no_region_means_no_message_storage_policy() -> None:
    d = queue_only()
    del d["defaults"]["gcp_region"]
    assert "messageStoragePolicy" not in plan(d)["pubsub-report-jobs-topic"].inputs


def test_stack_outputs_name_topics_subscriptions_dlqs_and_alerts() -> None:
    from components.program import stack_blueprint

    bp = stack_blueprint(load(PUBSUB_BASE))
    assert sorted(k for k in bp.outputs if k.startswith("pubsub_report-jobs_")) == [
        "pubsub_report-jobs_alert_policy_names", "pubsub_report-jobs_dlq_subscription_ids",
        "pubsub_report-jobs_dlq_topic_ids", "pubsub_report-jobs_subscription_ids", "pubsub_report-jobs_topic_id"]


def test_fast_plan_equals_mock_plan() -> None:
    d = changed("defaults.encryption", {"kms_key": KEY}, PUBSUB_BASE)
    d["topics"][0]["subscriptions"].append({"name": "audit", "push_endpoint": "https://audit.example.com/push",
                                            "push_service_account": f"p@{PROJECT}.iam.gserviceaccount.com"})
    spec = load(d)
    assert fast_plan(spec) == mock_plan(spec)


AVRO = '{"type": "record", "name": "Report", "fields": [{"name": "id", "type": "string"}]}\n'
SCHEMA = "gcp:pubsub/schema:Schema"


@pytest.mark.parametrize("engine", ENGINES)
def test_schema_definition_creates_the_schema_the_topic_enforces(engine: str, tmp_path: Any) -> None:
    (tmp_path / "report.avsc").write_text(AVRO)
    d = queue_only(schema={"type": "avro", "definition": str(tmp_path / "report.avsc"), "encoding": "binary"})
    items = plan(d, engine)
    assert items["pubsub-report-jobs-schema"].type == SCHEMA
    assert items["pubsub-report-jobs-schema"].inputs == {
        "name": "report-jobs-schema", "project": PROJECT, "type": "AVRO", "definition": AVRO}
    assert items["pubsub-report-jobs-schema"].parent == items["pubsub-report-jobs"].urn
    assert items["pubsub-report-jobs-topic"].inputs == {
        "name": "report-jobs", "project": PROJECT, "labels": LABELS, "messageStoragePolicy": REGIONS,
        "schemaSettings": {"schema": f"projects/{PROJECT}/schemas/report-jobs-schema", "encoding": "BINARY"}}
    names = list(items)  # the topic takes the schema's id, so the schema is created first
    assert names.index("pubsub-report-jobs-schema") < names.index("pubsub-report-jobs-topic")
    assert "schemaSettings" not in items["pubsub-report-jobs-dlq-topic"].inputs


@pytest.mark.parametrize("engine", ENGINES)
def test_schema_name_uses_an_existing_schema(engine: str) -> None:
    name = f"projects/{PROJECT}/schemas/order-event"
    d = spec_dict(PUBSUB_BASE)
    d["topics"][0]["schema"] = {"name": name, "encoding": "json"}
    items = plan(d, engine)
    assert not of_type(items, SCHEMA)
    assert items["pubsub-order-events-topic"].inputs["schemaSettings"] == {"schema": name, "encoding": "JSON"}
    assert "schemaSettings" not in items["pubsub-report-jobs-topic"].inputs
