"""EKS access entries, access policies and the cluster's access configuration, for moto 5.2, which
has none of them.

`biomage access` and `configure` map infra/cluster_admins and infra/cluster_users to access entries
when the cluster's authentication mode allows them, and `biomage kubeconfig` explains a missing one.
What EKS does, as far as those depend on it:

- CreateCluster takes accessConfig (authenticationMode, default CONFIG_MAP as in the EKS API;
  bootstrapClusterCreatorAdminPermissions, default true); DescribeCluster reports it. In an API
  mode the creator gets an entry with AmazonEKSClusterAdminPolicy, as in EKS; the creator is the
  identity moto's STS reports for credentials it did not issue (user/moto).
- UpdateClusterConfig accessConfig moves the mode one way only, one step at a time:
  CONFIG_MAP -> API_AND_CONFIG_MAP -> API. It is an update of its own (EKS refuses it together with
  another kind), and entering an API mode gives the managed node groups' roles EC2_LINUX entries.
- CreateNodegroup in an API mode gives the node role an EC2_LINUX entry.
- Access entries (create, describe, list with the policy filter and pages, update, delete, tags
  through TagResource/UntagResource/ListTagsForResource on the entry's ARN), and access policy
  associations (associate as an upsert of the scope, disassociate, list), with EKS's validation:
  ResourceInUseException for a second entry of a principal, ResourceNotFoundException for an unknown
  cluster, entry or association, InvalidParameterException for a principal that is not an IAM user
  or role ARN, an unknown policy, a bad scope, a reserved username or group; InvalidRequestException
  for entry calls on a CONFIG_MAP cluster and for policies on node entries.
"""

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.eks import urls
from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from moto.eks.models import Cluster, EKSBackend
from moto.eks.responses import EKSResponse

MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
API_MODES = ("API_AND_CONFIG_MAP", "API")
NODE_TYPES = ("EC2", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX")
ENTRY_TYPES = ("STANDARD", *NODE_TYPES)
# The access policies EKS offers (ListAccessPolicies), by name; all live in the `aws` account.
POLICY_NAMES = (
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSHybridPolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSViewPolicy",
)
CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")
PRINCIPAL_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
MODE_REQUIRED = "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."


def _now() -> datetime:
    return datetime.now(UTC)


def _partition(cluster: Cluster) -> str:
    return cluster.arn.split(":")[1]


def _policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:eks::aws:cluster-access-policy/{name}"


def _mode(cluster: Cluster) -> str:
    return _access_config(cluster)["authenticationMode"]


def _access_config(cluster: Cluster) -> dict[str, Any]:
    # A cluster made without CreateCluster's handler (moto's CloudFormation) is as the EKS API
    # makes one without accessConfig: CONFIG_MAP.
    config = cluster.__dict__.setdefault("_biomage_access_config", {})
    config.setdefault("authenticationMode", "CONFIG_MAP")
    config.setdefault("bootstrapClusterCreatorAdminPermissions", False)
    return config


def _entries(cluster: Cluster) -> dict[str, dict[str, Any]]:
    return cluster.__dict__.setdefault("_biomage_access_entries", {})


def _cluster(backend: EKSBackend, name: str) -> Cluster:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(clusterName=name, message=f"No cluster found for name: {name}.")
    return cluster


def _api_cluster(backend: EKSBackend, name: str) -> Cluster:
    cluster = _cluster(backend, name)
    if _mode(cluster) not in API_MODES:
        raise InvalidRequestException(message=MODE_REQUIRED)
    return cluster


def _entry(cluster: Cluster, principal_arn: str) -> dict[str, Any]:
    entry = _entries(cluster).get(principal_arn)
    if entry is None:
        raise ResourceNotFoundException(
            clusterName=cluster.name,
            message=f"The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'. ({principal_arn})",
        )
    return entry


def _check_mode(value: Any) -> str:
    if value not in MODES:
        raise InvalidParameterException(message=f"Invalid authenticationMode {value!r}: must be one of {', '.join(MODES)}")
    return value


def _check_username(username: str | None) -> None:
    if username is not None and (not username or username.startswith(RESERVED_USERNAME_PREFIXES)):
        raise InvalidParameterException(
            message=f"The username {username!r} is invalid: it cannot be empty or start with {', '.join(RESERVED_USERNAME_PREFIXES)}"
        )


def _check_groups(groups: list[str] | None) -> None:
    for group in groups or []:
        if not group or group.startswith("system:"):
            raise InvalidParameterException(message=f"The kubernetes group name {group!r} is invalid, it cannot be empty or start with system:")


def _new_entry(cluster: Cluster, principal_arn: str, entry_type: str, username: str | None, groups: list[str] | None, tags: dict[str, str] | None) -> dict[str, Any]:
    matched = PRINCIPAL_ARN.match(principal_arn or "")
    if not matched:
        raise InvalidParameterException(message=f"The specified principalArn is invalid: {principal_arn!r} is not the ARN of an IAM user or role")
    partition, account, kind, name = matched.groups()
    if entry_type not in ENTRY_TYPES:
        raise InvalidParameterException(message=f"Invalid type {entry_type!r}: must be one of {', '.join(ENTRY_TYPES)}")
    if entry_type in NODE_TYPES:
        if kind != "role":
            raise InvalidParameterException(message=f"The principalArn of a {entry_type} access entry must be an IAM role")
        if username is not None or groups:
            raise InvalidParameterException(message=f"username and kubernetesGroups cannot be set on a {entry_type} access entry")
        username = "system:node:{{SessionName}}" if entry_type == "HYBRID_LINUX" else "system:node:{{EC2PrivateDNSName}}"
        groups = ["system:nodes"]
    else:
        _check_username(username)
        _check_groups(groups)
        if username is None:
            # EKS's default: a role's sessions by name, a user as itself.
            username = f"arn:{partition}:sts::{account}:assumed-role/{name}/{{{{SessionName}}}}" if kind == "role" else principal_arn
    if principal_arn in _entries(cluster):
        raise ResourceInUseException(clusterName=cluster.name, message="The specified access entry resource is already in use on this cluster.")
    now = _now()
    entry = {
        "clusterName": cluster.name,
        "principalArn": principal_arn,
        "kubernetesGroups": sorted(set(groups or [])),
        "accessEntryArn": f"arn:{partition}:eks:{cluster.arn.split(':')[3]}:{cluster.arn.split(':')[4]}:access-entry/{cluster.name}/{kind}/{account}/{name}/{uuid.uuid4()}",
        "createdAt": now,
        "modifiedAt": now,
        "tags": dict(tags or {}),
        "username": username,
        "type": entry_type,
        # Not part of AccessEntry's shape, so never serialised: the associations by policy ARN.
        "policies": {},
    }
    _entries(cluster)[principal_arn] = entry
    return entry


def _add_node_entry(cluster: Cluster, role_arn: str) -> None:
    if _mode(cluster) in API_MODES and role_arn and role_arn not in _entries(cluster):
        _new_entry(cluster, role_arn, "EC2_LINUX", None, None, None)


def _associate(cluster: Cluster, entry: dict[str, Any], policy_arn: str, scope: dict[str, Any] | None) -> dict[str, Any]:
    if policy_arn not in {_policy_arn(_partition(cluster), n) for n in POLICY_NAMES}:
        raise InvalidParameterException(message=f"The specified policyArn is invalid: {policy_arn!r} is not an EKS access policy (list-access-policies lists them)")
    if entry["type"] != "STANDARD":
        raise InvalidRequestException(message=f"Access policies cannot be associated with a {entry['type']} access entry")
    scope = dict(scope or {})
    if scope.get("type") not in ("cluster", "namespace"):
        raise InvalidParameterException(message=f"Invalid accessScope type {scope.get('type')!r}: must be cluster or namespace")
    namespaces = list(scope.get("namespaces") or [])
    if scope["type"] == "namespace" and not namespaces:
        raise InvalidParameterException(message="An accessScope of type namespace needs at least one namespace")
    if scope["type"] == "cluster" and namespaces:
        raise InvalidParameterException(message="An accessScope of type cluster cannot name namespaces")
    now = _now()
    previous = entry["policies"].get(policy_arn)
    association = {
        "policyArn": policy_arn,
        "accessScope": {"type": scope["type"], "namespaces": namespaces},
        "associatedAt": previous["associatedAt"] if previous else now,
        "modifiedAt": now,
    }
    entry["policies"][policy_arn] = association
    return association


def _page(items: list[Any], max_results: int | None, next_token: str | None) -> tuple[list[Any], str | None]:
    limit = max_results or 100
    if not 1 <= limit <= 100:
        raise InvalidParameterException(message="maxResults must be between 1 and 100")
    start = int(next_token) if next_token else 0
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else None)


