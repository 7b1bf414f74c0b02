"""AWS::SES::EmailIdentity for moto's CloudFormation, with Easy DKIM tokens.

moto 5.2 implements SES v2's email identities but has no CloudFormation model for them, and its
identities have no DKIM tokens (SES v2 GetEmailIdentity shows none), so the DKIM records a
template publishes in Route 53 had nothing to point at. This model delegates to moto's SES
backends and gives a domain identity three DKIM tokens, as Easy DKIM does; the same tokens are
what SES v1 GetIdentityDkimAttributes reports. Ref is the identity; Fn::GetAtt
DkimDNSTokenName1..3 and DkimDNSTokenValue1..3 are the CNAME names and values to publish.
"""

import random
import string
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.ses.models import SESBackend, ses_backends
from moto.sesv2.models import SESV2Backend, sesv2_backends

from ._common import Getters, Resource, as_bool


def _v2(resource: Resource) -> SESV2Backend:
    return sesv2_backends[resource.account_id][resource.region_name]


def _v1(resource: Resource) -> SESBackend:
    return ses_backends[resource.account_id][resource.region_name]


def _token() -> str:
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(32))


def _dkim_name(index: int) -> Any:
    return lambda r: f"{r.tokens[index]}._domainkey.{r.physical_id}" if r.tokens else None


def _dkim_value(index: int) -> Any:
    return lambda r: f"{r.tokens[index]}.dkim.amazonses.com" if r.tokens else None


class EmailIdentityResource(Resource, CloudFormationModel):
    TYPE = "AWS::SES::EmailIdentity"
    IN_PLACE = frozenset({"ConfigurationSetAttributes", "DkimAttributes", "DkimSigningAttributes",
                          "FeedbackAttributes", "MailFromAttributes"})
    ATTRIBUTES: ClassVar[Getters] = {
        **{f"DkimDNSTokenName{i + 1}": _dkim_name(i) for i in range(3)},
        **{f"DkimDNSTokenValue{i + 1}": _dkim_value(i) for i in range(3)},
    }
    tokens: list[str]

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        identity = props["EmailIdentity"]
        resource = cls(identity, props, account_id, region_name)
        if identity in _v1(resource).email_identities:
            raise ValueError(f"AWS::SES::EmailIdentity {identity} already exists")
        _v2(resource).create_email_identity(identity, None, None, props.get("ConfigurationSetAttributes", {}).get(
            "ConfigurationSetName"))
        # Easy DKIM (the default, unless a key of one's own is given) has tokens for a domain.
        byodkim = "DomainSigningPrivateKey" in props.get("DkimSigningAttributes", {})
        resource.tokens = [] if "@" in identity or byodkim else [_token() for _ in range(3)]
        if resource.tokens:
            _v1(resource).dkim_tokens[identity] = resource.tokens
        resource.update(props)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        identity = _v2(self).get_email_identity(self.physical_id)
        signing = props.get("DkimSigningAttributes", {})
        identity.configuration_set_name = props.get("ConfigurationSetAttributes", {}).get("ConfigurationSetName")
        identity.dkim_attributes = {
            "SigningEnabled": as_bool(props.get("DkimAttributes", {}).get("SigningEnabled", True)),
            # moto takes identities as verified at once, so their DKIM records are too.
            "Status": "SUCCESS",
            "SigningAttributesOrigin": "EXTERNAL" if "DomainSigningPrivateKey" in signing else "AWS_SES",
            "NextSigningKeyLength": signing.get("NextSigningKeyLength", "RSA_2048_BIT"),
            "CurrentSigningKeyLength": signing.get("NextSigningKeyLength", "RSA_2048_BIT"),
        }
        if self.tokens:
            identity.dkim_attributes["Tokens"] = list(self.tokens)
        identity.feedback_forwarding_status = as_bool(props.get("FeedbackAttributes", {}).get("EmailForwardingEnabled", True))
        mail_from = props.get("MailFromAttributes", {})
        if mail_from.get("MailFromDomain"):
            behaviour = {"REJECT_MESSAGE": "RejectMessage"}.get(mail_from.get("BehaviorOnMxFailure"), "UseDefaultValue")
            _v1(self).set_identity_mail_from_domain(self.physical_id, mail_from["MailFromDomain"], behaviour)
        else:
            _v1(self).identity_mail_from_domains.pop(self.physical_id, None)

    def destroy(self) -> None:
        _v1(self).email_identities.pop(self.physical_id, None)
        _v1(self).dkim_tokens.pop(self.physical_id, None)
        _v1(self).identity_mail_from_domains.pop(self.physical_id, None)
