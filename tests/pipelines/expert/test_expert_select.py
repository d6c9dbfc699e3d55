"""Expert selection: the engineering period band and the expert score, whose parts react to what they measure."""

from __future__ import annotations

import json

import pytest

from civilinstruct.codegen import Style, render_style
from civilinstruct.design import BuildingSpec, design
from civilinstruct.pipelines.expert.select import (CLAUSES, EXPERT_THRESHOLD, WEIGHTS, engineering_reasons,
                                                   expert_score, period_band, weakest)
from civilinstruct.sandbox import Sandbox

SPEC = BuildingSpec(stories=8, bays_x=3, bays_y=2, intensity=8, pga_g=0.2)
SCHOOL = BuildingSpec(function="school", stories=4, story_height_m=3.6, bays_x=3, bays_y=2, span_x_m=7.2,
                      span_y_m=6.0, intensity=8.5, pga_g=0.30, design_group=3, site_class="III")
ONE_BAY_Y = BuildingSpec(function="residential", stories=3, story_height_m=3.0, bays_x=3, bays_y=1, span_x_m=6.0,
                         span_y_m=7.2, intensity=7, pga_g=0.10, design_group=1, site_class="II")


@pytest.fixture(scope="module")
def runs():
    d = design(SPEC)
    full = render_style(d, Style("flat", crosscheck="base_shear"))
    bare = render_style(d, Style("flat"))
    liar = full.replace('"FAIL" if failing else "PASS"', '"FAIL"')
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        return d, list(box.run_many([full, bare, liar]))


def test_band_holds_the_design_and_rejects_implausible_periods(runs) -> None:
    d, _ = runs
    spec = json.loads(SPEC.to_json())
    low, high = period_band(spec, d.empirical_t1_s, d.psi_t)
    assert low < d.t1_s < high
    assert low == pytest.approx(0.6 * d.empirical_t1_s)
    assert 2.0 * d.t1_s > high  # twice as flexible breaks the drift limit by the first-mode estimate
    stronger = dict(spec, intensity=9, pga_g=0.4)  # more seismic demand: a stiffer frame is needed
    assert period_band(stronger, d.empirical_t1_s, d.psi_t)[1] < high


def test_scores_spread_by_what_they_measure(runs) -> None:
    _, (full, bare, liar) = runs
    score, parts = expert_score(SPEC, full)
    assert score == 100.0 and all(c in full.stdout for c in CLAUSES)
    score_bare, parts_bare = expert_score(SPEC, bare)
    assert parts_bare["clauses"] == pytest.approx(WEIGHTS["clauses"] * (len(CLAUSES) - 1) / len(CLAUSES))  # no 5.2.1
    assert EXPERT_THRESHOLD < score_bare < 100.0
    score_liar, parts_liar = expert_score(SPEC, liar)
    assert parts_liar["checks"] == 0.0 and score_liar < EXPERT_THRESHOLD and weakest(parts_liar) == "checks"
    other = SPEC.model_copy(update={"story_height_m": 4.2})  # the program models 3.5 m stories
    score_other, parts_other = expert_score(other, full)
    assert parts_other["conformance"] < WEIGHTS["conformance"] and score_other < score


@pytest.fixture(scope="module")
def engineering_runs():
    school, one_bay = design(SCHOOL), design(ONE_BAY_Y)
    # the Y beams an X-only sizing left (span_y/12: 250 x 500 mm; codegen-v5): the 3D model finds Y too flexible
    x_only = school.model_copy(update={"beam_y_b_m": 0.25, "beam_y_h_m": 0.5})
    codes = [render_style(x_only, Style("flat", frame="space")), render_style(school, Style("flat")),
             render_style(one_bay, Style("flat")), render_style(school, Style("flat", frame="space"))]
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        return list(box.run_many(codes))


def test_engineering_rules_reject_designs_with_reasons(engineering_runs) -> None:
    space, plane, one_bay, designed_space = engineering_runs
    assert all(r.status == "ok" for r in engineering_runs)
    # the design sizes Y too: its 3D program passes its own checks
    assert "Compliance: PASS" in designed_space.stdout
    assert "fails its own checks" not in engineering_reasons(SCHOOL, designed_space)
    # the plane X frame passes; the 3D model with the X-only sizing's Y beams finds the Y frames too flexible
    assert "Compliance: PASS" in plane.stdout and engineering_reasons(SCHOOL, plane) == []
    assert expert_score(SCHOOL, plane)[0] >= EXPERT_THRESHOLD
    score, parts = expert_score(SCHOOL, space)
    assert "fails its own checks" in parts.reasons and any("drift utilisation" in r for r in parts.reasons)
    assert parts["engineering"] == 0.0 and score < EXPERT_THRESHOLD
    assert weakest(parts).startswith("engineering (fails its own checks")
    reasons = engineering_reasons(ONE_BAY_Y, one_bay)
    assert "single-span frame (weak redundancy)" in reasons  # allowed at its grade, but an expert would not pick it
    assert engineering_reasons(json.loads(ONE_BAY_Y.to_json()), one_bay) == reasons  # a dict spec reads alike
