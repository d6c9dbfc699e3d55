"""The `<think>` design derivation in Chinese, for programs whose comments are Chinese (style language "zh").

Line for line the same derivation as the English one in `answer.py`, with the same numbers in the same formats;
only the words change, to the terms of GB 50011 / GB 50009 (基本周期, 层间位移角, 地震影响系数, ...).
"""

from __future__ import annotations

import re

from civilinstruct.codegen.hand import AXIAL_AMPLIFY, FLOOR_LOAD_KPA, estimate
from civilinstruct.design import Design, basis
from civilinstruct.design.design import Hoops
from civilinstruct.physics import codes

FUNCTION_ZH = {"office": "办公楼", "residential": "住宅", "mall": "商场", "hospital": "医院", "school": "学校",
               "factory": "厂房"}
_CN_DIGITS = {1: "一", 2: "二", 3: "三", 4: "四"}
CATEGORY_ZH = {"B": "重点设防类（乙类）", "C": "标准设防类（丙类）"}

# The sizing log of `design()` is English; its three line shapes, reworded. Keep in step with design/design.py.
_LOG_LINES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"initial sizes: (N_est = .+) -> column (\S+) mm, beam (\S+) mm"),
     r"初选截面：\1 -> 柱 \2 mm，梁 \3 mm"),
    (re.compile(r"iteration (\d+): columns (\S+) mm, beams (\S+) mm: T1 = (\S+) s, max drift (\S+), "
                r"axial ratio (\S+), beam rho (\S+), column rho (\S+)"),
     r"第 \1 次迭代：柱 \2 mm，梁 \3 mm：T1 = \4 s，最大层间位移角 \5，轴压比 \6，梁配筋率 \7，柱配筋率 \8"),
    (re.compile(r"iteration (\d+): columns (\S+) mm, beams (\S+) mm: T1 = (\S+) s, max drift (\S+), drift fails"),
     r"第 \1 次迭代：柱 \2 mm，梁 \3 mm：T1 = \4 s，最大层间位移角 \5，位移角不满足"),
    (re.compile(r"iteration (\d+): columns (\S+) mm, beams (\S+) mm: T1 = (\S+) s, max drift (\S+), stability fails"),
     r"第 \1 次迭代：柱 \2 mm，梁 \3 mm：T1 = \4 s，最大层间位移角 \5，整体稳定不满足"),
    (re.compile(r"all checks pass after (\d+) iteration\(s\)"), r"经 \1 次迭代，各项验算均满足要求"),
    (re.compile(r"concrete raised to (C\d+) for column strength"), r"柱承载力控制，混凝土强度等级提高至 \1"),
]


def _cn(n: int) -> str:
    """一, 二, 三, 四: how seismic grades and design groups are written (二级, 第三组)."""
    return _CN_DIGITS.get(n, str(n))


def intensity_zh(intensity: float, pga_g: float) -> str:
    """`8 度（0.30g）`: Chinese practice names a half intensity by its whole degree plus the design PGA."""
    return f"{int(intensity)} 度（{pga_g:.2f}g）"


def iteration_zh(line: str) -> str:
    """One line of the sizing log in Chinese; a line of an unknown shape is kept as it is rather than lost."""
    for pattern, template in _LOG_LINES:
        match = pattern.fullmatch(line)
        if match:
            return match.expand(template)
    return line


def _hoops_zh(h: Hoops) -> str:
    return f"{h.legs} 肢 C{h.diameter_mm}@{h.spacing_m * 1000:.0f}"


def _columns_zh(d: Design) -> str:
    return "、".join(f"{g.size_m * 1000:.0f} mm 每侧 {g.bars_side.label}（含角筋），箍筋 {_hoops_zh(g.hoops)}"
                    for g in d.column_groups)


def plan_zh(d: Design, given: bool = False) -> list[str]:
    """`answer.plan_en` in Chinese, line for line with the same numbers."""
    h = estimate(d)
    s = d.spec
    columns = "、".join(f"{g.size_m * 1000:.0f} mm（第 {g.first_story}-{g.last_story} 层）每侧 {g.bars_side.label}，"
                       f"箍筋 {_hoops_zh(g.hoops)}" for g in d.column_groups)
    return [
        f"柱截面初选（GB 50011 第 6.3.6 条）：中柱每层负荷面积约 {h.area_m2:.1f} m2；按 {FLOOR_LOAD_KPA:g} kPa 并乘 "
        f"{AXIAL_AMPLIFY:g} 考虑地震作用，N = {h.n_kn:.0f} kN，由 A >= N / ({d.axial_limit:.2f} fc) 得柱边长不小于 "
        f"{h.column_min_m * 1000:.0f} mm。",
        f"梁截面初选：梁高取跨度的 1/12 至 1/8，{s.span_x_m:g} m 跨为 {h.beam_h_range_m[0] * 1000:.0f}-"
        f"{h.beam_h_range_m[1] * 1000:.0f} mm，梁宽取梁高的 1/3 至 1/2。",
        ("按指令给定构件建模，不调整截面：" if given else "采用：")
        + f"柱 {columns}；梁 {d.beam_b_m * 1000:.0f} x {d.beam_h_m * 1000:.0f} mm，配筋 {d.beam_bars.label}，"
        f"箍筋 {_hoops_zh(d.beam_hoops)}"
        + ("（未通过的验算项按 FAIL 列出，不作修改）。" if given
           else "（考虑层间位移角与节点验算，柱截面大于初选最小值）。" if d.column_groups[0].size_m > h.column_min_m + 1e-9
           else "。"),
        f"基本周期手算（GB 50009 附录 F，含填充墙框架）：T1 约 {h.t_emp_s:.2f} s；Tg = {d.tg_s:.2f} s，"
        f"地震影响系数 alpha1 = {h.alpha_1:.4f}。",
        f"底部剪力法（GB 50011 第 5.2.1 条）：重力荷载代表值 G_E = {h.weight_kn:.0f} kN，F_Ek = alpha1 x 0.85 G_E = "
        f"{h.f_ek_kn:.1f} kN，为 G_E 的 {h.coefficient * 100:.2f}%，最小地震剪力系数 lambda = "
        f"{d.min_shear_coeff:.3f}（第 5.2.5 条）；振型分解反应谱法的 SRSS 底部剪力应与之相近。",
        "程序将进行的验算：层间位移角 <= 1/550（GB 50011 第 5.5.1 条）；重力二阶效应与整体稳定 sum G / (D h) <= 0.10"
        f"（JGJ 3-2010 第 5.4.4 条）；轴压比 <= {d.axial_limit:.2f}；地震组合 1.3 G_E + 1.4 E 下梁、柱受弯，"
        f"计入 gamma_RE（梁 0.75，柱 0.75/0.80），柱端弯矩乘 eta_c = {basis.ETA_C[d.seismic_grade]:.1f}；"
        f"受剪 eta_vb = {basis.ETA_VB[d.seismic_grade]:.1f}、eta_vc = {basis.ETA_VC[d.seismic_grade]:.1f}"
        "（gamma_RE 0.85）；非抗震组合 1.3D + 1.5L；各节点强柱弱梁（第 6.2.2 条）。每项验算输出数值及 PASS 或 FAIL。",
    ]


