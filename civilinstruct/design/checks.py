"""Member capacity formulas shared by the design and (as text) by the generated programs.

Simplified GB 50010 rectangular-stress-block formulas, documented so a reader can redo them by hand:
beam M_u = fy As (h0 - x/2), x = fy As / (fc b); column (large eccentricity, symmetric bars)
M_u = N (h/2 - x/2) + fy As' (h0 - a_s), x = min(N / (fc b), xi_b h0). Load factors, gamma_RE and the
capacity-design factors are in `basis.py`. Units: kN, m; strengths in kPa.
"""

from __future__ import annotations

import math

COVER_M = 0.04      # a_s: centroid of the tension bars from the face
XI_B = 0.518        # relative balanced depth, HRB400 with concrete up to C50
BAR_DIAMETERS_MM = (16, 18, 20, 22, 25, 28)


def beam_capacity(b: float, h: float, As: float, fc_kpa: float, fy_kpa: float, a_s: float = COVER_M) -> float:
    """Design flexural capacity of a singly reinforced rectangular beam (bars' centroid a_s from the face), kN m."""
    h0 = h - a_s
    x = min(fy_kpa * As / (fc_kpa * b), XI_B * h0)
    return fy_kpa * As * (h0 - x / 2.0) if x < XI_B * h0 else fc_kpa * b * x * (h0 - x / 2.0)


def column_capacity(b: float, N: float, As_side: float, fc_kpa: float, fy_kpa: float) -> float:
    """Design flexural capacity of a square column b x b under axial compression N (kN), kN m."""
    h0 = b - COVER_M
    x = min(max(N, 0.0) / (fc_kpa * b), XI_B * h0)
    return max(N, 0.0) * (b / 2.0 - x / 2.0) + fy_kpa * As_side * (h0 - COVER_M)


def bars_for(area_m2: float, min_bars: int = 2, max_bars: int = 8) -> tuple[int, int, float]:
    """The smallest (count, diameter mm, area m2) bar group whose area covers `area_m2`."""
    best: tuple[int, int, float] | None = None
    for d in BAR_DIAMETERS_MM:
        a1 = math.pi * (d / 1000.0) ** 2 / 4.0
        n = max(min_bars, math.ceil(area_m2 / a1 - 1e-12))
        if n <= max_bars and (best is None or n * a1 < best[2]):
            best = (n, d, n * a1)
    if best is None:
        d = BAR_DIAMETERS_MM[-1]
        a1 = math.pi * (d / 1000.0) ** 2 / 4.0
        n = math.ceil(area_m2 / a1)
        best = (n, d, n * a1)
    return best
