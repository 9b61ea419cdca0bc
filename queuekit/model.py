"""The typed model of a queuekit spec: the hub every spoke reads.

The loader (``queuekit.spec``) turns a YAML file into these frozen dataclasses after the
JSON Schema and the semantic checks pass, so a spoke never sees raw YAML, never re-parses a
duration and never applies a default itself. Units are normalised: durations are whole
seconds, sizes are bytes, rates are messages per second or per month as written.

Every queue, topic and subscription keeps its ``source`` (file, line, column) so that a
policy violation or a cost line can point back at the spec (SARIF, error messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Backend = Literal["sqs", "pubsub", "rabbitmq", "kafka"]
Engine = Literal["rabbitmq", "kafka"]
Cloud = Literal["aws", "gcp"]
Environment = Literal["dev", "staging", "prod"]

BACKENDS: tuple[Backend, ...] = ("sqs", "pubsub", "rabbitmq", "kafka")
SELF_HOSTED: frozenset[str] = frozenset({"rabbitmq", "kafka"})
CLOUD_OF_BACKEND: dict[str, str] = {"sqs": "aws", "pubsub": "gcp"}

SECONDS_PER_HOUR = 3600
DEFAULT_HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class Source:
    """Where a node was written: used by errors, SARIF and cost lines."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class NotifyTarget:
    """Who gets paged. Exactly one of the three kinds is set."""

    name: str
    kind: Literal["email", "sns_topic_arn", "gcp_channel"]
    value: str


@dataclass(frozen=True)
class Broker:
    """A self-hosted cluster (RabbitMQ or Kafka) on AWS or GCP VMs."""

    name: str
    engine: Engine
    cloud: Cloud
    region: str
    nodes: int
    instance_type: str  # concrete machine type ("auto" is resolved by queuekit.sizing)
    instance_type_auto: bool  # True when the spec said "auto"
    disk_bytes: int
    zones: tuple[str, ...]  # empty: the component spreads across the region's zones
    allowed_cidrs: tuple[str, ...]  # client sources admitted to the broker ports
    version: str | None
    tls: bool
    tags: dict[str, str]
    source: Source


@dataclass(frozen=True)
class Encryption:
    """At-rest encryption.

    ``mode``: ``managed`` (provider-managed keys: SSE-SQS, Google-managed, encrypted disks),
    ``none``, or ``kms`` (a customer key: ``kms_key`` is an ARN / GCP key name, or ``create``).
    ``data_key_reuse`` only matters to SQS/SNS with KMS (seconds, 60–86,400; AWS default 300).
    """

    mode: Literal["managed", "none", "kms"] = "managed"
    kms_key: str | None = None
    data_key_reuse: int = 300

    @property
    def creates_key(self) -> bool:
        return self.mode == "kms" and self.kms_key == "create"


@dataclass(frozen=True)
class DeadLetter:
    """Dead-lettering: after ``max_deliveries`` failed deliveries a message moves to the DLQ.

    The spec calls it ``max_receives`` (SQS, RabbitMQ, Kafka) or ``max_deliveries``
    (Pub/Sub); both mean the same count, so the model keeps one name.
    ``retention`` is the DLQ's own retention in seconds.
    """

    max_deliveries: int
    retention: int
    target: str | None = None  # dead-letter into this declared queue instead of a generated DLQ


@dataclass(frozen=True)
class Alarms:
    """Alarm thresholds; ``None`` turns one alarm off. ``notify`` names keys of ``Spec.notify``."""

    dlq_messages: int | None
    oldest_message_age: int | None  # seconds
    backlog: int | None  # messages (consumer lag on Kafka)
    notify: tuple[str, ...]

    @property
    def enabled(self) -> bool:
        return any(v is not None for v in (self.dlq_messages, self.oldest_message_age, self.backlog))


@dataclass(frozen=True)
class Volume:
    """Expected traffic, the only input of the cost estimate and of broker sizing.

    Exactly one of ``messages_per_month`` / ``messages_per_second`` is set when traffic
    is declared; ``declared`` is False when the spec has no ``volume`` (cost lines then
    show fixed costs only).
    """

    messages_per_month: float | None = None
    messages_per_second: float | None = None
    peak_messages_per_second: float | None = None
    message_size: int = 1024
    publish_batch: int = 1
    receive_batch: int = 1
    pollers: int = 0
    declared: bool = False

    def monthly_messages(self, hours_per_month: float = DEFAULT_HOURS_PER_MONTH) -> float:
        """Messages in a billing month of ``hours_per_month`` hours."""
        if self.messages_per_month is not None:
            return self.messages_per_month
        if self.messages_per_second is not None:
            return self.messages_per_second * hours_per_month * SECONDS_PER_HOUR
        return 0.0

    def average_per_second(self, hours_per_month: float = DEFAULT_HOURS_PER_MONTH) -> float:
        return self.monthly_messages(hours_per_month) / (hours_per_month * SECONDS_PER_HOUR)

    def peak_per_second(self, hours_per_month: float = DEFAULT_HOURS_PER_MONTH) -> float:
        """The peak rate; defaults to the average when the spec gives none."""
        if self.peak_messages_per_second is not None:
            return self.peak_messages_per_second
        return self.average_per_second(hours_per_month)


@dataclass(frozen=True)
class PubSubOptions:
    """Pub/Sub subscription knobs (only meaningful on ``backend: pubsub``)."""

    ordering: bool = False
    exactly_once: bool = False
    filter: str | None = None
    min_backoff: int = 10
    max_backoff: int = 600
    expiration: int | None = None  # seconds of inactivity; None = never expires
    push_endpoint: str | None = None
    push_service_account: str | None = None
    push_audience: str | None = None


