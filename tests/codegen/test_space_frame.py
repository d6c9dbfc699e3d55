"""The 3D space-frame skeleton (rigidDiaphragm floors) is physically the plane frames side by side, and the recorder
skeleton reads back from files what the in-memory skeleton reads from the model."""

from __future__ import annotations

import re

import pytest

from civilinstruct.codegen import Style, render_style, style_for
from civilinstruct.codegen.skeleton import skeleton
from civilinstruct.codegen.space import reference_periods, space_floors
from civilinstruct.design import BuildingSpec, design
from civilinstruct.physics.reading import read_periods
from civilinstruct.sandbox import Sandbox

SPECS = [  # interior frame (3 x 2 bays), a taller one with 4 bays in Y, and a one-bay-in-Y building (edge frames)
    BuildingSpec(function="school", stories=4, story_height_m=3.6, bays_x=3, bays_y=2, span_x_m=7.2, span_y_m=6.0,
                 intensity=8.5, pga_g=0.30, design_group=3, site_class="III"),
    BuildingSpec(function="office", stories=7, story_height_m=3.3, bays_x=4, bays_y=4, span_x_m=6.0, span_y_m=6.6,
                 intensity=7, pga_g=0.10, design_group=2, site_class="II"),
    BuildingSpec(function="residential", stories=3, story_height_m=3.0, bays_x=3, bays_y=1, span_x_m=6.0,
                 span_y_m=7.2, intensity=7, pga_g=0.10, design_group=1, site_class="II"),
]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(timeout=120, workers=2, allow_weak_isolation=True) as box:
        yield box


def _translational(stdout: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"along ([XY]): T1[xy] = ([\d.]+) s", stdout)}


def test_space_frame_periods_match_the_plane_frames(sandbox) -> None:
    designs = [design(spec) for spec in SPECS]
    runs = list(sandbox.run_many([render_style(d, Style("flat", frame="space")) for d in designs]))
    for d, run in zip(designs, runs):
        assert run.status == "ok", run.stderr[-1500:]
        assert run.period_check == "verified"
        t = _translational(run.stdout)
        tx, ty = reference_periods(d)
        # the plane frames side by side (numpy, condensed lateral stiffness summed): the same physics
        assert t["X"] == pytest.approx(tx, rel=0.01) and t["Y"] == pytest.approx(ty, rel=0.01)
        assert read_periods(run.stdout)[0] == pytest.approx(max(t.values()), rel=1e-3)
        if d.frame_position == "edge":  # both X frames are the design's frame: the same T1 as the plane model
            assert t["X"] == pytest.approx(d.t1_s, rel=0.01)
        else:  # the lighter, nearly as stiff edge frames shorten the period of the interior frame a little
            assert 0.85 * d.t1_s < t["X"] < d.t1_s
        assert "Tt / T1 = " in run.stdout and "Drift check: " in run.stdout


def test_space_floor_mass_is_the_sum_of_the_frame_strips() -> None:
    d = design(SPECS[0])
    floors = space_floors(d)
    s = d.spec
    # the interior lines carry the design's strip, the two edge lines half of its slab: total = plan area's share
    interior = sum(d.node_mass_t[0])
    assert floors.mass_t[0] < (s.bays_y + 1) * interior and floors.mass_t[0] > s.bays_y * interior * 0.95
    assert floors.inertia_t_m2[0] > floors.mass_t[0] * (s.width_x_m ** 2 + s.width_y_m ** 2) / 12.0 * 0.9


def test_recorders_read_back_what_memory_reads(sandbox) -> None:
    d = design(SPECS[0])
    styles = [Style("functions"), Style("functions", results="recorder"), Style("flat", frame="space"),
              Style("flat", frame="space", results="recorder")]
    codes = [render_style(d, s) for s in styles]
    assert "ops.recorder('Element', '-file'" in codes[1] and "ops.recorder(" not in codes[0]
    runs = list(sandbox.run_many(codes))
    assert all(r.status == "ok" for r in runs), [r.stderr[-800:] for r in runs]
    assert runs[0].stdout == runs[1].stdout and runs[2].stdout == runs[3].stdout
    assert len({skeleton(c) for c in codes}) == 4


def test_new_axes_leave_older_styles_as_they_were() -> None:
    picked = [style_for(seed) for seed in range(400)]
    space = [s for s in picked if s.frame == "space"]
    assert 0.15 < len(space) / len(picked) < 0.35 and all(s.modal == "hand" for s in space)
    assert {s.results for s in picked} == {"memory", "recorder"}
    plain = [s for s in picked if s.frame == "plane" and s.results == "memory"]
    assert plain and all("-space" not in s.name and "-recorder" not in s.name for s in plain)


def test_space_frame_member_checks_are_the_plane_frames_where_they_must_be(sandbox) -> None:
    # one bay in Y: both X frames are the design's edge frame, so the 3D forces of frame line 0 are the plane
    # frame's and every member check prints the same numbers (this also checks the 3D -> plane force mapping)
    d = design(SPECS[2])
    plane, space = sandbox.run_many([render_style(d, Style("flat")), render_style(d, Style("flat", frame="space"))])
    members = ("Axial", "Column flexure", "Beam flexure", "Gravity combination", "Shear capacity", "Strong-column")

    def lines(stdout: str) -> list[str]:
        return [line for line in stdout.splitlines() if line.startswith(members)]

    assert len(lines(plane.stdout)) == len(members) and lines(space.stdout) == lines(plane.stdout)


def test_designed_buildings_pass_in_both_directions_and_score_100(sandbox) -> None:
    """Issue 16: the design sizes Y too, so a 3D program of a designable spec prints PASS for X and Y, and the
    score judges it against the whole building (`scoring.program.reference_of`)."""
    from civilinstruct.design import DesignError, sample_specs
    from civilinstruct.scoring.program import reference_of, score_run

    designs = []
    for spec in sample_specs(40, 5):
        try:
            designs.append(design(spec))
        except DesignError:
            continue
    designs = designs[:8]
    codes = [render_style(d, Style("flat", frame="space")) for d in designs]
    runs = list(sandbox.run_many(codes))
    for d, code, run in zip(designs, codes, runs):
        assert run.status == "ok", run.stderr[-1500:]
        drifts = [float(x) for x in re.findall(r"drift Y = ([\d.]+)", run.stdout)]
        assert drifts and max(drifts) <= 1 / 550 * 1.0005
        assert "Compliance: PASS" in run.stdout and "-> FAIL" not in run.stdout
        t1, drift = reference_of(code, d)
        assert t1 == pytest.approx(max(reference_periods(d))) and drift >= max(d.max_drift_y, 0.0) * 0.999
        assert score_run(run, code, d)[0] == 100.0
