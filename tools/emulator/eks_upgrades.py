"""EKS add-ons and version upgrades for moto 5.2, which has neither.

What `biomage plan` reads and what an upgrade through eksctl changes, kept in the emulator's record
so that a rerun sees the new state:

- Add-ons: CreateAddon, DescribeAddon, ListAddons, UpdateAddon, DeleteAddon, per cluster; and
  DescribeAddonVersions, answered from the recorded catalogue (eks_catalogue.py) with EKS's
  filters (addonName, kubernetesVersion). CreateAddon and UpdateAddon refuse a version the
  catalogue does not list, or one not compatible with the cluster's version, as EKS does.
- UpdateClusterVersion: one minor version up at a time, to a version the catalogue lists, refused
  while node groups run a version more than three minors behind the new one (EKS's skew rule) or
  when the version is not the next one.
- UpdateNodegroupVersion: to the cluster's version (the default) or an older one, never newer.
- DescribeUpdate for the updates above. The emulator applies each change at once and reports the
  update Successful, so callers that wait for it see it finished on the first look.
- A node group created without a version runs the cluster's version (moto used its 1.19), and
  keeps the updateConfig it was created with (moto dropped it).
- The cluster's upgrade policy (upgradePolicy.supportType): EXTENDED unless CreateCluster names
  one, as in EKS, and changed by UpdateClusterConfig (moto ignored it on both).
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.eks import urls
from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceNotFoundException,
)
from moto.eks.models import Cluster, EKSBackend
from moto.eks.responses import EKSResponse

import eks_catalogue

# EKS lets nodes run up to three minor versions behind the control plane.
MAX_NODE_SKEW = 3


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _not_found(message: str, **names: str | None) -> ResourceNotFoundException:
    keys = {"clusterName": None, "nodegroupName": None, "fargateProfileName": None, "addonName": None}
    return ResourceNotFoundException(**{**keys, **names, "message": message})


def _cluster(backend: EKSBackend, name: str) -> Cluster:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise _not_found(f"No cluster found for name: {name}.", clusterName=name)
    return cluster


def _addons(cluster: Cluster) -> dict[str, dict[str, Any]]:
    # Kept on the cluster object, so deleting the cluster deletes its add-ons.
    if not hasattr(cluster, "biomage_addons"):
        cluster.biomage_addons = {}  # type: ignore[attr-defined]
    return cluster.biomage_addons  # type: ignore[attr-defined,no-any-return]


def _updates(cluster: Cluster) -> dict[str, dict[str, Any]]:
    if not hasattr(cluster, "biomage_updates"):
        cluster.biomage_updates = {}  # type: ignore[attr-defined]
    return cluster.biomage_updates  # type: ignore[attr-defined,no-any-return]


def _record_update(cluster: Cluster, kind: str, params: list[dict[str, str]]) -> dict[str, Any]:
    update = {
        "id": str(uuid.uuid4()),
        "status": "Successful",
        "type": kind,
        "params": params,
        "createdAt": datetime.now(UTC),
        "errors": [],
    }
    _updates(cluster)[update["id"]] = update
    return update


def _check_addon_version(name: str, version: str, cluster: Cluster) -> None:
    if not eks_catalogue.addon_version_exists(name, version):
        raise InvalidParameterException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=name,
            message=f"Addon version specified is not supported: {name} {version}",
        )
    compatible = _compatible_versions(name, cluster.version)
    if version not in compatible:
        raise InvalidParameterException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=name,
            message=f"Addon version {version} of {name} is not compatible with Kubernetes {cluster.version}",
        )


def _compatible_versions(name: str, cluster_version: str) -> list[str]:
    return [
        v["addonVersion"]
        for a in eks_catalogue.addons()
        if a.get("addonName") == name
        for v in a.get("addonVersions", [])
        if any(c.get("clusterVersion") == cluster_version for c in v.get("compatibilities", []))
    ]


def _addon_view(cluster: Cluster, addon: dict[str, Any]) -> dict[str, Any]:
    return {**addon, "clusterName": cluster.name}


# ----- responses


def create_addon(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    name = self._get_param("addonName")
    addons = _addons(cluster)
    if name in addons:
        raise InvalidRequestException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=name,
            message=f"Addon {name} already exists in cluster {cluster.name}",
        )
    version = self._get_param("addonVersion") or eks_catalogue.default_addon_version(name, cluster.version)
    if version is None:
        raise InvalidParameterException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=name,
            message=f"Addon {name} has no version for Kubernetes {cluster.version}",
        )
    _check_addon_version(name, version, cluster)
    now = datetime.now(UTC)
    arn = cluster.arn.replace(":cluster/", ":addon/", 1) + f"/{name}/{uuid.uuid4()}"
    addons[name] = {
        "addonName": name,
        "addonVersion": version,
        "addonArn": arn,
        "status": "ACTIVE",
        "health": {"issues": []},
        "createdAt": now,
        "modifiedAt": now,
        "tags": self._get_param("tags") or {},
        **({"serviceAccountRoleArn": self._get_param("serviceAccountRoleArn")} if self._get_param("serviceAccountRoleArn") else {}),
        **({"configurationValues": self._get_param("configurationValues")} if self._get_param("configurationValues") else {}),
    }
    return ActionResult({"addon": _addon_view(cluster, addons[name])})


def _existing_addon(self: EKSResponse) -> tuple[Cluster, dict[str, Any]]:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    name = self._get_param("addonName")
    addon = _addons(cluster).get(name)
    if addon is None:
        raise _not_found(f"No addon: {name} found in cluster: {cluster.name}", clusterName=cluster.name, addonName=name)
    return cluster, addon


def describe_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _existing_addon(self)
    return ActionResult({"addon": _addon_view(cluster, addon)})


def list_addons(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    return ActionResult({"addons": sorted(_addons(cluster))})


def update_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _existing_addon(self)
    params = []
    version = self._get_param("addonVersion")
    if version and version != addon["addonVersion"]:
        _check_addon_version(addon["addonName"], version, cluster)
        addon["addonVersion"] = version
        params.append({"type": "AddonVersion", "value": version})
    for key, kind in (("serviceAccountRoleArn", "ServiceAccountRoleArn"), ("configurationValues", "ConfigurationValues")):
        value = self._get_param(key)
        if value is not None:
            addon[key] = value
            params.append({"type": kind, "value": value})
    resolve = self._get_param("resolveConflicts")
    if resolve:
        params.append({"type": "ResolveConflicts", "value": resolve})
    addon["modifiedAt"] = datetime.now(UTC)
    return ActionResult({"update": _record_update(cluster, "AddonUpdate", params)})


def delete_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _existing_addon(self)
    del _addons(cluster)[addon["addonName"]]
    return ActionResult({"addon": {**_addon_view(cluster, addon), "status": "DELETING"}})


def describe_addon_versions(self: EKSResponse) -> ActionResult:
    name = (self.querystring.get("addonName") or [None])[0]
    kubernetes = (self.querystring.get("kubernetesVersion") or [None])[0]
    found = []
    for addon in eks_catalogue.addons():
        if name and addon.get("addonName") != name:
            continue
        versions = [
            v
            for v in addon.get("addonVersions", [])
            if not kubernetes or any(c.get("clusterVersion") == kubernetes for c in v.get("compatibilities", []))
        ]
        if versions:
            found.append({**addon, "addonVersions": versions})
    return ActionResult({"addons": found})


def update_cluster_version(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    target = self._get_param("version")

    def refuse(message: str) -> InvalidParameterException:
        return InvalidParameterException(
            clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, addonName=None, message=message
        )

    if target not in {v["clusterVersion"] for v in eks_catalogue.cluster_versions()}:
        raise refuse(f"unsupported Kubernetes version {target}")
    if target == cluster.version:
        raise refuse(f"Cluster is already at the desired configuration with version: {target}")
    (major, minor), (to_major, to_minor) = _minor(cluster.version), _minor(target)
    if to_major != major or to_minor != minor + 1:
        raise refuse(f"Unsupported Kubernetes minor version update from {cluster.version} to {target}")
    for group in cluster.nodegroups.values():
        if to_minor - _minor(group.version)[1] > MAX_NODE_SKEW:
            raise refuse(f"Nodegroup {group.nodegroup_name} runs Kubernetes {group.version}: update it before the control plane")
    cluster.version = target
    return ActionResult({"update": _record_update(cluster, "VersionUpdate", [{"type": "Version", "value": target}])})


def update_nodegroup_version(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    name = self._get_param("nodegroupName")
    group = cluster.nodegroups.get(name)
    if group is None:
        raise _not_found(f"No node group found for name: {name}.", clusterName=cluster.name, nodegroupName=name)
    target = self._get_param("version") or cluster.version
    if _minor(target) > _minor(cluster.version):
        raise InvalidParameterException(
            clusterName=cluster.name,
            nodegroupName=name,
            fargateProfileName=None,
            addonName=None,
            message=f"Requested Kubernetes version {target} is newer than the cluster's {cluster.version}",
        )
    params = [{"type": "Version", "value": target}]
    release = self._get_param("releaseVersion")
    if release:
        group.release_version = release
        params.append({"type": "ReleaseVersion", "value": release})
    group.version = target
    return ActionResult({"update": _record_update(cluster, "VersionUpdate", params)})


def describe_update(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    update_id = self._get_param("updateId")
    update = _updates(cluster).get(update_id)
    if update is None:
        raise _not_found(f"No update found for ID: {update_id}", clusterName=cluster.name)
    return ActionResult({"update": update})


# ----- node groups: the cluster's version by default, and their updateConfig kept

_original_create_nodegroup = EKSBackend.create_nodegroup
_original_create_nodegroup_response = EKSResponse.create_nodegroup


def _create_nodegroup(self: EKSBackend, cluster_name: str, *args: Any, **kwargs: Any) -> Any:
    cluster = self.clusters.get(cluster_name)
    if cluster is not None and not kwargs.get("version"):
        kwargs["version"] = cluster.version
    return _original_create_nodegroup(self, cluster_name, *args, **kwargs)


def _create_nodegroup_response(self: EKSResponse) -> ActionResult:
    result = _original_create_nodegroup_response(self)
    update_config = self._get_param("updateConfig")
    if update_config:
        cluster = _cluster(self.eks_backend, self._get_param("name"))
        cluster.nodegroups[self._get_param("nodegroupName")].update_config = update_config
    return result


# ----- the upgrade policy

_original_cluster_init = Cluster.__init__
_original_create_cluster_response = EKSResponse.create_cluster
_original_update_cluster_config_response = EKSResponse.update_cluster_config


def _cluster_init(self: Cluster, *args: Any, **kwargs: Any) -> None:
    _original_cluster_init(self, *args, **kwargs)
    # EKS's default for a cluster created without one: extended support, billed after standard ends.
    self.upgrade_policy = {"supportType": "EXTENDED"}  # type: ignore[attr-defined]


def _create_cluster_response(self: EKSResponse) -> ActionResult:
    result = _original_create_cluster_response(self)
    policy = self._get_param("upgradePolicy")
    if policy and policy.get("supportType"):
        _cluster(self.eks_backend, self._get_param("name")).upgrade_policy = {"supportType": policy["supportType"]}  # type: ignore[attr-defined]
    return result


def _update_cluster_config_response(self: EKSResponse) -> ActionResult:
    policy = self._get_param("upgradePolicy")
    if not policy or not policy.get("supportType"):
        return _original_update_cluster_config_response(self)
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    cluster.upgrade_policy = {"supportType": policy["supportType"]}  # type: ignore[attr-defined]
    # EKS changes one kind of setting per call: the policy alone, answered as an update.
    return ActionResult({"update": _record_update(cluster, "UpgradePolicyUpdate", [{"type": "UpgradePolicy", "value": policy["supportType"]}])})


Cluster.__init__ = _cluster_init  # type: ignore[method-assign]
EKSResponse.create_cluster = _create_cluster_response  # type: ignore[method-assign]
EKSResponse.update_cluster_config = _update_cluster_config_response  # type: ignore[method-assign]
EKSBackend.create_nodegroup = _create_nodegroup  # type: ignore[method-assign]
EKSResponse.create_nodegroup = _create_nodegroup_response  # type: ignore[method-assign]
EKSResponse.create_addon = create_addon
EKSResponse.describe_addon = describe_addon
EKSResponse.list_addons = list_addons
EKSResponse.update_addon = update_addon
EKSResponse.delete_addon = delete_addon
EKSResponse.describe_addon_versions = describe_addon_versions
EKSResponse.update_cluster_version = update_cluster_version
EKSResponse.update_nodegroup_version = update_nodegroup_version
EKSResponse.describe_update = describe_update

# moto builds its URL map per service on the first request to it, after this import.
for pattern in (
    "{0}/clusters/(?P<name>[^/]+)/addons$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$",
    "{0}/addons/supported-versions$",
    "{0}/clusters/(?P<name>[^/]+)/updates$",
    "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$",
):
    urls.url_paths[pattern] = urls.response.dispatch
