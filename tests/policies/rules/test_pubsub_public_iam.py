"""QK203 pubsub-no-public-iam."""

from factories import changed, spec_dict

from tests.policies.harness import both

RULE = "pubsub-no-public-iam"


def test_service_account_members_pass() -> None:
    assert both(spec_dict(), RULE) == []


def test_all_users_publisher_fails() -> None:
    assert both(changed("queues.1.producers", ["allUsers"]), RULE) == [
        "Pub/Sub TopicIAMMember 'pubsub-report-jobs-publisher-allusers' grants roles/pubsub.publisher to allUsers",
    ]


def test_all_authenticated_users_consumer_fails() -> None:
    found = both(changed("queues.1.consumers", ["allAuthenticatedUsers"]), RULE)
    assert found == ["Pub/Sub SubscriptionIAMMember 'pubsub-report-jobs-subscriber-allauthenticatedusers' grants "
                     "roles/pubsub.subscriber to allAuthenticatedUsers"]
