"""Rule-based seismic design of an RC frame on the Chinese basis: sizing iterated until every check passes.

The chain (GB 50011-2010 / GB 50010 / GB 50009 / JGJ 3-2010 / GB 50223, rules in `basis.py`): fortification
category and seismic grades -> loads of the analysed X frame (interior or edge, `loads.py`) -> Tg, alpha_max ->
initial sizes (columns from the axial ratio, beams span/12) -> gross-section model with flanged beams
(`frame.py`) -> modal response spectrum with alpha read at psi_T x T -> minimum shear, P-Delta / stability ->
member design (`members.py`) -> enlarge beams first, then columns, and repeat (bounded). The generated
OpenSeesPy program builds the same frame and reproduces every number.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from civilinstruct.design import basis
from civilinstruct.design.frame import G, Frame, FrameModel
from civilinstruct.design.loads import frame_loads
from civilinstruct.design.members import MemberInput, design_members
from civilinstruct.design.result import Bars, ColumnGroup, Design, Hoops
from civilinstruct.design.ydir import Condensed, floor_masses, line_loads, y_model
from civilinstruct.spec.model import BuildingSpec, DesignError, check_spec
from civilinstruct.physics import codes
from civilinstruct.physics.period import empirical_period
from civilinstruct.physics.spectrum import alpha_from

DAMPING = 0.05
MAX_ITERATIONS = 60
MAX_COLUMN_M = 1.5
STEP_M = 0.05
BEAM_DRIFT_DEPTH = 8.0     # beams are deepened for stiffness up to span/8 before columns grow
BEAM_STRENGTH_DEPTH = 8.0  # and up to span/8 for strength, then wider beams (two layers of bars before that)


GRADES = ("C30", "C35", "C40", "C50")


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


def design(spec: BuildingSpec) -> Design:
    """Design the spec's frame so every check passes; `DesignError` naming the rule otherwise.

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
    category, grade, dgrade = basis.grades(spec)
    for bays, direction in ((spec.bays_x, "X"), (spec.bays_y, "Y")):
        reason = basis.single_span_reason(bays, direction, category, H, grade)
        if reason:
            raise DesignError(reason)
    position, trib_factor, flange = basis.frame_position(spec.bays_y)
    trib = round(trib_factor * spec.span_y_m, 4)
    mu_limit = codes.AXIAL_RATIO_LIMIT[dgrade]  # 6.3.6 is a detailing rule: the details grade
    concrete = concrete_grade(spec.stories)
    Ec, fc = codes.CONCRETE[concrete]["Ec"], codes.CONCRETE[concrete]["fc"]
    tg = codes.characteristic_period(spec.design_group, spec.site_class)
    a_max = codes.alpha_max(spec.intensity)
    min_shear = codes.MIN_SHEAR_COEFF[spec.intensity]
    dead = codes.SUPERIMPOSED_DEAD_KN_M2[spec.function]
    live = codes.live_load(spec.function)
    groups = column_groups(spec.stories)
    group_of = [k for k, (a, b) in enumerate(groups) for _ in range(a, b + 1)]
    log: list[str] = []

    # Initial sizes: beams span/12 deep (>= 400 mm); columns from the axial ratio with ~4 kN/m2 for self weight
    # and walls on the tributary area of an interior column.
    beam_h = max(0.4, _round_up(spec.span_x_m / 12.0))
    beam_y_h = max(0.4, _round_up(spec.span_y_m / 12.0))
    beam_cap = _round_up(spec.span_x_m / BEAM_DRIFT_DEPTH)
    beam_y_cap = max(beam_y_h, _round_up(spec.span_y_m / BEAM_DRIFT_DEPTH))
    q_est = dead + 0.5 * live + 4.0
    n_est = 1.25 * spec.stories * q_est * spec.span_x_m * trib
    base_col = max(0.4, _round_up(math.sqrt(1.3 * n_est / (mu_limit * fc * 1e3))))
    log.append(f"initial sizes: N_est = 1.3 x 1.25 x {spec.stories} x {q_est:.1f} kPa x {spec.span_x_m:g} x "
               f"{trib:g} m2 = {1.3 * n_est:.0f} kN -> column {base_col * 1000:.0f} mm, "
               f"beam {_beam_b(beam_h, base_col) * 1000:.0f}x{beam_h * 1000:.0f} mm")
    n_modes = min(spec.stories, 5)
    failing = ""
    beam_b_least = 0.25
    for iteration in range(1, MAX_ITERATIONS + 1):
        Ec, fc = codes.CONCRETE[concrete]["Ec"], codes.CONCRETE[concrete]["fc"]
        fc_k, fy_k, E, ft_k = fc * 1e3, codes.REBAR_FY_MPA * 1e3, Ec * 1e3, basis.FT_MPA[concrete] * 1e3
        _short_columns(spec, max(beam_h, beam_y_h), base_col, failing or "the initial sizes")
        sizes = _group_sizes(base_col, groups, spec.stories)
        beam = (_beam_b(beam_h, min(sizes), beam_b_least), beam_h)
        beam_y = (_beam_b(beam_y_h, min(sizes)), beam_y_h)
        loads = frame_loads(spec, dead, live, beam, beam_y, sizes, trib)
        frame = Frame(bays=spec.bays_x, stories=spec.stories, span=spec.span_x_m, h=spec.story_height_m, E=E,
                      col_b=sizes, beam_b=beam[0], beam_h=beam[1], col_crack=basis.COLUMN_STIFFNESS,
                      beam_crack=flange, beam_w=loads.beam_w, node_load=loads.node_load, mass=loads.node_mass)
        model = FrameModel(frame)
        rs = response_spectrum(model, n_modes, a_max, tg, spec.story_height_m, min_shear, basis.PSI_T)
        theta, f1, f2 = stability_factors(rs, loads.floor_gravity_design)
        drifts = rs["drifts"] * f1
        drift = float(drifts.max())
        sizes_text = "/".join(f"{s * 1000:.0f}" for s in _distinct(sizes))
        head = (f"iteration {iteration}: columns {sizes_text} mm, beams {beam[0] * 1000:.0f}x{beam[1] * 1000:.0f} mm: "
                f"T1 = {rs['periods'][0]:.3f} s, max drift 1/{1 / drift:.0f}")
        stiffen = 0.0
        if drift > codes.DRIFT_LIMIT_FRAME:
            failing = f"interstory drift 1/{1 / drift:.0f} > 1/550 (GB 50011 5.5.1)"
            stiffen = drift / codes.DRIFT_LIMIT_FRAME
        elif max(theta) > basis.THETA_STABLE:
            failing = f"stability sum G / (D h) = {max(theta):.3f} > 0.10 (JGJ 3-2010 5.4.4)"
            stiffen = max(theta) / basis.THETA_STABLE
        stiffen_y = 0.0
        if not stiffen:  # the building along Y (every Y frame, the whole floors): the same checks, GB 50011 5.5.1
            mass_y, gravity_y = floor_masses(line_loads(spec, dead, live, beam, beam_y, sizes))
            rs_y = response_spectrum(y_model(spec, E, sizes, beam_y, mass_y), n_modes, a_max, tg,
                                     spec.story_height_m, min_shear, basis.PSI_T)
            theta_y, f1_y, _ = stability_factors(rs_y, gravity_y)
            drift_y = float((rs_y["drifts"] * f1_y).max())
            if drift_y > codes.DRIFT_LIMIT_FRAME:
                failing = f"interstory drift along Y 1/{1 / drift_y:.0f} > 1/550 (GB 50011 5.5.1)"
                stiffen_y = drift_y / codes.DRIFT_LIMIT_FRAME
            elif max(theta_y) > basis.THETA_STABLE:
                failing = f"stability along Y sum G / (D h) = {max(theta_y):.3f} > 0.10 (JGJ 3-2010 5.4.4)"
                stiffen_y = max(theta_y) / basis.THETA_STABLE
            if stiffen_y:
                log.append(f"{head}; along Y (beams {beam_y[0] * 1000:.0f}x{beam_y[1] * 1000:.0f} mm): "
                           f"T1y = {rs_y['periods'][0]:.3f} s, max drift 1/{1 / drift_y:.0f}, "
                           f"{'stability' if drift_y <= codes.DRIFT_LIMIT_FRAME else 'drift'} fails")
        if stiffen:  # members are designed only for a frame stiff enough to keep
            log.append(f"{head}, {'stability' if drift <= codes.DRIFT_LIMIT_FRAME else 'drift'} fails")
        elif not stiffen_y:
            gD = model.gravity(loads.beam_w_dead, loads.node_load)
            gL = model.gravity(loads.beam_w_live, [[0.0] * (spec.bays_x + 1)] * spec.stories)
            lat = model.lateral(rs["floor_forces"])
            scale = np.array([f2[el[5] - 1] for el in model.elements])[:, None]
            member = design_members(model, gD, gL, lat * scale, MemberInput(
                sizes=sizes, beam=beam, group_of=group_of, n_groups=len(groups), measures_grade=grade,
                details_grade=dgrade, corner=position == "edge", fc_k=fc_k, ft_k=ft_k, fy_k=fy_k,
                story_h=spec.story_height_m, span=spec.span_x_m, w_dead=loads.beam_w_dead,
                w_live=loads.beam_w_live, w_ge=loads.beam_w))
            log.append(f"{head}, axial ratio {member.axial:.2f}, beam rho {member.beam_rho * 100:.2f}%, "
                       f"column rho {member.col_rho * 100:.2f}%")
        if stiffen:
            # Beams first: to span/10 always, on to span/8 while they are the less stiff members of the frame
            # (i_b = flange E I_b / L below i_c = E I_c / h); then columns. Stiffness grows ~ size^4.
            factor = stiffen ** 0.25
            i_b = flange * beam[0] * beam[1] ** 3 / spec.span_x_m
            i_c = sizes[0] ** 4 / spec.story_height_m
            if beam_h < beam_cap - 1e-9 and (beam_h < spec.span_x_m / 10.0 - 1e-9 or i_b < i_c):
                beam_h = min(max(beam_h + STEP_M, _round_up(beam_h * factor)), beam_cap)
            else:
                base_col = max(base_col + STEP_M, _round_up(base_col * factor))
        elif stiffen_y:
            # The same order along Y: Y beams to span_y/10 always, on to span_y/8 while less stiff than the
            # columns, then columns (GB 50011 6.3.1 proportions; stiffness ~ size^4).
            factor = stiffen_y ** 0.25
            i_b = basis.FLANGE_INTERIOR * beam_y[0] * beam_y[1] ** 3 / spec.span_y_m
            i_c = sizes[0] ** 4 / spec.story_height_m
            if beam_y_h < beam_y_cap - 1e-9 and (beam_y_h < spec.span_y_m / 10.0 - 1e-9 or i_b < i_c):
                beam_y_h = round(min(max(beam_y_h + STEP_M, _round_up(beam_y_h * factor)), beam_y_cap), 3)
            else:
                base_col = max(base_col + STEP_M, _round_up(base_col * factor))
        elif member.axial > mu_limit:
            failing = f"axial compression ratio {member.axial:.2f} > {mu_limit:.2f} (GB 50011 6.3.6)"
            base_col = max(base_col + STEP_M, _round_up(base_col * math.sqrt(member.axial / mu_limit)))
        elif member.failing.startswith("beam"):
            failing = member.failing
            if beam_h >= min(_round_up(spec.span_x_m / BEAM_STRENGTH_DEPTH), 2.0 * beam[0]) - 1e-9:
                # deep enough (span/6, or h/b = 2): widen the beam, and the columns where it reaches them
                beam_b_least = round(beam[0] + STEP_M, 3)
                if beam_b_least > min(sizes) + 1e-9:
                    base_col += STEP_M
            else:
                beam_h = round(beam_h + STEP_M, 3)
        elif member.failing:
            failing = member.failing
            if concrete != "C50" and "section limit" in failing:  # shear: stronger concrete before a larger column
                concrete = GRADES[GRADES.index(concrete) + 1]
                log.append(f"concrete raised to {concrete} for column strength")
            elif member.col_rho > basis.MAX_COLUMN_RHO:  # steel ~ moment / size: grow by the cube root
                base_col = max(base_col + STEP_M, _round_up(base_col * (member.col_rho / basis.MAX_COLUMN_RHO) ** (1 / 3)))
            else:
                base_col += STEP_M
        else:
            log.append(f"all checks pass after {iteration} iteration(s)")
            break
        base_col = round(base_col, 3)
        if base_col > MAX_COLUMN_M:
            raise DesignError(f"{failing}: columns would exceed {MAX_COLUMN_M * 1000:.0f} mm; "
                              f"the frame cannot be designed (try fewer stories or a lower intensity)")
        _short_columns(spec, max(beam_h, beam_y_h), base_col, failing)
    else:
        raise DesignError(f"{failing} still fails after {MAX_ITERATIONS} sizing iterations")

    col_groups = [ColumnGroup(first_story=a, last_story=b, size_m=sizes[a - 1], bars_side=_bars(member.col_bars[k]),
                              hoops=Hoops(diameter_mm=member.col_hoops[k][0], legs=member.col_hoops[k][1],
                                          spacing_m=member.col_hoops[k][2]))
                  for k, (a, b) in enumerate(groups)]
    n, dia, area = member.beam_bars
    return Design(
        spec=spec, concrete=concrete, Ec_mpa=Ec, fc_mpa=fc, category=category, seismic_grade=grade,
        details_grade=dgrade, axial_limit=mu_limit, tg_s=tg, alpha_max=a_max, dead_kn_m2=dead, live_kn_m2=live,
        frame_position=position, tributary_m=trib, beam_crack=flange,
        beam_b_m=beam[0], beam_h_m=beam[1], beam_y_b_m=beam_y[0], beam_y_h_m=beam_y[1],
        beam_bars=Bars(count=n, diameter_mm=dia, area_m2=area, layers=member.beam_layers),
        beam_hoops=Hoops(diameter_mm=member.beam_hoop[0], legs=member.beam_hoop[1], spacing_m=member.beam_hoop[2]),
        column_groups=col_groups, beam_w_kn_m=loads.beam_w, beam_w_dead_kn_m=loads.beam_w_dead,
        beam_w_live_kn_m=loads.beam_w_live, node_load_kn=loads.node_load, node_mass_t=loads.node_mass,
        floor_weight_kn=loads.floor_weight, floor_gravity_design_kn=loads.floor_gravity_design,
        n_modes=len(rs["periods"]),
        periods_s=[round(float(t), 5) for t in rs["periods"]], alphas=[round(a, 5) for a in rs["alphas"]],
        participation=[round(g, 5) for g in rs["gammas"]], mass_ratio=round(rs["mass_ratio"], 4),
        story_shear_kn=[round(float(v), 2) for v in rs["shears"]],
        story_drift=[float(d) for d in drifts], max_drift=drift, min_shear_coeff=min_shear,
        shear_amplification=round(rs["amplification"], 4),
        stability_theta=[round(t, 5) for t in theta], max_theta=round(max(theta), 5),
        max_axial_ratio=round(member.axial, 4), max_beam_dc=round(member.beam_dc, 4),
        max_column_dc=round(member.col_dc, 4), max_gravity_dc=round(member.gravity_dc, 4),
        max_shear_dc=round(member.shear_dc, 4), scwb_ratio=round(member.scwb, 4),
        min_shear_span_ratio=round(member.min_shear_span, 3),
        empirical_t1_s=round(empirical_period(H, spec.width_x_m), 4), iterations=log,
        periods_y_s=[round(float(t), 5) for t in rs_y["periods"]],
        story_drift_y=[float(d) for d in rs_y["drifts"] * f1_y], max_drift_y=drift_y,
        max_theta_y=round(max(theta_y), 5),
    )


