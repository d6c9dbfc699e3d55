"""The README's path as a researcher follows it (tour, release, training, bench), at small sizes with a tiny model.

What it guards: held-out and benchmark buildings never reach training (by construction, whatever flags the README
shows), a second model's bench run is not mixed with the first's, and `train` refuses settings that would
truncate most rows. Everything is real: pipelines, sandbox, store, DuckDB, TRL on CPU, an HTTP server on loopback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from trainkit import invoke_json
from typer.testing import CliRunner

from civilinstruct.bench.cases import write_cases
from civilinstruct.cli.app import app
from civilinstruct.release.heldout import RECORD_NAME, training_plan
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.runner import serve_in_thread
from civilinstruct.store import Store
from civilinstruct.train.data import load_rows

runner = CliRunner()
MANIFEST = """\
name: researcher-path
seed: 0
parts:
  long_code: {{n: 10}}
  bug_cot: {{n: 6}}
  expert: {{n: 5}}
splits: {{seed: 0, validation: 0.2, test: 0.25}}
decontaminate: {{cases: {cases}}}
"""


def _chat_key(messages: list[dict]) -> str:
    return json.dumps([[m["role"], m["content"]] for m in messages if m["role"] != "system"])


def _row_key(row: dict) -> str:
    return _chat_key(row["messages"] if "messages" in row else [*row["prompt"], *row.get("completion", [])])


def _fails(args: list[str], *needles: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    for needle in needles:
        assert needle in result.output, result.output
    return result.output


@pytest.mark.slow
def test_readme_path_keeps_heldout_and_benchmark_out_and_runs_apart(tmp_path: Path) -> None:
    data, weak = tmp_path / "data", ["--allow-weak-isolation"]
    # -- the tour: parts by name, then the benchmark with the same seed: no shared building by construction
    for args in (["long_code", "--n", "10", "--seed", "0"], ["expert", "--n", "5"], ["bug_cot", "--n", "6"]):
        invoke_json(["build", *args, "--data", str(data), "--json", *weak])
    bench = invoke_json(["bench", "cases", "--n", "16", "--seed", "0", "--out", str(tmp_path / "cases.parquet"),
                         "--data", str(data), "--json", *weak])
    assert bench["overlap"]["rows"] == 0 and bench["overlap"]["buildings"] == 0

    # a benchmark that does hold one tour building (its spec and instruction): it must never reach training
    store = Store(data)
    leak = store.read("long_code", columns=["id", "spec", "messages"]).to_pylist()[0]
    user = next(m["content"] for m in leak["messages"] if m["role"] == "user")
    leak_cases = write_cases([{"case_id": "leak", "instruction": user, "spec": leak["spec"], "t_ref_fe": 1.0,
                               "t_ref_empirical": 1.0, "ground_truth": 1.0}], tmp_path / "leak.parquet")

    # -- the release: a manifest over the same data dir (the parts resume); it records its split plan
    manifest = tmp_path / "release.yaml"
    manifest.write_text(MANIFEST.format(cases=leak_cases))
    invoke_json(["build", str(manifest), "--data", str(data), "--no-export", "--json", *weak])
    assert json.loads((data / RECORD_NAME).read_text())["splits"]["test"] == 0.25
    plain = invoke_json(["export", str(data), "--format", "trl", "--out", str(tmp_path / "trl"), "--json", *weak])
    named = invoke_json(["export", str(data), "--format", "trl", "--out", str(tmp_path / "trl2"), "--manifest",
                         str(manifest), "--json", *weak])
    assert plain["files"] == named["files"] and plain["splits"]["contaminated_rows"] >= 2  # long_code, expert, ...
    assert {"sft/train.parquet", "sft/validation.parquet", "grpo/train.parquet", "grpo/test.parquet"} <= set(
        plain["files"])

    # -- what training reads: the train split only, never the leaked building, in every README form
    plan, settings = training_plan(data, ["long_code", "bug_cot", "expert"])
    assert settings.source.endswith(RECORD_NAME)
    rows_by_split: dict[str | None, set[str]] = {}
    for part in ("long_code", "bug_cot", "expert"):
        for row in store.read(part, columns=["id", "messages"]).to_pylist():
            rows_by_split.setdefault(plan.split_of(row["id"]), set()).add(_chat_key(row["messages"]))
    held = rows_by_split["validation"] | rows_by_split["test"]
    assert held and rows_by_split[None] and _chat_key(leak["messages"]) in rows_by_split[None]
    sft = load_rows(data, "sft", ["long_code", "bug_cot"])
    grpo = load_rows(data, "grpo", ["expert"])
    trained = {_row_key(r) for r in sft.rows}
    assert trained and not trained & (held | rows_by_split[None])
    assert len(sft.rows) == sum(plan.counts[p]["train"] for p in ("long_code", "bug_cot"))
    prompts = {_chat_key(r["prompt"]) for r in grpo.rows}
    expert_test = {_chat_key(r["messages"][:-1]) for r in store.read("expert", columns=["id", "messages"]).to_pylist()
                   if plan.split_of(r["id"]) in ("test", None)}
    assert len(grpo.rows) == plan.counts["expert"]["train"] and expert_test and not prompts & expert_test
    wider = load_rows(data, "sft", ["long_code", "bug_cot"], include_heldout=True)
    assert len(wider.rows) > len(sft.rows) and not {_row_key(r) for r in wider.rows} & rows_by_split[None]
    for export_file in ("sft/train.parquet",):
        exported = {_chat_key(m) for m in pq.read_table(tmp_path / "trl" / export_file).column("messages").to_pylist()}
        assert not exported & (held | rows_by_split[None])

    # -- train: a tiny model; a length limit that cuts most rows is refused before torch, in one line
    model = tmp_path / "tiny"
    invoke_json(["train", "tiny-model", "--data", str(data), "--out", str(model), "--json"])
    parts = ["--part", "long_code", "--part", "bug_cot"]
    _fails(["train", "sft", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "sft"), *parts,
            "--max-length", "1024"], "--max-length 1024 would cut", "--allow-truncation")
    _fails(["train", "sft", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "sft"), *parts,
            "--max-length", "8", "--allow-truncation"], "shorter than every prompt")
    _fails(["train", "grpo", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "grpo"),
            "--max-completion-length", "16", "--batch-size", "2", "--num-generations", "2", "--grad-accum", "1"],
           "--max-completion-length 16 would cut")
    summary = invoke_json(["train", "sft", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "sft"),
                           *parts, "--max-steps", "1", "--batch-size", "2", "--grad-accum", "1", "--max-length", "1024",
                           "--allow-truncation", "--no-lora", "--json"])
    info = summary["data"]
    assert info["rows"] == len(sft.rows)
    assert info["lengths"]["cut_share"] > 0.5 and "warning" in info["lengths"]
    assert info["heldout"]["bmeval_rows"] >= 1 and any(k.endswith("/test") or k.endswith("/validation")
                                                       for k in info["heldout"]["kept_out"])

    # -- bench: the offline model's run, then a second model into the same --out: refused, nothing mixed
    gens = tmp_path / "gens.parquet"
    with serve_in_thread(create_app(OfflineGenerator(seed=0))) as base:
        common = ["bench", "run", "--cases", str(tmp_path / "cases.parquet"), "--base-url", base, "-n", "1",
                  "--limit", "2", "--out", str(gens)]
        assert runner.invoke(app, [*common, "--model", "offline", "--json"]).exit_code == 0
        _fails([*common, "--model", "grpo"], "holds another run of model 'offline'", "--overwrite")
    assert {r["model"] for r in pq.read_table(gens).to_pylist()} == {"offline"}
