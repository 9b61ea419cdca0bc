"""Properties that must hold for any traffic, checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from cost.catalog import load
from cost.context import Context
from cost.pubsub import billable_bytes
from cost.sqs import requests
from queuekit.model import Volume

PRICES = load()
sizes = st.integers(min_value=1, max_value=1024 * 1024)
batches = st.integers(min_value=1, max_value=10)
counts = st.integers(min_value=0, max_value=10**9)


@given(counts, sizes, batches)
def test_pubsub_never_bills_less_than_the_data_or_the_minimum(m: int, size: int, batch: int) -> None:
    billed = billable_bytes(m, size, batch, 1000)
    assert billed >= m * size
    assert billed >= -(-m // batch) * 1000


@given(counts, st.integers(min_value=1, max_value=1000), batches)
def test_pubsub_full_batches_bill_exactly_the_larger_of_data_and_minimum(full: int, size: int, batch: int) -> None:
    assert billable_bytes(full * batch, size, batch, 1000) == full * max(1000, batch * size)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**11), sizes, batches, batches, st.integers(min_value=0, max_value=50))
def test_sqs_requests_grow_with_traffic(m: int, size: int, pb: int, rb: int, pollers: int) -> None:
    ctx = Context(PRICES)
    v = Volume(messages_per_month=m, message_size=size, publish_batch=pb, receive_batch=rb, pollers=pollers,
               declared=True)
    more = requests(replace(v, messages_per_month=m + 1000), ctx)
    now = requests(v, ctx)
    assert more.sends >= now.sends and more.receives >= now.receives and more.deletes >= now.deletes
    # pollers keep at least one call per 20 s going, busy or idle
    assert now.empty_receives + -(-m // rb) >= pollers * ctx.seconds / 20 - 1


@given(st.floats(min_value=0, max_value=5e11))
def test_tiered_cost_is_monotone_and_never_above_the_first_tier_rate(q: float) -> None:
    price = PRICES["sqs.standard.requests"]
    assert price.tiered_cost(q) <= q * 0.40 / 1e6 + 1e-9
    assert price.tiered_cost(q + 1e6) >= price.tiered_cost(q)
