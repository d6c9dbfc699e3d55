"""`ModelProbe`: the OpenSees model a program actually built, as the sandbox's probe read it from the domain.

The probe (`probe.py`, inside the sandbox) sends raw snapshots of the domain (node coordinates, fixities, masses,
element types and connectivity) and the eigenvalues of the program's own `eigen` calls; `summarise` turns them into
the few numbers the reward and the spec check compare with the instruction: floors, story heights, spans, mass, T1.

Units are the program's: the project's programs use kN, m, s, so masses are in tonnes (kN s^2/m) and lengths in m.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Snapshot = Literal["eigen", "wipe", "end"]


class ModelProbe(BaseModel):
    """What the program modelled (read from the OpenSees domain, not from what it printed)."""

    ndm: int | None = Field(None, description="model dimension (2 or 3)")
    ndf: int | None = Field(None, description="degrees of freedom per node (of the first node)")
    nodes: int = 0
    elements: int = 0
    element_types: dict[str, int] = Field(default_factory=dict, description="element class name -> count")
    fixed_nodes: int = Field(0, description="nodes with at least one fixed DOF")
    vertical_axis: Literal["y", "z"] | None = Field(None, description="the axis read as vertical")
    stories: int = Field(0, description="distinct floor elevations above the base")
    floor_elevations_m: list[float] = Field(default_factory=list, description="above the base, ascending")
    story_heights_m: list[float] = Field(default_factory=list, description="differences of successive floors")
    spans_m: dict[str, list[float]] = Field(
        default_factory=dict, description="per horizontal direction ('x', 'y'): gaps between distinct column lines")
    total_mass_t: float = Field(0.0, description="sum of nodal translational mass in the first horizontal "
                                                 "direction (tonnes when the program uses kN, m, s)")
    eigen_periods_s: list[float] = Field(default_factory=list,
                                         description="2*pi/sqrt(lambda) of the program's last successful eigen call")
    eigen_calls: int = 0
    eigen_failed: bool = Field(False, description="an eigen call raised or returned no positive eigenvalue")
    snapshot: Snapshot | None = Field(None, description="when the model was read: at the last successful eigen "
                                                        "call, before a wipe, or at the program's end")
    truncated: bool = Field(False, description="the model was too large to read whole (counts stay right)")
