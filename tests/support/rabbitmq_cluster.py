"""Real RabbitMQ nodes on this machine for the broker tests: one node, or a three-node cluster.

Why not the package's own service: tests need several independent nodes, fresh state per
cluster, a known admin password and the ability to kill a node hard. Each node here gets its
own name (``qk1@localhost``), AMQP / distribution / management ports, data and log directories
in a temp dir, and the cluster shares one Erlang cookie (``$HOME/.erlang.cookie`` of a private
HOME). We run our own ``epmd`` on a free port (``ERL_EPMD_PORT``) so that stopping it by PID can
never hit another program's epmd, and nothing listens beyond 127.0.0.1.

Start-up is the slow part (~5-8 s a node on 2 cores), so the management plugin is enabled
offline through ``RABBITMQ_ENABLED_PLUGINS_FILE`` (no ``rabbitmq-plugins`` round trip) and
nodes 2-3 join node 1 by classic-config peer discovery as they boot (no stop_app/join/start_app
restart), which is also how the cloud VMs form their cluster.

With ``tls=<dir>`` (``ca.pem``, ``cert.pem``, ``key.pem`` from the cluster's certificate tool, see
``support.node_certs``) a node listens like a cloud node: AMQPS and management over HTTPS only, with the
``ssl_options`` / ``management.ssl`` lines of ``components.rabbitmq_boot.rabbitmq_conf`` (file paths and
ports made local), and the management API is called over HTTPS trusting ``ca.pem``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from components.rabbitmq_boot import BootArgs, rabbitmq_conf
from support.runtime import free_ports

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
ADMIN_USER = "qk-admin"
LOOPBACK = "127.0.0.1"


def installed() -> bool:
    """True when Debian's rabbitmq-server (and Erlang's epmd) are installed."""
    return (RABBITMQ_BIN / "rabbitmq-server").exists() and shutil.which("epmd") is not None


@dataclass(frozen=True)
class Node:
    """One node's identity and ports."""

    index: int
    name: str  # qk1@localhost
    amqp_port: int
    dist_port: int
    management_port: int
    base: Path  # data, logs and config of this node

    @property
    def amqp_url(self) -> str:
        return f"amqp://{LOOPBACK}:{self.amqp_port}/"


# A cloud node with TLS, whose rabbitmq.conf lines the local TLS nodes reuse (see boot_tls_conf).
_TLS_BOOT = BootArgs(cloud="aws", index=0, hostnames=("localhost",), hosts_file="", ip=LOOPBACK, region="us-east-1",
                     cluster="local", lb_names=(), version=None, tls=True, definitions={}, vhost="/", secret_ref="",
                     ca_target="local", metrics_namespace="", log_group="")


def boot_tls_conf(tls: Path, amqps_port: int, management_port: int) -> str:
    """The listener lines of a cloud node's rabbitmq.conf (``listeners.tcp = none`` through the management
    TLS files), with ``/etc/rabbitmq/tls`` -> ``tls`` and the ports 5671 / 15671 -> local ports on 127.0.0.1."""
    conf = rabbitmq_conf(_TLS_BOOT)
    block = conf[conf.index("listeners.tcp = none\n"):conf.index("prometheus.")]
    for old, new in (("/etc/rabbitmq/tls/", f"{tls}/"),
                     ("listeners.ssl.default = 5671\n", f"listeners.ssl.default = {LOOPBACK}:{amqps_port}\n"),
                     ("management.ssl.port = 15671\n", f"management.ssl.ip = {LOOPBACK}\n"
                                                       f"management.ssl.port = {management_port}\n")):
        if old not in block:
            raise ValueError(f"components.rabbitmq_boot no longer writes {old!r}: update boot_tls_conf")
        block = block.replace(old, new)
    return block


