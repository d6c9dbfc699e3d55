"""`build bug_cot --from`: real failing completions in, one verified sample per repairable case, the rest reported
with why; every program really runs in the sandbox."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from civilinstruct.bugcot.harvest import completion_text, harvest, program_of  # noqa: E402
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
