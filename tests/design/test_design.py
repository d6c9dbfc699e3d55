"""Rule-based design: a one-bay portal worked by hand, checks on sampled designs, and rule violations."""

from __future__ import annotations

import math

import pytest

from civilinstruct.design import BuildingSpec, DesignError, basis, design, sample_specs
from civilinstruct.design.design import column_groups
from civilinstruct.physics.spectrum import alpha


def test_one_story_portal_worked_by_hand() -> None:
    """A 1-story, 1 x 1 bay office frame, 6 m spans, 3.5 m high, intensity 7 (0.10g), group 2, site II.

    Grades: office -> category C; 7 degrees, H = 3.5 m <= 24 m -> grade 3 for measures and details, axial limit
    0.85; C30 (Ec 3.0e4 MPa). One bay in Y is allowed (category C, <= 24 m, grade 3), and both X frames are
    edge frames: tributary 6 / 2 = 3 m, beam flange factor 1.5 (JGJ 3-2010 5.2.2). Tg = 0.40 s, alpha_max 0.08.
    Initial sizes: beams 6 / 12 = 0.5 m x 0.25 m; N = 1.3 x 1.25 x 1 x 10.5 kPa x 6 x 3 m2 = 307 kN ->
    sqrt(307 / (0.85 x 14300)) = 0.16 m -> minimum 400 mm.
    Roof line load: dead 5.5 x 3 + 25 x 0.25 x 0.5 = 19.625 kN/m, live 0.5 x 3 = 1.5; D + 0.5L = 20.375 kN/m.
    Joint load: half column 25 x 3.5 x 0.16 / 2 = 7.0 + transverse beam 25 x 0.25 x 0.5 x 3 = 9.375 = 16.375 kN.
    Node mass (20.375 x 3 + 16.375) / 9.81 = 7.9001 t; frame weight 155.0 kN.
    Stiffness (gross columns, flanged beam): Ic = 0.4^4 / 12 = 2.1333e-3, Ib = 1.5 x 0.25 x 0.5^3 / 12 = 3.9063e-3;
    kc = E Ic / h = 18286, kb = E Ib / L = 19531 kN m; sway stiffness (equal joint rotations)
    k = 24 E Ic / h^3 x (kc + 6 kb) / (4 kc + 6 kb) = 35825 x 0.7118 = 25500 kN/m.
    T1 = 2 pi sqrt(15.800 / 25500) = 0.1564 s; psi_T T1 = 0.109 s on the plateau -> alpha = 0.08;
    V = 0.08 x 155.0 = 12.40 kN; drift = 12.40 / 25500 / 3.5 = 1.389e-4.
    Stability: G = 1.3 (19.625 x 6 + 2 x 16.375) + 1.5 x 1.5 x 6 = 195.65 + 13.5 = 209.15 kN;
    theta = 209.15 x 1.389e-4 / 12.40 = 2.34e-3 <= 0.05 (JGJ 3-2010 5.4.1).
    Column steel: corner column of grade 3: 0.8 - 0.05 = 0.75 % x 0.16 = 1200 mm2; 3C16 per side = 8 bars
    (corners once) = 1608 mm2 >= 1200, 160 mm apart.
    """
    spec = BuildingSpec(function="office", stories=1, story_height_m=3.5, bays_x=1, bays_y=1, span_x_m=6.0,
                        span_y_m=6.0, intensity=7, pga_g=0.10, design_group=2, site_class="II")
    d = design(spec)
    assert (d.category, d.seismic_grade, d.details_grade, d.axial_limit) == ("C", 3, 3, 0.85)
    assert (d.concrete, d.tg_s, d.alpha_max) == ("C30", 0.40, 0.08)
    assert (d.frame_position, d.tributary_m, d.beam_crack, d.col_crack) == ("edge", 3.0, 1.5, 1.0)
    assert d.column_groups[0].size_m == 0.4 and (d.beam_b_m, d.beam_h_m) == (0.25, 0.5)
    assert d.beam_w_kn_m == [pytest.approx(20.375)]
    assert (d.beam_w_dead_kn_m, d.beam_w_live_kn_m) == ([pytest.approx(19.625)], [pytest.approx(1.5)])
    assert d.node_load_kn == [[pytest.approx(16.375), pytest.approx(16.375)]]
    assert d.node_mass_t[0] == [pytest.approx(7.9001, abs=1e-4)] * 2
    assert sum(d.floor_weight_kn) == pytest.approx(155.0, abs=0.01)
    assert d.floor_gravity_design_kn == [pytest.approx(209.15)]
    E, h, L = 3.0e7, 3.5, 6.0
    Ic, Ib = 0.4 ** 4 / 12, 1.5 * 0.25 * 0.5 ** 3 / 12
    kc, kb = E * Ic / h, E * Ib / L
    k = 24 * E * Ic / h ** 3 * (kc + 6 * kb) / (4 * kc + 6 * kb)
    assert k == pytest.approx(25500, rel=1e-3)
    t_hand = 2 * math.pi * math.sqrt(sum(d.node_mass_t[0]) / k)
    assert d.t1_s == pytest.approx(t_hand, rel=2e-3)  # the model also has (tiny) column axial deformation
    assert d.t1_s == pytest.approx(0.1564, abs=1e-3)
    assert d.alphas[0] == 0.08 and d.base_shear_kn == pytest.approx(12.40, abs=0.01)
    assert d.max_drift == pytest.approx(12.40 / k / h, rel=5e-3)
    assert d.stability_theta[0] == pytest.approx(209.15 * 12.40 / k / h / 12.40, rel=5e-3)
    bars = d.column_groups[0].bars_side
    assert (bars.count, bars.diameter_mm) == (3, 16) and d.column_groups[0].hoops.spacing_m == 0.1
    n_g = 155.0 / 2
    assert 1.3 * n_g / (14300 * 0.16) < d.max_axial_ratio < (1.3 * n_g + 1.4 * 12.40 * h / L) / (14300 * 0.16)
    assert max(d.max_beam_dc, d.max_column_dc, d.max_gravity_dc, d.max_shear_dc, d.scwb_ratio) <= 1.0


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
        assert spec.bays_y >= 2  # the sampler makes no single-span frames (GB 50011 6.1.5)
        try:
            d = design(spec)
        except DesignError as exc:
            assert "short columns" in str(exc) or "drift" in str(exc) or "ratio" in str(exc)
            continue
        designed += 1
        assert d.max_drift <= 1 / 550 and d.max_axial_ratio <= d.axial_limit and d.max_theta <= 0.10
        assert max(d.max_beam_dc, d.max_column_dc, d.max_gravity_dc, d.max_shear_dc, d.scwb_ratio) <= 1.0
        assert d.min_shear_span_ratio >= 1.5
        assert spec.span_x_m / 12.0 - 0.05 <= d.beam_h_m <= spec.span_x_m / 6.0 + 0.05
        assert (d.frame_position, d.tributary_m, d.beam_crack) == ("interior", spec.span_y_m, 2.0)
        assert d.periods_s == sorted(d.periods_s, reverse=True)
        # alpha read at psi_T x T1 (JGJ 3-2010 4.3.17)
        assert d.alphas[0] == pytest.approx(alpha(0.7 * d.t1_s, spec.intensity, spec.design_group,
                                                  spec.site_class), rel=1e-3)
        assert d.mass_ratio >= 0.9
        assert d.story_shear_kn == sorted(d.story_shear_kn, reverse=True)
        sizes = [d.column_size(s) for s in range(1, spec.stories + 1)]
        assert sizes == sorted(sizes, reverse=True)
        for g in d.column_groups:  # corner bars once, each side >= 0.2 %, spacing limits (GB 50011 6.3.7-6.3.8)
            a1 = g.bars_side.area_m2 / g.bars_side.count
            total = 4 * (g.bars_side.count - 1) * a1
            assert total >= basis.MIN_COLUMN_RHO[d.details_grade] * g.size_m ** 2 - 1e-9
            assert g.bars_side.area_m2 >= 0.002 * g.size_m ** 2 - 1e-9
            assert basis.column_bars_ok(g.size_m, g.bars_side.count, g.bars_side.diameter_mm)
    assert designed >= 40


