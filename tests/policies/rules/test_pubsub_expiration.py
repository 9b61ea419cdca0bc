"""QK204 pubsub-subscription-never-expires."""

from factories import changed, spec_dict

from tests.policies.harness import both, replace_inputs

RULE = "pubsub-subscription-never-expires"


def test_never_expiring_subscriptions_pass() -> None:
    assert both(spec_dict(), RULE) == []


def test_expiration_fails_unless_allowed() -> None:
    d = changed("queues.1.expiration", "30d")
    assert both(d, RULE) == ["Pub/Sub subscription 'pubsub-report-jobs-subscription' expires after 2592000s of "
                             "inactivity"]
    assert both(d, RULE, {"allowExpiring": True}) == []


def test_missing_expiration_policy_means_31_days() -> None:
    mutate = replace_inputs("pubsub-report-jobs-subscription", expirationPolicy=None)
    assert both(spec_dict(), RULE, mutate=mutate) == [
        "Pub/Sub subscription 'pubsub-report-jobs-subscription' has no expirationPolicy: Google deletes it after "
        "31 idle days",
    ]
