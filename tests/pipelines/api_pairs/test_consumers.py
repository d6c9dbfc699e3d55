"""The lines that use a target object (`api_pairs.consumers`), run in the real sandbox against known answers."""

from __future__ import annotations

import re

import pytest

from civilinstruct.pipelines.api_pairs.consumers import (loaded_member, moment_curvature, spring_cycle, stepped,
                                                         strain_history, with_reactions)
from civilinstruct.pipelines.api_pairs.contexts import Context
from civilinstruct.pipelines.api_pairs.scenarios import N_MM
from civilinstruct.sandbox import Sandbox

HEAD = "import openseespy.opensees as ops\nops.wipe()\nops.model('basic', '-ndm', 2, '-ndf', 3)\n"
FY, E, B = 400.0, 2.0e5, 0.01  # Steel01 in N-mm: yield strain 0.002


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(timeout=60, workers=2) as box:
        yield box


def program(lines: list[tuple[str, str]], *setup: str) -> str:
    return HEAD + "".join(s + "\n" for s in setup) + "\n".join(code for code, _ in lines) + "\n"


def numbers(stdout: str, left: str, right: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in re.findall(rf"{left} (\S+) -> {right} (\S+)", stdout)]


def test_strain_history_traces_elastic_then_yielding_steel(sandbox) -> None:
    run = sandbox.run(program(strain_history(1), f"ops.uniaxialMaterial('Steel01', 1, {FY}, {E}, {B})"))
    assert run.status == "ok", run.stderr[-500:]
    pairs = numbers(run.stdout, "strain", "stress")
    assert len(pairs) == 7
    assert pairs[0][1] == pytest.approx(E * pairs[0][0], rel=1e-3)  # elastic at a quarter of yield
    assert FY < pairs[3][1] < FY * 1.1  # 5 x yield strain: yielded, with a little hardening
    assert pairs[-1][1] < -FY * 0.99  # reversed past yield in compression


def test_spring_cycle_prints_the_materials_own_loop(sandbox) -> None:
    setup = f"ops.uniaxialMaterial('Steel01', 1, {FY}, {E}, {B})"
    run = sandbox.run(program(spring_cycle(1, 0.002, 1.0), setup))
    assert run.status == "ok", run.stderr[-500:]
    loop = numbers(run.stdout, "deformation", "force")
    assert len(loop) == 16 and loop[0][1] == pytest.approx(E * loop[0][0], rel=1e-3)
    assert max(f for _, f in loop) > 0 > min(f for _, f in loop)  # it went both ways


def test_a_loaded_truss_moves_by_pl_over_ea_and_the_reaction_balances(sandbox) -> None:
    ctx = Context()
    setup = ["ops.node(1, 0.0, 0.0)", "ops.node(2, 1000.0, 0.0)", f"ops.uniaxialMaterial('Elastic', 1, {E})",
             "ops.element('Truss', 1, 1, 2, 100.0, 1)"]
    lines = with_reactions(loaded_member(ctx, [1, 2], 1000.0), 1, 1)
    run = sandbox.run(program(lines, *setup))
    assert run.status == "ok", run.stderr[-500:]
    u = float(re.search(r"displacement of node 2: (\S+)", run.stdout).group(1))
    assert u == pytest.approx(1000.0 * 1000.0 / (E * 100.0), rel=1e-9)
    assert float(re.search(r"reaction at node 1: (\S+)", run.stdout).group(1)) == pytest.approx(-1000.0)


def test_stepped_spreads_the_load_over_equal_increments(sandbox) -> None:
    setup = ["ops.node(1, 0.0, 0.0)", "ops.node(2, 1000.0, 0.0)", f"ops.uniaxialMaterial('Elastic', 1, {E})",
             "ops.element('Truss', 1, 1, 2, 100.0, 1)"]
    run = sandbox.run(program(stepped(loaded_member(Context(), [1, 2], 1000.0), 4, 2, 1), *setup))
    assert run.status == "ok", run.stderr[-500:]
    u = [float(x) for x in re.findall(r"u = (\S+)", run.stdout)]
    assert len(u) == 4 and u[-1] == pytest.approx(0.05) and u[0] == pytest.approx(u[-1] / 4)


def test_moment_curvature_of_an_elastic_section_is_linear(sandbox) -> None:
    ctx = Context()
    run = sandbox.run(program(moment_curvature(ctx, 1, N_MM, axial=False), "ops.section('Elastic', 1, 3.0e4, "
                                                                            "1.6e5, 2.1e9)"))
    assert run.status == "ok", run.stderr[-500:]
    pairs = numbers(run.stdout, "curvature", "moment")
    assert len(pairs) == 5
    for kappa, moment in pairs:
        assert moment == pytest.approx(3.0e4 * 2.1e9 * kappa, rel=1e-3)  # M = E I kappa
