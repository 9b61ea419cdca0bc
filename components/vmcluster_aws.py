"""The AWS half of ``components.vmcluster``: VPC, EC2 nodes, security group, internal NLB.

See ``components/vmcluster.py`` for what and why. Layout of the cluster's /16: ``x.y.0.0/24`` is
the public subnet holding only the NAT gateway; ``x.y.(z+1).0/24`` is the private subnet of zone
``z``. Nodes have no public IP.
"""

from __future__ import annotations

import base64
import gzip
import ipaddress
from typing import Any

from components.blueprint import Blueprint, JsonDoc, Ref
from components.vmcluster import AWS_IMAGE, VmCluster, VmClusterArgs, disk_gb, hostnames, lb_members, node_ips

ANYWHERE = "0.0.0.0/0"  # egress only (package mirrors over HTTP/HTTPS), never ingress


def _subnet(cidr: str, index: int) -> str:
    net = ipaddress.ip_network(cidr)
    return str(ipaddress.ip_network((int(net.network_address) + index * 256, 24)))


def add_aws_fleet(bp: Blueprint, a: VmClusterArgs) -> VmCluster:
    n, pn, r, tags = a.name, a.physical, a.region, a.tags
    vpc = bp.add("aws:ec2/vpc:Vpc", f"{n}.vpc", cidr_block=a.cidr, enable_dns_support=True,
                 enable_dns_hostnames=True, region=r, tags={**tags, "Name": pn})
    igw = bp.add("aws:ec2/internetGateway:InternetGateway", f"{n}.igw", vpc_id=vpc.id, region=r,
                 tags={**tags, "Name": pn})
    public = bp.add("aws:ec2/subnet:Subnet", f"{n}.subnet-public", vpc_id=vpc.id, cidr_block=_subnet(a.cidr, 0),
                    availability_zone=a.zones[0], map_public_ip_on_launch=False, region=r,
                    tags={**tags, "Name": f"{pn}-public"})
    public_rt = bp.add("aws:ec2/routeTable:RouteTable", f"{n}.rt-public", vpc_id=vpc.id, region=r,
                       routes=[{"cidr_block": ANYWHERE, "gateway_id": igw.id}], tags={**tags, "Name": f"{pn}-public"})
    bp.add("aws:ec2/routeTableAssociation:RouteTableAssociation", f"{n}.rta-public", subnet_id=public.id,
           route_table_id=public_rt.id, region=r)
    eip = bp.add("aws:ec2/eip:Eip", f"{n}.nat-ip", domain="vpc", region=r, tags={**tags, "Name": f"{pn}-nat"})
    nat = bp.add("aws:ec2/natGateway:NatGateway", f"{n}.nat", allocation_id=eip.id, subnet_id=public.id, region=r,
                 tags={**tags, "Name": pn})
    private_rt = bp.add("aws:ec2/routeTable:RouteTable", f"{n}.rt-private", vpc_id=vpc.id, region=r,
                        routes=[{"cidr_block": ANYWHERE, "nat_gateway_id": nat.id}],
                        tags={**tags, "Name": f"{pn}-private"})
    subnets = []
    for z, zone in enumerate(a.zones):
        sub = bp.add("aws:ec2/subnet:Subnet", f"{n}.subnet-{zone}", vpc_id=vpc.id, cidr_block=_subnet(a.cidr, z + 1),
                     availability_zone=zone, map_public_ip_on_launch=False, region=r,
                     tags={**tags, "Name": f"{pn}-{zone}"})
        bp.add("aws:ec2/routeTableAssociation:RouteTableAssociation", f"{n}.rta-{zone}", subnet_id=sub.id,
               route_table_id=private_rt.id, region=r)
        subnets.append(sub)

    sg = bp.add("aws:ec2/securityGroup:SecurityGroup", f"{n}.sg", name=pn, vpc_id=vpc.id, region=r,
                description=f"{pn}: clients from declared CIDRs, peers from the cluster only",
                ingress=_ingress(a), egress=_egress(a), tags={**tags, "Name": pn})

    role = bp.add("aws:iam/role:Role", f"{n}.role", name=f"{pn}-node", tags=tags,
                  assume_role_policy=JsonDoc({"Version": "2012-10-17", "Statement": [{
                      "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    bp.add("aws:iam/rolePolicy:RolePolicy", f"{n}.role-policy", name=f"{pn}-node", role=Ref(role.name, "name"),
           policy=JsonDoc(node_policy(a)))
    profile = bp.add("aws:iam/instanceProfile:InstanceProfile", f"{n}.profile", name=f"{pn}-node",
                     role=Ref(role.name, "name"), tags=tags)
    template = bp.add("aws:ec2/launchTemplate:LaunchTemplate", f"{n}.template", name=pn, image_id=AWS_IMAGE,
                      metadata_options=_imds(), update_default_version=True, region=r, tags=tags)

    ips = node_ips("aws", a.cidr, len(a.zones), a.nodes)
    hosts = hostnames(a)
    instances, zones = [], []
    for i in range(a.nodes):
        z = i % len(a.zones)
        instances.append(bp.add(
            "aws:ec2/instance:Instance", f"{n}.node-{i}",
            launch_template={"id": template.id, "version": "$Latest"},
            instance_type=a.instance_type, subnet_id=subnets[z].id, private_ip=ips[i],
            associate_public_ip_address=False, vpc_security_group_ids=[sg.id],
            iam_instance_profile=Ref(profile.name, "name"),
            metadata_options=_imds(), monitoring=True, disable_api_termination=True,
            root_block_device={"volume_type": "gp3", "volume_size": disk_gb(a, i), "encrypted": True,
                               "delete_on_termination": True, "tags": {**tags, "Name": hosts[i]}},
            **_user_data(a, i), user_data_replace_on_change=False, region=r,
            tags={**tags, "Name": hosts[i]}))
        zones.append(a.zones[z])

    lb = bp.add("aws:lb/loadBalancer:LoadBalancer", f"{n}.nlb", name=pn, internal=True,
                load_balancer_type="network", subnets=[s.id for s in subnets], security_groups=[sg.id],
                enable_cross_zone_load_balancing=True, region=r, tags=tags)
    for port in a.client_ports:
        tg = bp.add("aws:lb/targetGroup:TargetGroup", f"{n}.tg-{port}", name=f"{pn}-{port}", port=port,
                    protocol="TCP", vpc_id=vpc.id, target_type="instance",
                    health_check={"protocol": "TCP", "port": str(a.health_port), "interval": 10,
                                  "healthy_threshold": 3, "unhealthy_threshold": 3},
                    region=r, tags=tags)
        bp.add("aws:lb/listener:Listener", f"{n}.listener-{port}", load_balancer_arn=lb.arn, port=port,
               protocol="TCP", default_actions=[{"type": "forward", "target_group_arn": tg.arn}], region=r, tags=tags)
        for i in lb_members(a):
            bp.add("aws:lb/targetGroupAttachment:TargetGroupAttachment", f"{n}.tg-{port}.node-{i}",
                   target_group_arn=tg.arn, target_id=instances[i].id, port=port, region=r)
    return VmCluster(hostnames=hosts, private_ips=ips, instances=tuple(instances), instance_zones=tuple(zones),
                     lb_address=lb.dns_name, identity=role.arn)


def _user_data(a: VmClusterArgs, i: int) -> dict[str, Any]:
    """``user_data``, or gzip + base64 in ``user_data_base64`` (EC2 caps user data at 16 KB; needs plain text)."""
    if not a.gzip_user_data:
        return {"user_data": a.user_data[i]}
    return {"user_data_base64": base64.b64encode(gzip.compress(a.user_data[i].encode(), mtime=0)).decode()}


def _imds() -> dict[str, Any]:
    """IMDSv2 only (session tokens), one hop: containers on the node cannot reach the credentials."""
    return {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}


def _ingress(a: VmClusterArgs) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for port in a.client_ports:
        if a.allowed_cidrs:
            rules.append({"protocol": "tcp", "from_port": port, "to_port": port,
                          "cidr_blocks": list(a.allowed_cidrs), "description": f"clients on {port}"})
        # The NLB keeps client source IPs; its health checks come from its own addresses in the VPC.
        rules.append({"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": [a.cidr],
                      "description": f"load balancer and health checks on {port}"})
    for port in a.peer_ports:
        rules.append({"protocol": "tcp", "from_port": port, "to_port": port, "self": True,
                      "description": f"cluster peers on {port}"})
    return rules


def _egress(a: VmClusterArgs) -> list[dict[str, Any]]:
    return [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [ANYWHERE],
         "description": "HTTPS: package mirrors, CloudWatch"},
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": [ANYWHERE],
         "description": "HTTP: Debian package mirrors (signed packages)"},
        {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [a.cidr], "description": "inside the cluster"},
    ]


def node_policy(a: VmClusterArgs) -> dict[str, Any]:
    """The nodes' only permissions: metrics into the cluster's namespace, logs into its log groups."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": a.metrics_namespace}}},
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": f"arn:aws:logs:{a.region}:*:log-group:/queuekit/{a.physical}*"},
        *a.extra_statements,
    ]}
