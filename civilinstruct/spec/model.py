"""The building a sample is about: a `BuildingSpec`, and the rules a spec given by hand must obey.

Types are checked by pydantic; engineering rules (height limits, spans, known site classes) are checked by
`check_spec`, which raises `DesignError` naming the rule, so a person typing a spec gets one clear line.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from civilinstruct.errors import CivilError
from civilinstruct.physics import codes


class DesignError(CivilError):
    """A spec that cannot be designed, with the rule it breaks in the message."""


class BuildingSpec(BaseModel):
    """An RC frame building: function, geometry and seismic setting (GB 50011 terms)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    function: str = Field("office", description="office | residential | mall | hospital | school | factory")
    stories: int = Field(5, description="number of stories above ground")
    story_height_m: float = Field(3.5, description="uniform story height in m")
    bays_x: int = Field(3, description="bays along X (the analysed direction)")
    bays_y: int = Field(2, description="bays along Y")
    span_x_m: float = Field(6.0, description="bay width along X in m")
    span_y_m: float = Field(6.0, description="bay width along Y in m")
    intensity: float = Field(8.0, description="seismic fortification intensity 7, 7.5, 8, 8.5 or 9")
    pga_g: float = Field(0.20, description="design peak ground acceleration in g (follows the intensity)")
    design_group: int = Field(2, description="design earthquake group 1, 2 or 3")
    site_class: str = Field("II", description="site class I0, I1, II, III or IV")

    @property
    def height_m(self) -> float:
        return round(self.stories * self.story_height_m, 6)

    @property
    def width_x_m(self) -> float:
        return round(self.bays_x * self.span_x_m, 6)

    @property
    def width_y_m(self) -> float:
        return round(self.bays_y * self.span_y_m, 6)

    def canonical(self) -> dict[str, Any]:
        """The spec as plain JSON-able data (the input of sample ids)."""
        return self.model_dump()

    def to_json(self) -> str:
        return json.dumps(self.canonical(), sort_keys=True)

    def to_instruction(self, variant_seed: int = 0) -> str:
        """A natural-language request for this building (see `civilinstruct.spec.instructions`)."""
        from civilinstruct.spec.instructions import render_instruction

        return render_instruction(self, variant_seed)


# Ranges a hand-given spec must lie in (wider than the sampled ranges, narrower than nonsense).
STORY_HEIGHT_RANGE = (2.8, 6.0)
SPAN_RANGE = (3.0, 12.0)
MAX_BAYS = 10


def check_spec(spec: BuildingSpec) -> None:
    """Raise `DesignError` naming the first rule the spec breaks; return quietly if it may be designed."""
    if spec.function not in codes.FUNCTIONS:
        raise DesignError(f"unknown building function {spec.function!r}: use one of {', '.join(codes.FUNCTIONS)}")
    if spec.site_class not in codes.SITE_CLASSES:
        raise DesignError(f"unknown site class {spec.site_class!r}: GB 50011 uses I0, I1, II, III or IV")
    if spec.design_group not in codes.DESIGN_GROUPS:
        raise DesignError(f"unknown design group {spec.design_group!r}: GB 50011 uses 1, 2 or 3")
    if spec.intensity not in codes.ALPHA_MAX:
        raise DesignError(f"unknown seismic intensity {spec.intensity:g}: GB 50011 uses 7, 7.5, 8, 8.5 or 9")
    if abs(codes.PGA_G[spec.intensity] - spec.pga_g) > 0.005:
        raise DesignError(f"PGA {spec.pga_g:g} g does not match intensity {spec.intensity:g} "
                          f"({codes.PGA_G[spec.intensity]:.2f} g, GB 50011 Table 3.2.2)")
    if spec.stories < 1:
        raise DesignError(f"stories = {spec.stories}: a building needs at least 1 story")
    lo, hi = STORY_HEIGHT_RANGE
    if not lo <= spec.story_height_m <= hi:
        raise DesignError(f"story height {spec.story_height_m:g} m outside {lo:g}-{hi:g} m")
    lo, hi = SPAN_RANGE
    for name, span in (("X", spec.span_x_m), ("Y", spec.span_y_m)):
        if not lo <= span <= hi:
            raise DesignError(f"span along {name} of {span:g} m outside {lo:g}-{hi:g} m for an RC frame bay")
    for name, bays in (("X", spec.bays_x), ("Y", spec.bays_y)):
        if not 1 <= bays <= MAX_BAYS:
            raise DesignError(f"{bays} bays along {name}: use 1-{MAX_BAYS}")
    limit = codes.MAX_HEIGHT_FRAME_M[spec.intensity]
    if spec.height_m > limit + 1e-9:
        raise DesignError(f"height {spec.height_m:g} m ({spec.stories} stories x {spec.story_height_m:g} m) "
                          f"exceeds the {limit:g} m limit for RC frames at intensity {spec.intensity:g} "
                          f"(GB 50011 Table 6.1.1)")