def _entry_by_arn(backend: EKSBackend, arn: str) -> dict[str, Any] | None:
    for cluster in backend.clusters.values():
        for entry in _entries(cluster).values():
            if entry["accessEntryArn"] == arn:
                return entry
    return None


# Handlers (rest-json: the cluster is `name` in the URI, the principal and policy ARNs are labels).


def create_access_entry(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    entry = _new_entry(
        cluster,
        self._get_param("principalArn"),
        self._get_param("type") or "STANDARD",
        self._get_param("username"),
        self._get_param("kubernetesGroups"),
        self._get_param("tags"),
    )
    return ActionResult({"accessEntry": entry})


def describe_access_entry(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    return ActionResult({"accessEntry": _entry(cluster, self._get_param("principalArn"))})


def list_access_entries(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    policy = self._get_param("associatedPolicyArn")
    arns = sorted(arn for arn, entry in _entries(cluster).items() if not policy or policy in entry["policies"])
    page, token = _page(arns, self._get_int_param("maxResults"), self._get_param("nextToken"))
    return ActionResult({"accessEntries": page, "nextToken": token})


def update_access_entry(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    entry = _entry(cluster, self._get_param("principalArn"))
    username, groups = self._get_param("username"), self._get_param("kubernetesGroups")
    if entry["type"] != "STANDARD" and (username is not None or groups is not None):
        raise InvalidParameterException(message=f"username and kubernetesGroups cannot be changed on a {entry['type']} access entry")
    _check_username(username)
    _check_groups(groups)
    if username is not None:
        entry["username"] = username
    if groups is not None:
        entry["kubernetesGroups"] = sorted(set(groups))
    entry["modifiedAt"] = _now()
    return ActionResult({"accessEntry": entry})


def delete_access_entry(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    entry = _entry(cluster, self._get_param("principalArn"))
    del _entries(cluster)[entry["principalArn"]]
    return EmptyResult()


def associate_access_policy(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    entry = _entry(cluster, self._get_param("principalArn"))
    association = _associate(cluster, entry, self._get_param("policyArn"), self._get_param("accessScope"))
    return ActionResult({"clusterName": cluster.name, "principalArn": entry["principalArn"], "associatedAccessPolicy": association})


def disassociate_access_policy(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    entry = _entry(cluster, self._get_param("principalArn"))
    policy_arn = self._get_param("policyArn")
    if policy_arn not in entry["policies"]:
        raise ResourceNotFoundException(clusterName=cluster.name, message=f"The access policy {policy_arn} is not associated with {entry['principalArn']}")
    del entry["policies"][policy_arn]
    return EmptyResult()


def list_associated_access_policies(self: EKSResponse) -> ActionResult:
    cluster = _api_cluster(self.eks_backend, self._get_param("name"))
    entry = _entry(cluster, self._get_param("principalArn"))
    policies = [entry["policies"][arn] for arn in sorted(entry["policies"])]
    page, token = _page(policies, self._get_int_param("maxResults"), self._get_param("nextToken"))
    return ActionResult({"clusterName": cluster.name, "principalArn": entry["principalArn"], "associatedAccessPolicies": page, "nextToken": token})


def list_access_policies(self: EKSResponse) -> ActionResult:
    partition = "aws-cn" if self.region.startswith("cn-") else "aws-us-gov" if self.region.startswith("us-gov-") else "aws"
    policies = [{"name": name, "arn": _policy_arn(partition, name)} for name in POLICY_NAMES]
    page, token = _page(policies, self._get_int_param("maxResults"), self._get_param("nextToken"))
    return ActionResult({"accessPolicies": page, "nextToken": token})


# Patches of moto's own handlers: the cluster's access configuration, node entries, tags.

_original_create_cluster = EKSResponse.create_cluster
_original_update_cluster_config = EKSResponse.update_cluster_config
_original_create_nodegroup = EKSBackend.create_nodegroup
_original_tag = EKSBackend.tag_resource
_original_untag = EKSBackend.untag_resource
_original_list_tags = EKSBackend.list_tags_for_resource


def _create_cluster(self: EKSResponse) -> ActionResult:
    requested = self._get_param("accessConfig") or {}
    mode = _check_mode(requested.get("authenticationMode", "CONFIG_MAP"))
    bootstrap = requested.get("bootstrapClusterCreatorAdminPermissions", True) is not False
    result = _original_create_cluster(self)
    cluster = self.eks_backend.clusters[self._get_param("name")]
    _access_config(cluster).update(authenticationMode=mode, bootstrapClusterCreatorAdminPermissions=bootstrap)
    if bootstrap and mode in API_MODES:
        partition, account = _partition(cluster), self.eks_backend.account_id
        creator = _new_entry(cluster, f"arn:{partition}:iam::{account}:user/moto", "STANDARD", None, None, None)
        _associate(cluster, creator, _policy_arn(partition, CLUSTER_ADMIN_POLICY), {"type": "cluster"})
    return result


def _update_cluster_config(self: EKSResponse) -> ActionResult:
    requested = self._get_param("accessConfig")
    if not requested:
        return _original_update_cluster_config(self)
    others = [k for k in ("resourcesVpcConfig", "logging", "kubernetesNetworkConfig", "remoteNetworkConfig", "upgradePolicy") if self._get_param(k)]
    if others:
        raise InvalidParameterException(message=f"Only one type of update can be allowed: accessConfig cannot be updated with {', '.join(others)}")
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    current, wanted = _mode(cluster), _check_mode(requested.get("authenticationMode"))
    if MODES.index(wanted) != MODES.index(current) + 1:
        raise InvalidParameterException(
            message=f"Unsupported authentication mode update from {current} to {wanted}: the mode moves one way, one step at a time (CONFIG_MAP to API_AND_CONFIG_MAP to API)"
        )
    _access_config(cluster)["authenticationMode"] = wanted
    for nodegroup in cluster.nodegroups.values():
        _add_node_entry(cluster, nodegroup.node_role)
    update = {
        "id": str(uuid.uuid4()),
        "status": "Successful",
        "type": "AccessConfigUpdate",
        "params": [{"type": "AuthenticationMode", "value": wanted}],
        "createdAt": _now(),
        "errors": [],
    }
    return ActionResult({"update": update})


def _create_nodegroup(self: EKSBackend, cluster_name: str, node_role: str, *args: Any, **kwargs: Any) -> Any:
    nodegroup = _original_create_nodegroup(self, cluster_name, node_role, *args, **kwargs)
    _add_node_entry(self.clusters[cluster_name], node_role)
    return nodegroup


def _tag_resource(self: EKSBackend, resource_arn: str, tags: dict[str, str]) -> None:
    entry = _entry_by_arn(self, resource_arn)
    if entry is None:
        return _original_tag(self, resource_arn, tags)
    entry["tags"].update(tags)
    return None


def _untag_resource(self: EKSBackend, resource_arn: str, tag_keys: list[str]) -> None:
    entry = _entry_by_arn(self, resource_arn)
    if entry is None:
        return _original_untag(self, resource_arn, tag_keys)
    for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
        entry["tags"].pop(key, None)
    return None


def _list_tags(self: EKSBackend, resource_arn: str) -> dict[str, str]:
    entry = _entry_by_arn(self, resource_arn)
    return _original_list_tags(self, resource_arn) if entry is None else entry["tags"]


# DescribeCluster (and every answer holding a cluster) serialises this as accessConfig.
Cluster.access_config = property(_access_config)  # type: ignore[attr-defined]
EKSResponse.create_cluster = _create_cluster  # type: ignore[method-assign]
EKSResponse.update_cluster_config = _update_cluster_config  # type: ignore[method-assign]
EKSBackend.create_nodegroup = _create_nodegroup  # type: ignore[method-assign]
EKSBackend.tag_resource = _tag_resource  # type: ignore[method-assign]
EKSBackend.untag_resource = _untag_resource  # type: ignore[method-assign]
EKSBackend.list_tags_for_resource = _list_tags  # type: ignore[method-assign]
EKSResponse.create_access_entry = create_access_entry
EKSResponse.describe_access_entry = describe_access_entry
EKSResponse.list_access_entries = list_access_entries
EKSResponse.update_access_entry = update_access_entry
EKSResponse.delete_access_entry = delete_access_entry
EKSResponse.associate_access_policy = associate_access_policy
EKSResponse.disassociate_access_policy = disassociate_access_policy
EKSResponse.list_associated_access_policies = list_associated_access_policies
EKSResponse.list_access_policies = list_access_policies
# moto builds its URL map per service on the first request to it, after this import. Which
# operation a request is, the botocore model decides; these only route the paths to EKS.
# (moto turns each named group into a werkzeug rule, so every path needs one: the principal's
# part also covers its access-policies paths.)
urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries$"] = urls.response.dispatch
urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$"] = urls.response.dispatch
urls.url_paths["{0}/access-policies$"] = urls.response.dispatch