@dataclass(frozen=True)
class PubSubSchema:
    """A Pub/Sub topic's schema: one queuekit creates (``type`` + ``definition``) or an existing ``name``.

    ``definition`` is the schema file's text (the spec names the file; the loader reads it), and
    ``type``/``encoding`` keep the spec's words; ``api_type``/``api_encoding`` are Pub/Sub's enums.
    """

    encoding: Literal["json", "binary"]
    type: Literal["avro", "protobuf"] | None = None
    definition: str | None = None
    name: str | None = None

    @property
    def api_type(self) -> str | None:
        return {"avro": "AVRO", "protobuf": "PROTOCOL_BUFFER"}.get(self.type or "")

    @property
    def api_encoding(self) -> str:
        return self.encoding.upper()


@dataclass(frozen=True)
class Subscription:
    """One consumer of a fan-out topic: gets every message published to the topic.

    On SQS it becomes an SQS queue subscribed to the SNS topic, named ``<topic>-<name>``.
    """

    name: str
    visibility_timeout: int  # ack deadline on Pub/Sub; 0 where the backend has none
    retention: int | None
    dead_letter: DeadLetter | None
    alarms: Alarms
    consumers: tuple[str, ...]
    filter_policy: dict[str, object] | None  # SNS filter policy (SQS backend)
    raw_delivery: bool  # SNS raw message delivery (SQS backend)
    pubsub: PubSubOptions
    source: Source


@dataclass(frozen=True)
class Queue:
    """A point-to-point work queue with its dead-letter queue."""

    name: str
    backend: Backend
    broker: str | None
    region: str | None  # None for self-hosted backends (the broker has the region)
    fifo: bool
    high_throughput_fifo: bool
    content_based_deduplication: bool
    visibility_timeout: int  # seconds; ack deadline on Pub/Sub
    retention: int | None  # seconds; None = messages never expire (RabbitMQ default)
    delay: int  # seconds (SQS)
    max_message_size: int  # bytes
    encryption: Encryption
    dead_letter: DeadLetter | None
    alarms: Alarms
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    volume: Volume
    tags: dict[str, str]
    protect: bool
    pubsub: PubSubOptions
    queue_type: Literal["quorum", "classic"]  # RabbitMQ
    partitions: int | None  # Kafka (resolved: given, or queuekit.sizing.kafka_partitions); else None
    replication: int | None  # Kafka (resolved: given, or min(3, nodes)); else None
    min_insync_replicas: int | None  # Kafka (resolved: given, or replication - 1, at least 1); else None
    source: Source
    schema: PubSubSchema | None = None  # Pub/Sub: the queue's topic enforces this schema

    @property
    def dlq_name(self) -> str:
        """The generated DLQ's name, or the declared target queue's name."""
        if self.dead_letter is not None and self.dead_letter.target:
            return self.dead_letter.target
        return dlq_name(self.backend, self.name)


@dataclass(frozen=True)
class Topic:
    """A fan-out topic: every subscription receives every published message."""

    name: str
    backend: Backend
    broker: str | None
    region: str | None
    fifo: bool
    retention: int | None  # topic retention (Pub/Sub, Kafka); None = not retained
    encryption: Encryption
    subscriptions: tuple[Subscription, ...]
    producers: tuple[str, ...]
    volume: Volume
    tags: dict[str, str]
    protect: bool
    queue_type: Literal["quorum", "classic"]
    partitions: int | None
    replication: int | None
    min_insync_replicas: int | None
    source: Source
    schema: PubSubSchema | None = None  # Pub/Sub: published messages must match this schema

    def subscription_dlq_name(self, sub: Subscription) -> str:
        if sub.dead_letter is not None and sub.dead_letter.target:
            return sub.dead_letter.target
        return dlq_name(self.backend, self.subscription_queue_name(sub))

    def subscription_queue_name(self, sub: Subscription) -> str:
        """Physical name of a subscription's queue (SQS/RabbitMQ) or consumer group (Kafka)."""
        return f"{self.name}-{sub.name}"


@dataclass(frozen=True)
class Budget:
    monthly_usd: float
    source: Source


@dataclass(frozen=True)
class Spec:
    """A whole stack's topology, defaults merged, units normalised."""

    version: int
    project: str
    environment: Environment
    path: str
    gcp_project: str | None
    notify: dict[str, NotifyTarget]
    brokers: dict[str, Broker]
    queues: tuple[Queue, ...]
    topics: tuple[Topic, ...]
    budget: Budget | None
    tags: dict[str, str] = field(default_factory=dict)

    def queues_on(self, backend: str) -> tuple[Queue, ...]:
        return tuple(q for q in self.queues if q.backend == backend)

    def topics_on(self, backend: str) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics if t.backend == backend)

    def backends(self) -> tuple[str, ...]:
        used = {q.backend for q in self.queues} | {t.backend for t in self.topics}
        return tuple(b for b in BACKENDS if b in used)

    def on_broker(self, broker: str) -> tuple[tuple[Queue, ...], tuple[Topic, ...]]:
        return (
            tuple(q for q in self.queues if q.broker == broker),
            tuple(t for t in self.topics if t.broker == broker),
        )


def dlq_name(backend: str, name: str) -> str:
    """The dead-letter queue/topic of ``name``: ``<name>.dlq`` on Kafka, ``<name>-dlq`` elsewhere."""
    return f"{name}.dlq" if backend == "kafka" else f"{name}-dlq"
