"""AWS::S3::BucketPolicy for moto's CloudFormation.

moto 5.2 implements PutBucketPolicy but has no CloudFormation model for bucket policies, so stacks
using the type were reported complete with no policy on the bucket. This model delegates to moto's
S3 backend. The template's PolicyDocument is a JSON object; the API stores its JSON text.
"""

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition

from ._common import Resource, json_text


def _backend(account_id: str, region_name: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


class BucketPolicyResource(Resource, CloudFormationModel):
    TYPE = "AWS::S3::BucketPolicy"
    IN_PLACE = frozenset({"PolicyDocument"})  # a new Bucket replaces: the old bucket's policy goes

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        resource = cls(props["Bucket"], props, account_id, region_name)
        resource.update(props)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        policy = json_text(props["PolicyDocument"]).encode("utf-8")
        _backend(self.account_id, self.region_name).put_bucket_policy(self.physical_id, policy)

    def destroy(self) -> None:
        with contextlib.suppress(MissingBucket):  # the bucket went first
            _backend(self.account_id, self.region_name).delete_bucket_policy(self.physical_id)
