"""Member design of the analysed frame: flexure, shear, strong column / weak beam, gravity-only, detailing.

Input: element end forces of the dead (D), live (L) and earthquake (E) cases from `FrameModel` (E already
times the P-Delta factor F2 of its story). Output: bars and hoops, and the demand/capacity ratios the generated
program prints. Clauses are in `basis`; capacities in `checks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from civilinstruct.design import basis, checks
from civilinstruct.design.basis import GAMMA_D, GAMMA_EH, GAMMA_G, GAMMA_G_FAVOURABLE, GAMMA_L

BEAM_BAR_DIAMETERS_MM = (16, 18, 20, 22, 25, 28, 32)
COLUMN_BAR_DIAMETERS_MM = (16, 18, 20, 22, 25, 28, 32)


@dataclass
class MemberInput:
    sizes: list[float]                 # column side per story, m
    beam: tuple[float, float]          # (b, h), m
    group_of: list[int]                # column group index per story (0-based story index)
    n_groups: int
    measures_grade: int                # eta factors (GB 50011 6.2)
    details_grade: int                 # minimum steel, hoops, axial ratio limit (GB 50011 6.3)
    corner: bool                       # edge frame: its end columns are corner columns
    fc_k: float
    ft_k: float
    fy_k: float
    story_h: float
    span: float
    w_dead: list[float]
    w_live: list[float]
    w_ge: list[float]


@dataclass
class MemberResult:
    axial: float = 0.0
    beam_bars: tuple[int, int, float] = (2, 16, 0.0)
    beam_layers: int = 1
    beam_rho: float = 0.0
    beam_dc: float = 0.0
    beam_hoop: tuple[int, int, float] = (8, 2, 0.1)          # (diameter mm, legs, spacing m)
    col_bars: list[tuple[int, int, float]] = field(default_factory=list)  # per group: (per side, dia, area of one)
    col_hoops: list[tuple[int, int, float]] = field(default_factory=list)
    col_rho: float = 0.0
    col_dc: float = 0.0
    gravity_dc: float = 0.0
    shear_dc: float = 0.0
    scwb: float = 0.0
    min_shear_span: float = 99.0
    failing: str = ""


def _bar_area(d_mm: int) -> float:
    return math.pi * (d_mm / 1000.0) ** 2 / 4.0


def beam_bars(need: float, b: float, layers: int = 1) -> tuple[int, int, float] | None:
    """Fewest-area (count, diameter, area) bars in `layers` layers: clear spacing >= max(30 mm, 1.5 d) across the
    fuller layer (GB 50010 9.2.1)."""
    best = None
    for d in BEAM_BAR_DIAMETERS_MM:
        n = max(2 * layers, math.ceil(need / _bar_area(d) - 1e-12))
        per_layer = math.ceil(n / layers)
        clear = (b - 0.07 - per_layer * d / 1000.0) / (per_layer - 1)
        if clear >= max(0.030, 1.5 * d / 1000.0) - 1e-9 and (best is None or n * _bar_area(d) < best[2]):
            best = (n, d, n * _bar_area(d))
    return best


def column_bars(side_need: float, b: float, rho_min: float) -> tuple[int, int, float] | None:
    """(bars per side incl. corners, diameter, area of one bar) of least total steel meeting the side demand,
    the total minimum (corners counted once), each side >= 0.2 % and the spacing limits."""
    best, best_total = None, math.inf
    for d in COLUMN_BAR_DIAMETERS_MM:
        a1 = _bar_area(d)
        n = max(2, math.ceil(max(side_need, basis.MIN_SIDE_RHO * b * b) / a1 - 1e-12))
        while basis.column_total_area(n, a1) < rho_min * b * b - 1e-12 or not basis.column_bars_ok(b, n, d):
            n += 1
            if (b - 0.08) / (n - 1) - d / 1000.0 < basis.MIN_CLEAR_SPACING - 1e-9:
                break
        if not basis.column_bars_ok(b, n, d):
            continue
        total = basis.column_total_area(n, a1)
        if total < best_total:
            best, best_total = (n, d, a1), total
    return best


def hoop(asv_s_need: float, width: float, limit_spacing: float, min_d: int, legs: int) -> tuple[int, int, float] | None:
    """Smallest hoop diameter (>= min_d) with `legs` legs at `limit_spacing` giving Asv/s >= the need."""
    for d in HOOP_DIAMETERS:
        if d >= min_d and basis.hoop_area_per_m(d, legs, limit_spacing) >= asv_s_need - 1e-12:
            return d, legs, limit_spacing
    return None


HOOP_DIAMETERS = basis.HOOP_DIAMETERS_MM


def design_members(model, gD: np.ndarray, gL: np.ndarray, E: np.ndarray, m: MemberInput) -> MemberResult:
    """Bars, hoops and ratios for every member; `failing` names the first rule no detailing can meet."""
    r = MemberResult()
    gE_ = gD + 0.5 * gL  # gravity representative value D + 0.5L (GB 50011 5.1.3)
    grade, dgrade = m.measures_grade, m.details_grade
    fc, ft, fy = m.fc_k, m.ft_k, m.fy_k
    n_st = len(m.sizes)
    col_side_need = [0.0] * m.n_groups
    col_info = []   # (e, story, line-end data) for the second pass
    beam_need, beam_seis, beam_grav, beam_v, beam_v_grav = 0.0, 0.0, 0.0, 0.0, 0.0
    bb, bh = m.beam
    for e, (kind, _, _, _, _, level) in enumerate(model.elements):
        g, d_, l_, q = gE_[e], gD[e], gL[e], E[e]
        if kind == "column":
            b = m.sizes[level - 1]
            mu = (GAMMA_G * abs(g[0]) + GAMMA_EH * abs(q[0])) / (fc * b * b)  # GB 50011 6.3.6
            r.axial = max(r.axial, mu)
            # strong column / weak beam: joint ends x eta_c (6.2.2), the ground-story base x eta_base (6.2.3),
            # the roof-level ends unamplified (6.2.2 exempts the top story)
            eta_i = basis.ETA_BASE[grade] if level == 1 else basis.ETA_C[grade]
            eta_j = 1.0 if level == n_st else basis.ETA_C[grade]
            m_i = eta_i * (GAMMA_G * abs(g[2]) + GAMMA_EH * abs(q[2]))
            m_j = eta_j * (GAMMA_G * abs(g[5]) + GAMMA_EH * abs(q[5]))
            n_min = max(GAMMA_G_FAVOURABLE * abs(g[0]) - GAMMA_EH * abs(q[0]), 0.0)
            gre = basis.gamma_re_column(mu)
            lever = fy * (b - 2 * checks.COVER_M)
            need_s = (gre * max(m_i, m_j) - checks.column_capacity(b, n_min, 0.0, fc, fy)) / lever
            n_grav = GAMMA_D * abs(d_[0]) + GAMMA_L * abs(l_[0])
            m_grav = max(abs(GAMMA_D * d_[2] + GAMMA_L * l_[2]), abs(GAMMA_D * d_[5] + GAMMA_L * l_[5]))
            need_g = (m_grav - checks.column_capacity(b, n_grav, 0.0, fc, fy)) / lever
            grp = m.group_of[level - 1]
            col_side_need[grp] = max(col_side_need[grp], need_s, need_g)
            # column shear, 6.2.5: V = eta_vc (M_top + M_bottom) / Hn with the amplified end moments
            hn = m.story_h - bh
            v = basis.ETA_VC[grade] * max(abs(eta_i * (GAMMA_G * g[2] + s * GAMMA_EH * q[2])
                                              + eta_j * (GAMMA_G * g[5] + s * GAMMA_EH * q[5])) for s in (1, -1)) / hn
            lam = basis.shear_span_ratio(m.story_h, bh, b)
            r.min_shear_span = min(r.min_shear_span, lam)
            col_info.append((e, level, b, mu, gre, m_i, m_j, n_min, m_grav, n_grav, v, lam))
        else:
            m_seis = max(GAMMA_G * abs(g[2]) + GAMMA_EH * abs(q[2]), GAMMA_G * abs(g[5]) + GAMMA_EH * abs(q[5]))
            m_end = max(abs(GAMMA_D * d_[2] + GAMMA_L * l_[2]), abs(GAMMA_D * d_[5] + GAMMA_L * l_[5]))
            m_mid = abs(GAMMA_D * _midspan(d_, m.w_dead[level - 1], m.span)
                        + GAMMA_L * _midspan(l_, m.w_live[level - 1], m.span))
            beam_seis = max(beam_seis, basis.GAMMA_RE_BEAM * m_seis)
            beam_grav = max(beam_grav, m_end, m_mid)
            beam_need = max(beam_seis, beam_grav)
            ln = m.span - m.sizes[level - 1]
            # beam shear, 6.2.4: eta_vb (M_l + M_r) / ln + V_Gb (simply supported, 1.3 x (D + 0.5L))
            v = (basis.ETA_VB[grade] * max(abs(GAMMA_G * (g[2] + g[5]) + s * GAMMA_EH * (q[2] + q[5])) for s in (1, -1))
                 / ln + GAMMA_G * m.w_ge[level - 1] * ln / 2.0)
            beam_v = max(beam_v, v)
            beam_v_grav = max(beam_v_grav, abs(GAMMA_D * d_[1] + GAMMA_L * l_[1]), abs(GAMMA_D * d_[4] + GAMMA_L * l_[4]))
    # --- beams: bars from the governing moment (seismic x gamma_RE, or gravity only), minimum steel
    bars = None
    for layers in (1, 2):  # a second layer before a larger section (h0 drops to h - 65 mm)
        a_s = basis.BEAM_COVER[layers]
        h0 = bh - a_s
        disc = h0 ** 2 - 2 * beam_need / (fc * bb)
        if disc <= 0:
            r.failing = "beam flexure: the section cannot carry the moment (GB 50010 6.2.10)"
            return r
        as_need = (h0 - math.sqrt(disc)) * fc * bb / fy * 1.02
        as_need = max(as_need, basis.beam_min_area(dgrade, bb, bh, ft / 1e3, fy / 1e3))
        r.beam_rho = as_need / (bb * h0)
        bars = beam_bars(as_need, bb, layers)
        if bars is not None:
            break
    if r.beam_rho > basis.MAX_BEAM_RHO or bars is None:
        r.failing = f"beam reinforcement ratio {r.beam_rho * 100:.1f}% > 2.5% or bars do not fit (GB 50011 6.3.4)"
        return r
    r.beam_bars, r.beam_layers = bars, layers
    cap = checks.beam_capacity(bb, bh, bars[2], fc, fy, a_s)
    if beam_need > cap:  # over-reinforced: x > xi_b h0 caps the capacity (GB 50010 6.2.7)
        r.failing = "beam flexure: compression zone beyond xi_b h0 (GB 50010 6.2.7)"
        return r
    r.beam_dc = beam_seis / cap  # gamma_RE x M / M_u (GB 50011 5.4.2)
    r.gravity_dc = max(r.gravity_dc, beam_grav / cap)  # 1.3D + 1.5L, hogging at the ends or sagging midspan
    # beam hoops: spacing min(limit, h/4, k d) (GB 50011 6.3.3-3), shear per GB 50010 11.3.4 and 6.3.4
    if beam_v > basis.shear_section_limit(bb, bh, fc, slender=True, a_s=a_s):
        r.failing = "beam shear exceeds the section limit 0.20 fc b h0 / gamma_RE (GB 50010 11.3.3)"
        return r
    s_max, d_min, k = basis.BEAM_HOOP[dgrade]
    spacing = math.floor(min(s_max, bh / 4.0, k * bars[1] / 1000.0) / 0.01 + 1e-9) * 0.01
    legs = basis.hoop_legs(bb, dgrade)
    need_v = max((basis.GAMMA_RE_SHEAR * beam_v - 0.42 * ft * bb * h0) / (basis.FYV_MPA * 1e3 * h0),
                 (beam_v_grav - 0.7 * ft * bb * h0) / (basis.FYV_MPA * 1e3 * h0), 0.0)
    bh_hoop = hoop(need_v, bb, spacing, d_min, legs)
    if bh_hoop is None:
        r.failing = "beam shear: hoops cannot carry it (GB 50011 6.2.4)"
        return r
    r.beam_hoop = bh_hoop
    asv = basis.hoop_area_per_m(*bh_hoop)
    r.shear_dc = max(beam_v / basis.beam_shear_capacity(bb, bh, ft, asv, True, a_s),
                     beam_v_grav / basis.beam_shear_capacity(bb, bh, ft, asv, False, a_s))
    # --- columns: bars per group, then flexure, gravity-only, shear
    rho_min = (basis.MIN_CORNER_COLUMN_RHO if m.corner else basis.MIN_COLUMN_RHO)[dgrade]
    for grp in range(m.n_groups):
        b = m.sizes[m.group_of.index(grp)]
        bars_c = column_bars(col_side_need[grp] * 1.02, b, rho_min)
        if bars_c is None:
            r.failing = f"column bars do not fit a {b * 1000:.0f} mm column (GB 50011 6.3.8)"
            return r
        r.col_bars.append(bars_c)
        r.col_rho = max(r.col_rho, basis.column_total_area(bars_c[0], bars_c[2]) / (b * b))
        r.col_hoops.append((0, 0, 0.0))
    if r.col_rho > basis.MAX_COLUMN_RHO:
        r.failing = f"column reinforcement ratio {r.col_rho * 100:.1f}% > 3% (economic limit; 5% GB 50011 6.3.8)"
        return r
    hoop_need = [0.0] * m.n_groups
    for e, level, b, mu, gre, m_i, m_j, n_min, m_grav, n_grav, v, lam in col_info:
        grp = m.group_of[level - 1]
        n_side, dia, a1 = r.col_bars[grp]
        side = n_side * a1
        r.col_dc = max(r.col_dc, gre * max(m_i, m_j) / checks.column_capacity(b, n_min, side, fc, fy))
        r.gravity_dc = max(r.gravity_dc, m_grav / checks.column_capacity(b, n_grav, side, fc, fy))
        if v > basis.shear_section_limit(b, b, fc, slender=lam > 2.0):
            r.failing = "column shear exceeds the section limit (GB 50010 11.4.6)"
            return r
        h0 = b - 0.04
        lam_c = min(max(lam, 1.0), 3.0)
        n_c = min(n_min, 0.3 * fc * b * b)
        need = (basis.GAMMA_RE_SHEAR * v - 1.05 / (lam_c + 1) * ft * b * h0 - 0.056 * n_c) / (basis.FYV_MPA * 1e3 * h0)
        hoop_need[grp] = max(hoop_need[grp], need, 0.0)
    for grp in range(m.n_groups):
        b = m.sizes[m.group_of.index(grp)]
        s_max, d_min, k = basis.COLUMN_HOOP[dgrade]
        dia = r.col_bars[grp][1]
        spacing = math.floor(min(s_max, k * dia / 1000.0) / 0.01 + 1e-9) * 0.01
        ch = hoop(hoop_need[grp], b, spacing, d_min, basis.hoop_legs(b, dgrade))
        if ch is None:
            r.failing = "column shear: hoops cannot carry it (GB 50011 6.2.5)"
            return r
        r.col_hoops[grp] = ch
    for e, level, b, mu, gre, m_i, m_j, n_min, m_grav, n_grav, v, lam in col_info:
        grp = m.group_of[level - 1]
        cap = basis.column_shear_capacity(b, lam, n_min, fc, ft, basis.hoop_area_per_m(*r.col_hoops[grp]))
        r.shear_dc = max(r.shear_dc, v / cap)
    r.scwb = joint_ratio(model, gE_, E, m, r)
    return r


def _midspan(f: np.ndarray, w: float, span: float) -> float:
    """Sagging moment at midspan from the end forces of a beam under a uniform load w (down)."""
    return -f[2] + f[1] * span / 2.0 - w * span ** 2 / 8.0


def joint_ratio(model, gE_: np.ndarray, E: np.ndarray, m: MemberInput, r: MemberResult) -> float:
    """max over joints below the roof of eta_c |sum M_b| / sum (M_cu / gamma_RE) (GB 50011 6.2.2)."""
    f = model.f
    worst = 0.0
    eta = basis.ETA_C[m.measures_grade]
    ends: dict[int, list[tuple[str, int, int]]] = {}
    for e, (kind, ni, nj, _, _, level) in enumerate(model.elements):
        ends.setdefault(ni, []).append((kind, e, 0))
        ends.setdefault(nj, []).append((kind, e, 1))
    for node, members in ends.items():
        floor = node // (f.bays + 1)
        if floor == 0 or floor == f.stories:
            continue
        cap = 0.0
        for kind, e, end in members:
            if kind == "column":
                level = model.elements[e][5]
                b = m.sizes[level - 1]
                g, q = gE_[e], E[e]
                mu = (GAMMA_G * abs(g[0]) + GAMMA_EH * abs(q[0])) / (m.fc_k * b * b)
                n_side, _, a1 = r.col_bars[m.group_of[level - 1]]
                n_min = max(GAMMA_G_FAVOURABLE * abs(g[0]) - GAMMA_EH * abs(q[0]), 0.0)
                cap += checks.column_capacity(b, n_min, n_side * a1, m.fc_k, m.fy_k) / basis.gamma_re_column(mu)
        for s in (1, -1):
            mb = sum(GAMMA_G * gE_[e][2 + 3 * end] + s * GAMMA_EH * E[e][2 + 3 * end]
                     for kind, e, end in members if kind == "beam")
            worst = max(worst, eta * abs(mb) / cap)
    return worst