def _short_columns(spec: BuildingSpec, beam_h: float, column: float, why: str) -> None:
    """Refuse very short columns: shear span ratio Hn / (2 h0) < 1.5 (GB 50011 6.3.5; JGJ 3-2010 6.4.6)."""
    lam = basis.shear_span_ratio(spec.story_height_m, beam_h, column)
    if lam < basis.MIN_SHEAR_SPAN:
        raise DesignError(f"short columns: {why} needs {column * 1000:.0f} mm columns under "
                          f"{beam_h * 1000:.0f} mm beams, shear span ratio {lam:.2f} < 1.5 (GB 50011 6.3.5)")


def _bars(t: tuple[int, int, float]) -> Bars:
    return Bars(count=t[0], diameter_mm=t[1], area_m2=t[0] * t[2])


def stability_factors(rs: dict, gravity_design: list[float]) -> tuple[list[float], np.ndarray, np.ndarray]:
    """theta_i = sum_{j>=i} G_j drift_i / V_i and the P-Delta factors F1, F2 (JGJ 3-2010 5.4.1-5.4.4)."""
    above = np.cumsum(np.array(gravity_design)[::-1])[::-1]
    theta = [basis.stability_theta(float(g), float(v), float(d))
             for g, v, d in zip(above, rs["shears"], rs["drifts"])]
    factors = [basis.pdelta_factors(min(t, 0.45)) for t in theta]
    return theta, np.array([f[0] for f in factors]), np.array([f[1] for f in factors])


def _beam_b(h: float, column: float, least: float = 0.25) -> float:
    """Beam width about h/2 (GB 50011 6.3.1: b >= 200 mm, h/b <= 4), at least `least`, not wider than the
    columns."""
    return min(max(least, _round_up(h / 2.0)), column)


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


def response_spectrum(model: FrameModel | Condensed, n_modes: int, a_max: float, tg: float, h: float,
                      min_shear: float = 0.0, psi_t: float = 1.0) -> dict:
    """Modal response spectrum (SRSS): periods, alphas, drifts, story shears, equivalent floor forces.

    alpha is read at psi_T x T_k (JGJ 3-2010 4.3.17); the displacements follow from those forces on the bare
    frame (omega of the computed period). Shears below `min_shear` x the gravity above are raised to it
    (GB 50011 5.2.5), drifts with them.
    """
    periods, phi, m = model.modes(n_modes)
    drifts2 = np.zeros(len(m))
    shears2 = np.zeros(len(m))
    alphas, gammas, eff = [], [], 0.0
    for k, T in enumerate(periods):
        a = alpha_from(min(psi_t * float(T), 6.0), a_max, tg, DAMPING)
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
