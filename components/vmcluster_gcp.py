"""The GCP half of ``components.vmcluster``: network, GCE nodes, firewall, internal passthrough LB.

See ``components/vmcluster.py`` for what and why. One regional subnetwork ``x.y.1.0/24`` (GCP
subnets span the region's zones) with Private Google Access, Cloud NAT for egress, no external
IPs. The load balancer is an internal passthrough Network Load Balancer: one unmanaged instance
group per zone behind a regional backend service, one forwarding rule on the client ports.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from components.blueprint import Blueprint, Concat, Handle, Ref
from components.vmcluster import (
    GCP_HEALTH_CHECK_RANGES,
    GCP_IMAGE,
    VmCluster,
    VmClusterArgs,
    disk_gb,
    hostnames,
    lb_members,
    node_ips,
)

NODE_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter")


def add_gcp_fleet(bp: Blueprint, a: VmClusterArgs) -> VmCluster:
    n, pn, r, project, labels = a.name, a.physical, a.region, a.project, a.tags
    tag = pn  # network tag the firewall rules target
    net = bp.add("gcp:compute/network:Network", f"{n}.network", name=pn, auto_create_subnetworks=False,
                 project=project)
    base = int(ipaddress.ip_network(a.cidr).network_address)
    subnet = bp.add("gcp:compute/subnetwork:Subnetwork", f"{n}.subnet", name=pn, network=net.id, region=r,
                    ip_cidr_range=str(ipaddress.ip_network((base + 256, 24))), private_ip_google_access=True,
                    project=project)
    router = bp.add("gcp:compute/router:Router", f"{n}.router", name=pn, network=net.id, region=r, project=project)
    bp.add("gcp:compute/routerNat:RouterNat", f"{n}.nat", name=pn, router=Ref(router.name, "name"), region=r,
           nat_ip_allocate_option="AUTO_ONLY", source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
           project=project)
    _firewalls(bp, a, net, tag)

    sa = bp.add("gcp:serviceaccount/account:Account", f"{n}.sa", account_id=f"{pn[:24]}-vm".strip("-"),
                display_name=f"queuekit {pn} broker nodes (metrics and logs only)", project=project)
    for role in NODE_ROLES:
        bp.add("gcp:projects/iAMMember:IAMMember", f"{n}.sa-{role.split('/')[1]}", project=project or "",
               role=role, member=Concat(("serviceAccount:", Ref(sa.name, "email"))))

    ips = node_ips("gcp", a.cidr, len(a.zones), a.nodes)
    hosts = hostnames(a)
    instances: list[Handle] = []
    zones: list[str] = []
    for i in range(a.nodes):
        zone = a.zones[i % len(a.zones)]
        instances.append(bp.add(
            "gcp:compute/instance:Instance", f"{n}.node-{i}", name=f"{pn}-{i}", zone=zone,
            machine_type=a.instance_type,
            boot_disk={"auto_delete": True,
                       "initialize_params": {"image": GCP_IMAGE, "size": disk_gb(a, i), "type": "pd-balanced",
                                             "labels": labels}},
            network_interfaces=[{"subnetwork": subnet.id, "network_ip": ips[i]}],  # no access_configs: no public IP
            service_account={"email": Ref(sa.name, "email"), "scopes": ["cloud-platform"]},
            shielded_instance_config={"enable_secure_boot": True, "enable_vtpm": True,
                                      "enable_integrity_monitoring": True},
            metadata={"startup-script": a.user_data[i], "block-project-ssh-keys": "true", "enable-oslogin": "TRUE"},
            tags=[tag], labels=labels, deletion_protection=True, allow_stopping_for_update=True, project=project))
        zones.append(zone)

    groups = []
    served = [(instances[i], zones[i]) for i in lb_members(a)]
    for zone in dict.fromkeys(z for _, z in served):
        members = [inst.self_link for inst, z in served if z == zone]
        groups.append(bp.add("gcp:compute/instanceGroup:InstanceGroup", f"{n}.group-{zone}", name=f"{pn}-{zone}",
                             zone=zone, network=net.id, instances=members, project=project))
    health = bp.add("gcp:compute/regionHealthCheck:RegionHealthCheck", f"{n}.health", name=pn, region=r,
                    tcp_health_check={"port": a.health_port}, check_interval_sec=10, timeout_sec=5,
                    healthy_threshold=3, unhealthy_threshold=3, project=project)
    backend = bp.add("gcp:compute/regionBackendService:RegionBackendService", f"{n}.backend", name=pn, region=r,
                     load_balancing_scheme="INTERNAL", protocol="TCP", health_checks=health.id,
                     backends=[{"group": g.self_link, "balancing_mode": "CONNECTION"} for g in groups],
                     project=project)
    rule = bp.add("gcp:compute/forwardingRule:ForwardingRule", f"{n}.lb", name=pn, region=r,
                  load_balancing_scheme="INTERNAL", backend_service=backend.id, ip_protocol="TCP", ip_address=a.lb_ip,
                  ports=[str(p) for p in a.client_ports], network=net.id, subnetwork=subnet.id,
                  allow_global_access=False, labels=labels, project=project)
    return VmCluster(hostnames=hosts, private_ips=ips, instances=tuple(instances), instance_zones=tuple(zones),
                     lb_address=rule.ip_address, identity=Ref(sa.name, "email"))


def _firewalls(bp: Blueprint, a: VmClusterArgs, net: Handle, tag: str) -> None:
    n, pn, project = a.name, a.physical, a.project
    ports = [str(p) for p in a.client_ports]

    def rule(suffix: str, allows: list[dict[str, Any]], **kw: Any) -> None:
        bp.add("gcp:compute/firewall:Firewall", f"{n}.fw-{suffix}", name=f"{pn}-{suffix}", network=net.id,
               direction="INGRESS", allows=allows, target_tags=[tag], project=project, **kw)

    if a.allowed_cidrs:
        rule("clients", [{"protocol": "tcp", "ports": ports}], source_ranges=list(a.allowed_cidrs),
             description="broker client ports from the declared CIDRs only")
    rule("health", [{"protocol": "tcp", "ports": [str(a.health_port)]}], source_ranges=list(GCP_HEALTH_CHECK_RANGES),
         description="Google load balancer health checks")
    rule("peers", [{"protocol": "tcp", "ports": [str(p) for p in a.peer_ports]}], source_tags=[tag],
         description="cluster peers between the nodes only")
