"""expert pipeline: long_code samples over 90 with a plausible FE period, in the verl layout."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from civilinstruct.errors import CivilError
from civilinstruct.pipelines.expert import pipeline as expert
from civilinstruct.pipelines.long_code import pipeline as long_code
from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.store import Store


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("expert") / "data")
    long_code.build(store, BuildOptions(n=8, seed=7, progress=False, allow_weak_isolation=True))
    return store


@pytest.mark.slow
def test_expert_selects_and_converts(built) -> None:
    report = expert.build(built, BuildOptions(progress=False, allow_weak_isolation=True))
    parents = {s.id: s for s in built.iter_samples("long_code")}
    experts = list(built.iter_samples("expert"))
    assert report.written == len(experts) > 0
    assert report.written + sum(report.dropped.values()) == len(parents)
    for e in experts:
        parent = parents[e.lineage.parent_ids[0]]
        assert expert.qualifies(parent) is None and parent.score > 90
        assert e.ground_truth == pytest.approx(parent.execution.period_s)
        row = json.loads(e.extra)
        assert row["data_source"] == "civilinstruct" and row["ability"] == "structural_modeling"
        assert row["reward_model"] == {"style": "rule", "ground_truth": f"{e.ground_truth:.4f}"}
        assert [m["role"] for m in row["prompt"]] == ["system", "user"]
        assert row["prompt"][1]["content"] == parent.messages[0].content
        assert row["extra_info"]["parent_id"] == parent.id
    again = expert.build(built, BuildOptions(progress=False, allow_weak_isolation=True))
    assert again.written == 0 and again.skipped_existing == len(experts)


def test_expert_respects_n_and_filters(built) -> None:
    parent = next(iter(built.iter_samples("long_code")))
    low = parent.model_copy(update={"score": 90.0})
    assert expert.qualifies(low) == "score <= 90"
    extra = json.loads(parent.extra)
    extra["design"]["empirical_t1_s"] = parent.execution.period_s * 10  # psi * T / T_emp = 0.07: implausible
    odd = parent.model_copy(update={"extra": json.dumps(extra)})
    assert expert.qualifies(odd) == "period outside the plausible band"
    failed = parent.model_copy(update={"execution": parent.execution.model_copy(update={"status": "error"})})
    assert expert.qualifies(failed) == "did not execute"


def test_expert_needs_long_code(tmp_path) -> None:
    with pytest.raises(CivilError, match="long_code"):
        expert.build(Store(tmp_path / "empty"), BuildOptions(progress=False))


def test_parents_are_chosen_from_summaries_and_fetched_in_windows(built, tmp_path) -> None:
    """Selection reads summary columns; the chosen parents are then fetched a window at a time, in id order, so
    after the first window a shard holding only later parents is still unread."""
    store = Store(tmp_path / "data")
    samples = list(built.iter_samples("long_code"))
    with store.writer("long_code", "v1", shard_size=1) as w:  # one row per shard
        for s in samples:
            w.add(s)
    report = BuildReport(part="expert", version="v1")
    chosen = expert.select(store, "v1", None, report)
    assert chosen == sorted(s.id for s in samples if expert.qualifies(s) is None) and len(chosen) >= 3
    assert sum(report.dropped.values()) == len(samples) - len(chosen)

    fetched = expert.fetch_in_order(store, "v1", chosen, window=2)
    assert [next(fetched).id, next(fetched).id] == chosen[:2]
    shard_of = {pq.read_table(p, columns=["id"]).column("id")[0].as_py(): p for p in store.shard_paths("long_code")}
    shard_of[chosen[2]].unlink()  # read by the second window only
    with pytest.raises(CivilError, match="registered shard is missing"):
        list(fetched)


def test_hard_filter_reruns_parents_in_the_sandbox(built) -> None:
    """A parent whose program models other story heights, or prints a period it did not compute, is dropped; the
    real parents pass (issue 15)."""
    import re

    from civilinstruct.sandbox import Sandbox

    node = re.compile(r"^(ops\.node\(\d+, [-\d.]+, )([-\d.]+)\)$", re.M)
    parent = next(s for s in built.iter_samples("long_code") if expert.qualifies(s) is None and node.search(s.code))
    taller = node.sub(lambda m: f"{m.group(1)}{float(m.group(2)) * 1.2:.3f})", parent.code)
    lied = 'print("T1 = 9.9999 s")\n' + parent.code  # printed before its own (right) period
    assert taller != parent.code
    with Sandbox(timeout=60, workers=2, allow_weak_isolation=True) as box:
        runs = list(box.run_many([parent.code, taller, lied]))
    assert expert.physics_reject(parent, runs[0]) is None
    assert runs[1].status == "ok" and expert.physics_reject(parent, runs[1]) == "spec conformance: story_height wrong"
    assert expert.physics_reject(parent, runs[2]) == "period mismatch, not verified against its own eigen solution"


def test_a_parent_the_rerun_rejects_is_replaced_by_the_next(built, tmp_path) -> None:
    """`n` counts rows that pass the re-run: the first qualifying parent (in id order) models other story
    heights, so the re-run rejects it, and the build still writes n rows, taking the next parent instead
    (before, the count was applied first and the build came out short: 501 of 512 in the v1 release)."""
    import re

    node = re.compile(r"^(ops\.node\(\d+, [-\d.]+, )([-\d.]+)\)$", re.M)
    samples = sorted(built.iter_samples("long_code"), key=lambda s: s.id)
    good = [s for s in samples if expert.qualifies(s) is None]
    first = next(s for s in good if node.search(s.code))
    taller = node.sub(lambda m: f"{m.group(1)}{float(m.group(2)) * 1.2:.3f})", first.code)
    store = Store(tmp_path / "data")
    with store.writer("long_code", "v1") as w:
        for s in samples:
            w.add(s.model_copy(update={"code": taller}) if s.id == first.id else s)
    n = 2
    assert len(good) >= n + 1 and good.index(first) < n
    report = expert.build(store, BuildOptions(n=n, progress=False, allow_weak_isolation=True))
    parents = [e.lineage.parent_ids[0] for e in store.iter_samples("expert")]
    assert report.written == n and first.id not in parents
    assert parents == [s.id for s in good if s.id != first.id][:n]
    assert report.dropped["spec conformance: story_height wrong"] == 1
    assert report.written + sum(report.dropped.values()) == len(samples)
