"""The Chinese design basis as small rules, each with the clause it follows (DESIGN §4, issue 16).

Pure functions of the spec and of member data, so each rule has its own hand-checked test
(tests/design/test_basis.py) and the generated programs can print the same numbers.
"""

from __future__ import annotations

import math

from civilinstruct.physics import codes

# --- analysis model -------------------------------------------------------------------------------------------
# JGJ 3-2010 5.2.2: cast-in-place slabs act as flanges of the floor beams; the beam stiffness is enlarged,
# about 2.0 for beams with slab on both sides (interior frames) and 1.5 with slab on one side (edge frames).
FLANGE_INTERIOR, FLANGE_EDGE = 2.0, 1.5
COLUMN_STIFFNESS = 1.0  # gross sections for columns (Chinese practice for the frequent earthquake)
# JGJ 3-2010 4.3.17: computed periods are multiplied by psi_T = 0.6-0.7 for frames with masonry infill; 0.7 is
# taken because the infill here is light (aerated concrete block, codes.INFILL_KN_M), which stiffens least.
PSI_T = 0.7

# --- load combinations ----------------------------------------------------------------------------------------
# Seismic: 1.3 G_E + 1.4 E_h (GB 50011 5.4.1 with the factors of GB 55002-2021 4.3.2 / GB 50068-2018);
# gravity favourable: 1.0 G_E. Gravity only: 1.3 D + 1.5 L (GB 50068-2018 8.2.9).
GAMMA_G, GAMMA_EH, GAMMA_G_FAVOURABLE = 1.3, 1.4, 1.0
GAMMA_D, GAMMA_L = 1.3, 1.5

# --- seismic adjustment -----------------------------------------------------------------------------------------
GAMMA_RE_BEAM = 0.75       # GB 50011 Table 5.4.2: beams in bending
GAMMA_RE_SHEAR = 0.85      # GB 50011 Table 5.4.2: every member in shear
# GB 50011 6.2.2 / 6.2.3 / 6.2.4 / 6.2.5 for frame structures, by seismic grade 1-4.
ETA_C = {1: 1.7, 2: 1.5, 3: 1.3, 4: 1.2}     # column moments at joints (strong column / weak beam)
ETA_BASE = {1: 1.7, 2: 1.5, 3: 1.3, 4: 1.2}  # bottom end of the ground-story columns
ETA_VB = {1: 1.3, 2: 1.2, 3: 1.1, 4: 1.0}    # beam end shear (grade 4: the combined shear, factor 1.0)
ETA_VC = {1: 1.5, 2: 1.3, 3: 1.2, 4: 1.1}    # column shear
SCWB_MIN_AXIAL = 0.15      # 6.2.2: joints whose columns have axial ratio < 0.15 are exempt

# --- detailing --------------------------------------------------------------------------------------------------
# GB 50011 Table 6.3.7-1, frame structures (values in brackets), middle/edge and corner columns, minus 0.05%
# for HRB400 bars (note 1): grade 1: 1.0 -> 0.95 %, ... ; every side >= 0.2 % (6.3.7-1).
MIN_COLUMN_RHO = {1: 0.0095, 2: 0.0075, 3: 0.0065, 4: 0.0055}
MIN_CORNER_COLUMN_RHO = {1: 0.0105, 2: 0.0085, 3: 0.0075, 4: 0.0065}
MIN_SIDE_RHO = 0.002
MAX_COLUMN_RHO = 0.03      # economic limit (columns grow beyond it), below the 5 % of GB 50011 6.3.8-3
MAX_BEAM_RHO = 0.025       # GB 50011 6.3.4-1: beam-end tension steel <= 2.5 %
# GB 50011 6.3.8-2: columns wider than 400 mm keep longitudinal bars at most 200 mm apart; GB 50010 9.3.1:
# otherwise at most 300 mm; clear spacing at least 50 mm.
MAX_BAR_SPACING_WIDE, MAX_BAR_SPACING, MIN_CLEAR_SPACING = 0.200, 0.300, 0.050
# GB 50010 Table 11.3.6-1, beam supports: max(rho_min, k ft / fy) by grade (1: 0.40 % / 80, 2: 0.30 / 65,
# 3-4: 0.25 / 55), on b x h.
# Centroid of beam bars from the face: one layer 40 mm, two layers 65 mm (25 mm between layers).
BEAM_COVER = {1: 0.040, 2: 0.065}
BEAM_MIN_RHO = {1: (0.0040, 0.80), 2: (0.0030, 0.65), 3: (0.0025, 0.55), 4: (0.0025, 0.55)}
# Design tensile strength of concrete ft in MPa (GB 50010 Table 4.1.4-2).
FT_MPA = {"C30": 1.43, "C35": 1.57, "C40": 1.71, "C50": 1.89}
FYV_MPA = 360.0            # HRB400 stirrups; GB 50010 4.2.3 caps fyv at 360 MPa in shear
# GB 50011 6.3.3-3 beam-end hoops and 6.3.7-2 column-end hoops: (max spacing m, min diameter mm) by grade;
# the spacing is further limited to h/4 (beams) and 6d / 8d of the longitudinal bars.
BEAM_HOOP = {1: (0.100, 10, 6), 2: (0.100, 8, 8), 3: (0.150, 8, 8), 4: (0.150, 6, 8)}
COLUMN_HOOP = {1: (0.100, 10, 6), 2: (0.100, 8, 8), 3: (0.100, 8, 8), 4: (0.100, 8, 8)}  # column bases: 100 mm
HOOP_DIAMETERS_MM = (8, 10, 12, 14)
# GB 50011 6.3.4-3 / 6.3.9-2: hoop legs at most 200 mm (grade 1), 250 mm (2-3), 300 mm (4) apart.
HOOP_LEG_SPACING = {1: 0.200, 2: 0.250, 3: 0.250, 4: 0.300}

