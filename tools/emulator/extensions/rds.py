"""AWS::RDS::DBCluster for moto's CloudFormation.

moto 5.2 implements the RDS cluster API but has no CloudFormation model for DBCluster, so an
Aurora stack was reported complete with no cluster. This model delegates to moto's RDS backend.
(An AWS::RDS::DBInstance with DBClusterIdentifier joins the cluster through moto's own model, as
mended in rds_native.py.)

Ref is the cluster identifier; Fn::GetAtt gives Endpoint.Address/Port, ReadEndpoint.Address,
DBClusterArn and DBClusterResourceId, as CloudFormation documents them.
"""

import contextlib
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores
from moto.rds.exceptions import DBClusterNotFoundError
from moto.rds.models import RDSBackend, rds_backends

from ._common import Getters, Resource, as_bool, as_int, short_name

_BOOLS = {"StorageEncrypted", "DeletionProtection", "CopyTagsToSnapshot", "EnableIAMDatabaseAuthentication",
          "EnableHttpEndpoint", "PubliclyAccessible", "AutoMinorVersionUpgrade", "ManageMasterUserPassword"}
_INTS = {"BackupRetentionPeriod", "Port", "AllocatedStorage", "Iops", "BacktrackWindow"}
# CloudFormation-only properties (restores, managed master secrets) the model does not emulate.
_NOT_EMULATED = {"MasterUserSecret", "SnapshotIdentifier", "RestoreType", "SourceDBClusterIdentifier",
                 "UseLatestRestorableTime", "RestoreToTime"}


def _backend(resource: Resource) -> RDSBackend:
    return rds_backends[resource.account_id][resource.region_name]


def _arguments(props: dict[str, Any]) -> dict[str, Any]:
    """CreateDBCluster's arguments, which moto names as the template's properties in snake case."""
    kwargs: dict[str, Any] = {}
    for key, value in props.items():
        if key in _NOT_EMULATED:
            raise ValueError(f"AWS::RDS::DBCluster: property {key} is not emulated")
        kwargs[camelcase_to_underscores(key)] = as_bool(value) if key in _BOOLS else as_int(value) if key in _INTS else value
    if "db_subnet_group_name" in kwargs:  # a Ref to moto's model object where it has no physical id
        kwargs["db_subnet_group_name"] = getattr(kwargs["db_subnet_group_name"], "name", kwargs["db_subnet_group_name"])
    if "serverless_v2_scaling_configuration" in kwargs:  # numbers arrive as strings from parameters
        kwargs["serverless_v2_scaling_configuration"] = {
            k: float(v) for k, v in kwargs["serverless_v2_scaling_configuration"].items()}
    return kwargs


class DBClusterResource(Resource, CloudFormationModel):
    TYPE = "AWS::RDS::DBCluster"
    NAME_PROPERTY = "DBClusterIdentifier"
    # What moto's ModifyDBCluster applies; CloudFormation updates these without replacement.
    # Every other change replaces the cluster.
    IN_PLACE = frozenset({"BackupRetentionPeriod", "DeletionProtection", "EngineVersion", "MasterUserPassword",
                          "Port", "PreferredBackupWindow", "PreferredMaintenanceWindow",
                          "ServerlessV2ScalingConfiguration", "VpcSecurityGroupIds", "DBClusterParameterGroupName",
                          "EnableIAMDatabaseAuthentication", "CopyTagsToSnapshot", "EnableHttpEndpoint", "Tags",
                          "EnableCloudwatchLogsExports"})
    ATTRIBUTES: ClassVar[Getters] = {
        "Endpoint.Address": lambda r: r.cluster.endpoint,
        "Endpoint.Port": lambda r: str(r.cluster.port),
        "ReadEndpoint.Address": lambda r: r.cluster.reader_endpoint,
        "DBClusterArn": lambda r: r.cluster.db_cluster_arn,
        "DBClusterResourceId": lambda r: r.cluster.db_cluster_resource_id,
    }

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        identifier = (props.get("DBClusterIdentifier") or short_name(name, 63)).lower()
        kwargs = _arguments(props)
        kwargs["db_cluster_identifier"] = identifier
        kwargs["enable_cloudwatch_logs_exports"] = kwargs.get("enable_cloudwatch_logs_exports") or []
        resource = cls(identifier, props, account_id, region_name)
        resource.cluster = _backend(resource).create_db_cluster(kwargs)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        in_place = {camelcase_to_underscores(p) for p in self.IN_PLACE}
        kwargs = {k: v for k, v in _arguments(props).items() if k in in_place}
        kwargs.pop("tags", None)
        # moto keeps a password only to refuse reading it back: there is nothing to change.
        kwargs.pop("master_user_password", None)
        # A removed property goes back to CloudFormation's default, as in AWS.
        kwargs.setdefault("deletion_protection", False)
        kwargs.setdefault("backup_retention_period", 1)
        old_logs = set(self.properties.get("EnableCloudwatchLogsExports", []))
        new_logs = set(props.get("EnableCloudwatchLogsExports", []))
        kwargs["enable_cloudwatch_logs_exports"] = {"EnableLogTypes": sorted(new_logs - old_logs),
                                                    "DisableLogTypes": sorted(old_logs - new_logs)}
        kwargs["db_cluster_identifier"] = self.physical_id
        kwargs["apply_immediately"] = True
        _backend(self).modify_db_cluster(kwargs)
        self.cluster.tags = props.get("Tags", [])

    def destroy(self) -> None:
        with contextlib.suppress(DBClusterNotFoundError):
            # CloudFormation's default DeletionPolicy for a cluster is Snapshot; the emulator
            # deletes without one, so that a replacement under the same name finds it free.
            _backend(self).delete_db_cluster(self.physical_id)
