"""Building instructions: offline rewriting into many variants (EN/ZH), and reading a building back from one.

`render_instruction(spec, variant_seed)` states a spec in natural language, varying the opening, layout (bullets,
one sentence, prose), field order, phrasing, units (m / mm / cm) and language. Fields equal to the documented
defaults may be left out (level of detail), so `parse_instruction(render_instruction(spec, k)) == spec` always.
`parse_instruction` also reads the released AutoBM model's prompt style ("Generate OpenSeesPy code to model a
5-story reinforced concrete frame building: - Floor height: 3.5 m - Bay width: 6 m (3 bays in X, 2 bays in Y)
- Seismic intensity: 0.2g Compute the fundamental period.").

Defaults for unstated parameters (`DEFAULTS`): office, 3.5 m stories, 3 x 2 bays of 6 m, intensity 8 (0.20g),
design group 2, site class II; the story count has no default (a building instruction must say it).
"""

from __future__ import annotations

import random
import re
from typing import Any

from civilinstruct.spec.model import BuildingSpec
from civilinstruct.errors import CivilError
from civilinstruct.physics import codes
from civilinstruct.physics.conformance import check_conformance

DEFAULTS: dict[str, Any] = {"function": "office", "story_height_m": 3.5, "bays_x": 3, "bays_y": 2, "span_x_m": 6.0,
                            "span_y_m": 6.0, "intensity": 8.0, "design_group": 2, "site_class": "II"}
# Fields that a variant may leave out when they equal the default.
OMITTABLE = ("function", "design_group", "site_class")

FUNCTION_EN = {"office": ("office", "office building"), "residential": ("residential", "apartment"),
               "mall": ("shopping mall", "retail mall"), "hospital": ("hospital", "hospital"),
               "school": ("school", "teaching building"), "factory": ("factory", "light-industry factory")}
FUNCTION_ZH = {"office": "办公楼", "residential": "住宅", "mall": "商场", "hospital": "医院", "school": "学校教学楼",
               "factory": "厂房"}
ZH_NUMERAL = {1: "一", 2: "二", 3: "三"}

EN_OPENERS = (
    "Generate OpenSeesPy code to model a {n}-story reinforced concrete frame building{use}:",
    "Write an OpenSeesPy script for a {n}-storey RC moment frame{use}.",
    "Create a complete OpenSeesPy model of a {n}-story reinforced concrete frame{use}.",
    "Using OpenSeesPy, build a {n}-story RC frame structure{use}.",
    "I need OpenSeesPy code for a {n}-storey reinforced concrete frame building{use}.",
    "Model a {n}-story concrete moment-resisting frame{use} in OpenSeesPy.",
    "Please develop an OpenSeesPy program for a {n}-story reinforced-concrete frame{use}.",
    "Set up an OpenSeesPy analysis model of a {n}-storey RC frame building{use}.",
)
EN_TASKS = (
    "Compute the fundamental period.",
    "Compute the fundamental period and check the interstory drift against the GB 50011 limit.",
    "Report the natural periods, the story drifts and whether the frame satisfies the code checks.",
    "Run gravity, modal and response spectrum analyses, print T1 and give a compliance verdict.",
    "Determine T1 and verify the drift limit of 1/550 and the column axial compression ratio.",
    "Perform a modal response spectrum analysis per GB 50011 and state whether the design passes.",
)
ZH_OPENERS = (
    "请用 OpenSeesPy 编写一个{n}层钢筋混凝土框架结构{use}的建模代码：",
    "生成 OpenSeesPy 代码，建立{n}层钢筋混凝土框架{use}模型。",
    "请建立一栋{n}层 RC 框架{use}的 OpenSeesPy 模型，",
    "用 OpenSeesPy 对一栋{n}层钢筋混凝土框架结构{use}进行建模分析。",
)
ZH_TASKS = (
    "计算结构基本周期。",
    "计算基本周期，并验算层间位移角是否满足规范要求。",
    "进行重力、模态和反应谱分析，输出 T1 并给出是否满足规范的结论。",
    "输出各阶周期、层间位移角，并判断是否满足 GB 50011 的要求。",
)


