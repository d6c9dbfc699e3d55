"""long_code pipeline: specs -> designs -> executed, scored programs in the store; resumable and seeded."""

from __future__ import annotations

import json
import re

from civilinstruct.cli.app import app
from civilinstruct.design import DesignError, design, sample_specs
from civilinstruct.spec.instructions import parse_instruction
from civilinstruct.pipelines.long_code import pipeline as long_code
from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.store import Store


def _options(**kw) -> BuildOptions:
    return BuildOptions(**{"n": 6, "seed": 3, "progress": False, "allow_weak_isolation": True, **kw})


def test_build_writes_scored_executed_samples_and_resumes(tmp_path) -> None:
    store = Store(tmp_path / "data")
    report = long_code.build(store, _options(seed=2))  # (seed 2: English and Chinese styles)
    undesignable = sum(v for k, v in report.dropped.items() if k.startswith("not designable"))
    expected = 0
    for spec in sample_specs(6, 2):
        try:
            design(spec)
            expected += 1
        except DesignError:
            pass
    assert report.written == expected and undesignable == 6 - expected
    samples = list(store.iter_samples("long_code"))
    assert len(samples) == expected
    languages = set()
    for s in samples:
        assert s.part == "long_code" and [m.role for m in s.messages] == ["user", "assistant"]
        assert parse_instruction(s.messages[0].content).to_json() == s.spec
        assert s.code and s.code.rstrip() in s.messages[1].content
        assert s.messages[1].content.startswith("<think>")
        think = s.messages[1].content.split("</think>")[0]
        chinese_code = len(re.findall(r"[\u4e00-\u9fff]", s.code)) > 20
        assert (len(re.findall(r"[\u4e00-\u9fff]", think)) > 20) == chinese_code  # the derivation in its language
        languages.add(chinese_code)
        extra = json.loads(s.extra)
        if "-space" in extra["style"]:
            # the 3D space frame: the whole building, whose periods are not the plane frame's the score compares
            # with (codegen.space.reference_periods are), and whose Y drift the design did not size
            assert s.execution.status == "ok" and s.ground_truth == s.execution.period_s and s.score >= 80.0
            assert extra["verdict_consistent"] and "rigidDiaphragm" in s.code
            continue
        assert s.execution.status == "ok" and s.score == 100.0
        negative = extra.get("negative", False)  # light beams given by the instruction: FAIL, the check named
        assert s.ground_truth == s.execution.period_s and s.execution.compliance == ("fail" if negative else "pass")
        if negative:  # the pipeline drops a negative whose named check did not fail (tests/codegen/test_negative.py)
            assert extra["expected_fail"] == "Beam flexure check" and "Failing checks: " in s.code
        assert extra["verdict_consistent"] and extra["lines"] >= 200
        assert abs(s.ground_truth - extra["design"]["t1_model_s"]) / s.ground_truth < 1e-3
    assert languages == {True, False}
    again = long_code.build(store, _options(seed=2))
    assert again.written == 0 and again.skipped_existing == expected


def test_ids_depend_on_seed_only_through_inputs(tmp_path) -> None:
    report_a = BuildOptions(n=3, seed=1)
    from civilinstruct.pipelines.base import BuildReport

    a = long_code.make_jobs(report_a, set(), BuildReport(part="long_code", version="v1"))
    b = long_code.make_jobs(BuildOptions(n=3, seed=1), set(), BuildReport(part="long_code", version="v1"))
    c = long_code.make_jobs(BuildOptions(n=3, seed=2), set(), BuildReport(part="long_code", version="v1"))
    assert [j.sample_id for j in a] == [j.sample_id for j in b]
    assert not {j.sample_id for j in a} & {j.sample_id for j in c}


def test_rule_of_strips_numbers() -> None:
    assert long_code.rule_of("interstory drift 1/430 > 1/550 (GB 50011 5.5.1): columns would exceed") == \
        "interstory drift"


def test_cli_build_and_specs(tmp_path, runner) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["build", "long_code", "--n", "2", "--seed", "5", "--data", str(data),
                                 "--allow-weak-isolation", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["parts"][0]
    assert report["part"] == "long_code" and report["written"] + sum(report["dropped"].values()) == 2
    specs = runner.invoke(app, ["specs", "--n", "3", "--seed", "5", "--json"])
    assert specs.exit_code == 0
    assert json.loads(specs.stdout) == [s.canonical() for s in sample_specs(3, 5)]


def test_cli_design_reports_the_broken_rule(runner) -> None:
    bad = runner.invoke(app, ["design", "--stories", "20", "--intensity", "9"])
    assert bad.exit_code == 1
    assert re.search(r"exceeds the 24 m limit .*Table 6\.1\.1", bad.output)
    assert len(bad.output.strip().splitlines()) == 1
    for args, rule in ((["--span-x", "0"], "span along X"), (["--site-class", "V"], "unknown site class")):
        r = runner.invoke(app, ["design", "--stories", "5", *args])
        assert r.exit_code == 1 and rule in r.output
    ok = runner.invoke(app, ["design", "--stories", "4", "--bays-x", "2", "--json"])
    assert ok.exit_code == 0
    data = json.loads(ok.stdout)
    assert data["spec"]["stories"] == 4 and data["max_drift"] <= 1 / 550


def test_cli_design_from_json_file(tmp_path, runner) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(sample_specs(1, 9)[0].canonical()))
    r = runner.invoke(app, ["design", "--spec", str(path), "--code"])
    assert r.exit_code == 0 and "ops.eigen(" in r.stdout
    missing = runner.invoke(app, ["design", "--spec", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_llm_path_against_a_real_loopback_server(tmp_path, monkeypatch) -> None:
    """backend openai: rewrite (prompts/rewrite.j2) then codegen (prompts/codegen.j2) over HTTP.

    Here the server's rewrite handler is swapped for the codegen one, so its "rewrite" is a program, not an
    instruction: the pipeline must notice that the building changed and keep the offline variant. (The real
    offline rewrite is accepted: tests/server/test_server_end_to_end.py.)
    """
    from civilinstruct.llm import offline
    from civilinstruct.server import create_app
    from civilinstruct.server.generators import OfflineGenerator
    from civilinstruct.server.runner import serve_in_thread

    monkeypatch.setenv("CIVILINSTRUCT_LLM_CACHE", "off")
    monkeypatch.setitem(offline.OFFLINE_HANDLERS, "rewrite", offline.OFFLINE_HANDLERS["codegen"])
    with serve_in_thread(create_app(OfflineGenerator(seed=1))) as base:
        store = Store(tmp_path / "data")
        report = long_code.build(store, _options(n=2, seed=2, backend="openai", base_url=base,
                                                 model="civilinstruct-offline"))
    samples = list(store.iter_samples("long_code"))
    assert report.written == len(samples) == 2
    assert any("rewrites changed the building" in note for note in report.notes)
    for s in samples:
        assert s.lineage.generator == "openai/civilinstruct-offline" and s.lineage.prompt_template == "codegen"
        assert json.loads(s.extra)["rewrite_rejected"] is True
        assert parse_instruction(s.messages[0].content).to_json() == s.spec
        assert s.execution.status == "ok" and s.score == 100.0
