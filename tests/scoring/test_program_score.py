"""The 0-100 program score: full marks for a correct program, and each part reacts to what it measures."""

from __future__ import annotations

import pytest

from civilinstruct.codegen import render
from civilinstruct.design import BuildingSpec, design
from civilinstruct.sandbox import Sandbox
from civilinstruct.scoring.program import api_coverage, check_lines, score_run, verdict_consistent


@pytest.fixture(scope="module")
def case():
    d = design(BuildingSpec(stories=3, bays_x=2, bays_y=2, intensity=7.5, pga_g=0.15))
    code = render(d, 1)
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        # a good program; one that prints a wrong period (mass doubled); one whose verdict lies; one that crashes
        # dividing the eigenvalues by 4 doubles every period, as a model with 4x the mass would
        heavy = code.replace("eigen_values = ops.eigen(", "eigen_values = [v / 4.0 for v in ops.eigen(")
        heavy = heavy.replace("'-fullGenLapack', NUM_MODES)", "'-fullGenLapack', NUM_MODES)]")
        heavy = heavy.replace("'-fullGenLapack', nm)", "'-fullGenLapack', nm)]")
        liar = code.replace('"FAIL" if failing else "PASS"', '"FAIL"')
        assert liar != code
        broken = code.replace("ops.analysis('Static')", "ops.analysis('Static')\nundefined_name()")
        results = list(box.run_many([code, heavy, liar, broken]))
    return d, [code, heavy, liar, broken], results


def test_correct_program_scores_100(case) -> None:
    d, codes, results = case
    score, parts = score_run(results[0], codes[0], d)
    assert results[0].status == "ok"
    assert score == 100.0, parts
    assert set(parts) == {"executes", "period", "drift", "verdict", "members", "api"}


def test_wrong_period_loses_period_points(case) -> None:
    d, codes, results = case
    assert results[1].status == "ok"
    assert results[1].printed_period_s == pytest.approx(2 * d.t1_s, rel=1e-3)
    assert results[1].period_check == "mismatch"  # its own eigen solution says d.t1_s
    score, parts = score_run(results[1], codes[1], d)
    assert parts["period"] <= 10.0 and score < 95


def test_lying_verdict_is_not_consistent(case) -> None:
    d, codes, results = case
    assert not verdict_consistent(results[2].stdout)
    assert verdict_consistent(results[0].stdout)
    score, parts = score_run(results[2], codes[2], d)
    assert parts["verdict"] == 5.0 and score == 95.0


def test_failed_run_keeps_only_api_points(case) -> None:
    d, codes, results = case
    assert results[3].status == "error"
    score, parts = score_run(results[3], codes[3], d)
    assert parts["executes"] == 0 and score == parts["api"] > 9


def test_check_lines_arithmetic() -> None:
    lines = check_lines("Drift check: 1/600 <= 1/550 -> PASS\nAxial compression ratio check: max 0.80 <= 0.75 -> PASS\n"
                        "Beam flexure check: max D/C = 1.10 > 1.00 -> FAIL\n")
    assert lines == {"drift": (True, True), "axial": (True, False), "beam": (False, True)}


def test_api_coverage_tiers() -> None:
    assert api_coverage("import openseespy.opensees as ops\nops.wipe()\nops.model('basic')\n") == pytest.approx(0.1)
    assert api_coverage("this is not python (") == 0.0


def test_space_program_is_judged_against_the_whole_building(case) -> None:
    """A 3D program prints the building's T1 (the longer translational period, often along Y) and the governing
    drift of both directions: the reference is the whole building (`codegen.space.reference_response`), not the
    plane frame, so a correct 3D program scores 100 and one with a doubled period does not."""
    from civilinstruct.codegen import Style, render_style
    from civilinstruct.codegen.space import reference_periods, reference_response
    from civilinstruct.scoring.program import is_space_program, reference_of

    d, codes, _ = case
    space = render_style(d, Style("flat", frame="space"))
    assert is_space_program(space) and not is_space_program(codes[0])
    assert not is_space_program("# ops.rigidDiaphragm(3, 1, 2) in a comment only\n")
    assert reference_of(codes[0], d) == (d.t1_s, d.max_drift)
    t1, drift = reference_of(space, d)
    assert (t1, drift) == reference_response(d) and t1 == max(reference_periods(d))
    assert abs(t1 / d.t1_s - 1) > 0.02  # the plane frame's T1 would have cost period points
    heavy = space.replace("eigen_values = ops.eigen(", "eigen_values = [v / 4.0 for v in ops.eigen(")
    heavy = heavy.replace("NUM_MODES_3D)\n", "NUM_MODES_3D)]\n", 1)
    assert heavy.count("[v / 4.0") == 1 and "NUM_MODES_3D)]" in heavy
    with Sandbox(timeout=120, workers=2, allow_weak_isolation=True) as box:
        good, bad = box.run_many([space, heavy])
    assert good.status == "ok", good.stderr[-800:]
    score, parts = score_run(good, space, d)
    assert score == 100.0, parts
    assert bad.status == "ok", bad.stderr[-800:]
    assert score_run(bad, heavy, d)[1]["period"] < 20.0
