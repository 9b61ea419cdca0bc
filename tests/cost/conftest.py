"""Specs for cost tests: the factory's happy-path spec, narrowed to the items a test prices.

The base spec goes through the real loader (``factories.load``); a test then keeps only the
queues/topics/brokers it is about and changes the fields under test with ``dataclasses.replace``,
so every expected number depends on nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from factories import load, spec_dict

from cost.catalog import Catalog
from cost.catalog import load as load_catalog
from queuekit.model import Queue, Spec, Topic, Volume


@pytest.fixture(scope="session")
def base() -> Spec:
    return load(spec_dict())


@pytest.fixture(scope="session")
def prices() -> Catalog:
    return load_catalog()


@pytest.fixture
def only(base: Spec) -> Callable[..., Spec]:
    """``only(queues=[...], topics=[...], brokers=[...])``: a spec with just those items."""

    def make(queues: tuple[Queue, ...] = (), topics: tuple[Topic, ...] = (), brokers: tuple[str, ...] = ()) -> Spec:
        return replace(base, queues=tuple(queues), topics=tuple(topics),
                       brokers={k: v for k, v in base.brokers.items() if k in brokers})

    return make


@pytest.fixture
def sqs_queue(base: Spec) -> Callable[..., Queue]:
    """The base spec's SQS queue with its volume replaced by ``Volume(**volume)``."""

    def make(**changes: Any) -> Queue:
        volume = changes.pop("volume", None)
        q = base.queues_on("sqs")[0]
        if volume is not None:
            q = replace(q, volume=Volume(declared=True, **volume))
        return replace(q, **changes)

    return make
