"""How queuekit reaches a Kafka cluster: ``--kafka HOST:PORT`` plus admin credentials from the environment.

The bootstrap address is the only flag; the admin's SASL credentials come from ``QUEUEKIT_KAFKA_USERNAME`` /
``QUEUEKIT_KAFKA_PASSWORD`` so the password never lands in shell history or process listings. With a username
the client uses SASL/SCRAM-SHA-512 over ``SASL_PLAINTEXT`` — or over TLS when ``QUEUEKIT_KAFKA_SECURITY_PROTOCOL``
is ``SASL_SSL`` (the cloud clusters' port 9093; ``QUEUEKIT_KAFKA_CA_FILE`` names the CA bundle). Without a username
the client connects unauthenticated (a plain developer broker).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from queuekit.local.base import EndpointError

MECHANISM = "SCRAM-SHA-512"
ENV_USERNAME = "QUEUEKIT_KAFKA_USERNAME"
ENV_PASSWORD = "QUEUEKIT_KAFKA_PASSWORD"
ENV_PROTOCOL = "QUEUEKIT_KAFKA_SECURITY_PROTOCOL"
ENV_CA_FILE = "QUEUEKIT_KAFKA_CA_FILE"
PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL")
_HOST_PORT = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:\d{1,5}(,[A-Za-z0-9_.\-\[\]:]+:\d{1,5})*$")


class KafkaError(EndpointError):
    """A problem the user must fix: a bad endpoint, missing credentials, or a change Kafka cannot make."""


@dataclass(frozen=True)
class Endpoint:
    """A bootstrap address and the admin identity used to apply and verify the plan."""

    bootstrap: str
    username: str | None
    password: str | None
    protocol: str
    ca_file: str | None

    @classmethod
    def from_env(cls, bootstrap: str, env: dict[str, str] | None = None) -> Endpoint:
        env = dict(os.environ) if env is None else env
        if not _HOST_PORT.match(bootstrap):
            raise KafkaError(f"--kafka must be HOST:PORT (comma-separated for several), got {bootstrap!r}")
        username = env.get(ENV_USERNAME) or None
        password = env.get(ENV_PASSWORD) or None
        if username and not password:
            raise KafkaError(f"{ENV_USERNAME} is set but {ENV_PASSWORD} is not")
        protocol = env.get(ENV_PROTOCOL) or ("SASL_PLAINTEXT" if username else "PLAINTEXT")
        if protocol not in PROTOCOLS:
            raise KafkaError(f"{ENV_PROTOCOL} must be one of {', '.join(PROTOCOLS)}, got {protocol!r}")
        if protocol.startswith("SASL") and not username:
            raise KafkaError(f"{protocol} needs {ENV_USERNAME} and {ENV_PASSWORD}")
        return cls(bootstrap, username, password, protocol, env.get(ENV_CA_FILE) or None)

    def client_config(self, username: str | None = None, password: str | None = None, **extra: Any) -> dict[str, Any]:
        """confluent-kafka settings: the admin by default, or another SCRAM user on the same listener."""
        # log_level 2 (critical): librdkafka otherwise prints every retry and refused connection to stderr;
        # the errors that matter reach queuekit as exceptions and delivery reports.
        config: dict[str, Any] = {"bootstrap.servers": self.bootstrap, "security.protocol": self.protocol,
                                  "log_level": 2}
        if self.protocol.startswith("SASL"):
            config.update({
                "sasl.mechanism": MECHANISM,
                "sasl.username": username or self.username,
                "sasl.password": password if username else self.password,
            })
        if self.ca_file:
            config["ssl.ca.location"] = self.ca_file
        config.update(extra)
        return config

    @property
    def host_port(self) -> tuple[str, int]:
        first = self.bootstrap.split(",")[0]
        host, _, port = first.rpartition(":")
        return host, int(port)
