"""QK202 pubsub-cmek: only enforced when the config says `required: true`."""

from factories import changed, spec_dict

from tests.policies.harness import both

RULE = "pubsub-cmek"
KEY = {"kms_key": "projects/shop-prod-4821/locations/us-central1/keyRings/queues/cryptoKeys/pubsub"}


def test_google_managed_keys_pass_by_default() -> None:
    assert both(spec_dict(), RULE) == []


def test_required_cmek_passes_with_keys_on_every_pubsub_node() -> None:
    d = changed("queues.1.encryption", KEY)
    d["topics"][1]["encryption"] = KEY
    assert both(d, RULE, {"required": True}) == []


def test_required_cmek_fails_without_keys() -> None:
    suffix = "has no kmsKeyName: messages use Google-managed keys, and this stack requires CMEK"
    assert both(spec_dict(), RULE, {"required": True}) == [
        f"Pub/Sub topic 'pubsub-order-events-billing-dlq-topic' {suffix}",
        f"Pub/Sub topic 'pubsub-order-events-topic' {suffix}",
        f"Pub/Sub topic 'pubsub-report-jobs-dlq-topic' {suffix}",
        f"Pub/Sub topic 'pubsub-report-jobs-topic' {suffix}",
    ]
