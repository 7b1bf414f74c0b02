"""AWS Batch compute environments, job queues and job definitions as CloudFormation manages them.

moto 5.2 models the three types for create only: a stack update (a new MaxvCpus, a queue's
priority or order, a job definition's image or memory) is reported complete but changes nothing,
and moto's resource map then holds None for the resource (later Refs resolve to nothing, the stack
lists it no more, and a stack delete leaves it behind); a stack delete leaves all three in Batch.
Its create also ignores the compute environment's and queue's Tags, a job definition's `Timeout`
(it reads `timeout`), `PlatformCapabilities` and `PropagateTags`, lowercases the keys of a job
definition's Parameters and Tags maps (it treats them as API structures), and fails without a
RetryStrategy, which is optional. moto's CreateComputeEnvironment (API and stacks alike) also
refuses an environment without a ServiceRole; AWS Batch then uses its service-linked role
AWSServiceRoleForBatch, creating it when the account has none, and so does the backend here.

This gives the three models CloudFormation's update and delete through moto's own Batch backend:
a compute environment's State, ServiceRole and ComputeResources change in place, a new name or
Type replaces it; a queue's Priority, State and ComputeEnvironmentOrder change in place; any change
to a job definition registers a new revision (its Ref, the revision's ARN, changes) and
deregisters the old one, as CloudFormation does.
"""

import json
from typing import Any

from moto.batch.models import (
    BatchBackend,
    ComputeEnvironment,
    JobDefinition,
    JobQueue,
    batch_backends,
)
from moto.batch.utils import lowercase_first_key
from moto.iam.exceptions import NotFoundException

from ._common import replace_resource

_moto_create_compute_environment = BatchBackend.create_compute_environment


