"""The Chinese design basis rule by rule (civilinstruct.design.basis), every number worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from civilinstruct.design import BuildingSpec, DesignError, basis, design
from civilinstruct.design.members import _midspan, column_bars


@pytest.mark.parametrize("function, intensity, site, height, expected", [
    # school at 8 (0.20 g), site II, 17.5 m: category B (GB 50223 6.0.8) -> measures at 9 -> grade 1;
    # details also at 9 (site II changes nothing) -> grade 1
    ("school", 8.0, "II", 17.5, ("B", 1, 1)),
    # office at 7, site I1, 30 m: category C; measures at 7, H > 24 -> grade 2; details one degree lower on
    # site I (GB 50011 3.3.2) -> 6, H > 24 -> grade 3
    ("office", 7.0, "I1", 30.0, ("C", 2, 3)),
    # hospital at 7.5 (0.15 g), site III, 20 m: category B (4.0.3); measures at 8 -> grade 2 (<= 24 m);
    # details: 0.15 g on site III -> 8 (3.3.3), +1 for category B -> 9 -> grade 1
    ("hospital", 7.5, "III", 20.0, ("B", 2, 1)),
    # hospital at 8, site I0, 20 m: measures at 9 -> grade 1; details at the local 8 on site I (3.3.2) -> grade 2
    ("hospital", 8.0, "I0", 20.0, ("B", 1, 2)),
    # residential at 8.5 (0.30 g), site IV, 30 m: measures at 8, > 24 m -> grade 1; details at 9 -> grade 1
    ("residential", 8.5, "IV", 30.0, ("C", 1, 1)),
    # factory at 7, site II, 12 m: grade 3 both
    ("factory", 7.0, "II", 12.0, ("C", 3, 3)),
])
def test_grades_follow_category_and_site(function, intensity, site, height, expected) -> None:
    stories = round(height / 3.0)
    spec = BuildingSpec(function=function, stories=stories, story_height_m=height / stories, intensity=intensity,
                        pga_g={7.0: 0.10, 7.5: 0.15, 8.0: 0.20, 8.5: 0.30, 9.0: 0.40}[intensity], site_class=site)
    assert basis.grades(spec) == expected


def test_single_span_frames() -> None:
    """GB 50011 6.1.5: no single span for category B, above 24 m, or (JGJ 3 6.1.2) grade 1-2."""
    assert "category B" in basis.single_span_reason(1, "Y", "B", 12.0, 3)
    assert "height 30 m > 24 m" in basis.single_span_reason(1, "Y", "C", 30.0, 2)
    assert "seismic grade 2" in basis.single_span_reason(1, "Y", "C", 20.0, 2)
    assert basis.single_span_reason(1, "Y", "C", 20.0, 3) is None
    assert basis.single_span_reason(2, "Y", "B", 40.0, 1) is None
    with pytest.raises(DesignError, match="single-span frame along Y not allowed for a category B"):
        design(BuildingSpec(function="school", bays_y=1))


def test_frame_position_and_flange() -> None:
    """Interior frame: a full span of floor, beams x2.0; edge frame (one bay in Y): half a span, x1.5."""
    assert basis.frame_position(3) == ("interior", 1.0, 2.0)
    assert basis.frame_position(1) == ("edge", 0.5, 1.5)


def test_gamma_re_and_factors() -> None:
    """GB 50011 Table 5.4.2 and 6.2.2-6.2.5 for frames."""
    assert basis.gamma_re_column(0.149) == 0.75 and basis.gamma_re_column(0.15) == 0.80
    assert (basis.GAMMA_RE_BEAM, basis.GAMMA_RE_SHEAR) == (0.75, 0.85)
    assert [basis.ETA_C[g] for g in (1, 2, 3, 4)] == [1.7, 1.5, 1.3, 1.2]
    assert [basis.ETA_VB[g] for g in (1, 2, 3)] == [1.3, 1.2, 1.1]
    assert [basis.ETA_VC[g] for g in (1, 2, 3, 4)] == [1.5, 1.3, 1.2, 1.1]


def test_column_steel_counts_corners_once() -> None:
    """A 600 mm grade-1 column with no flexural demand.

    Minimum total 0.95 % (1.0 % for frames less 0.05 % for HRB400) x 0.36 m2 = 3420 mm2; each side >= 0.2 % =
    720 mm2; bars <= 200 mm apart on a 600 mm side: (600 - 80) / (n - 1) <= 200 -> n >= 4 per side.
    4 per side = 12 bars (corners shared): C16 12 x 201 = 2413 (too little) -> 6 per side = 20 x 201 = 4021;
    C18 5 per side = 16 x 254.5 = 4072; C20 4 per side = 12 x 314.2 = 3770; C22 4 x ... = 12 x 380.1 = 4562.
    Least total: 4C20 per side, 12C20 = 3770 mm2 (counting 4 sides x 4 would claim 16 bars, 5027 mm2).
    """
    n, d, a1 = column_bars(0.0, 0.6, basis.MIN_COLUMN_RHO[1])
    assert (n, d) == (4, 20)
    assert basis.column_total_area(n, a1) == pytest.approx(12 * math.pi * 0.02 ** 2 / 4)
    assert basis.column_total_area(n, a1) == pytest.approx(3.770e-3, rel=1e-3)


def test_bar_spacing_limits() -> None:
    """GB 50011 6.3.8-2: <= 200 mm for sides > 400 mm; GB 50010 9.3.1: <= 300 mm, clear >= 50 mm."""
    assert not basis.column_bars_ok(0.6, 3, 20)  # (600 - 80) / 2 = 260 mm > 200
    assert basis.column_bars_ok(0.6, 4, 20)      # 173 mm
    assert not basis.column_bars_ok(0.4, 2, 20)  # 320 mm > 300
    assert basis.column_bars_ok(0.4, 3, 20)      # 160 mm
    assert not basis.column_bars_ok(0.4, 8, 32)  # 45.7 mm pitch - 32 mm bar = 13.7 mm clear < 50


def test_beam_minimum_steel() -> None:
    """GB 50010 Table 11.3.6-1 at supports: grade 2 C35 300 x 600: max(0.30 %, 65 x 1.57 / 360 = 0.283 %) x 0.18 m2
    = 540 mm2; grade 1 C30: max(0.40 %, 80 x 1.43 / 360 = 0.318 %) -> 0.40 % = 720 mm2."""
    assert basis.beam_min_area(2, 0.3, 0.6, 1.57, 360.0) == pytest.approx(5.4e-4)
    assert basis.beam_min_area(1, 0.3, 0.6, 1.43, 360.0) == pytest.approx(7.2e-4)


def test_shear_span_and_stability() -> None:
    """lambda = (3.0 - 0.6) / (2 x 0.76) = 1.579; theta = 1000 x 0.002 / 100 = 0.02 (ignore P-Delta);
    theta = 0.08 -> F1 = 1 / 0.92 = 1.0870, F2 = 1 / 0.84 = 1.1905 (JGJ 3-2010 5.4.3)."""
    assert basis.shear_span_ratio(3.0, 0.6, 0.8) == pytest.approx(1.5789, abs=1e-4)
    assert basis.stability_theta(1000.0, 100.0, 0.002) == pytest.approx(0.02)
    assert basis.pdelta_factors(0.02) == (1.0, 1.0)
    f1, f2 = basis.pdelta_factors(0.08)
    assert (f1, f2) == (pytest.approx(1.0870, abs=1e-4), pytest.approx(1.1905, abs=1e-4))


def test_shear_capacities() -> None:
    """Beam 300 x 600, C30 (ft 1.43 MPa), 2-leg C8@100 (Asv/s = 2 x 50.27 / 100 = 1.0053 mm2/mm), h0 = 0.56:
    seismic (0.42 x 1430 x 0.3 x 0.56 + 360000 x 1.0053e-3 x 0.56) / 0.85 = (100.9 + 202.7) / 0.85 = 357.2 kN;
    static 0.7 x 1430 x 0.3 x 0.56 + 202.7 = 168.2 + 202.7 = 370.9 kN.
    Column 500, lambda 2.5, N 1000 kN (< 0.3 x 14300 x 0.25 = 1072.5), h0 0.46: (1.05 / 3.5 x 1430 x 0.5 x 0.46
    + 360000 x 1.0053e-3 x 0.46 + 0.056 x 1000) / 0.85 = (98.7 + 166.5 + 56.0) / 0.85 = 377.8 kN."""
    asv = basis.hoop_area_per_m(8, 2, 0.1)
    assert asv == pytest.approx(1.0053e-3, rel=1e-4)
    assert basis.beam_shear_capacity(0.3, 0.6, 1430.0, asv, True) == pytest.approx(357.2, abs=0.2)
    assert basis.beam_shear_capacity(0.3, 0.6, 1430.0, asv, False) == pytest.approx(370.9, abs=0.2)
    assert basis.column_shear_capacity(0.5, 2.5, 1000.0, 14300.0, 1430.0, asv) == pytest.approx(377.8, abs=0.2)
    # section limit 0.20 x 14300 x 0.3 x 0.56 / 0.85 = 565.2 kN
    assert basis.shear_section_limit(0.3, 0.6, 14300.0, True) == pytest.approx(565.2, abs=0.1)


def test_midspan_moment() -> None:
    """Fixed-end beam w = 10 kN/m, L = 6 m: V1 = 30 kN, M1 = wL^2/12 = 30 kN m -> -30 + 30 x 3 - 45 = 15
    = wL^2/24; simply supported (M1 = 0): 45 = wL^2/8."""
    assert _midspan(np.array([0, 30.0, 30.0, 0, 30.0, -30.0]), 10.0, 6.0) == pytest.approx(15.0)
    assert _midspan(np.array([0, 30.0, 0.0, 0, 30.0, 0.0]), 10.0, 6.0) == pytest.approx(45.0)


def test_beam_bars_take_a_second_layer() -> None:
    """4000 mm2 in a 300 mm beam: in one layer no bar size fits (5C32: (300 - 70 - 160) / 4 = 17.5 mm clear
    < 48 mm); in two layers 5C32 (3/2: (300 - 70 - 96) / 2 = 67 mm clear) = 4021 mm2, with C28 7 bars need 4 per
    layer (39 mm < 42 mm). Two layers put the bars' centroid 65 mm from the face."""
    from civilinstruct.design.members import beam_bars
    from civilinstruct.design.result import Bars

    assert beam_bars(4.0e-3, 0.3, 1) is None
    n, d, area = beam_bars(4.0e-3, 0.3, 2)
    assert (n, d) == (5, 32) and area == pytest.approx(4.021e-3, rel=1e-3)
    bars = Bars(count=n, diameter_mm=d, area_m2=area, layers=2)
    assert bars.label == "5C32 3/2" and bars.cover_m == 0.065
