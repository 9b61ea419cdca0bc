"""Run the cluster's certificate tool (``components.node_tls.cert_tool``) here, exactly as a VM's boot script does.

The boot scripts run ``python3 certtool.py "$CA_SEED" CLUSTER HOST IP DIR [NAMES...]`` with
``CA_SEED=$(field ca_seed | sha256sum | cut -d' ' -f1)``; RabbitMQ's then splits ``node.pem`` into
``key.pem`` and ``cert.pem`` with ``openssl`` (``components.rabbitmq_boot``), Kafka reads ``node.pem`` as
its PEM keystore (``components.kafka_boot``).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from components.node_tls import cert_tool

CLUSTER = "shop-prod-jobs"


def seed_hex(ca_seed: str) -> str:
    """``printf '%s\\n' "$ca_seed" | sha256sum``: the hex seed the boot scripts pass to the tool."""
    return hashlib.sha256(ca_seed.encode() + b"\n").hexdigest()


def issue(out: Path, ca_seed: str, host: str, ip: str, *extra: str, engine: str = "rabbitmq",
          cluster: str = CLUSTER) -> Path:
    """Run the tool with python into ``out`` (created): ``ca.pem`` and ``node.pem`` (key, cert, CA)."""
    out.mkdir(parents=True)
    subprocess.run([sys.executable, "-", seed_hex(ca_seed), cluster, host, ip, str(out), *extra],
                   input=cert_tool(engine), text=True, check=True)
    return out


def split_for_rabbitmq(tls: Path) -> Path:
    """``key.pem`` and ``cert.pem`` from ``node.pem``, with the boot script's two openssl commands."""
    subprocess.run(["openssl", "pkey", "-in", str(tls / "node.pem"), "-out", str(tls / "key.pem")], check=True)
    subprocess.run(["openssl", "x509", "-in", str(tls / "node.pem"), "-out", str(tls / "cert.pem")], check=True)
    return tls
