"""`bench run` knows which run it is: a second model's run is refused, not mixed in; cut answers are their own class.

A real OpenAI-compatible server on loopback (the offline generator, which cuts answers at `max_tokens` words and
says `finish_reason: length`), real cases, real sandbox scoring.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from civilinstruct.bench.cases import build_cases, write_cases
from civilinstruct.bench.runmeta import read_run_meta
from civilinstruct.cli.app import app
from civilinstruct.sandbox import Sandbox
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.runner import serve_in_thread

runner = CliRunner()


@pytest.fixture(scope="module")
def cases_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        cases, _ = build_cases(2, seed=5, sandbox=box)
    return write_cases(cases, tmp_path_factory.mktemp("meta") / "cases.parquet")


def _run(cases: Path, base: str, out: Path, model: str, *extra: str) -> object:
    return runner.invoke(app, ["bench", "run", "--cases", str(cases), "--base-url", base, "--model", model,
                               "-n", "2", "--out", str(out), "--json", *extra])


def test_second_model_is_refused_not_mixed(cases_path: Path, tmp_path: Path) -> None:
    gens = tmp_path / "gens.parquet"
    with serve_in_thread(create_app(OfflineGenerator(seed=0))) as base:
        first = _run(cases_path, base, gens, "offline", "--temperature", "0.7")
        assert first.exit_code == 0, first.output
        meta = read_run_meta(gens)
        assert meta is not None
        assert (meta["model"], meta["endpoint"], meta["n"], meta["sampling"]) == ("offline", base, 2,
                                                                                  {"temperature": 0.7})
        assert len(meta["cases_sha256"]) == 64 and meta["ground_truth"] == "fe" and meta["created_at"]
        same = _run(cases_path, base, gens, "offline", "--temperature", "0.7")
        assert same.exit_code == 0 and json.loads(same.stdout)["resumed"] == 2
        other = _run(cases_path, base, gens, "grpo", "--temperature", "0.7")
        assert other.exit_code == 1
        assert "holds another run of model 'offline'" in other.output and len(other.output.strip().splitlines()) == 1
        sampling = _run(cases_path, base, gens, "offline", "--temperature", "1.0")
        assert sampling.exit_code == 1 and "sampling" in sampling.output
        assert {r["model"] for r in pq.read_table(gens).to_pylist()} == {"offline"}  # nothing lost or mixed
        fresh = _run(cases_path, base, gens, "grpo", "--overwrite")
        assert fresh.exit_code == 0 and json.loads(fresh.stdout)["generated"] == 2
    assert {r["model"] for r in pq.read_table(gens).to_pylist()} == {"grpo"}
    assert read_run_meta(gens)["model"] == "grpo"


def test_cut_answers_are_stored_and_scored_as_truncated(cases_path: Path, tmp_path: Path) -> None:
    gens = tmp_path / "short.parquet"
    with serve_in_thread(create_app(OfflineGenerator(seed=0))) as base:
        result = _run(cases_path, base, gens, "offline", "--max-tokens", "40")
        assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["truncated"] == 4
    assert {r["finish_reason"] for r in pq.read_table(gens).to_pylist()} == {"length"}
    report = tmp_path / "report.html"
    scored = runner.invoke(app, ["bench", "score", str(gens), "--k", "2", "--json", "--allow-weak-isolation",
                                 "--report", str(report)])
    assert scored.exit_code == 0, scored.output
    summary = json.loads(scored.stdout)
    assert summary["truncated"] == 4 and summary["run"]["sampling"] == {"max_tokens": 40}
    stages = {s["stage"]: s["count"] for s in summary["failures"]["stages"]}
    assert stages["truncated"] == 4 and stages["executability"] == 0
    page = (tmp_path / "report-cases.html").read_text()
    cases = pq.read_table(cases_path).to_pylist()
    assert "Pass rates by stories" in page and "Pass rates by site class" in page and "finish_reason length" in page
    assert cases[0]["instruction"].splitlines()[0][:30] in page and "(no program found in the completion)" in page
    assert "model</td><td>offline" in report.read_text()  # the run's details in the main report


@pytest.mark.slow
def test_a_server_that_never_answers_is_bounded_by_the_flags(cases_path: Path, tmp_path: Path) -> None:
    """`bench run --request-timeout/--llm-budget`: a silent endpoint costs those seconds, then one line."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:  # takes connections and never answers; stops by itself
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        result = _run(cases_path, base, tmp_path / "gens.parquet", "silent", "--request-timeout", "0.5",
                      "--llm-budget", "2")
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "timed out after 0.5 s" in lines[0] or "2 s budget" in lines[0]  # the flags reached the backend
