"""BMEval end to end: real cases (design, codegen, sandbox), a real OpenAI-compatible server on loopback,
`bench run` (resumable) and `bench score` through the CLI.

The offline generator's reference-style answers must pass the benchmark; a generator whose programs have
syntax errors must score about 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from civilinstruct.bench.cases import build_cases, read_cases, write_cases
from civilinstruct.cli.app import app
from civilinstruct.sandbox import Sandbox
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.runner import serve_in_thread
from civilinstruct.server.schemas import ChatRequest, Completion

runner = CliRunner()
WEAK = ["--allow-weak-isolation"]


class SyntaxErrorGenerator:
    """A model that always answers with a truncated program (the paper's dominant failure)."""

    model_id = "broken"

    def complete(self, request: ChatRequest) -> Completion:
        text = ("<think>easy</think><answer>```python\nimport openseespy.opensees as ops\nops.wipe()\n"
                "print('T1 = 0.8 s)\n```</answer>")
        return Completion(texts=[text] * request.n, finish_reasons=["stop"] * request.n, prompt_tokens=1,
                          completion_tokens=10)


@pytest.fixture(scope="module")
def cases_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        cases, dropped = build_cases(6, seed=11, sandbox=box)
    path = write_cases(cases, tmp_path_factory.mktemp("bm") / "cases.parquet")
    return path


def test_cases_have_both_references(cases_path: Path) -> None:
    cases = read_cases(cases_path)
    assert len(cases) == 6 and len({c["case_id"] for c in cases}) == 6
    for c in cases:
        assert c["ground_truth"] == c["t_ref_fe"] > 0 and c["t_ref_empirical"] > 0
        assert c["prompt"][-1] == {"role": "user", "content": c["instruction"]}
        assert json.loads(c["spec"])["stories"] >= 1 and "openseespy" in c["reference_code"]
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        again, _ = build_cases(2, seed=11, sandbox=box, ground_truth="empirical")
    assert [c["case_id"] for c in again] == [c["case_id"] for c in cases[:2]]  # same seed, same cases
    assert again[0]["ground_truth"] == again[0]["t_ref_empirical"]


@pytest.mark.slow
def test_offline_generator_passes_and_run_resumes(cases_path: Path, tmp_path: Path) -> None:
    gens = tmp_path / "gens.parquet"
    with serve_in_thread(create_app(OfflineGenerator(seed=0))) as base:
        first = runner.invoke(app, ["bench", "run", "--cases", str(cases_path), "--base-url", base, "--model",
                                    "civilinstruct-offline", "-n", "5", "--out", str(gens), "--limit", "2", "--json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.stdout)["generated"] == 2
        second = runner.invoke(app, ["bench", "run", "--cases", str(cases_path), "--base-url", base, "--model",
                                     "civilinstruct-offline", "-n", "5", "--out", str(gens), "--json"])
        assert second.exit_code == 0, second.output
    summary = json.loads(second.stdout)
    assert (summary["resumed"], summary["generated"], summary["generations"]) == (2, 4, 30)
    table = pq.read_table(gens).to_pylist()
    assert sorted({r["sample_index"] for r in table}) == [0, 1, 2, 3, 4]

    report = tmp_path / "report.html"
    result = runner.invoke(app, ["bench", "score", str(gens), "--json", "--report", str(report), "--with-reward",
                                 *WEAK])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    metrics = scored["metrics"]
    assert scored["mean_reward"] >= 0.9
    assert metrics["pass@5_strict"] >= 90.0
    assert metrics["pass@1"] >= 90.0
    # issue 15: the reference-style programs model the building asked for and verify their own periods
    assert metrics["pass@5_verified"] >= 90.0
    assert scored["spec_conformance"]["conforms"] == scored["spec_conformance"]["checked"] > 0
    assert report.exists() and report.with_suffix(".png").exists()
    band = runner.invoke(app, ["bench", "score", str(gens), "--json", "--ground-truth", "band", *WEAK])
    assert band.exit_code == 0, band.output
    assert json.loads(band.stdout)["metrics"]["pass@5_period"] >= 90.0
    # the paper's reference: the empirical formula; the offline answers model the bare frame, so they miss it
    empirical = runner.invoke(app, ["bench", "score", str(gens), "--json", "--ground-truth", "empirical", *WEAK])
    assert json.loads(empirical.stdout)["metrics"]["pass@5_period"] < metrics["pass@5_period"]


def test_broken_generator_scores_zero(cases_path: Path, tmp_path: Path) -> None:
    gens = tmp_path / "broken.parquet"
    with serve_in_thread(create_app(SyntaxErrorGenerator())) as base:
        result = runner.invoke(app, ["bench", "run", "--cases", str(cases_path), "--base-url", base, "--model",
                                     "broken", "-n", "5", "--out", str(gens), "--json"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["bench", "score", str(gens), "--json", *WEAK])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert all(v == 0.0 for v in summary["metrics"].values())
    assert summary["failures"]["top_modes"][0]["mode"] == "SyntaxError.unterminated_string"
    assert summary["failures"]["stages"][0] == {"stage": "executability", "count": 30, "percent": 100.0}


def test_bench_user_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["bench", "score", str(tmp_path / "nope.parquet")])
    assert missing.exit_code == 1 and "no such generations file" in missing.output
    bad = runner.invoke(app, ["bench", "cases", "--n", "0", "--out", str(tmp_path / "c.parquet")])
    assert bad.exit_code == 1
