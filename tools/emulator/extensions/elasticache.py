"""AWS::ElastiCache::ReplicationGroup and AWS::ElastiCache::SubnetGroup for moto's CloudFormation.

moto 5.2 implements the ElastiCache API but has no CloudFormation model for it, so stacks using
these types were reported complete with the resources silently missing. These models delegate to
moto's ElastiCache backend.
"""

import inspect
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores
from moto.elasticache.exceptions import ReplicationGroupNotFound
from moto.elasticache.models import ElastiCacheBackend, elasticache_backends

from ._common import Getters, Resource, as_bool, as_int, short_name

_CREATE_ARGS = list(inspect.signature(ElastiCacheBackend.create_replication_group).parameters)[1:]
_RENAMED = {"PreferredCacheClusterAZs": "preferred_cache_cluster_azs"}
_BOOLS = {"AutomaticFailoverEnabled", "MultiAZEnabled", "TransitEncryptionEnabled", "AtRestEncryptionEnabled",
          "DataTieringEnabled", "AutoMinorVersionUpgrade"}
_INTS = {"NumCacheClusters", "NumNodeGroups", "ReplicasPerNodeGroup", "Port", "SnapshotRetentionLimit"}


def _backend(resource: Resource) -> ElastiCacheBackend:
    return elasticache_backends[resource.account_id][resource.region_name]


def _read_endpoints(group: Any) -> list[dict[str, Any]]:
    return [member["read_endpoint"] for node_group in group.node_groups
            for member in node_group["node_group_members"] if "read_endpoint" in member]


class ReplicationGroupResource(Resource, CloudFormationModel):
    TYPE = "AWS::ElastiCache::ReplicationGroup"
    NAME_PROPERTY = "ReplicationGroupId"
    # What the backend's modify_replication_group supports, plus tags. Any other change replaces
    # the group: same id if ReplicationGroupId is set, else a new generated one; new endpoints.
    IN_PLACE = frozenset({"ReplicationGroupDescription", "Engine", "CacheNodeType", "AutomaticFailoverEnabled",
                          "MultiAZEnabled", "SnapshotRetentionLimit", "Tags"})
    ATTRIBUTES: ClassVar[Getters] = {
        "PrimaryEndPoint.Address": lambda r: r.group.node_groups[0].get("primary_endpoint_address"),
        "PrimaryEndPoint.Port": lambda r: str(r.group.port),
        "ReaderEndPoint.Address": lambda r: r.group.node_groups[0].get("reader_endpoint_address"),
        "ReaderEndPoint.Port": lambda r: str(r.group.port),
        "ConfigurationEndPoint.Address": lambda r: getattr(r.group, "configuration_endpoint", {}).get("address"),
        "ConfigurationEndPoint.Port": lambda r: str(r.group.port),
        "ReadEndPoint.Addresses": lambda r: ",".join(e["address"] for e in _read_endpoints(r.group)),
        "ReadEndPoint.Ports": lambda r: ",".join(str(e["port"]) for e in _read_endpoints(r.group)),
        "ReadEndPoint.Addresses.List": lambda r: [e["address"] for e in _read_endpoints(r.group)],
        "ReadEndPoint.Ports.List": lambda r: [str(e["port"]) for e in _read_endpoints(r.group)],
    }

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        group_id = props.get("ReplicationGroupId") or short_name(name, 40)
        kwargs: dict[str, Any] = dict.fromkeys(_CREATE_ARGS)
        kwargs.update(preferred_cache_cluster_azs=[], node_group_configuration=[], log_delivery_configurations=[],
                      tags=[])
        for key, value in props.items():
            value = as_bool(value) if key in _BOOLS else as_int(value) if key in _INTS else value
            kwargs[_RENAMED.get(key) or camelcase_to_underscores(key)] = value
        kwargs["replication_group_id"] = group_id
        # moto sizes a non-clustered group from ReplicasPerNodeGroup only and ignores NumCacheClusters.
        if kwargs["num_cache_clusters"] and kwargs["replicas_per_node_group"] is None:
            kwargs["replicas_per_node_group"] = kwargs["num_cache_clusters"] - 1
        unknown = set(kwargs) - set(_CREATE_ARGS)
        if unknown:
            raise ValueError(f"{cls.TYPE} {group_id}: properties not emulated: {sorted(unknown)}")
        resource = cls(group_id, props, account_id, region_name)
        resource.group = _backend(resource).create_replication_group(**kwargs)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        backend = _backend(self)
        backend.modify_replication_group(  # a property left out goes back to its default, as in AWS
            replication_group_id=self.physical_id,
            replication_group_description=props.get("ReplicationGroupDescription", ""),
            engine=props.get("Engine", "redis"),
            cache_node_type=props.get("CacheNodeType"),  # None: unchanged
            automatic_failover_enabled=as_bool(props.get("AutomaticFailoverEnabled", False)),
            multi_az_enabled=as_bool(props.get("MultiAZEnabled", False)),
            snapshot_retention_limit=as_int(props.get("SnapshotRetentionLimit", 0)),
        )
        old_keys = [tag["Key"] for tag in self.properties.get("Tags", [])]
        backend.remove_tags_from_resource(self.group.arn, old_keys)
        backend.add_tags_to_resource(self.group.arn, props.get("Tags", []))

    def destroy(self) -> None:
        backend = _backend(self)
        try:
            backend.delete_replication_group(self.physical_id, retain_primary_cluster=False)
        except ReplicationGroupNotFound:
            return
        # moto leaves a deleted group listed as "deleting" forever; AWS drops it once deleted, and a
        # replacement under the same id needs the id free.
        backend.replication_groups.pop(self.physical_id, None)
        backend.tagging_service.delete_all_tags_for_resource(self.group.arn)


class SubnetGroupResource(Resource, CloudFormationModel):
    TYPE = "AWS::ElastiCache::SubnetGroup"
    NAME_PROPERTY = "CacheSubnetGroupName"
    # moto has neither ModifyCacheSubnetGroup nor DeleteCacheSubnetGroup: an in-place update
    # re-creates the group under the same name, so its Ref does not change.
    IN_PLACE = frozenset({"Description", "SubnetIds", "Tags"})

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        group_name = (props.get("CacheSubnetGroupName") or short_name(name, 255)).lower()
        resource = cls(group_name, props, account_id, region_name)
        resource.put(props)  # fails, as AWS does, if the name is taken
        return resource

    def update(self, props: dict[str, Any]) -> None:
        self.destroy()
        self.put(props)

    def put(self, props: dict[str, Any]) -> None:
        _backend(self).create_cache_subnet_group(
            cache_subnet_group_name=self.physical_id,
            cache_subnet_group_description=props.get("Description", ""),
            subnet_ids=props.get("SubnetIds", []),
            tags=props.get("Tags"),
        )

    def destroy(self) -> None:
        backend = _backend(self)
        group = backend.cache_subnet_groups.pop(self.physical_id, None)  # moto has no delete method
        if group:
            backend.tagging_service.delete_all_tags_for_resource(group.arn)
