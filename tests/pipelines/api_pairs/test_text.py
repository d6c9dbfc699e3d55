"""The words of an API pair (`api_pairs.text`): what is defined, the summary line, generic dispatchers."""

from __future__ import annotations

import re

from civilinstruct.opensees_docs.model import Command, DocPage, Param, Signature
from civilinstruct.pipelines.api_pairs.text import _ASKS, _ASKS_USE, _summary, _what, is_generic, stand_ins


def command(function: str, type_name: str | None, *params: str) -> Command:
    sig = Signature(function=function, type_name=type_name, params=[Param(name=p, kind="value") for p in params])
    key = sig.command
    return Command(key=key, page=f"{key}.html", signatures=[sig], doc=DocPage(path=f"{key}.html"))


def test_what_names_the_family_and_options() -> None:
    steel = command("uniaxialMaterial", "Steel01", "matTag").signatures[0]
    assert _what(steel, []) == "the Steel01 uniaxial material"
    assert _what(steel, ["-mass"]) == "the Steel01 uniaxial material with the -mass option"
    assert _what(steel, ["-a", "-b"]).endswith("with the -a, -b options")
    assert _what(command("node", None, "tag").signatures[0], []) == "the `node` command"


def test_summary_keeps_the_first_sentence_of_a_sensible_length() -> None:
    assert _summary(DocPage(path="p", summary="This command is used to construct a node. More text.")) == \
        "This command is used to construct a node"
    assert _summary(DocPage(path="p", summary="Short.")) == ""
    assert _summary(DocPage(path="p", summary="x" * 300)) == ""


def test_every_instruction_template_names_what_and_story_and_formats() -> None:
    for template in (*_ASKS, *_ASKS_USE):
        assert {"what", "story"} <= set(re.findall(r"{(\w+)}", template))
        text = template.format(what="the `node` command", story="a 3-story frame", units="kN, m, s")
        assert "{" not in text and "OpenSeesPy" in text


def test_a_generic_dispatcher_is_illustrated_by_documented_concrete_types() -> None:
    generic = command("uniaxialMaterial", None, "matType", "matTag", "matArgs")
    concrete = {c.key: c for c in (command("uniaxialMaterial", "Elastic", "matTag", "E"),
                                   command("uniaxialMaterial", "Steel01", "matTag", "Fy"))}
    assert is_generic(generic)
    assert [c.key for c in stand_ins(generic, concrete)] == ["uniaxialMaterial('Steel01')",
                                                             "uniaxialMaterial('Elastic')"]  # preference order
    assert not is_generic(concrete["uniaxialMaterial('Steel01')"])
    assert not is_generic(command("node", None, "nodeType"))  # not a dispatcher family
    assert stand_ins(command("node", None, "tag"), concrete) == []
