"""physics.codes: every value of the GB 50011 / 50009 / 50010 tables, checked against the code's tables as
transcribed in the design notes (section 4), plus the lookups' errors. The spectrum and period use of these tables
is in test_codes_period.py."""

from __future__ import annotations

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.physics import codes

# GB 50011-2010 Table 5.1.4-2: rows design group 1-3, columns site class I0, I1, II, III, IV.
TG_BY_HAND = {1: (0.20, 0.25, 0.35, 0.45, 0.65), 2: (0.25, 0.30, 0.40, 0.55, 0.75), 3: (0.30, 0.35, 0.45, 0.65, 0.90)}


@pytest.mark.parametrize("group", [1, 2, 3])
def test_every_tg_value(group: int) -> None:
    """Guards all 15 Tg values (a swapped or mistyped cell changes every spectrum of that site)."""
    assert tuple(codes.characteristic_period(group, s) for s in ("I0", "I1", "II", "III", "IV")) == TG_BY_HAND[group]


def test_alpha_max_is_pga_times_0_8_for_the_frequent_earthquake() -> None:
    """Guards Table 5.1.4-1 by its known relation: the frequent earthquake's alpha_max is 0.8 * PGA/g
    (0.10 g -> 0.08, 0.15 -> 0.12, 0.20 -> 0.16, 0.30 -> 0.24, 0.40 -> 0.32)."""
    for intensity in codes.INTENSITIES:
        assert codes.alpha_max(intensity) == pytest.approx(0.8 * codes.PGA_G[intensity])
    assert [codes.ALPHA_MAX[i] for i in codes.INTENSITIES] == [0.08, 0.12, 0.16, 0.24, 0.32]


def test_min_shear_coefficient_and_limits() -> None:
    """Guards Table 5.2.5 (lambda 0.016 / 0.024 / 0.032 / 0.048 / 0.064, i.e. 0.2 alpha_max), Table 6.3.6 axial
    ratio limits by grade, and the 1/550 drift limit."""
    assert [codes.MIN_SHEAR_COEFF[i] for i in codes.INTENSITIES] == [0.016, 0.024, 0.032, 0.048, 0.064]
    for i in codes.INTENSITIES:
        assert codes.MIN_SHEAR_COEFF[i] == pytest.approx(0.2 * codes.ALPHA_MAX[i])
    assert codes.AXIAL_RATIO_LIMIT == {1: 0.65, 2: 0.75, 3: 0.85, 4: 0.90}
    assert codes.DRIFT_LIMIT_FRAME == pytest.approx(0.001818, abs=1e-6)


def test_materials_and_loads() -> None:
    """Guards GB 50010 concrete Ec/fc, HRB400 fy, GB 50009 live loads and the 0.5 live combination."""
    assert {g: (v["Ec"], v["fc"]) for g, v in codes.CONCRETE.items()} == {
        "C30": (3.00e4, 14.3), "C35": (3.15e4, 16.7), "C40": (3.25e4, 19.1), "C50": (3.45e4, 23.1)}
    assert codes.REBAR_FY_MPA == 360.0
    assert {f: codes.live_load(f) for f in codes.FUNCTIONS} == {
        "office": 2.0, "residential": 2.0, "mall": 3.5, "hospital": 2.0, "school": 2.5, "factory": 4.0}
    assert codes.LIVE_COMBINATION == 0.5 and codes.ROOF_LIVE_KN_M2 == 0.5


def test_seismic_grade_edges_for_half_intensities() -> None:
    """Guards Table 6.1.2 for the 0.15 g / 0.30 g zones: they take their parent's grade rule, with the 24 m edge
    inclusive."""
    assert codes.seismic_grade(7.5, 24.0) == 3 and codes.seismic_grade(7.5, 24.01) == 2
    assert codes.seismic_grade(8.5, 24.0) == 2 and codes.seismic_grade(8.5, 30.0) == 1
    assert codes.seismic_grade(9, 10.0) == 1


def test_bad_values_are_user_errors() -> None:
    """Guards the one exception type with the allowed values named."""
    with pytest.raises(CivilError, match="7, 7.5, 8, 8.5 or 9"):
        codes.alpha_max(6)
    with pytest.raises(CivilError, match="not a GB 50011 design value"):
        codes.intensity_from_pga(0.25)
    assert codes.intensity_from_pga(0.154) == 7.5  # within 0.005 g
    with pytest.raises(CivilError, match="use one of office"):
        codes.live_load("warehouse")
    with pytest.raises(CivilError):
        codes.max_frame_height(10)
