"""One case per error class: the happy-path spec with one field changed, the exact message."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import DELETE, changed, errors, messages, spec_dict

from queuekit.model import PubSubSchema

CASES = [
    # unknown keys and types (schema pass)
    ("queues.0.visibilty_timeout", "60s",
     {("queues[0].visibilty_timeout", "unknown field 'visibilty_timeout'; did you mean 'visibility_timeout'?")}),
    ("budgett", {"monthly_usd": 1}, {("budgett", "unknown field 'budgett'; did you mean 'budget'?")}),
    ("queues.0.fifo", "yes", {("queues[0].fifo", "must be true or false, not a string ('yes')")}),
    ("queues.0.backend", "sqss",
     {("queues[0].backend", "'sqss' is not one of: sqs, pubsub, rabbitmq, kafka; did you mean 'sqs'?")}),
    ("version", 2, {("version", "must be 1, not 2")}),
    ("project", "Shop!", {("project", "'Shop!' is not a valid project name: lowercase letters, digits and dashes, "
                                      "starting with a letter")}),
    ("queues.0.name", DELETE, {("queues[0]", "missing required field 'name'")}),
    ("queues.0.encryption", "aes", {("queues[0].encryption", "'aes' is not one of: managed, none")}),
    ("queues.0.alarms", "of", {("queues[0].alarms", "'of' is not one of: off; did you mean 'off'?")}),
    ("queues.0.alarms", {"dlq_messages": 0},
     {("queues[0].alarms.dlq_messages", "0 is out of range: must be at least 1")}),
    ("notify.oncall", {"email": "a@b.co", "gcp_channel": "projects/p/notificationChannels/1"},
     {("notify.oncall", "give exactly one of: email, gcp_channel, sns_topic_arn")}),
    # units
    ("queues.0.retention", "5 parsecs",
     {("queues[0].retention", "'5 parsecs' is not a duration: use a number and a unit ms, s, m, h, d or w "
                              "(e.g. 90s, 15m, 4d)")}),
    ("queues.0.retention", 60,
     {("queues[0].retention", "60 is not a duration: use a number and a unit ms, s, m, h, d or w (e.g. 90s, 15m, 4d)")}),
    ("queues.0.volume.message_size", "2 kilos",
     {("queues[0].volume.message_size", "'2 kilos' is not a size: use a number and a unit B, KB, MB, GB, TB, KiB, "
                                        "MiB, GiB or TiB")}),
    # SQS limits that moto does not enforce
    ("brokers.events.tls", False,
     {("brokers.events.tls", "Kafka clusters always listen with TLS (SASL_SSL on 9093); remove 'tls: false'")}),
    ("queues.0.visibility_timeout", "99999s",
     {("queues[0].visibility_timeout", "visibility_timeout 99999s is out of range for sqs: must be 0s to 12h")}),
    ("queues.0.retention", "10s", {("queues[0].retention", "retention 10s is out of range for sqs: must be 1m to 14d")}),
    ("queues.0.retention", "15d", {("queues[0].retention", "retention 15d is out of range for sqs: must be 1m to 14d")}),
    ("queues.0.delay", "901s", {("queues[0].delay", "delay 901s is out of range for sqs: must be 0s to 15m")}),
    ("queues.0.max_message_size", "2MiB",
     {("queues[0].max_message_size", "max_message_size 2,097,152 B is out of range for sqs: must be 1,024 B to "
                                     "1,048,576 B")}),
    ("queues.0.dead_letter", {"max_receives": 5000},
     {("queues[0].dead_letter.max_receives", "max_receives 5,000 is out of range for sqs: must be 1 to 1,000")}),
    ("queues.0.volume.receive_batch", 20,
     {("queues[0].volume.receive_batch", "receive_batch 20 is out of range for sqs: must be 1 to 10")}),
    # Pub/Sub limits (the emulator enforces these too)
    ("queues.1.visibility_timeout", "700s",
     {("queues[1].visibility_timeout", "ack deadline 700s is out of range for pubsub: must be 10s to 10m")}),
    ("queues.0.ack_deadline", "60s",
     {("queues[0].ack_deadline", "'ack_deadline' is not supported on backend sqs; it applies to pubsub "
                                 "(SQS: use visibility_timeout)")}),
    ("topics.1.subscriptions.0.dead_letter", {"max_deliveries": 3},
     {("topics[1].subscriptions[0].dead_letter.max_deliveries",
       "max_deliveries 3 is out of range for pubsub: must be 5 to 100")}),
    ("queues.1.retention", "30d",
     {("queues[1].retention", "retention 30d is out of range for pubsub: must be 10m to 7d")}),
    ("topics.1.retention", "32d",
     {("topics[1].retention", "topic retention 32d is out of range for pubsub: must be 10m to 31d")}),
    ("queues.1.expiration", "1h",
     {("queues[1].expiration", "expiration 1h is out of range for pubsub: must be 1d to 365d")}),
    ("queues.1.filter", 'attributes.k = "' + "é" * 120 + '"',  # 137 characters, 257 bytes
     {("queues[1].filter", "filter is 257 bytes; Pub/Sub allows at most 256")}),
    # names
    ("queues.1.name", "1x", {("queues[1].name", "'1x' is not a valid pubsub name: 3-255 characters: start with a "
                                                "letter, then letters, digits and - _ . ~ + %")}),
    ("queues.1.name", "google-jobs", {("queues[1].name", "'google-jobs' starts with 'goog', which Pub/Sub reserves")}),
    ("queues.0.name", "image resize",
     {("queues[0].name", "'image resize' is not a valid sqs name: letters, digits, '-' and '_'")}),
    ("queues.0.name", "a" * 78,
     {("queues[0].name", f"derived name '{'a' * 78}-dlq' is 82 characters; sqs allows at most 80")}),
    ("queues.0.name", "jobs.fifo",
     {("queues[0].name", "write 'jobs' without '.fifo': queuekit adds the suffix to FIFO queues")}),
    ("queues.3.name", "click stream",
     {("queues[3].name", "'click stream' is not a valid kafka name: letters, digits, '.', '_' and '-'")}),
    ("queues.1.name", "image-resize",
     {("queues[1].name", "duplicate name 'image-resize' (first used at line 33); names are unique per spec")}),
    # Kafka
    ("queues.3.replication", 4, {("queues[3].replication", "replication 4 exceeds the broker's 3 nodes")}),
    ("queues.3.min_insync_replicas", 4,
     {("queues[3].min_insync_replicas", "min_insync_replicas 4 exceeds replication 3")}),
    ("queues.3.partitions", 0, {("queues[3].partitions", "0 is out of range: must be at least 1")}),
    # structure and references
    ("queues.0.dead_letter", {"target": "image-resize"},
     {("queues[0].dead_letter.target", "a queue cannot dead-letter into itself ('image-resize')")}),
    ("queues.0.dead_letter", {"target": "nope"},
     {("queues[0].dead_letter.target", "dead-letter target 'nope' is not a queue in this spec")}),
    ("queues.2.broker", "nope", {("queues[2].broker", "broker 'nope' is not declared under brokers (events, jobs)")}),
    ("queues.2.broker", "events", {("queues[2].broker", "broker 'events' runs kafka, not rabbitmq")}),
    ("queues.2.broker", DELETE,
     {("queues[2]", "backend rabbitmq needs 'broker': the name of a brokers entry with engine rabbitmq")}),
    ("defaults.alarms.notify", ["pager"],
     {("defaults.alarms.notify[0]", "notify target 'pager' is not declared under notify (oncall)")}),
    ("queues.1.fifo", True,
     {("queues[1].fifo", "'fifo' is not supported on backend pubsub; it applies to sqs (Pub/Sub: use ordering: "
                         "true; Kafka orders within a partition)")}),
    ("queues.0.high_throughput_fifo", True,
     {("queues[0].high_throughput_fifo", "'high_throughput_fifo' needs fifo: true")}),
    ("queues.0.volume.messages_per_second", 5,
     {("queues[0].volume.messages_per_second", "give messages_per_month or messages_per_second, not both")}),
    ("queues.0.volume.peak_messages_per_second", 1,
     {("queues[0].volume.peak_messages_per_second", "peak 1/s is below the average rate 9.893/s")}),
    ("queues.0.producers", ["api-role"],
     {("queues[0].producers[0]", "'api-role' is not an IAM role or user ARN (arn:aws:iam::123456789012:role/NAME)")}),
    ("brokers.events.allowed_cidrs", ["10.0.0.1/8"],
     {("brokers.events.allowed_cidrs[0]", "'10.0.0.1/8' is not a network in CIDR form: 10.0.0.1/8 has host bits set")}),
    ("queues.0.region", "us-central1", {("queues[0].region", "'us-central1' is not an AWS region")}),
    ("queues.0.encryption", {"kms_key": "mykey"},
     {("queues[0].encryption.kms_key", "'mykey' is not a KMS key ARN, alias/NAME, or 'create'")}),
    ("brokers.jobs.nodes", 2,
     {("brokers.jobs.nodes", "2 RabbitMQ nodes cannot keep a quorum majority through a partition any better than 1; "
                             "use an odd number")}),
]


@pytest.mark.parametrize(("path", "value", "expected"), CASES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES])
def test_one_change_gives_exactly_this_error(path: str, value: object, expected: set[tuple[str, str]]) -> None:
    assert messages(changed(path, value)) == expected


def test_the_happy_path_is_valid() -> None:
    from factories import load

    spec = load(spec_dict())
    assert [q.name for q in spec.queues] == ["image-resize", "report-jobs", "email-send", "clickstream"]


def test_error_line_is_located_at_the_offending_node() -> None:
    raw = b"""version: 1
