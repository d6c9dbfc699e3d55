"""Rule-based design: a one-bay portal worked by hand, checks on sampled designs, and rule violations."""

from __future__ import annotations

import math

import pytest

from civilinstruct.design import BuildingSpec, DesignError, design, sample_specs
from civilinstruct.design.design import column_groups
from civilinstruct.physics.spectrum import alpha


def test_one_story_portal_worked_by_hand() -> None:
    """A 1-story, 1 x 1 bay office frame, 6 m spans, 3.5 m high, intensity 7 (0.10g), group 2, site II.

    Grade and limits: H = 3.5 m <= 24 m at intensity 7 -> seismic grade 3, axial limit 0.85; C30 (Ec 3.0e4 MPa).
    Tg (group 2, site II) = 0.40 s, alpha_max = 0.08.
    Initial columns: N = 1.25 x 1 x (5.5 + 0.5 x 2.0 + 4.0) kPa x 36 m2 = 472.5 kN -> sqrt(472.5 / (0.85 x 14300))
    = 0.197 m -> minimum 400 mm; beams 6 / 12 = 0.5 m deep (minimum 500 mm), 250 mm wide.
    Roof line load (no infill on the roof): (5.5 + 0.5 x 0.5) x 6 + 25 x 0.25 x 0.5 = 34.5 + 3.125 = 37.625 kN/m.
    Joint load: half column 25 x 3.5 x 0.16 / 2 = 7.0 kN + transverse beam 25 x 0.25 x 0.5 x 6 = 18.75 kN
    = 25.75 kN. Node mass: (37.625 x 6 / 2 + 25.75) / 9.81 = 14.131 t; frame weight 277.25 kN.
    Stiffness (cracked): Ic = 0.7 x 0.4^4 / 12 = 1.4933e-3 m4, Ib = 0.5 x 0.25 x 0.5^3 / 12 = 1.3021e-3 m4;
    kc = E Ic / h = 12800 kN m, kb = E Ib / L = 6510 kN m. Slope-deflection for the sway mode (joint rotations
    equal): k = 24 E Ic / h^3 x (kc + 6 kb) / (4 kc + 6 kb) = 25077 x 0.5746 = 14409 kN/m.
    T1 = 2 pi sqrt(28.262 / 14409) = 0.278 s <= Tg -> alpha = alpha_max = 0.08; V = 0.08 x 277.25 = 22.18 kN;
    drift = V / k / h = 22.18 / 14409 / 3.5 = 4.40e-4 = 1/2273 <= 1/550.
    """
    spec = BuildingSpec(function="office", stories=1, story_height_m=3.5, bays_x=1, bays_y=1, span_x_m=6.0,
                        span_y_m=6.0, intensity=7, pga_g=0.10, design_group=2, site_class="II")
    d = design(spec)
    assert (d.seismic_grade, d.axial_limit, d.concrete, d.tg_s, d.alpha_max) == (3, 0.85, "C30", 0.40, 0.08)
    assert d.column_groups[0].size_m == 0.4 and (d.beam_b_m, d.beam_h_m) == (0.25, 0.5)
    assert d.beam_w_kn_m == [pytest.approx(37.625)]
    assert d.node_load_kn == [[pytest.approx(25.75), pytest.approx(25.75)]]
    assert d.node_mass_t[0] == [pytest.approx(14.131, abs=1e-3)] * 2
    assert sum(d.floor_weight_kn) == pytest.approx(277.25, abs=0.01)
    E, h, L = 3.0e7, 3.5, 6.0
    Ic, Ib = 0.7 * 0.4 ** 4 / 12, 0.5 * 0.25 * 0.5 ** 3 / 12
    kc, kb = E * Ic / h, E * Ib / L
    k = 24 * E * Ic / h ** 3 * (kc + 6 * kb) / (4 * kc + 6 * kb)
    assert k == pytest.approx(14409, rel=1e-3)
    t_hand = 2 * math.pi * math.sqrt(sum(d.node_mass_t[0]) / k)
    assert d.t1_s == pytest.approx(t_hand, rel=2e-3)  # the model also has (tiny) column axial deformation
    assert d.t1_s == pytest.approx(0.278, abs=1e-3)
    assert d.alphas[0] == 0.08 and d.base_shear_kn == pytest.approx(22.18, abs=0.01)
    assert d.max_drift == pytest.approx(22.18 / k / h, rel=5e-3)
    n_g = 277.25 / 2
    assert 1.2 * n_g / (14300 * 0.16) < d.max_axial_ratio < (1.2 * n_g + 1.3 * 22.18 * h / L) / (14300 * 0.16)
    assert d.max_beam_dc <= 1.0 and d.max_column_dc <= 1.0


def test_sampling_is_seeded_and_prefix_stable() -> None:
    assert sample_specs(20, 3) == sample_specs(20, 3)
    assert sample_specs(20, 3)[:5] == sample_specs(5, 3)
    assert sample_specs(20, 3) != sample_specs(20, 4)
    for spec in sample_specs(200, 0):
        assert 3.0 <= spec.story_height_m <= 4.5 and 4.5 <= spec.span_x_m <= 8 and 4.5 <= spec.span_y_m <= 8
        assert spec.height_m <= {7: 50, 7.5: 50, 8: 40, 8.5: 35, 9: 24}[spec.intensity]


def test_sampled_designs_pass_every_check() -> None:
    designed = 0
    for spec in sample_specs(60, 11):
        try:
            d = design(spec)
        except DesignError as exc:
            assert "drift" in str(exc) or "ratio" in str(exc)
            continue
        designed += 1
        assert d.max_drift <= 1 / 550 and d.max_axial_ratio <= d.axial_limit
        assert d.max_beam_dc <= 1.0 and d.max_column_dc <= 1.0
        assert d.periods_s == sorted(d.periods_s, reverse=True)
        assert d.alphas[0] == pytest.approx(alpha(d.t1_s, spec.intensity, spec.design_group, spec.site_class),
                                            rel=1e-3)
        assert d.mass_ratio >= 0.9
        assert d.story_shear_kn == sorted(d.story_shear_kn, reverse=True)
        sizes = [d.column_size(s) for s in range(1, spec.stories + 1)]
        assert sizes == sorted(sizes, reverse=True)
    assert designed >= 50


def test_column_groups_cover_every_story_once() -> None:
    for stories in range(1, 18):
        covered = [s for a, b in column_groups(stories) for s in range(a, b + 1)]
        assert covered == list(range(1, stories + 1))


@pytest.mark.parametrize("changes, rule", [
    ({"stories": 20, "intensity": 9, "pga_g": 0.40}, "exceeds the 24 m limit"),
    ({"span_x_m": 0.0}, "span along X of 0 m"),
    ({"site_class": "V"}, "unknown site class 'V'"),
    ({"design_group": 4}, "unknown design group"),
    ({"function": "castle"}, "unknown building function"),
    ({"intensity": 8, "pga_g": 0.30}, "does not match intensity 8"),
    ({"story_height_m": 9.0}, "story height 9 m"),
])
def test_impossible_specs_name_the_rule(changes: dict, rule: str) -> None:
    spec = BuildingSpec(**{**BuildingSpec().canonical(), **changes})
    with pytest.raises(DesignError, match=rule):
        design(spec)
