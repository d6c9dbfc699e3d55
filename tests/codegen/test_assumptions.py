"""codegen.assumptions: the line an answer gives for each parameter its instruction leaves out."""

from __future__ import annotations

from civilinstruct.codegen.assumptions import END, LEAD, REASONS, assumption_text
from civilinstruct.spec.instructions import DEFAULTS, parse_instruction, unstated_fields


def test_every_default_has_a_reason_in_both_languages() -> None:
    """Guards completeness: a field `parse_instruction` can fill in without a reason would be assumed silently."""
    for language in ("en", "zh"):
        assert set(REASONS[language]) == set(DEFAULTS)


def test_values_come_from_the_spec_in_order() -> None:
    """Guards the text: the assumed values are the spec's (8 -> 0.20g, group 2, site II), in the order given,
    between the lead and the end."""
    text = "Model a 5-story RC frame with 3 bays of 6 m in X and 2 bays of 6 m in Y, 3.5 m stories."
    spec = parse_instruction(text)
    unstated = unstated_fields(text)
    assert {"intensity", "design_group", "site_class"} <= set(unstated)
    line = assumption_text(spec, ["intensity", "site_class", "design_group"], "en")
    assert line is not None and line.startswith(LEAD["en"]) and line.endswith(END["en"])
    assert "intensity 8 (0.20g)" in line and "site class II" in line and "design group 2" in line
    assert line.index("intensity 8") < line.index("site class II") < line.index("design group 2")
    zh = assumption_text(spec, ["intensity"], "zh")
    assert zh == LEAD["zh"] + "设防烈度 8 度（0.20g），最常见的设防区且偏于安全" + END["zh"]


def test_nothing_assumed_gives_none() -> None:
    """Guards the no-assumption case (and unknown field names) as None, not an empty sentence."""
    spec = parse_instruction("Model a 5-story RC frame.")
    assert assumption_text(spec, [], "en") is None
    assert assumption_text(spec, ["stories"], "zh") is None
