"""The `<think>` design derivation in Chinese, for programs whose comments are Chinese (style language "zh").

Line for line the same derivation as the English one in `answer.py`, with the same numbers in the same formats;
only the words change, to the terms of GB 50011 / GB 50009 (基本周期, 层间位移角, 地震影响系数, ...).
"""

from __future__ import annotations

import re

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


def think_text_zh(d: Design) -> str:
    """The rule-based design as a chain of thought in Chinese: loads, spectrum, sizing iterations, checks."""
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
        "截面迭代（振型分解反应谱法，SRSS 组合，层间位移角限值 1/550；位移角不足时先加高梁，再加大柱）：",
        *[f"- {iteration_zh(line)}" for line in d.iterations],
        f"最终结果：基本周期 T1 = {d.t1_s:.3f} s，psi_T T1 = {d.psi_t * d.t1_s:.3f} s，"
        f"地震影响系数 alpha = {d.alphas[0]:.4f}，底部剪力 "
        f"{d.base_shear_kn:.1f} kN（为重力荷载代表值的 {d.base_shear_kn / weight * 100:.2f}%），"
        f"取 {d.n_modes} 个振型，振型参与质量 {d.mass_ratio * 100:.1f}%。",
        f"最小地震剪力系数（GB 50011 第 5.2.5 条）：lambda = {d.min_shear_coeff:.3f}；"
        + (f"楼层剪力与层间位移角按不超过 x{d.shear_amplification:.3f} 的系数放大以满足该要求。"
           if d.shear_amplification > 1.0 else "各楼层剪力均已超过 lambda 乘以该层以上重力荷载代表值。"),
        f"重力二阶效应：max sum G / (D h) = {d.max_theta:.3f}"
        + ("，不大于 0.05，可不考虑 P-Delta 效应（JGJ 3-2010 第 5.4.1 条）" if d.max_theta <= 0.05
           else "，大于 0.05，位移乘 F1、内力乘 F2（JGJ 3-2010 第 5.4.3 条）")
        + "；不大于 0.10，整体稳定满足第 5.4.4 条。",
        f"验算（地震组合 1.3 G_E + 1.4 E，gamma_RE：梁受弯 0.75，柱 0.75/0.80，受剪 0.85）：最大层间位移角 "
        f"1/{1 / d.max_drift:.0f} <= 1/550；轴压比 {d.max_axial_ratio:.2f} <= {d.axial_limit:.2f}；梁配筋 "
        f"{d.beam_bars.label}，箍筋 {_hoops_zh(d.beam_hoops)}，D/C = {d.max_beam_dc:.2f}；柱 {_columns_zh(d)}，"
        f"柱端弯矩乘 eta_c = {basis.ETA_C[d.seismic_grade]:.1f}（强柱弱梁，第 6.2.2 条）后 D/C = "
        f"{d.max_column_dc:.2f}；节点强柱弱梁比 {d.scwb_ratio:.2f}；受剪（eta_vb = "
        f"{basis.ETA_VB[d.seismic_grade]:.1f}，eta_vc = {basis.ETA_VC[d.seismic_grade]:.1f}）D/C = "
        f"{d.max_shear_dc:.2f}；非抗震组合 1.3D + 1.5L 下 D/C = {d.max_gravity_dc:.2f}；"
        f"柱剪跨比不小于 {d.min_shear_span_ratio:.2f}。各项验算均满足要求。",
        f"作为参照，按 GB 50009 附录 F 经验公式，含填充墙房屋的基本周期约为 {d.empirical_t1_s:.2f} s；"
        f"纯框架计算周期乘以 psi_T = {d.psi_t:.1f} 后为 {d.psi_t * d.t1_s:.2f} s。",
        "程序据此建立框架模型，依次进行重力荷载分析、特征值分析和振型分解反应谱分析，并输出基本周期 T1、"
        "层间位移角、构件验算结果和结论。",
    ]
    return "\n".join(lines)
