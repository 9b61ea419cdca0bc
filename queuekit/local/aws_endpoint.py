"""How queuekit reaches an AWS API: ``--aws-endpoint URL`` (moto server, LocalStack) or real AWS.

With an endpoint, boto3 talks to that URL; if no AWS credentials are configured at all, dummy
ones are used (local endpoints accept anything). Without an endpoint, boto3's default
credential chain and real AWS are used — that is the post-``pulumi up`` smoke test.

Problems the user must fix (a URL that is not http(s), nothing listening, no credentials, an
API call the endpoint refuses) are raised as :class:`AwsError`, which ``local up`` and
``verify`` print as one line and exit 2 — never as an internal error.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from queuekit.local.base import EndpointError

API_ERRORS = (BotoCoreError, ClientError)


class AwsError(EndpointError):
    """The AWS endpoint is unusable or refused a call (see the module docstring)."""


def check_endpoint(endpoint: str) -> None:
    """Reject what boto3 would only reject with a bare ``ValueError`` deep in client creation."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AwsError(f"--aws-endpoint must be an http(s) URL such as http://127.0.0.1:5000 (moto server) or "
                       f"http://localhost:4566 (LocalStack); got '{endpoint}'")


def describe(endpoint: str | None, exc: Exception) -> str:
    """One line naming where the call went and what failed."""
    return f"{endpoint or 'AWS (default credentials)'}: {type(exc).__name__}: {exc}"


class Aws:
    """boto3 clients per (service, region) on one endpoint; dummy credentials for local endpoints."""

    def __init__(self, endpoint: str | None) -> None:
        if endpoint is not None:
            check_endpoint(endpoint)
        self.endpoint = endpoint
        session = boto3.session.Session()
        self._creds: dict[str, str] = {}
        if endpoint is not None and session.get_credentials() is None:
            self._creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self._session = session
        self._clients: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service, region_name=region, endpoint_url=self.endpoint,
                config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30),
                **self._creds)
        return self._clients[key]

    def account(self, region: str) -> str:
        return str(self("sts", region).get_caller_identity()["Account"])
