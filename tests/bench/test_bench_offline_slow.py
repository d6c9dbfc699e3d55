"""The benchmark's self-consistency on more buildings: the served offline generator passes strictly.

The full 128-case run is `benchmarks/bench_score.py` (results in benchmarks/results/reward_bench.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.runner import serve_in_thread

runner = CliRunner()


@pytest.mark.slow
def test_offline_generator_strict_on_24_cases(tmp_path: Path) -> None:
    cases, gens = tmp_path / "cases.parquet", tmp_path / "gens.parquet"
    made = runner.invoke(app, ["bench", "cases", "--n", "24", "--seed", "5", "--out", str(cases), "--json",
                               "--allow-weak-isolation"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["cases"] == 24
    with serve_in_thread(create_app(OfflineGenerator(seed=0))) as base:
        ran = runner.invoke(app, ["bench", "run", "--cases", str(cases), "--base-url", base, "--model", "offline",
                                  "-n", "5", "--out", str(gens), "--json"])
        assert ran.exit_code == 0, ran.output
    scored = runner.invoke(app, ["bench", "score", str(gens), "--json", "--allow-weak-isolation"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["metrics"]["pass@5_strict"] >= 90.0
