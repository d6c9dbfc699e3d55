"""The Y direction: the building model along Y (every Y frame, whole floors) and the sizing that makes it pass."""

from __future__ import annotations

import math

import numpy as np
import pytest

from civilinstruct.codegen.space import reference_periods, space_floors
from civilinstruct.design import BuildingSpec, design
from civilinstruct.design import basis
from civilinstruct.design.ydir import Condensed, condensed_stiffness, direction_stiffness, flanges, line_tributaries

# Two bays along Y of 5 m under 8 m X spans at intensity 9: the X sizing alone leaves the Y frames at 1/398
# (v5 programs printed FAIL for this building's Y drift).
Y_WEAK = BuildingSpec(function="school", stories=3, story_height_m=4.5, bays_x=5, bays_y=2, span_x_m=8.0,
                      span_y_m=5.0, intensity=9.0, pga_g=0.4, design_group=1, site_class="I1")


def test_two_storey_shear_building_periods_by_hand() -> None:
    # K = k [[2, -1], [-1, 1]], m = 1 t each: omega^2 = k (3 -+ sqrt 5) / 2, first shape (0.618, 1)
    k = 100.0
    periods, phi, m = Condensed(np.array([[2 * k, -k], [-k, k]]), [1.0, 1.0]).modes(2)
    assert periods[0] == pytest.approx(2 * math.pi / math.sqrt(k * (3 - math.sqrt(5)) / 2), rel=1e-9)  # 1.0166 s
    assert periods[1] == pytest.approx(2 * math.pi / math.sqrt(k * (3 + math.sqrt(5)) / 2), rel=1e-9)
    assert phi[:, 0] == pytest.approx([(math.sqrt(5) - 1) / 2, 1.0]) and list(m) == [1.0, 1.0]


def test_portal_with_a_rigid_beam_has_two_fixed_fixed_columns() -> None:
    # 500 mm columns, h = 3 m, E = 3e7 kPa: 12 E I / h^3 = 12 x 3e7 x 0.0052083 / 27 = 69,444 kN/m per column
    k = condensed_stiffness(3.0e7, [0.5], 3.0, 1, 6.0, (2.0, 6.0), 1.0)
    assert k[0, 0] == pytest.approx(2 * 69_444.4, rel=0.01)


def test_frame_lines_strips_and_flanges() -> None:
    spec = Y_WEAK.model_copy(update={"bays_y": 3, "span_y_m": 6.0})
    assert line_tributaries(spec) == [3.0, 6.0, 6.0, 3.0]  # half a span at the edges, a full one inside
    assert flanges(3) == [basis.FLANGE_EDGE, basis.FLANGE_INTERIOR, basis.FLANGE_INTERIOR, basis.FLANGE_EDGE]
    args = (3.0e7, [0.5, 0.5], 3.0, 2, 6.0, (0.3, 0.6))
    edge, inner = condensed_stiffness(*args, basis.FLANGE_EDGE), condensed_stiffness(*args, basis.FLANGE_INTERIOR)
    assert direction_stiffness(*args, 4) == pytest.approx(2 * edge + 2 * inner)
    assert direction_stiffness(*args, 2) == pytest.approx(2 * edge)


def test_design_deepens_y_beams_until_y_passes() -> None:
    d = design(Y_WEAK)
    # GB 50011 5.5.1 along Y as along X, and JGJ 3-2010 5.4.4 stability
    assert 0 < d.max_drift_y <= 1 / 550 and d.max_drift <= 1 / 550 and 0 < d.max_theta_y <= 0.10
    assert any("along Y" in line and "drift fails" in line for line in d.iterations)
    # Y beams first: from span/12 (450 mm) up to at most span/8 rounded up to 50 mm (650 mm)
    assert 0.45 < d.beam_y_h_m <= 0.65 + 1e-9 and d.beam_y_b_m <= min(g.size_m for g in d.column_groups)
    # the design's Y model is the 3D program's physics along Y
    assert d.periods_y_s[0] == pytest.approx(reference_periods(d)[1], rel=1e-4)
    assert len(d.story_drift_y) == Y_WEAK.stories


def test_y_model_carries_the_whole_floors() -> None:
    d = design(Y_WEAK)
    floors = space_floors(d)
    # the whole plan's D + 0.5L: every X line's strip (edge lines half), so more than bays_y interior strips
    assert floors.mass_t[0] > Y_WEAK.bays_y * sum(d.node_mass_t[0]) * 0.95
