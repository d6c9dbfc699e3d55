"""Task-shaped snippets (`api_pairs.tasks`) run in the real sandbox: each task runs, and its physics holds."""

from __future__ import annotations

import re

import pytest

from civilinstruct.pipelines.api_pairs.contexts import Context
from civilinstruct.pipelines.api_pairs.scenarios import KIP_IN, KN_M, N_MM
from civilinstruct.pipelines.api_pairs.tasks import QUERIES, place, task_lines
from civilinstruct.sandbox import Sandbox



@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(timeout=60, workers=2) as box:
        yield box


def program(lines: list[tuple[str, str]]) -> str:
    return "import openseespy.opensees as ops\n" + "\n".join(code for code, _ in lines) + "\n"


def test_the_shear_frame_has_the_same_period_in_consistent_units(sandbox) -> None:
    """kN-m and N-mm describe the same frame (masses in t in both), so T1 must agree; kip-in is another frame."""
    runs = list(sandbox.run_many([program(task_lines("eigen", u)) for u in (KN_M, N_MM, KIP_IN)]))
    assert [r.status for r in runs] == ["ok"] * 3, [r.stderr[-300:] for r in runs]
    t1 = [float(re.search(r"T1 = ([\d.eE+-]+) s", r.stdout).group(1)) for r in runs]
    assert t1[0] == pytest.approx(t1[1], rel=1e-6) and t1[2] > 0 and t1[2] != pytest.approx(t1[0], rel=1e-3)


@pytest.mark.parametrize("target", ["modalProperties", "nodeEigenvector", "rigidDiaphragm", "sensNodeDisp"])
def test_each_task_runs_to_its_result(sandbox, target: str) -> None:
    run = sandbox.run(program(task_lines(target, KN_M)))
    assert run.status == "ok", run.stderr[-500:]
    assert run.stdout.strip(), "a task reads a result back"


def test_the_rigid_floor_moves_its_corners_with_its_centre(sandbox) -> None:
    run = sandbox.run(program(task_lines("rigidDiaphragm", KN_M)))
    centre, corner = map(float, re.search(r"floor drift: (\S+) corner: (\S+)", run.stdout).groups())
    assert centre > 0 and corner == pytest.approx(centre, rel=1e-6)  # a symmetric floor does not twist


def test_the_sensitivity_gradient_is_minus_u_over_e(sandbox) -> None:
    run = sandbox.run(program(task_lines("sensNodeDisp", KN_M)))
    gradient, expected = map(float, re.search(r"du/dE = (\S+)\s+-u/E = (\S+)", run.stdout).groups())
    assert gradient == pytest.approx(expected, rel=1e-6) and gradient < 0


def test_place_splits_the_task_at_the_target_call() -> None:
    ctx = Context()
    assert place(ctx, "eigen", KN_M)
    assert all("ops.eigen(" not in code for code, _ in ctx.setup + ctx.after)
    assert ctx.after[0] == ("lam = result", "the eigenvalues the call returned") and "eigen" in QUERIES
    assert ctx.pools["node"] == [4, 3, 2] and (ctx.ndm, ctx.ndf) == (2, 3)
    floor = Context()
    assert place(floor, "rigidDiaphragm", KN_M) and (floor.ndm, floor.ndf) == (3, 6)
    assert not place(Context(), "node", KN_M) and task_lines("node", KN_M) is None
