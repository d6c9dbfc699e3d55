"""The `<think>` derivation is written in the program's comment language, with the same numbers in both."""

from __future__ import annotations

import re

import pytest

from civilinstruct.codegen import answer, render, style_for, think_text
from civilinstruct.codegen.hand import estimate
from civilinstruct.codegen.think_zh import iteration_zh
from civilinstruct.design import BuildingSpec, Design, design
from civilinstruct.spec.instructions import parse_instruction, unstated_fields

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# Decimals and drift ratios: what the derivation computes (integers are counts and clause numbers).
NUMBER = re.compile(r"\d+\.\d+|1/\d+")

SPECS = {
    "school-8.5": BuildingSpec(function="school", stories=4, story_height_m=3.6, bays_x=3, bays_y=2, span_x_m=7.2,
                               span_y_m=6.0, intensity=8.5, pga_g=0.30, design_group=3, site_class="III"),
    # light intensity 7: several column groups and the minimum-shear amplification branch
    "residential-7": BuildingSpec(function="residential", stories=8, story_height_m=4.2, bays_x=2, bays_y=2,
                                  span_x_m=6.0, span_y_m=4.5, intensity=7, pga_g=0.10, design_group=1,
                                  site_class="I0"),
}


@pytest.fixture(scope="module", params=list(SPECS), ids=list(SPECS))
def designed(request) -> Design:
    return design(SPECS[request.param])


def _think(message: str) -> str:
    return re.search(r"<think>\n(.*)\n</think>", message, re.S).group(1)


def _seed(language: str) -> int:
    return next(seed for seed in range(100) if style_for(seed).language == language)


def test_zh_styled_answer_thinks_in_chinese(designed: Design) -> None:
    seed = _seed("zh")
    message = answer(designed, seed)
    think = _think(message)
    assert think == think_text(designed, "zh")
    assert render(designed, seed).rstrip() in message
    assert len(CJK.findall(think)) > 2 * len(LATIN.findall(think))  # symbols and units aside, it is Chinese
    for line in think.splitlines():  # every line, the sizing log included, was translated
        assert CJK.search(line), line
    for term in ("基本周期", "层间位移角", "地震影响系数", "重力荷载代表值", "轴压比", "设防烈度", "场地", "设计地震分组"):
        assert term in think


def test_zh_and_en_derivations_carry_the_same_numbers(designed: Design) -> None:
    en, zh = think_text(designed, "en"), think_text(designed, "zh")
    assert len(en.splitlines()) == len(zh.splitlines())  # same structure, line for line
    # Chinese practice writes intensity 8.5 as "8 度（0.30g）"; everything else is the same number, same format.
    assert set(NUMBER.findall(en)) - {f"{designed.spec.intensity:g}"} == set(NUMBER.findall(zh))
    hand = estimate(designed)
    for key in (f"{hand.t_emp_s:.2f} s", f"Tg = {designed.tg_s:.2f} s", f"alpha_max = {designed.alpha_max:.2f}",
                f"alpha1 = {hand.alpha_1:.4f}", f"{hand.f_ek_kn:.1f} kN", f"{hand.column_min_m * 1000:.0f} mm"):
        assert key in en and key in zh
    for fe in (f"{designed.t1_s:.3f}", f"1/{1 / designed.max_drift:.0f}", f"{designed.base_shear_kn:.1f} kN"):
        assert fe not in en and fe not in zh  # analysis results are the program's output, not the thinking


def test_en_styled_answer_is_unchanged(designed: Design) -> None:
    think = _think(answer(designed, _seed("en")))
    assert think == think_text(designed) == think_text(designed, "en")
    assert think.startswith(f"The building is a {designed.spec.stories}-story RC frame")
    assert not CJK.search(think)


def test_chinese_conventions() -> None:
    zh = think_text(design(SPECS["school-8.5"]), "zh")
    assert "设防烈度 8 度（0.30g）" in zh and "设计地震分组第三组" in zh and "III 类场地" in zh and "一级" in zh
    # a school is category B (GB 50223): measures at 9 degrees -> grade 1 (GB 50011 Table 6.1.2)
    assert "重点设防类（乙类）" in zh and "抗震措施按提高一度确定" in zh


def test_unknown_log_line_is_kept_and_unknown_language_is_refused() -> None:
    assert iteration_zh("something new") == "something new"
    with pytest.raises(ValueError, match="fr"):
        think_text(design(SPECS["school-8.5"]), "fr")


def test_answer_follows_the_instruction_language_and_states_assumptions() -> None:
    """A Chinese instruction gets Chinese thinking and comments whatever the style seed says, and one that leaves
    out site class and design group says it took II and 2, and why; an English one the same in English."""
    from civilinstruct.codegen import answer_for

    zh_text = "请用 OpenSeesPy 建立一栋 5 层钢筋混凝土框架办公楼模型：层高 3.5 m，X 向 3 跨，Y 向 2 跨，跨度均为 6 m，0.20g。"
    en_text = "Write an OpenSeesPy script for a 5-storey RC moment frame. Floor height: 3.5 m. Spans 6 m. 0.2g."
    spec = parse_instruction(zh_text)
    assert unstated_fields(zh_text) == ["design_group", "site_class"]
    d = design(spec)
    for seed in range(8):  # every style seed, both languages of the style table
        style, code, message = answer_for(d, zh_text, seed)
        think = _think(message)
        assert style.language == "zh" and CJK.search(think) and "设计假定" in think
        assert "设计地震分组第 2 组" in think and "II 类场地" in think
        comments = [line for line in code.splitlines() if re.match(r"\s*# [A-Za-z\u4e00-\u9fff]", line)
                    and "coding" not in line]
        assert len(comments) > 20 and all(CJK.search(line) for line in comments)
        style, code, message = answer_for(d, en_text, seed)
        think = _think(message)
        assert style.language == "en" and not CJK.search(message)
        assert think.startswith("Assumptions (the instruction does not state them): an office building")
        assert "site class II (medium soil" in think and "design group 2" in think
    full = ("Write an OpenSeesPy script for a 5-storey RC office frame, floor height 3.5 m, 3 bays in X, 2 bays in Y, "
            "spans 6 m, design group 2, site class II, 0.2g.")
    assert unstated_fields(full) == [] and not _think(answer_for(d, full, 0)[2]).startswith("Assumptions")
