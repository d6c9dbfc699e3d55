"""Spec conformance: does the model a program built match the building its instruction asked for?

The source paper calls this semantic alignment. A program can print a plausible period for any frame; here the
building is read from the instruction (`civilinstruct.spec.instructions.conformance_for_instruction`) and compared with the
model the sandbox probed from the OpenSees domain the program left (`RunResult.model`), never with what the
program printed. Each field is `ok`, `wrong` or `not_modelled`:

| field          | compared with                                   | tolerance                        |
|----------------|-------------------------------------------------|----------------------------------|
| stories        | distinct floor elevations above the base        | exact                            |
| story_height   | every modelled story height                     | 2% or 0.05 m, whichever is larger |
| bays_x, bays_y | spans between column lines in that direction    | exact                            |
| span_x, span_y | every modelled span in that direction           | 2% or 0.05 m, whichever is larger |

A plane (2D) model analyses one direction: its spans are compared with X, or with Y when they match Y and not X
(a program may model the Y frame); the other direction is `not_modelled`, which is allowed. A program conforms
when stories and story height are `ok`, no field is `wrong`, and at least one direction is fully `ok`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

Status = Literal["ok", "wrong", "not_modelled"]
REL_TOL = 0.02
ABS_TOL_M = 0.05
FIELDS = ("stories", "story_height", "bays_x", "span_x", "bays_y", "span_y")
TOLERANCES = {"stories": "exact", "story_height": f"{REL_TOL:.0%} or {ABS_TOL_M} m", "bays": "exact",
              "span": f"{REL_TOL:.0%} or {ABS_TOL_M} m"}


def _close(value: float, expected: float) -> bool:
    return abs(value - expected) <= max(REL_TOL * abs(expected), ABS_TOL_M)


def _get(model: Any, name: str, default: Any = None) -> Any:
    if model is None:
        return default
    if isinstance(model, dict):
        return model.get(name, default)
    return getattr(model, name, default)


def _lengths(values: Any) -> list[float]:
    try:
        return [float(v) for v in values or [] if float(v) > 0]
    except (TypeError, ValueError):
        return []


def _all_close(values: Sequence[float], expected: float) -> bool:
    return bool(values) and all(_close(v, expected) for v in values)


def _direction(spans: list[float], bays: int, span: float) -> tuple[Status, Status]:
    """(bays status, span status) of one modelled direction against the spec's bays and span."""
    if not spans:
        return "not_modelled", "not_modelled"
    return ("ok" if len(spans) == bays else "wrong"), ("ok" if _all_close(spans, span) else "wrong")


def check_conformance(spec: Any, model: Any) -> dict[str, Any]:
    """Per-field status, what was expected and what was modelled, and whether the model conforms.

    `spec` is a `BuildingSpec` (or anything with its geometry fields); `model` a `ModelProbe`, its dict, or None
    (nothing probed: every field `not_modelled`).
    """
    expected = {"stories": spec.stories, "story_height": spec.story_height_m, "bays_x": spec.bays_x,
                "span_x": spec.span_x_m, "bays_y": spec.bays_y, "span_y": spec.span_y_m}
    status: dict[str, Status] = dict.fromkeys(FIELDS, "not_modelled")
    modelled: dict[str, Any] = dict.fromkeys(FIELDS)
    stories = _get(model, "stories")
    if isinstance(stories, int) and stories > 0:
        modelled["stories"] = stories
        status["stories"] = "ok" if stories == spec.stories else "wrong"
    heights = _lengths(_get(model, "story_heights_m"))
    if heights:
        modelled["story_height"] = sorted({round(h, 4) for h in heights})
        status["story_height"] = "ok" if _all_close(heights, spec.story_height_m) else "wrong"
    spans = _get(model, "spans_m") or {}
    sx, sy = _lengths(spans.get("x")), _lengths(spans.get("y"))
    plane = _get(model, "ndm") == 2 or not sy
    if plane and sx and not sy:
        as_x = _direction(sx, spec.bays_x, spec.span_x_m)
        as_y = _direction(sx, spec.bays_y, spec.span_y_m)
        if as_x != ("ok", "ok") and as_y == ("ok", "ok"):
            sx, sy = [], sx  # the program modelled the Y frame
    status["bays_x"], status["span_x"] = _direction(sx, spec.bays_x, spec.span_x_m)
    status["bays_y"], status["span_y"] = _direction(sy, spec.bays_y, spec.span_y_m)
    for name, values in (("x", sx), ("y", sy)):
        if values:
            modelled[f"bays_{name}"] = len(values)
            modelled[f"span_{name}"] = sorted({round(v, 4) for v in values})
    directions_ok = any(status[f"bays_{d}"] == status[f"span_{d}"] == "ok" for d in ("x", "y"))
    conforms = (status["stories"] == "ok" and status["story_height"] == "ok" and directions_ok
                and "wrong" not in status.values())
    return {"conforms": conforms, "fields": status, "expected": expected, "modelled": modelled,
            "tolerances": TOLERANCES}


def wrong_fields(result: dict[str, Any] | None) -> list[str]:
    """The fields a conformance result marks `wrong` (empty for None)."""
    return [] if result is None else [f for f, s in result["fields"].items() if s == "wrong"]
