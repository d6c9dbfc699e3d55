"""Gravity loads and lumped masses of the analysed plane frame, dead and live kept apart.

The frame carries the floor strip of its position (`basis.frame_position`): a full span_y for an interior
frame, half of it for an edge frame. Dead and live stay separate so the design can form the seismic gravity
D + 0.5L (GB 50011 5.1.3), the gravity-only combination 1.3D + 1.5L (GB 50068-2018) and the floor design
gravity of the stability check (JGJ 3-2010 5.4.1).
"""

from __future__ import annotations

from pydantic import BaseModel

from civilinstruct.design import basis
from civilinstruct.design.frame import G
from civilinstruct.spec.model import BuildingSpec
from civilinstruct.physics import codes


class Loads(BaseModel):
    beam_w_dead: list[float]          # kN/m on the X beams of each floor (slab, finishes, beam, infill)
    beam_w_live: list[float]          # kN/m (floor or roof live load)
    beam_w: list[float]               # D + 0.5L, kN/m
    node_load: list[list[float]]      # dead point loads at the joints [floor][line], kN
    node_mass: list[list[float]]      # lateral masses from D + 0.5L [floor][line], t
    floor_weight: list[float]         # D + 0.5L of each floor of the frame, kN
    floor_gravity_design: list[float]  # 1.3D + 1.5L of each floor of the frame, kN (JGJ 3-2010 5.4.1)


def frame_loads(spec: BuildingSpec, dead: float, live: float, beam: tuple[float, float],
                beam_y: tuple[float, float], sizes: list[float], tributary: float) -> Loads:
    """Loads of the frame whose floor strip is `tributary` m wide (sizes: column side per story)."""
    lines = spec.bays_x + 1
    gc = codes.CONCRETE_UNIT_WEIGHT
    out: dict[str, list] = {k: [] for k in Loads.model_fields}
    for floor in range(1, spec.stories + 1):
        roof = floor == spec.stories
        w_dead = dead * tributary + gc * beam[0] * beam[1] + (0.0 if roof else codes.INFILL_KN_M)
        w_live = (codes.ROOF_LIVE_KN_M2 if roof else live) * tributary
        w = w_dead + codes.LIVE_COMBINATION * w_live
        col_above = sizes[floor] if floor < spec.stories else 0.0
        col_w = gc * spec.story_height_m * (sizes[floor - 1] ** 2 + col_above ** 2) / 2.0
        p = round(col_w + gc * beam_y[0] * beam_y[1] * tributary, 3)  # transverse beams: half of each side
        masses = [round(((0.5 if line in (0, lines - 1) else 1.0) * w * spec.span_x_m + p) / G, 4)
                  for line in range(lines)]
        out["beam_w_dead"].append(round(w_dead, 3))
        out["beam_w_live"].append(round(w_live, 3))
        out["beam_w"].append(round(w, 3))
        out["node_load"].append([p] * lines)
        out["node_mass"].append(masses)
        out["floor_weight"].append(round(sum(masses) * G, 2))
        dead_floor = w_dead * spec.width_x_m + p * lines
        out["floor_gravity_design"].append(round(basis.GAMMA_D * dead_floor + basis.GAMMA_L * w_live * spec.width_x_m, 2))
    return Loads(**out)
