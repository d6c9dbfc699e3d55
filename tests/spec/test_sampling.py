"""Seeded spec sampling (`spec.sampling`): inside the code limits, reproducible, prefix-stable, independent streams."""

from __future__ import annotations

from civilinstruct.physics import codes
from civilinstruct.spec.sampling import MAX_STORIES, SPANS, iter_specs, sample_specs


def test_every_spec_respects_the_frame_height_limit_and_the_tables() -> None:
    specs = sample_specs(400, seed=11)
    for s in specs:
        assert 3 <= s.stories <= MAX_STORIES
        assert s.height_m <= codes.MAX_HEIGHT_FRAME_M[s.intensity] + 1e-9, s
        assert s.pga_g == codes.PGA_G[s.intensity] and s.function in codes.FUNCTIONS
        assert 2 <= s.bays_x <= 6 and 2 <= s.bays_y <= 4 and s.span_x_m in SPANS  # no single-span frames
    assert {s.intensity for s in specs} == set(codes.INTENSITIES)  # 400 draws reach every intensity
    assert max(s.stories for s in specs) == MAX_STORIES


def test_same_seed_same_list_and_a_prefix_is_a_prefix() -> None:
    assert sample_specs(30, seed=3) == sample_specs(30, seed=3)
    assert sample_specs(5, seed=3) == sample_specs(30, seed=3)[:5]
    assert sample_specs(30, seed=3) != sample_specs(30, seed=4)


def test_streams_are_independent_and_iteration_is_lazy() -> None:
    assert sample_specs(10, 0) != sample_specs(10, 0, stream="bmeval-specs")
    specs = iter_specs(10**9, seed=0)  # a billion specs cost nothing until asked for
    assert next(specs) == sample_specs(1, 0)[0]


def test_tall_ground_floor_functions_get_tall_stories() -> None:
    for s in sample_specs(300, seed=5):
        if s.function in {"factory", "mall"}:
            assert s.story_height_m >= 3.9
