"""`build bug_cot --from`: real failing completions in, one verified sample per repairable case, the rest reported
with why; every program really runs in the sandbox."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from civilinstruct.pipelines.bug_cot.harvest import completion_text, harvest, program_of  # noqa: E402
from civilinstruct.cli.app import app  # noqa: E402
from civilinstruct.errors import CivilError  # noqa: E402
from civilinstruct.sandbox import Sandbox  # noqa: E402
from civilinstruct.store import Store  # noqa: E402
from real_failures import EXPECTED, FIXTURE, rows  # noqa: E402


def test_fixture_is_what_the_generator_writes():
    assert [json.loads(line) for line in FIXTURE.read_text().splitlines()] == rows()


def test_cut_answer_keeps_its_program_and_chat_completions_are_read():
    assert program_of("text\n```python\nimport os\nprint('a") == "import os\nprint('a"
    assert program_of("```python\nprint(1)\n```\n") == "print(1)\n"
    assert program_of("no code at all") is None
    assert completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]) == "a"
    assert completion_text({"role": "assistant", "content": "b"}) == "b"


def test_bad_sources_are_one_line(tmp_path):
    with pytest.raises(CivilError, match="--from"):
        list(harvest([tmp_path / "missing.jsonl"]))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "p"}\n')
    with pytest.raises(CivilError, match="completion"):
        list(harvest([bad]))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("harvest") / "data"
    result = CliRunner().invoke(app, ["build", "bug_cot", "--data", str(data), "--from", str(FIXTURE), "--n", "50",
                                      "--workers", "2", "--timeout", "20", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["parts"][0]
    return Store(data), report


def test_one_verified_sample_per_repairable_case(built):
    store, report = built
    samples = {json.loads(s.extra)["origin"]["row"]: s for s in store.iter_samples("bug_cot")}
    repairable = {row for row, (_, ok) in EXPECTED.items() if ok}
    assert set(samples) == repairable
    with Sandbox(timeout=20, workers=2) as sandbox:
        reruns = dict(zip(samples, sandbox.run_many([s.code for s in samples.values()])))
    for row, sample in samples.items():
        extra = json.loads(sample.extra)
        assert sample.failure_type == EXPECTED[row][0], row
        assert extra["origin"] == {"kind": "real", "source": FIXTURE.name, "row": row,
                                   "generator": "fixture/hand-broken"}
        assert extra["stage"] in {"executability", "compliance", "period"}
        # the answer carries the repair as a diff that turns the broken program into the repaired one
        answer = sample.messages[1].content
        assert "```diff" in answer and "**Root cause.**" in answer
        assert "**Repaired program:**" not in answer, row  # a few changed lines, not the program copied back
        # the diagnosis quotes the run's own output, never the runner's placeholder
        assert "The log says:\n> " in answer and "See stderr output" not in answer, row
        if extra["failure"]["error_line"]:
            assert f"line {extra['failure']['error_line']}" in answer, row
        assert extra["broken_program"].rstrip() in sample.messages[0].content
        # re-run here: the repair runs, reports a T1 from its own eigen analysis, and passes its checks
        run = reruns[row]
        assert run.status == "ok" and run.period_check == "verified", (row, run.stderr[-300:])
        assert run.compliance != "fail", row
    assert samples["stray-modifier"].execution.compliance == "pass"


def test_unrepairable_cases_are_reported_with_why(built):
    _, report = built
    notes = [n for n in report["notes"] if n.startswith("not repaired:")]
    unrepairable = {row for row, (kind, ok) in EXPECTED.items() if kind and not ok}
    assert {n.split(" row ")[1].split(" ")[0] for n in notes} == unrepairable
    assert any("cut off" in n and "cut-before-eigen" in n for n in notes)
    assert any("design change" in n and "small-columns" in n for n in notes)
    assert report["dropped"]["did_not_fail"] == 1  # the passing completion is not a case


def test_catalog_counts_by_origin_and_failure_type(built):
    store, _ = built
    result = CliRunner().invoke(app, ["catalog", str(store.data_dir), "--part", "bug_cot",
                                      "--by", "origin,failure_type", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["by"]["rows"]
    assert {r["value"] for r in rows} >= {"real | compliance.drift", "real | modal.no_period"}
    assert sum(r["samples"] for r in rows) == 6


def test_cut_llm_answers_are_kept_by_long_code_and_harvested(tmp_path, monkeypatch):
    """long_code (backend openai) keeps an answer cut inside its program as a failed row; `--from` the part
    folder runs it and reports it: cut before its model was complete, so nothing to repair."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "llm"))
    from llm_faults import fault_app

    from civilinstruct.pipelines.bug_cot import pipeline as bug_cot
    from civilinstruct.pipelines.long_code import pipeline as long_code
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.server.runner import serve_in_thread

    monkeypatch.setenv("CIVILINSTRUCT_LLM_CACHE", "off")
    store = Store(tmp_path / "data")
    with serve_in_thread(fault_app()) as base:
        report = long_code.build(store, BuildOptions(n=1, seed=3, workers=1, timeout_s=20, progress=False,
                                                     backend="openai", model="m",
                                                     base_url=base.removesuffix("/v1") + "/cut/v1"))
    rows = list(store.iter_samples("long_code"))
    assert report.written == 1 and report.failed == 1
    assert rows[0].execution.status == "error" and json.loads(rows[0].extra)["cut_answer"] is True
    assert rows[0].code.endswith("ops.node(2, 0.0, 3.")
    folder = store.shard_paths("long_code")[0].parent
    harvested = bug_cot.build(Store(tmp_path / "out"), BuildOptions(n=5, seed=0, workers=1, timeout_s=20,
                                                                    progress=False, extra={"from": [str(folder)]}))
    assert harvested.written == 0
    assert any(n.startswith("not repaired:") and rows[0].id in n and "cut off" in n for n in harvested.notes)