# --- stability --------------------------------------------------------------------------------------------------
# JGJ 3-2010 5.4.1: P-Delta may be ignored when D_i >= 20 sum G_j / h_i, i.e. theta_i = sum G_j / (D_i h_i) <= 0.05;
# 5.4.4: stability needs D_i >= 10 sum G_j / h_i (theta_i <= 0.10). In between, 5.4.3 amplifies drifts by
# F1 = 1 / (1 - theta) and member forces by F2 = 1 / (1 - 2 theta). G_j = 1.3 D + 1.5 L (5.4.1 with GB 50068).
THETA_IGNORE, THETA_STABLE = 0.05, 0.10
MIN_SHEAR_SPAN = 1.5       # columns with lambda = Hn / (2 h0) < 1.5 are very short: avoided (GB 50011 6.3.5)


def fortification_category(function: str) -> str:
    """GB 50223-2008: schools (6.0.8) and hospitals (4.0.3) are category B (重点设防类); the rest C."""
    return "B" if function in ("school", "hospital") else "C"


def measures_intensity(intensity: float, category: str) -> int:
    """Whole degree for the seismic measures: category B one degree higher (GB 50223 3.0.3-2); 10 = above 9."""
    return int(intensity) + (1 if category == "B" else 0)


def details_intensity(intensity: float, category: str, site_class: str) -> int:
    """Whole degree for the detailing (抗震构造措施).

    GB 50011 3.3.2: on site class I, category C is detailed one degree lower (never below 6) and category B at
    the local intensity (not one higher). GB 50011 3.3.3: on site class III-IV in the 0.15 g and 0.30 g zones
    (7.5, 8.5) the details follow 8 and 9 degrees.
    """
    degree = int(intensity)
    if site_class in ("III", "IV") and intensity in (7.5, 8.5):
        degree += 1
    if site_class in ("I0", "I1"):
        return degree if category == "B" else max(6, degree - 1)
    return degree + (1 if category == "B" else 0)


def frame_grade(degree: int, height_m: float) -> int:
    """Seismic grade of an RC frame for a whole degree (GB 50011 Table 6.1.2; 10 = above 9: grade 1)."""
    if degree <= 6:
        return 4 if height_m <= 24.0 else 3
    if degree == 7:
        return 3 if height_m <= 24.0 else 2
    if degree == 8:
        return 2 if height_m <= 24.0 else 1
    return 1


def single_span_reason(bays: int, direction: str, category: str, height_m: float, grade: int) -> str | None:
    """Why a one-bay direction is not allowed, or None.

    GB 50011 6.1.5: no single-span frames for category A/B buildings or above 24 m; single-span frames of
    grade 1-2 are avoided as well (JGJ 3-2010 6.1.2 for seismic frames).
    """
    if bays != 1:
        return None
    why = ("category B building" if category == "B" else f"height {height_m:g} m > 24 m" if height_m > 24.0
           else f"seismic grade {grade}" if grade <= 2 else None)
    if why is None:
        return None
    return f"single-span frame along {direction} not allowed for a {why} (GB 50011 6.1.5)"


def frame_position(bays_y: int) -> tuple[str, float, float]:
    """(position, tributary factor x span_y, beam flange factor) of the analysed X frame.

    With two or more bays in Y the typical frame is interior: it carries a full span_y of floor and its beams
    have slab on both sides (flange 2.0); with one bay both X frames are edge frames: half a span, flange 1.5.
    """
    return ("interior", 1.0, FLANGE_INTERIOR) if bays_y >= 2 else ("edge", 0.5, FLANGE_EDGE)


def gamma_re_column(axial_ratio: float) -> float:
    """GB 50011 Table 5.4.2: columns in eccentric compression 0.75 below axial ratio 0.15, else 0.80."""
    return 0.75 if axial_ratio < 0.15 else 0.80