def test_beams_grow_before_columns() -> None:
    """A drift-governed frame (intensity 9, site III): the first drift failures deepen the beams from span/12
    (550 mm) while the columns keep their axial-ratio size; columns grow for drift only once the beams are at least
    span/10 = 660 mm deep."""
    d = design(BuildingSpec(function="office", stories=3, story_height_m=3.3, bays_x=2, bays_y=4, span_x_m=6.6,
                            span_y_m=6.6, intensity=9, pga_g=0.40, design_group=3, site_class="III"))
    rows = [line for line in d.iterations if line.startswith("iteration")]
    columns = [row.split("columns ")[1].split(" mm")[0] for row in rows]
    depths = [int(row.split("beams ")[1].split(" mm")[0].split("x")[1]) for row in rows]
    assert rows[0].endswith("drift fails") and columns[1] == columns[0] and depths[1] > depths[0] == 550
    grown = [i for i in range(len(rows) - 1) if rows[i].endswith("drift fails") and columns[i + 1] != columns[i]]
    assert grown and all(depths[i] >= 660 for i in grown)
    assert d.beam_h_m <= 6.6 / 8 + 0.05  # beams stay within span/8


def test_gravity_only_combination_governs_a_heavy_floor() -> None:
    """A factory (live 4.0 kPa) at intensity 7: 1.3D + 1.5L is checked besides the seismic combination."""
    d = design(BuildingSpec(function="factory", stories=3, story_height_m=4.5, bays_x=3, bays_y=3, span_x_m=8.0,
                            span_y_m=8.0, intensity=7, pga_g=0.10, design_group=1, site_class="II"))
    assert 0.0 < d.max_gravity_dc <= 1.0
    assert d.max_gravity_dc > d.max_beam_dc  # the seismic combination does not govern these beams


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
