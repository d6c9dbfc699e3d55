"""`summarise` (raw probe snapshot -> ModelProbe) and `check_period`, on hand-made snapshots."""

from __future__ import annotations

import math

import pytest

from civilinstruct.sandbox.probe_model import ModelProbe, summarise
from civilinstruct.sandbox.result import RunResult, check_period, from_zygote


def probe(raw: dict, lambdas: tuple[float, ...] = (), calls: int = 0, failed: bool = False) -> dict:
    return {"eigen_calls": calls, "eigen_failed": failed, "snapshot": "eigen" if lambdas else "end",
            "eigen_periods_s": [2 * math.pi / math.sqrt(v) for v in lambdas], "raw": raw}


def test_a_stick_model_reads_floors_from_its_masses() -> None:
    coords = [[0.0, 0.0], [0.0, 3.2], [0.0, 6.4], [0.0, 9.6]]
    raw = {"ndm": 2, "ndf": 3, "nodes": 4, "elements": 3, "types": {"ElasticBeam2d": 3}, "fixed": 1,
           "coords": coords, "mass_x": [0.0, 50.0, 50.0, 40.0], "base": [0], "pairs": [[0, 1], [1, 2], [2, 3]]}
    model = summarise(probe(raw, (100.0,), calls=1))
    assert model is not None
    assert (model.stories, model.story_heights_m, model.spans_m) == (3, [3.2, 3.2, 3.2], {"x": []})
    assert model.total_mass_t == 140.0 and model.eigen_periods_s == [round(2 * math.pi / 10.0, 6)]


def test_column_subdivisions_do_not_count_as_floors() -> None:
    # one bay, one story, columns cut in two: floors come from the beam, not from every node
    coords = [[0.0, 0.0], [0.0, 1.5], [0.0, 3.0], [5.0, 0.0], [5.0, 1.5], [5.0, 3.0]]
    pairs = [[0, 1], [1, 2], [3, 4], [4, 5], [2, 5]]
    raw = {"ndm": 2, "nodes": 6, "elements": 5, "coords": coords, "mass_x": [0.0] * 6, "base": [0, 3],
           "pairs": pairs}
    model = summarise(probe(raw))
    assert (model.stories, model.floor_elevations_m, model.spans_m) == (1, [3.0], {"x": [5.0]})


def test_a_3d_model_with_y_up_is_read_as_such() -> None:
    coords = [[0.0, 0.0, 0.0], [0.0, 3.0, 0.0], [4.0, 0.0, 0.0], [4.0, 3.0, 0.0]]
    raw = {"ndm": 3, "nodes": 4, "elements": 3, "coords": coords, "mass_x": [0, 1, 0, 1], "base": [0, 2],
           "pairs": [[0, 1], [2, 3], [1, 3]]}
    model = summarise(probe(raw))
    assert (model.vertical_axis, model.stories, model.spans_m) == ("y", 1, {"x": [4.0], "z": []})


def test_nothing_seen_is_none_and_odd_raw_data_keeps_the_counts() -> None:
    assert summarise(None) is None and summarise(probe({})) is None
    model = summarise(probe({"nodes": 2, "coords": [[0.0], "x"], "pairs": [[0, 5]]}))
    assert model is not None and model.nodes == 2 and model.stories == 0


@pytest.mark.parametrize(("printed", "model", "check"), [
    (None, None, "none"),
    (1.0, None, "unverified"),
    (1.0, ModelProbe(eigen_calls=0), "unverified"),
    (1.0, ModelProbe(eigen_calls=1, eigen_periods_s=[1.009]), "verified"),
    (1.0, ModelProbe(eigen_calls=1, eigen_periods_s=[1.02]), "mismatch"),
    (1.0, ModelProbe(eigen_calls=1, eigen_failed=True), "mismatch"),
    (None, ModelProbe(eigen_calls=1, eigen_periods_s=[1.0]), "none"),
])
def test_period_check(printed: float | None, model: ModelProbe | None, check: str) -> None:
    assert check_period(printed, model) == check


def test_a_run_result_round_trips_through_json() -> None:
    raw = {"wait_status": 0, "stdout": "T1 = 0.500 s\n", "reached_end": True,
           "probe": probe({"nodes": 2, "coords": [[0.0, 0.0], [0.0, 3.0]], "base": [0], "pairs": [[0, 1]],
                           "mass_x": [0.0, 1.0]}, (4 * math.pi ** 2 / 0.25,), calls=1)}
    result = from_zygote(raw, "print(1)\n", timeout=5.0, max_output=100)
    assert (result.status, result.period_check, result.period_s) == ("ok", "verified", 0.5)
    assert RunResult.model_validate_json(result.model_dump_json()) == result
    assert from_zygote({**raw, "reached_end": False, "last_line": 7}, "x\n" * 9, 5.0, 100).last_line == 7
