"""QK101 sqs-encryption-at-rest, through the offline runner and the CrossGuard policy."""

from factories import changed, spec_dict

from tests.policies.harness import both

RULE = "sqs-encryption-at-rest"


def test_managed_sse_passes() -> None:
    assert both(spec_dict(), RULE) == []


def test_kms_key_passes_even_when_kms_is_required() -> None:
    d = changed("queues.0.encryption", {"kms_key": "create"})
    d["topics"][0]["encryption"] = {"kms_key": "create"}
    assert both(d, RULE, {"requireKms": True}) == []


def test_encryption_none_fails_queue_and_its_dlq() -> None:
    assert both(changed("queues.0.encryption", "none"), RULE) == [
        "SQS queue 'sqs-image-resize.dlq' is not encrypted at rest: set sqsManagedSseEnabled or kmsMasterKeyId",
        "SQS queue 'sqs-image-resize.queue' is not encrypted at rest: set sqsManagedSseEnabled or kmsMasterKeyId",
    ]


def test_require_kms_rejects_sse_sqs() -> None:
    found = both(changed("topics.0.encryption", {"kms_key": "create"}), RULE, {"requireKms": True})
    assert found == [
        "SQS queue 'sqs-image-resize.dlq' is not encrypted with a KMS key (kmsMasterKeyId is unset)",
        "SQS queue 'sqs-image-resize.queue' is not encrypted with a KMS key (kmsMasterKeyId is unset)",
    ]
