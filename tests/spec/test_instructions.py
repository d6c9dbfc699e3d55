"""Instruction variants: many distinct phrasings (EN/ZH) that always read back as the same building."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civilinstruct.design import BuildingSpec, sample_specs
from civilinstruct.errors import CivilError
from civilinstruct.spec.instructions import DEFAULTS, parse_instruction, render_instruction
from civilinstruct.physics import codes

specs = st.builds(
    lambda function, stories, h, bx, by, sx, sy, intensity, group, site: BuildingSpec(
        function=function, stories=stories, story_height_m=h, bays_x=bx, bays_y=by, span_x_m=sx, span_y_m=sy,
        intensity=intensity, pga_g=codes.PGA_G[intensity], design_group=group, site_class=site),
    st.sampled_from(codes.FUNCTIONS), st.integers(1, 16), st.sampled_from([3.0, 3.3, 3.5, 3.6, 3.9, 4.2, 4.5]),
    st.integers(1, 8), st.integers(1, 8), st.sampled_from([4.5, 5.0, 5.4, 6.0, 6.6, 7.2, 7.5, 8.0]),
    st.sampled_from([4.5, 5.0, 6.0, 7.2, 8.0]), st.sampled_from(codes.INTENSITIES), st.sampled_from([1, 2, 3]),
    st.sampled_from(codes.SITE_CLASSES))


@settings(max_examples=300, deadline=None)
@given(spec=specs, variant=st.integers(0, 10**9))
def test_every_variant_reads_back_as_its_building(spec: BuildingSpec, variant: int) -> None:
    assert parse_instruction(render_instruction(spec, variant)) == spec


def test_at_least_a_thousand_distinct_variants() -> None:
    spec = sample_specs(1, 0)[0]
    texts = {render_instruction(spec, v) for v in range(1500)}
    assert len(texts) >= 1000
    assert any("层" in t for t in texts) and any("story" in t or "storey" in t for t in texts)
    assert any("mm" in t for t in texts) and any("\n- " in t for t in texts)


def test_variants_are_seeded() -> None:
    spec = sample_specs(1, 5)[0]
    assert render_instruction(spec, 42) == spec.to_instruction(42)
    assert render_instruction(spec, 42) != render_instruction(spec, 43)


def test_released_model_prompt_style_with_defaults() -> None:
    text = ("Generate OpenSeesPy code to model a 5-story reinforced concrete frame building: - Floor height: "
            "3.5 m - Bay width: 6 m (3 bays in X, 2 bays in Y) - Seismic intensity: 0.2g Compute the "
            "fundamental period.")
    spec = parse_instruction(text)
    assert spec == BuildingSpec(stories=5, story_height_m=3.5, bays_x=3, bays_y=2, span_x_m=6, span_y_m=6,
                                intensity=8, pga_g=0.2, **{k: DEFAULTS[k] for k in ("function", "design_group",
                                                                                   "site_class")})
    other = parse_instruction("Generate OpenSeesPy code to model a 12-story reinforced concrete frame building:\n"
                              "- Floor height: 3.3 m\n- Bay width: 7.2 m (4 bays in X, 3 bays in Y)\n"
                              "- Seismic intensity: 0.15g\nCompute the fundamental period.")
    assert (other.stories, other.story_height_m, other.span_x_m, other.bays_x, other.bays_y, other.intensity) == \
        (12, 3.3, 7.2, 4, 3, 7.5)


def test_chinese_free_text() -> None:
    spec = parse_instruction("请建立一栋8层钢筋混凝土框架医院的模型，层高3.9米，X向4跨、Y向2跨，跨度均为7200 mm，"
                             "抗震设防烈度8度（0.20g），设计地震分组第一组，III类场地。")
    assert (spec.function, spec.stories, spec.story_height_m, spec.span_x_m, spec.bays_x, spec.design_group,
            spec.site_class) == ("hospital", 8, 3.9, 7.2, 4, 1, "III")


def test_instruction_without_stories_is_a_user_error() -> None:
    with pytest.raises(CivilError, match="stories"):
        parse_instruction("Model a concrete frame with 6 m bays.")
