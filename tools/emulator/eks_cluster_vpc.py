"""EKS clusters with a VPC, for moto 5.2, whose DescribeCluster omits resourcesVpcConfig.vpcId.

EKS derives the VPC from the cluster's subnets and always reports it; `biomage configure` installs
the load balancer controller with it. Here: the VPC of the first subnet the EC2 emulator knows, else
a stable id derived from the cluster's ARN (the twin's clusters name subnets that need not exist).
"""

import hashlib

from moto.ec2.models import ec2_backends
from moto.eks.models import Cluster

_original_init = Cluster.__init__


def _init(self: Cluster, *args, **kwargs) -> None:
    _original_init(self, *args, **kwargs)
    config = dict(self.resources_vpc_config or {})
    if not config.get("vpcId"):
        config["vpcId"] = _vpc_of(self) or "vpc-" + hashlib.sha1(self.arn.encode()).hexdigest()[:17]
    self.resources_vpc_config = config


def _vpc_of(cluster: Cluster) -> str | None:
    # arn:<partition>:eks:<region>:<account>:cluster/<name>
    _, _, _, region, account, _ = cluster.arn.split(":", 5)
    backend = ec2_backends[account][region]
    for subnet_id in (cluster.resources_vpc_config or {}).get("subnetIds") or []:
        try:
            return backend.get_subnet(subnet_id).vpc_id
        except Exception:  # noqa: BLE001 - a subnet the emulator does not know: try the next one
            continue
    return None


Cluster.__init__ = _init
