"""AWS::RDS::DBSubnetGroup and AWS::RDS::DBInstance as CloudFormation manages them.

moto 5.2 models both types, but:

- its DBSubnetGroup has no physical id: a `Ref` to it gives the Python object (the stack lists an
  empty id), which only moto's own DBInstance model knows how to read. Its Ref is the group's
  name here, as in CloudFormation, and a stack update (description, subnets) is applied.
- its DBInstance reads `VpcSecurityGroupIds` where templates say `VPCSecurityGroups` (the
  instance got none of its security groups), ignores `DBClusterIdentifier` (an Aurora instance
  was created outside its cluster), defaults every engine's port to MySQL's 3306, keeps `"false"`
  from parameters (truthy), and a stack update (say a new DBInstanceClass) is reported complete
  and changes nothing. The create here passes the template on to CreateDBInstance, and the update
  to ModifyDBInstance (a new DBInstanceIdentifier, Engine, DBClusterIdentifier or DBSubnetGroupName
  replaces the instance, as in CloudFormation).

Everything goes through moto's own RDS and EC2 backends.
"""

from typing import Any

from moto.ec2.models import ec2_backends
from moto.rds.models import DBInstance, DBSubnetGroup, rds_backends

from ._common import as_bool, as_int, replace_resource

# --- AWS::RDS::DBSubnetGroup -------------------------------------------------------------------

_moto_create_subnet_group = DBSubnetGroup.create_from_cloudformation_json  # bound to DBSubnetGroup


def _create_subnet_group(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                         **kwargs: Any) -> DBSubnetGroup:
    group = _moto_create_subnet_group(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    group.cfn_properties = cloudformation_json["Properties"]  # type: ignore[attr-defined]
    return group


def _update_subnet_group(cls: type, original_resource: DBSubnetGroup, new_resource_name: str, cloudformation_json: dict[str, Any],
                         account_id: str, region_name: str) -> DBSubnetGroup:
    props = cloudformation_json["Properties"]
    group = original_resource
    if props.get("DBSubnetGroupName", group.name).lower() != group.name:
        return replace_resource(cls, group, props["DBSubnetGroupName"], cloudformation_json, account_id, region_name)
    subnets = [ec2_backends[account_id][region_name].get_subnet(subnet_id) for subnet_id in props["SubnetIds"]]
    updated = rds_backends[account_id][region_name].modify_db_subnet_group(group.name, props["DBSubnetGroupDescription"], subnets)
    updated.cfn_properties = props  # type: ignore[attr-defined]
    return updated


DBSubnetGroup.create_from_cloudformation_json = classmethod(_create_subnet_group)  # type: ignore[method-assign,assignment]
DBSubnetGroup.update_from_cloudformation_json = classmethod(_update_subnet_group)  # type: ignore[method-assign,assignment]
DBSubnetGroup.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]


# --- AWS::RDS::DBInstance ----------------------------------------------------------------------

_REPLACING = ("DBInstanceIdentifier", "Engine", "DBClusterIdentifier", "DBSubnetGroupName", "DBName", "MasterUsername",
              "StorageEncrypted", "KmsKeyId", "AvailabilityZone", "SourceDBInstanceIdentifier")

# Template property -> (CreateDBInstance/ModifyDBInstance argument, conversion), for what both take.
_SETTINGS = {
    "DBInstanceClass": ("db_instance_class", str),
    "AllocatedStorage": ("allocated_storage", as_int),
    "AutoMinorVersionUpgrade": ("auto_minor_version_upgrade", as_bool),
    "BackupRetentionPeriod": ("backup_retention_period", as_int),
    "CopyTagsToSnapshot": ("copy_tags_to_snapshot", as_bool),
    "DBParameterGroupName": ("db_parameter_group_name", str),
    "DeletionProtection": ("deletion_protection", as_bool),
    "EngineVersion": ("engine_version", str),
    "Iops": ("iops", as_int),
    "MasterUserPassword": ("master_user_password", str),
    "MultiAZ": ("multi_az", as_bool),
    "Port": ("port", as_int),
    "PreferredBackupWindow": ("preferred_backup_window", str),
    "PreferredMaintenanceWindow": ("preferred_maintenance_window", lambda v: str(v).lower()),
    "PromotionTier": ("promotion_tier", as_int),
    "PubliclyAccessible": ("publicly_accessible", as_bool),
    "StorageType": ("storage_type", str),
    "VPCSecurityGroups": ("vpc_security_group_ids", list),
    "EnablePerformanceInsights": ("enable_performance_insights", as_bool),
}


def _name(value: Any) -> Any:
    """Refs to groups that moto models without a physical id arrive as the objects themselves."""
    return getattr(value, "name", value)


def _settings(props: dict[str, Any]) -> dict[str, Any]:
    return {arg: convert(props[key]) for key, (arg, convert) in _SETTINGS.items() if props.get(key) is not None}


def _create_instance(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                     **kwargs: Any) -> DBInstance:
    props = cloudformation_json["Properties"]
    backend = rds_backends[account_id][region_name]
    db_kwargs = {
        "db_instance_identifier": resource_name.replace("_", "-").lower(),
        "engine": props.get("Engine"),
        "db_name": props.get("DBName"),
        "master_username": props.get("MasterUsername"),
        "db_subnet_group_name": _name(props.get("DBSubnetGroupName")),
        "db_cluster_identifier": props.get("DBClusterIdentifier"),
        "db_security_groups": [_name(group) for group in props.get("DBSecurityGroups") or []],
        "availability_zone": props.get("AvailabilityZone"),
        "kms_key_id": props.get("KmsKeyId"),
        "storage_encrypted": as_bool(props.get("StorageEncrypted", False)),
        "tags": props.get("Tags") or [],
        **_settings(props),
    }
    db_kwargs = {k: v for k, v in db_kwargs.items() if v is not None}
    if props.get("SourceDBInstanceIdentifier"):
        db_kwargs["source_db_instance_identifier"] = props["SourceDBInstanceIdentifier"]
        database = backend.create_db_instance_read_replica(db_kwargs)
    else:
        database = backend.create_db_instance(db_kwargs)
    database.cfn_properties = props  # type: ignore[attr-defined]
    return database


def _update_instance(cls: type, original_resource: DBInstance, new_resource_name: str, cloudformation_json: dict[str, Any],
                     account_id: str, region_name: str) -> DBInstance:
    props = cloudformation_json["Properties"]
    database = original_resource
    old = getattr(database, "cfn_properties", {})
    if any(_name(old.get(key)) != _name(props.get(key)) for key in _REPLACING):
        return replace_resource(cls, database, new_resource_name, cloudformation_json, account_id, region_name)
    backend = rds_backends[account_id][region_name]
    changed = {arg: value for arg, value in _settings(props).items() if _settings(old).get(arg) != value}
    if changed:
        backend.modify_db_instance(database.db_instance_identifier, {**changed, "apply_immediately": True})
    wanted = {tag["Key"]: tag["Value"] for tag in props.get("Tags") or []}
    stale = [tag["Key"] for tag in database.tags if tag["Key"] not in wanted]
    if stale:
        backend.remove_tags_from_resource(database.arn, stale)
    if wanted:
        backend.add_tags_to_resource(database.arn, [{"Key": k, "Value": v} for k, v in wanted.items()])
    database.cfn_properties = props  # type: ignore[attr-defined]
    return database


DBInstance.create_from_cloudformation_json = classmethod(_create_instance)  # type: ignore[method-assign,assignment]
DBInstance.update_from_cloudformation_json = classmethod(_update_instance)  # type: ignore[method-assign,assignment]
