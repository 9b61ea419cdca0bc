"""Real Apache Kafka brokers on this machine for the broker tests: one node, or a three-node cluster.

Why real brokers: topic configs, ACL enforcement under SASL/SCRAM and "no acknowledged message is lost
when a broker dies" are broker behaviour; a mock would only repeat our assumptions back to us. There is
no Kafka in Debian or PyPI, so ``.ci/kafka-jars.sh`` resolves the broker jars from Maven Central into
``.cache/kafka/libs`` and each node runs as ``java -cp 'libs/*' kafka.Kafka server.properties``.

Each node is a KRaft *combined* node (broker + controller, like the cloud clusters of up to 3 nodes) with:

* a SASL_PLAINTEXT listener with SCRAM-SHA-512 on 127.0.0.1 for clients and inter-broker traffic;
* a PLAINTEXT controller listener on 127.0.0.1. SCRAM cannot protect it: SCRAM credentials live in the
  metadata log the controllers serve, so controllers could not authenticate each other before reading it.
  Its principal is ``ANONYMOUS``, which must therefore be a super-user (the Kafka docs' KRaft example does
  the same); loopback-only binding keeps it private here;
* the ``StandardAuthorizer`` with ``admin`` as super-user and no access for anyone else without an ACL;
* the ``admin`` SCRAM credential written into the metadata log at format time (``--add-scram``), so the
  cluster is secured from its first second;
* ``auto.create.topics.enable=false``, so a topic that queuekit did not plan never appears by accident.

With ``tls=<dir>`` (``ca.pem`` and ``node.pem`` from the cluster's certificate tool, see ``support.node_certs``)
the client listener is SASL_SSL instead, with the ``ssl.*`` lines of ``components.kafka_boot.server_properties``
(PEM keystore ``node.pem``, PEM truststore ``ca.pem``, hostname verification; paths made local), and
:meth:`KafkaCluster.client_config` trusts ``ca.pem``.

Every JVM is started with a small heap, tracked by PID, stopped by PID, and dies with the test process
(``PR_SET_PDEATHSIG``), so a crashed pytest run leaves no orphan JVMs.
"""

from __future__ import annotations

import base64
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from components.kafka_boot import NodeBoot, server_properties
from support.runtime import free_ports

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBS = REPO_ROOT / ".cache" / "kafka" / "libs"
ADMIN_USER = "admin"
MECHANISM = "SCRAM-SHA-512"
LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 90.0

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
"""


def installed() -> bool:
    """True when the Kafka jars are cached (``bash .ci/kafka-jars.sh``) and a ``java`` is on PATH."""
    return shutil.which("java") is not None and any(LIBS.glob("kafka_2.13-*.jar"))


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what ``random-uuid`` prints)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


# A cloud node, whose ssl.* server.properties the local TLS brokers reuse (see boot_ssl_properties).
_TLS_BOOT = NodeBoot(cloud="aws", index=1, role="broker,controller", hostname="localhost", ip=LOOPBACK,
                     zone="local", hosts_file="", voters="", brokers=1, cluster_id="", cluster="local",
                     region="us-east-1", version="", secret_ref="", ca_target="", groups=())


def boot_ssl_properties(tls: Path) -> dict[str, str]:
    """The ``ssl.*`` settings a cloud node's server.properties has, with ``/etc/kafka/tls`` -> ``tls``."""
    lines = [line for line in server_properties(_TLS_BOOT).splitlines() if line.startswith("ssl.")]
    if not any(line.startswith("ssl.keystore.location=/etc/kafka/tls/") for line in lines):
        raise ValueError("components.kafka_boot no longer keeps its keystore in /etc/kafka/tls: update this")
    return dict(line.replace("/etc/kafka/tls/", f"{tls}/").split("=", 1) for line in lines)


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGKILL when the test process dies (Linux only)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)

    return preexec


@dataclass(frozen=True)
class KafkaNode:
    """One node's identity, ports and directory (config, data and logs)."""

    node_id: int
    broker_port: int
    controller_port: int
    base: Path

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.broker_port}"

    @property
    def config_path(self) -> Path:
        return self.base / "server.properties"

    @property
    def log_path(self) -> Path:
        return self.base / "logs" / "server.log"


