"""The assistant message: `<think>` the design derivation `</think>` then `<answer>` the program `</answer>`."""

from __future__ import annotations

from collections.abc import Callable

from civilinstruct.codegen.assumptions import assumption_text
from civilinstruct.codegen.hand import AXIAL_AMPLIFY, FLOOR_LOAD_KPA, estimate
from civilinstruct.codegen.render import render, render_style
from civilinstruct.codegen.styles import Style, instruction_language, reference_style, style_for
from civilinstruct.codegen.think_zh import think_text_zh
from civilinstruct.design import Design, basis, design
from civilinstruct.physics import codes


def plan_en(d: Design, given: bool = False) -> list[str]:
    """Preliminary sizing, the hand period / spectrum / base shear, and the checks to run (no FE numbers)."""
    h = estimate(d)
    s = d.spec
    columns = ", ".join(f"{g.size_m * 1000:.0f} mm (stories {g.first_story}-{g.last_story}) with "
                        f"{g.bars_side.label} per side, {g.hoops.label} hoops" for g in d.column_groups)
    return [
        f"Preliminary columns (GB 50011 6.3.6): an interior column carries about {h.area_m2:.1f} m2 per floor; at "
        f"{FLOOR_LOAD_KPA:g} kPa and x{AXIAL_AMPLIFY:g} for seismic action N = {h.n_kn:.0f} kN, so A >= N / "
        f"({d.axial_limit:.2f} fc) gives a side of at least {h.column_min_m * 1000:.0f} mm.",
        f"Preliminary beams: depth 1/12 to 1/8 of the span = {h.beam_h_range_m[0] * 1000:.0f}-"
        f"{h.beam_h_range_m[1] * 1000:.0f} mm for {s.span_x_m:g} m, width 1/3 to 1/2 of the depth.",
        ("Given by the instruction, modelled as given and not resized: " if given else "Adopted: ")
        + f"columns {columns}; beams {d.beam_b_m * 1000:.0f} x {d.beam_h_m * 1000:.0f} mm with "
        f"{d.beam_bars.label}, {d.beam_hoops.label} hoops"
        + (" (a check that fails is reported as FAIL by name, not fixed)." if given
           else " (columns above the minimum, for the drift limit and the joint checks)."
           if d.column_groups[0].size_m > h.column_min_m + 1e-9 else "."),
        f"Period by hand (GB 50009 Appendix F, infilled frame): T1 ~ {h.t_emp_s:.2f} s; Tg = {d.tg_s:.2f} s, so "
        f"alpha1 = {h.alpha_1:.4f}.",
        f"Equivalent base shear (GB 50011 5.2.1): G_E = {h.weight_kn:.0f} kN, F_Ek = alpha1 x 0.85 G_E = "
        f"{h.f_ek_kn:.1f} kN, {h.coefficient * 100:.2f}% of G_E against the minimum lambda = "
        f"{d.min_shear_coeff:.3f} (5.2.5); the modal SRSS base shear should come out near this.",
        "Checks the program will run: drift <= 1/550 (GB 50011 5.5.1); P-Delta and stability sum G / (D h) <= 0.10 "
        f"(JGJ 3-2010 5.4.4); axial ratio <= {d.axial_limit:.2f}; beam and column flexure under 1.3 G_E + 1.4 E "
        f"with gamma_RE (0.75 beams, 0.75/0.80 columns), column moments x eta_c = "
        f"{basis.ETA_C[d.seismic_grade]:.1f}; shear with eta_vb = {basis.ETA_VB[d.seismic_grade]:.1f}, eta_vc = "
        f"{basis.ETA_VC[d.seismic_grade]:.1f} (gamma_RE 0.85); gravity only 1.3D + 1.5L; strong column / weak "
        "beam at every joint (6.2.2). Each check prints its numbers and PASS or FAIL.",
    ]


def think_text_en(d: Design, given: bool = False) -> str:
    """The design as a chain of thought a model could write: code lookups, loads, preliminary sizing, the period,
    spectrum and base shear by hand, then the checks the program will run."""
    s = d.spec
    live = d.live_kn_m2
    lines = [
        f"The building is a {s.stories}-story RC frame ({s.function}), story height {s.story_height_m:g} m, so "
        f"H = {s.height_m:g} m; plan {s.bays_x} x {s.span_x_m:g} m = {s.width_x_m:g} m along X and "
        f"{s.bays_y} x {s.span_y_m:g} m = {s.width_y_m:g} m along Y.",
        f"Height limit for RC frames at intensity {s.intensity:g} is {codes.MAX_HEIGHT_FRAME_M[s.intensity]:g} m "
        f"(GB 50011 Table 6.1.1): H = {s.height_m:g} m is within it. A {s.function} is fortification category "
        f"{d.category} (GB 50223)" + (", so the seismic measures take one degree higher" if d.category == "B" else "")
        + f"; site class {s.site_class} (GB 50011 3.3.2, 3.3.3). Seismic grade (Table 6.1.2): {d.seismic_grade} "
        f"for the measures, {d.details_grade} for the details, so the axial compression ratio limit is "
        f"{d.axial_limit:.2f}.",
        f"Loads: superimposed dead {d.dead_kn_m2:g} kPa, live {live:g} kPa ({s.function}, GB 50009), roof live "
        f"{d.roof_live_kn_m2:g} kPa, infill {d.infill_kn_m:g} kN/m on floor beams. Seismic weight uses D + 0.5L "
        f"(GB 50011 5.1.3).",
        f"I model a typical {d.frame_position} frame along X carrying a {d.tributary_m:g} m strip; beam line load on a typical "
        f"floor w = {d.beam_w_kn_m[0]:.2f} kN/m, roof {d.beam_w_kn_m[-1]:.2f} kN/m; frame seismic weight "
        f"{sum(d.floor_weight_kn):.0f} kN.",
        f"Spectrum: intensity {s.intensity:g} ({s.pga_g:.2f}g) gives alpha_max = {d.alpha_max:.2f}; design group "
        f"{s.design_group}, site class {s.site_class} gives Tg = {d.tg_s:.2f} s; damping 0.05 so gamma = 0.9, "
        f"eta2 = 1.0.",
        f"Materials: {d.concrete} (Ec = {d.Ec_mpa:.3g} MPa, fc = {d.fc_mpa:g} MPa), HRB400 (fy = 360 MPa); "
        f"gross sections for columns, beams x{d.beam_crack:.1f} for the slab flange (JGJ 3-2010 5.2.2); computed "
        f"periods x psi_T = {d.psi_t:.1f} (light block infill, JGJ 3-2010 4.3.17) before reading alpha.",
        *plan_en(d, given),
        "The program builds this frame, runs gravity, eigen and response-spectrum analyses, and prints T1, the "
        "drifts, the member checks and the verdict; the numbers of the analysis come from it, not from this estimate.",
    ]
    return "\n".join(lines)


