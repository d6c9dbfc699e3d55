"""`--ground-truth band`: the range of T1 over code-compliant designs of a case's building.

An instruction states no member sizes, so more than one design is right, and one reference period (the design
module's own sizing) is only one point of that range. The band's two ends, both on the design's own 50 mm steps:

- flexible end (longest T1): the design module's sizing (`design(spec)`), which starts small and enlarges
  members only until every check passes (drift 1/550, axial compression ratio, reinforcement ratios), so it is
  the most flexible sizing that still passes;
- stiff end (shortest T1), "within practical proportions": columns enlarged step by step while the axial
  compression ratio of the most loaded column stays at or above `AXIAL_FLOOR` (columns bigger than that are
  oversized in practice), at most `MAX_COLUMN_M`; X beams deepened to span / `BEAM_DEPTH_RATIO` when shallower
  (GB practice: h = L/8 to L/12), width h/2 as the design sizes them. The added member weight is added to the
  floor masses. Stiffer members only lower the drift and the axial ratio; the stiffer frame attracts larger
  seismic moments, which a designer covers with more bars (bars do not change T1). `resized` keeps the
  reference's bars, so some of its programs fail their own flexure check: benchmarks/ground_truth_modes.py
  counts only the variants whose own programs pass every check.

T1 of the stiff end comes from the design module's own plane-frame model (`FrameModel`), the same model the
generated programs build.
"""

from __future__ import annotations

import math
from typing import Any

AXIAL_FLOOR = 0.30
BEAM_DEPTH_RATIO = 8.0
STEP_M = 0.05
MAX_COLUMN_M = 1.5
CONCRETE_KN_M3 = 25.0
G = 9.81


def _steps_down(x: float) -> float:
    return round(math.floor(x / STEP_M + 1e-9) * STEP_M, 3)


def _steps_up(x: float) -> float:
    return round(math.ceil(x / STEP_M - 1e-9) * STEP_M, 3)


def resized(d: Any, column_add_m: float, beam_h_m: float) -> Any:
    """The design `d` with every column `column_add_m` larger and X beams `beam_h_m` deep (width h/2, >= 250 mm);
    floor masses carry the member weight that changed. Bars stay the design's."""
    s = d.spec
    beam_b = max(0.25, _steps_up(beam_h_m / 2.0))
    groups = [g.model_copy(update={"size_m": round(g.size_m + column_add_m, 3)}) for g in d.column_groups]
    new = d.model_copy(update={"column_groups": groups, "beam_b_m": beam_b, "beam_h_m": beam_h_m})
    masses = []
    for floor in range(1, s.stories + 1):
        below = new.column_size(floor) ** 2 - d.column_size(floor) ** 2
        above = (new.column_size(floor + 1) ** 2 - d.column_size(floor + 1) ** 2) if floor < s.stories else 0.0
        d_col = CONCRETE_KN_M3 * s.story_height_m * (below + above) / 2.0 / G
        d_beam = CONCRETE_KN_M3 * (beam_b * beam_h_m - d.beam_b_m * d.beam_h_m) * s.span_x_m / G
        row = d.node_mass_t[floor - 1]
        masses.append([round(m + d_col + d_beam * (0.5 if line in (0, len(row) - 1) else 1.0), 4)
                       for line, m in enumerate(row)])
    return new.model_copy(update={"node_mass_t": masses})


def stiff_end(d: Any) -> Any:
    """The stiffest design within practical proportions (see the module docstring)."""
    base = d.column_size(1)
    # the axial ratio scales with 1 / b^2 of the governing (base) column
    largest = _steps_down(base * math.sqrt(max(d.max_axial_ratio, 1e-9) / AXIAL_FLOOR))
    add = max(0.0, min(largest, MAX_COLUMN_M) - base)
    beam_h = max(d.beam_h_m, _steps_down(d.spec.span_x_m / BEAM_DEPTH_RATIO))
    return resized(d, round(add, 3), round(beam_h, 3))


def frame_t1(d: Any) -> float:
    """T1 of a design's plane frame from the design module's own model."""
    from civilinstruct.design.frame import Frame, FrameModel

    s = d.spec
    frame = Frame(bays=s.bays_x, stories=s.stories, span=s.span_x_m, h=s.story_height_m, E=d.Ec_mpa * 1e3,
                  col_b=[d.column_size(k) for k in range(1, s.stories + 1)], beam_b=d.beam_b_m, beam_h=d.beam_h_m,
                  col_crack=d.col_crack, beam_crack=d.beam_crack, beam_w=d.beam_w_kn_m, node_load=d.node_load_kn,
                  mass=d.node_mass_t)
    periods, _, _ = FrameModel(frame).modes(1)
    return float(periods[0])


def period_band(spec: Any) -> dict[str, Any]:
    """{"lo", "hi"} (s) of a spec's code-compliant designs, and the sizes at each end; DesignError if none."""
    from civilinstruct.design import design

    d = design(spec)
    stiff = stiff_end(d)
    lo, hi = frame_t1(stiff), frame_t1(d)
    return {"lo": round(min(lo, hi), 5), "hi": round(max(lo, hi), 5), "design_t1_s": d.t1_s,
            "flexible": {"column_m": d.column_size(1), "beam_h_m": d.beam_h_m},
            "stiff": {"column_m": stiff.column_size(1), "beam_h_m": stiff.beam_h_m},
            "rule": f"flexible: the design's sizing; stiff: axial ratio >= {AXIAL_FLOOR}, beams <= span/"
                    f"{BEAM_DEPTH_RATIO:g}, {STEP_M * 1000:.0f} mm steps"}


def band_for_instruction(instruction: str) -> dict[str, Any] | None:
    """`period_band` of the building an instruction describes; None when it names none or cannot be designed."""
    from civilinstruct.errors import CivilError
    from civilinstruct.spec.instructions import parse_instruction

    try:
        return period_band(parse_instruction(instruction))
    except CivilError:
        return None
