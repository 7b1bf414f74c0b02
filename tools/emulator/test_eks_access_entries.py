"""Tests of eks_access_entries.py: EKS access entries, access policies and the cluster's access
configuration on the emulator, through the EKS API (boto3), with EKS's validation errors.

    .tools/venv/bin/python -m pytest -q tools/emulator/test_eks_access_entries.py
"""

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-cluster"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eksctl-nodes-NodeInstanceRole"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
OPS = f"arn:aws:iam::{ACCOUNT}:role/team/Ops"
CREATOR = f"arn:aws:iam::{ACCOUNT}:user/moto"


@pytest.fixture(scope="module")
def eks(client):
    return client("eks")


def create_cluster(eks, name, access_config=None):
    kwargs = {"accessConfig": access_config} if access_config else {}
    return eks.create_cluster(name=name, roleArn=ROLE, resourcesVpcConfig={"subnetIds": []}, **kwargs)["cluster"]


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"].get("Message", "")


def entries(eks, cluster):
    return sorted(eks.list_access_entries(clusterName=cluster)["accessEntries"])


def test_a_cluster_made_without_access_config_is_config_map_and_refuses_entries(eks):
    create_cluster(eks, "legacy")
    assert eks.describe_cluster(name="legacy")["cluster"]["accessConfig"]["authenticationMode"] == "CONFIG_MAP"
    code, message = error_of(eks.list_access_entries, clusterName="legacy")
    assert code == "InvalidRequestException"
    assert "authentication mode must be set to one of [API, API_AND_CONFIG_MAP]" in message
    code, _ = error_of(eks.create_access_entry, clusterName="legacy", principalArn=ALICE)
    assert code == "InvalidRequestException"


