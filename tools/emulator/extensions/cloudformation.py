"""Read YAML `!GetAtt Resource.Attribute.Part`, and a short-form function holding a mapping, as
CloudFormation does.

moto 5.2 splits the short form at every dot, so `!GetAtt Redis.PrimaryEndPoint.Address` becomes
["Redis", "PrimaryEndPoint", "Address"] and moto asks for the attribute "PrimaryEndPoint", which
fails the stack (or a DescribeStacks of its outputs). CloudFormation splits at the first dot only.
moto registers its YAML constructor by name before every parse, so replacing the name in the
modules that use it is enough. (`${Redis.PrimaryEndPoint.Address}` inside Fn::Sub has the same
problem in moto's clean_json and is not fixed here: use the long form or !GetAtt.)

moto also hands a short form whose argument is a mapping over as raw YAML nodes, so
`!ImportValue` over a long-form `Fn::Sub: name-${Environment}` (the way CloudFormation allows an
import's name to be built in short form) imported an export named after the nodes and failed.
"""

from typing import Any

from moto.cloudformation import models, responses, utils
from yaml import MappingNode

_moto_constructor = utils.yaml_tag_constructor


def yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
    if tag == "!GetAtt" and isinstance(node.value, str):
        return {"Fn::GetAtt": node.value.split(".", 1)}
    if isinstance(node, MappingNode):
        return {"Ref" if tag == "!Ref" else f"Fn::{tag[1:]}": loader.construct_mapping(node, deep=True)}
    return _moto_constructor(loader, tag, node)


for _module in (utils, models, responses):
    _module.yaml_tag_constructor = yaml_tag_constructor  # type: ignore[attr-defined]
