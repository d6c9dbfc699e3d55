"""The argument plan of one pair (`api_pairs.planner`): which pool a tag argument draws from, the context a
command family gets, and the values it fills in, on the embedded OpenSeesPy documentation."""

from __future__ import annotations

import random

import pytest

from civilinstruct.opensees_docs.source import load_source, resolve_docs
from civilinstruct.pipelines.api_pairs.planner import Planner, _pool_for
from civilinstruct.pipelines.api_pairs.scenarios import KN_M, SCENARIOS


@pytest.fixture(scope="module")
def by_key() -> dict:
    return {c.key: c for c in load_source(resolve_docs(None)).commands()}


@pytest.mark.parametrize(("name", "pool"), [
    ("secTag", "section"), ("transfTag", "transf"), ("integrationTag", "integration"), ("tsTag", "series"),
    ("patternTag", "pattern"), ("nodeTag", "node"), ("iNode", "node"), ("eleTag", "element"),
    ("matTag", "uniaxial"), ("ndMatTag", "nd"), ("crvTag", "backbone"), ("Fy", None), ("numIter", None)])
def test_pool_for_maps_tag_names_to_what_they_refer_to(name: str, pool: str | None) -> None:
    assert _pool_for(name) == pool


def planner(command, variant: int = 0, seed: int = 0) -> Planner:
    scenario = next(s for s in SCENARIOS if s.units is KN_M)
    plan = Planner(command, command.signatures[0], scenario, random.Random(seed), variant)
    plan.build_context()
    return plan


def test_a_material_is_driven_through_different_tests_by_variant(by_key) -> None:
    steel = by_key["uniaxialMaterial('Steel01')"]
    plans = [planner(steel, v) for v in range(4)]
    afters = ["\n".join(code for code, _ in p.ctx.after) for p in plans]
    assert any("ops.testUniaxialMaterial(" in a for a in afters)  # a strain history on the material alone
    assert any("'zeroLength'" in a for a in afters)  # the material as a spring in a small model
    assert len(set(afters)) >= 3  # the variants are different tests, not one test reworded
    assert plans[0].ctx.setup[1][0] == "ops.model('basic', '-ndm', 2, '-ndf', 3)"


def test_the_new_objects_tag_comes_first_and_values_are_in_scenario_units(by_key) -> None:
    steel = by_key["uniaxialMaterial('Steel01')"]
    plan = planner(steel)
    params = steel.signatures[0].params
    first = plan.value(params[0], 0)
    assert first.expr == str(plan.ctx.new_tag) and "tag" in first.comment
    fy = next(p for p in params if p.name == "Fy")
    assert 0.85 * KN_M.fy <= float(plan.value(fy, 1).expr) <= 1.15 * KN_M.fy


def test_a_modal_query_sits_in_the_shear_frame_task_and_returns(by_key) -> None:
    plan = planner(by_key["eigen"])
    assert plan.returns and plan.ctx.pools["node"] == [4, 3, 2]
    assert any(code.startswith("ops.mass(") for code, _ in plan.ctx.setup)


def test_node_arguments_are_distinct_in_call_order(by_key) -> None:
    plan = planner(by_key["equalDOF"])
    params = [p for p in by_key["equalDOF"].signatures[0].params if _pool_for(p.name) == "node"]
    picks = [plan.value(p, i + 1).expr for i, p in enumerate(params)]
    assert len(picks) == 2 and picks[0] != picks[1]  # never a node tied to itself
