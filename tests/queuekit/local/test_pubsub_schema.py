"""Topic schemas on Google's Pub/Sub emulator: ``local up`` creates them, the topic enforces them, ``verify`` checks them.

The emulator implements the SchemaService for Avro (it validates definitions and rejects a publish
that does not match); protobuf schemas are "not implemented" there, which ``up`` reports as one line.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from factories import load
from pubsub_factory import queue_only

from queuekit.local import pubsub as local_pubsub
from queuekit.local.pubsub_endpoint import PubSubError
from queuekit.model import Spec

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from google.api_core import exceptions as gexc

pytestmark = pytest.mark.broker
AVSC = {"type": "record", "name": "Report", "fields": [{"name": "id", "type": "string"}, {"name": "pages", "type": "int"}]}


def schema_spec(project: str, tmp_path: Path, schema: dict[str, Any]) -> Spec:
    """The report-jobs queue (a topic + subscription) on ``project`` with ``schema``; files live in ``tmp_path``."""
    (tmp_path / "report.avsc").write_text(json.dumps(AVSC))
    (tmp_path / "report.proto").write_text('syntax = "proto3";\nmessage Report {\n  string id = 1;\n}\n')
    d = queue_only(schema=schema, dead_letter="none")
    d["defaults"]["gcp_project"] = project
    return load(d, str(tmp_path / "spec.yaml"))


def publish(c: local_pubsub.Clients, data: bytes) -> str:
    return c.publisher.publish(c.topic("report-jobs"), data).result(timeout=30)


def test_up_creates_the_schema_and_the_topic_enforces_it(pubsub_emulator: str, pubsub_project: str,
                                                         tmp_path: Path) -> None:
    spec = schema_spec(pubsub_project, tmp_path, {"type": "avro", "definition": "report.avsc", "encoding": "json"})
    p = f"projects/{pubsub_project}"
    assert local_pubsub.up(spec, pubsub_emulator) == [
        f"created schema {p}/schemas/report-jobs-schema (avro)", f"created topic {p}/topics/report-jobs",
        f"created subscription {p}/subscriptions/report-jobs on report-jobs"]
    c = local_pubsub.clients(spec, pubsub_emulator)
    got = c.schemas.get_schema(name=f"{p}/schemas/report-jobs-schema")
    assert (got.type_.name, json.loads(got.definition)) == ("AVRO", AVSC)
    settings = c.publisher.get_topic(topic=c.topic("report-jobs")).schema_settings
    assert (settings.schema, settings.encoding.name) == (f"{p}/schemas/report-jobs-schema", "JSON")
    assert publish(c, json.dumps({"id": "r-1", "pages": 3}).encode())
    with pytest.raises(gexc.InvalidArgument, match="Could not parse message"):
        publish(c, json.dumps({"id": "r-2", "pages": "three"}).encode())
    assert local_pubsub.up(spec, pubsub_emulator) == [
        f"schema {p}/schemas/report-jobs-schema exists", f"topic {p}/topics/report-jobs exists",
        f"subscription {p}/subscriptions/report-jobs exists"]


def test_verify_checks_the_schema_settings_instead_of_probing(pubsub_emulator: str, pubsub_project: str,
                                                              tmp_path: Path) -> None:
    spec = schema_spec(pubsub_project, tmp_path, {"type": "avro", "definition": "report.avsc", "encoding": "json"})
    local_pubsub.up(spec, pubsub_emulator)
    checks = {(ch.target, ch.name): (ch.ok, ch.detail) for ch in local_pubsub.verify(spec, pubsub_emulator)}
    assert checks == {
        ("report-jobs", "subscription exists on topic report-jobs"): (True, ""),
        ("report-jobs", "schema settings"): (True, f"projects/{pubsub_project}/schemas/report-jobs-schema (JSON)"),
        ("report-jobs", "publish a probe"): (True, "skipped: the topic enforces a schema the probe does not match; "
                                                   "subscriptions checked by configuration")}


def test_verify_fails_on_a_topic_without_the_schema(pubsub_emulator: str, pubsub_project: str,
                                                    tmp_path: Path) -> None:
    spec = schema_spec(pubsub_project, tmp_path, {"type": "avro", "definition": "report.avsc", "encoding": "binary"})
    c = local_pubsub.clients(spec, pubsub_emulator)
    c.publisher.create_topic(request={"name": c.topic("report-jobs")})
    local_pubsub.up(spec, pubsub_emulator)  # the topic exists: reported, not changed
    [bad] = [ch for ch in local_pubsub.verify(spec, pubsub_emulator) if not ch.ok]
    assert (bad.target, bad.name, bad.detail) == (
        "report-jobs", "schema settings",
        f"no schema (ENCODING_UNSPECIFIED); expected projects/{pubsub_project}/schemas/report-jobs-schema (BINARY)")


def test_existing_schema_by_name(pubsub_emulator: str, pubsub_project: str, tmp_path: Path) -> None:
    name = f"projects/{pubsub_project}/schemas/shared-report"
    spec = schema_spec(pubsub_project, tmp_path, {"name": name, "encoding": "json"})
    with pytest.raises(PubSubError, match=f"^topic report-jobs: schema {name} does not exist; queuekit creates only "
                                          "schemas given by definition$"):
        local_pubsub.up(spec, pubsub_emulator)
    c = local_pubsub.clients(spec, pubsub_emulator)
    c.schemas.create_schema(request={"parent": f"projects/{pubsub_project}", "schema_id": "shared-report",
                                     "schema": {"type_": "AVRO", "definition": json.dumps(AVSC)}})
    assert local_pubsub.up(spec, pubsub_emulator)[:2] == [
        f"schema {name} exists", f"created topic projects/{pubsub_project}/topics/report-jobs"]
    assert c.publisher.get_topic(topic=c.topic("report-jobs")).schema_settings.schema == name
    assert [ch for ch in local_pubsub.verify(spec, pubsub_emulator) if not ch.ok] == []


def test_protobuf_is_not_implemented_by_the_emulator(pubsub_emulator: str, pubsub_project: str,
                                                     tmp_path: Path) -> None:
    spec = schema_spec(pubsub_project, tmp_path, {"type": "protobuf", "definition": "report.proto"})
    with pytest.raises(PubSubError) as err:
        local_pubsub.up(spec, pubsub_emulator)
    assert str(err.value) == (f"creating projects/{pubsub_project}/schemas/report-jobs-schema: Protocol buffer "
                              "support not implemented in emulator")