def _num(x: float) -> str:
    return f"{x:g}"


def _bays(n: int) -> str:
    return f"{n} bay" if n == 1 else f"{n} bays"


def _length(rng: random.Random, meters: float, allow_cm: bool = False) -> str:
    """A length in m (two spellings) or mm (or cm for story heights)."""
    choices = ["m", "m2", "mm"] + (["cm"] if allow_cm else [])
    unit = rng.choice(choices)
    if unit == "m":
        return f"{_num(meters)} m"
    if unit == "m2":
        return f"{meters:.2f} m" if round(meters, 2) == meters else f"{_num(meters)} m"
    if unit == "cm":
        return f"{_num(round(meters * 100, 3))} cm"
    return f"{_num(round(meters * 1000, 3))} mm"


def _pga(rng: random.Random, spec: BuildingSpec) -> str:
    g = spec.pga_g
    return rng.choice([f"{_num(g)}g", f"{g:.2f}g", f"{g:.2f} g"])


def _en_fields(rng: random.Random, spec: BuildingSpec, omit: set[str]) -> dict[str, str]:
    """field -> (label, value) phrases in English."""
    fields: dict[str, tuple[str, str]] = {}
    fields["height"] = (rng.choice(["Floor height", "Story height", "Storey height", "Typical story height"]),
                        _length(rng, spec.story_height_m, allow_cm=True))
    sx, sy = _length(rng, spec.span_x_m), _length(rng, spec.span_y_m)
    if spec.span_x_m == spec.span_y_m:
        fields["bays"] = rng.choice([
            ("Bay width", f"{sx} ({_bays(spec.bays_x)} in X, {_bays(spec.bays_y)} in Y)"),
            ("Bays", f"{_bays(spec.bays_x)} in X and {_bays(spec.bays_y)} in Y, bay width {sx}"),
            ("Plan grid", f"{_bays(spec.bays_x)} along X and {_bays(spec.bays_y)} along Y, all spans {sx}"),
        ])
    else:
        fields["bays"] = rng.choice([
            ("Bay width", f"{sx} in X ({_bays(spec.bays_x)} in X), {sy} in Y ({_bays(spec.bays_y)} in Y)"),
            ("Bays", f"{_bays(spec.bays_x)} in X with span {sx}; {_bays(spec.bays_y)} in Y with span {sy}"),
            ("Plan grid", f"{_bays(spec.bays_x)} along X at span {sx} and {_bays(spec.bays_y)} along Y at span {sy}"),
        ])
    intensity = _num(spec.intensity)
    fields["seismic"] = rng.choice([
        ("Seismic intensity", _pga(rng, spec)),
        ("Seismic intensity", f"{intensity} ({_pga(rng, spec)})"),
        ("Design PGA", f"{_pga(rng, spec)} (intensity {intensity})"),
        ("Seismic fortification intensity", f"{intensity} degrees, PGA {_pga(rng, spec)}"),
    ])
    if "design_group" not in omit:
        fields["group"] = (rng.choice(["Design earthquake group", "Design group", "Seismic design group"]),
                           rng.choice([str(spec.design_group), f"group {spec.design_group}"]))
    if "site_class" not in omit:
        fields["site"] = (rng.choice(["Site class", "Site category"]),
                          rng.choice([spec.site_class, f"Class {spec.site_class}"]))
    if "function" not in omit:
        fields["use"] = (rng.choice(["Building function", "Occupancy", "Use"]),
                         FUNCTION_EN[spec.function][rng.randrange(2)])
    return fields


