"""How queuekit reaches Pub/Sub: ``--pubsub-emulator HOST:PORT`` or real Google Cloud.

With an emulator address the clients talk plain gRPC to it (the channel is built here rather than
through ``PUBSUB_EMULATOR_HOST`` so nothing global changes). Without one they use real Google Cloud
with application-default credentials — the post-``pulumi up`` smoke test.

The Google clients retry an unreachable address for minutes before giving up, so the emulator's
channel must become ready within ``CONNECT_TIMEOUT`` first. Problems the user must fix (an address
that is not HOST:PORT, nothing listening, no credentials or project, a call Google refuses) are
raised as :class:`PubSubError`, which ``local up`` and ``verify`` print as one line and exit 2.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from queuekit.local.base import EndpointError
from queuekit.model import Spec

with warnings.catch_warnings():  # google.api_core warns about Python 3.11's end of life on import
    warnings.simplefilter("ignore", FutureWarning)
    import google.auth
    import google.auth.exceptions
    import grpc
    from google.cloud import pubsub_v1
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    from google.pubsub_v1.services.schema_service.transports import SchemaServiceGrpcTransport
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

LOCAL_PROJECT = "queuekit-local"
CONNECT_TIMEOUT = 5.0  # seconds the emulator's gRPC channel may take to become ready
ADDRESS = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):[0-9]{1,5}")


class PubSubError(EndpointError):
    """The Pub/Sub endpoint is unusable or refused a call (see the module docstring)."""


@dataclass(frozen=True)
class Clients:
    publisher: Any
    subscriber: Any
    project: str
    schemas: Any = None  # the SchemaService client (topic schemas)

    def topic(self, name: str) -> str:
        return f"projects/{self.project}/topics/{name}"

    def sub(self, name: str) -> str:
        return f"projects/{self.project}/subscriptions/{name}"

    def schema(self, name: str) -> str:
        return f"projects/{self.project}/schemas/{name}"


def check_address(endpoint: str) -> None:
    """Reject what gRPC would otherwise retry forever (a URL, a missing port)."""
    if not ADDRESS.fullmatch(endpoint):
        raise PubSubError(f"--pubsub-emulator must be HOST:PORT such as 127.0.0.1:8085 (what PUBSUB_EMULATOR_HOST "
                          f"holds); got '{endpoint}'")


def _ready_channel(endpoint: str) -> Any:
    channel = grpc.insecure_channel(endpoint)
    try:
        grpc.channel_ready_future(channel).result(timeout=CONNECT_TIMEOUT)
    except grpc.FutureTimeoutError:
        channel.close()
        raise PubSubError(f"no Pub/Sub emulator answers at {endpoint} (waited {CONNECT_TIMEOUT:g}s); start one with "
                          f"'gcloud beta emulators pubsub start --host-port={endpoint}'") from None
    return channel


def clients(spec: Spec, endpoint: str | None) -> Clients:
    """Emulator clients over a plain channel, or real clients with application-default credentials."""
    if endpoint:
        check_address(endpoint)
        publisher = pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=_ready_channel(endpoint)))
        subscriber = pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=_ready_channel(endpoint)))
        schemas = pubsub_v1.SchemaServiceClient(transport=SchemaServiceGrpcTransport(channel=_ready_channel(endpoint)))
        return Clients(publisher, subscriber, spec.gcp_project or LOCAL_PROJECT, schemas)
    try:
        project = spec.gcp_project or google.auth.default()[1]
        if not project:
            raise PubSubError("no GCP project: set defaults.gcp_project in the spec or configure "
                              "application-default credentials with a project")
        return Clients(pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient(), project,
                       pubsub_v1.SchemaServiceClient())
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise PubSubError(f"no Google application-default credentials ({exc}); run 'gcloud auth "
                          "application-default login' or pass --pubsub-emulator HOST:PORT") from None


def why(exc: Exception) -> str:
    """The API's own message (``403 ...``), without the client library's wrapping."""
    return getattr(exc, "message", None) or str(exc)
