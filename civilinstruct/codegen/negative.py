"""Negative samples (issue 16, item 6): the instruction gives the members, deliberately light, and the right answer
is FAIL with the failing check named, so a model learns to verify rather than to print PASS.

The light design keeps the designed sections (so periods and drifts stay those of the design model, and the score
still compares them) and gives the beams fewer bars: flexural capacity falls roughly with the steel area, so
keeping `LIGHT_SHARE` of the bars the design needed at its worst D/C pushes the beams past D/C 1.
"""

from __future__ import annotations

import math
import random

from civilinstruct.design import Design
from civilinstruct.design.result import Bars

NEGATIVE_SHARE = 0.18  # of long_code samples (the issue asks for >= 10%)
LIGHT_SHARE = 0.65  # bars kept, as a share of those the worst beam needs (count x D/C)
EXPECTED_FAIL = "Beam flexure check"


def is_negative(seed: int, index: int) -> bool:
    """Whether the index-th sample of a build is a negative one (seeded, about `NEGATIVE_SHARE` of them)."""
    return random.Random(f"civilinstruct-negative-{seed}-{index}").random() < NEGATIVE_SHARE


def light_design(d: Design) -> Design:
    """The design with too few beam bars (at least 2, one layer): the beam flexure check must fail."""
    bars = d.beam_bars
    count = max(2, min(bars.count - 1, math.floor(LIGHT_SHARE * bars.count * d.max_beam_dc)))
    area = count * math.pi * (bars.diameter_mm / 1000.0) ** 2 / 4.0
    light = Bars(count=count, diameter_mm=bars.diameter_mm, area_m2=area, layers=1)
    return d.model_copy(update={"beam_bars": light})


def given_members(d: Design, language: str) -> str:
    """The sentence a negative instruction adds: the members as given, and the request to check them."""
    columns_en = ", ".join(f"{g.size_m * 1000:.0f} x {g.size_m * 1000:.0f} mm with {g.bars_side.label} per side "
                           f"(stories {g.first_story}-{g.last_story})" for g in d.column_groups)
    columns_zh = "，".join(f"第 {g.first_story}-{g.last_story} 层 {g.size_m * 1000:.0f} x {g.size_m * 1000:.0f} mm、"
                          f"每侧 {g.bars_side.label}" for g in d.column_groups)
    beam = f"{d.beam_b_m * 1000:.0f} x {d.beam_h_m * 1000:.0f} mm"
    if language == "zh":
        return (f"\n已给定构件：柱 {columns_zh}；梁 {beam}，梁端上下各配 {d.beam_bars.label}。"
                "请按给定构件建模并验算，说明是否满足规范，不满足时指出未通过的验算项。")
    return (f"\nThe members are given: columns {columns_en}; beams {beam} with {d.beam_bars.label} top and bottom at "
            "the ends. Model and check this design as given, and say whether it complies; name any check that "
            "fails.")