def _zh_fields(rng: random.Random, spec: BuildingSpec, omit: set[str]) -> dict[str, tuple[str, str]]:
    fields: dict[str, tuple[str, str]] = {}
    h = spec.story_height_m
    fields["height"] = ("层高", rng.choice([f"{_num(h)} m", f"{_num(h)}米", f"{_num(round(h * 1000))} mm"]))
    sx, sy = spec.span_x_m, spec.span_y_m
    def span(x: float) -> str:
        return rng.choice([f"{_num(x)} m", f"{_num(x)}米", f"{_num(round(x * 1000))} mm"])
    if sx == sy:
        fields["bays"] = rng.choice([
            ("柱网", f"X向{spec.bays_x}跨、Y向{spec.bays_y}跨，跨度均为{span(sx)}"),
            ("开间", f"{span(sx)}（X向{spec.bays_x}跨，Y向{spec.bays_y}跨）"),
        ])
    else:
        fields["bays"] = rng.choice([
            ("柱网", f"X向{spec.bays_x}跨，跨度{span(sx)}；Y向{spec.bays_y}跨，跨度{span(sy)}"),
            ("跨度", f"X向{span(sx)}（{spec.bays_x}跨），Y向{span(sy)}（{spec.bays_y}跨）"),
        ])
    fields["seismic"] = rng.choice([
        ("抗震设防烈度", f"{_num(spec.intensity)}度（{spec.pga_g:.2f}g）"),
        ("设计基本地震加速度", f"{spec.pga_g:.2f}g"),
        ("设防烈度", f"{_num(spec.intensity)}度，设计基本地震加速度{spec.pga_g:.2f}g"),
    ])
    if "design_group" not in omit:
        fields["group"] = ("设计地震分组", rng.choice([f"第{ZH_NUMERAL[spec.design_group]}组",
                                                  f"第{spec.design_group}组"]))
    if "site_class" not in omit:
        fields["site"] = ("场地类别", rng.choice([f"{spec.site_class}类", spec.site_class]))
    if "function" not in omit:
        fields["use"] = ("建筑功能", FUNCTION_ZH[spec.function])
    return fields


def render_instruction(spec: BuildingSpec, variant_seed: int = 0) -> str:
    """One of many phrasings of a request for this building; the seed picks it, deterministically."""
    rng = random.Random(f"civilinstruct-instruction-{variant_seed}")
    language = "zh" if rng.random() < 0.3 else "en"
    omit = {f for f in OMITTABLE if getattr(spec, f) == DEFAULTS[f] and rng.random() < 0.5}
    use_inline = "function" not in omit and rng.random() < 0.5
    if use_inline:
        omit.add("function")
    if language == "en":
        fields = _en_fields(rng, spec, omit)
        name = FUNCTION_EN[spec.function][1]
        use = f" for {'an' if name[0] in 'aeiou' else 'a'} {name}" if use_inline else ""
        opener = rng.choice(EN_OPENERS).format(n=spec.stories, use=use)
        task = rng.choice(EN_TASKS)
        order = list(fields)
        if rng.random() < 0.5:
            rng.shuffle(order)
        layout = rng.choice(["bullets", "semicolons", "sentences"])
        if layout == "bullets":
            body = "\n".join(f"- {fields[k][0]}: {fields[k][1]}" for k in order)
            return f"{opener}\n{body}\n{task}"
        if layout == "semicolons":
            body = "; ".join(f"{fields[k][0].lower()} {fields[k][1]}" for k in order)
            return f"{opener.rstrip(':.')}: {body}. {task}"
        body = " ".join(f"{fields[k][0]}: {fields[k][1]}." for k in order)
        return f"{opener} {body} {task}"
    fields_zh = _zh_fields(rng, spec, omit)
    use = FUNCTION_ZH[spec.function] if use_inline else ""
    opener = rng.choice(ZH_OPENERS).format(n=spec.stories, use=use)
    task = rng.choice(ZH_TASKS)
    order = list(fields_zh)
    if rng.random() < 0.5:
        rng.shuffle(order)
    if rng.random() < 0.5:
        body = "\n".join(f"- {fields_zh[k][0]}：{fields_zh[k][1]}" for k in order)
        return f"{opener.rstrip('，。：')}：\n{body}\n{task}"
    body = "；".join(f"{fields_zh[k][0]}{fields_zh[k][1]}" for k in order)
    return f"{opener.rstrip('，。：')}，{body}。{task}"


