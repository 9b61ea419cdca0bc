"""The shared node certificate tool (``components.node_tls.cert_tool``), run locally with python3-cryptography.

Two nodes given the same CA seed build the byte-identical CA certificate without talking to each other and
each issue a node certificate that verifies against it; another seed gives another CA.
"""

from __future__ import annotations

import hashlib
import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from components.node_tls import cert_tool


def issue(tmp: Path, seed: str, host: str, ip: str, *extra: str) -> tuple[bytes, x509.Certificate]:
    """Run the tool as the boot scripts do (seed = sha256 of the secret's ca_seed); (ca.pem bytes, node cert)."""
    out = tmp / host
    out.mkdir()
    seed_hex = hashlib.sha256(seed.encode() + b"\n").hexdigest()  # `field ca_seed | sha256sum`
    subprocess.run([sys.executable, "-", seed_hex, "shop-prod-jobs", host, ip, str(out), *extra],
                   input=cert_tool("rabbitmq"), text=True, check=True)
    ca = (out / "ca.pem").read_bytes()
    chain = x509.load_pem_x509_certificates((out / "node.pem").read_bytes())
    assert chain[1].public_bytes(Encoding.PEM) == ca  # node.pem: key, node cert, CA
    return ca, chain[0]


def test_same_seed_same_ca_and_both_node_certificates_verify(tmp_path: Path) -> None:
    ca0, node0 = issue(tmp_path, "seed-a", "rabbitmq-jobs-0", "10.100.1.10", "*.elb.us-east-1.amazonaws.com")
    ca1, node1 = issue(tmp_path, "seed-a", "rabbitmq-jobs-1", "10.100.2.11", "10.100.1.5")
    assert ca0 == ca1
    ca = x509.load_pem_x509_certificate(ca0)
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "queuekit shop-prod-jobs rabbitmq CA"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    for node, host, names in ((node0, "rabbitmq-jobs-0", ["10.100.1.10", "*.elb.us-east-1.amazonaws.com"]),
                              (node1, "rabbitmq-jobs-1", ["10.100.2.11", "10.100.1.5"])):
        node.verify_directly_issued_by(ca)
        assert node.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == host
        san = node.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        ips = [str(i) for i in san.get_values_for_type(x509.IPAddress)]
        dns = san.get_values_for_type(x509.DNSName)
        assert sorted(dns + ips) == sorted([host, *names])
        assert all(ipaddress.ip_address(i) for i in ips)


def test_another_seed_gives_another_ca(tmp_path: Path) -> None:
    ca_a, _ = issue(tmp_path, "seed-a", "rabbitmq-jobs-0", "10.100.1.10")
    ca_b, node_b = issue(tmp_path, "seed-b", "rabbitmq-jobs-1", "10.100.2.11")
    assert ca_a != ca_b
    with pytest.raises(InvalidSignature):  # same CA name, another key
        node_b.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_a))


def test_kafka_and_rabbitmq_share_the_tool_but_name_their_ca() -> None:
    kafka, rabbit = cert_tool("kafka"), cert_tool("rabbitmq")
    assert kafka.replace('} kafka CA"', '} rabbitmq CA"') == rabbit
    assert '@ENGINE@' not in kafka
