"""Design -> OpenSeesPy program, through the jinja2 templates of `templates/`."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import jinja2

from civilinstruct.codegen.comments import COMMENTS
from civilinstruct.codegen.styles import NAMES, Style, reference_style
from civilinstruct.design import Design, basis

TEMPLATE_VERSION = "codegen-v6"  # v6: the design checks and sizes Y too (design.ydir); v5: 3D space frame, recorders
# v4: program skeletons (layout, geometry tables, fiber columns, modalProperties, 5.2.1 cross-check, report)
# v3: Chinese design basis (gross/flange stiffness, psi_T, gamma_RE, 1.3D+1.5L, shear, SCWB, P-Delta)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("civilinstruct.codegen", "templates"),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined, autoescape=False)


def _f3(x: float) -> str:
    return f"{x:.3f}"


def summary_lines(d: Design) -> list[str]:
    """The docstring summary of a program: the building and its design in a few lines."""
    s = d.spec
    return [
        f"Building: {s.function}, {s.stories} stories x {s.story_height_m:g} m (H = {s.height_m:g} m), "
        f"{s.bays_x} x {s.span_x_m:g} m bays in X, {s.bays_y} x {s.span_y_m:g} m bays in Y.",
        f"Seismic: intensity {s.intensity:g} ({s.pga_g:.2f}g), design group {s.design_group}, site class "
        f"{s.site_class}; seismic grade {d.seismic_grade}.",
        f"Materials: {d.concrete}, HRB400. Columns "
        + ", ".join(f"{g.size_m * 1000:.0f} mm (stories {g.first_story}-{g.last_story})" for g in d.column_groups)
        + f"; beams {d.beam_b_m * 1000:.0f} x {d.beam_h_m * 1000:.0f} mm.",
        f"Model: {d.frame_position} plane frame along X ({d.tributary_m:g} m of floor), rigid floor diaphragms, "
        f"gross columns, beams x{d.beam_crack:g} for the slab flange; periods x psi_T = {d.psi_t:g} for the spectrum.",
    ]


def context(d: Design, style: Style) -> dict[str, Any]:
    """Everything the templates read: the design, the style's names and comments, and tag functions."""
    s = d.spec
    lines_per_floor = s.bays_x + 1
    grid = style.numbering == "grid"

    def node(line: int, floor: int) -> int:
        return 100 * (floor + 1) + line + 1 if grid else floor * lines_per_floor + line + 1

    def col_tag(line: int, story: int) -> int:
        return 10000 + 100 * story + line + 1 if grid else (story - 1) * lines_per_floor + line + 1

    n_cols = s.stories * lines_per_floor

    def beam_tag(bay: int, floor: int) -> int:
        return 50000 + 100 * floor + bay + 1 if grid else n_cols + (floor - 1) * s.bays_x + bay + 1

    col_bars = {st: g.bars_side for g in d.column_groups for st in range(g.first_story, g.last_story + 1)}
    col_hoops = {st: g.hoops for g in d.column_groups for st in range(g.first_story, g.last_story + 1)}
    eta = SimpleNamespace(c=basis.ETA_C[d.seismic_grade], vb=basis.ETA_VB[d.seismic_grade],
                          vc=basis.ETA_VC[d.seismic_grade])
    return {
        "d": d, "st": style, "grid": grid, "v": NAMES[style.naming], "c": COMMENTS[style.language], "f3": _f3,
        "floors": range(0, s.stories + 1), "stories": range(1, s.stories + 1), "lines": list(range(lines_per_floor)),
        "bays": range(s.bays_x), "node": node, "col_tag": col_tag, "beam_tag": beam_tag, "col_bars": col_bars,
        "col_hoops": col_hoops, "eta": eta, "ft_mpa": basis.FT_MPA[d.concrete],
        "n_modes_word": str(d.n_modes), "summary": summary_lines(d), **_space_context(d, style),
    }


def _space_context(d: Design, style: Style) -> dict[str, Any]:
    """What the space-frame skeleton reads (nothing for the plane frame, whose programs stay as they were)."""
    if style.frame != "space":
        return {}
    from civilinstruct.codegen import space

    return {"sp": space.space_floors(d), "sp_line": 0 if d.frame_position == "edge" else 1,
            "sp_modes": space.space_modes(d), "sp_full": d.spec.stories <= space.FULL_EIGEN_STORIES,
            "sp_poisson": space.POISSON,
            "sp_beam_torsion": space.BEAM_TORSION}


def render_style(d: Design, style: Style) -> str:
    """The program of a design in one given style."""
    template = _environment().get_template(f"{style.layout}.py.j2")
    return template.render(**context(d, style))


def render(design: Design, style_seed: int) -> str:
    """The reference program of a design (`styles.reference_style`: a plane frame, results in memory): BMEval's
    reference T1 and drift (bench/cases.py) and bug_cot's synthetic parents are the design's plane frame, while a
    space frame's first period is the whole building's, often along Y (long_code draws the new axes itself)."""
    return render_style(design, reference_style(style_seed))
