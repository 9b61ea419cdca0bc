"""``local up`` and ``verify`` for Pub/Sub on Google's own emulator (started by the fixtures).

Each test gets its own emulator project (``pubsub_project``), so tests never see each other's
topics. Specs set ``min_backoff``/``max_backoff`` to 0s: the emulator honours the retry policy,
and with the 10 s default each dead-letter probe would take over a minute.

The agreement tests send the same out-of-range value to the emulator (raw API) and to our
validator: both must reject it, and both must accept the boundary value next to it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from factories import load, messages, to_yaml
from pubsub_factory import PUBSUB_BASE, queue_only

from queuekit.cli import main
from queuekit.local import pubsub as local_pubsub
from queuekit.local.base import Check
from queuekit.model import Spec

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from google.api_core import exceptions as gexc

pytestmark = pytest.mark.broker
QUICK = {"min_backoff": "0s", "max_backoff": "0s"}


def emulator_spec(project: str, *, push: bool = True) -> dict[str, Any]:
    """The pubsub base spec on ``project``: a queue, and a topic with a DLQ pull sub, a plain pull sub, a push sub."""
    d = queue_only(**QUICK)
    d["defaults"]["gcp_project"] = project
    d["topics"] = [{"name": "order-events", "backend": "pubsub", "retention": "1d", "subscriptions": [
        {"name": "billing", "dead_letter": {"max_deliveries": 5}, **QUICK},
        {"name": "search", "dead_letter": "none"},
    ]}]
    if push:
        d["topics"][0]["subscriptions"].append(
            {"name": "audit", "dead_letter": "none", "push_endpoint": "http://127.0.0.1:9/push",
             "push_service_account": "pusher@example.iam.gserviceaccount.com"})
    return d


def failures(checks: list[Check]) -> list[tuple[str, str]]:
    return [(c.target, c.name) for c in checks if not c.ok]


def client(spec: Spec, endpoint: str) -> local_pubsub.Clients:
    return local_pubsub.clients(spec, endpoint)


def test_up_creates_topics_subscriptions_and_dead_lettering(pubsub_emulator: str, pubsub_project: str) -> None:
    spec = load(emulator_spec(pubsub_project))
    lines = local_pubsub.up(spec, pubsub_emulator)
    p = f"projects/{pubsub_project}"
    assert lines[:4] == [f"created topic {p}/topics/report-jobs", f"created topic {p}/topics/report-jobs-dlq",
                         f"created topic {p}/topics/order-events", f"created topic {p}/topics/order-events-billing-dlq"]
    c = client(spec, pubsub_emulator)
    topics = sorted(t.name for t in c.publisher.list_topics(project=p))
    assert topics == [f"{p}/topics/{n}" for n in
                      ("order-events", "order-events-billing-dlq", "report-jobs", "report-jobs-dlq")]
    subs = sorted(s.name.rsplit("/", 1)[1] for s in c.subscriber.list_subscriptions(project=p))
    assert subs == ["order-events-audit", "order-events-billing", "order-events-billing-dlq", "order-events-search",
                    "report-jobs", "report-jobs-dlq"]
    got = c.subscriber.get_subscription(subscription=f"{p}/subscriptions/report-jobs")
    assert got.topic == f"{p}/topics/report-jobs"
    assert got.ack_deadline_seconds == 120
    assert (got.dead_letter_policy.dead_letter_topic, got.dead_letter_policy.max_delivery_attempts) == (
        f"{p}/topics/report-jobs-dlq", 5)
    assert got.message_retention_duration.total_seconds() == 7 * 86400
    assert "expiration_policy" in got and got.expiration_policy.ttl.total_seconds() == 0  # set, no ttl: never
    push = c.subscriber.get_subscription(subscription=f"{p}/subscriptions/order-events-audit").push_config
    assert (push.push_endpoint, push.oidc_token.service_account_email) == (
        "http://127.0.0.1:9/push", "pusher@example.iam.gserviceaccount.com")


def test_up_is_idempotent(pubsub_emulator: str, pubsub_project: str) -> None:
    spec = load(emulator_spec(pubsub_project))
    first = local_pubsub.up(spec, pubsub_emulator)
    second = local_pubsub.up(spec, pubsub_emulator)
    assert len(second) == len(first) == 10
    assert all(line.endswith(" exists") for line in second)


def test_verify_passes_and_proves_dead_lettering(pubsub_emulator: str, pubsub_project: str) -> None:
    spec = load(emulator_spec(pubsub_project))
    local_pubsub.up(spec, pubsub_emulator)
    checks = local_pubsub.verify(spec, pubsub_emulator)
    assert failures(checks) == []
    by = {(c.target, c.name): c.detail for c in checks}
    assert by[("report-jobs", "dead-letters after 5 deliveries to report-jobs-dlq")] == (
        "arrived after 5 deliveries (saw 5)")
    assert by[("order-events-billing", "dead-letters after 5 deliveries to order-events-billing-dlq")] == (
        "arrived after 5 deliveries (saw 5)")
    assert ("order-events-search", "receives the probe") in by
    assert by[("order-events-audit", "receives the probe")] == (
        "push subscription to http://127.0.0.1:9/push: configuration checked, delivery not observable")


def test_verify_fails_when_the_dlq_subscription_is_deleted(pubsub_emulator: str, pubsub_project: str) -> None:
    spec = load(emulator_spec(pubsub_project, push=False))
    local_pubsub.up(spec, pubsub_emulator)
    c = client(spec, pubsub_emulator)
    c.subscriber.delete_subscription(subscription=c.sub("order-events-billing-dlq"))
    checks = local_pubsub.verify(spec, pubsub_emulator, timeout=10)
    assert failures(checks) == [("order-events-billing", "dead-letter topic has a subscription")]
    detail = next(ch.detail for ch in checks if not ch.ok)
    assert detail == ("order-events-billing-dlq missing (topic has: none): dead-lettered messages would be lost")


def test_verify_fails_when_the_dead_letter_policy_points_elsewhere(pubsub_emulator: str, pubsub_project: str) -> None:
    spec = load(emulator_spec(pubsub_project, push=False))
    local_pubsub.up(spec, pubsub_emulator)
    c = client(spec, pubsub_emulator)
    wrong = {"dead_letter_topic": c.topic("order-events-billing-dlq"), "max_delivery_attempts": 5}
    c.subscriber.update_subscription(request={
        "subscription": {"name": c.sub("report-jobs"), "dead_letter_policy": wrong},
        "update_mask": {"paths": ["dead_letter_policy"]}})
    checks = local_pubsub.verify(spec, pubsub_emulator, timeout=10)
    assert failures(checks) == [("report-jobs", "dead-letter policy")]
    assert next(ch.detail for ch in checks if not ch.ok) == (
        f"projects/{pubsub_project}/topics/order-events-billing-dlq after 5 deliveries; "
        f"expected projects/{pubsub_project}/topics/report-jobs-dlq after 5")


def test_verify_fails_when_nothing_was_created(pubsub_emulator: str, pubsub_project: str) -> None:
    spec = load(emulator_spec(pubsub_project, push=False))
    checks = local_pubsub.verify(spec, pubsub_emulator, timeout=5)
    assert failures(checks) == [
        ("report-jobs", "subscription exists"), ("report-jobs", "publish a probe"),
        ("order-events-billing", "subscription exists"), ("order-events-search", "subscription exists"),
        ("order-events", "publish a probe")]


def test_dead_letter_into_a_declared_queue(pubsub_emulator: str, pubsub_project: str) -> None:
    d = queue_only(dead_letter={"max_deliveries": 5, "target": "report-failures"}, **QUICK)
    d["defaults"]["gcp_project"] = pubsub_project
    d["topics"] = []
    d["queues"].append({"name": "report-failures", "backend": "pubsub", "dead_letter": "none"})
    spec = load(d)
    local_pubsub.up(spec, pubsub_emulator)
    checks = local_pubsub.verify(spec, pubsub_emulator)
    assert failures(checks) == []
    assert ("report-jobs", "dead-letters after 5 deliveries to report-failures") in {
        (c.target, c.name) for c in checks}


def test_cli_local_up_and_verify(pubsub_emulator: str, pubsub_project: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pubsub.yaml"
    path.write_bytes(to_yaml(emulator_spec(pubsub_project, push=False)))
    assert main(["local", "up", str(path), "--pubsub-emulator", pubsub_emulator]) == 0
    assert f"[pubsub] created topic projects/{pubsub_project}/topics/report-jobs\n" in capsys.readouterr().out
    assert main(["verify", str(path), "--pubsub-emulator", pubsub_emulator]) == 0
    assert capsys.readouterr().out.endswith("\n14 passed, 0 failed\n")
    c = local_pubsub.clients(load(emulator_spec(pubsub_project)), pubsub_emulator)
    c.subscriber.delete_subscription(subscription=c.sub("report-jobs-dlq"))
    assert main(["verify", str(path), "--pubsub-emulator", pubsub_emulator]) == 1


# ---------------------------------------------------------------------------------------------
# Our validator agrees with Google's emulator


def _raw_subscription(c: local_pubsub.Clients, name: str, **fields: Any) -> None:
    c.publisher.create_topic(name=c.topic("src"))
    c.publisher.create_topic(name=c.topic("src-dlq"))
    c.subscriber.create_subscription(request={"name": c.sub(name), "topic": c.topic("src"), **fields})


def _dlq(attempts: int, c: local_pubsub.Clients) -> dict[str, Any]:
    return {"dead_letter_policy": {"dead_letter_topic": c.topic("src-dlq"), "max_delivery_attempts": attempts}}


CASES = [
    # (what, spec change, emulator request, emulator's error, validator message): one out-of-range value each
    ("max_delivery_attempts 3", {"dead_letter": {"max_deliveries": 3}}, lambda c: _dlq(3, c),
     "400 The value for max_delivery_attempts is too small. You passed 3 in the request, but the minimum value is 5.",
     ("queues[0].dead_letter.max_deliveries", "max_deliveries 3 is out of range for pubsub: must be 5 to 100")),
    ("ack deadline 700 s", {"visibility_timeout": "700s"}, lambda c: {"ack_deadline_seconds": 700},
     "400 ack_deadline_secs out of bounds",
     ("queues[0].visibility_timeout", "ack deadline 700s is out of range for pubsub: must be 10s to 10m")),
    ("retention 30 d", {"retention": "30d"}, lambda c: {"message_retention_duration": f"{30 * 86400}s"},
     "400 message_retention_duration out of bounds",
     ("queues[0].retention", "retention 30d is out of range for pubsub: must be 10m to 7d")),
]
BOUNDARIES = [
    ({"dead_letter": {"max_deliveries": 5}}, lambda c: _dlq(5, c)),
    ({"visibility_timeout": "600s"}, lambda c: {"ack_deadline_seconds": 600}),
    ({"retention": "7d"}, lambda c: {"message_retention_duration": f"{7 * 86400}s"}),
]


@pytest.mark.parametrize(("what", "change", "request_fields", "google_says", "message"), CASES,
                         ids=[c[0] for c in CASES])
def test_emulator_and_validator_both_reject(pubsub_emulator: str, pubsub_project: str, what: str,
                                            change: dict[str, Any], request_fields: Any, google_says: str,
                                            message: tuple[str, str]) -> None:
    c = local_pubsub.clients(load(PUBSUB_BASE), pubsub_emulator)
    c = local_pubsub.Clients(c.publisher, c.subscriber, pubsub_project)
    with pytest.raises(gexc.BadRequest) as rejected:  # InvalidArgument or OutOfRange, both HTTP 400
        _raw_subscription(c, "sub", **request_fields(c))
    assert str(rejected.value) == google_says
    assert messages(queue_only(**change)) == {message}


@pytest.mark.parametrize(("change", "request_fields"), BOUNDARIES)
def test_emulator_and_validator_both_accept_the_boundary(pubsub_emulator: str, pubsub_project: str,
                                                         change: dict[str, Any], request_fields: Any) -> None:
    c = local_pubsub.clients(load(PUBSUB_BASE), pubsub_emulator)
    c = local_pubsub.Clients(c.publisher, c.subscriber, pubsub_project)
    _raw_subscription(c, "sub", **request_fields(c))
    assert load(queue_only(**change)).queues[0].name == "report-jobs"


def test_emulator_and_validator_both_reject_id_1x(pubsub_emulator: str, pubsub_project: str) -> None:
    c = local_pubsub.clients(load(PUBSUB_BASE), pubsub_emulator)
    c = local_pubsub.Clients(c.publisher, c.subscriber, pubsub_project)
    with pytest.raises(gexc.InvalidArgument, match=r"Invalid \[topics\] name"):
        c.publisher.create_topic(name=c.topic("1x"))
    with pytest.raises(gexc.InvalidArgument, match=r"Invalid \[subscriptions\] name"):
        _raw_subscription(c, "1x")
    d = queue_only()
    d["queues"][0]["name"] = "1x"
    assert messages(d) == {("queues[0].name", "'1x' is not a valid pubsub name: 3-255 characters: start with a "
                                              "letter, then letters, digits and - _ . ~ + %")}
    c.publisher.create_topic(name=c.topic("x1y"))
    d["queues"][0]["name"] = "x1y"
    assert load(d).queues[0].name == "x1y"


# What the emulator accepts but Google rejects (or we refuse as unsafe): queuekit's validator catches it
# before deploy. If the emulator starts rejecting one of these, move the case into CASES above.
EMULATOR_LAX = [
    ("filter of 257 bytes", {"filter": 'attributes.k = "' + "é" * 120 + '"'},
     lambda c: {"filter": 'attributes.k = "' + "é" * 120 + '"'},
     ("queues[0].filter", "filter is 257 bytes; Pub/Sub allows at most 256")),
    ("expiration 1 hour", {"expiration": "1h"}, lambda c: {"expiration_policy": {"ttl": "3600s"}},
     ("queues[0].expiration", "expiration 1h is out of range for pubsub: must be 1d to 365d")),
    ("ack deadline 5 s", {"visibility_timeout": "5s"}, lambda c: {"ack_deadline_seconds": 5},
     ("queues[0].visibility_timeout", "ack deadline 5s is out of range for pubsub: must be 10s to 10m")),
    ("exactly-once push", {"exactly_once": True, "push_endpoint": "https://x.example.com/push",
                           "push_service_account": "p@example.iam.gserviceaccount.com"},
     lambda c: {"enable_exactly_once_delivery": True, "push_config": {"push_endpoint": "https://x.example.com/push"}},
     ("queues[0].exactly_once", "exactly-once delivery works with pull subscriptions only")),
]


@pytest.mark.parametrize(("what", "change", "request_fields", "message"), EMULATOR_LAX,
                         ids=[c[0] for c in EMULATOR_LAX])
def test_emulator_accepts_what_the_validator_rejects(pubsub_emulator: str, pubsub_project: str, what: str,
                                                     change: dict[str, Any], request_fields: Any,
                                                     message: tuple[str, str]) -> None:
    c = local_pubsub.clients(load(PUBSUB_BASE), pubsub_emulator)
    c = local_pubsub.Clients(c.publisher, c.subscriber, pubsub_project)
    _raw_subscription(c, "sub", **request_fields(c))
    assert c.subscriber.get_subscription(subscription=c.sub("sub")).name == c.sub("sub")
    assert messages(queue_only(**change)) == {message}
