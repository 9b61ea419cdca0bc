"""Load a spec file into the typed model, or fail with every located error at once.

Three passes, each reporting into one list of diagnostics:

1. ``yamlsource``: bytes → data with positions (size, encoding, syntax, alias bombs, duplicates).
2. ``schema``: structure and types against ``queuekit.schema.json`` (the same file editors use).
3. semantics (here): what the providers would reject at deploy time (names, ranges, FIFO
   pairs, references, units), defaults merged, units normalised, Kafka sizing resolved.

Pass 3 skips any item whose subtree already failed pass 2, so one typo gives one error.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from queuekit import limits as L
from queuekit import pubsub_filter, sizing, sns_filter
from queuekit.diagnostics import Diagnostic, SpecError, format_path
from queuekit.diagnostics import Path as FieldPath
from queuekit.model import (
    CLOUD_OF_BACKEND,
    SELF_HOSTED,
    Alarms,
    Broker,
    Budget,
    DeadLetter,
    Encryption,
    NotifyTarget,
    PubSubOptions,
    PubSubSchema,
    Queue,
    Source,
    Spec,
    Subscription,
    Topic,
    Volume,
    dlq_name,
)
from queuekit.schema import schema_errors
from queuekit.units import UnitError, parse_duration, parse_size
from queuekit.yamlsource import Located, SourceError, load_text

__all__ = ["SpecError", "load", "load_bytes"]

BUILTIN_ALARMS = {"dlq_messages": 1, "oldest_message_age": "15m", "backlog": 10000, "notify": []}


def load(path: str | Path) -> Spec:
    """Load and validate the spec at ``path``; raises :class:`SpecError` listing every problem."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(name, 1, 1, "(root)", f"cannot read file: {exc.strerror or exc}")]) from None
    return load_bytes(raw, name)


def load_bytes(raw: bytes, filename: str = "<spec>") -> Spec:
    """Load a spec from bytes (``filename`` is used in messages and in ``Source``)."""
    try:
        located = load_text(raw)
    except SourceError as exc:
        raise SpecError([Diagnostic(filename, exc.line, exc.column, format_path(exc.path), exc.message)]) from None
    builder = _Builder(filename, located)
    for path, at_key, message in schema_errors(located.data):
        builder.error(path, message, key=at_key)
    spec = builder.build()
    if builder.diagnostics or spec is None:
        raise SpecError(builder.diagnostics)
    return spec


