"""A VPC built by CloudFormation in moto 5.2 as EC2 would hold it (the twin's eksctl cluster stack).

- `Fn::GetAZs ''` lists the stack's own region's zones; moto lists us-east-1a..d whatever the region,
  so subnets of an eu-west-1 VPC landed in us-east-1 zones.
- AWS::EC2::Subnet applies MapPublicIpOnLaunch (default false); moto ignored it and mapped public
  addresses in the first subnet of each zone only, so public and private subnets looked swapped.
- AWS::EC2::SubnetRouteTableAssociation associates through EC2's AssociateRouteTable, so the route
  table lists it (moto kept it aside, invisible to DescribeRouteTables), has the association id as
  its physical id, and is disassociated when deleted.

(Security group ingress rules are mended in extensions/ec2_native.py.)
"""

import contextlib
from typing import Any

from moto.cloudformation import parsing
from moto.ec2.exceptions import InvalidAssociationIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
from moto.ec2.models.subnets import Subnet, SubnetRouteTableAssociation

_clean_json = parsing.clean_json


def _clean_json_with_zones(resource_json: Any, resources_map: Any) -> Any:
    # clean_json resolves nested values by calling itself through the module, so this sees them all.
    if isinstance(resource_json, dict) and "Fn::GetAZs" in resource_json:
        region = _clean_json(resource_json["Fn::GetAZs"], resources_map) or resources_map._region_name
        return [zone.name for zone in RegionsAndZonesBackend.zones.get(region, [])]
    return _clean_json(resource_json, resources_map)


parsing.clean_json = _clean_json_with_zones

_create_subnet = Subnet.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _subnet_from_cloudformation(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Subnet:
    subnet = _create_subnet(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    # A template literal arrives as a bool, a parameter as "true".
    subnet.map_public_ip_on_launch = str(cloudformation_json["Properties"].get("MapPublicIpOnLaunch", False)).lower() == "true"
    return subnet


Subnet.create_from_cloudformation_json = classmethod(_subnet_from_cloudformation)  # type: ignore[method-assign, assignment]


def _association_from_cloudformation(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> SubnetRouteTableAssociation:
    properties = cloudformation_json["Properties"]
    association = cls(route_table_id=properties["RouteTableId"], subnet_id=properties["SubnetId"])
    association.id = ec2_backends[account_id][region_name].associate_route_table(properties["RouteTableId"], subnet_id=properties["SubnetId"])
    return association


def _disassociate(self: SubnetRouteTableAssociation, account_id: str, region_name: str) -> None:
    with contextlib.suppress(InvalidAssociationIdError):  # the route table went first (moto deletes in any order)
        ec2_backends[account_id][region_name].disassociate_route_table(getattr(self, "id", ""))


SubnetRouteTableAssociation.create_from_cloudformation_json = classmethod(_association_from_cloudformation)  # type: ignore[method-assign, assignment]
SubnetRouteTableAssociation.physical_resource_id = property(lambda self: getattr(self, "id", self.route_table_id))  # type: ignore[attr-defined]
SubnetRouteTableAssociation.delete = _disassociate  # type: ignore[attr-defined]
