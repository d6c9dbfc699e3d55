"""The Bug-CoT pipeline end to end: long_code shards in, verified repairs out, resumable, LLM faults handled."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from civilinstruct.errors import CivilError  # noqa: E402
from civilinstruct.pipelines.bug_cot import pipeline as bug_cot  # noqa: E402
from civilinstruct.pipelines.base import BuildOptions  # noqa: E402
from civilinstruct.server.runner import free_port, serve_in_thread  # noqa: E402
from civilinstruct.store import Execution, Lineage, Message, Sample, Store, make_id  # noqa: E402
from bugcot_frames import frame_program  # noqa: E402


def long_code_sample(code: str, status: str, **execution) -> Sample:
    return Sample(id=make_id("long_code", code=code), part="long_code",
                  messages=[Message(role="user", content="model a frame"), Message(role="assistant", content=code)],
                  code=code, execution=Execution(status=status, **execution),
                  lineage=Lineage(pipeline="long_code", pipeline_version="v1"))


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "data")
    broken = frame_program(stories=2, bays=1).replace("ops.geomTransf('Linear', 2)", "ops.geomTransf('Linear, 2)")
    with store.writer("long_code", "v1") as w:
        w.add(long_code_sample(frame_program(stories=3, bays=2), "ok", period_s=None, compliance="pass"))
        w.add(long_code_sample(frame_program(stories=4, bays=2), "ok", compliance="pass"))
        # labelled ok upstream, but its drift check fails here: never used as a good program
        w.add(long_code_sample(frame_program(stories=4, bays=1, span=7.0), "ok", period_s=0.93))
        w.add(long_code_sample(broken, "error", exception_type="OpenSeesError"))
    return store


def options(**kw):
    base = dict(n=24, seed=1, workers=2, timeout_s=20, progress=False, extra={"sites_per_class": 2})
    base.update(kw)
    return BuildOptions(**base)


@pytest.mark.slow
def test_build_writes_verified_repairs_and_resumes(store):
    report = bug_cot.build(store, options())
    assert report.written == 24, report
    samples = list(store.iter_samples("bug_cot"))
    parents = {s.id for s in store.iter_samples("long_code")}
    assert len({s.id for s in samples}) == 24
    for s in samples:
        assert s.execution.status == "ok" and s.failure_type
        assert s.lineage.parent_ids and set(s.lineage.parent_ids) <= parents
        assert s.lineage.generator == "offline/rules-v1" and len(s.lineage.prompt_hash) == 64
        assert [m.role for m in s.messages] == ["user", "assistant"]
        extra = json.loads(s.extra)
        assert extra["broken_program"] in s.messages[0].content
        assert s.code != extra["broken_program"]
        # a fix is given as a diff (the whole program only where the diff is most of it); an "explain this log"
        # variant answers without one; a review variant shows the diff in the question
        if extra["question"] == "fix":
            assert "```diff" in s.messages[1].content or s.code in s.messages[1].content
        elif extra["question"] == "review_diff":
            assert "```diff" in s.messages[0].content and "**Verdict.**" in s.messages[1].content
        else:
            assert "```diff" not in s.messages[1].content and "**Root cause.**" in s.messages[1].content
        assert "**Root cause.**" in s.messages[1].content and "**Prevention.**" in s.messages[1].content
    types = {s.failure_type for s in samples}
    assert len(types) >= 8
    observed = [s for s in samples if json.loads(s.extra)["mutation"] is None]
    assert observed and all(s.failure_type == "syntax.unterminated_string" for s in observed)
    assert len({s.messages[0].content for s in observed}) == len(observed)  # distinct variants
    assert {json.loads(s.extra)["question"] for s in observed} == {"fix", "explain_log"}  # different questions
    by_type = store.sql("SELECT failure_type, count(*) AS n FROM samples WHERE part = 'bug_cot' GROUP BY 1")
    assert sum(r["n"] for r in by_type) == 24

    again = bug_cot.build(store, options())
    assert again.written == 0 and again.skipped_existing == 24
    more = bug_cot.build(store, options(n=30))
    assert more.written == 6 and more.skipped_existing == 24


@pytest.fixture
def fault_server():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "llm"))
    from llm_faults import fault_app

    with serve_in_thread(fault_app()) as base:
        yield base.removesuffix("/v1")


def llm_options(base_url, n=8):
    # two classes keep the run short: every case reaches the LLM (one real failure in 2 variants + 2 clean parents x 2 mutations)
    return options(n=n, backend="openai", base_url=base_url, model="m",
                   extra={"sites_per_class": 1, "llm_cache": "off", "max_attempts": 1,
                          "failure_types": ["python.undefined_name", "model.ndf_mismatch"]})


@pytest.mark.slow
def test_llm_answers_are_verified_malformed_dropped_unreachable_loses_nothing(store, fault_server):
    assert bug_cot.build(store, options(n=4)).written == 4
    malformed = bug_cot.build(store, llm_options(f"{fault_server}/malformed/v1"))
    assert malformed.written == 0 and malformed.dropped["llm:malformed_json"] == 6
    # valid JSON whose "repair" is print(1): another program, not a repair of the failing one
    useless = bug_cot.build(store, llm_options(f"{fault_server}/json/v1"))
    assert useless.written == 0 and sum(v for k, v in useless.dropped.items() if k.startswith("repair_rewrote")) == 6
    with pytest.raises(CivilError, match="cannot reach"):
        bug_cot.build(store, llm_options(f"http://127.0.0.1:{free_port()}/v1"))
    assert len(list(store.iter_samples("bug_cot"))) == 4


def test_parents_stream_from_the_shards_failures_first(tmp_path):
    """Parents are read a batch at a time, failed runs first: after the first parent, a later shard is still
    unread (a reader that had loaded the whole long_code table would not notice it missing)."""
    store = Store(tmp_path / "data")
    good = [long_code_sample(frame_program(stories=3, bays=2), "ok", period_s=0.61, compliance="pass"),
            long_code_sample(frame_program(stories=4, bays=2), "ok", period_s=0.8),  # no verdict: re-run
            long_code_sample(frame_program(stories=4, bays=1), "ok", period_s=0.7, compliance="fail")]  # not used
    broken = long_code_sample(frame_program(stories=2, bays=1).replace("'Linear', 2", "'Linear, 2"), "error")
    no_code = long_code_sample("", "error").model_copy(update={"id": make_id("long_code", code="none")})
    with store.writer("long_code", "v1", shard_size=1) as w:  # one row per shard
        for sample in [*good, broken, no_code]:
            w.add(sample)
    paths = store.shard_paths("long_code")
    assert len(paths) == 5

    streamed = [(p.id, p.failed, p.period_s) for p in bug_cot.iter_parents(paths)]
    assert streamed == [(broken.id, True, None), (good[0].id, False, 0.61), (good[1].id, False, None)]
    parents, failed, total = bug_cot.load_parents(store, options())
    assert (failed, total) == (1, 3)
    assert next(iter(parents)).id == broken.id  # the failure pass has read every shard once
    paths[0].unlink()  # the good-program pass has not started: it reads shard 0 only when asked
    with pytest.raises(CivilError, match="registered shard is missing"):
        list(parents)