# ------------------------------------------------------------------------------------------------ parsing
_N = r"(\d+(?:\.\d+)?)"
_UNIT = r"\s*(mm|cm|m|米|毫米)(?![a-z])"
_STORIES = [re.compile(r"(\d+)\s*-?\s*(?:stor(?:e)?y|stor(?:e)?ies|stor(?:e)?ys|floor)(?!\s*height)\b", re.I),
            re.compile(r"(?:number\s+of\s+stor(?:e)?(?:y|ie)s|stor(?:e)?(?:y|ie)s)\s*[:=]\s*(\d+)", re.I),
            re.compile(r"(\d+)\s*层(?!高)")]
_HEIGHT = [re.compile(r"(?:floor|stor(?:e)?y)\s+heights?\s*(?::|=|of|is)?\s*" + _N + _UNIT, re.I),
           re.compile(r"层高\s*[:：为]?\s*" + _N + _UNIT)]
_BAYS_X = [re.compile(r"(\d+)\s*bays?\s+(?:in|along)\s+(?:the\s+)?X\b", re.I), re.compile(r"X\s*向\s*(\d+)\s*跨"),
           re.compile(r"X\s*向\s*[\d.]+\s*(?:mm|m|米|毫米)\s*[（(]\s*(\d+)\s*跨")]
_BAYS_Y = [re.compile(r"(\d+)\s*bays?\s+(?:in|along)\s+(?:the\s+)?Y\b", re.I), re.compile(r"Y\s*向\s*(\d+)\s*跨"),
           re.compile(r"Y\s*向\s*[\d.]+\s*(?:mm|m|米|毫米)\s*[（(]\s*(\d+)\s*跨")]
_SPAN_X = [re.compile(_N + _UNIT + r"\s+in\s+X\b", re.I),
           re.compile(r"bays?\s+(?:in|along)\s+X\s+(?:with|at)\s+span\s+" + _N + _UNIT, re.I),
           re.compile(r"X\s*向\s*(?:\d+\s*跨\s*[，,]?\s*)?跨度\s*" + _N + _UNIT), re.compile(r"X\s*向\s*" + _N + _UNIT)]
_SPAN_Y = [re.compile(_N + _UNIT + r"\s+in\s+Y\b", re.I),
           re.compile(r"bays?\s+(?:in|along)\s+Y\s+(?:with|at)\s+span\s+" + _N + _UNIT, re.I),
           re.compile(r"Y\s*向\s*(?:\d+\s*跨\s*[，,]?\s*)?跨度\s*" + _N + _UNIT), re.compile(r"Y\s*向\s*" + _N + _UNIT)]
_SPAN_BOTH = [re.compile(r"(?:bay\s+width|spans?|bay\s+spacing|bay\s+size)\s*(?::|=|of|is)?\s*" + _N + _UNIT, re.I),
              re.compile(r"all\s+spans\s+" + _N + _UNIT, re.I), re.compile(r"跨度均为\s*" + _N + _UNIT),
              re.compile(r"开间\s*[:：]?\s*" + _N + _UNIT)]
_PGA = [re.compile(r"(?<![\d.])(0\.\d+)\s*g\b", re.I)]
_INTENSITY = [re.compile(r"intensity\s*(?:of\s*|[:=]\s*)?(\d(?:\.5)?)(?![\d.]*\s*g)", re.I),
              re.compile(r"(\d(?:\.5)?)\s*度"), re.compile(r"(\d(?:\.5)?)\s*degrees?", re.I)]
_GROUP = [re.compile(r"(?:design|seismic)\s+(?:earthquake\s+)?group\s*[:=]?\s*(?:group\s*)?(\d)", re.I),
          re.compile(r"第\s*([123一二三])\s*组")]
_SITE = re.compile(r"(?:site\s+(?:class|category)\s*[:=]?\s*(?:class\s*)?|class\s+|场地类别\s*[:：为]?\s*)"
                   r"(I0|I1|IV|III|II|I₀|I₁)\b|(?<![A-Za-z])(I0|I1|IV|III|II)\s*类(?:场地)?", re.I)