def think_text_zh(d: Design, given: bool = False) -> str:
    """The design as a chain of thought in Chinese: code lookups, loads, preliminary sizing, hand period,
    spectrum and base shear, then the checks the program will run."""
    s = d.spec
    use = FUNCTION_ZH.get(s.function, s.function)
    degree = intensity_zh(s.intensity, s.pga_g)
    weight = sum(d.floor_weight_kn)
    lines = [
        f"本工程为 {s.stories} 层钢筋混凝土框架结构（{use}），层高 {s.story_height_m:g} m，房屋高度 "
        f"H = {s.height_m:g} m；平面 X 向 {s.bays_x} x {s.span_x_m:g} m = {s.width_x_m:g} m，"
        f"Y 向 {s.bays_y} x {s.span_y_m:g} m = {s.width_y_m:g} m。",
        f"设防烈度 {degree}时钢筋混凝土框架结构的最大适用高度为 "
        f"{codes.MAX_HEIGHT_FRAME_M[s.intensity]:g} m（GB 50011 表 6.1.1），H = {s.height_m:g} m，满足要求。"
        f"{use}属{CATEGORY_ZH[d.category]}（GB 50223）"
        + ("，抗震措施按提高一度确定" if d.category == "B" else "")
        + f"；{s.site_class} 类场地（GB 50011 第 3.3.2、3.3.3 条）。抗震措施的抗震等级（表 6.1.2）为"
        f"{_cn(d.seismic_grade)}级，抗震构造措施的抗震等级为{_cn(d.details_grade)}级，轴压比限值取 "
        f"{d.axial_limit:.2f}。",
        f"荷载：附加恒荷载 {d.dead_kn_m2:g} kPa，楼面活荷载 {d.live_kn_m2:g} kPa（{use}，GB 50009），屋面活荷载 "
        f"{d.roof_live_kn_m2:g} kPa，楼层梁上填充墙荷载 {d.infill_kn_m:g} kN/m。重力荷载代表值取 D + 0.5L"
        f"（GB 50011 第 5.1.3 条）。",
        f"取 X 向典型{'中榀' if d.frame_position == 'interior' else '边榀'}框架计算，从属宽度 {d.tributary_m:g} m；标准层梁上线荷载 w = {d.beam_w_kn_m[0]:.2f} kN/m，"
        f"屋面梁 {d.beam_w_kn_m[-1]:.2f} kN/m；该榀框架重力荷载代表值合计 {weight:.0f} kN。",
        f"反应谱：设防烈度 {degree}，多遇地震水平地震影响系数最大值 alpha_max = {d.alpha_max:.2f}；"
        f"设计地震分组第{_cn(s.design_group)}组、{s.site_class} 类场地，特征周期 Tg = {d.tg_s:.2f} s；"
        f"阻尼比 0.05，故衰减指数 gamma = 0.9，阻尼调整系数 eta2 = 1.0。",
        f"材料：混凝土 {d.concrete}（Ec = {d.Ec_mpa:.3g} MPa，fc = {d.fc_mpa:g} MPa），钢筋 HRB400"
        f"（fy = 360 MPa）；柱取毛截面刚度，梁考虑楼板翼缘，刚度增大系数 {d.beam_crack:.1f}（JGJ 3-2010 第 5.2.2 条）；"
        f"计算周期乘以周期折减系数 psi_T = {d.psi_t:.1f}（轻质砌块填充墙，JGJ 3-2010 第 4.3.17 条）后查反应谱。",
        *plan_zh(d, given),
        "程序据此建立框架模型，依次进行重力荷载分析、特征值分析和振型分解反应谱分析，并输出基本周期 T1、"
        "层间位移角、构件验算结果和结论；分析所得数值以程序输出为准，而非此处的估算。",
    ]
    return "\n".join(lines)