class RabbitCluster:
    """``size`` RabbitMQ nodes clustered together; use as a context manager or call start()/stop().

    Holds child processes, so unlike the model it is a plain class; every process it starts is
    tracked by PID and stopped by PID.
    """

    def __init__(self, size: int = 1, *, prefix: str = "qk", start_timeout: float = 90.0,
                 tls: Path | None = None) -> None:
        if size < 1:
            raise ValueError("a cluster needs at least one node")
        self.size = size
        self.tls = tls
        self._api_context = ssl.create_default_context(cafile=str(tls / "ca.pem")) if tls is not None else None
        self.start_timeout = start_timeout
        self.password = secrets.token_urlsafe(18)
        self.workdir = Path(tempfile.mkdtemp(prefix="queuekit-rabbitmq-"))
        self.home = self.workdir / "home"
        ports = free_ports(3 * size + 1)
        self.epmd_port = ports[-1]
        self.nodes: tuple[Node, ...] = tuple(
            Node(index=i, name=f"{prefix}{i + 1}@localhost", amqp_port=ports[3 * i], dist_port=ports[3 * i + 1],
                 management_port=ports[3 * i + 2], base=self.workdir / f"node{i + 1}")
            for i in range(size)
        )
        self._epmd: subprocess.Popen[bytes] | None = None
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    # ------------------------------------------------------------------ addresses

    def management_url(self, index: int = 0, *, with_credentials: bool = True) -> str:
        """``http://user:pass@127.0.0.1:PORT`` of node ``index``'s management API (``https://`` with TLS)."""
        creds = f"{ADMIN_USER}:{self.password}@" if with_credentials else ""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{creds}{LOOPBACK}:{self.nodes[index].management_port}"

    def endpoint(self, index: int = 0) -> str:
        """The queuekit ``--rabbitmq`` URL: management API with admin credentials plus the AMQP port."""
        return f"{self.management_url(index)}?amqp_port={self.nodes[index].amqp_port}"

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> RabbitCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start epmd, node 1, then the other nodes (which join node 1); wait until all run clustered."""
        try:
            self._prepare()
            self._start_epmd()
            self._spawn(self.nodes[0])
            self.wait_ready(0)
            for node in self.nodes[1:]:
                self._spawn(node)
            for node in self.nodes[1:]:
                self.wait_ready(node.index)
            if self.size > 1:
                self.wait_clustered()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every node we started (SIGTERM, then SIGKILL), then our epmd; remove the temp dir."""
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 20
        for index, proc in self._procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._kill_quietly(index)
                proc.kill()
                proc.wait(timeout=10)
        self._procs.clear()
        if self._epmd is not None and self._epmd.poll() is None:
            self._epmd.kill()
            self._epmd.wait(timeout=10)
        self._epmd = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self, index: int) -> None:
        """Kill node ``index`` hard (SIGKILL of its Erlang VM): the fault the cluster must survive.

        ``rabbitmq-server`` runs the VM as a child of a signal-forwarding shell, so the VM's own PID
        comes from the node's pid file; killing only the shell would orphan a running node.
        """
        proc = self._procs[index]
        os.kill(self.vm_pid(index), signal.SIGKILL)
        proc.wait(timeout=10)

    def vm_pid(self, index: int) -> int:
        """The Erlang VM's PID of node ``index`` (written by RabbitMQ to RABBITMQ_PID_FILE at boot)."""
        return int((self.nodes[index].base / "rabbit.pid").read_text().strip())

    def _kill_quietly(self, index: int) -> None:
        with suppress(OSError, ValueError):
            os.kill(self.vm_pid(index), signal.SIGKILL)

    def running(self, index: int) -> bool:
        proc = self._procs.get(index)
        return proc is not None and proc.poll() is None

    # ------------------------------------------------------------------ waiting and probing

    def wait_ready(self, index: int) -> None:
        """Until node ``index`` answers its management API (boot complete, plugins loaded)."""
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while time.monotonic() < deadline:
            if not self.running(index):
                raise RuntimeError(f"{self.nodes[index].name} exited during start-up:\n{self.log_tail(index)}")
            try:
                self.api("GET", "/api/overview", index=index, timeout=2)
                return
            except (OSError, urllib.error.URLError) as exc:
                last = str(exc)
            time.sleep(0.25)
        raise TimeoutError(f"{self.nodes[index].name} not ready after {self.start_timeout}s ({last}):\n"
                           f"{self.log_tail(index)}")

    def wait_clustered(self, timeout: float = 60.0) -> None:
        """Until node 1 reports every node running in one cluster."""
        want = {n.name for n in self.nodes}
        deadline = time.monotonic() + timeout
        running: set[str] = set()
        while time.monotonic() < deadline:
            nodes = self.api("GET", "/api/nodes", index=0)
            running = {n["name"] for n in nodes if n.get("running")}
            if running == want:
                return
            time.sleep(0.5)
        raise TimeoutError(f"cluster did not form: running {sorted(running)}, want {sorted(want)}")

    def api(self, method: str, path: str, body: object | None = None, *, index: int = 0,
            timeout: float = 30) -> object:
        """Call node ``index``'s management API as the admin; returns the decoded JSON (or None)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.management_url(index, with_credentials=False)}{path}", data=data,
                                     method=method)
        token = base64.b64encode(f"{ADMIN_USER}:{self.password}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout, context=self._api_context) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def ctl(self, *args: str, index: int = 0, timeout: float = 60) -> str:
        """Run ``rabbitmqctl -n <node> ARGS`` against node ``index``; returns stdout."""
        result = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.nodes[index].name, *args],
                                env=self._env(self.nodes[index]), capture_output=True, text=True,
                                timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def log_tail(self, index: int, lines: int = 30) -> str:
        base = self.nodes[index].base
        text = []
        for path in [*sorted((base / "log").glob("*.log")), base / "stdout.log"]:
            if path.exists():
                text += path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text[-lines:])

    # ------------------------------------------------------------------ internals

    def _prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
        (self.workdir / "rabbitmq-env.conf").write_text("")  # ignore /etc/rabbitmq/rabbitmq-env.conf
        (self.workdir / "enabled_plugins").write_text("[rabbitmq_management].\n")
        peers = "".join(f"cluster_formation.classic_config.nodes.{n.index + 1} = {n.name}\n" for n in self.nodes)
        for node in self.nodes:
            (node.base / "log").mkdir(parents=True, exist_ok=True)
            listeners = (boot_tls_conf(self.tls, node.amqp_port, node.management_port) if self.tls is not None else
                         f"listeners.tcp.1 = {LOOPBACK}:{node.amqp_port}\n"
                         f"management.tcp.ip = {LOOPBACK}\n"
                         f"management.tcp.port = {node.management_port}\n")
            (node.base / "rabbitmq.conf").write_text(
                listeners
                + f"default_user = {ADMIN_USER}\n"
                f"default_pass = {self.password}\n"
                "default_user_tags.administrator = true\n"
                "loopback_users = none\n"
                "disk_free_limit.absolute = 50MB\n"
                "log.console = false\n"
                "log.file.level = info\n"
                # The management UI's stats are what the tests read back: refresh them quickly.
                "collect_statistics_interval = 1000\n"
                + ("cluster_formation.peer_discovery_backend = classic_config\n" + peers if self.size > 1 else "")
            )

    def _env(self, node: Node) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            HOME=str(self.home),
            ERL_EPMD_PORT=str(self.epmd_port),
            ERL_EPMD_ADDRESS=LOOPBACK,
            RABBITMQ_CONF_ENV_FILE=str(self.workdir / "rabbitmq-env.conf"),
            RABBITMQ_NODENAME=node.name,
            RABBITMQ_DIST_PORT=str(node.dist_port),
            RABBITMQ_CONFIG_FILE=str(node.base / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(node.base / "advanced.config"),
            RABBITMQ_MNESIA_BASE=str(node.base / "mnesia"),
            RABBITMQ_LOG_BASE=str(node.base / "log"),
            RABBITMQ_PID_FILE=str(node.base / "rabbit.pid"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.workdir / "enabled_plugins"),
            RABBITMQ_PLUGINS_EXPAND_DIR=str(node.base / "plugins-expand"),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
            RABBITMQ_CTL_DIST_PORT_MIN=str(node.dist_port + 1000) if node.dist_port < 64000 else "35672",
        )
        if self.tls is None:  # these open a plain AMQP listener (with TLS: listeners.tcp = none)
            env.update(RABBITMQ_NODE_IP_ADDRESS=LOOPBACK, RABBITMQ_NODE_PORT=str(node.amqp_port))
        return env

    def _start_epmd(self) -> None:
        env = {**os.environ, "ERL_EPMD_ADDRESS": LOOPBACK}
        self._epmd = subprocess.Popen([shutil.which("epmd") or "epmd", "-port", str(self.epmd_port)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex((LOOPBACK, self.epmd_port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"epmd did not listen on {self.epmd_port}")

    def _spawn(self, node: Node) -> None:
        out = (node.base / "stdout.log").open("wb")
        # SIGTERM to this process makes rabbitmq-server's shell stop the VM gracefully (see kill()).
        self._procs[node.index] = subprocess.Popen(
            [str(RABBITMQ_BIN / "rabbitmq-server")], env=self._env(node), cwd=node.base,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()


def listening_sockets(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket process ``pid`` listens on, read from /proc.

    The management API reports its listener as ``::`` even when bound to 127.0.0.1, so the
    loopback-only promise is checked against the kernel's view instead.
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found: set[tuple[str, int]] = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A = LISTEN
                continue
            hex_addr, hex_port = cols[1].split(":")
            raw = bytes.fromhex(hex_addr)
            # /proc stores each 32-bit word in host (little-endian) order.
            addr = b"".join(raw[i:i + 4][::-1] for i in range(0, width, 4))
            found.add((socket.inet_ntop(socket.AF_INET if width == 4 else socket.AF_INET6, addr),
                       int(hex_port, 16)))
    return found


@contextmanager
def rabbitmq(size: int = 1) -> Iterator[RabbitCluster]:
    """``with rabbitmq(3) as cluster:`` — started, clustered, and always stopped."""
    cluster = RabbitCluster(size)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
