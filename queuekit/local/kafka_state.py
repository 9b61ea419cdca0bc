"""Reading a live Kafka cluster's topics, configs, SCRAM users and ACLs with confluent-kafka's AdminClient.

``local up`` diffs this state against the plan (``queuekit.topology.kafka``) and ``verify`` checks it, so
both read the cluster the same way. ACLs are compared as plain tuples (the plan's JSON fields) because
``AclBinding`` objects carry enums that do not compare equal to the plan's strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ConfigResource,
    ResourcePatternType,
    ResourceType,
)

TIMEOUT_S = 30.0
AclKey = tuple[str, str, str, str, str, str, str]


@dataclass(frozen=True)
class TopicState:
    name: str
    partitions: int
    replication: int


def acl_key(acl: dict[str, str]) -> AclKey:
    """A plan ACL as a comparable tuple."""
    return (acl["principal"], acl["resource_type"], acl["resource_name"], acl["pattern_type"], acl["operation"],
            acl["permission"], acl["host"])


def binding_key(b: AclBinding) -> AclKey:
    return (b.principal, b.restype.name, b.name, b.resource_pattern_type.name, b.operation.name,
            b.permission_type.name, b.host)


def to_binding(acl: dict[str, str]) -> AclBinding:
    return AclBinding(ResourceType[acl["resource_type"]], acl["resource_name"],
                      ResourcePatternType[acl["pattern_type"]], acl["principal"], acl["host"],
                      AclOperation[acl["operation"]], AclPermissionType[acl["permission"]])


def broker_count(admin: AdminClient) -> int:
    return len(admin.list_topics(timeout=TIMEOUT_S).brokers)


def topics(admin: AdminClient, timeout: float = TIMEOUT_S) -> dict[str, TopicState]:
    """Every topic's partition count and replication factor (of partition 0: queuekit creates them uniform)."""
    metadata = admin.list_topics(timeout=timeout)
    out = {}
    for name, t in metadata.topics.items():
        if t.error is not None:
            continue
        replicas = len(t.partitions[0].replicas) if 0 in t.partitions else 0
        out[name] = TopicState(name, len(t.partitions), replicas)
    return out


def topic_configs(admin: AdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    """The effective value of every config of each named topic."""
    if not names:
        return {}
    futures = admin.describe_configs([ConfigResource(ResourceType.TOPIC, n) for n in names])
    result: dict[str, dict[str, str]] = {}
    for resource, future in futures.items():
        entries: dict[str, Any] = future.result(timeout=TIMEOUT_S)
        result[resource.name] = {k: e.value for k, e in entries.items()}
    return result


def scram_users(admin: AdminClient) -> dict[str, list[str]]:
    """SCRAM user → mechanisms with a credential (e.g. ``["SCRAM_SHA_512"]``)."""
    described = admin.describe_user_scram_credentials().result(timeout=TIMEOUT_S)
    return {user: [info.mechanism.name for info in d.scram_credential_infos] for user, d in described.items()}


def acls(admin: AdminClient) -> set[AclKey]:
    """Every ACL binding in the cluster."""
    everything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY,
                                  AclPermissionType.ANY)
    return {binding_key(b) for b in admin.describe_acls(everything).result(timeout=TIMEOUT_S)}
