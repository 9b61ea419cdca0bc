"""What each provider accepts, checked before deploy because local emulators accept more.

moto takes a 99,999 s visibility timeout and a 10 s retention; AWS rejects both at
``pulumi up`` time, minutes into a deploy. Every limit here cites the provider's documented
quota (see README "Spec reference"); the validator reports a spec that breaks one as an error.
"""

from __future__ import annotations

import re

DAY = 86400

# (min, max) in the model's units (seconds, bytes, counts). None: no such setting on the backend.
LIMITS: dict[str, dict[str, tuple[int, int] | None]] = {
    "sqs": {  # Amazon SQS developer guide, "Quotas" and CreateQueue attributes
        "visibility_timeout": (0, 12 * 3600),
        "retention": (60, 14 * DAY),
        "dlq_retention": (60, 14 * DAY),
        "delay": (0, 900),
        "max_message_size": (1024, 1024 * 1024),
        "max_deliveries": (1, 1000),
        "batch": (1, 10),
        "data_key_reuse": (60, DAY),
    },
    "pubsub": {  # Pub/Sub "Quotas and limits" and Subscription REST reference
        "visibility_timeout": (10, 600),
        "retention": (600, 7 * DAY),
        "dlq_retention": (600, 7 * DAY),
        "topic_retention": (600, 31 * DAY),
        "max_deliveries": (5, 100),
        "backoff": (0, 600),
        "expiration": (DAY, 365 * DAY),
        "max_message_size": (1, 10_000_000),
        "batch": (1, 1000),
    },
    "rabbitmq": {
        "retention": (1, 365 * DAY),
        "dlq_retention": (1, 365 * DAY),
        "max_message_size": (1, 512 * 1024 * 1024),
        "max_deliveries": (1, 100_000),
        "batch": (1, 1000),
    },
    "kafka": {
        "retention": (60, 10 * 365 * DAY),
        "dlq_retention": (60, 10 * 365 * DAY),
        "topic_retention": (60, 10 * 365 * DAY),
        "max_message_size": (1, 1024 * 1024 * 1024),
        "max_deliveries": (1, 1000),
        "batch": (1, 100_000),
    },
}

DEFAULTS: dict[str, dict[str, int | None]] = {
    "sqs": {"visibility_timeout": 30, "retention": 4 * DAY, "dlq_retention": 14 * DAY,
            "max_message_size": 1024 * 1024, "max_deliveries": 5},
    "pubsub": {"visibility_timeout": 30, "retention": 7 * DAY, "dlq_retention": 7 * DAY,
               "max_message_size": 10_000_000, "max_deliveries": 5},
    "rabbitmq": {"visibility_timeout": 0, "retention": None, "dlq_retention": 14 * DAY,
                 "max_message_size": 16 * 1024 * 1024, "max_deliveries": 5},
    "kafka": {"visibility_timeout": 0, "retention": 7 * DAY, "dlq_retention": 14 * DAY,
              "max_message_size": 1024 * 1024, "max_deliveries": 5},
}

# Which optional fields mean something on which backend; anything else is an error, never ignored.
QUEUE_FIELDS: dict[str, frozenset[str]] = {
    "region": frozenset({"sqs", "pubsub"}),
    "fifo": frozenset({"sqs"}),
    "high_throughput_fifo": frozenset({"sqs"}),
    "content_based_deduplication": frozenset({"sqs"}),
    "delay": frozenset({"sqs"}),
    "visibility_timeout": frozenset({"sqs", "pubsub"}),
    "ack_deadline": frozenset({"pubsub"}),
    "filter": frozenset({"pubsub"}),
    "ordering": frozenset({"pubsub"}),
    "exactly_once": frozenset({"pubsub"}),
    "min_backoff": frozenset({"pubsub"}),
    "max_backoff": frozenset({"pubsub"}),
    "expiration": frozenset({"pubsub"}),
    "push_endpoint": frozenset({"pubsub"}),
    "push_service_account": frozenset({"pubsub"}),
    "push_audience": frozenset({"pubsub"}),
    "queue_type": frozenset({"rabbitmq"}),
    "partitions": frozenset({"kafka"}),
    "replication": frozenset({"kafka"}),
    "min_insync_replicas": frozenset({"kafka"}),
    "schema": frozenset({"pubsub"}),
}
TOPIC_FIELDS: dict[str, frozenset[str]] = {
    "region": frozenset({"sqs", "pubsub"}),
    "fifo": frozenset({"sqs"}),
    "retention": frozenset({"pubsub", "kafka"}),
    "queue_type": frozenset({"rabbitmq"}),
    "partitions": frozenset({"kafka"}),
    "replication": frozenset({"kafka"}),
    "min_insync_replicas": frozenset({"kafka"}),
    "schema": frozenset({"pubsub"}),
}
SUBSCRIPTION_FIELDS: dict[str, frozenset[str]] = {
    "raw_delivery": frozenset({"sqs"}),
    "filter": frozenset({"sqs", "pubsub"}),
    "visibility_timeout": frozenset({"sqs", "pubsub"}),
    "ack_deadline": frozenset({"pubsub"}),
    **{k: frozenset({"pubsub"}) for k in ("ordering", "exactly_once", "min_backoff", "max_backoff", "expiration",
                                          "push_endpoint", "push_service_account", "push_audience")},
}

