"""`bench compare`: pass@k of two runs on shared cases with paired bootstrap intervals (hand-checkable inputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from civilinstruct.bench.compare import compare, per_case
from civilinstruct.cli.app import app
from civilinstruct.errors import CivilError


def outcomes(passing: dict[str, int], n: int = 5) -> list[dict]:
    """`passing[case]` of n generations are strictly correct (and so execute, fit the period and comply)."""
    return [{"case_id": c, "sample_index": i, "executes": i < p, "period_ok": i < p, "compliance_ok": i < p,
             "strict": i < p} for c, p in passing.items() for i in range(n)]


def test_per_case_pass_at_k_is_the_unbiased_estimator() -> None:
    values = per_case(outcomes({"a": 1, "b": 0}), k=5)
    assert values["a"]["pass@1"] == pytest.approx(0.2) and values["a"]["pass@5_strict"] == 1.0
    assert values["b"] == {"pass@1": 0.0, "pass@5": 0.0, "pass@5_period": 0.0, "pass@5_compliance": 0.0,
                           "pass@5_strict": 0.0}


def test_intervals_and_significance() -> None:
    cases = [f"c{i}" for i in range(40)]
    worse = outcomes({c: (1 if i % 2 else 0) for i, c in enumerate(cases)})
    better = outcomes({c: 5 for c in cases})
    result = compare(worse, better, k=5, samples=500)
    strict = next(r for r in result["metrics"] if r["metric"] == "pass@5_strict")
    assert (strict["a"], strict["b"], strict["diff"]) == (50.0, 100.0, 50.0)
    assert strict["a_ci"][0] < 50.0 < strict["a_ci"][1] and strict["b_ci"] == [100.0, 100.0]
    assert strict["diff_ci"][0] > 0 and strict["significant"]
    same = compare(worse, worse, k=5, samples=500)
    assert all(r["diff"] == 0 and r["diff_ci"] == [0.0, 0.0] and not r["significant"] for r in same["metrics"])
    with pytest.raises(CivilError, match="share no case"):
        compare(worse, outcomes({"other": 1}), k=5)


def test_cli_on_outcome_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(pa.Table.from_pylist(outcomes({"x": 0, "y": 1, "z": 2})), a)
    pq.write_table(pa.Table.from_pylist(outcomes({"x": 5, "y": 5, "w": 5})), b)
    result = CliRunner().invoke(app, ["bench", "compare", str(a), str(b), "--json", "--samples", "200"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["cases"], data["only_a"], data["only_b"]) == (2, 1, 1)
    table = CliRunner().invoke(app, ["bench", "compare", str(a), str(b), "--samples", "200"])
    assert table.exit_code == 0 and "2 shared cases" in table.output
    missing = CliRunner().invoke(app, ["bench", "compare", str(a), str(tmp_path / "nope.parquet")])
    assert missing.exit_code == 1 and "no such file" in missing.output
