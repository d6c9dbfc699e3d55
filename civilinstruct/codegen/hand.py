"""Numbers a model can work out while writing, before any analysis (issue 16, item 5).

The `<think>` of an answer derives these by hand from the code's formulas: a preliminary column size from the axial
compression ratio, beam depth from span/depth ratios, the empirical period of GB 50009 Appendix F, the spectrum
value at that period and the equivalent base shear of GB 50011 5.2.1. Finite-element results (periods, drifts,
D/C ratios) belong in the program's output, not here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civilinstruct.design import Design
from civilinstruct.physics.spectrum import alpha_from

FLOOR_LOAD_KPA = 14.0  # a typical RC frame floor, D + L with slab, beams and columns (a common preliminary value)
AXIAL_AMPLIFY = 1.25  # seismic increase of an interior column's gravity axial force for preliminary sizing


@dataclass(frozen=True)
class HandEstimate:
    area_m2: float  # floor area carried by an interior column
    n_kn: float  # preliminary axial force of a ground-story interior column
    column_min_m: float  # side from N / (mu_N fc), rounded up to 50 mm
    beam_h_range_m: tuple[float, float]  # span / 12 .. span / 8
    t_emp_s: float
    alpha_1: float
    weight_kn: float
    f_ek_kn: float  # alpha_1 x 0.85 G_E
    coefficient: float  # F_Ek / G_E


def estimate(d: Design) -> HandEstimate:
    """The hand estimate of one design's building."""
    s = d.spec
    area = s.span_x_m * d.tributary_m
    n = AXIAL_AMPLIFY * FLOOR_LOAD_KPA * area * s.stories
    side = math.sqrt(n / (d.axial_limit * d.fc_mpa * 1000.0))
    side = math.ceil(side / 0.05 - 1e-9) * 0.05
    alpha_1 = alpha_from(d.empirical_t1_s, d.alpha_max, d.tg_s, d.damping)
    weight = sum(d.floor_weight_kn)
    f_ek = alpha_1 * 0.85 * weight
    return HandEstimate(area, n, side, (s.span_x_m / 12.0, s.span_x_m / 8.0), d.empirical_t1_s, alpha_1, weight,
                        f_ek, f_ek / weight)
