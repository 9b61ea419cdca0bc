"""Writes queuekit.schema.json (draft 2020-12). Run: python tools/gen_schema.py

The schema is generated from this one readable Python description so that shared pieces
(durations, sizes, alarms, dead-lettering) are defined once; the JSON file is committed so that
editors (yaml-language-server) can use it without running anything, and a test asserts that
the committed file equals this generator's output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DURATION = r"^[0-9]+(\.[0-9]+)?(ms|s|m|h|d|w)([0-9]+(\.[0-9]+)?(ms|s|m|h|d|w))*$"
SIZE = r"^[0-9]+(\.[0-9]+)?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"


def ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def obj(props: dict, required: tuple[str, ...] = (), desc: str = "", **extra: object) -> dict:
    out: dict = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if desc:
        out["description"] = desc
    out.update(extra)
    return out


def d(schema: dict | str, desc: str) -> dict:
    base = ref(schema) if isinstance(schema, str) else dict(schema)
    if "$ref" in base:
        return {"allOf": [base], "description": desc}
    base["description"] = desc
    return base


INT = {"type": "integer"}
BOOL = {"type": "boolean"}
STR = {"type": "string", "minLength": 1, "maxLength": 2048}
NUM = {"type": "number", "minimum": 0, "maximum": 1e15}

DEFS = {
    "duration": {"type": "string", "pattern": DURATION,
                 "description": "A duration with a unit: ms, s, m, h, d, w (e.g. 90s, 15m, 4d, 1h30m)."},
    "size": {"type": "string", "pattern": SIZE,
             "description": "A size with a unit: B, KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024)."},
    "tags": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 256},
             "propertyNames": {"minLength": 1, "maxLength": 128},
             "description": "Key/value tags (AWS tags, GCP labels after normalisation)."},
    "principals": {"type": "array", "items": STR, "maxItems": 100,
                   "description": "IAM role/user ARNs (sqs), IAM members (pubsub), user names (rabbitmq/kafka)."},
    "encryption": {
        "description": "managed (provider keys, the default) | none | {kms_key: <ARN/GCP key name or 'create'>}.",
        "oneOf": [
            {"type": "string", "enum": ["managed", "none"]},
            obj({"kms_key": d(STR, "Customer key ARN (AWS), key name (GCP), or 'create'."),
                 "data_key_reuse": d("duration", "SQS/SNS data-key reuse period, 60s-24h (default 5m).")},
                required=("kms_key",)),
        ],
    },
    "dead_letter": {
        "description": "Dead-lettering (on by default) or 'none'.",
        "oneOf": [
            {"type": "string", "enum": ["none"]},
            obj({"max_receives": d(INT, "Deliveries before a message is dead-lettered (SQS 1-1000)."),
                 "max_deliveries": d(INT, "Same as max_receives (Pub/Sub wording, 5-100)."),
                 "retention": d("duration", "The DLQ's retention (default 14d; 7d on Pub/Sub)."),
                 "target": d(STR, "Dead-letter into this declared queue instead of a generated <name>-dlq.")}),
        ],
    },
    "alarms": {
        "description": "Alarm thresholds, or 'off'. Each threshold can also be 'off'.",
        "oneOf": [
            {"type": "string", "enum": ["off"]},
            obj({"dlq_messages": d({"oneOf": [{"type": "integer", "minimum": 1},
                                              {"type": "string", "enum": ["off"]}]},
                                   "Page when the DLQ holds at least this many messages (default 1)."),
                 "oldest_message_age": d({"oneOf": [ref("duration"), {"type": "string", "enum": ["off"]}]},
                                         "Page when the oldest message is this old (default 15m)."),
                 "backlog": d({"oneOf": [{"type": "integer", "minimum": 1},
                                         {"type": "string", "enum": ["off"]}]},
                              "Page when this many messages wait (consumer lag on Kafka; default 10000)."),
                 "notify": d({"type": "array", "items": STR, "maxItems": 20},
                             "Keys of `notify` that get paged.")}),
        ],
    },
    "volume": obj({
        "messages_per_month": d(NUM, "Messages per month (or messages_per_second)."),
        "messages_per_second": d(NUM, "Average messages per second (or messages_per_month)."),
        "peak_messages_per_second": d(NUM, "Peak rate; sizes brokers and partitions (default: the average)."),
        "message_size": d("size", "Average payload (default 1KiB)."),
        "publish_batch": d({"type": "integer", "minimum": 1, "maximum": 1000},
                           "Messages per publish request (SQS max 10; default 1)."),
        "receive_batch": d({"type": "integer", "minimum": 1, "maximum": 1000},
                           "Messages per receive request (SQS max 10; default 1)."),
        "pollers": d({"type": "integer", "minimum": 0, "maximum": 100000},
                     "Consumers long-polling (SQS empty receives; Kafka consumer instances)."),
    }, desc="Expected traffic: drives the cost estimate and broker sizing."),
    "pubsub_schema": obj({
        "type": d({"type": "string", "enum": ["avro", "protobuf"]}, "Schema type of definition (avro | protobuf)."),
        "definition": d(STR, "Schema file, relative to the spec file; queuekit creates the schema <topic>-schema."),
        "name": d(STR, "An existing schema instead: projects/<project>/schemas/<id>."),
        "encoding": d({"type": "string", "enum": ["json", "binary"]},
                      "How publishers encode messages: json (default) | binary."),
    }, desc="Pub/Sub topic schema: {type, definition} to create one, or {name} to use one; messages that do not "
            "match are rejected on publish."),
    "pubsub_options": {},  # filled below (shared by queues and subscriptions)
}

PUBSUB_PROPS = {
    "ordering": d(BOOL, "Pub/Sub message ordering (default false)."),
    "exactly_once": d(BOOL, "Pub/Sub exactly-once delivery (default false)."),
    "min_backoff": d("duration", "Pub/Sub retry policy minimum backoff, 0-600s (default 10s)."),
    "max_backoff": d("duration", "Pub/Sub retry policy maximum backoff, 0-600s (default 600s)."),
    "expiration": d({"oneOf": [ref("duration"), {"type": "string", "enum": ["never"]}]},
                    "Delete the subscription after this much inactivity (default never; >= 1d)."),
    "push_endpoint": d(STR, "Push subscription endpoint (https)."),
    "push_service_account": d(STR, "Service account whose OIDC token authenticates pushes."),
    "push_audience": d(STR, "OIDC audience for pushes (default: the endpoint)."),
}
del DEFS["pubsub_options"]

COMMON_QUEUE = {
    "visibility_timeout": d("duration", "SQS visibility timeout 0s-12h / Pub/Sub ack deadline 10s-600s (default 30s)."),
    "ack_deadline": d("duration", "Pub/Sub ack deadline 10s-600s (default 30s); the same as visibility_timeout."),
    "retention": d("duration", "Message retention (SQS 60s-14d, default 4d; Pub/Sub subscription 10m-7d)."),
    "dead_letter": ref("dead_letter"),
    "alarms": ref("alarms"),
}

QUEUE = obj({
    "name": d(STR, "Physical name (SQS adds .fifo for FIFO queues)."),
    "backend": d({"type": "string", "enum": ["sqs", "pubsub", "rabbitmq", "kafka"]}, "Where the queue lives."),
    "broker": d({"type": ["string", "null"]}, "A key of `brokers` (rabbitmq/kafka only)."),
    "region": d(STR, "Override the default region (sqs/pubsub)."),
    "fifo": d(BOOL, "SQS FIFO queue (default false)."),
    "high_throughput_fifo": d(BOOL, "SQS high-throughput FIFO: per-message-group throughput (default false)."),
    "content_based_deduplication": d(BOOL, "SQS FIFO content-based deduplication (default true for FIFO)."),
    **COMMON_QUEUE,
    "delay": d("duration", "SQS delivery delay 0s-15m (default 0s)."),
    "max_message_size": d("size", "Largest message (SQS 1KiB-1MiB, default 1MiB)."),
    "encryption": ref("encryption"),
    "producers": ref("principals"),
    "consumers": ref("principals"),
    "volume": ref("volume"),
    "tags": ref("tags"),
    "protect": d(BOOL, "Pulumi protect (default: true in prod)."),
    "schema": ref("pubsub_schema"),
    "filter": d(STR, "Pub/Sub subscription filter expression."),
    **PUBSUB_PROPS,
    "queue_type": d({"type": "string", "enum": ["quorum", "classic"]}, "RabbitMQ queue type (default quorum)."),
    "partitions": d({"type": "integer", "minimum": 1, "maximum": 100000}, "Kafka partitions (default: sizing rule)."),
    "replication": d({"type": "integer", "minimum": 1, "maximum": 100}, "Kafka replication (default min(3, nodes))."),
    "min_insync_replicas": d({"type": "integer", "minimum": 1, "maximum": 100},
                             "Kafka min.insync.replicas (default replication-1, at least 1)."),
}, required=("name", "backend"), desc="A point-to-point work queue with its dead-letter queue.")

SUBSCRIPTION = obj({
    "name": d(STR, "Subscription name (SQS queue <topic>-<name>)."),
    **COMMON_QUEUE,
    "consumers": ref("principals"),
    "filter": d({"type": ["string", "object"]}, "Pub/Sub filter expression, or SNS filter policy (object)."),
    "raw_delivery": d(BOOL, "SNS raw message delivery (default true)."),
    **PUBSUB_PROPS,
}, required=("name",), desc="A subscriber of a topic: receives every message.")

TOPIC = obj({
    "name": d(STR, "Topic name."),
    "backend": d({"type": "string", "enum": ["sqs", "pubsub", "rabbitmq", "kafka"]}, "Where the topic lives."),
    "broker": d({"type": ["string", "null"]}, "A key of `brokers` (rabbitmq/kafka only)."),
    "region": d(STR, "Override the default region (sqs/pubsub)."),
    "fifo": d(BOOL, "SNS FIFO topic with FIFO subscription queues (default false)."),
    "retention": d("duration", "Topic retention (Pub/Sub 10m-31d; Kafka retention.ms; default none/7d)."),
    "schema": ref("pubsub_schema"),
    "encryption": ref("encryption"),
    "subscriptions": {"type": "array", "items": SUBSCRIPTION, "minItems": 1, "maxItems": 100},
    "producers": ref("principals"),
    "volume": ref("volume"),
    "tags": ref("tags"),
    "protect": d(BOOL, "Pulumi protect (default: true in prod)."),
    "alarms": ref("alarms"),
    "dead_letter": ref("dead_letter"),
    "queue_type": QUEUE["properties"]["queue_type"],
    "partitions": QUEUE["properties"]["partitions"],
    "replication": QUEUE["properties"]["replication"],
    "min_insync_replicas": QUEUE["properties"]["min_insync_replicas"],
}, required=("name", "backend", "subscriptions"),
    desc="Fan-out: every subscription gets every message. alarms/dead_letter here are the subscriptions' defaults.")

BROKER = obj({
    "engine": d({"type": "string", "enum": ["rabbitmq", "kafka"]}, "Broker software."),
    "cloud": d({"type": "string", "enum": ["aws", "gcp"]}, "Where the VMs run."),
    "region": d(STR, "Region (default: defaults.aws_region/gcp_region/region)."),
    "nodes": d({"type": "integer", "minimum": 1, "maximum": 50}, "Broker VMs (default 3)."),
    "instance_type": d(STR, "'auto' (sizing rule) or a machine type (default auto)."),
    "disk": d("size", "Data disk per node (default 100GiB)."),
    "zones": d({"type": "array", "items": STR, "maxItems": 10},
               "Zones to spread over (default: the region's first 3)."),
    "allowed_cidrs": d({"type": "array", "items": STR, "maxItems": 50},
                       "Client networks admitted to the broker ports (default 10.0.0.0/8)."),
    "version": d(STR, "Broker version (default: the component's pinned version)."),
    "tls": d(BOOL, "TLS listeners (default true; Kafka clusters always use TLS)."),
    "tags": ref("tags"),
}, required=("engine", "cloud"), desc="A self-hosted cluster.")

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://queuekit.dev/schema/v1/queuekit.schema.json",
    "title": "queuekit spec v1",
    "description": "A queue topology: queues, fan-out topics, self-hosted brokers, alarm routing, budget.",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "project"],
    "properties": {
        "version": {"const": 1, "description": "Spec format version (1)."},
        "project": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,39}$",
                    "description": "Project name: lowercase letters, digits, dashes; at most 40."},
        "environment": {"type": "string", "enum": ["dev", "staging", "prod"],
                        "description": "dev (default) | staging | prod: prod protects data-holding resources."},
        "defaults": obj({
            "region": d(STR, "Default region for every backend."),
            "aws_region": d(STR, "Default AWS region (overrides region for sqs and aws brokers)."),
            "gcp_region": d(STR, "Default GCP region (overrides region for pubsub and gcp brokers)."),
            "gcp_project": d(STR, "GCP project id (default: the provider's configured project)."),
            "tags": ref("tags"),
            "alarms": ref("alarms"),
            "encryption": ref("encryption"),
            "dead_letter": ref("dead_letter"),
        }, desc="Values merged into every queue, topic and broker."),
        "notify": {"type": "object", "maxProperties": 50,
                   "description": "Alarm targets by name.",
                   "additionalProperties": obj({
                       "email": d(STR, "An email address."),
                       "sns_topic_arn": d(STR, "An existing SNS topic ARN."),
                       "gcp_channel": d(STR, "An existing Cloud Monitoring notification channel name."),
                   }, minProperties=1, maxProperties=1)},
        "brokers": {"type": "object", "maxProperties": 20, "additionalProperties": BROKER,
                    "description": "Self-hosted clusters by name."},
        "queues": {"type": "array", "items": QUEUE, "maxItems": 20000,
                   "description": "Point-to-point work queues, each with its DLQ, alarms and IAM."},
        "topics": {"type": "array", "items": TOPIC, "maxItems": 5000,
                   "description": "Fan-out topics with their subscriptions."},
        "budget": obj({"monthly_usd": d({"type": "number", "exclusiveMinimum": 0, "maximum": 1e12},
                                        "Monthly budget in USD; the policy pack fails above it.")},
                      required=("monthly_usd",), desc="The stack's monthly budget (checked by the policy pack)."),
    },
    "$defs": DEFS,
}


def main() -> int:
    out = Path(__file__).resolve().parent.parent / "queuekit.schema.json"
    out.write_text(json.dumps(SCHEMA, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
