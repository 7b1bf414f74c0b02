"""The recorded EKS catalogue the emulator answers version questions from.

EKS knows which Kubernetes versions it runs (DescribeClusterVersions: status, support dates) and
which add-on versions fit which of them (DescribeAddonVersions: compatibilities[].clusterVersion).
moto knows neither. The twin answers both from a small JSON file recorded in the shape of those two
responses: `clusterVersions` as DescribeClusterVersions returns them, `addons` as
DescribeAddonVersions does. The default is eks-catalogue.json beside this file; the environment
variable BIOMAGE_EKS_CATALOGUE names another (the tests' fixtures under test/fixtures/eks-catalogue/).
The file is read when first needed and again whenever it changes.
"""

import json
import os
from typing import Any

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eks-catalogue.json")
ENV_VAR = "BIOMAGE_EKS_CATALOGUE"

_cache: dict[str, Any] = {}


def path() -> str:
    return os.environ.get(ENV_VAR) or DEFAULT


def load() -> dict[str, Any]:
    """The catalogue, validated enough that a broken fixture fails loudly rather than answering nothing."""
    file = path()
    stamp = (file, os.stat(file).st_mtime_ns)
    if _cache.get("stamp") != stamp:
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle)
        versions = data.get("clusterVersions")
        addons = data.get("addons")
        if not isinstance(versions, list) or not isinstance(addons, list):
            raise ValueError(f"{file}: the EKS catalogue needs a clusterVersions list and an addons list")
        if sum(1 for v in versions if v.get("defaultVersion")) != 1:
            raise ValueError(f"{file}: exactly one cluster version must be the defaultVersion")
        _cache.update(stamp=stamp, data=data)
    return _cache["data"]


def cluster_versions() -> list[dict[str, Any]]:
    return list(load()["clusterVersions"])


def addons() -> list[dict[str, Any]]:
    return list(load()["addons"])


def addon_version_exists(name: str, version: str) -> bool:
    return any(
        a.get("addonName") == name and any(v.get("addonVersion") == version for v in a.get("addonVersions", []))
        for a in addons()
    )


def default_addon_version(name: str, cluster_version: str) -> str | None:
    """The version EKS installs when CreateAddon names none: the default for the cluster's version."""
    for addon in addons():
        if addon.get("addonName") != name:
            continue
        for version in addon.get("addonVersions", []):
            for compatibility in version.get("compatibilities", []):
                if compatibility.get("clusterVersion") == cluster_version and compatibility.get("defaultVersion"):
                    return str(version["addonVersion"])
    return None
