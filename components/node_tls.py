"""Node TLS from a cluster CA seed: the pieces the Kafka and RabbitMQ boot scripts share.

A cluster's secret (AWS Secrets Manager / GCP Secret Manager, read by name with the node's own identity)
holds ``ca_seed``, a random password. Every node hashes it into the same ECDSA P-256 key — the cluster CA —
and builds the CA certificate without talking to its peers (:func:`cert_tool`): the same name, key, serial and
validity, so the same to-be-signed bytes on every node. Only the signature bytes differ (ECDSA signatures are
randomized, and Debian 12's python3-cryptography 38 cannot sign deterministically), which trust never looks
at: any node's copy verifies every node's certificate. Not Ed25519: Erlang/OTP 25 (RabbitMQ on Debian 12)
refuses an Ed25519-signed chain over TLS 1.2 (``no_suitable_signature_algorithm``).
Each node then issues its own certificate (an ECDSA P-256 key made on the
node; CN and SAN = hostname and private IP, plus the load balancer's names so clients can connect through
it with hostname verification on) and publishes the CA certificate for clients: an SSM parameter (AWS)
or a new version of a Secret Manager secret (GCP), the place the stack output ``<engine>.<broker>.ca_certificate``
names. The node's identity may read *that* secret and write *that* CA target only
(:func:`add_fleet_with_secret`). The boot scripts name the secret and never hold it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from components.blueprint import Blueprint, Concat, Handle, JsonDoc, Secret
from components.vmcluster import VmCluster, VmClusterArgs, add_vm_cluster

# Run as ``certtool.py SEED_HEX CLUSTER HOST IP OUT_DIR [EXTRA_NAME ...]``: writes OUT_DIR/ca.pem (the CA
# certificate) and OUT_DIR/node.pem (the node's PKCS#8 key, its certificate, then the CA certificate).
_CERT_TOOL = r'''
import datetime, ipaddress, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

seed_hex, cluster, host, ip, out, *extra = sys.argv[1:]
seed = bytes.fromhex(seed_hex)[:32]


def san(name):
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ca_key = ec.derive_private_key(int.from_bytes(seed, "big") % (P256_ORDER - 1) + 1, ec.SECP256R1())
ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"queuekit {cluster} @ENGINE@ CA")])
start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
      .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
      .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
      .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
      .sign(ca_key, hashes.SHA256()))
key = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.now(datetime.timezone.utc)
node = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host), x509.IPAddress(ipaddress.ip_address(ip))]
                                                   + [san(x) for x in extra]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH,
                                              x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256()))
pem = serialization.Encoding.PEM
with open(f"{out}/ca.pem", "wb") as fh:
    fh.write(ca.public_bytes(pem))
with open(f"{out}/node.pem", "wb") as fh:
    fh.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    fh.write(node.public_bytes(pem) + ca.public_bytes(pem))
'''

# Bash functions the GCP commands below use (the metadata server's token and project id). The second
# backslash is a Python line continuation, as it always was in Kafka's scripts: gcp_project is one line.
GCP_HELPERS = """gcp_token() { curl -sf -H 'Metadata-Flavor: Google' \\
  http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token | jq -r .access_token; }
