"""EKS clusters with a VPC, for moto 5.2, whose DescribeCluster omits resourcesVpcConfig.vpcId.

EKS derives the VPC from the cluster's subnets and always reports it; `biomage configure` installs
the load balancer controller with it. Here: the VPC of the first subnet the EC2 emulator knows, else
a stable id derived from the cluster's ARN (the twin's clusters name subnets that need not exist).
EKS also reports the security group it created for the cluster (clusterSecurityGroupId); the twin's
eksctl stack makes that group, named as EKS names it (eks-cluster-sg-<cluster>), in the VPC.

UpdateClusterConfig changes only the fields of resourcesVpcConfig it is given, as in EKS (moto
replaced the whole block), and the VPC follows new subnets: `biomage dev up` registers the twin's
cluster first and attaches the subnets of its eksctl stack afterwards.
"""

import hashlib
from typing import Any

from moto.ec2.models import ec2_backends
from moto.eks.models import Cluster, EKSBackend

_original_init = Cluster.__init__
_original_update = EKSBackend.update_cluster_config


def _init(self: Cluster, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    self.resources_vpc_config = _with_vpc(self, dict(self.resources_vpc_config or {}))


def _update(self: EKSBackend, name: str, resources_vpc_config: dict[str, Any], *args: Any, **kwargs: Any) -> Cluster:
    cluster = self.clusters.get(name)
    if cluster and resources_vpc_config:
        merged = {**(cluster.resources_vpc_config or {}), **resources_vpc_config}
        if resources_vpc_config.get("subnetIds"):
            merged.pop("vpcId", None)
            merged.pop("clusterSecurityGroupId", None)
        resources_vpc_config = _with_vpc(cluster, merged)
    return _original_update(self, name, resources_vpc_config, *args, **kwargs)


def _with_vpc(cluster: Cluster, config: dict[str, Any]) -> dict[str, Any]:
    backend = _ec2(cluster)
    if not config.get("vpcId"):
        config["vpcId"] = _vpc_of(backend, config) or "vpc-" + hashlib.sha1(cluster.arn.encode()).hexdigest()[:17]
    if not config.get("clusterSecurityGroupId"):
        group = _cluster_security_group(backend, config["vpcId"], cluster.name)
        if group:
            config["clusterSecurityGroupId"] = group
    return config


def _ec2(cluster: Cluster) -> Any:
    # arn:<partition>:eks:<region>:<account>:cluster/<name>
    _, _, _, region, account, _ = cluster.arn.split(":", 5)
    return ec2_backends[account][region]


def _vpc_of(backend: Any, config: dict[str, Any]) -> str | None:
    for subnet_id in config.get("subnetIds") or []:
        try:
            return backend.get_subnet(subnet_id).vpc_id
        except Exception:  # noqa: BLE001 - a subnet the emulator does not know: try the next one
            continue
    return None


def _cluster_security_group(backend: Any, vpc_id: str, cluster_name: str) -> str | None:
    groups = backend.describe_security_groups(filters={"vpc-id": [vpc_id]})
    return next((g.id for g in groups if g.name.startswith(f"eks-cluster-sg-{cluster_name}")), None)


Cluster.__init__ = _init
EKSBackend.update_cluster_config = _update  # type: ignore[method-assign]
