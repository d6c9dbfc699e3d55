"""bench.run: n generations per BMEval case, resumable, refusing to mix runs; with the real offline backend."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import civilinstruct.pipelines  # noqa: F401  (registers the offline answer handlers, as the CLI does)
from civilinstruct.bench.run import partial_path, run_bench
from civilinstruct.bench.runmeta import read_run_meta
from civilinstruct.errors import CivilError
from civilinstruct.llm import OfflineBackend

CASES = [{"case_id": f"case-{k}", "instruction": f"Model a {k}-story RC frame office building, 3 bays of 6 m, "
                                                 f"intensity 8, site class II.", "ground_truth": 0.5 + k / 10}
         for k in (3, 4)]


def test_a_fresh_run_writes_every_generation_in_case_order(tmp_path: Path) -> None:
    """Guards the output: n rows per case in the cases' order with sample_index 0..n-1, each with its
    finish_reason and model; the identity in the parquet metadata; the partial file gone."""
    out = tmp_path / "gens.parquet"
    stats = run_bench(CASES, out, OfflineBackend(), n=2, model="rules")
    assert (stats["cases"], stats["resumed"], stats["generated"], stats["generations"]) == (2, 0, 2, 4)
    rows = pq.read_table(out).to_pylist()
    assert [(r["case_id"], r["sample_index"]) for r in rows] == [("case-3", 0), ("case-3", 1), ("case-4", 0),
                                                                  ("case-4", 1)]
    assert all(r["model"] == "rules" and r["completion"] and "finish_reason" in r for r in rows)
    assert rows[0]["ground_truth"] == pytest.approx(0.8)
    assert read_run_meta(out)["model"] == "rules"  # type: ignore[index]
    assert not partial_path(out).exists()


def _partial(out: Path, tail: str) -> None:
    identity = {"model": "rules", "n": 1, "sampling": {}}
    done = [{"case_id": "case-3", "sample_index": 0, "completion": "kept from before", "finish_reason": "stop",
             "model": "rules", "instruction": "x", "ground_truth": 0.8}]
    partial_path(out).write_text(json.dumps({"run": identity}) + "\n" + json.dumps(done) + "\n" + tail,
                                 encoding="utf-8")


def test_resume_asks_only_for_missing_cases(tmp_path: Path) -> None:
    """Guards resuming: a case already in the partial file (with n rows) is kept as it is, an unreadable line is
    skipped, and only the other case is generated."""
    out = tmp_path / "gens.parquet"
    _partial(out, "not json\n")
    stats = run_bench(CASES, out, OfflineBackend(), n=1, model="rules")
    assert (stats["resumed"], stats["generated"], stats["generations"]) == (1, 1, 2)
    rows = pq.read_table(out).to_pylist()
    assert [r["case_id"] for r in rows] == ["case-3", "case-4"]
    assert rows[0]["completion"] == "kept from before"


def test_resume_after_a_kill_mid_line_keeps_the_new_case(tmp_path: Path) -> None:
    """Guards the kill case the module promises to survive: a cut last line (no newline) costs only that case."""
    out = tmp_path / "gens.parquet"
    _partial(out, '[{"case_id": "ca')
    stats = run_bench(CASES, out, OfflineBackend(), n=1, model="rules")
    assert [r["case_id"] for r in pq.read_table(out).to_pylist()] == ["case-3", "case-4"]
    assert stats["generations"] == 2


def test_another_run_is_refused_unless_overwritten(tmp_path: Path) -> None:
    """Guards against mixing runs: another model into the same --out is one CivilError; --overwrite starts
    afresh; -n 0 and an --out that is not parquet are user errors too."""
    out = tmp_path / "gens.parquet"
    run_bench(CASES[:1], out, OfflineBackend(), n=1, model="m1")
    with pytest.raises(CivilError, match="holds another run of model 'm1'"):
        run_bench(CASES[:1], out, OfflineBackend(), n=1, model="m2")
    stats = run_bench(CASES[:1], out, OfflineBackend(), n=1, model="m2", overwrite=True)
    assert stats["generated"] == 1 and read_run_meta(out)["model"] == "m2"  # type: ignore[index]
    with pytest.raises(CivilError, match="at least 1"):
        run_bench(CASES, out, OfflineBackend(), n=0)
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(CivilError, match="not a readable parquet file"):
        run_bench(CASES, bad, OfflineBackend(), n=1)