def _service_linked_role(backend: BatchBackend) -> str:
    """The ARN of AWSServiceRoleForBatch, created as AWS Batch creates it when missing."""
    iam = backend.iam_backend
    try:
        return iam.get_role("AWSServiceRoleForBatch").arn
    except NotFoundException:
        # As IAM's CreateServiceLinkedRole makes it (moto's own would name it AWSServiceRoleForbatch).
        trust = {"Version": "2012-10-17", "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["batch.amazonaws.com"]}}]}
        return iam.create_role(
            "AWSServiceRoleForBatch", json.dumps(trust), "/aws-service-role/batch.amazonaws.com/", permissions_boundary=None,
            description="", tags=[], max_session_duration="3600", linked_service="batch.amazonaws.com",
        ).arn


def _create_compute_environment(self: BatchBackend, compute_environment_name: str, _type: str, state: str,
                                compute_resources: dict[str, Any], service_role: str, tags: dict[str, str] | None = None) -> ComputeEnvironment:
    return _moto_create_compute_environment(self, compute_environment_name, _type, state, compute_resources,
                                            service_role or _service_linked_role(self), tags)


BatchBackend.create_compute_environment = _create_compute_environment  # type: ignore[method-assign]

# --- AWS::Batch::ComputeEnvironment ------------------------------------------------------------


def _create_environment(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                        **kwargs: Any) -> ComputeEnvironment:
    props = cloudformation_json["Properties"]
    environment = batch_backends[account_id][region_name].create_compute_environment(
        props.get("ComputeEnvironmentName", resource_name),
        props["Type"],
        props.get("State", "ENABLED"),
        lowercase_first_key(props.get("ComputeResources") or {}),
        props.get("ServiceRole"),  # type: ignore[arg-type]
        tags=props.get("Tags") or None,
    )
    environment.cfn_properties = props  # type: ignore[attr-defined]
    return environment


def _update_environment(cls: type, original_resource: ComputeEnvironment, new_resource_name: str, cloudformation_json: dict[str, Any],
                        account_id: str, region_name: str) -> ComputeEnvironment:
    props = cloudformation_json["Properties"]
    environment = original_resource
    old = getattr(environment, "cfn_properties", {})
    if props.get("ComputeEnvironmentName", environment.name) != environment.name or props["Type"] != old.get("Type"):
        return replace_resource(cls, environment, new_resource_name, cloudformation_json, account_id, region_name)
    batch_backends[account_id][region_name].update_compute_environment(
        environment.arn, props.get("State", "ENABLED"), None, props.get("ServiceRole"),  # type: ignore[arg-type]
    )
    # moto's UpdateComputeEnvironment leaves the compute resources as they were ("TODO").
    environment.compute_resources = lowercase_first_key(props.get("ComputeResources") or {})
    environment.cfn_properties = props  # type: ignore[attr-defined]
    return environment


def _delete_environment(self: ComputeEnvironment, account_id: str, region_name: str) -> None:
    backend = batch_backends[account_id][region_name]
    if backend.get_compute_environment(self.arn) is not None:
        backend.delete_compute_environment(self.arn)


ComputeEnvironment.create_from_cloudformation_json = classmethod(_create_environment)  # type: ignore[method-assign,assignment]
ComputeEnvironment.update_from_cloudformation_json = classmethod(_update_environment)  # type: ignore[method-assign,assignment]
ComputeEnvironment.delete = _delete_environment  # type: ignore[attr-defined]


# --- AWS::Batch::JobQueue ----------------------------------------------------------------------


def _order(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [lowercase_first_key(item) for item in props["ComputeEnvironmentOrder"]]


def _create_queue(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                  **kwargs: Any) -> JobQueue:
    props = cloudformation_json["Properties"]
    return batch_backends[account_id][region_name].create_job_queue(
        queue_name=props.get("JobQueueName", resource_name),
        priority=props["Priority"],
        schedule_policy=props.get("SchedulingPolicyArn"),
        state=props.get("State", "ENABLED"),
        compute_env_order=_order(props),
        tags=props.get("Tags") or None,
    )


def _update_queue(cls: type, original_resource: JobQueue, new_resource_name: str, cloudformation_json: dict[str, Any],
                  account_id: str, region_name: str) -> JobQueue:
    props = cloudformation_json["Properties"]
    queue = original_resource
    if props.get("JobQueueName", queue.name) != queue.name:
        return replace_resource(cls, queue, new_resource_name, cloudformation_json, account_id, region_name)
    batch_backends[account_id][region_name].update_job_queue(
        queue.arn, props["Priority"], props.get("State", "ENABLED"), _order(props), props.get("SchedulingPolicyArn"),
    )
    return queue


def _delete_queue(self: JobQueue, account_id: str, region_name: str) -> None:
    batch_backends[account_id][region_name].delete_job_queue(self.arn)


JobQueue.create_from_cloudformation_json = classmethod(_create_queue)  # type: ignore[method-assign,assignment]
JobQueue.update_from_cloudformation_json = classmethod(_update_queue)  # type: ignore[method-assign,assignment]
JobQueue.delete = _delete_queue  # type: ignore[attr-defined]


# --- AWS::Batch::JobDefinition -----------------------------------------------------------------


def _lowered(props: dict[str, Any], key: str) -> dict[str, Any] | None:
    return lowercase_first_key(props[key]) if key in props else None


def _register(name: str, props: dict[str, Any], account_id: str, region_name: str) -> JobDefinition:
    definition = batch_backends[account_id][region_name].register_job_definition(
        def_name=name,
        parameters=dict(props.get("Parameters") or {}),  # the template's own keys, kept as written
        _type=props.get("Type", "container"),
        tags=dict(props.get("Tags") or {}),
        retry_strategy=_lowered(props, "RetryStrategy"),  # type: ignore[arg-type]
        container_properties=_lowered(props, "ContainerProperties"),
        node_properties=_lowered(props, "NodeProperties"),
        eks_properties=_lowered(props, "EksProperties"),
        timeout=_lowered(props, "Timeout") or {},
        platform_capabilities=props.get("PlatformCapabilities"),  # type: ignore[arg-type]
        propagate_tags=props.get("PropagateTags"),  # type: ignore[arg-type]
    )
    definition.cfn_properties = props  # type: ignore[attr-defined]
    return definition


def _create_definition(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                       **kwargs: Any) -> JobDefinition:
    props = cloudformation_json["Properties"]
    return _register(props.get("JobDefinitionName", resource_name), props, account_id, region_name)


def _update_definition(cls: type, original_resource: JobDefinition, new_resource_name: str, cloudformation_json: dict[str, Any],
                       account_id: str, region_name: str) -> JobDefinition:
    props = cloudformation_json["Properties"]
    definition = original_resource
    if getattr(definition, "cfn_properties", None) == props:
        return definition
    # A job definition is immutable: a new revision (of the same name unless the name changed), then the old one goes.
    new = _register(props.get("JobDefinitionName", definition.name), props, account_id, region_name)
    definition.delete(account_id, region_name)
    return new


def _delete_definition(self: JobDefinition, account_id: str, region_name: str) -> None:
    batch_backends[account_id][region_name].deregister_job_definition(self.arn)


JobDefinition.create_from_cloudformation_json = classmethod(_create_definition)  # type: ignore[method-assign,assignment]
JobDefinition.update_from_cloudformation_json = classmethod(_update_definition)  # type: ignore[method-assign,assignment]
JobDefinition.delete = _delete_definition  # type: ignore[attr-defined]
