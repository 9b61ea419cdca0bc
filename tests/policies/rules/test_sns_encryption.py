"""QK102 sns-kms-encryption (advisory): message topics need a KMS key; alarm topics are exempt."""

from factories import changed, spec_dict

from tests.policies.harness import both

RULE = "sns-kms-encryption"


def test_default_topic_key_passes_and_alarm_topic_is_exempt() -> None:
    assert both(spec_dict(), RULE) == []


def test_topic_without_key_fails() -> None:
    assert both(changed("topics.0.encryption", "none"), RULE) == [
        "SNS topic 'orders' has no kmsMasterKeyId: messages are stored unencrypted until every subscriber has them",
    ]