project: shop
defaults: {aws_region: us-east-1}
queues:
  - name: jobs
    backend: sqs
    visibility_timeout: 99999s
"""
    [diag] = errors(raw, "stacks/x.yaml")
    assert str(diag) == ("stacks/x.yaml:7:25: error: queues[0].visibility_timeout: visibility_timeout 99999s is out "
                         "of range for sqs: must be 0s to 12h")


def test_all_errors_are_reported_at_once_sorted_by_line() -> None:
    d = changed("queues.0.visibility_timeout", "99999s")
    d["queues"][1]["visibility_timeout"] = "700s"
    d["queues"][3]["replication"] = 9
    lines = [e.line for e in errors(d)]
    assert len(lines) == 3 and lines == sorted(lines)


def test_fifo_queue_must_dead_letter_into_a_fifo_queue() -> None:
    d = spec_dict()
    d["queues"].append({"name": "payments", "backend": "sqs", "fifo": True, "dead_letter": {"target": "image-resize"}})
    assert messages(d) == {("queues[4].dead_letter.target",
                            "a FIFO queue must dead-letter into a FIFO queue; 'image-resize' is not")}


def test_generated_dlq_name_may_not_collide_with_a_declared_queue() -> None:
    d = spec_dict()
    d["queues"].append({"name": "image-resize-dlq", "backend": "sqs"})
    assert messages(d) == {("queues[4].name", "queue 'image-resize-dlq' would be named 'image-resize-dlq', which is "
                                              "already the dead-letter queue of 'image-resize'")}


def test_notify_target_of_the_wrong_cloud_is_rejected() -> None:
    d = changed("notify.gcp", {"gcp_channel": "projects/p/notificationChannels/1"})
    d["queues"][0]["alarms"] = {"notify": ["gcp"]}
    assert messages(d) == {("queues[0].alarms.notify[0]", "notify target 'gcp' (gcp_channel) cannot receive aws alarms")}


def test_duplicate_keys_are_errors_not_last_one_wins() -> None:
    [diag] = errors(b"version: 1\nproject: shop\nproject: other\n")
    assert (diag.line, diag.path, diag.message) == (3, "project", "duplicate key 'project' (first at line 2)")


# Pub/Sub topic schemas: the definition file is read relative to the spec file.
AVSC = '{"type": "record", "name": "Report", "fields": [{"name": "id", "type": "string"}]}'
SCHEMA_NAME = "projects/shop-prod-4821/schemas/report-job"
SCHEMA_CASES = [
    ("queues.0.schema", {"name": SCHEMA_NAME},
     {("queues[0].schema", "'schema' is not supported on backend sqs; it applies to pubsub")}),
    ("queues.1.schema", {"type": "avro", "definition": "report.avsc", "name": SCHEMA_NAME},
     {("queues[1].schema.name", "give definition (a schema file to create) or name (an existing schema), not both")}),
    ("queues.1.schema", {"encoding": "json"},
     {("queues[1].schema", "give definition (a schema file to create) or name (an existing schema)")}),
    ("queues.1.schema", {"definition": "report.avsc"},
     {("queues[1].schema", "missing required field 'type' (avro or protobuf) for a schema definition")}),
    ("topics.1.schema", {"type": "avro", "name": SCHEMA_NAME},
     {("topics[1].schema.type", "'type' goes with definition; an existing schema (name) has its own type")}),
    ("topics.1.schema", {"name": "projects/shop-prod-4821/schemas/1x"},
     {("topics[1].schema.name", "'projects/shop-prod-4821/schemas/1x' is not a schema name: "
                                "projects/PROJECT/schemas/ID (ID: 3-255 characters: start with a letter, then "
                                "letters, digits and - _ . ~ + %)")}),
    ("topics.1.schema", {"type": "json", "definition": "report.avsc"},
     {("topics[1].schema.type", "'json' is not one of: avro, protobuf")}),
    ("topics.1.schema", {"name": SCHEMA_NAME, "encoding": "text"},
     {("topics[1].schema.encoding", "'text' is not one of: json, binary")}),
    ("topics.1.schema", {"type": "avro", "definition": "missing.avsc"},
     {("topics[1].schema.definition", "cannot read schema file 'missing.avsc' (relative to the spec file): "
                                      "No such file or directory")}),
    ("topics.1.schema", {"type": "avro", "definition": "big.avsc"},
     {("topics[1].schema.definition", "schema file 'big.avsc' is 300,001 bytes; Pub/Sub allows at most "
                                      "300,000 bytes (300 KB)")}),
    ("topics.1.schema", {"type": "protobuf", "definition": "latin1.proto"},
     {("topics[1].schema.definition", "schema file 'latin1.proto' is not UTF-8 text (byte 3)")}),
    ("topics.1.schema", {"type": "avro", "definition": "report.proto"},
     {("topics[1].schema.definition", "schema file 'report.proto' is not an Avro schema: Avro schemas are JSON "
                                      "(Expecting value at line 1 column 1)")}),
    ("queues.1.name", "q" * 249,  # its DLQ's name fits (253), its schema's does not
     {("queues[1].name", f"derived name '{'q' * 249}-schema' is 256 characters; pubsub allows at most 255")}),
]
PROTO = 'syntax = "proto3";\nmessage Report {\n  string id = 1;\n}\n'


def schema_dir(tmp_path: Path) -> Path:
    """A spec directory with the schema files the cases name."""
    (tmp_path / "report.avsc").write_text(AVSC)
    (tmp_path / "report.proto").write_text(PROTO)
    (tmp_path / "big.avsc").write_text(AVSC + " " * (300_001 - len(AVSC)))
    (tmp_path / "latin1.proto").write_bytes(b"// \xe9t\xe9\n" + PROTO.encode())
    return tmp_path


@pytest.mark.parametrize(("path", "value", "expected"), SCHEMA_CASES,
                         ids=[f"{c[0]}={c[1]!r}"[:60] for c in SCHEMA_CASES])
def test_schema_errors(tmp_path: Path, path: str, value: object, expected: set[tuple[str, str]]) -> None:
    d = changed(path, value)
    if path == "queues.1.name":
        d["queues"][1]["schema"] = {"type": "avro", "definition": "report.avsc"}
    spec_file = str(schema_dir(tmp_path) / "spec.yaml")
    assert {(e.path, e.message) for e in errors(d, spec_file)} == expected


def test_schema_definition_is_read_relative_to_the_spec_file(tmp_path: Path) -> None:
    from factories import load

    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "report.avsc").write_text(AVSC + " " * (300_000 - len(AVSC)))  # exactly the limit
    (tmp_path / "stacks").mkdir()
    d = changed("queues.1.schema", {"type": "avro", "definition": "../schemas/report.avsc"})
    d["topics"][1]["schema"] = {"name": SCHEMA_NAME, "encoding": "binary"}
    spec = load(d, str(tmp_path / "stacks" / "shop.yaml"))
    assert spec.queues[1].schema == PubSubSchema(encoding="json", type="avro",
                                                 definition=AVSC + " " * (300_000 - len(AVSC)))
    assert spec.topics[1].schema == PubSubSchema(encoding="binary", name=SCHEMA_NAME)
    assert spec.queues[0].schema is None


def test_schema_error_is_located(tmp_path: Path) -> None:
    raw = b"""version: 1
