"""EKS DescribeClusterVersions for moto 5.2, which lacks it.

eksctl asks it first, before validating a ClusterConfig (`eksctl create cluster --dry-run` resolves
metadata.version against it). With it, the real eksctl validates biomage's rendered ClusterConfig
offline against the twin. The versions are the emulator's own, not AWS's list: the pinned
KUBERNETES_VERSION of tools/versions.env in standard support and the default, and the three minor
versions before it also in standard support. Nothing else about EKS versions is emulated.
"""

import os

from moto.core.responses import ActionResult
from moto.eks import urls
from moto.eks.responses import EKSResponse

_VERSIONS_ENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "versions.env")


def _pinned_version() -> str:
    with open(_VERSIONS_ENV, encoding="utf-8") as handle:
        for line in handle:
            key, _, value = line.strip().partition("=")
            if key == "KUBERNETES_VERSION" and value:
                return value
    raise RuntimeError(f"KUBERNETES_VERSION is not set in {_VERSIONS_ENV}")


def _cluster_versions() -> list[dict]:
    major, minor = (int(part) for part in _pinned_version().split(".")[:2])
    versions = [f"{major}.{minor - back}" for back in range(3, -1, -1) if minor - back >= 0]
    return [
        {
            "clusterVersion": version,
            "clusterType": "eks",
            "defaultPlatformVersion": "eks.1",
            "defaultVersion": version == versions[-1],
            "status": "STANDARD_SUPPORT",
            "versionStatus": "STANDARD_SUPPORT",
            "kubernetesPatchVersion": f"{version}.0",
        }
        for version in versions
    ]


def describe_cluster_versions(self: EKSResponse) -> ActionResult:
    # Query-string filters (rest-json): repeated clusterVersions, and defaultOnly.
    wanted = self.querystring.get("clusterVersions") or []
    default_only = (self.querystring.get("defaultOnly") or ["false"])[0] == "true"
    versions = [
        v
        for v in _cluster_versions()
        if (not wanted or v["clusterVersion"] in wanted) and (not default_only or v["defaultVersion"])
    ]
    return ActionResult({"clusterVersions": versions})


EKSResponse.describe_cluster_versions = describe_cluster_versions
# moto builds its URL map per service on the first request to it, after this import.
urls.url_paths["{0}/cluster-versions$"] = urls.response.dispatch
