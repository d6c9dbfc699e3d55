"""Spec conformance on hand-built probes: each field ok / wrong / not_modelled, with the stated tolerances."""

from __future__ import annotations

from civilinstruct.design import BuildingSpec
from civilinstruct.spec.instructions import conformance_for_instruction
from civilinstruct.physics.conformance import check_conformance, wrong_fields
from civilinstruct.sandbox.probe_model import ModelProbe

SPEC = BuildingSpec(stories=5, story_height_m=3.6, bays_x=3, bays_y=2, span_x_m=6.0, span_y_m=7.2)


def probe(stories: int = 5, h: float = 3.6, x: list[float] | None = None, y: list[float] | None = None,
          ndm: int = 2) -> ModelProbe:
    spans = {"x": [6.0] * 3 if x is None else x}
    if y is not None:
        spans["y"] = y
    return ModelProbe(ndm=ndm, stories=stories, story_heights_m=[h] * stories, spans_m=spans,
                      floor_elevations_m=[h * (k + 1) for k in range(stories)])


def test_plane_frame_of_the_right_building_conforms() -> None:
    out = check_conformance(SPEC, probe())
    assert out["conforms"] and out["fields"] == {"stories": "ok", "story_height": "ok", "bays_x": "ok",
                                                 "span_x": "ok", "bays_y": "not_modelled",
                                                 "span_y": "not_modelled"}
    assert out["modelled"]["span_x"] == [6.0] and out["tolerances"]["stories"] == "exact"


def test_tolerances() -> None:
    assert check_conformance(SPEC, probe(h=3.6 * 1.019))["fields"]["story_height"] == "ok"   # within 2%
    assert check_conformance(SPEC, probe(h=3.6 * 1.03))["fields"]["story_height"] == "wrong"
    assert check_conformance(SPEC, probe(x=[6.04, 5.97, 6.0]))["conforms"]                   # 0.05 m
    assert check_conformance(SPEC, probe(x=[6.0, 6.0, 6.3]))["fields"]["span_x"] == "wrong"


def test_wrong_fields_are_named() -> None:
    out = check_conformance(SPEC, probe(stories=1, x=[6.0]))
    assert not out["conforms"] and wrong_fields(out) == ["stories", "bays_x"]
    assert out["modelled"]["stories"] == 1 and out["expected"]["stories"] == 5


def test_y_frame_and_3d_models() -> None:
    yframe = check_conformance(SPEC, probe(x=[7.2, 7.2]))
    assert yframe["conforms"] and yframe["fields"]["bays_y"] == "ok" and yframe["fields"]["bays_x"] == "not_modelled"
    full = check_conformance(SPEC, probe(x=[6.0] * 3, y=[7.2] * 2, ndm=3))
    assert full["conforms"] and set(full["fields"].values()) == {"ok"}
    bad_y = check_conformance(SPEC, probe(x=[6.0] * 3, y=[6.0] * 2, ndm=3))
    assert not bad_y["conforms"] and wrong_fields(bad_y) == ["span_y"]


def test_nothing_probed_is_not_modelled() -> None:
    out = check_conformance(SPEC, None)
    assert not out["conforms"] and set(out["fields"].values()) == {"not_modelled"}
    assert check_conformance(SPEC, {"stories": 5, "story_heights_m": [3.6] * 5, "spans_m": {"x": [6.0] * 3}})[
        "conforms"]


def test_from_the_instruction() -> None:
    text = SPEC.to_instruction(variant_seed=3)
    assert conformance_for_instruction(text, probe())["conforms"]
    assert conformance_for_instruction("print hello", probe()) is None