_FUNCTION = [("residential", r"residential|apartment|housing|dwelling|住宅"),
             ("mall", r"\bmall\b|shopping|retail|商场|商业"), ("hospital", r"hospital|医院"),
             ("school", r"school|teaching|教学|学校"), ("factory", r"factory|industrial|workshop|厂房|工业"),
             ("office", r"office|办公")]


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def _meters(match: re.Match[str]) -> float:
    value, unit = float(match.group(1)), match.group(2).lower()
    scale = {"mm": 1e-3, "毫米": 1e-3, "cm": 1e-2}.get(unit, 1.0)
    return round(value * scale, 4)


def parse_instruction(text: str) -> BuildingSpec:
    """The building an instruction describes, with `DEFAULTS` for what it leaves out; `CivilError` if no story count."""
    return BuildingSpec(**_read(text)[0])


def unstated_fields(text: str) -> list[str]:
    """The `DEFAULTS` fields an instruction leaves out (in `DEFAULTS` order): what an answer must say it assumed."""
    stated = _read(text)[1]
    return [f for f in DEFAULTS if f not in stated]


def _read(text: str) -> tuple[dict[str, Any], set[str]]:
    """(field values with defaults filled in, the fields the text states)."""
    values: dict[str, Any] = dict(DEFAULTS)
    stories = _first(_STORIES, text)
    if stories is None:
        raise CivilError("the instruction does not say how many stories the building has")
    values["stories"] = int(stories.group(1))
    found: dict[str, bool] = {}
    if (m := _first(_HEIGHT, text)) is not None:
        values["story_height_m"] = _meters(m)
        found["story_height_m"] = True
    if (m := _first(_BAYS_X, text)) is not None:
        values["bays_x"] = found["bays_x"] = int(m.group(1))
    if (m := _first(_BAYS_Y, text)) is not None:
        values["bays_y"] = found["bays_y"] = int(m.group(1))
    both = _first(_SPAN_BOTH, text)
    span_x, span_y = _first(_SPAN_X, text), _first(_SPAN_Y, text)
    if both is not None:
        values["span_x_m"] = values["span_y_m"] = _meters(both)
        found["span_x_m"] = found["span_y_m"] = True
    if span_x is not None:
        values["span_x_m"] = _meters(span_x)
        found["span_x_m"] = True
    if span_y is not None:
        values["span_y_m"] = _meters(span_y)
        found["span_y_m"] = True
    pga = _first(_PGA, text)
    if pga is not None:
        values["intensity"] = codes.intensity_from_pga(float(pga.group(1)))
        found["intensity"] = True
    elif (m := _first(_INTENSITY, text)) is not None:
        values["intensity"] = codes.check_intensity(float(m.group(1)))
        found["intensity"] = True
    values["pga_g"] = codes.PGA_G[values["intensity"]]
    if (m := _first(_GROUP, text)) is not None:
        raw = m.group(1)
        values["design_group"] = int(raw) if raw.isdigit() else {"一": 1, "二": 2, "三": 3}[raw]
        found["design_group"] = True
    if (m := _SITE.search(text)) is not None:
        raw = (m.group(1) or m.group(2)).upper().replace("₀", "0").replace("₁", "1")
        values["site_class"] = raw
        found["site_class"] = True
    for function, pattern in _FUNCTION:
        if re.search(pattern, text, re.I):
            values["function"] = function
            found["function"] = True
            break
    stated = {k for k in DEFAULTS if found.get(k)}
    return values, stated


def offline_rewrite(text: str, seed: int = 0) -> str:
    """The offline `rewrite` handler: another phrasing of the same building (the prompt's `Instruction:` part).

    The pipeline keeps a rewrite only if it parses back to the same building, so a phrasing that would not is
    replaced by the original instruction.
    """
    original = text.rsplit("Instruction:", 1)[-1].strip()
    spec = parse_instruction(original)
    for attempt in range(8):
        candidate = render_instruction(spec, seed * 8 + attempt + 1)
        if candidate != original and parse_instruction(candidate) == spec:
            return candidate
    return original


def conformance_for_instruction(instruction: str, model: Any) -> dict[str, Any] | None:
    """`check_conformance` for the building an instruction describes; None when it names no building. Here, not
    in physics: physics stays below the instruction text it is compared with."""
    try:
        spec = parse_instruction(instruction)
    except CivilError:
        return None
    return check_conformance(spec, model)
