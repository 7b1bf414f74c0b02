"""Read YAML `!GetAtt Resource.Attribute.Part` as CloudFormation does.

moto 5.2 splits the short form at every dot, so `!GetAtt Redis.PrimaryEndPoint.Address` becomes
["Redis", "PrimaryEndPoint", "Address"] and moto asks for the attribute "PrimaryEndPoint", which
fails the stack (or a DescribeStacks of its outputs). CloudFormation splits at the first dot only.
moto registers its YAML constructor by name before every parse, so replacing the name in the
modules that use it is enough. (`${Redis.PrimaryEndPoint.Address}` inside Fn::Sub has the same
problem in moto's clean_json and is not fixed here: use the long form or !GetAtt.)
"""

from typing import Any

from moto.cloudformation import models, responses, utils

_moto_constructor = utils.yaml_tag_constructor


def yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
    if tag == "!GetAtt" and isinstance(node.value, str):
        return {"Fn::GetAtt": node.value.split(".", 1)}
    return _moto_constructor(loader, tag, node)


for _module in (utils, models, responses):
    _module.yaml_tag_constructor = yaml_tag_constructor  # type: ignore[attr-defined]
