"""AWS::SQS::QueuePolicy for moto's CloudFormation.

moto 5.2 has no CloudFormation model for queue policies, so stacks using the type were reported
complete with no Policy on the queues. This model sets the Policy attribute of each queue in
Queues (a list of queue URLs) through moto's SQS backend. Its Ref is a generated id, as in AWS.
"""

import contextlib
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.sqs.exceptions import QueueDoesNotExist
from moto.sqs.models import SQSBackend, sqs_backends

from ._common import Getters, Resource, json_text


class QueuePolicyResource(Resource, CloudFormationModel):
    TYPE = "AWS::SQS::QueuePolicy"
    IN_PLACE = frozenset({"PolicyDocument", "Queues"})
    ATTRIBUTES: ClassVar[Getters] = {"Id": lambda r: r.physical_id}

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        resource = cls(name, {}, account_id, region_name)  # no previous properties: update() sets them all
        resource.update(props)
        resource.properties = props
        return resource

    def _backend(self) -> SQSBackend:
        return sqs_backends[self.account_id][self.region_name]

    def _set_policy(self, queue_url: str, policy: str) -> None:
        self._backend().set_queue_attributes(queue_url.rstrip("/").split("/")[-1], {"Policy": policy})

    def update(self, props: dict[str, Any]) -> None:
        for queue_url in set(self.properties.get("Queues", [])) - set(props["Queues"]):
            self._set_policy(queue_url, "")
        for queue_url in props["Queues"]:
            self._set_policy(queue_url, json_text(props["PolicyDocument"]))

    def destroy(self) -> None:
        for queue_url in self.properties.get("Queues", []):
            with contextlib.suppress(QueueDoesNotExist):  # the queue went first
                self._set_policy(queue_url, "")
