"""bug_cot.plan: which long_code rows become parents (read in Arrow from real Parquet shards), and the stable,
seeded plan of cases made from them."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.pipelines.bug_cot import plan as P
from civilinstruct.store import Execution, Lineage, Message, Sample, make_id
from civilinstruct.store.sample import SCHEMA

# (code, status, compliance): failed, good (pass), good (no verdict), skipped (FAIL verdict), skipped (no code)
ROWS = [("print(1)", "error", None), ("print(2)", "ok", "pass"), ("print(3)", "ok", None),
        ("print(4)", "ok", "fail"), ("", "error", None)]


def _shard(path: Path, rows: list[tuple[str, str, str | None]], start: int = 0) -> Path:
    samples = [Sample(id=make_id("long_code", index=start + i, generator="test"), part="long_code",
                      messages=[Message(role="user", content="q"), Message(role="assistant", content="a")],
                      code=code, spec="{}", score=50.0,
                      execution=Execution(status=status, compliance=verdict, period_s=0.4 + i / 10),  # type: ignore[arg-type]
                      lineage=Lineage(pipeline="test", pipeline_version="v1", seed=i))
               for i, (code, status, verdict) in enumerate(rows)]
    pq.write_table(pa.Table.from_pylist([s.to_row() for s in samples], schema=SCHEMA), path)
    return path


def test_kinds_and_counts_from_parquet(tmp_path: Path) -> None:
    """Guards the parent rule: a run that failed is repaired as it is; one that ran with a verdict other than FAIL
    is mutated; a FAIL verdict or an empty program is neither."""
    a = _shard(tmp_path / "a.parquet", ROWS)
    b = _shard(tmp_path / "b.parquet", ROWS[:2], start=10)
    assert P.count_parents([a]) == (1, 2)
    assert P.count_parents([a, b]) == (2, 3)


def test_failures_stream_first_and_periods_are_trusted_only_with_a_pass(tmp_path: Path) -> None:
    """Guards iter_parents' order (every failure, then every good program, each in store order) and to_parent:
    only a passing verdict carries its period (0.5 s for the second row); a failure or no verdict is re-run."""
    a = _shard(tmp_path / "a.parquet", ROWS)
    b = _shard(tmp_path / "b.parquet", ROWS[:2], start=10)
    parents = list(P.iter_parents([a, b]))
    assert [(p.code, p.failed) for p in parents] == [("print(1)", True), ("print(1)", True), ("print(2)", False),
                                                     ("print(3)", False), ("print(2)", False)]
    assert [p.period_s for p in parents] == [None, None, pytest.approx(0.5), None, pytest.approx(0.5)]


def test_plan_of_failures_is_stable_and_seeded() -> None:
    """Guards the observed-failure cases: `variants_per_failure` cases per failed parent, the same ids on a second
    plan (a resumed build meets the same cases), other ids for another seed or prompt hash."""
    parents = [P.Parent("p1", "x = (", None, True), P.Parent("p2", "y = )", None, True)]
    options = BuildOptions(seed=3, extra={"variants_per_failure": 3})
    cases = list(P.plan(parents, options, "offline/rules-v1", "h1"))
    assert [(c.parent.id, c.key, c.variant) for c in cases] == [
        ("p1", "observed", 0), ("p1", "observed", 1), ("p1", "observed", 2),
        ("p2", "observed", 0), ("p2", "observed", 1), ("p2", "observed", 2)]
    assert all(c.broken == c.parent.code and c.mutation is None for c in cases)
    ids = [c.sample_id for c in cases]
    assert len(set(ids)) == 6
    assert ids == [c.sample_id for c in P.plan(parents, options, "offline/rules-v1", "h1")]
    assert ids[0] != next(P.plan(parents, BuildOptions(seed=4, extra=options.extra), "offline/rules-v1",
                                 "h1")).sample_id
    assert ids[0] != next(P.plan(parents, options, "offline/rules-v1", "h2")).sample_id
    assert len(list(P.plan(parents, BuildOptions(seed=3), "g", "h"))) == 4  # two variants by default


def test_good_parents_are_mutated_reproducibly() -> None:
    """Guards the mutation cases of a designed program: each case differs from the parent, names its mutation,
    and the plan is identical when repeated with the same seed."""
    options = BuildOptions(seed=0, extra={"programs": 1, "sites_per_class": 1})
    parents = P.generated_parents(options)
    assert len(parents) == 1 and not parents[0].failed and len(parents[0].id) == 64
    cases = list(P.plan(parents, options, "g", "h"))
    assert cases, "a designed frame offers mutation sites"
    assert all(c.mutation is not None and c.key == c.mutation.key and c.broken != parents[0].code for c in cases)
    again = list(P.plan(P.generated_parents(options), options, "g", "h"))
    assert [(c.key, c.sample_id, c.broken) for c in again] == [(c.key, c.sample_id, c.broken) for c in cases]


def test_environment_names_the_versions_and_limit() -> None:
    """Guards the environment line the prompts carry: Python, OpenSeesPy version and the wall-clock limit."""
    line = P.environment(BuildOptions(timeout_s=12.5))
    assert line.startswith("Python 3.") and "OpenSeesPy 3." in line and "wall-clock limit 12.5 s" in line