class KafkaCluster:
    """``size`` KRaft combined nodes; use as a context manager or call start()/stop().

    Holds child processes, so unlike the model it is a plain class. The admin password is random per
    cluster and only ever lives in this object and the nodes' config files in a private temp dir.
    """

    def __init__(self, size: int = 1, *, heap: str = "512m", jvm_options: tuple[str, ...] = (),
                 tls: Path | None = None) -> None:
        if size not in (1, 3):
            raise ValueError("KafkaCluster runs 1 or 3 nodes")
        self.size = size
        self.tls = tls
        self.protocol = "SASL_SSL" if tls is not None else "SASL_PLAINTEXT"  # also the listener's name
        self.heap = heap
        self.jvm_options = jvm_options
        self.admin_password = base64.urlsafe_b64encode(os.urandom(18)).decode()
        self.cluster_id = new_cluster_id()
        self._dir = Path(tempfile.mkdtemp(prefix="qk-kafka-"))
        ports = free_ports(2 * size)
        self.nodes: tuple[KafkaNode, ...] = tuple(
            KafkaNode(i + 1, ports[2 * i], ports[2 * i + 1], self._dir / f"node{i + 1}") for i in range(size)
        )
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    # -- addresses and client settings --------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers of the nodes that are running (all of them unless one was killed)."""
        live = [n.address for n in self.nodes if n.node_id in self._procs] or [n.address for n in self.nodes]
        return ",".join(live)

    def client_config(self, username: str = ADMIN_USER, password: str | None = None, **extra: Any) -> dict[str, Any]:
        """confluent-kafka settings for ``username`` over SASL/SCRAM-SHA-512 (admin by default; TLS: trusting ca.pem)."""
        return {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": self.protocol,
            **({"ssl.ca.location": str(self.tls / "ca.pem")} if self.tls is not None else {}),
            "sasl.mechanism": MECHANISM,
            "sasl.username": username,
            "sasl.password": self.admin_password if password is None else password,
            **extra,
        }

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> KafkaCluster:
        """Format every node's storage, start the JVMs and wait until all brokers are registered."""
        if not installed():
            raise RuntimeError(f"Kafka jars not found in {LIBS} or java missing: run `bash .ci/kafka-jars.sh`")
        for node in self.nodes:
            self._write_config(node)
        formats = [self._format(node) for node in self.nodes]
        for node, proc in zip(self.nodes, formats, strict=True):
            out, _ = proc.communicate(timeout=60)
            if proc.returncode != 0:
                raise RuntimeError(f"formatting node {node.node_id} failed:\n{out.decode(errors='replace')}")
        try:
            for node in self.nodes:
                self._launch(node)
            self.wait_ready(self.size)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, brokers: int, timeout: float = START_TIMEOUT_S) -> None:
        """Block until ``brokers`` brokers are in the metadata an admin client sees."""
        from confluent_kafka.admin import AdminClient

        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        # One quiet probe client: librdkafka logs every refused connection, and the probe outlives the JVMs.
        probe = AdminClient(self.client_config(log_level=0))
        while time.monotonic() < deadline:
            for node_id, proc in self._procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"kafka node {node_id} exited with {proc.returncode}:\n{self.log_tail(node_id)}")
            try:
                metadata = probe.list_topics(timeout=5)
                if len(metadata.brokers) >= brokers:
                    return
                last_error = f"{len(metadata.brokers)} of {brokers} brokers registered"
            except Exception as exc:  # the admin client raises KafkaException until the listener is up
                last_error = str(exc)
            time.sleep(0.5)
        raise TimeoutError(f"kafka not ready after {timeout:.0f}s: {last_error}\n{self.log_tail(self.nodes[0].node_id)}")

    def kill(self, node_id: int) -> None:
        """SIGKILL one node: a crash, not a controlled shutdown (the fault test's broker failure)."""
        proc = self._procs.pop(node_id)
        proc.kill()
        proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop every JVM this cluster started (TERM, then KILL after 15 s) and delete its directory."""
        procs = list(self._procs.values())
        self._procs.clear()
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 15
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        shutil.rmtree(self._dir, ignore_errors=True)

    def pids(self) -> list[int]:
        return [p.pid for p in self._procs.values()]

    def log_tail(self, node_id: int, lines: int = 40) -> str:
        node = self.nodes[node_id - 1]
        texts = []
        for path in (node.log_path, node.base / "stdout.log"):
            if path.exists():
                texts.append("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(texts)

    def __enter__(self) -> KafkaCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------------------

    def _properties(self, node: KafkaNode) -> dict[str, str]:
        voters = ",".join(f"{n.node_id}@{LOOPBACK}:{n.controller_port}" for n in self.nodes)
        internal_rf = str(min(3, self.size))
        internal_isr = str(min(2, self.size))
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN_USER}" password="{self.admin_password}";'
        )
        listener = self.protocol
        return {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "controller.quorum.voters": voters,
            "listeners": f"{listener}://{LOOPBACK}:{node.broker_port},CONTROLLER://{LOOPBACK}:{node.controller_port}",
            "advertised.listeners": f"{listener}://{LOOPBACK}:{node.broker_port}",
            "listener.security.protocol.map": f"CONTROLLER:PLAINTEXT,{listener}:{listener}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": listener,
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            f"listener.name.{listener.lower()}.scram-sha-512.sasl.jaas.config": jaas,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN_USER};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
            "auto.create.topics.enable": "false",
            "log.dirs": str(node.base / "data"),
            "offsets.topic.replication.factor": internal_rf,
            "transaction.state.log.replication.factor": internal_rf,
            "transaction.state.log.min.isr": internal_isr,
            "share.coordinator.state.topic.replication.factor": internal_rf,
            "share.coordinator.state.topic.min.isr": internal_isr,
            "group.initial.rebalance.delay.ms": "0",
            "num.partitions": "1",
            "default.replication.factor": "1",
            **(boot_ssl_properties(self.tls) if self.tls is not None else {}),
        }

    def _write_config(self, node: KafkaNode) -> None:
        (node.base / "logs").mkdir(parents=True, exist_ok=True)
        text = "".join(f"{k}={v}\n" for k, v in self._properties(node).items())
        node.config_path.write_text(text)
        node.config_path.chmod(0o600)
        (node.base / "log4j2.properties").write_text(LOG4J2)

    def _java(self, node: KafkaNode, main: str, *args: str, heap: str) -> list[str]:
        return [
            "java",
            f"-Xmx{heap}",
            "-Xms64m",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={node.base / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={node.base / 'logs'}",
            *self.jvm_options,
            "-cp",
            f"{LIBS}/*",
            main,
            *args,
        ]

    def _format(self, node: KafkaNode) -> subprocess.Popen[bytes]:
        cmd = self._java(
            node,
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={self.cluster_id}",
            f"--config={node.config_path}",
            "--add-scram",
            f"{MECHANISM}=[name={ADMIN_USER},password={self.admin_password}]",
            heap="256m",
        )
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent())

    def _launch(self, node: KafkaNode) -> None:
        cmd = self._java(node, "kafka.Kafka", str(node.config_path), heap=self.heap)
        with open(node.base / "stdout.log", "wb") as out:
            self._procs[node.node_id] = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent()
            )


def refusal(config: dict[str, Any]) -> Any:
    """The first error (a ``confluent_kafka.KafkaError``) an admin client with ``config`` gets from a cluster
    that must refuse it — wrong password, untrusted CA. Fails if the cluster lets the client in."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    seen: list[Any] = []
    client = AdminClient({**config, "error_cb": seen.append, "log_level": 0})
    try:
        client.list_topics(timeout=5)
    except KafkaException:
        client.poll(1)  # error callbacks are served by poll()
        assert seen, "the client saw no error"
        return seen[0]
    raise AssertionError("the cluster accepted a client it should refuse")
