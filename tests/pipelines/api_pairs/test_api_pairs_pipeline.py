"""The api_pairs pipeline end to end on a few documentation pages (the .rst source the tests write, and also the
rendered HTML where it exists beside the repository), and on the embedded set: real sandbox runs, real store."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from collections import Counter

from fastapi import FastAPI, Request

from civilinstruct.errors import CivilError
from civilinstruct.pipelines.api_pairs import pipeline as api_pairs
from civilinstruct.opensees_docs.embedded import BUILTIN_VERSION
from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.store import Store

DOCS = Path(__file__).resolve().parents[3].parent / "shared" / "opensees-docs" / "html"  # only CI has it
PAGES = ["steel01", "node", "elasticBeamColumn", "newmark", "nodeDisp", "Bcast"]


@pytest.fixture(params=["rst"] + (["html"] if DOCS.is_dir() else []))
def small_docs(request: pytest.FixtureRequest, rst_docs: Path, tmp_path: Path) -> Path:
    """Six command pages: the upstream .rst layout (always), and the rendered HTML too where it is available."""
    if request.param == "rst":
        (rst_docs / "logo.png").write_bytes(b"\x89PNG\x00")  # other files beside the pages are ignored
        return rst_docs
    out = tmp_path / "docs"
    out.mkdir()
    for name in PAGES:
        shutil.copy(DOCS / "src" / f"{name}.html", out / f"{name}.html")
    (out / "logo.png").write_bytes(b"\x89PNG\x00")
    return out


def options(docs: Path, **kw) -> BuildOptions:
    return BuildOptions(docs=docs, per_command=3, workers=2, timeout_s=30, progress=False, **kw)


@pytest.mark.slow
def test_build_writes_verified_commented_pairs_and_resumes(small_docs: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    report = api_pairs.build(store, options(small_docs))
    assert report.part == "api_pairs" and report.version == api_pairs.VERSION
    assert report.written >= 10
    assert report.dropped["unsupported: needs the parallel (MPI) interpreter"] == 3  # Bcast
    samples = list(store.iter_samples("api_pairs"))
    assert len(samples) == report.written
    commands = {json.loads(s.spec)["command"] for s in samples}
    assert {"uniaxialMaterial('Steel01')", "node", "element('elasticBeamColumn')", "integrator('Newmark')",
            "nodeDisp"} <= commands
    for s in samples:
        assert s.execution.status == "ok"
        assert [m.role for m in s.messages] == ["user", "assistant"]
        assert f"```python\n{s.code}```" in s.messages[1].content
        tree = ast.parse(s.code)
        assert sum(line.count("#") for line in s.code.splitlines()) >= 3
        assert any(isinstance(n, ast.Call) for n in ast.walk(tree))
        spec = json.loads(s.spec)
        assert set(spec) == {"command", "page", "signature", "variant"}
        assert s.lineage.generator == "offline/rules-v1" and s.lineage.pipeline == "api_pairs"
    # instructions of one command are not copies of each other
    steel = [s.messages[0].content for s in samples if "Steel01" in json.loads(s.spec)["command"]]
    assert len(set(steel)) == len(steel) >= 2

    from typer.testing import CliRunner

    from civilinstruct.cli.app import app

    cov = CliRunner().invoke(app, ["docs-coverage", "--docs", str(small_docs), "--data", str(tmp_path / "data"),
                                   "--json"])
    assert cov.exit_code == 0, cov.output
    data = json.loads(cov.stdout)
    assert data["commands_verified"] == len(commands) and data["pairs_verified"] == report.written
    assert data["left_out"]["Bcast"].startswith("unsupported")

    again = api_pairs.build(store, options(small_docs))
    assert again.written == 0 and again.skipped_existing == report.written
    assert len(list(store.iter_samples("api_pairs"))) == report.written


@pytest.mark.slow
def test_same_inputs_give_same_ids_and_content(small_docs: Path, tmp_path: Path) -> None:
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    api_pairs.build(a, options(small_docs))
    api_pairs.build(b, options(small_docs))
    rows_a = {s.id: (s.code, s.messages[0].content) for s in a.iter_samples("api_pairs")}
    rows_b = {s.id: (s.code, s.messages[0].content) for s in b.iter_samples("api_pairs")}
    assert rows_a == rows_b
    other_seed = Store(tmp_path / "c")
    api_pairs.build(other_seed, options(small_docs, seed=7))
    assert not set(rows_a) & {s.id for s in other_seed.iter_samples("api_pairs")}


def test_bad_docs_input_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(CivilError, match="no such directory"):
        api_pairs.build(Store(tmp_path / "d"), options(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a.txt").write_text("x")
    with pytest.raises(CivilError, match="neither .html pages nor .rst sources"):
        api_pairs.build(Store(tmp_path / "d"), options(tmp_path / "empty"))
    with pytest.raises(CivilError, match=r"run `civilinstruct docs fetch --commit abc`"):
        api_pairs.build(Store(tmp_path / "d"), options("openseespydoc@abc"))
    assert not (tmp_path / "d" / "api_pairs").exists()


@pytest.mark.slow
def test_embedded_set_gives_verified_pairs_for_most_commands(tmp_path: Path) -> None:
    """No --docs, no manifest, no env, no cache: the embedded set, recorded as such in every sample and the build."""
    store = Store(tmp_path / "data")
    report = api_pairs.build(store, BuildOptions(docs=None, per_command=1, workers=2, timeout_s=30, progress=False))
    samples = list(store.iter_samples("api_pairs"))
    commands = {json.loads(s.spec)["command"] for s in samples}
    assert len(commands) >= 110 and report.written == len(samples)  # of 141 embedded commands
    assert {"model('basic')", "fix", "equalDOF", "element('forceBeamColumn')", "uniaxialMaterial('Concrete02')",
            "eigen", "modalProperties", "nodeEigenvector", "randomVariable"} <= commands
    assert {json.loads(s.extra)["docs"] for s in samples} == {f"embedded@{BUILTIN_VERSION}"}
    params = json.loads(store.query("SELECT params FROM builds")[0]["params"])
    assert params["docs"] == f"embedded@{BUILTIN_VERSION}" and params["docs_origin"] == "embedded"
    assert params["docs_license"] is None


STEEL_PROGRAM = """import openseespy.opensees as ops
ops.wipe()  # empty domain
ops.model('basic', '-ndm', 1, '-ndf', 1)  # 1D model
ops.uniaxialMaterial('Steel01', 1, 355.0, 2.0e5, 0.01)  # tag, Fy [MPa], E0 [MPa], hardening ratio b
ops.testUniaxialMaterial(1)  # drive it directly
ops.setStrain(0.003)  # beyond yield
print(ops.getStress())  # hardened stress
"""


def _llm_app():
    app = FastAPI()
    app.state.calls = Counter()

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        prompt = body["messages"][-1]["content"]
        if "Steel01" in prompt:
            app.state.calls["steel"] += 1
            context = prompt.split("The engineering context is ")[1].split(", in units")[0]
            content = json.dumps({"instruction": f"For {context}, define a Steel01 material and comment it.",
                                  "code": STEEL_PROGRAM, "explanation": "A bilinear steel material."})
        else:
            app.state.calls["other"] += 1
            content = "Sorry, here is prose instead of JSON."
        return {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}}

    return app


def test_llm_path_validates_json_retries_and_drops_with_reason(tmp_path: Path, write_docs) -> None:
    from civilinstruct.server.runner import serve_in_thread

    docs = write_docs(tmp_path / "docs", ["src/steel01.rst", "src/wipe.rst"])
    app = _llm_app()
    with serve_in_thread(app) as base:
        opts = BuildOptions(docs=docs, per_command=2, workers=1, timeout_s=30, progress=False, backend="openai",
                            base_url=base if base.endswith("/v1") else base + "/v1", model="m",
                            extra={"llm_cache": "off", "max_attempts": 1})
        report = api_pairs.build(Store(tmp_path / "data"), opts)
    assert report.written == 2
    assert app.state.calls["other"] == 3 * 2  # each wipe pair: three attempts, then dropped
    assert sum(n for reason, n in report.dropped.items() if reason.startswith("llm:")) == 2
    samples = list(Store(tmp_path / "data").iter_samples("api_pairs"))
    assert {s.lineage.generator for s in samples} == {"openai/m"}
    assert all(s.lineage.prompt_template == "doc_pairs" and s.lineage.prompt_hash for s in samples)
    assert all(s.lineage.completion_tokens == 50 and s.execution.status == "ok" for s in samples)


@pytest.mark.slow
def test_target_size_caps_the_part_and_covers_commands_first(small_docs: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    report = api_pairs.build(store, options(small_docs, n=5))
    assert report.written == 5
    samples = list(store.iter_samples("api_pairs"))
    assert all(json.loads(s.spec)["variant"] == 0 for s in samples)  # first variants of 5 commands, not 3 of one
    assert len({json.loads(s.spec)["command"] for s in samples}) == 5
    again = api_pairs.build(store, options(small_docs, n=5))
    assert again.written == 0 and len(list(store.iter_samples("api_pairs"))) == 5
    more = api_pairs.build(store, options(small_docs, n=8))
    assert more.written == 3


def _live_candidates() -> int:
    import gc

    from civilinstruct.pipelines.api_pairs.generate import Candidate

    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Candidate))


@pytest.mark.slow
def test_candidates_are_rendered_run_and_dropped_a_batch_at_a_time(small_docs: Path) -> None:
    """The chain the build runs (render -> dedup -> sandbox -> check) never holds more than a batch of rendered
    pairs, whatever the number of candidates; and it yields them in build order (first variants first)."""
    from civilinstruct.opensees_docs import load_docs
    from civilinstruct.pipelines.base import BuildReport

    opts = options(small_docs)
    commands = load_docs(small_docs).commands()
    by_key = {c.key: c for c in commands}
    report = BuildReport(part="api_pairs", version="v1")
    baseline = _live_candidates()
    stream = api_pairs.outcomes(api_pairs.unique(api_pairs.candidates(commands, opts, report, batch=3), report),
                                by_key, opts, batch=3)
    variants, peak = [], 0
    for outcome in stream:
        variants.append(outcome.candidate.variant)
        del outcome
        peak = max(peak, _live_candidates() - baseline)
    assert len(variants) >= 10 and variants == sorted(variants)
    assert peak <= 3  # one batch; rendering everything first would hold all of them
