"""What an answer assumed: the parameters its instruction leaves out, each with the value taken and why.

The values are `civilinstruct.spec.instructions.DEFAULTS` (what `parse_instruction` fills in); the reasons are the
engineering ones a designer would give, in the language of the answer.
"""

from __future__ import annotations

from civilinstruct.spec.model import BuildingSpec

REASONS: dict[str, dict[str, str]] = {
    "en": {
        "function": "an office building (the commonest use of RC frames: live load 2.0 kPa by GB 50009, "
                    "standard fortification category C)",
        "story_height_m": "{s.story_height_m:g} m stories (a typical office story)",
        "bays_x": "{s.bays_x} bays along X (a common grid)",
        "bays_y": "{s.bays_y} bays along Y, so the analysed frame is an interior one",
        "span_x_m": "{s.span_x_m:g} m spans along X (an economical RC span)",
        "span_y_m": "{s.span_y_m:g} m spans along Y (an economical RC span)",
        "intensity": "intensity {s.intensity:g} ({s.pga_g:.2f}g), the commonest design zone and on the safe side",
        "design_group": "design group {s.design_group} (the middle group; Tg changes by 0.05-0.10 s between groups)",
        "site_class": "site class {s.site_class} (medium soil, the commonest site; GB 50011 4.1.6)",
    },
    "zh": {
        "function": "办公楼（钢筋混凝土框架最常见的用途：楼面活荷载 2.0 kPa（GB 50009），标准设防类）",
        "story_height_m": "层高 {s.story_height_m:g} m（办公楼常用层高）",
        "bays_x": "X 向 {s.bays_x} 跨（常用柱网）",
        "bays_y": "Y 向 {s.bays_y} 跨，计算框架为中榀框架",
        "span_x_m": "X 向跨度 {s.span_x_m:g} m（经济跨度）",
        "span_y_m": "Y 向跨度 {s.span_y_m:g} m（经济跨度）",
        "intensity": "设防烈度 {s.intensity:g} 度（{s.pga_g:.2f}g），最常见的设防区且偏于安全",
        "design_group": "设计地震分组第 {s.design_group} 组（居中取值，各组 Tg 相差 0.05-0.10 s）",
        "site_class": "{s.site_class} 类场地（中硬土，最常见的场地类别，GB 50011 第 4.1.6 条）",
    },
}
LEAD = {"en": "Assumptions (the instruction does not state them): ", "zh": "设计假定（题目未给出的参数）："}
SEPARATOR = {"en": "; ", "zh": "；"}
END = {"en": ". The program states them in its parameters, so they are easy to change.",
       "zh": "。程序在参数部分写明这些取值，便于修改。"}


def assumption_text(spec: BuildingSpec, fields: list[str], language: str) -> str | None:
    """One line naming each unstated parameter, the value assumed and why; None when nothing was assumed."""
    known = [f for f in fields if f in REASONS[language]]
    if not known:
        return None
    parts = [REASONS[language][f].format(s=spec) for f in known]
    return LEAD[language] + SEPARATOR[language].join(parts) + END[language]