gcp_project() { curl -sf -H 'Metadata-Flavor: Google' \
  http://metadata.google.internal/computeMetadata/v1/project/project-id; }
"""


def cert_tool(engine: str) -> str:
    """The certificate tool (a python3-cryptography script); the CA is named ``queuekit <cluster> <engine> CA``."""
    return _CERT_TOOL.replace("@ENGINE@", engine)


def fixed_lb_ip(cloud: str, cidr: str) -> str | None:
    """GCP: the internal LB's fixed address (so boot scripts can name it in certificates); AWS: none."""
    return None if cloud == "aws" else str(ipaddress.ip_network(cidr).network_address + 256 + 5)


def lb_names(cloud: str, region: str, lb_ip: str | None) -> tuple[str, ...]:
    """The load balancer's TLS subject names: AWS the region's ELB domain, GCP the LB's fixed address."""
    return (f"*.elb.{region}.amazonaws.com",) if cloud == "aws" else (lb_ip or "",)


def read_secret_command(cloud: str, region: str) -> str:
    """Shell: print the cluster secret named ``$SECRET``, with the node's own identity."""
    if cloud == "aws":
        return (f"aws secretsmanager get-secret-value --region {region} --secret-id \"$SECRET\" "
                "--query SecretString --output text")
    return ('curl -sf -H "Authorization: Bearer $(gcp_token)" '
            '"https://secretmanager.googleapis.com/v1/projects/$(gcp_project)/secrets/$SECRET/versions/'
            'latest:access" | jq -r .payload.data | base64 -d')


def publish_ca_command(cloud: str, region: str, ca_file: str) -> str:
    """Shell: publish ``ca_file`` to ``$CA_TARGET`` (SSM parameter / a new Secret Manager version)."""
    if cloud == "aws":
        return (f"aws ssm put-parameter --region {region} --name \"$CA_TARGET\" --type String --overwrite "
                f"--value file://{ca_file} >/dev/null")
    return ('curl -sf -X POST -H "Authorization: Bearer $(gcp_token)" -H "Content-Type: application/json" '
            '"https://secretmanager.googleapis.com/v1/projects/$(gcp_project)/secrets/$CA_TARGET:addVersion" '
            f'-d "{{\\"payload\\":{{\\"data\\":\\"$(base64 -w0 {ca_file})\\"}}}}" >/dev/null')


def read_secret_step(cloud: str, region: str) -> str:
    """Shell: ``$SECRETS`` = the cluster secret (retried while IAM propagates) and ``field KEY`` to read it."""
    return f"""SECRETS=""
for attempt in $(seq 1 60); do  # the node's grant on the secret may still be propagating
  SECRETS=$({read_secret_command(cloud, region)}) && [ -n "$SECRETS" ] && break
  echo "waiting for the cluster secret (attempt $attempt)" >&2
  sleep 10
done
[ -n "$SECRETS" ] || {{ echo "cannot read the cluster secret $SECRET" >&2; exit 1; }}
field() {{ python3 -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])" <<<"$SECRETS"; }}
"""


def node_cert_step(cloud: str, region: str, engine: str, etc: str, cluster: str, hostname: str, ip: str,
                   names: tuple[str, ...]) -> str:
    """Shell (after :func:`read_secret_step`): derive the CA, issue ``<etc>/tls/node.pem`` once, publish the CA."""
    sans, publish = "".join(f" {n}" for n in names), publish_ca_command(cloud, region, f"{etc}/tls/ca.pem")
    return f"""CA_SEED=$(field ca_seed | sha256sum | cut -d' ' -f1)
cat > {etc}/certtool.py <<'PY'
{cert_tool(engine)}PY
[ -f {etc}/tls/node.pem ] || \
  python3 {etc}/certtool.py "$CA_SEED" {cluster} {hostname} {ip} {etc}/tls{sans}
{publish} || echo "could not publish the CA certificate (retried on next boot)" >&2
"""


# ------------------------------------------------------------------------------ the cluster's resources


PASSWORD = "random:index/randomPassword:RandomPassword"


@dataclass(frozen=True)
class ClusterPasswords:
    """The random secrets of one broker cluster: only in the cluster secret and in secret stack outputs."""

    extra: tuple[tuple[str, Handle], ...]  # engine-specific (RabbitMQ: the Erlang cookie)
    admin: Handle
    seed: Handle  # the CA seed every node derives the cluster CA from
    users: tuple[tuple[str, Handle], ...]

    def secret_value(self) -> Secret:
        """The cluster secret's JSON document."""
        return Secret(JsonDoc({**{k: h.result for k, h in self.extra}, "admin_password": self.admin.result,
                               "ca_seed": self.seed.result, "users": {u: h.result for u, h in self.users}}))

    def export(self, bp: Blueprint) -> None:
        """``admin_password`` and ``password.<user>`` outputs (Pulumi marks the random results secret)."""
        bp.outputs["admin_password"] = self.admin.result
        for user, handle in self.users:
            bp.outputs[f"password.{user}"] = handle.result


def cluster_passwords(bp: Blueprint, name: str, users: Any, extra: tuple[tuple[str, int], ...] = ()) \
        -> ClusterPasswords:
    """Random passwords (letters and digits: they go into config files and SCRAM/AMQP URIs unescaped)."""
    made = tuple((key, bp.add(PASSWORD, f"{name}.{key.replace('_', '-')}", length=length, special=False))
                 for key, length in extra)
    admin = bp.add(PASSWORD, f"{name}.admin-password", length=32, special=False)
    seed = bp.add(PASSWORD, f"{name}.ca-seed", length=64, special=False)
    return ClusterPasswords(made, admin, seed, tuple(
        (u, bp.add(PASSWORD, f"{name}.password-{re.sub(r'[^A-Za-z0-9-]', '-', u)}", length=32, special=False))
        for u in users))


def add_fleet_with_secret(bp: Blueprint, name: str, fleet: VmClusterArgs, secret_name: str, ca_target: str | None,
                          description: str, value: Secret, tags: dict[str, str]) -> VmCluster:
    """The cluster secret holding ``value``, the CA target (unless None), and the fleet allowed exactly those.

    AWS: a Secrets Manager secret (no kms_key_id: the account's aws/secretsmanager KMS key, whose policy lets
    exactly the principals allowed GetSecretValue decrypt through Secrets Manager) and resource-scoped node
    policy statements on its ARN and the SSM parameter's ARN. GCP: Secret Manager secrets for the value and
    the CA certificate, with IAM members for the nodes' service account on each.
    """
    if fleet.cloud == "aws":
        secret = bp.add("aws:secretsmanager/secret:Secret", f"{name}.secret", name=secret_name,
                        description=description, recovery_window_in_days=7, region=fleet.region, tags=tags)
        bp.add("aws:secretsmanager/secretVersion:SecretVersion", f"{name}.secret-value", secret_id=secret.id,
               secret_string=value, region=fleet.region)
        statements: tuple[dict[str, Any], ...] = (
            {"Sid": "ReadClusterSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": secret.arn},)
        if ca_target is not None:
            statements += ({"Sid": "PublishCaCertificate", "Effect": "Allow", "Action": "ssm:PutParameter",
                            "Resource": f"arn:aws:ssm:{fleet.region}:*:parameter{ca_target}"},)
        return add_vm_cluster(bp, dataclasses.replace(fleet, extra_statements=(*fleet.extra_statements, *statements)))
    grants = [(_gcp_secret(bp, name, fleet, secret_name, "secret", value, tags), "secret", "secretAccessor")]
    if ca_target is not None:
        grants.append((_gcp_secret(bp, name, fleet, ca_target, "ca-certificate", None, tags), "ca-certificate",
                       "secretVersionAdder"))
    vms = add_vm_cluster(bp, fleet)
    member = Concat(("serviceAccount:", vms.identity))
    for handle, key, role in grants:
        bp.add("gcp:secretmanager/secretIamMember:SecretIamMember", f"{name}.{key}-{role}",
               secret_id=handle.id, role=f"roles/secretmanager.{role}", member=member, project=fleet.project)
    return vms


def _gcp_secret(bp: Blueprint, name: str, fleet: VmClusterArgs, secret_id: str, key: str, value: Secret | None,
                tags: dict[str, str]) -> Handle:
    secret = bp.add("gcp:secretmanager/secret:Secret", f"{name}.{key}", secret_id=secret_id,
                    replication={"auto": {}}, labels=tags, project=fleet.project)
    if value is not None:
        bp.add("gcp:secretmanager/secretVersion:SecretVersion", f"{name}.{key}-value", secret=secret.id,
               secret_data=value)
    return secret


def ca_location(fleet: VmClusterArgs, ca_target: str) -> str:
    """Where clients fetch the CA certificate (the ``<engine>.<broker>.ca_certificate`` stack output)."""
    return f"ssm:{ca_target}" if fleet.cloud == "aws" else f"projects/{fleet.project}/secrets/{ca_target}"