project: shop
queues:
  - name: report-jobs
    backend: pubsub
    schema: {type: avro, definition: nope.avsc}
"""
    [diag] = errors(raw, str(tmp_path / "x.yaml"))
    assert str(diag) == (f"{tmp_path / 'x.yaml'}:6:38: error: queues[0].schema.definition: cannot read schema file "
                         "'nope.avsc' (relative to the spec file): No such file or directory")


# SNS filter policies (topics[0] is the sqs topic; its subscription 1 has a filter): AWS refuses these, moto mostly not
F = "topics.0.subscriptions.1.filter"
FP = "topics[0].subscriptions[1].filter"
OPS = "anything-but, cidr, equals-ignore-case, exists, numeric, prefix, suffix"
SNS_FILTER_CASES = [
    ({"region": "eu"},
     {(f"{FP}.region", '\'eu\' must be a list of values (AWS filter policies match arrays): use ["eu"]')}),
    ({"size": 5}, {(f"{FP}.size", "5 must be a list of values (AWS filter policies match arrays): use [5]")}),
    ({"region": {"prefix": "eu"}},
     {(f"{FP}.region", '{"prefix": "eu"} must be a list of values (AWS filter policies match arrays): '
                       'use [{"prefix": "eu"}]')}),
    ({"order": {"region": ["eu"]}},
     {(f"{FP}.order", "nested filter policies need the MessageBody filter scope; queuekit subscribes with the "
                      "default MessageAttributes scope, where AWS rejects nesting: match a message attribute "
                      "with a list of values")}),
    ({"region": [["eu"]]},
     {(f"{FP}.region[0]", '["eu"] is not a filter value: use a string, a number, true, false, null or an operator '
                          "object")}),
    ({"region": [{"contains": "eu"}]},
     {(f"{FP}.region[0].contains", f"unknown operator 'contains'; SNS filter policies support: {OPS}")}),
    ({"region": [{"prefix": "eu", "suffix": "1"}]},
     {(f"{FP}.region[0]", "an operator object holds exactly one operator, not 2: give each operator as its own "
                          "list item")}),
    ({"region": [{"prefix": 1}]}, {(f"{FP}.region[0].prefix", "prefix takes a string, not 1")}),
    ({"region": [{"equals-ignore-case": ["eu"]}]},
     {(f"{FP}.region[0].equals-ignore-case", 'equals-ignore-case takes a string, not ["eu"]')}),
    ({"region": [{"exists": "yes"}]}, {(f"{FP}.region[0].exists", 'exists takes true or false, not "yes"')}),
    ({"ip": [{"cidr": "10.0.0.300/8"}]},
     {(f"{FP}.ip[0].cidr", 'cidr takes an IP address or CIDR block such as "10.0.0.0/24", not "10.0.0.300/8"')}),
    ({"region": [{"anything-but": {"suffix": "-1"}}]},
     {(f"{FP}.region[0].anything-but",
       'anything-but takes a string, a number, a list of them or {"prefix": "..."}, not {"suffix": "-1"}')}),
    ({"price": [{"numeric": [">", 5, "<"]}]},
     {(f"{FP}.price[0].numeric", 'numeric takes [operator, number] or a range [">", low, "<=", high], '
                                 'not [">", 5, "<"]')}),
    ({"price": [{"numeric": ["!=", "5"]}]},
     {(f"{FP}.price[0].numeric[0]", '"!=" is not a numeric operator: use =, <, <=, >, >='),
      (f"{FP}.price[0].numeric[1]", '"5" is not a number (write it without quotes)')}),
    ({"price": [{"numeric": ["<", 5, ">", 1]}]},
     {(f"{FP}.price[0].numeric", 'a numeric range is a lower bound (">" or ">=") then an upper bound ("<" or "<="), '
                                 'not ["<", 5, ">", 1]')}),
    ({"price": [{"numeric": [">", 10, "<=", 10]}]},
     {(f"{FP}.price[0].numeric",
       'the numeric range [">", 10, "<=", 10] is empty: the lower bound must be below the upper bound')}),
    ({"price": [{"numeric": ["<", 2000000000]}]},
     {(f"{FP}.price[0].numeric[1]", "2000000000 is outside the numbers SNS can match: -1,000,000,000 to "
                                    "1,000,000,000")}),
    ({"$or": [{"region": ["eu"]}]},
     {(f"{FP}.$or", "'$or' takes a list of at least 2 filter policies (mappings), each one alternative")}),
    ({f"k{i}": ["x"] for i in range(6)}, {(FP, "6 keys; an SNS filter policy has at most 5")}),
    ({"a": ["x"], "b": ["x"], "$or": [{"c": ["x"]}, {"d": ["x"], "e": ["x"], "f": ["x"], "g": ["x"]}]},
     {(FP, "6 keys (counting the keys outside '$or' with the largest branch); an SNS filter policy has at most 5")}),
    ({"a": [str(i) for i in range(8)], "b": [str(i) for i in range(20)]},
     {(FP, "the value lists combine to 160 (8 × 20: the product of the list lengths); SNS allows at most 150")}),
    ({"a": ["x" * 270_000]}, {(FP, "filter policy is 270,010 bytes as JSON; SNS allows at most 262,144 (256 KB)")}),
]


@pytest.mark.parametrize(("policy", "expected"), SNS_FILTER_CASES, ids=[repr(c[0])[:50] for c in SNS_FILTER_CASES])
def test_sns_filter_policy_errors(policy: dict[str, object], expected: set[tuple[str, str]]) -> None:
    assert messages(changed(F, policy)) == expected


VALID_SNS_FILTERS = [
    {"region": ["eu", "us"], "size": [5, 2.5], "flag": [True, False, None]},
    {"region": [{"prefix": "eu-"}, {"suffix": "-1"}, {"equals-ignore-case": "EU"}]},
    {"region": [{"anything-but": "eu"}], "size": [{"anything-but": [1, 2]}], "tier": [{"anything-but": {"prefix": "t"}}]},
    {"price": [{"numeric": ["=", 301.5]}, {"numeric": [">", 0, "<=", 150]}, {"numeric": [">=", -1000000000]}]},
    {"store": [{"exists": True}], "promo": [{"exists": False}], "ip": [{"cidr": "10.0.0.0/24"}, {"cidr": "::1"}]},
    {"source": ["shop"], "$or": [{"region": ["eu"]}, {"size": [{"numeric": [">", 5]}]}]},
    {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(15)]},  # exactly 150 combinations
    {f"k{i}": ["x"] for i in range(5)},
]


@pytest.mark.parametrize("policy", VALID_SNS_FILTERS, ids=[repr(p)[:50] for p in VALID_SNS_FILTERS])
def test_documented_sns_filter_forms_are_valid(policy: dict[str, object]) -> None:
    from factories import load

    assert load(changed(F, policy)).topics[0].subscriptions[1].filter_policy == policy


# Pub/Sub filter syntax: Google rejects a malformed filter only at create time, the emulator never does.
PUBSUB_VALID_FILTERS = [
    'attributes.region = "eu"',
    'attributes:region',
    'hasPrefix(attributes.domain, "co")',
    'NOT (attributes.region = "eu" OR attributes.region = "us") AND -attributes:test',
    'attributes."iana.org/language_tag" != "en" AND hasPrefix(attributes.ce-source, "baz\\"/")',
]
PUBSUB_FILTER_CASES = [
    ('attributes:region AND attributes.tier = "gold" OR attributes:vip',
     'OR at column 48 follows AND: AND and OR cannot be mixed without parentheses, e.g. (a AND b) OR c'),
    ("attributes.region = 'eu'", 'values are double-quoted strings ("..."), not single-quoted, at column 21'),
    ('attributes.region "eu"', "expected '=' or '!=' after attributes.region at column 19"),
    ('hasSuffix(attributes.domain, "com")',
     'unknown function \'hasSuffix\' at column 1; the only function is hasPrefix(attributes.KEY, "prefix")'),
    ('attributes:region garbage', "expected AND, OR or the end of the filter at column 19, found 'garbage'"),
    ('attributes:a and attributes:b', "boolean operators are upper case: write AND, not 'and', at column 14"),
    ('(attributes:a OR attributes:b', "expected AND, OR or ')' at column 30, found the end of the filter"),
    ('attributes.n = 5', "expected a double-quoted string after '=' at column 16, found '5'"),
    ('hasPrefix(attributes:a, "x")', "expected '.' after attributes at column 21"),
    ('attributes.a = "open', "unterminated string starting at column 16"),
]


@pytest.mark.parametrize("flt", PUBSUB_VALID_FILTERS)
def test_valid_pubsub_filters_load(flt: str) -> None:
    from factories import load

    d = changed("queues.1.filter", flt)
    d["topics"][1]["subscriptions"][0]["filter"] = flt
    spec = load(d)
    assert (spec.queues[1].pubsub.filter, spec.topics[1].subscriptions[0].pubsub.filter) == (flt, flt)


@pytest.mark.parametrize(("flt", "message"), PUBSUB_FILTER_CASES, ids=[c[0] for c in PUBSUB_FILTER_CASES])
def test_malformed_pubsub_filter_is_reported_with_its_column(flt: str, message: str) -> None:
    assert messages(changed("queues.1.filter", flt)) == {("queues[1].filter", message)}
    assert messages(changed("topics.1.subscriptions.0.filter", flt)) == {
        ("topics[1].subscriptions[0].filter", message)}


def test_pubsub_filter_error_is_located_at_the_filter() -> None:
    raw = b"""version: 1