class _Builder:
    """Semantic checks and model construction, collecting diagnostics instead of raising."""

    def __init__(self, filename: str, located: Located) -> None:
        self.file = filename
        self.located = located
        self.data: dict[str, Any] = located.data
        self.diagnostics: list[Diagnostic] = []
        self.bad: list[FieldPath] = []

    # -- reporting ---------------------------------------------------------------------------
    def error(self, path: FieldPath, message: str, *, key: bool = False) -> None:
        line, col = self.located.position(path, key=key)
        self.diagnostics.append(Diagnostic(self.file, line, col, format_path(path), message))
        self.bad.append(tuple(path))

    def source(self, path: FieldPath) -> Source:
        line, col = self.located.position(path)
        return Source(self.file, line, col)

    def broken(self, path: FieldPath) -> bool:
        """True if the schema pass already reported something at or under ``path``."""
        n = len(path)
        return any(b[:n] == tuple(path) for b in self.bad)

    def duration(self, path: FieldPath, value: Any) -> int | None:
        return self._unit(path, value, parse_duration)

    def size(self, path: FieldPath, value: Any) -> int | None:
        return self._unit(path, value, parse_size)

    def _unit(self, path: FieldPath, value: Any, parse: Callable[[Any], int]) -> int | None:
        """The value in seconds / bytes, or None with the unit error reported at ``path``."""
        try:
            return parse(value)
        except UnitError as exc:
            self.error(path, str(exc))
            return None

    def in_range(self, path: FieldPath, value: int | None, backend: str, limit: str, what: str,
                 fmt: Any = None) -> None:
        bounds = L.LIMITS[backend].get(limit)
        if value is None or bounds is None:
            return
        low, high = bounds
        if not low <= value <= high:
            show = fmt or (lambda v: f"{v:,}")
            self.error(path, f"{what} {show(value)} is out of range for {backend}: must be "
                             f"{show(low)} to {show(high)}")

    # -- the whole spec ----------------------------------------------------------------------
    def build(self) -> Spec | None:
        d = self.data
        if self.broken(("version",)) or self.broken(("project",)) or self.broken(("defaults",)) \
                or self.broken(("environment",)):
            return None
        shapes = {"defaults": dict, "notify": dict, "brokers": dict, "queues": list, "topics": list, "budget": dict}
        if any(key in d and not isinstance(d[key], shape) for key, shape in shapes.items()):
            return None  # the schema pass reported it; nothing below can be read
        try:
            return self._build(d)
        except (TypeError, AttributeError, KeyError, ValueError):
            if self.diagnostics:
                return None  # a consequence of an error already reported by the schema pass
            raise

    def _build(self, d: dict[str, Any]) -> Spec | None:
        defaults = d.get("defaults") or {}
        self.defaults = defaults
        environment = d.get("environment", "dev")
        self.environment = environment
        notify = self._notify(d.get("notify") or {})
        brokers_raw = d.get("brokers") or {}
        raw_brokers = {k: v for k, v in brokers_raw.items() if not self.broken(("brokers", k))}
        queues_raw = d.get("queues") or []
        topics_raw = d.get("topics") or []
        self._check_names(queues_raw, topics_raw, raw_brokers)
        queues = [self._queue(i, q, raw_brokers, notify, queues_raw) for i, q in enumerate(queues_raw)
                  if not self.broken(("queues", i))]
        topics = [self._topic(i, t, raw_brokers, notify, queues_raw) for i, t in enumerate(topics_raw)
                  if not self.broken(("topics", i))]
        queues_ok = tuple(q for q in queues if q is not None)
        topics_ok = tuple(t for t in topics if t is not None)
        brokers = {name: b for name, raw in raw_brokers.items()
                   if (b := self._broker(name, raw, queues_ok, topics_ok, notify)) is not None}
        budget = None
        if "budget" in d and not self.broken(("budget",)):
            budget = Budget(float(d["budget"]["monthly_usd"]), self.source(("budget",)))
        gcp_project = defaults.get("gcp_project")
        if gcp_project is not None and not L.GCP_PROJECT.fullmatch(gcp_project):
            self.error(("defaults", "gcp_project"), f"{gcp_project!r} is not a GCP project id "
                                                     "(6-30 lowercase letters, digits, dashes)")
        if self.diagnostics:
            return None
        return Spec(version=1, project=d["project"], environment=environment, path=self.file,
                    gcp_project=gcp_project, notify=notify, brokers=brokers, queues=queues_ok,
                    topics=topics_ok, budget=budget, tags=dict(defaults.get("tags") or {}))

    # -- notify targets ----------------------------------------------------------------------
    def _notify(self, raw: Mapping[str, Any]) -> dict[str, NotifyTarget]:
        out = {}
        for name, target in raw.items():
            path = ("notify", name)
            if self.broken(path):
                continue
            kind, value = next(iter(target.items()))
            pattern, what = L.NOTIFY_RULES[kind]
            if not pattern.fullmatch(value):
                self.error((*path, kind), f"{value!r} is not {what}")
                continue
            out[name] = NotifyTarget(name, kind, value)
        return out

    # -- names -------------------------------------------------------------------------------
    def _check_names(self, queues: list[Any], topics: list[Any], brokers: Mapping[str, Any]) -> None:
        """Spec names unique; physical names (with DLQs, subscription queues) unique per namespace."""
        seen: dict[str, FieldPath] = {}
        physical: dict[tuple[str, str | None, str], str] = {}
        for kind, items in (("queues", queues), ("topics", topics)):
            for i, item in enumerate(items):
                if self.broken((kind, i)) or not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    continue
                name, path = item["name"], (kind, i, "name")
                if name in seen:
                    first = self.located.position(seen[name])[0]
                    self.error(path, f"duplicate name '{name}' (first used at line {first}); names are unique per spec")
                    continue
                seen[name] = path
                backend = item.get("backend")
                if backend not in L.NAME_RULES:
                    continue
                ns = (backend, item.get("broker") if backend in SELF_HOSTED else None)
                derived = [(name, f"{kind[:-1]} '{name}'")]
                dl = item.get("dead_letter", self.defaults.get("dead_letter"))
                if kind == "queues" and not (isinstance(dl, dict) and dl.get("target")) and dl != "none":
                    derived.append((dlq_name(backend, name), f"the dead-letter queue of '{name}'"))
                for _j, sub in enumerate(item.get("subscriptions") or []):
                    if isinstance(sub, dict) and isinstance(sub.get("name"), str):
                        sq = f"{name}-{sub['name']}"
                        derived.append((sq, f"subscription '{sub['name']}' of topic '{name}'"))
                        sub_dl = sub.get("dead_letter", item.get("dead_letter", self.defaults.get("dead_letter")))
                        if sub_dl != "none" and not (isinstance(sub_dl, dict) and sub_dl.get("target")):
                            derived.append((dlq_name(backend, sq), f"the dead-letter queue of subscription '{sq}'"))
                for phys, what in derived:
                    key = (ns[0], ns[1], phys)
                    if key in physical and physical[key] != what:
                        self.error(path, f"{what} would be named '{phys}', which is already {physical[key]}")
                    physical.setdefault(key, what)

    def _name(self, path: FieldPath, name: str, backend: str, *, fifo: bool = False,
              derived: tuple[str, ...] = ()) -> None:
        pattern, max_len, allowed = L.NAME_RULES[backend]
        suffix = ".fifo" if fifo else ""
        if backend == "sqs" and name.endswith(".fifo"):
            self.error(path, f"write '{name[:-5]}' without '.fifo': queuekit adds the suffix to FIFO queues")
            return
        if not pattern.fullmatch(name):
            self.error(path, f"{name!r} is not a valid {backend} name: {allowed}")
            return
        if backend == "pubsub":
            if len(name) < 3:
                self.error(path, f"{name!r} is too short: Pub/Sub names have 3-255 characters")
            if name.lower().startswith("goog"):
                self.error(path, f"{name!r} starts with 'goog', which Pub/Sub reserves")
        if backend == "rabbitmq" and name.startswith("amq."):
            self.error(path, f"{name!r} starts with 'amq.', which RabbitMQ reserves")
        if backend == "kafka" and name in (".", ".."):
            self.error(path, f"{name!r} is not a valid Kafka topic name")
        for full in (name, *derived):
            if len(full + suffix) > max_len:
                what = "name" if full == name else f"derived name '{full}{suffix}'"
                self.error(path, f"{what} is {len(full + suffix)} characters; {backend} allows at most {max_len}")
                return

    # -- shared pieces -----------------------------------------------------------------------
    def _fields_allowed(self, path: FieldPath, raw: Mapping[str, Any], backend: str,
                        table: Mapping[str, frozenset[str]]) -> None:
        for key in raw:
            allowed = table.get(key)
            if allowed is not None and backend not in allowed and not (key == "broker" and raw[key] is None):
                hint = {"fifo": " (Pub/Sub: use ordering: true; Kafka orders within a partition)",
                        "visibility_timeout": " (the broker's consumer timeout applies)",
                        "ack_deadline": " (SQS: use visibility_timeout)" if backend == "sqs" else
                                        " (the broker's consumer timeout applies)",
                        "region": " (set region on the broker)"}.get(key, "")
                self.error((*path, key), f"'{key}' is not supported on backend {backend}; "
                                         f"it applies to {', '.join(sorted(allowed))}{hint}", key=True)

    def _placement(self, path: FieldPath, raw: Mapping[str, Any], brokers: Mapping[str, Any],
                   table: Mapping[str, frozenset[str]]) -> tuple[str, str | None, str, bool]:
        """Backend, broker, cloud and FIFO flag of a queue or topic, after checking its fields fit the backend."""
        backend = raw["backend"]
        self._fields_allowed(path, raw, backend, table)
        broker = self._broker_of(path, raw, brokers)
        broker_raw = brokers.get(broker) if broker else None
        cloud = CLOUD_OF_BACKEND.get(backend) or (broker_raw or {}).get("cloud", "aws")
        return backend, broker, cloud, bool(raw.get("fifo", False))

    def _retention(self, path: FieldPath, raw: Mapping[str, Any], backend: str) -> int | None:
        """Message retention in seconds: the item's ``retention`` within the backend's range, else the default."""
        if "retention" not in raw:
            return L.DEFAULTS[backend]["retention"]
        retention = self.duration((*path, "retention"), raw["retention"])
        self.in_range((*path, "retention"), retention, backend, "retention", "retention", _fmt_duration)
        return retention

    def _ack_timeout(self, path: FieldPath, raw: Mapping[str, Any], backend: str) -> int:
        """Seconds a receiver has before redelivery: ``visibility_timeout`` (SQS) or ``ack_deadline`` (Pub/Sub).

        Both names are accepted on Pub/Sub (the vocabulary says ``ack_deadline``; earlier specs used
        ``visibility_timeout``), but never together: two values for one setting would silently drop one.
        """
        names = ("visibility_timeout", "ack_deadline") if backend == "pubsub" else ("visibility_timeout",)
        given = [k for k in names if k in raw]
        if len(given) == 2:
            self.error((*path, "ack_deadline"), "give visibility_timeout or ack_deadline, not both (on Pub/Sub "
                                                "they mean the same)", key=True)
        if not given:
            return L.DEFAULTS[backend]["visibility_timeout"] or 0
        key = given[-1]
        vis = self.duration((*path, key), raw[key]) or 0
        self.in_range((*path, key), vis, backend, "visibility_timeout",
                      "visibility_timeout" if backend == "sqs" else "ack deadline", _fmt_duration)
        return vis

    def _region(self, path: FieldPath, raw: Mapping[str, Any], cloud: str) -> str | None:
        pattern = L.AWS_REGION if cloud == "aws" else L.GCP_REGION
        given = raw.get("region")
        if given is not None:
            if not pattern.fullmatch(given):
                self.error((*path, "region"), f"{given!r} is not an {cloud.upper()} region")
                return None
            return given
        specific = self.defaults.get(f"{cloud}_region")
        if specific is not None:
            if not pattern.fullmatch(specific):
                self.error(("defaults", f"{cloud}_region"), f"{specific!r} is not an {cloud.upper()} region")
                return None
            return specific
        region = self.defaults.get("region")
        if region is not None and pattern.fullmatch(region):
            return region
        if cloud == "gcp":
            return None  # Pub/Sub is global; the provider's configured region applies
        why = f"defaults.region {region!r} is not an AWS region" if region else "no region is set"
        self.error((*path, "region") if "region" in raw else path,
                   f"{why}: set region here or defaults.aws_region")
        return None

    def _encryption(self, path: FieldPath, raw: Any, backend: str) -> Encryption:
        value = raw if raw is not None else self.defaults.get("encryption", "managed")
        epath = path if raw is not None else ("defaults", "encryption")
        if value in ("managed", "none"):
            return Encryption(mode=value)
        if backend in SELF_HOSTED:
            self.error(epath, f"a customer KMS key is not supported on {backend} queues: broker disks are "
                              "encrypted with the cloud's keys (use 'managed')")
            return Encryption()
        key = value["kms_key"]
        pattern, what = L.KMS_KEY_RULES[backend]
        if not pattern.fullmatch(key):
            self.error((*epath, "kms_key"), f"{key!r} is not {what}")
        reuse = 300
        if "data_key_reuse" in value:
            if backend != "sqs":
                self.error((*epath, "data_key_reuse"), "'data_key_reuse' applies to sqs only", key=True)
            else:
                reuse = self.duration((*epath, "data_key_reuse"), value["data_key_reuse"]) or 300
                self.in_range((*epath, "data_key_reuse"), reuse, "sqs", "data_key_reuse", "data_key_reuse")
        return Encryption(mode="kms", kms_key=key, data_key_reuse=reuse)

    def _dead_letter(self, path: FieldPath, layers: list[tuple[FieldPath, Any]], backend: str,
                     own_name: str, fifo: bool, queues: list[Any], retention: int | None,
                     schema: Any = None) -> DeadLetter | None:
        """The merged dead-letter policy; ``schema`` is the source topic's raw schema (Pub/Sub only)."""
        merged: dict[str, Any] = {}
        where: dict[str, FieldPath] = {}
        enabled = True
        for lpath, layer in layers:
            if layer is None:
                continue
            if layer == "none":
                enabled, merged, where = False, {}, {}
                continue
            enabled = True
            for k, v in layer.items():
                merged[k] = v
                where[k] = (*lpath, k)
        if not enabled:
            return None
        if "max_receives" in merged and "max_deliveries" in merged:
            self.error(where["max_deliveries"], "give max_receives or max_deliveries, not both (they mean the same)")
        count_key = "max_receives" if "max_receives" in merged else "max_deliveries"
        count = merged.get(count_key, L.DEFAULTS[backend]["max_deliveries"])
        if count_key in merged:
            self.in_range(where[count_key], count, backend, "max_deliveries", count_key)
        target = merged.get("target")
        if target is not None:
            tpath = where["target"]
            if "retention" in merged:
                self.error(where["retention"], "with a target queue, retention is the target's own setting")
            if target == own_name:
                self.error(tpath, f"a queue cannot dead-letter into itself ('{target}')")
                return None
            found = next((q for q in queues if isinstance(q, dict) and q.get("name") == target), None)
            if found is None:
                self.error(tpath, f"dead-letter target '{target}' is not a queue in this spec")
                return None
            if found.get("backend") != backend:
                self.error(tpath, f"dead-letter target '{target}' is on {found.get('backend')}, not {backend}")
            elif bool(found.get("fifo", False)) != fifo:
                kind = "FIFO" if fifo else "standard"
                self.error(tpath, f"a {kind} queue must dead-letter into a {kind} queue; '{target}' is not")
            elif backend == "pubsub":
                self._dead_letter_schema(tpath, target, schema, found.get("schema"))
            return DeadLetter(max_deliveries=count, retention=0, target=target)
        dlq_ret = L.DEFAULTS[backend]["dlq_retention"]
        if "retention" in merged:
            dlq_ret = self.duration(where["retention"], merged["retention"])
            self.in_range(where["retention"], dlq_ret, backend, "dlq_retention", "dead-letter retention",
                          _fmt_duration)
        if dlq_ret is not None and retention is not None and dlq_ret < retention and "retention" in merged:
            self.error(where["retention"], "the DLQ keeps messages shorter than its source queue; "
                                           "dead-lettered messages would expire early")
        return DeadLetter(max_deliveries=count, retention=dlq_ret or 0)

    def _dead_letter_schema(self, path: FieldPath, target: str, source: Any, dest: Any) -> None:
        """A target topic with a schema refuses forwarded messages that do not match it, so they would be lost.

        Pub/Sub validates every publish to a topic with a schema, dead-letter forwarding included; a message
        the source topic accepted under another schema (or none) fails there and never reaches the DLQ.
        """
        dest_id = self._schema_identity(dest)
        if dest_id is None or dest_id == self._schema_identity(source):
            return
        has = "no schema" if not isinstance(source, dict) else f"schema {_describe_schema(source)}"
        self.error(path, f"dead-letter target '{target}' enforces schema {_describe_schema(dest)}; messages from "
                         f"this topic ({has}) may not match it — dead-letter into a queue without a schema or with "
                         "the same schema")

    def _schema_identity(self, given: Any) -> tuple[Any, ...] | None:
        """What makes two raw schemas enforce the same thing: encoding and name, or encoding, type and file text.

        Two topics given the same definition file (or files with the same text) each create their own schema
        resource with the same definition, which accept the same messages. An unreadable file compares by
        path; ``_schema`` reports it.
        """
        if not isinstance(given, dict):
            return None
        encoding = given.get("encoding", "json")
        if "name" in given:
            return ("name", encoding, given["name"])
        file = Path(self.file).parent / str(given.get("definition"))
        try:
            text: str | bytes = file.read_bytes()
        except OSError:
            text = str(file)
        return ("definition", encoding, given.get("type"), text)

    def _alarms(self, layers: list[tuple[FieldPath, Any]], notify: Mapping[str, NotifyTarget],
                cloud: str) -> Alarms:
        merged: dict[str, Any] = dict(BUILTIN_ALARMS)
        where: dict[str, FieldPath] = {}
        for lpath, layer in layers:
            if layer is None:
                continue
            if layer == "off":
                merged = {"dlq_messages": "off", "oldest_message_age": "off", "backlog": "off",
                          "notify": merged["notify"]}
                continue
            for k, v in layer.items():
                merged[k] = v
                where[k] = (*lpath, k)
        names = tuple(merged["notify"])
        for i, target in enumerate(names):
            npath = (*where.get("notify", ("defaults", "alarms", "notify")), i)
            if target not in notify and target in (self.data.get("notify") or {}):
                continue  # the target itself is invalid and already reported
            if target not in notify:
                known = ", ".join(sorted(notify)) or "none declared"
                self.error(npath, f"notify target '{target}' is not declared under notify ({known})")
            elif cloud not in L.NOTIFY_CLOUDS[notify[target].kind]:
                self.error(npath, f"notify target '{target}' ({notify[target].kind}) cannot receive {cloud} alarms")
        age = merged["oldest_message_age"]
        return Alarms(
            dlq_messages=None if merged["dlq_messages"] == "off" else merged["dlq_messages"],
            oldest_message_age=None if age == "off" else self.duration(
                where.get("oldest_message_age", ("defaults", "alarms")), age),
            backlog=None if merged["backlog"] == "off" else merged["backlog"],
            notify=names,
        )

    def _principals(self, path: FieldPath, raw: list[str] | None, backend: str) -> tuple[str, ...]:
        values = raw or []
        pattern, what = L.PRINCIPAL_RULES[backend]
        seen: set[str] = set()
        for i, p in enumerate(values):
            if not pattern.fullmatch(p):
                self.error((*path, i), f"{p!r} is not {what}")
            if p in seen:
                self.error((*path, i), f"{p!r} is listed twice")
            seen.add(p)
        return tuple(values)

    def _volume(self, path: FieldPath, raw: Mapping[str, Any] | None, backend: str,
                max_size: int | None) -> Volume:
        if raw is None:
            return Volume()
        if "messages_per_month" in raw and "messages_per_second" in raw:
            self.error((*path, "messages_per_second"), "give messages_per_month or messages_per_second, not both")
        size = 1024
        if "message_size" in raw:
            size = self.size((*path, "message_size"), raw["message_size"]) or 1024
            if max_size is not None and size > max_size:
                self.error((*path, "message_size"), f"average message_size {size:,} B exceeds "
                                                    f"max_message_size {max_size:,} B")
        for key in ("publish_batch", "receive_batch"):
            if key in raw:
                self.in_range((*path, key), raw[key], backend, "batch", key)
        volume = Volume(
            messages_per_month=_num(raw.get("messages_per_month")),
            messages_per_second=_num(raw.get("messages_per_second")),
            peak_messages_per_second=_num(raw.get("peak_messages_per_second")),
            message_size=size, publish_batch=raw.get("publish_batch", 1),
            receive_batch=raw.get("receive_batch", 1), pollers=raw.get("pollers", 0), declared=True,
        )
        peak = volume.peak_messages_per_second
        if peak is not None and peak + 1e-9 < volume.average_per_second():
            self.error((*path, "peak_messages_per_second"),
                       f"peak {peak:g}/s is below the average rate {volume.average_per_second():.4g}/s")
        return volume

    def _pubsub_options(self, path: FieldPath, raw: Mapping[str, Any], retention: int | None) -> PubSubOptions:
        opts: dict[str, Any] = {}
        for key in ("min_backoff", "max_backoff"):
            if key in raw:
                opts[key] = self.duration((*path, key), raw[key])
                self.in_range((*path, key), opts[key], "pubsub", "backoff", key, _fmt_duration)
        if opts.get("min_backoff") is not None and opts.get("max_backoff") is not None \
                and opts["min_backoff"] > opts["max_backoff"]:
            self.error((*path, "min_backoff"), "min_backoff is longer than max_backoff")
        if "expiration" in raw and raw["expiration"] != "never":
            exp = self.duration((*path, "expiration"), raw["expiration"])
            n_before = len(self.diagnostics)
            self.in_range((*path, "expiration"), exp, "pubsub", "expiration", "expiration", _fmt_duration)
            if exp is not None and retention is not None and exp < retention and len(self.diagnostics) == n_before:
                self.error((*path, "expiration"), "expiration must be at least the subscription's retention")
            opts["expiration"] = exp
        endpoint = raw.get("push_endpoint")
        if endpoint is not None and not endpoint.startswith(("https://", "http://")):
            self.error((*path, "push_endpoint"), f"{endpoint!r} is not an http(s) URL")
        if endpoint is None:
            for key in ("push_service_account", "push_audience"):
                if key in raw:
                    self.error((*path, key), f"'{key}' needs push_endpoint", key=True)
        if raw.get("exactly_once") and endpoint is not None:
            self.error((*path, "exactly_once"), "exactly-once delivery works with pull subscriptions only")
        flt = raw.get("filter")
        if isinstance(flt, str) and len(flt.encode()) > L.PUBSUB_FILTER_MAX:
            self.error((*path, "filter"), f"filter is {len(flt.encode())} bytes; Pub/Sub allows at most "
                                          f"{L.PUBSUB_FILTER_MAX}")
        if isinstance(flt, str) and flt:  # "" means no filter, as in Pub/Sub's API
            try:
                pubsub_filter.check(flt)
            except pubsub_filter.FilterError as exc:  # Google rejects it at create time; the emulator takes anything
                self.error((*path, "filter"), str(exc))
        return PubSubOptions(
            ordering=raw.get("ordering", False), exactly_once=raw.get("exactly_once", False),
            filter=flt if isinstance(flt, str) else None,
            min_backoff=opts.get("min_backoff") if opts.get("min_backoff") is not None else 10,
            max_backoff=opts.get("max_backoff") if opts.get("max_backoff") is not None else 600,
            expiration=opts.get("expiration"), push_endpoint=endpoint,
            push_service_account=raw.get("push_service_account"), push_audience=raw.get("push_audience"),
        )

    def _schema(self, path: FieldPath, raw: Mapping[str, Any], backend: str) -> PubSubSchema | None:
        """A topic's schema: ``{type, definition}`` (a file next to the spec, read here) or ``{name}``."""
        given = raw.get("schema")
        if given is None or backend != "pubsub":
            return None  # on other backends _fields_allowed already reported it
        spath = (*path, "schema")
        encoding = given.get("encoding", "json")
        if "definition" in given and "name" in given:
            self.error((*spath, "name"), "give definition (a schema file to create) or name (an existing schema), "
                                         "not both", key=True)
            return None
        if "name" in given:
            if "type" in given:
                self.error((*spath, "type"), "'type' goes with definition; an existing schema (name) has its own type",
                           key=True)
            if not L.PUBSUB_SCHEMA_NAME.fullmatch(given["name"]):
                self.error((*spath, "name"), f"{given['name']!r} is not a schema name: projects/PROJECT/schemas/ID "
                                             f"(ID: {L.NAME_RULES['pubsub'][2]})")
            return PubSubSchema(encoding=encoding, name=given["name"])
        if "definition" not in given:
            self.error(spath, "give definition (a schema file to create) or name (an existing schema)")
            return None
        if "type" not in given:
            self.error(spath, "missing required field 'type' (avro or protobuf) for a schema definition")
            return None
        text = self._schema_file((*spath, "definition"), given["definition"], given["type"])
        return None if text is None else PubSubSchema(encoding=encoding, type=given["type"], definition=text)

    def _schema_file(self, path: FieldPath, relative: str, kind: str) -> str | None:
        """The text of the schema file ``relative`` to the spec file, or None after reporting why it is unusable."""
        file = Path(self.file).parent / relative
        try:
            size = file.stat().st_size
            if size > L.PUBSUB_SCHEMA_MAX:
                self.error(path, f"schema file '{relative}' is {size:,} bytes; Pub/Sub allows at most "
                                 f"{L.PUBSUB_SCHEMA_MAX:,} bytes (300 KB)")
                return None
            text = file.read_bytes().decode("utf-8")
        except OSError as exc:
            self.error(path, f"cannot read schema file '{relative}' (relative to the spec file): "
                             f"{exc.strerror or exc}")
            return None
        except UnicodeDecodeError as exc:
            self.error(path, f"schema file '{relative}' is not UTF-8 text (byte {exc.start})")
            return None
        if kind == "avro":
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                self.error(path, f"schema file '{relative}' is not an Avro schema: Avro schemas are JSON "
                                 f"({exc.msg} at line {exc.lineno} column {exc.colno})")
                return None
            except RecursionError:
                self.error(path, f"schema file '{relative}' is not an Avro schema: JSON nested too deeply")
                return None
        return text

    def _tags(self, path: FieldPath, raw: Mapping[str, str] | None) -> dict[str, str]:
        tags = dict(self.defaults.get("tags") or {})
        tags.update(raw or {})
        for key in tags:
            if key.lower().startswith("aws:"):
                where = (*path, "tags", key) if raw and key in raw else ("defaults", "tags", key)
                self.error(where, f"tag key '{key}' uses the reserved 'aws:' prefix", key=True)
        return tags

    def _broker_of(self, path: FieldPath, raw: Mapping[str, Any], brokers: Mapping[str, Any]) -> str | None:
        backend = raw["backend"]
        broker = raw.get("broker")
        if backend not in SELF_HOSTED:
            if broker is not None:
                self.error((*path, "broker"), f"'broker' applies to rabbitmq and kafka; {backend} is managed",
                           key=True)
            return None
        if broker is None:
            self.error(path, f"backend {backend} needs 'broker': the name of a brokers entry with engine {backend}")
            return None
        if broker not in brokers:
            known = ", ".join(sorted(brokers)) or "none declared"
            self.error((*path, "broker"), f"broker '{broker}' is not declared under brokers ({known})")
            return None
        if brokers[broker].get("engine") != backend:
            self.error((*path, "broker"), f"broker '{broker}' runs {brokers[broker].get('engine')}, not {backend}")
            return None
        return broker

    def _kafka_sizing(self, path: FieldPath, raw: Mapping[str, Any], broker_raw: Mapping[str, Any] | None,
                      volume: Volume, consumers: int) -> tuple[int | None, int | None, int | None]:
        if raw["backend"] != "kafka" or broker_raw is None:
            return None, None, None
        nodes = broker_raw.get("nodes", 3)
        replication = raw.get("replication", min(3, nodes))
        if replication > nodes:
            self.error((*path, "replication"), f"replication {replication} exceeds the broker's {nodes} nodes")
        isr = raw.get("min_insync_replicas", max(1, replication - 1))
        if isr > replication:
            self.error((*path, "min_insync_replicas"), f"min_insync_replicas {isr} exceeds replication {replication}")
        partitions = raw.get("partitions")
        if partitions is None:
            peak_bytes = volume.peak_per_second() * volume.message_size
            partitions = sizing.kafka_partitions(peak_bytes, consumers)
        return partitions, replication, isr

    # -- queues ------------------------------------------------------------------------------
    def _queue(self, i: int, raw: dict[str, Any], brokers: Mapping[str, Any], notify: Mapping[str, NotifyTarget],
               queues: list[Any]) -> Queue | None:
        path: FieldPath = ("queues", i)
        n_before = len(self.diagnostics)
        backend, broker, cloud, fifo = self._placement(path, raw, brokers, L.QUEUE_FIELDS)
        dl_raw = raw.get("dead_letter", self.defaults.get("dead_letter"))
        makes_dlq = dl_raw != "none" and not (isinstance(dl_raw, dict) and dl_raw.get("target"))
        self._name((*path, "name"), raw["name"], backend, fifo=fifo,
                   derived=(*((dlq_name(backend, raw["name"]),) if makes_dlq else ()), *_schema_id(raw)))
        for flag in ("high_throughput_fifo", "content_based_deduplication"):
            if raw.get(flag) is not None and not fifo:
                self.error((*path, flag), f"'{flag}' needs fifo: true", key=True)
        defaults = L.DEFAULTS[backend]
        vis, retention = self._ack_timeout(path, raw, backend), self._retention(path, raw, backend)
        delay = 0
        if "delay" in raw:
            delay = self.duration((*path, "delay"), raw["delay"]) or 0
            self.in_range((*path, "delay"), delay, backend, "delay", "delay", _fmt_duration)
        max_size = defaults["max_message_size"]
        if "max_message_size" in raw:
            max_size = self.size((*path, "max_message_size"), raw["max_message_size"])
            self.in_range((*path, "max_message_size"), max_size, backend, "max_message_size", "max_message_size",
                          lambda v: f"{v:,} B")
        volume = self._volume((*path, "volume"), raw.get("volume"), backend, max_size)
        consumers = self._principals((*path, "consumers"), raw.get("consumers"), backend)
        partitions, replication, isr = self._kafka_sizing(path, raw, brokers.get(broker) if broker else None, volume,
                                                          max(len(consumers), volume.pollers))
        queue = Queue(
            name=raw["name"], backend=backend, broker=broker,
            region=self._region(path, raw, cloud) if backend not in SELF_HOSTED else None,
            fifo=fifo, high_throughput_fifo=bool(raw.get("high_throughput_fifo", False)),
            content_based_deduplication=bool(raw.get("content_based_deduplication", fifo)),
            visibility_timeout=vis, retention=retention, delay=delay, max_message_size=max_size or 0,
            encryption=self._encryption((*path, "encryption"), raw.get("encryption"), backend),
            dead_letter=self._dead_letter(path, [(("defaults", "dead_letter"), self.defaults.get("dead_letter")),
                                                 ((*path, "dead_letter"), raw.get("dead_letter"))],
                                          backend, raw["name"], fifo, queues, retention, raw.get("schema")),
            alarms=self._alarms([(("defaults", "alarms"), self.defaults.get("alarms")),
                                 ((*path, "alarms"), raw.get("alarms"))], notify, cloud),
            producers=self._principals((*path, "producers"), raw.get("producers"), backend),
            consumers=consumers, volume=volume, tags=self._tags(path, raw.get("tags")),
            protect=raw.get("protect", self.environment == "prod"),
            pubsub=self._pubsub_options(path, raw, retention) if backend == "pubsub" else PubSubOptions(),
            queue_type=raw.get("queue_type", "quorum"), partitions=partitions, replication=replication,
            min_insync_replicas=isr, source=self.source(path), schema=self._schema(path, raw, backend),
        )
        return queue if len(self.diagnostics) == n_before else None

    # -- topics ------------------------------------------------------------------------------
    def _topic(self, i: int, raw: dict[str, Any], brokers: Mapping[str, Any], notify: Mapping[str, NotifyTarget],
               queues: list[Any]) -> Topic | None:
        path: FieldPath = ("topics", i)
        n_before = len(self.diagnostics)
        backend, broker, cloud, fifo = self._placement(path, raw, brokers, L.TOPIC_FIELDS)
        name = raw["name"]
        if backend == "sqs":
            # The SNS topic name; subscription queues are checked below.
            if not L.NAME_RULES["sqs"][0].fullmatch(name) or len(name) > L.SNS_TOPIC_MAX - 5:
                self.error((*path, "name"), f"{name!r} is not a valid SNS topic name: letters, digits, '-' and '_', "
                                            f"at most {L.SNS_TOPIC_MAX - 5}")
        else:
            self._name((*path, "name"), name, backend, derived=_schema_id(raw))
        retention = None if backend != "kafka" else L.DEFAULTS["kafka"]["retention"]
        if "retention" in raw:
            retention = self.duration((*path, "retention"), raw["retention"])
            self.in_range((*path, "retention"), retention, backend, "topic_retention", "topic retention",
                          _fmt_duration)
        volume = self._volume((*path, "volume"), raw.get("volume"), backend, None)
        subs: list[Subscription] = []
        seen: set[str] = set()
        for j, sub_raw in enumerate(raw["subscriptions"]):
            spath = (*path, "subscriptions", j)
            if sub_raw["name"] in seen:
                self.error((*spath, "name"), f"duplicate subscription name '{sub_raw['name']}' in topic '{name}'")
                continue
            seen.add(sub_raw["name"])
            sub = self._subscription(spath, sub_raw, raw, backend, fifo, notify, queues, cloud)
            if sub is not None:
                subs.append(sub)
        most_consumers = max([len(s.consumers) for s in subs] + [volume.pollers, 1])
        broker_raw = brokers.get(broker) if broker else None
        partitions, replication, isr = self._kafka_sizing(path, raw, broker_raw, volume, most_consumers)
        topic = Topic(
            name=name, backend=backend, broker=broker,
            region=self._region(path, raw, cloud) if backend not in SELF_HOSTED else None,
            fifo=fifo, retention=retention,
            encryption=self._encryption((*path, "encryption"), raw.get("encryption"), backend),
            subscriptions=tuple(subs),
            producers=self._principals((*path, "producers"), raw.get("producers"), backend),
            volume=volume, tags=self._tags(path, raw.get("tags")),
            protect=raw.get("protect", self.environment == "prod"),
            queue_type=raw.get("queue_type", "quorum"), partitions=partitions, replication=replication,
            min_insync_replicas=isr, source=self.source(path), schema=self._schema(path, raw, backend),
        )
        return topic if len(self.diagnostics) == n_before else None

    def _subscription(self, path: FieldPath, raw: dict[str, Any], topic: dict[str, Any], backend: str, fifo: bool,
                      notify: Mapping[str, NotifyTarget], queues: list[Any], cloud: str) -> Subscription | None:
        self._fields_allowed(path, raw, backend, L.SUBSCRIPTION_FIELDS)
        full = f"{topic['name']}-{raw['name']}"
        dl_raw = raw.get("dead_letter", topic.get("dead_letter", self.defaults.get("dead_letter")))
        makes_dlq = dl_raw != "none" and not (isinstance(dl_raw, dict) and dl_raw.get("target"))
        self._name((*path, "name"), full, backend, fifo=fifo and backend == "sqs",
                   derived=(dlq_name(backend, full),) if makes_dlq else ())
        vis, retention = self._ack_timeout(path, raw, backend), self._retention(path, raw, backend)
        flt = raw.get("filter")
        if flt is not None:
            if backend == "sqs" and not isinstance(flt, dict):
                self.error((*path, "filter"), "on sqs, filter is an SNS filter policy (a mapping)")
            if backend == "pubsub" and not isinstance(flt, str):
                self.error((*path, "filter"), "on pubsub, filter is a filter expression (a string)")
            if backend == "sqs" and isinstance(flt, dict):
                self._sns_filter((*path, "filter"), flt)
        return Subscription(
            name=raw["name"], visibility_timeout=vis, retention=retention,
            dead_letter=self._dead_letter(path, [(("defaults", "dead_letter"), self.defaults.get("dead_letter")),
                                                 ((*path[:2], "dead_letter"), topic.get("dead_letter")),
                                                 ((*path, "dead_letter"), raw.get("dead_letter"))],
                                          backend, full, fifo, queues, retention, topic.get("schema")),
            alarms=self._alarms([(("defaults", "alarms"), self.defaults.get("alarms")),
                                 ((*path[:2], "alarms"), topic.get("alarms")),
                                 ((*path, "alarms"), raw.get("alarms"))], notify, cloud),
            consumers=self._principals((*path, "consumers"), raw.get("consumers"), backend),
            filter_policy=flt if isinstance(flt, dict) else None,
            raw_delivery=bool(raw.get("raw_delivery", True)),
            pubsub=self._pubsub_options(path, raw, retention) if backend == "pubsub" else PubSubOptions(),
            source=self.source(path),
        )

    def _sns_filter(self, path: FieldPath, policy: Mapping[str, Any]) -> None:
        """Report what AWS would refuse in an SNS filter policy: moto accepts most of it, so only deploy would."""
        for rel, message in sns_filter.check(policy):
            self.error((*path, *rel), message)

    # -- brokers -----------------------------------------------------------------------------
    def _broker(self, name: str, raw: dict[str, Any], queues: tuple[Queue, ...], topics: tuple[Topic, ...],
                notify: Mapping[str, NotifyTarget]) -> Broker | None:
        path: FieldPath = ("brokers", name)
        n_before = len(self.diagnostics)
        if not L.NAME_RULES["kafka"][0].fullmatch(name) or len(name) > 40:
            self.error(path, f"broker name {name!r}: letters, digits, '.', '_' and '-', at most 40", key=True)
        cloud, engine = raw["cloud"], raw["engine"]
        nodes = raw.get("nodes", 3)
        disk = self.size((*path, "disk"), raw.get("disk", "100GiB")) if "disk" in raw else 100 * 1024**3
        if disk is not None and not 1024**3 <= disk <= 64 * 1024**4:
            self.error((*path, "disk"), "disk must be between 1GiB and 64TiB")
        cidrs = tuple(raw.get("allowed_cidrs", ["10.0.0.0/8"]))
        for j, cidr in enumerate(cidrs):
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                self.error((*path, "allowed_cidrs", j), f"{cidr!r} is not a network in CIDR form: {exc}")
        region = self._region(path, raw, cloud)
        if cloud == "gcp" and region is None and "region" not in raw:
            self.error(path, "no GCP region for this broker: set region here, defaults.gcp_region or defaults.region")
        mine_q = [q for q in queues if q.broker == name]
        mine_t = [t for t in topics if t.broker == name]
        msgs = sum(q.volume.peak_per_second() for q in mine_q) + sum(
            t.volume.peak_per_second() * (1 + len(t.subscriptions)) for t in mine_t)
        byts = sum(q.volume.peak_per_second() * q.volume.message_size for q in mine_q) + sum(
            t.volume.peak_per_second() * t.volume.message_size * (1 + len(t.subscriptions)) for t in mine_t)
        copies = max([q.replication or 1 for q in mine_q] + [t.replication or 1 for t in mine_t] + [1]) \
            if engine == "kafka" else min(3, nodes)
        requested = raw.get("instance_type", "auto")
        instance = requested if requested != "auto" else sizing.auto_instance_type(
            engine, cloud, sizing.Load(msgs, byts), nodes, copies)
        if engine == "rabbitmq" and nodes % 2 == 0:
            self.error((*path, "nodes"), f"{nodes} RabbitMQ nodes cannot keep a quorum majority through a partition "
                                         f"any better than {nodes - 1}; use an odd number")
        if engine == "kafka" and raw.get("tls") is False:
            # The Kafka cluster's SCRAM passwords travel in the clear without TLS; the component has no plain listener.
            self.error((*path, "tls"), "Kafka clusters always listen with TLS (SASL_SSL on 9093); remove 'tls: false'",
                       key=True)
        if len(self.diagnostics) != n_before or region is None:
            return None
        return Broker(name=name, engine=engine, cloud=cloud, region=region, nodes=nodes,
                      instance_type=instance, instance_type_auto=requested == "auto", disk_bytes=disk or 0,
                      zones=tuple(raw.get("zones", ())), allowed_cidrs=cidrs, version=raw.get("version"),
                      tls=raw.get("tls", True), tags=self._tags(path, raw.get("tags")), source=self.source(path))


def _schema_id(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The id of the schema a topic creates (``<topic>-schema``), for the name-length check."""
    given = raw.get("schema")
    if isinstance(given, dict) and "definition" in given and raw.get("backend") == "pubsub":
        return (f"{raw['name']}{L.PUBSUB_SCHEMA_SUFFIX}",)
    return ()


def _describe_schema(given: Mapping[str, Any]) -> str:
    """A raw schema as a message shows it: ``'report.avsc' (avro, json encoding)`` or ``'projects/…' (json …)``."""
    encoding = f"{given.get('encoding', 'json')} encoding"
    if "name" in given:
        return f"'{given['name']}' ({encoding})"
    return f"'{given.get('definition')}' ({given.get('type')}, {encoding})"


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _fmt_duration(seconds: int) -> str:
    from queuekit.units import format_duration

    return format_duration(seconds) if seconds else "0s"

