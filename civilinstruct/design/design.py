"""Rule-based seismic design of an RC frame: loads, spectrum, sizing iterated until every check passes.

The chain (GB 50011-2010 / GB 50010 / GB 50009): loads by function -> seismic weight D + 0.5L -> concrete grade
and seismic grade -> Tg, alpha_max -> initial column size from the axial compression ratio -> modal response
spectrum on the plane-frame model (`frame.py`) -> drift, axial ratio and member checks -> enlarge members and
repeat (bounded). The analysed frame is a typical interior X-frame carrying a floor strip span_y wide, so every
number in the design is reproduced by the generated OpenSeesPy program, which builds the same frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from pydantic import BaseModel, Field

from civilinstruct.design import checks
from civilinstruct.design.checks import XI_B
from civilinstruct.design.frame import G, Frame, FrameModel
from civilinstruct.design.spec import BuildingSpec, DesignError, check_spec
from civilinstruct.physics import codes
from civilinstruct.physics.period import PSI_T_FRAME, empirical_period
from civilinstruct.physics.spectrum import alpha_from

COL_CRACK = 0.70    # cracked columns (ACI 318 6.6.3.1.1)
BEAM_CRACK = 0.50   # cracked beams 0.35 Ig, times ~1.4 for the slab flange (GB 50010 5.2.4)
DAMPING = 0.05
MAX_ITERATIONS = 40
MAX_COLUMN_M = 1.5
STEP_M = 0.05
MAX_BEAM_RHO = 0.025
MAX_COLUMN_RHO = 0.04
MIN_BEAM_RHO = 0.0025
MIN_COLUMN_RHO = {1: 0.0105, 2: 0.0085, 3: 0.0075, 4: 0.0065}  # GB 50011 Table 6.3.7-1 + 0.05% for HRB400


class Bars(BaseModel):
    count: int
    diameter_mm: int
    area_m2: float

    @property
    def label(self) -> str:
        return f"{self.count}C{self.diameter_mm}"


class ColumnGroup(BaseModel):
    """Stories first..last (1-based) share one square column section and its bars (per side)."""

    first_story: int
    last_story: int
    size_m: float
    bars_side: Bars


class Design(BaseModel):
    """A complete, checked design: everything the program generator and the chain of thought need."""

    spec: BuildingSpec
    concrete: str
    Ec_mpa: float
    fc_mpa: float
    fy_mpa: float = codes.REBAR_FY_MPA
    seismic_grade: int
    axial_limit: float
    drift_limit: float = codes.DRIFT_LIMIT_FRAME
    tg_s: float
    alpha_max: float
    damping: float = DAMPING
    dead_kn_m2: float
    live_kn_m2: float
    roof_live_kn_m2: float = codes.ROOF_LIVE_KN_M2
    infill_kn_m: float = codes.INFILL_KN_M
    col_crack: float = COL_CRACK
    beam_crack: float = BEAM_CRACK
    beam_b_m: float
    beam_h_m: float
    beam_y_b_m: float
    beam_y_h_m: float
    beam_bars: Bars
    column_groups: list[ColumnGroup]
    beam_w_kn_m: list[float] = Field(description="gravity line load on the X beams of each floor (D + 0.5L)")
    node_load_kn: list[list[float]] = Field(description="gravity point loads at the nodes [floor][line]")
    node_mass_t: list[list[float]] = Field(description="lateral mass at the nodes [floor][line]")
    floor_weight_kn: list[float]
    n_modes: int
    periods_s: list[float]
    alphas: list[float]
    participation: list[float]
    mass_ratio: float
    story_shear_kn: list[float]
    story_drift: list[float]
    max_drift: float
    min_shear_coeff: float = Field(description="lambda of GB 50011 5.2.5")
    shear_amplification: float = Field(description="largest story-shear amplification to reach lambda")
    max_axial_ratio: float
    max_beam_dc: float
    max_column_dc: float
    empirical_t1_s: float
    psi_t: float = PSI_T_FRAME
    iterations: list[str]

    def column_size(self, story: int) -> float:
        for group in self.column_groups:
            if group.first_story <= story <= group.last_story:
                return group.size_m
        raise IndexError(story)

    @property
    def t1_s(self) -> float:
        return self.periods_s[0]

    @property
    def base_shear_kn(self) -> float:
        return self.story_shear_kn[0]


def concrete_grade(stories: int) -> str:
    """Stronger concrete for taller frames keeps columns within practical sizes."""
    return "C30" if stories <= 4 else "C35" if stories <= 8 else "C40" if stories <= 12 else "C50"


def column_groups(stories: int) -> list[tuple[int, int]]:
    """Stories sharing a column section: one group up to 4 stories, two up to 8, then three."""
    n = 1 if stories <= 4 else 2 if stories <= 8 else 3
    bounds = [round(stories * k / n) for k in range(n + 1)]
    return [(bounds[k] + 1, bounds[k + 1]) for k in range(n)]


def _round_up(x: float, step: float = STEP_M) -> float:
    return round(math.ceil(x / step - 1e-9) * step, 3)


class _Loads(BaseModel):
    beam_w: list[float]
    node_load: list[list[float]]
    node_mass: list[list[float]]
    floor_weight: list[float]


def _loads(spec: BuildingSpec, dead: float, live: float, beam: tuple[float, float],
           beam_y: tuple[float, float], sizes: list[float]) -> _Loads:
    """Gravity of the interior frame for the seismic combination D + 0.5L, and its lumped lateral masses."""
    lines = spec.bays_x + 1
    gc = codes.CONCRETE_UNIT_WEIGHT
    beam_w, node_load, node_mass, floor_weight = [], [], [], []
    for floor in range(1, spec.stories + 1):
        roof = floor == spec.stories
        q = dead + codes.LIVE_COMBINATION * (codes.ROOF_LIVE_KN_M2 if roof else live)
        w = q * spec.span_y_m + gc * beam[0] * beam[1] + (0.0 if roof else codes.INFILL_KN_M)
        col_above = sizes[floor] if floor < spec.stories else 0.0
        col_w = gc * spec.story_height_m * (sizes[floor - 1] ** 2 + col_above ** 2) / 2.0
        p = col_w + gc * beam_y[0] * beam_y[1] * spec.span_y_m
        loads = [round(p, 3)] * lines
        masses = []
        for line in range(lines):
            share = (0.5 if line in (0, lines - 1) else 1.0) * w * spec.span_x_m
            masses.append(round((share + p) / G, 4))
        beam_w.append(round(w, 3))
        node_load.append(loads)
        node_mass.append(masses)
        floor_weight.append(round(sum(masses) * G, 2))
    return _Loads(beam_w=beam_w, node_load=node_load, node_mass=node_mass, floor_weight=floor_weight)


def design(spec: BuildingSpec) -> Design:
    """Design the spec's frame so drift, axial compression and member checks pass; `DesignError` otherwise.

    The matrices are small (a few hundred equations): one BLAS thread is several times faster than a pool
    that fights other processes for the cores, so BLAS is held to one thread where threadpoolctl is installed.
    """
    with _one_blas_thread():
        return _design(spec)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it the design is only slower on a busy machine
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _design(spec: BuildingSpec) -> Design:
    check_spec(spec)
    H = spec.height_m
    grade = codes.seismic_grade(spec.intensity, H)
    mu_limit = codes.AXIAL_RATIO_LIMIT[grade]
    concrete = concrete_grade(spec.stories)
    Ec, fc = codes.CONCRETE[concrete]["Ec"], codes.CONCRETE[concrete]["fc"]
    fc_k, fy_k, E = fc * 1e3, codes.REBAR_FY_MPA * 1e3, Ec * 1e3
    tg = codes.characteristic_period(spec.design_group, spec.site_class)
    a_max = codes.alpha_max(spec.intensity)
    min_shear = codes.MIN_SHEAR_COEFF[spec.intensity]
    dead = codes.SUPERIMPOSED_DEAD_KN_M2[spec.function]
    live = codes.live_load(spec.function)
    groups = column_groups(spec.stories)
    log: list[str] = []

    # Initial sizes: beams span/12 deep; columns from the axial ratio with ~4 kN/m2 for self weight and walls.
    beam_h = max(0.5, _round_up(spec.span_x_m / 12.0))
    beam_y_h = max(0.5, _round_up(spec.span_y_m / 12.0))
    q_est = dead + 0.5 * live + 4.0
    n_est = 1.25 * spec.stories * q_est * spec.span_x_m * spec.span_y_m
    base_col = max(0.4, _round_up(math.sqrt(n_est / (mu_limit * fc_k))))
    log.append(f"initial sizes: N_est = 1.25 x {spec.stories} x {q_est:.1f} kPa x {spec.span_x_m:g} x "
               f"{spec.span_y_m:g} m2 = {n_est:.0f} kN -> column {base_col * 1000:.0f} mm, "
               f"beam {_beam_b(beam_h) * 1000:.0f}x{beam_h * 1000:.0f} mm")
    n_modes = min(spec.stories, 5)
    failing = ""
    for iteration in range(1, MAX_ITERATIONS + 1):
        sizes = _group_sizes(base_col, groups, spec.stories)
        beam = (_beam_b(beam_h), beam_h)
        beam_y = (_beam_b(beam_y_h), beam_y_h)
        loads = _loads(spec, dead, live, beam, beam_y, sizes)
        frame = Frame(bays=spec.bays_x, stories=spec.stories, span=spec.span_x_m, h=spec.story_height_m, E=E,
                      col_b=sizes, beam_b=beam[0], beam_h=beam[1], col_crack=COL_CRACK, beam_crack=BEAM_CRACK,
                      beam_w=loads.beam_w, node_load=loads.node_load, mass=loads.node_mass)
        model = FrameModel(frame)
        rs = response_spectrum(model, n_modes, a_max, tg, spec.story_height_m, min_shear)
        grav = model.gravity()
        lat = model.lateral(rs["floor_forces"])
        member = _member_checks(model, grav, lat, sizes, beam, fc_k, fy_k, grade)
        drift = rs["max_drift"]
        log.append(f"iteration {iteration}: columns {'/'.join(f'{s * 1000:.0f}' for s in _distinct(sizes))} mm, "
                   f"beams {beam[0] * 1000:.0f}x{beam[1] * 1000:.0f} mm: T1 = {rs['periods'][0]:.3f} s, "
                   f"max drift 1/{1 / drift:.0f}, axial ratio {member['axial']:.2f}, "
                   f"beam rho {member['beam_rho'] * 100:.2f}%, column rho {member['col_rho'] * 100:.2f}%")
        if drift > codes.DRIFT_LIMIT_FRAME:
            failing = f"interstory drift 1/{1 / drift:.0f} > 1/550 (GB 50011 5.5.1)"
            # Stiffness grows roughly with size^4 of both members: scale both by (drift/limit)^(1/4).
            factor = (drift / codes.DRIFT_LIMIT_FRAME) ** 0.25
            base_col = max(base_col + STEP_M, _round_up(base_col * factor))
            if beam_h < spec.span_x_m / 7.0:
                beam_h = min(max(beam_h + STEP_M, _round_up(beam_h * factor)), _round_up(spec.span_x_m / 7.0))
        elif member["axial"] > mu_limit:
            failing = f"axial compression ratio {member['axial']:.2f} > {mu_limit:.2f} (GB 50011 6.3.6)"
            base_col += STEP_M
        elif member["beam_rho"] > MAX_BEAM_RHO:
            failing = f"beam reinforcement ratio {member['beam_rho'] * 100:.1f}% > 2.5% (GB 50011 6.3.4)"
            beam_h = round(beam_h + STEP_M, 3)
        elif member["col_rho"] > MAX_COLUMN_RHO:
            failing = f"column reinforcement ratio {member['col_rho'] * 100:.1f}% > 4% (GB 50011 6.3.8)"
            base_col += STEP_M
        else:
            log.append(f"all checks pass after {iteration} iteration(s)")
            break
        base_col = round(base_col, 3)
        if base_col > MAX_COLUMN_M:
            raise DesignError(f"{failing}: columns would exceed {MAX_COLUMN_M * 1000:.0f} mm; "
                              f"the frame cannot be designed (try fewer stories or a lower intensity)")
    else:
        raise DesignError(f"{failing} still fails after {MAX_ITERATIONS} sizing iterations")

    col_groups = [ColumnGroup(first_story=a, last_story=b, size_m=sizes[a - 1], bars_side=member["col_bars"][k])
                  for k, (a, b) in enumerate(groups)]
    return Design(
        spec=spec, concrete=concrete, Ec_mpa=Ec, fc_mpa=fc, seismic_grade=grade, axial_limit=mu_limit,
        tg_s=tg, alpha_max=a_max, dead_kn_m2=dead, live_kn_m2=live,
        beam_b_m=beam[0], beam_h_m=beam[1], beam_y_b_m=beam_y[0], beam_y_h_m=beam_y[1],
        beam_bars=member["beam_bars"], column_groups=col_groups,
        beam_w_kn_m=loads.beam_w, node_load_kn=loads.node_load, node_mass_t=loads.node_mass,
        floor_weight_kn=loads.floor_weight, n_modes=len(rs["periods"]),
        periods_s=[round(float(t), 5) for t in rs["periods"]], alphas=[round(a, 5) for a in rs["alphas"]],
        participation=[round(g, 5) for g in rs["gammas"]], mass_ratio=round(rs["mass_ratio"], 4),
        story_shear_kn=[round(float(v), 2) for v in rs["shears"]],
        story_drift=[float(d) for d in rs["drifts"]], max_drift=float(drift), min_shear_coeff=min_shear,
        shear_amplification=round(rs["amplification"], 4),
        max_axial_ratio=round(member["axial"], 4), max_beam_dc=round(member["beam_dc"], 4),
        max_column_dc=round(member["col_dc"], 4),
        empirical_t1_s=round(empirical_period(H, spec.width_x_m), 4), iterations=log,
    )


def _beam_b(h: float) -> float:
    return max(0.25, _round_up(h / 2.0))


def _distinct(sizes: list[float]) -> list[float]:
    out: list[float] = []
    for s in sizes:
        if s not in out:
            out.append(s)
    return out


def _group_sizes(base: float, groups: list[tuple[int, int]], stories: int) -> list[float]:
    """Column side per story: the base size in the lowest group, 100 mm less per group above (>= 400 mm)."""
    sizes = [0.0] * stories
    for k, (a, b) in enumerate(groups):
        for s in range(a, b + 1):
            sizes[s - 1] = round(max(0.4, base - 0.1 * k), 3)
    return sizes


def response_spectrum(model: FrameModel, n_modes: int, a_max: float, tg: float, h: float,
                      min_shear: float = 0.0) -> dict:
    """Modal response spectrum (SRSS): periods, alphas, drifts, story shears, equivalent floor forces.

    Shears below `min_shear` x the gravity above are raised to it (GB 50011 5.2.5), drifts with them.
    """
    periods, phi, m = model.modes(n_modes)
    drifts2 = np.zeros(len(m))
    shears2 = np.zeros(len(m))
    alphas, gammas, eff = [], [], 0.0
    for k, T in enumerate(periods):
        a = alpha_from(min(float(T), 6.0), a_max, tg, DAMPING)
        gamma = float(m @ phi[:, k] / (m @ phi[:, k] ** 2))
        eff += gamma ** 2 * float(m @ phi[:, k] ** 2)
        forces = m * gamma * phi[:, k] * a * G
        disp = forces / m / (2 * np.pi / T) ** 2
        story_disp = np.diff(np.concatenate([[0.0], disp]))
        drifts2 += (story_disp / h) ** 2
        shears2 += np.cumsum(forces[::-1])[::-1] ** 2
        alphas.append(a)
        gammas.append(gamma)
    shears = np.sqrt(shears2)
    drifts = np.sqrt(drifts2)
    # GB 50011 5.2.5: story shear >= lambda x gravity above; amplify shears and drifts of the stories below it.
    weight_above = np.cumsum((m * G)[::-1])[::-1]
    amplify = np.maximum(1.0, min_shear * weight_above / shears)
    shears, drifts = shears * amplify, drifts * amplify
    floor_forces = shears - np.concatenate([shears[1:], [0.0]])
    return {"periods": periods, "alphas": alphas, "gammas": gammas, "mass_ratio": eff / float(m.sum()),
            "drifts": drifts, "max_drift": float(drifts.max()), "shears": shears, "floor_forces": floor_forces,
            "amplification": float(amplify.max())}


def _member_checks(model: FrameModel, grav: np.ndarray, lat: np.ndarray, sizes: list[float],
                   beam: tuple[float, float], fc_k: float, fy_k: float, grade: int) -> dict:
    """Axial ratio, and the bars needed by the governing beam and by each column group (envelopes)."""
    gG, gE = checks.GAMMA_G, checks.GAMMA_EH
    axial, beam_m, col_need = 0.0, 0.0, {}
    for e, (kind, _, _, _, _, level) in enumerate(model.elements):
        g, q = grav[e], lat[e]
        if kind == "column":
            b = sizes[level - 1]
            n_g, n_e = abs(g[0]), abs(q[0])
            axial = max(axial, (gG * n_g + gE * n_e) / (fc_k * b * b))
            m_u = max(gG * abs(g[2]) + gE * abs(q[2]), gG * abs(g[5]) + gE * abs(q[5]))
            n_min = max(n_g - gE * n_e, 0.0)
            need = (m_u - checks.column_capacity(b, n_min, 0.0, fc_k, fy_k)) / (fy_k * (b - 2 * checks.COVER_M))
            col_need[level] = max(col_need.get(level, 0.0), need)
        else:
            beam_m = max(beam_m, gG * abs(g[2]) + gE * abs(q[2]), gG * abs(g[5]) + gE * abs(q[5]))
    bb, bh = beam
    h0 = bh - checks.COVER_M
    # As from the quadratic of M = fy As (h0 - fy As / (2 fc b)); no real root means the section is too small.
    disc = h0 ** 2 - 2 * beam_m / (fc_k * bb)
    as_need = (h0 - math.sqrt(disc)) * fc_k * bb / fy_k if disc > 0 else XI_B * h0 * fc_k * bb / fy_k * 2
    as_need = max(as_need * 1.02, MIN_BEAM_RHO * bb * h0)
    beam_rho = as_need / (bb * h0)
    beam_bars = Bars(**dict(zip(("count", "diameter_mm", "area_m2"), checks.bars_for(as_need))))
    beam_dc = beam_m / checks.beam_capacity(bb, bh, beam_bars.area_m2, fc_k, fy_k) if disc > 0 else float("inf")
    col_bars, col_rho, col_dc = [], 0.0, 0.0
    for first, last in column_groups(len(sizes)):
        b = sizes[first - 1]
        need = max(max(col_need[s] for s in range(first, last + 1)) * 1.02, MIN_COLUMN_RHO[grade] * b * b / 4.0)
        bars = Bars(**dict(zip(("count", "diameter_mm", "area_m2"), checks.bars_for(need, min_bars=3))))
        col_bars.append(bars)
        col_rho = max(col_rho, 4.0 * need / (b * b))
    for e, (kind, _, _, _, _, level) in enumerate(model.elements):
        if kind == "column":
            g, q = grav[e], lat[e]
            b = sizes[level - 1]
            group = next(k for k, (a, z) in enumerate(column_groups(len(sizes))) if a <= level <= z)
            m_u = max(gG * abs(g[2]) + gE * abs(q[2]), gG * abs(g[5]) + gE * abs(q[5]))
            cap = checks.column_capacity(b, max(abs(g[0]) - gE * abs(q[0]), 0.0), col_bars[group].area_m2, fc_k, fy_k)
            col_dc = max(col_dc, m_u / cap)
    return {"axial": axial, "beam_rho": beam_rho, "beam_bars": beam_bars, "beam_dc": beam_dc,
            "col_rho": col_rho, "col_bars": col_bars, "col_dc": col_dc}