def column_bars_ok(b: float, count: int, diameter_mm: int) -> bool:
    """Bar spacing of one side (count bars including both corners, centroid 40 mm from the face)."""
    if count < 2:
        return False
    pitch = (b - 0.08) / (count - 1)
    limit = MAX_BAR_SPACING_WIDE if b > 0.4 + 1e-9 else MAX_BAR_SPACING
    return pitch <= limit + 1e-9 and pitch - diameter_mm / 1000.0 >= MIN_CLEAR_SPACING - 1e-9


def column_total_area(count_side: int, bar_area: float) -> float:
    """Total steel of a square column with `count_side` bars per side: corners are shared, 4 (n - 1) bars."""
    return 4 * (count_side - 1) * bar_area


def beam_min_area(grade: int, b: float, h: float, ft_mpa: float, fy_mpa: float) -> float:
    """Minimum tension steel at beam supports (GB 50010 Table 11.3.6-1), m2."""
    rho, k = BEAM_MIN_RHO[grade]
    return max(rho, k * ft_mpa / fy_mpa / 100.0) * b * h


def shear_span_ratio(story_h: float, beam_h: float, col_b: float) -> float:
    """lambda = Hn / (2 h0) for frame columns (GB 50011 6.2.9 note), Hn the clear height."""
    return (story_h - beam_h) / (2.0 * (col_b - 0.04))


def stability_theta(gravity_above_kn: float, story_shear_kn: float, story_drift: float) -> float:
    """theta_i = sum G_j / (D_i h_i) with D_i = V_i / (drift_i h_i) (JGJ 3-2010 5.4.4 note): sum G drift / V."""
    return gravity_above_kn * story_drift / story_shear_kn


def pdelta_factors(theta: float) -> tuple[float, float]:
    """(F1 drifts, F2 member forces) of JGJ 3-2010 5.4.3; (1, 1) where 5.4.1 lets P-Delta be ignored."""
    if theta <= THETA_IGNORE:
        return 1.0, 1.0
    return 1.0 / (1.0 - theta), 1.0 / (1.0 - 2.0 * theta)


def beam_shear_capacity(b: float, h: float, ft_kpa: float, asv_s: float, seismic: bool, a_s: float = 0.04) -> float:
    """GB 50010 6.3.4 (0.7 ft b h0 + fyv Asv/s h0) and 11.3.4 (seismic: 0.42 ft b h0 + ..., / gamma_RE), kN."""
    h0 = h - a_s
    fyv = FYV_MPA * 1e3
    if seismic:
        return (0.6 * 0.7 * ft_kpa * b * h0 + fyv * asv_s * h0) / GAMMA_RE_SHEAR
    return 0.7 * ft_kpa * b * h0 + fyv * asv_s * h0


def column_shear_capacity(b: float, lam: float, n_kn: float, fc_kpa: float, ft_kpa: float, asv_s: float) -> float:
    """GB 50010 11.4.7: (1.05/(lambda+1) ft b h0 + fyv Asv/s h0 + 0.056 N) / gamma_RE, lambda in 1-3,
    N <= 0.3 fc A, kN."""
    h0 = b - 0.04
    lam = min(max(lam, 1.0), 3.0)
    n = min(max(n_kn, 0.0), 0.3 * fc_kpa * b * b)
    return (1.05 / (lam + 1.0) * ft_kpa * b * h0 + FYV_MPA * 1e3 * asv_s * h0 + 0.056 * n) / GAMMA_RE_SHEAR


def shear_section_limit(b: float, h: float, fc_kpa: float, slender: bool, a_s: float = 0.04) -> float:
    """Upper bound of the seismic shear (GB 50010 11.3.3 / 11.4.6): (0.20 or 0.15) fc b h0 / gamma_RE, kN."""
    return (0.20 if slender else 0.15) * fc_kpa * b * (h - a_s) / GAMMA_RE_SHEAR


def hoop_area_per_m(diameter_mm: int, legs: int, spacing: float) -> float:
    """Asv / s of `legs` hoop legs of `diameter_mm` every `spacing` m, m2/m."""
    return legs * math.pi * (diameter_mm / 1000.0) ** 2 / 4.0 / spacing


def hoop_legs(width: float, grade: int) -> int:
    """Legs so that they are at most HOOP_LEG_SPACING apart across the section (>= 2)."""
    return max(2, math.ceil((width - 0.08) / HOOP_LEG_SPACING[grade] - 1e-9) + 1)


def grades(spec: object) -> tuple[str, int, int]:
    """(fortification category, grade for the measures, grade for the details) of a spec."""
    category = fortification_category(spec.function)  # type: ignore[attr-defined]
    h = spec.height_m  # type: ignore[attr-defined]
    measures = frame_grade(measures_intensity(spec.intensity, category), h)  # type: ignore[attr-defined]
    details = frame_grade(details_intensity(spec.intensity, category, spec.site_class), h)  # type: ignore[attr-defined]
    return category, measures, details


assert set(FT_MPA) == set(codes.CONCRETE)
