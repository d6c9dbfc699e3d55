"""One home per fact: the part lists and the offline generator's name live in `civilinstruct.parts` only."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from civilinstruct import parts
from civilinstruct.pipelines import registry
from civilinstruct.release.manifest import PART_ORDER, RL_PARTS, SFT_PARTS
from civilinstruct.store import PARTS, Lineage, Part
from civilinstruct.train import GRPO_PARTS
from civilinstruct.train import SFT_PARTS as TRAIN_SFT_PARTS

PACKAGE = Path(parts.__file__).parent


def test_every_list_is_the_one_list() -> None:
    assert typing.get_args(Part) == PARTS == PART_ORDER == registry.NAMES == parts.PARTS
    assert SFT_PARTS == TRAIN_SFT_PARTS == parts.SFT_PARTS and RL_PARTS == GRPO_PARTS == parts.RL_PARTS
    assert set(parts.SFT_PARTS) | set(parts.RL_PARTS) == set(parts.PARTS)
    assert tuple(registry.ordered(parts.PARTS)) == parts.PARTS  # the facts' order is a dependency order
    assert {p: registry.get(p).depends_on for p in parts.PARTS if registry.get(p).depends_on} == parts.DEPENDS_ON
    assert [registry.get(p).name for p in parts.PARTS] == list(parts.PARTS)
    assert Lineage(pipeline="p", pipeline_version="v1").generator == parts.OFFLINE_GENERATOR == "offline/rules-v1"


def test_no_module_spells_the_facts_again() -> None:
    """A second spelling drifts; import it from civilinstruct.parts instead (the Literal type is the exception)."""
    name = re.compile(re.escape(repr(parts.OFFLINE_GENERATOR)) + "|" + re.escape(f'"{parts.OFFLINE_GENERATOR}"'))
    part_list = re.compile(r"""\(\s*["']api_pairs["']\s*,\s*["']long_code["']""")
    found = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py")) if p.name != "parts.py"
             and (name.search(p.read_text(encoding="utf-8")) or part_list.search(p.read_text(encoding="utf-8")))]
    assert found == []
