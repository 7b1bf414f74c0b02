"""AWS::ECR::Repository settings that moto's CloudFormation dropped.

moto 5.2 models the type, but keeps `ImageScanningConfiguration` with the template's key
(`ScanOnPush`) where ECR's API has `scanOnPush`, so DescribeRepositories showed no scanning
setting, and it ignores `LifecyclePolicy` (the rules that expire old images) and
`RepositoryPolicyText` (who may pull) on create and update. Here the scanning setting is passed in
ECR's form, and the lifecycle and repository policies are put, replaced or deleted to match the
template, through moto's own ECR backend.
"""

import contextlib
from typing import Any

from moto.ecr.exceptions import LifecyclePolicyNotFoundException, RepositoryPolicyNotFoundException
from moto.ecr.models import Repository, ecr_backends

from ._common import as_bool, json_text

_moto_create = Repository.create_from_cloudformation_json  # bound to Repository
_moto_update = Repository.update_from_cloudformation_json  # bound to Repository


def _api_form(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    props = dict(cloudformation_json["Properties"])
    scanning = props.get("ImageScanningConfiguration")
    if scanning is not None:
        props["ImageScanningConfiguration"] = {"scanOnPush": as_bool(scanning.get("ScanOnPush", scanning.get("scanOnPush", False)))}
    return {**cloudformation_json, "Properties": props}


def _apply_policies(repository: Repository, props: dict[str, Any], account_id: str, region_name: str) -> None:
    backend = ecr_backends[account_id][region_name]
    lifecycle = (props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    if lifecycle:
        backend.put_lifecycle_policy(None, repository.name, json_text(lifecycle))  # type: ignore[arg-type]
    else:
        with contextlib.suppress(LifecyclePolicyNotFoundException):
            backend.delete_lifecycle_policy(None, repository.name)  # type: ignore[arg-type]
    policy = props.get("RepositoryPolicyText")
    if policy:
        backend.set_repository_policy(None, repository.name, json_text(policy))  # type: ignore[arg-type]
    else:
        with contextlib.suppress(RepositoryPolicyNotFoundException):
            backend.delete_repository_policy(None, repository.name)  # type: ignore[arg-type]


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
            **kwargs: Any) -> Repository:
    repository = _moto_create(resource_name, _api_form(cloudformation_json), account_id, region_name, **kwargs)
    _apply_policies(repository, cloudformation_json["Properties"], account_id, region_name)
    return repository


def _update(cls: type, original_resource: Repository, new_resource_name: str, cloudformation_json: dict[str, Any],
            account_id: str, region_name: str) -> Repository:
    repository = _moto_update(original_resource, new_resource_name, _api_form(cloudformation_json), account_id, region_name)
    _apply_policies(repository, cloudformation_json["Properties"], account_id, region_name)
    return repository


Repository.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
Repository.update_from_cloudformation_json = classmethod(_update)  # type: ignore[method-assign,assignment]
