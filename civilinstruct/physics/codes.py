"""Tables of the Chinese codes the design follows (GB 50011-2010, GB 50009-2012, GB 50010-2010).

Kept as plain data so the design, the generated programs and the tests read one source of truth.
Intensity 7.5 and 8.5 are the 0.15 g and 0.30 g zones of intensity 7 and 8: they share their parent's
seismic-grade rule but have their own a_max and height limit.
"""

from __future__ import annotations

from civilinstruct.errors import CivilError

INTENSITIES: tuple[float, ...] = (7.0, 7.5, 8.0, 8.5, 9.0)
PGA_G: dict[float, float] = {7.0: 0.10, 7.5: 0.15, 8.0: 0.20, 8.5: 0.30, 9.0: 0.40}
# alpha_max for the frequent earthquake (GB 50011 Table 5.1.4-1).
ALPHA_MAX: dict[float, float] = {7.0: 0.08, 7.5: 0.12, 8.0: 0.16, 8.5: 0.24, 9.0: 0.32}
SITE_CLASSES: tuple[str, ...] = ("I0", "I1", "II", "III", "IV")
DESIGN_GROUPS: tuple[int, ...] = (1, 2, 3)
# Characteristic period Tg in s (GB 50011 Table 5.1.4-2): rows design group, columns site class.
TG: dict[int, dict[str, float]] = {
    1: {"I0": 0.20, "I1": 0.25, "II": 0.35, "III": 0.45, "IV": 0.65},
    2: {"I0": 0.25, "I1": 0.30, "II": 0.40, "III": 0.55, "IV": 0.75},
    3: {"I0": 0.30, "I1": 0.35, "II": 0.45, "III": 0.65, "IV": 0.90},
}
# Minimum seismic shear coefficient lambda (GB 50011 Table 5.2.5, structures with T1 < 3.5 s): every story
# shear must reach lambda times the gravity above it, else the shears (and what follows from them) are amplified.
MIN_SHEAR_COEFF: dict[float, float] = {7.0: 0.016, 7.5: 0.024, 8.0: 0.032, 8.5: 0.048, 9.0: 0.064}
# Maximum height of RC frame structures in m (GB 50011 Table 6.1.1).
MAX_HEIGHT_FRAME_M: dict[float, float] = {7.0: 50.0, 7.5: 50.0, 8.0: 40.0, 8.5: 35.0, 9.0: 24.0}
# Column axial compression ratio limits by seismic grade (GB 50011 Table 6.3.6, frames).
AXIAL_RATIO_LIMIT: dict[int, float] = {1: 0.65, 2: 0.75, 3: 0.85, 4: 0.90}
DRIFT_LIMIT_FRAME = 1.0 / 550.0  # elastic interstory drift under the frequent earthquake (GB 50011 Table 5.5.1)

FUNCTIONS: tuple[str, ...] = ("office", "residential", "mall", "hospital", "school", "factory")
# Floor live loads in kN/m2 (GB 50009 Table 5.1.1; factory: a light-industry value).
LIVE_LOAD_KN_M2: dict[str, float] = {"office": 2.0, "residential": 2.0, "school": 2.5, "hospital": 2.0,
                                     "mall": 3.5, "factory": 4.0}
ROOF_LIVE_KN_M2 = 0.5  # roof not accessible (GB 50009 Table 5.3.1)
# Slab, finishes, ceiling and services in kN/m2, by function (heavier finishes in malls and hospitals).
SUPERIMPOSED_DEAD_KN_M2: dict[str, float] = {"office": 5.5, "residential": 5.0, "school": 5.5,
                                             "hospital": 6.0, "mall": 6.0, "factory": 6.5}
INFILL_KN_M = 7.0          # infill wall line load on beams in kN/m (200 mm aerated block, plastered, ~3 m high)
CONCRETE_UNIT_WEIGHT = 25.0  # kN/m3
LIVE_COMBINATION = 0.5     # seismic weight = D + 0.5 L (GB 50011 5.1.3)

# Concrete grades: elastic modulus Ec and design compressive strength fc in MPa (GB 50010 Tables 4.1.4, 4.1.5).
CONCRETE: dict[str, dict[str, float]] = {
    "C30": {"Ec": 3.00e4, "fc": 14.3},
    "C35": {"Ec": 3.15e4, "fc": 16.7},
    "C40": {"Ec": 3.25e4, "fc": 19.1},
    "C50": {"Ec": 3.45e4, "fc": 23.1},
}
REBAR_FY_MPA = 360.0  # HRB400 design strength


def check_intensity(intensity: float) -> float:
    """The intensity as one of the five code values, or a `CivilError` naming the allowed ones."""
    value = float(intensity)
    if value not in ALPHA_MAX:
        raise CivilError(f"unknown seismic intensity {intensity!r}: GB 50011 uses 7, 7.5, 8, 8.5 or 9")
    return value


def intensity_from_pga(pga_g: float) -> float:
    """The intensity whose design PGA matches (within 0.005 g); GB 50011 Table 3.2.2."""
    for intensity, pga in PGA_G.items():
        if abs(pga - float(pga_g)) < 0.005:
            return intensity
    raise CivilError(f"PGA {pga_g} g is not a GB 50011 design value (0.10, 0.15, 0.20, 0.30, 0.40 g)")


def characteristic_period(design_group: int, site_class: str) -> float:
    """Tg in s for a design group and site class (GB 50011 Table 5.1.4-2)."""
    if design_group not in TG:
        raise CivilError(f"unknown design group {design_group!r}: GB 50011 uses 1, 2 or 3")
    if site_class not in TG[design_group]:
        raise CivilError(f"unknown site class {site_class!r}: GB 50011 uses I0, I1, II, III or IV")
    return TG[design_group][site_class]


def alpha_max(intensity: float) -> float:
    """alpha_max of the frequent earthquake for an intensity."""
    return ALPHA_MAX[check_intensity(intensity)]


def max_frame_height(intensity: float) -> float:
    """Height limit of an RC frame (GB 50011 Table 6.1.1)."""
    return MAX_HEIGHT_FRAME_M[check_intensity(intensity)]


def seismic_grade(intensity: float, height_m: float) -> int:
    """Seismic grade of an RC frame (GB 50011 Table 6.1.2): 7: 3 up to 24 m else 2; 8: 2 or 1; 9: 1."""
    base = int(check_intensity(intensity))  # 7.5 -> 7, 8.5 -> 8
    if base == 7:
        return 3 if height_m <= 24.0 else 2
    if base == 8:
        return 2 if height_m <= 24.0 else 1
    return 1


def live_load(function: str) -> float:
    """Floor live load in kN/m2 for a building function."""
    if function not in LIVE_LOAD_KN_M2:
        raise CivilError(f"unknown building function {function!r}: use one of {', '.join(FUNCTIONS)}")
    return LIVE_LOAD_KN_M2[function]