THINK_TEXTS: dict[str, Callable[..., str]] = {"en": think_text_en, "zh": think_text_zh}


def think_text(d: Design, language: str = "en", given: bool = False) -> str:
    """The design derivation in `language` (a style's comment language), so one answer reads in one language;
    `given`: the instruction fixed the members (a negative sample), which are checked, not resized."""
    writer = THINK_TEXTS.get(language)
    if writer is None:
        raise ValueError(f"no think text in language {language!r} (known: {', '.join(THINK_TEXTS)})")
    return writer(d, given)


SPACE_NOTE = {
    "en": ("The program models the whole building as a 3D space frame instead of the one plane frame: every X and Y "
           "frame, one rigidDiaphragm master node per floor with the floor mass and its rotational inertia. It reads "
           "the first translational period along X and along Y and the torsional one, runs the spectrum in both "
           "directions and checks the governing drift of each story; the X frame above is the one whose members it "
           "checks. The design also checked the Y frames side by side with the whole floors' masses (deepening the "
           "Y beams where they fell short of 1/550); the program's Y drift checks that on the 3D model."),
    "zh": ("程序把整栋建筑建成三维空间框架，而不是单榀平面框架：全部 X 向与 Y 向框架，每层一个 rigidDiaphragm 主节点，"
           "赋楼层质量与转动惯量。程序给出 X 向、Y 向第一平动周期和第一扭转周期，两个方向分别做反应谱分析，"
           "每层取控制方向的层间位移角验算；构件验算针对上面的 X 向框架。设计也按全部 Y 向框架并列、承担整层质量验算了 Y 向"
           "（不满足 1/550 时加高 Y 向梁）；程序在三维模型上复核 Y 向位移角。"),
}


def wrap_answer(design: Design, program: str, language: str = "en", assumed: list[str] | None = None,
                given: bool = False, space: bool = False) -> str:
    """`<think>` the design derivation `</think>` `<answer>` the program in one python block `</answer>`.

    `language` should be the program's comment language; `assumed` the parameters the instruction left out
    (`instructions.unstated_fields`): the thinking opens by saying what it took for them and why.
    """
    think = think_text(design, language, given)
    if space:  # the 3D skeleton: say what the program builds beyond the plane frame the thinking sized
        think = f"{think}\n{SPACE_NOTE[language]}"
    stated = assumption_text(design.spec, assumed or [], language)
    if stated:
        think = f"{stated}\n{think}"
    return f"<think>\n{think}\n</think>\n<answer>\n```python\n{program.rstrip()}\n```\n</answer>"


def answer(design: Design, style_seed: int) -> str:
    """The full assistant message for a design (the format the reward scores), thinking in the program's language;
    a plane frame, as `render`."""
    return wrap_answer(design, render(design, style_seed), style_for(style_seed).language)


def answer_for(design: Design, instruction: str, style_seed: int, given: bool = False,
               space: bool = True) -> tuple[Style, str, str]:
    """(style, program, assistant message) answering `instruction`: thinking and comments in its language, and
    the parameters it leaves out stated as assumptions. `space=False`: the reference style (a plane frame, results in
    memory) whatever the seed draws on the newer axes."""
    from civilinstruct.spec.instructions import unstated_fields

    language = instruction_language(instruction)
    style = style_for(style_seed, language) if space else reference_style(style_seed, language)
    program = render_style(design, style)
    return style, program, wrap_answer(design, program, style.language, unstated_fields(instruction), given,
                                       style.frame == "space")


def offline_answer(instruction_text: str, seed: int = 0) -> str:
    """Answer a building instruction offline: parse it (defaults for what it leaves out), design, render.

    The offline model of `civilinstruct serve` / `bench run` answers in the reference style (a plane frame): BMEval's
    reference T1 is the design's plane frame, and a space frame's first period is the building's, often along Y.
    """
    from civilinstruct.spec.instructions import parse_instruction

    return answer_for(design(parse_instruction(instruction_text)), instruction_text, seed, space=False)[2]
