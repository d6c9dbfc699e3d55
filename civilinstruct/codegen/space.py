"""What the 3D space-frame skeleton needs beyond the design: loads and masses of every frame line, and the rigid
floor's mass and rotational inertia.

The design analyses one plane frame along X carrying its floor strip (`design.loads`). The space frame carries
the whole floor on the same assumptions: every X frame line takes its own strip (half a span for the edge lines,
a full span for the interior ones), the slab spans one way onto the X beams, the transverse (Y) beams and the
columns weigh on the joints, and every beam gets the flange factor of its position (JGJ 3-2010 5.2.2: 1.5 edge,
2.0 interior). So the masses and stiffnesses of the 3D model are those of the plane frames side by side, and
`reference_periods` (the condensed lateral stiffness of every plane frame in a direction, summed, with the floor
masses) is what its translational periods must reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from civilinstruct.design import Design
from civilinstruct.design.loads import Loads
from civilinstruct.design.ydir import Condensed, condensed_stiffness, flanges, line_loads, line_tributaries

POISSON = 0.2  # concrete (GB 50010 4.1.8): G = E / 2.4
FULL_EIGEN_STORIES = 3  # up to here the dense solver (small models); above, ARPACK on the 3 n floor masses
BEAM_TORSION = 0.1  # share of the gross St Venant constant kept for cracked beams; columns keep the gross value


@dataclass(frozen=True)
class SpaceFloors:
    lines: list[Loads]              # loads of X frame line j = 0..bays_y
    tributary: list[float]          # floor strip of each X line, m
    flange_x: list[float]           # flange factor of the beams of each X line
    flange_y: list[float]           # flange factor of the beams of each Y line i = 0..bays_x
    mass_t: list[float]             # floor mass (D + 0.5L) per floor, t
    inertia_t_m2: list[float]       # floor rotational mass about the vertical through its mass centre, t m2
    centre: tuple[float, float]     # mass centre in plan, m
    gravity_design_kn: list[float]  # 1.3D + 1.5L of each whole floor, kN (JGJ 3-2010 5.4.1)


def space_modes(d: Design) -> int:
    """Modes the space frame asks for: three per mode of the plane frame (X, Y, torsion), at most half the 3n mass
    DOFs of n rigid floors, since ARPACK builds its Krylov space inside their span (more fails to factorise)."""
    n = d.spec.stories
    return min(3 * d.n_modes, 3 * n - 1) if n <= FULL_EIGEN_STORIES else min(3 * d.n_modes, 3 * n // 2)


def space_floors(d: Design) -> SpaceFloors:
    """Loads of every X frame line and the rigid floors' masses of the design's building."""
    s = d.spec
    sizes = [d.column_size(story) for story in range(1, s.stories + 1)]
    trib = line_tributaries(s)  # the design's own building model along Y (`design.ydir`)
    lines = line_loads(s, d.dead_kn_m2, d.live_kn_m2, (d.beam_b_m, d.beam_h_m), (d.beam_y_b_m, d.beam_y_h_m), sizes)
    mass, inertia, gravity = [], [], []
    cx, cy = s.width_x_m / 2.0, s.width_y_m / 2.0  # the plan and its loads are symmetric about both axes
    for floor in range(s.stories):
        m = sum(sum(line.node_mass[floor]) for line in lines)
        # the joints carry the floor's mass (as in the plane frames): I = sum m r^2 about the mass centre
        i_r = sum(mi * ((i * s.span_x_m - cx) ** 2 + (j * s.span_y_m - cy) ** 2)
                  for j, line in enumerate(lines) for i, mi in enumerate(line.node_mass[floor]))
        mass.append(round(m, 4))
        inertia.append(round(i_r, 3))
        gravity.append(round(sum(line.floor_gravity_design[floor] for line in lines), 2))
    return SpaceFloors(lines, trib, flanges(s.bays_y), flanges(s.bays_x), mass, inertia, (cx, cy), gravity)


def _condensed(d: Design, bays: int, span: float, beam: tuple[float, float], flange: float) -> np.ndarray:
    s = d.spec
    sizes = [d.column_size(k) for k in range(1, s.stories + 1)]
    return condensed_stiffness(d.Ec_mpa * 1e3, sizes, s.story_height_m, bays, span, beam, flange, d.col_crack)


def _directions(d: Design) -> list[np.ndarray]:
    """Summed condensed stiffness along X and along Y of every frame line (the 3D model's translations)."""
    s = d.spec
    floors = space_floors(d)
    out = []
    for bays, span, beam, flanges in ((s.bays_x, s.span_x_m, (d.beam_b_m, d.beam_h_m), floors.flange_x),
                                      (s.bays_y, s.span_y_m, (d.beam_y_b_m, d.beam_y_h_m), floors.flange_y)):
        out.append(np.sum([_condensed(d, bays, span, beam, f) for f in flanges], axis=0))
    return out


def reference_periods(d: Design) -> tuple[float, float]:
    """(T1 along X, T1 along Y) of the building as plane frames side by side with the floors' masses: what the
    space frame's first translational periods reproduce when torsion and biaxial column action do not couple."""
    m = np.array(space_floors(d).mass_t)
    out = []
    for k in _directions(d):
        w2 = np.linalg.eigvalsh(k / np.sqrt(m)[:, None] / np.sqrt(m)[None, :])
        out.append(float(2 * np.pi / np.sqrt(w2[0])))
    return out[0], out[1]


def reference_response(d: Design) -> tuple[float, float]:
    """(T1, governing max drift) the 3D program must print: its first period is the longer translational one, and
    its drift the larger of the two directions, each from the design's own spectrum chain (psi_T, minimum shear
    GB 50011 5.2.5, P-Delta JGJ 3-2010 5.4.3) on the whole building: what scoring compares a 3D program with."""
    from civilinstruct.design.design import response_spectrum, stability_factors

    floors = space_floors(d)
    drifts = []
    for k in _directions(d):
        rs = response_spectrum(Condensed(k, floors.mass_t), d.n_modes, d.alpha_max, d.tg_s, d.spec.story_height_m,
                               d.min_shear_coeff, d.psi_t)
        _, f1, _ = stability_factors(rs, floors.gravity_design_kn)
        drifts.append(float((rs["drifts"] * f1).max()))
    return max(reference_periods(d)), max(drifts)
