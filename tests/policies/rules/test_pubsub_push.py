"""QK205 pubsub-push-https-oidc."""

from factories import changed

from tests.policies.harness import both

RULE = "pubsub-push-https-oidc"
SUB = "topics.1.subscriptions.0"


def test_https_push_with_oidc_passes() -> None:
    d = changed(f"{SUB}.push_endpoint", "https://billing.example.com/push")
    d["topics"][1]["subscriptions"][0]["push_service_account"] = "pusher@shop-prod-4821.iam.gserviceaccount.com"
    assert both(d, RULE) == []


def test_http_push_without_oidc_fails() -> None:
    assert both(changed(f"{SUB}.push_endpoint", "http://billing.example.com/push"), RULE) == [
        "Pub/Sub subscription 'pubsub-order-events-billing-subscription' pushes to http://billing.example.com/push "
        "without HTTPS",
        "Pub/Sub subscription 'pubsub-order-events-billing-subscription' pushes without an OIDC token: the endpoint "
        "cannot tell Pub/Sub from anyone else",
    ]