NAME_RULES: dict[str, tuple[re.Pattern[str], int, str]] = {
    "sqs": (re.compile(r"[A-Za-z0-9_-]+"), 80, "letters, digits, '-' and '_'"),
    "pubsub": (re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]*"), 255,
               "3-255 characters: start with a letter, then letters, digits and - _ . ~ + %"),
    "rabbitmq": (re.compile(r"[A-Za-z0-9._:-]+"), 255, "letters, digits and . _ : -"),
    "kafka": (re.compile(r"[a-zA-Z0-9._-]+"), 249, "letters, digits, '.', '_' and '-'"),
}
SNS_TOPIC_MAX = 256
PUBSUB_FILTER_MAX = 256  # bytes; Pub/Sub rejects longer filters, the emulator does not
# Pub/Sub "Schema overview" (cloud.google.com/pubsub/docs/schemas), "Schema quotas and limits": "The size of
# the schema definition field must not exceed 300 KB" (some older translations of that page still say 50 KB).
# Google's KB is 1,000 bytes (10 MB messages are 10,000,000 B above), so this is the stricter reading.
PUBSUB_SCHEMA_MAX = 300_000
PUBSUB_SCHEMA_SUFFIX = "-schema"  # a created schema is named <topic>-schema
PUBSUB_SCHEMA_NAME = re.compile(r"projects/[^/]+/schemas/[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")

AWS_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+")
GCP_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]+")
GCP_PROJECT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")

PRINCIPAL_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "sqs": (re.compile(r"\*|arn:aws[a-z-]*:iam::[0-9]{12}:(root|(role|user)/[\w+=,.@/-]{1,512})"),
            "an IAM role or user ARN (arn:aws:iam::123456789012:role/NAME)"),
    "pubsub": (re.compile(r"allUsers|allAuthenticatedUsers"
                          r"|(serviceAccount|user|group|domain|principal|principalSet):\S+"),
               "an IAM member (serviceAccount:..., group:..., user:...)"),
    "rabbitmq": (re.compile(r"[A-Za-z0-9._@-]{1,64}"), "a user name (letters, digits, . _ @ -; at most 64)"),
    "kafka": (re.compile(r"[A-Za-z0-9._@-]{1,64}"), "a SCRAM user name (letters, digits, . _ @ -; at most 64)"),
}

KMS_KEY_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "sqs": (re.compile(r"create|alias/[\w/-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[\w/-]+"),
            "a KMS key ARN, alias/NAME, or 'create'"),
    "pubsub": (re.compile(r"projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+"),
               "a Cloud KMS key name (projects/P/locations/L/keyRings/R/cryptoKeys/K)"),
}

NOTIFY_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an email address"),
    "sns_topic_arn": (re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?"),
                      "an SNS topic ARN"),
    "gcp_channel": (re.compile(r"projects/[^/]+/notificationChannels/[^/]+"),
                    "a notification channel name (projects/P/notificationChannels/ID)"),
}
NOTIFY_CLOUDS = {"email": {"aws", "gcp"}, "sns_topic_arn": {"aws"}, "gcp_channel": {"gcp"}}