def test_an_api_cluster_reports_its_mode_and_gives_its_creator_cluster_admin(eks):
    cluster = create_cluster(eks, "api", {"authenticationMode": "API_AND_CONFIG_MAP"})
    assert cluster["accessConfig"] == {"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True}
    assert entries(eks, "api") == [CREATOR]
    policies = eks.list_associated_access_policies(clusterName="api", principalArn=CREATOR)["associatedAccessPolicies"]
    assert [(p["policyArn"], p["accessScope"]["type"]) for p in policies] == [(ADMIN_POLICY, "cluster")]
    create_cluster(eks, "api-bare", {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False})
    assert entries(eks, "api-bare") == []
    code, message = error_of(create_cluster, eks, "bad-mode", {"authenticationMode": "OPEN"})
    assert (code, message) == ("InvalidParameterException", "Invalid authenticationMode 'OPEN': must be one of CONFIG_MAP, API_AND_CONFIG_MAP, API")
    assert "bad-mode" not in eks.list_clusters()["clusters"]


def test_entries_are_created_described_tagged_updated_and_deleted(eks):
    created = eks.create_access_entry(
        clusterName="api", principalArn=ALICE, kubernetesGroups=["read-only"], username="biomage-user:alice", tags={"biomage:managed": "true"}
    )["accessEntry"]
    assert created["type"] == "STANDARD"
    assert created["accessEntryArn"].startswith(f"arn:aws:eks:eu-west-1:{ACCOUNT}:access-entry/api/user/{ACCOUNT}/alice/")
    described = eks.describe_access_entry(clusterName="api", principalArn=ALICE)["accessEntry"]
    assert (described["username"], described["kubernetesGroups"], described["tags"]) == ("biomage-user:alice", ["read-only"], {"biomage:managed": "true"})
    arn = described["accessEntryArn"]
    eks.tag_resource(resourceArn=arn, tags={"team": "data"})
    eks.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"biomage:managed": "true"}

    updated = eks.update_access_entry(clusterName="api", principalArn=ALICE, kubernetesGroups=["viewers", "read-only"])["accessEntry"]
    assert (updated["username"], updated["kubernetesGroups"]) == ("biomage-user:alice", ["read-only", "viewers"])

    # A role without an explicit username: its sessions by name, as EKS does.
    role = eks.create_access_entry(clusterName="api", principalArn=OPS)["accessEntry"]
    assert role["username"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/{{{{SessionName}}}}"
    assert entries(eks, "api") == sorted([CREATOR, ALICE, OPS])

    eks.delete_access_entry(clusterName="api", principalArn=OPS)
    assert entries(eks, "api") == sorted([CREATOR, ALICE])
    assert error_of(eks.describe_access_entry, clusterName="api", principalArn=OPS)[0] == "ResourceNotFoundException"
    assert error_of(eks.delete_access_entry, clusterName="api", principalArn=OPS)[0] == "ResourceNotFoundException"


def test_the_validation_errors_of_eks(eks):
    code, message = error_of(eks.create_access_entry, clusterName="api", principalArn=ALICE)
    assert (code, message) == ("ResourceInUseException", "The specified access entry resource is already in use on this cluster.")
    assert error_of(eks.create_access_entry, clusterName="nope", principalArn=ALICE)[0] == "ResourceNotFoundException"
    for bad in ("alice", f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/session", f"arn:aws:iam::{ACCOUNT}:group/admins", "arn:aws:iam::12:user/x"):
        code, message = error_of(eks.create_access_entry, clusterName="api", principalArn=bad)
        assert code == "InvalidParameterException", bad
        assert "principalArn is invalid" in message
    assert error_of(eks.create_access_entry, clusterName="api", principalArn=OPS, kubernetesGroups=["system:masters"])[0] == "InvalidParameterException"
    assert error_of(eks.create_access_entry, clusterName="api", principalArn=OPS, username="system:admin")[0] == "InvalidParameterException"
    assert error_of(eks.create_access_entry, clusterName="api", principalArn=ALICE.replace("alice", "bob"), type="EC2_LINUX")[0] == "InvalidParameterException"
    assert OPS not in entries(eks, "api")


def test_access_policies_are_listed_associated_with_a_scope_and_disassociated(eks):
    catalogue = {p["name"]: p["arn"] for p in eks.list_access_policies()["accessPolicies"]}
    assert catalogue["AmazonEKSClusterAdminPolicy"] == ADMIN_POLICY
    assert catalogue["AmazonEKSViewPolicy"] == VIEW_POLICY

    associated = eks.associate_access_policy(clusterName="api", principalArn=ALICE, policyArn=VIEW_POLICY, accessScope={"type": "namespace", "namespaces": ["ui"]})
    assert associated["associatedAccessPolicy"]["accessScope"] == {"type": "namespace", "namespaces": ["ui"]}
    # Associating again changes the scope.
    eks.associate_access_policy(clusterName="api", principalArn=ALICE, policyArn=VIEW_POLICY, accessScope={"type": "cluster"})
    listed = eks.list_associated_access_policies(clusterName="api", principalArn=ALICE)["associatedAccessPolicies"]
    assert [(p["policyArn"], p["accessScope"]) for p in listed] == [(VIEW_POLICY, {"type": "cluster", "namespaces": []})]
    assert eks.list_access_entries(clusterName="api", associatedPolicyArn=VIEW_POLICY)["accessEntries"] == [ALICE]

    bad_policy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEverythingPolicy"
    assert error_of(eks.associate_access_policy, clusterName="api", principalArn=ALICE, policyArn=bad_policy, accessScope={"type": "cluster"})[0] == "InvalidParameterException"
    assert error_of(eks.associate_access_policy, clusterName="api", principalArn=ALICE, policyArn=VIEW_POLICY, accessScope={"type": "namespace"})[0] == "InvalidParameterException"
    assert error_of(eks.associate_access_policy, clusterName="api", principalArn=OPS, policyArn=VIEW_POLICY, accessScope={"type": "cluster"})[0] == "ResourceNotFoundException"

    eks.disassociate_access_policy(clusterName="api", principalArn=ALICE, policyArn=VIEW_POLICY)
    assert eks.list_associated_access_policies(clusterName="api", principalArn=ALICE)["associatedAccessPolicies"] == []
    assert error_of(eks.disassociate_access_policy, clusterName="api", principalArn=ALICE, policyArn=VIEW_POLICY)[0] == "ResourceNotFoundException"


def test_list_pages(eks):
    create_cluster(eks, "paged", {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False})
    for n in range(5):
        eks.create_access_entry(clusterName="paged", principalArn=f"arn:aws:iam::{ACCOUNT}:user/u{n}")
    first = eks.list_access_entries(clusterName="paged", maxResults=2)
    second = eks.list_access_entries(clusterName="paged", maxResults=2, nextToken=first["nextToken"])
    third = eks.list_access_entries(clusterName="paged", maxResults=2, nextToken=second["nextToken"])
    assert first["accessEntries"] + second["accessEntries"] + third["accessEntries"] == [f"arn:aws:iam::{ACCOUNT}:user/u{n}" for n in range(5)]
    assert "nextToken" not in third


def test_the_mode_moves_one_way_one_step_at_a_time_and_node_roles_get_entries(eks):
    eks.create_nodegroup(clusterName="legacy", nodegroupName="general", nodeRole=NODE_ROLE, subnets=["subnet-1"])
    code, message = error_of(eks.update_cluster_config, name="legacy", accessConfig={"authenticationMode": "API"})
    assert code == "InvalidParameterException"
    assert "from CONFIG_MAP to API" in message
    update = eks.update_cluster_config(name="legacy", accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})["update"]
    assert (update["type"], update["status"], update["params"]) == ("AccessConfigUpdate", "Successful", [{"type": "AuthenticationMode", "value": "API_AND_CONFIG_MAP"}])
    assert eks.describe_cluster(name="legacy")["cluster"]["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
    # Entering an API mode: the managed node group's role gets its node entry (no creator entry afterwards).
    assert entries(eks, "legacy") == [NODE_ROLE]
    node = eks.describe_access_entry(clusterName="legacy", principalArn=NODE_ROLE)["accessEntry"]
    assert (node["type"], node["username"], node["kubernetesGroups"]) == ("EC2_LINUX", "system:node:{{EC2PrivateDNSName}}", ["system:nodes"])
    assert error_of(eks.associate_access_policy, clusterName="legacy", principalArn=NODE_ROLE, policyArn=VIEW_POLICY, accessScope={"type": "cluster"})[0] == "InvalidRequestException"
    assert error_of(eks.update_cluster_config, name="legacy", accessConfig={"authenticationMode": "CONFIG_MAP"})[0] == "InvalidParameterException"
    assert error_of(eks.update_cluster_config, name="legacy", accessConfig={"authenticationMode": "API"}, logging={"clusterLogging": []})[0] == "InvalidParameterException"
    # A node group created in an API mode gets its entry at once.
    eks.create_nodegroup(clusterName="api", nodegroupName="worker", nodeRole=NODE_ROLE, subnets=["subnet-1"])
    assert eks.describe_access_entry(clusterName="api", principalArn=NODE_ROLE)["accessEntry"]["type"] == "EC2_LINUX"
    # Other cluster settings still update as before.
    eks.update_cluster_config(name="legacy", logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    assert eks.describe_cluster(name="legacy")["cluster"]["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
