"""EKS DescribeClusterVersions for moto 5.2, which lacks it.

eksctl asks it first, before validating a ClusterConfig (`eksctl create cluster --dry-run` resolves
metadata.version against it), and `biomage plan` reads each version's support dates from it. The
versions, their status and their end-of-support dates come from the recorded catalogue
(eks_catalogue.py: eks-catalogue.json, or the file BIOMAGE_EKS_CATALOGUE names), as EKS would
answer them.
"""

from moto.core.responses import ActionResult
from moto.eks import urls
from moto.eks.responses import EKSResponse

import eks_catalogue


def describe_cluster_versions(self: EKSResponse) -> ActionResult:
    # Query-string filters (rest-json): repeated clusterVersions, defaultOnly, and status/versionStatus.
    wanted = self.querystring.get("clusterVersions") or []
    default_only = (self.querystring.get("defaultOnly") or ["false"])[0] == "true"
    status = (self.querystring.get("versionStatus") or self.querystring.get("status") or [None])[0]
    versions = [
        v
        for v in eks_catalogue.cluster_versions()
        if (not wanted or v["clusterVersion"] in wanted)
        and (not default_only or v.get("defaultVersion"))
        and (status is None or v.get("versionStatus", v.get("status")) == status)
    ]
    return ActionResult({"clusterVersions": versions})


EKSResponse.describe_cluster_versions = describe_cluster_versions
# moto builds its URL map per service on the first request to it, after this import.
urls.url_paths["{0}/cluster-versions$"] = urls.response.dispatch