def test_bench_run_parquet_is_a_source(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
    table = pa.table({"case_id": ["c1", "c2"], "sample_index": [0, 3], "model": ["qwen", "qwen"],
                      "completion": [texts[0]["completion"], texts[3]["completion"]]})
    pq.write_table(table, tmp_path / "gens.parquet")
    found = list(harvest([tmp_path / "gens.parquet"]))
    assert [json.loads(h.origin)["row"] for h in found] == ["c1#0", "c2#3"]
    assert json.loads(found[0].origin)["generator"] == "qwen" and "ops.timeSeries('Linear" in found[0].program


def test_manifest_from_and_synthetic_cases_follow_the_observed_mix(tmp_path):
    """A manifest's `from:` feeds bug_cot; `extra.synthetic` adds mutations only of classes the harvest showed."""
    from civilinstruct.pipelines.bug_cot.mutations import MUTATORS
    from civilinstruct.pipelines.bug_cot import pipeline as bug_cot
    from civilinstruct.release.manifest import parse_manifest
    from civilinstruct.release.runner import part_options

    manifest = parse_manifest({"name": "t", "version": "0.1", "parts": {
        "long_code": {"n": 1}, "bug_cot": {"n": 12, "from": [FIXTURE.name], "extra": {"synthetic": 6}}}},
        base_dir=FIXTURE.parent)
    options = part_options(manifest, "bug_cot", manifest.parts.bug_cot, {"workers": 2, "timeout_s": 20,
                                                                        "progress": False})
    assert options.extra["from"] == [str(FIXTURE)]
    with pytest.raises(CivilError, match="from"):
        parse_manifest({"name": "t", "version": "0.1", "parts": {"long_code": {"n": 1, "from": ["x.jsonl"]}}})
    store = Store(tmp_path / "data")
    report = bug_cot.build(store, options)
    samples = [json.loads(s.extra) | {"type": s.failure_type} for s in store.iter_samples("bug_cot")]
    real = [s for s in samples if s["origin"]["kind"] == "real"]
    synthetic = [s for s in samples if s["origin"]["kind"] == "synthetic"]
    assert len(real) == 6 and synthetic, report
    shown = {row_type for row_type, _ in EXPECTED.values() if row_type} & set(MUTATORS)
    assert {s["type"] for s in synthetic} <= shown


def test_a_repair_that_is_another_program_is_rejected():
    from bugcot_frames import frame_program

    from civilinstruct.pipelines.bug_cot.chunk import verify as _verify

    broken = frame_program(stories=3).replace("I_bm", "I_beam")
    assert _verify(None, frame_program(stories=6, bays=3), broken, None) == "rewrote"
    assert _verify(None, "print('T1 = 0.5 s')\n", broken, None) == "rewrote"


def test_variants_are_distinct_requests_on_the_llm_path(tmp_path, monkeypatch):
    """Two variants of one failure: different questions (task), seeds, and the second sampled warmer."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "llm"))
    from llm_faults import fault_app

    from civilinstruct.pipelines.bug_cot import pipeline as bug_cot
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.server.runner import serve_in_thread

    monkeypatch.setenv("CIVILINSTRUCT_LLM_CACHE", "off")
    source = tmp_path / "one.jsonl"
    source.write_text(next(line for line in FIXTURE.read_text().splitlines() if '"name-typo"' in line) + "\n")
    app = fault_app()
    with serve_in_thread(app) as base:
        report = bug_cot.build(Store(tmp_path / "data"), BuildOptions(
            n=2, seed=0, workers=1, timeout_s=20, progress=False, backend="openai", model="m",
            base_url=base.removesuffix("/v1") + "/malformed/v1",
            extra={"from": [str(source)], "variants_per_failure": 2, "llm_cache": "off"}))
    assert report.dropped["llm:malformed_json"] == 2
    warm = [b for b in app.state.bodies if b.get("temperature") == 0.8]  # requests arrive in any order
    assert len(app.state.bodies) == 2 and len(warm) == 1
    second = warm[0]
    first = next(b for b in app.state.bodies if b is not second)
    assert first["seed"] != second["seed"]
    assert first["messages"][-1]["content"] != second["messages"][-1]["content"]
    assert "explain" in second["messages"][-1]["content"] or "what the log means" in second["messages"][-1]["content"]
