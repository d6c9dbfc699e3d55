"""Training rows from the real store and from export dirs (only the agreed column names are relied on)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civilinstruct.errors import CivilError
from civilinstruct.store import Lineage, Message, Sample, Store, make_id
from civilinstruct.train.data import corpus_texts, grpo_row, load_rows, sft_row

CHAT = [{"role": "system", "content": "s"}, {"role": "user", "content": "Model a frame."},
        {"role": "assistant", "content": "```python\nimport openseespy.opensees as ops\n```"}]


def test_sft_rows_put_the_loss_on_the_answer() -> None:
    row, reason = sft_row(CHAT, completion_only=True)
    assert reason is None and row["prompt"] == CHAT[:2] and row["completion"] == CHAT[2:]
    assert sft_row(CHAT, completion_only=False)[0] == {"messages": CHAT}
    assert sft_row(CHAT[:2], True) == (None, "no assistant turn")
    assert sft_row(CHAT[2:], True) == (None, "no instruction before the answer")


def test_grpo_rows_are_prompt_only_with_a_float_truth() -> None:
    row, _ = grpo_row(CHAT, "0.85")  # the verl layout stores the period as a string
    assert row == {"prompt": CHAT[:2], "ground_truth": 0.85}
    assert grpo_row("Model a frame.", 1.2)[0]["prompt"] == [{"role": "user", "content": "Model a frame."}]
    assert grpo_row(CHAT, None) == (None, "no ground truth")
    assert grpo_row(CHAT, -1) == (None, "no ground truth")


def _write(store: Store, part: str, n: int, truth: float | None = None) -> None:
    with store.writer(part, "v1") as w:
        for i in range(n):
            w.add(Sample(id=make_id(part, i=i), part=part, messages=[Message(**m) for m in CHAT],
                         ground_truth=truth, lineage=Lineage(pipeline="t", pipeline_version="v1")))


@pytest.mark.slow
def test_store_rows_per_stage(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    _write(store, "api_pairs", 3)
    _write(store, "long_code", 2)
    _write(store, "bug_cot", 1)
    _write(store, "expert", 2, truth=0.7)
    sft = load_rows(tmp_path / "data", "sft", ["api_pairs", "long_code", "bug_cot"])
    assert sft.source == "store" and len(sft.rows) == 6 and sft.per_part["long_code"] == 2
    grpo = load_rows(tmp_path / "data", "grpo", ["expert"])
    assert [r["ground_truth"] for r in grpo.rows] == [0.7, 0.7]
    assert len(load_rows(tmp_path / "data", "sft", ["api_pairs"], max_samples=2).rows) == 2
    assert len(corpus_texts(tmp_path / "data")) == 3 * 8


@pytest.mark.slow
def test_empty_or_missing_parts_fail(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    _write(store, "api_pairs", 2)
    with pytest.raises(CivilError, match="part expert is empty or missing"):
        load_rows(tmp_path / "data", "grpo", ["expert"])
    _write(store, "long_code", 0)
    with pytest.raises(CivilError, match="part long_code is empty or missing"):
        load_rows(tmp_path / "data", "sft", ["api_pairs", "long_code"])
    with pytest.raises(CivilError, match="unknown part"):
        load_rows(tmp_path / "data", "sft", ["nope"])
    with pytest.raises(CivilError, match="does not exist"):
        load_rows(tmp_path / "missing", "sft", ["api_pairs"])


@pytest.mark.slow
def test_expert_without_ground_truth_is_nothing_to_train_on(tmp_path: Path) -> None:
    _write(Store(tmp_path / "data"), "expert", 2, truth=None)
    with pytest.raises(CivilError, match="nothing to train on.*2 no ground truth"):
        load_rows(tmp_path / "data", "grpo", ["expert"])


def test_export_dirs(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "sft").mkdir(parents=True)
    (export / "grpo").mkdir()
    pq.write_table(pa.Table.from_pylist([{"messages": CHAT, "part": "api_pairs"},
                                         {"messages": CHAT, "part": "expert"}]), export / "sft" / "train.parquet")
    pq.write_table(pa.Table.from_pylist([{"messages": CHAT}]), export / "sft" / "test.parquet")  # held out
    pq.write_table(pa.Table.from_pylist([{"prompt": CHAT[:2], "ground_truth": 0.9}]), export / "grpo" / "a.parquet")
    pq.write_table(pa.Table.from_pylist([{"prompt": CHAT[:2], "reward_model": {"style": "rule", "ground_truth": "1.1"}}]),
                   export / "grpo" / "verl.parquet")
    sft = load_rows(export, "sft", ["api_pairs", "long_code", "bug_cot"])
    assert sft.source == "export" and len(sft.rows) == 1  # the expert row is not stage I, test.parquet is held out
    assert sft.dropped["held-out split file"] == 1
    grpo = load_rows(export, "grpo", ["expert"])
    assert sorted(r["ground_truth"] for r in grpo.rows) == [0.9, 1.1]
    with pytest.raises(CivilError, match="no parquet file .* 'prompt'"):
        load_rows(export / "sft", "grpo", ["expert"])
    (tmp_path / "blank").mkdir()
    with pytest.raises(CivilError, match="neither a civilinstruct data dir"):
        load_rows(tmp_path / "blank", "sft", ["api_pairs"])


def test_a_benchmark_file_decontaminates_an_export(tmp_path: Path) -> None:
    """`train --cases FILE` on an export dir: rows whose instruction is a case's are not trained on."""
    from civilinstruct.bench.cases import write_cases

    leaked = "Model a 7-story reinforced concrete frame office in Xi'an, intensity 8 (0.20 g), site class II, " \
             "story height 3.6 m, three bays of 6.6 m, and print T1 and the drift check."
    export = tmp_path / "export" / "sft"
    export.mkdir(parents=True)
    rows = [{"messages": [*CHAT[:1], {"role": "user", "content": leaked}, CHAT[2]], "part": "long_code"},
            {"messages": CHAT, "part": "long_code"}]
    pq.write_table(pa.Table.from_pylist(rows), export / "train.parquet")
    cases = write_cases([{"case_id": "c1", "instruction": leaked, "spec": "{}", "t_ref_fe": 1.0,
                          "t_ref_empirical": 1.0, "ground_truth": 1.0}], tmp_path / "cases.parquet")
    clean = load_rows(tmp_path / "export", "sft", ["long_code"], cases=cases)
    assert len(clean.rows) == 1 and clean.dropped["BMEval building"] == 1
    assert leaked not in json.dumps(clean.rows)
    assert len(load_rows(tmp_path / "export", "sft", ["long_code"]).rows) == 2
