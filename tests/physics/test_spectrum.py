"""The GB 50011 5.1.5 spectrum against values worked by hand."""

from __future__ import annotations

import pytest

from civilinstruct.physics.spectrum import alpha, alpha_from, damping_factors


@pytest.mark.parametrize("T, expected", [
    (0.0, 0.45 * 0.16),                        # ground: 0.45 a_max
    (0.05, (0.45 + 10 * 0.55 * 0.05) * 0.16),  # rising line: 0.116
    (0.1, 0.16),                               # plateau starts at 0.1 s
    (0.3, 0.16),
    (0.4, 0.16),                               # ... and ends at Tg
    (1.0, 0.4 ** 0.9 * 0.16),                  # curve: 0.070141
    (2.0, 0.2 ** 0.9 * 0.16),                  # 5 Tg
    (2.5, (0.2 ** 0.9 - 0.02 * 0.5) * 0.16),   # straight decay: 0.035987
])
def test_alpha_intensity_8_group_2_site_ii(T: float, expected: float) -> None:
    assert alpha(T, 8, 2, "II") == pytest.approx(expected, rel=1e-9)


def test_hand_values_to_four_digits() -> None:
    assert alpha(1.0, 8, 2, "II") == pytest.approx(0.070141, abs=5e-6)
    assert alpha(2.5, 8, 2, "II") == pytest.approx(0.035987, abs=5e-6)
    # intensity 7 (0.08), group 1, site I0 (Tg 0.20): T = 0.5 s -> (0.2/0.5)^0.9 * 0.08 = 0.035070
    assert alpha(0.5, 7, 1, "I0") == pytest.approx(0.035070, abs=5e-6)
    # intensity 9 (0.32), group 3, site IV (Tg 0.90): T = 0.6 s on the plateau
    assert alpha(0.6, 9, 3, "IV") == pytest.approx(0.32)


@pytest.mark.parametrize("zeta, gamma, eta1, eta2", [
    (0.05, 0.9, 0.02, 1.0),
    (0.02, 0.9 + 0.03 / 0.42, 0.02 + 0.03 / 4.64, 1 + 0.03 / 0.112),   # 0.97143, 0.02647, 1.26786
    (0.10, 0.9 - 0.05 / 0.9, 0.02 - 0.05 / 7.2, 1 - 0.05 / 0.24),      # 0.84444, 0.01306, 0.79167
])
def test_damping_factors(zeta: float, gamma: float, eta1: float, eta2: float) -> None:
    got = damping_factors(zeta)
    assert got == pytest.approx((gamma, eta1, eta2), rel=1e-12)


def test_damping_changes_plateau_and_decay() -> None:
    assert alpha_from(0.3, 0.16, 0.4, 0.02) == pytest.approx(1.267857 * 0.16, rel=1e-5)
    assert alpha_from(0.3, 0.16, 0.4, 0.10) == pytest.approx(0.791667 * 0.16, rel=1e-5)
    g = 0.9 + 0.03 / 0.42
    assert alpha_from(1.2, 0.16, 0.4, 0.02) == pytest.approx((0.4 / 1.2) ** g * (1 + 0.03 / 0.112) * 0.16)


@pytest.mark.parametrize("tg", [0.2, 0.35, 0.65, 0.9])
def test_spectrum_is_continuous_at_its_corners(tg: float) -> None:
    for corner in (0.1, tg, 5 * tg):
        assert alpha_from(corner - 1e-9, 0.16, tg) == pytest.approx(alpha_from(corner + 1e-9, 0.16, tg), rel=1e-6)


def test_out_of_range_period_is_refused() -> None:
    with pytest.raises(ValueError):
        alpha_from(6.5, 0.16, 0.4)
