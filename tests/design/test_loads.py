"""Frame loads (`design.loads`) against a hand calculation: dead and live apart, the roof different, masses from
D + 0.5L with half a bay at the edge lines, and the 1.3D + 1.5L floor gravity."""

from __future__ import annotations

import pytest

from civilinstruct.design.frame import G
from civilinstruct.design.loads import frame_loads
from civilinstruct.spec.model import BuildingSpec

SPEC = BuildingSpec(stories=2, story_height_m=3.0, bays_x=2, bays_y=2, span_x_m=6.0, span_y_m=6.0)
DEAD, LIVE, TRIB = 5.0, 2.0, 6.0  # kN/m2, kN/m2, m (an interior frame)
BEAM, BEAM_Y, SIZES = (0.3, 0.6), (0.25, 0.5), [0.5, 0.4, 0.0]


@pytest.fixture(scope="module")
def loads():
    return frame_loads(SPEC, DEAD, LIVE, BEAM, BEAM_Y, SIZES, TRIB)


def test_beam_lines_by_hand(loads) -> None:
    slab_beam = DEAD * TRIB + 25.0 * 0.3 * 0.6  # 30 + 4.5
    assert loads.beam_w_dead == [pytest.approx(slab_beam + 7.0), pytest.approx(slab_beam)]  # no infill on the roof
    assert loads.beam_w_live == [pytest.approx(LIVE * TRIB), pytest.approx(0.5 * TRIB)]  # roof live 0.5 kN/m2
    assert loads.beam_w == [pytest.approx(d + 0.5 * live) for d, live in zip(loads.beam_w_dead, loads.beam_w_live)]


def test_joint_loads_and_masses_by_hand(loads) -> None:
    columns = 25.0 * 3.0 * (0.5 ** 2 + 0.4 ** 2) / 2.0  # half the column below and above floor 1
    p1 = round(columns + 25.0 * 0.25 * 0.5 * TRIB, 3)
    assert loads.node_load[0] == [p1] * 3
    w = loads.beam_w[0]
    edge, middle = (0.5 * w * 6.0 + p1) / G, (w * 6.0 + p1) / G
    assert loads.node_mass[0] == [pytest.approx(edge, abs=1e-4), pytest.approx(middle, abs=1e-4),
                                  pytest.approx(edge, abs=1e-4)]
    assert loads.floor_weight[0] == pytest.approx(sum(loads.node_mass[0]) * G, abs=0.01)


def test_the_design_gravity_is_1_3_dead_plus_1_5_live(loads) -> None:
    for floor in range(2):
        dead = loads.beam_w_dead[floor] * SPEC.width_x_m + loads.node_load[floor][0] * 3
        expected = 1.3 * dead + 1.5 * loads.beam_w_live[floor] * SPEC.width_x_m
        assert loads.floor_gravity_design[floor] == pytest.approx(expected, abs=0.01)
    assert loads.floor_gravity_design[0] > loads.floor_gravity_design[1]  # the roof carries less


def test_an_edge_frame_carries_half_the_strip() -> None:
    edge = frame_loads(SPEC, DEAD, LIVE, BEAM, BEAM_Y, SIZES, TRIB / 2)
    interior = frame_loads(SPEC, DEAD, LIVE, BEAM, BEAM_Y, SIZES, TRIB)
    assert edge.beam_w_live[0] == pytest.approx(interior.beam_w_live[0] / 2)
    assert sum(edge.node_mass[0]) < sum(interior.node_mass[0])
