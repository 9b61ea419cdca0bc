"""The shared node certificate tool (``components.node_tls.cert_tool``), run locally with python3-cryptography.

Two nodes given the same CA seed build the same CA certificate (same ECDSA P-256 key and to-be-signed bytes;
only the randomized signature differs) without talking to each other, and each node certificate verifies
against either node's copy; another seed gives another CA. ``test_node_tls_brokers.py`` shows
real RabbitMQ and Kafka brokers serve these certificates.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from support import node_certs

from components.node_tls import cert_tool


def issue(tmp: Path, seed: str, host: str, ip: str, *extra: str) -> tuple[bytes, x509.Certificate]:
    """Run the tool as the boot scripts do (seed = sha256 of the secret's ca_seed); (ca.pem bytes, node cert)."""
    out = node_certs.issue(tmp / host, seed, host, ip, *extra)
    ca = (out / "ca.pem").read_bytes()
    chain = x509.load_pem_x509_certificates((out / "node.pem").read_bytes())
    assert chain[1].public_bytes(Encoding.PEM) == ca  # node.pem: key, node cert, CA
    return ca, chain[0]


def test_same_seed_same_ca_and_both_node_certificates_verify(tmp_path: Path) -> None:
    ca0, node0 = issue(tmp_path, "seed-a", "rabbitmq-jobs-0", "10.100.1.10", "*.elb.us-east-1.amazonaws.com")
    ca1, node1 = issue(tmp_path, "seed-a", "rabbitmq-jobs-1", "10.100.2.11", "10.100.1.5")
    copies = [x509.load_pem_x509_certificate(pem) for pem in (ca0, ca1)]
    assert copies[0].tbs_certificate_bytes == copies[1].tbs_certificate_bytes  # same name, key, serial, validity
    ca = copies[0]
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "queuekit shop-prod-jobs rabbitmq CA"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    key = ca.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    assert ca.signature_algorithm_oid.dotted_string == "1.2.840.10045.4.3.2"  # ecdsa-with-SHA256
    for node, host, names in ((node0, "rabbitmq-jobs-0", ["10.100.1.10", "*.elb.us-east-1.amazonaws.com"]),
                              (node1, "rabbitmq-jobs-1", ["10.100.2.11", "10.100.1.5"])):
        for copy in copies:  # either node's CA copy verifies both node certificates, and itself
            node.verify_directly_issued_by(copy)
            copy.verify_directly_issued_by(copies[0])
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
