"""How queuekit reaches a RabbitMQ broker: one URL for the management API and AMQP.

``--rabbitmq URL`` is the management API's base URL with admin credentials; AMQP runs on the
same host::

    http://admin:secret@127.0.0.1:15672                  AMQP on 5672
    http://admin:secret@127.0.0.1:15672?amqp_port=33469  AMQP on 33469 (test fixtures)
    https://admin:secret@rabbit.internal:15671           AMQPS on 5671 (TLS for both)

Credentials may instead come from ``QUEUEKIT_RABBITMQ_USERNAME`` / ``QUEUEKIT_RABBITMQ_PASSWORD``
(so the password stays out of shell history); the URL wins when it has them. Why one URL: the
topology is imported through the management API (``POST /api/definitions``) while probes need
AMQP, and both always live on the same nodes.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import pika

from queuekit.local.base import EndpointError


class RabbitMQError(EndpointError):
    """A problem with the endpoint or the broker's state that the user must fix (bad URL, conflict)."""


@dataclass(frozen=True)
class Endpoint:
    """A parsed ``--rabbitmq`` URL (see the module docstring)."""

    host: str
    management_port: int
    amqp_port: int
    username: str
    password: str
    tls: bool

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RabbitMQError(f"--rabbitmq must be the management URL, e.g. http://admin:PASSWORD@127.0.0.1:15672 "
                                f"(got scheme '{parts.scheme}')")
        tls = parts.scheme == "https"
        query = urllib.parse.parse_qs(parts.query)
        unknown = set(query) - {"amqp_port"}
        if unknown:
            raise RabbitMQError(f"--rabbitmq: unknown URL parameter(s) {', '.join(sorted(unknown))}; "
                                "only amqp_port is supported")
        try:
            amqp_port = int(query["amqp_port"][0]) if "amqp_port" in query else (5671 if tls else 5672)
            management_port = parts.port or (15671 if tls else 15672)
        except ValueError as exc:
            raise RabbitMQError(f"--rabbitmq: bad port ({exc})") from None
        username = urllib.parse.unquote(parts.username or "") or os.environ.get("QUEUEKIT_RABBITMQ_USERNAME", "")
        password = urllib.parse.unquote(parts.password or "") or os.environ.get("QUEUEKIT_RABBITMQ_PASSWORD", "")
        if not username or not password:
            raise RabbitMQError("--rabbitmq needs admin credentials: http://USER:PASSWORD@HOST:15672, or set "
                                "QUEUEKIT_RABBITMQ_USERNAME and QUEUEKIT_RABBITMQ_PASSWORD")
        return cls(parts.hostname, management_port, amqp_port, username, password, tls)

    @property
    def management_base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.management_port}"

    def amqp(self, vhost: str, username: str | None = None, password: str | None = None) -> pika.BlockingConnection:
        """An AMQP connection to ``vhost`` as the admin (or as ``username``)."""
        params = pika.ConnectionParameters(
            host=self.host, port=self.amqp_port, virtual_host=vhost,
            credentials=pika.PlainCredentials(username or self.username, password or self.password),
            ssl_options=pika.SSLOptions(ssl.create_default_context(), self.host) if self.tls else None,
            connection_attempts=1, socket_timeout=10, blocked_connection_timeout=30)
        return pika.BlockingConnection(params)


@dataclass(frozen=True)
class Management:
    """The few management API calls queuekit needs, with errors turned into readable messages."""

    endpoint: Endpoint
    timeout: float = 30.0

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.endpoint.management_base + path, data=data, method=method)
        token = base64.b64encode(f"{self.endpoint.username}:{self.endpoint.password}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and method == "GET":
                return None
            detail = exc.read().decode(errors="replace")[:500]
            raise RabbitMQError(f"RabbitMQ management API {method} {path}: HTTP {exc.code} {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise RabbitMQError(f"cannot reach the RabbitMQ management API at {self.endpoint.management_base}: "
                                f"{getattr(exc, 'reason', exc)}") from None
        return json.loads(raw) if raw else None

    def get(self, path: str) -> Any:
        return self.call("GET", path)


def quote(name: str) -> str:
    """A vhost/queue/user name as one management API path segment (``/`` → ``%2F``)."""
    return urllib.parse.quote(name, safe="")
