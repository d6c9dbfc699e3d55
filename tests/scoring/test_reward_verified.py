"""Issue 15 end to end: the reward's verified mode on real programs run through the probing sandbox.

The 14-line fake prints `T1 = 1.500 s` (0.25 x stories, no eigen, one element) and a hard-coded PASS; the reference
is the project's own generated program for the same building. Paper mode is the published rules.
"""

from __future__ import annotations

import pytest
from reward_programs import FAKE, answer

from civilinstruct.codegen import render
from civilinstruct.design import BuildingSpec, design
from civilinstruct.scoring.reward import mghr_components
from civilinstruct.sandbox import Sandbox

SPEC = BuildingSpec(function="factory", stories=6, story_height_m=3.9, bays_x=2, bays_y=1, span_x_m=6.6,
                    span_y_m=6.6, intensity=7.5, pga_g=0.15, design_group=1, site_class="I1")


@pytest.fixture(scope="module")
def box():
    with Sandbox(timeout=20.0, workers=2, allow_weak_isolation=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def scored(box):
    d = design(SPEC)
    instruction = SPEC.to_instruction(variant_seed=1)
    texts = [answer(render(d, 1)), answer(FAKE)]
    out = {}
    for mode in ("verified", "paper"):
        # ground truth: the fake's own printed number, so the paper's rules give it every period point
        out[mode] = mghr_components([instruction] * 2, texts, [d.t1_s, 1.5], sandbox=box, mode=mode)
    return out


def test_reference_keeps_full_reward(scored) -> None:
    ref = scored["verified"][0]
    assert ref["reward"] == 1.0 and ref["period_check"] == "verified" and ref["spec_conformance"]["conforms"]
    assert scored["paper"][0]["reward"] == 1.0


def test_fake_scores_far_below(scored) -> None:
    fake, paper = scored["verified"][1], scored["paper"][1]
    assert fake["period_check"] == "unverified" and fake["period_s"] is None and fake["printed_period_s"] == 1.5
    fields = fake["spec_conformance"]["fields"]
    assert fields["stories"] == "wrong" and not fake["spec_conformance"]["conforms"]
    assert fake["r_exec"] == 0.60  # no period credit, no verdict bonus (no drift number behind the PASS)
    assert paper["r_exec"] == 1.0 and paper["reward"] > 0.75  # what the published rules gave it
    assert fake["reward"] <= paper["reward"] - 0.25 and fake["reward"] < 0.6


def test_mismatch_is_no_better_than_no_period(box, frame_program: str) -> None:
    """A program that computes its eigen period but prints another number gets what printing none would get."""
    line = 'print(f"Fundamental period T1 = {T1:.4f} s")'
    assert line in frame_program
    lied = frame_program.replace(line, 'print(f"Fundamental period T1 = {T1 * 1.5:.4f} s")')
    silent = frame_program.replace(line, "pass")
    truth = box.run(frame_program).period_s
    got = mghr_components(None, [answer(lied), answer(silent)], [truth * 1.5, truth], sandbox=box)
    assert got[0]["period_check"] == "mismatch" and got[1]["period_check"] == "none"
    assert got[0]["r_exec"] == got[1]["r_exec"] == 0.65
    paper = mghr_components(None, [answer(lied)], [truth * 1.5], sandbox=box, mode="paper")[0]
    assert paper["r_exec"] == 1.0  # the published rules credit the printed number


def test_verl_entry_reads_mode_and_spec_from_extra_info(box, monkeypatch) -> None:
    from civilinstruct.scoring import reward

    monkeypatch.setattr(reward, "_sandbox", box)
    d = design(SPEC)
    info = {"spec": SPEC.canonical()}
    good = reward.compute_score("civilinstruct", answer(render(d, 1)), f"{d.t1_s:.4f}", info)
    fake = reward.compute_score("civilinstruct", answer(FAKE), "1.5", info)
    paper = reward.compute_score("civilinstruct", answer(FAKE), "1.5", {**info, "reward_mode": "paper"})
    assert good["score"] == 1.0 and fake["r_exec"] == 0.60 and paper["r_exec"] == 1.0
    # the fake's model is not the building: even a verified period of it would earn nothing
    parts = mghr_components([SPEC.to_instruction(0)], [answer(FAKE)], [1.5], sandbox=box)[0]
    assert parts["spec_conformance"]["fields"]["stories"] == "wrong"
