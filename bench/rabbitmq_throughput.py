"""Benchmark: publish throughput of queuekit's generated RabbitMQ topology next to a raw broker.

Both runs use the same broker, the same process and the same publisher — persistent messages,
publisher confirms with a window of in-flight messages — so the ratio shows only what the
topology costs:

* **raw**: a queue declared with RabbitMQ's defaults (classic, no policy, no DLX), published to
  through the default exchange, as the admin;
* **queuekit**: the spec's quorum queue after ``queuekit local up`` (durable, replicated log,
  dead-letter exchange + DLQ, at-least-once dead-lettering, delivery limit, TTL policy),
  published to through its fanout exchange by the producer's own least-privilege user.

For each: messages/s over the whole run and the publish→confirm latency p50/p99 of every
message. By default it starts a throwaway local node (Debian's rabbitmq-server, see
``tests/support/rabbitmq_cluster.py``); ``--rabbitmq URL`` uses a running broker instead.

    python bench/rabbitmq_throughput.py [--messages 20000] [--size 200] [--window 1000]

Not part of the test suite. Note: this sandbox makes fsync cheaper than real disks, which flatters
quorum queues (they fsync their log); on real disks expect a lower ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pika
import pika.exceptions
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.runtime import stop_cleanly_on_sigterm  # noqa: E402

from queuekit.local import rabbitmq as local  # noqa: E402
from queuekit.local.rabbitmq_endpoint import Endpoint  # noqa: E402
from queuekit.local.rabbitmq_secrets import credentials_file, read_passwords  # noqa: E402
from queuekit.spec import load_bytes  # noqa: E402

SPEC = {
    "version": 1, "project": "bench", "environment": "dev",
    "notify": {"oncall": {"email": "oncall@example.com"}},
    "defaults": {"aws_region": "us-east-1", "alarms": {"notify": ["oncall"]}},
    "brokers": {"jobs": {"engine": "rabbitmq", "cloud": "aws", "nodes": 1, "disk": "20GiB",
                         "allowed_cidrs": ["10.0.0.0/16"]}},
    "queues": [{"name": "orders", "backend": "rabbitmq", "broker": "jobs", "retention": "4d",
                "dead_letter": {"max_receives": 5}, "producers": ["order-api"], "consumers": ["order-worker"]}],
}


@dataclass(frozen=True)
class Result:
    name: str
    messages: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        return (f"{self.name:<9} {self.messages:>7} msgs  {self.rate:>9,.0f} msg/s  "
                f"confirm p50 {self.pct(50):7.2f} ms  p99 {self.pct(99):7.2f} ms")


def publish(params: pika.ConnectionParameters, exchange: str, routing_key: str, messages: int, size: int,
            window: int, name: str) -> Result:
    """Publish ``messages`` persistent messages with at most ``window`` unconfirmed; time every confirm."""
    body = os.urandom(size // 2).hex().encode()[:size]
    props = pika.BasicProperties(delivery_mode=2)
    sent_at: dict[int, float] = {}
    latencies: list[float] = []
    state = {"next": 1, "acked": 0, "nacked": 0, "start": 0.0, "end": 0.0}

    def pump(ch: pika.channel.Channel) -> None:
        while state["next"] <= messages and len(sent_at) < window:
            tag = int(state["next"])
            sent_at[tag] = time.perf_counter()
            ch.basic_publish(exchange, routing_key, body, props)
            state["next"] = tag + 1

    def on_confirm(frame: pika.frame.Method, ch: pika.channel.Channel) -> None:
        method = frame.method
        now = time.perf_counter()
        tags = [t for t in list(sent_at) if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        for t in tags:
            latencies.append((now - sent_at.pop(t)) * 1000)
            state["acked" if isinstance(method, pika.spec.Basic.Ack) else "nacked"] += 1
        if state["acked"] + state["nacked"] >= messages:
            state["end"] = now
            ch.connection.close()
        else:
            pump(ch)

    def on_channel(ch: pika.channel.Channel) -> None:
        def confirmed(_frame: pika.frame.Method) -> None:
            state["start"] = time.perf_counter()
            pump(ch)

        ch.confirm_delivery(lambda frame: on_confirm(frame, ch), callback=confirmed)

    conn = pika.SelectConnection(params, on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
                                 on_open_error_callback=lambda _c, err: (_ for _ in ()).throw(RuntimeError(err)),
                                 on_close_callback=lambda c, _reason: c.ioloop.stop())
    conn.ioloop.start()
    if state["nacked"]:
        raise RuntimeError(f"{name}: the broker nacked {state['nacked']} messages")
    return Result(name, messages, state["end"] - state["start"], tuple(latencies))


def run(url: str, messages: int, size: int, window: int, rounds: int) -> None:
    ep = Endpoint.parse(url)
    spec = load_bytes(yaml.safe_dump(SPEC).encode(), "bench.yaml")
    for line in local.up(spec, url):
        if line.startswith(("queue orders ", "RabbitMQ")):
            print(f"# {line}")
    passwords = read_passwords(credentials_file(ep.host, ep.amqp_port, "bench"))
    admin = pika.ConnectionParameters(ep.host, ep.amqp_port, "bench", pika.PlainCredentials(ep.username, ep.password))
    producer = pika.ConnectionParameters(ep.host, ep.amqp_port, "bench",
                                         pika.PlainCredentials("order-api", passwords["order-api"]))
    conn = pika.BlockingConnection(admin)
    ch = conn.channel()
    ch.queue_declare("raw-baseline", durable=True)  # RabbitMQ's defaults: classic, no policy
    conn.close()
    raws, generated = [], []
    for _ in range(rounds):  # interleaved, so drift (GC, page cache) hits both alike
        raws.append(publish(admin, "", "raw-baseline", messages, size, window, "raw"))
        generated.append(publish(producer, "orders", "", messages, size, window, "queuekit"))
        conn = pika.BlockingConnection(admin)
        ch = conn.channel()
        ch.queue_purge("raw-baseline")
        ch.queue_purge("orders")
        conn.close()
    print(f"# {messages} persistent {size}-byte messages per run, confirm window {window}, {rounds} rounds "
          f"(best round shown)")
    raw = max(raws, key=lambda r: r.rate)
    ours = max(generated, key=lambda r: r.rate)
    print(raw.line())
    print(ours.line())
    ratios = [g.rate / r.rate for g, r in zip(generated, raws, strict=True)]
    print(f"ratio queuekit/raw: {ours.rate / raw.rate:.2f} (best rounds); per round "
          f"{', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rabbitmq", metavar="URL", help="a running broker's management URL (default: start one)")
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--size", type=int, default=200)
    p.add_argument("--window", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    stop_cleanly_on_sigterm()
    os.environ.setdefault("QUEUEKIT_STATE_DIR", tempfile.mkdtemp(prefix="queuekit-bench-"))
    if args.rabbitmq:
        run(args.rabbitmq, args.messages, args.size, args.window, args.rounds)
        return 0
    from support.rabbitmq_cluster import RabbitCluster, installed

    if not installed():
        print("rabbitmq-server is not installed: run .ci/install-rabbitmq.sh or pass --rabbitmq URL", file=sys.stderr)
        return 2
    with RabbitCluster(1, prefix="qkbench") as node:
        run(node.endpoint(), args.messages, args.size, args.window, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
