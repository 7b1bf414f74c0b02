"""Tests of drift_compare.py, CloudFormation's semantic comparison of expected and actual properties
(no emulator: plain data in, differences out).

    .tools/venv/bin/python -m pytest -q tools/emulator/test_drift_compare.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drift_compare import Rules, differences

POLICY = Rules(documents=frozenset({"/PolicyDocument"}))
ROLE = Rules(keyed={"/Policies": "PolicyName"}, documents=frozenset({"/Policies/*/PolicyDocument"}))
GROUP = Rules(unordered=frozenset({"/SecurityGroupIngress"}))


PLAIN = Rules()


def found(expected, actual, rules=PLAIN):
    return [(d.path, d.kind) for d in differences(expected, actual, rules)]


def test_numbers_equal_numeric_strings():
    assert found({"VisibilityTimeout": 300, "Ratio": 0.5}, {"VisibilityTimeout": "300", "Ratio": "0.50"}) == []


def test_booleans_equal_their_strings():
    assert found({"Enabled": True, "Off": "false"}, {"Enabled": "true", "Off": False}) == []


def test_a_changed_value_is_not_equal_with_both_values():
    [difference] = differences({"Status": "Enabled"}, {"Status": "Suspended"}, Rules())
    assert difference.as_api() == {"PropertyPath": "/Status", "ExpectedValue": "Enabled", "ActualValue": "Suspended", "DifferenceType": "NOT_EQUAL"}


def test_a_default_the_template_sets_equals_an_absent_value():
    assert found({"DeletionProtectionEnabled": False, "Tags": [], "Description": ""}, {}) == []


def test_a_value_gone_from_the_service_is_removed():
    [difference] = differences({"KmsMasterKeyId": "alias/aws/sns"}, {"KmsMasterKeyId": ""}, Rules())
    assert (difference.path, difference.as_api()["ActualValue"], difference.kind) == ("/KmsMasterKeyId", "null", "REMOVE")


def test_a_key_the_service_added_to_a_mapping_is_added():
    [difference] = differences({"Variables": {"A": "1"}}, {"Variables": {"A": "1", "B": "2"}}, Rules())
    assert (difference.path, difference.as_api()["ExpectedValue"], difference.as_api()["ActualValue"], difference.kind) == ("/Variables/B", "null", "2", "ADD")


def test_a_policy_as_json_text_equals_the_same_policy_as_an_object():
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert found({"PolicyDocument": document}, {"PolicyDocument": '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'}, POLICY) == []


def test_in_a_policy_one_value_equals_a_list_of_it_and_a_statement_equals_a_list_of_it():
    expected = {"PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["a", "b"]}}}
    actual = {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["b", "a"]}]}}
    assert found(expected, actual, POLICY) == []


def test_a_policys_changed_action_list_is_one_difference_at_the_list():
    expected = {"PolicyDocument": {"Statement": [{"Action": ["s3:GetObject"]}]}}
    actual = {"PolicyDocument": {"Statement": [{"Action": ["s3:GetObject", "s3:PutObject"]}]}}
    [difference] = differences(expected, actual, POLICY)
    assert difference.as_api() == {
        "PropertyPath": "/PolicyDocument/Statement/0/Action",
        "ExpectedValue": '["s3:GetObject"]',
        "ActualValue": '["s3:GetObject","s3:PutObject"]',
        "DifferenceType": "NOT_EQUAL",
    }


def test_outside_a_policy_lists_keep_their_order():
    assert found({"Architectures": ["a", "b"]}, {"Architectures": ["b", "a"]}) == [("/Architectures/0", "NOT_EQUAL"), ("/Architectures/1", "NOT_EQUAL")]


def test_unordered_rules_match_whatever_their_position():
    a = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}
    b = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
    assert found({"SecurityGroupIngress": [a, b]}, {"SecurityGroupIngress": [b, a]}, GROUP) == []


def test_an_unordered_rule_added_and_one_removed_are_named_by_their_own_lists_index():
    a = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}
    b = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    c = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    assert found({"SecurityGroupIngress": [a, b]}, {"SecurityGroupIngress": [c, a]}, GROUP) == [
        ("/SecurityGroupIngress/1", "REMOVE"),
        ("/SecurityGroupIngress/0", "ADD"),
    ]


def test_keyed_items_match_by_key_and_report_the_expected_index():
    expected = {"Policies": [{"PolicyName": "a", "PolicyDocument": {"Statement": [{"Action": "x"}]}},
                             {"PolicyName": "b", "PolicyDocument": {"Statement": [{"Action": "y"}]}}]}
    actual = {"Policies": [{"PolicyName": "b", "PolicyDocument": '{"Statement": [{"Action": "z"}]}'},
                           {"PolicyName": "a", "PolicyDocument": '{"Statement": [{"Action": "x"}]}'}]}
    assert found(expected, actual, ROLE) == [("/Policies/1/PolicyDocument/Statement/0/Action", "NOT_EQUAL")]


def test_a_keyed_item_missing_is_removed_and_an_extra_one_added():
    expected = {"Policies": [{"PolicyName": "a", "PolicyDocument": {}}]}
    actual = {"Policies": [{"PolicyName": "c", "PolicyDocument": {}}]}
    assert found(expected, actual, ROLE) == [("/Policies/0", "REMOVE"), ("/Policies/0", "ADD")]
