"""Seeded sampling of building specs inside the code limits (DESIGN §4); same seed, same list."""

from __future__ import annotations

import random
from collections.abc import Iterator

from civilinstruct.spec.model import BuildingSpec
from civilinstruct.physics import codes

STORY_HEIGHTS = (3.0, 3.3, 3.6, 3.9, 4.2, 4.5)
SPANS = (4.5, 5.0, 5.4, 6.0, 6.6, 7.2, 7.5, 8.0)
MAX_STORIES = 16  # keeps each program at a few hundred DOF
# Malls, hospitals, factories and schools have tall ground floors and rarely many stories; a light bias only.
HEIGHT_BIAS = {"factory": (3.9, 4.2, 4.5), "mall": (3.9, 4.2, 4.5)}


def sample_spec(rng: random.Random) -> BuildingSpec:
    """One spec: function, intensity, site, then geometry within the RC-frame height limit."""
    function = rng.choice(codes.FUNCTIONS)
    intensity = rng.choice(codes.INTENSITIES)
    story_height = rng.choice(HEIGHT_BIAS.get(function, STORY_HEIGHTS))
    max_stories = min(MAX_STORIES, int(codes.MAX_HEIGHT_FRAME_M[intensity] / story_height + 1e-9))
    stories = rng.randint(min(3, max_stories), max_stories)
    return BuildingSpec(
        function=function, stories=stories, story_height_m=story_height,
        bays_x=rng.randint(2, 6), bays_y=rng.randint(2, 4),  # no single-span frames (GB 50011 6.1.5)
        span_x_m=rng.choice(SPANS), span_y_m=rng.choice(SPANS),
        intensity=intensity, pga_g=codes.PGA_G[intensity],
        design_group=rng.choice(codes.DESIGN_GROUPS), site_class=rng.choice(codes.SITE_CLASSES),
    )


def iter_specs(n: int, seed: int, stream: str = "civilinstruct-specs") -> Iterator[BuildingSpec]:
    """`n` specs from `seed`, made as they are asked for: a build of a million specs holds one at a time.

    `stream` names an independent sequence: the benchmark samples its own, so `build --seed 0` and
    `bench cases --seed 0` do not draw the same buildings.
    """
    rng = random.Random(f"{stream}-{seed}")
    for _ in range(n):
        yield sample_spec(rng)


def sample_specs(n: int, seed: int, stream: str = "civilinstruct-specs") -> list[BuildingSpec]:
    """`n` specs from `seed`; the first k of `sample_specs(n, s)` equal `sample_specs(k, s)`."""
    return list(iter_specs(n, seed, stream))
