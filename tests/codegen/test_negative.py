"""Negative samples: light beams given by the instruction; the program must print FAIL and name the check."""

from __future__ import annotations

import re

import pytest

from civilinstruct.codegen import answer_for, instruction_language
from civilinstruct.codegen.negative import EXPECTED_FAIL, NEGATIVE_SHARE, given_members, is_negative, light_design
from civilinstruct.design import BuildingSpec, design
from civilinstruct.spec.instructions import parse_instruction, render_instruction
from civilinstruct.pipelines.long_code.pipeline import Job, negative_reject
from civilinstruct.sandbox import Sandbox

SPEC = BuildingSpec(function="school", stories=4, story_height_m=3.6, bays_x=3, bays_y=2, span_x_m=7.2, span_y_m=6.0,
                    intensity=8.5, pga_g=0.30, design_group=3, site_class="III")


def test_share_is_seeded_and_near_the_target() -> None:
    picks = [is_negative(5, i) for i in range(2000)]
    assert picks == [is_negative(5, i) for i in range(2000)]
    assert 0.10 <= sum(picks) / len(picks) <= NEGATIVE_SHARE + 0.03


@pytest.mark.parametrize("variant", [1, 2])
def test_light_design_fails_the_named_check_and_keeps_the_building(variant: int) -> None:
    d = design(SPEC)
    light = light_design(d)
    assert light.beam_bars.count < d.beam_bars.count and light.column_groups == d.column_groups
    instruction = render_instruction(SPEC, variant)
    instruction += given_members(light, instruction_language(instruction))
    assert parse_instruction(instruction) == SPEC  # the added sentence does not change the building read back
    assert light.beam_bars.label in instruction
    style, code, message = answer_for(light, instruction, 3, given=True)
    assert ("按指令给定构件" in message) if style.language == "zh" else ("Given by the instruction" in message)
    with Sandbox(timeout=60, workers=1, allow_weak_isolation=True) as box:
        run = box.run(code)
        good = box.run(answer_for(d, render_instruction(SPEC, variant), 3)[1])
    assert run.status == "ok" and run.period_check == "verified"
    assert re.search(r"^Beam flexure check: .* > 1\.00 -> FAIL$", run.stdout, re.M)
    assert "Compliance: FAIL" in run.stdout and re.search(r"^Failing checks: .*Beam flexure check", run.stdout, re.M)
    assert run.periods == pytest.approx(good.periods, rel=1e-9)  # same sections: same periods, only less steel
    job = Job(index=0, spec=SPEC, sample_id="x", variant_seed=0, style_seed=3, notes={"negative": True,
                                                                                      "expected_fail": EXPECTED_FAIL})
    assert negative_reject(job, run) is None
    assert negative_reject(job, good) == "negative sample: beam flexure check did not fail"
