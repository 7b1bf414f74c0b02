"""AWS::SNS::Subscription for moto's CloudFormation.

moto 5.2 models subscriptions only inline in AWS::SNS::Topic, so a standalone subscription was
reported complete without existing. This model delegates to moto's SNS backend: subscribe, then
each further property (RawMessageDelivery, FilterPolicy, ...) through set_subscription_attributes,
which rejects attributes moto does not support rather than dropping them.
"""

from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.sns.models import SNSBackend, sns_backends

from ._common import Getters, Resource, as_bool, json_text

_SUBSCRIBE = ("TopicArn", "Endpoint", "Protocol", "Region")  # properties that are not attributes
_JSON = ("FilterPolicy", "DeliveryPolicy", "RedrivePolicy", "ReplayPolicy")


def _attribute(name: str, value: Any) -> Any:
    if name == "RawMessageDelivery":
        return as_bool(value)
    return json_text(value) if name in _JSON else value


class SubscriptionResource(Resource, CloudFormationModel):
    TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES: ClassVar[Getters] = {"Arn": lambda r: r.physical_id}

    def needs_replacement(self, changed: set[str]) -> bool:
        return bool(changed & set(_SUBSCRIBE))

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        region_name = props.get("Region", region_name)
        subscription = sns_backends[account_id][region_name].subscribe(
            props["TopicArn"], props["Endpoint"], props["Protocol"]
        )
        resource = cls(subscription.arn, {}, account_id, region_name)  # no previous properties: update() sets them all
        resource.update(props)
        resource.properties = props
        return resource

    def _backend(self) -> SNSBackend:
        return sns_backends[self.account_id][self.region_name]

    def update(self, props: dict[str, Any]) -> None:
        wanted = {k: _attribute(k, v) for k, v in props.items() if k not in _SUBSCRIBE}
        for name in self.properties:  # attributes the template no longer sets go back to defaults
            if name not in _SUBSCRIBE and name not in wanted:
                wanted[name] = False if name == "RawMessageDelivery" else ""
        # The scope first: moto validates a FilterPolicy against the scope already set.
        for name in sorted(wanted, key=lambda n: n != "FilterPolicyScope"):
            self._backend().set_subscription_attributes(self.physical_id, name, wanted[name])

    def destroy(self) -> None:
        self._backend().unsubscribe(self.physical_id)