project: shop
defaults: {gcp_project: shop-prod-4821, gcp_region: us-central1}
queues:
  - name: report-jobs
    backend: pubsub
    filter: 'attributes.region "eu"'
"""
    [diag] = errors(raw, "stacks/x.yaml")
    assert str(diag) == ("stacks/x.yaml:7:13: error: queues[0].filter: expected '=' or '!=' after attributes.region "
                         "at column 19")


# A dead-letter target topic with a schema refuses forwarded messages that do not match it.
AVRO = {"type": "avro", "definition": "report.avsc"}
OTHER_NAME = "projects/shop-prod-4821/schemas/other-job"
ADVICE = "may not match it — dead-letter into a queue without a schema or with the same schema"
DLQ_SCHEMA_CASES = [  # (source schema, target schema, expected message or None)
    (None, AVRO, f"dead-letter target 'report-failures' enforces schema 'report.avsc' (avro, json encoding); "
                 f"messages from this topic (no schema) {ADVICE}"),
    ({"name": SCHEMA_NAME}, {"name": OTHER_NAME},
     f"dead-letter target 'report-failures' enforces schema '{OTHER_NAME}' (json encoding); messages from this "
     f"topic (schema '{SCHEMA_NAME}' (json encoding)) {ADVICE}"),
    ({"name": SCHEMA_NAME}, {"name": SCHEMA_NAME, "encoding": "binary"},
     f"dead-letter target 'report-failures' enforces schema '{SCHEMA_NAME}' (binary encoding); messages from this "
     f"topic (schema '{SCHEMA_NAME}' (json encoding)) {ADVICE}"),
    (AVRO, {"type": "avro", "definition": "copy.avsc"}, None),  # same definition text in another file
    ({"name": SCHEMA_NAME}, {"name": SCHEMA_NAME}, None),
    (AVRO, None, None),
]


@pytest.mark.parametrize(("source", "target", "expected"), DLQ_SCHEMA_CASES, ids=[str(i) for i in range(6)])
def test_dead_letter_target_with_another_schema(tmp_path: Path, source: dict[str, str] | None,
                                                target: dict[str, str] | None, expected: str | None) -> None:
    from factories import load

    spec_file = str(schema_dir(tmp_path) / "spec.yaml")
    (tmp_path / "copy.avsc").write_text(AVSC)
    d = changed("queues.1.dead_letter", {"target": "report-failures"})
    d["topics"][1]["subscriptions"][0]["dead_letter"] = {"target": "report-failures"}
    d["queues"].append({"name": "report-failures", "backend": "pubsub", "dead_letter": "none",
                        **({"schema": target} if target else {})})
    if source:
        d["queues"][1]["schema"], d["topics"][1]["schema"] = dict(source), dict(source)
    if expected is None:
        assert load(d, spec_file).queues[1].dead_letter.target == "report-failures"
    else:
        assert {(e.path, e.message) for e in errors(d, spec_file)} == {
            ("queues[1].dead_letter.target", expected), ("topics[1].subscriptions[0].dead_letter.target", expected)}
