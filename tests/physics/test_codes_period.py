"""Code tables (Tg, a_max, height limits, seismic grade) and the empirical period formula."""

from __future__ import annotations

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.physics import codes
from civilinstruct.physics.period import empirical_period, rough_period_range


@pytest.mark.parametrize("group, site, tg", [(1, "I0", 0.20), (1, "IV", 0.65), (2, "II", 0.40), (2, "III", 0.55),
                                             (3, "I1", 0.35), (3, "IV", 0.90)])
def test_tg_table(group: int, site: str, tg: float) -> None:
    assert codes.characteristic_period(group, site) == tg


def test_tg_table_grows_with_softer_sites_and_later_groups() -> None:
    for group in (1, 2, 3):
        row = [codes.TG[group][s] for s in codes.SITE_CLASSES]
        assert row == sorted(row)
    for site in codes.SITE_CLASSES:
        assert codes.TG[1][site] < codes.TG[2][site] < codes.TG[3][site]


def test_unknown_site_or_group_is_a_user_error() -> None:
    with pytest.raises(CivilError, match="site class"):
        codes.characteristic_period(2, "V")
    with pytest.raises(CivilError, match="design group"):
        codes.characteristic_period(4, "II")


@pytest.mark.parametrize("intensity, a_max, pga, hmax", [(7, 0.08, 0.10, 50), (7.5, 0.12, 0.15, 50),
                                                         (8, 0.16, 0.20, 40), (8.5, 0.24, 0.30, 35),
                                                         (9, 0.32, 0.40, 24)])
def test_intensity_tables(intensity: float, a_max: float, pga: float, hmax: float) -> None:
    assert codes.alpha_max(intensity) == a_max
    assert codes.PGA_G[intensity] == pga
    assert codes.intensity_from_pga(pga) == intensity
    assert codes.max_frame_height(intensity) == hmax


@pytest.mark.parametrize("intensity, height, grade", [(7, 24, 3), (7, 24.1, 2), (7.5, 30, 2), (8, 20, 2),
                                                      (8, 30, 1), (8.5, 24, 2), (9, 15, 1)])
def test_seismic_grade(intensity: float, height: float, grade: int) -> None:
    assert codes.seismic_grade(intensity, height) == grade


def test_live_loads() -> None:
    assert codes.live_load("mall") == 3.5
    assert codes.live_load("school") == 2.5
    with pytest.raises(CivilError, match="function"):
        codes.live_load("castle")


def test_empirical_period_by_hand() -> None:
    # H = 17.5 m, B = 18 m: 0.25 + 0.53e-3 * 306.25 / 18^(1/3) = 0.25 + 0.162313 / 2.620741 = 0.311934
    assert empirical_period(17.5, 18.0) == pytest.approx(0.311934, abs=2e-6)
    # with psi_T = 0.7 the bare-frame equivalent is T / 0.7
    assert empirical_period(17.5, 18.0, psi_t=0.7) == pytest.approx(0.311934 / 0.7, abs=3e-6)
    # H = 40 m, B = 24 m: 0.25 + 0.848 / 2.884499 = 0.543986
    assert empirical_period(40.0, 24.0) == pytest.approx(0.543986, abs=2e-6)
    assert rough_period_range(10) == pytest.approx((0.8, 1.0))
    with pytest.raises(ValueError):
        empirical_period(0.0, 10.0)
