"""`--ground-truth band`: its ends from the design module, and real programs of both ends checked in the sandbox."""

from __future__ import annotations

import pytest

from civilinstruct.bench.band import AXIAL_FLOOR, frame_t1, period_band, resized, stiff_end
from civilinstruct.bench.outcome import period_within
from civilinstruct.codegen import render
from civilinstruct.design import BuildingSpec, design
from civilinstruct.sandbox import Sandbox

# a flexible 8-story frame whose design leaves room to stiffen (axial ratio well above the floor)
SPEC = BuildingSpec(stories=8, story_height_m=3.3, bays_x=3, bays_y=2, span_x_m=6.0, span_y_m=6.0,
                    intensity=7.0, pga_g=0.10)


@pytest.fixture(scope="module")
def reference():
    return design(SPEC)


def test_band_ends(reference) -> None:
    band = period_band(SPEC)
    assert frame_t1(reference) == pytest.approx(reference.t1_s, rel=1e-3)  # the same model as the design's
    assert band["hi"] == pytest.approx(reference.t1_s, rel=1e-3) and band["lo"] < band["hi"]
    stiff = stiff_end(reference)
    assert stiff.column_size(1) > reference.column_size(1)
    # the stiff end keeps the axial ratio at or above the floor (ratio ~ 1 / b^2)
    assert reference.max_axial_ratio * (reference.column_size(1) / stiff.column_size(1)) ** 2 >= AXIAL_FLOOR
    assert stiff.beam_h_m >= reference.beam_h_m and stiff.beam_h_m <= SPEC.span_x_m / 8 + 1e-9
    heavier = sum(map(sum, stiff.node_mass_t)) - sum(map(sum, reference.node_mass_t))
    assert heavier > 0  # bigger members weigh more


def test_resized_is_the_identity_at_zero(reference) -> None:
    same = resized(reference, 0.0, reference.beam_h_m)
    assert same.node_mass_t == reference.node_mass_t and frame_t1(same) == pytest.approx(reference.t1_s, rel=1e-6)


def test_variant_programs_are_code_compliant_and_inside_the_band(reference) -> None:
    """The reference, a one-step-stiffer and the stiff-end program all pass their own checks; fe accepts them within
    30%, the band accepts all three."""
    band = period_band(SPEC)
    variants = {"reference": reference, "stiffer": resized(reference, 0.05, reference.beam_h_m + 0.05),
                "stiff_end": stiff_end(reference)}
    with Sandbox(timeout=20.0, workers=2, allow_weak_isolation=True) as box:
        runs = dict(zip(variants, box.run_many([render(d, 7) for d in variants.values()])))
    for name, run in runs.items():
        assert run.status == "ok" and run.compliance == "pass", (name, run.stdout[-400:])
        assert run.period_s == pytest.approx(frame_t1(variants[name]), rel=0.02), name
        assert period_within(run.period_s, None, (band["lo"], band["hi"]))[1], name
    assert runs["stiff_end"].period_s < runs["stiffer"].period_s < runs["reference"].period_s
