"""Shard writer throughput vs one `pyarrow.parquet.write_table` of the same rows, and a `samples` query by part.

Run: .venv/bin/python benchmarks/store_write.py [--n 100000]
Both sides start from the same plain row dicts (what `Sample.to_row()` gives) and pay the same dict -> Arrow
conversion; the writer additionally shards, fsyncs, renames and registers every shard with its ids in DuckDB.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from civilinstruct.store import SCHEMA, Store, make_id

PARTS = ("api_pairs", "long_code", "bug_cot", "expert")


def synthetic_rows(n: int, part: str) -> list[dict]:
    now = datetime.now(UTC)
    code = "import openseespy.opensees as ops\n" + "ops.node(1, 0.0, 0.0)\n" * 40
    return [{
        "id": make_id(part, index=i), "part": part,
        "messages": [{"role": "user", "content": f"Model a {i % 12 + 3}-story RC frame, bay {i % 4 + 4} m."},
                     {"role": "assistant", "content": f"<think>design {i}</think><answer>```python\n{code}```</answer>"}],
        "code": code, "spec": f'{{"stories": {i % 12 + 3}}}',
        "execution": {"status": "ok", "exit_code": 0, "exception_type": None, "exception_message": None,
                      "error_line": None, "total_lines": 41, "period_s": 0.4 + (i % 50) / 100,
                      "periods": [0.5, 0.16], "max_drift": 1 / 800, "compliance": "pass", "wall_s": 0.1},
        "score": 92.0, "score_parts": [("executes", 40.0), ("period", 30.0)],
        "ground_truth": None, "failure_type": None, "extra": "{}",
        "lineage": {"pipeline": part, "pipeline_version": "v1", "generator": "offline/rules-v1",
                    "prompt_template": None, "prompt_hash": None, "seed": i, "created_at": now, "parent_ids": [],
                    "prompt_tokens": None, "completion_tokens": None},
    } for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--shard-size", type=int, default=20_000, help="the writer's default")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="store-bench-"))
    try:
        rows = synthetic_rows(args.n, "long_code")

        t0 = time.perf_counter()
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), work / "baseline.parquet", compression="zstd")
        baseline = time.perf_counter() - t0

        store = Store(work / "data")
        t0 = time.perf_counter()
        with store.writer("long_code", "v1", shard_size=args.shard_size) as w:
            for row in rows:
                w.add(row)
        ours = time.perf_counter() - t0

        for part in PARTS[:1] + PARTS[2:]:  # other parts, so the query has something to filter out
            with store.writer(part, "v1", shard_size=args.shard_size) as w:
                for row in synthetic_rows(args.n // 10, part):
                    w.add(row)
        con = duckdb.connect(str(work / "data" / "catalog.duckdb"), read_only=True)
        t0 = time.perf_counter()
        counts = con.execute("SELECT part, count(*), avg(execution.period_s) FROM samples "
                             "WHERE part = 'long_code' GROUP BY part").fetchall()
        query = time.perf_counter() - t0
        con.close()

        print(f"rows: {args.n}, shard size {args.shard_size}")
        print(f"baseline pyarrow write_table: {baseline:.2f} s ({args.n / baseline:,.0f} rows/s)")
        print(f"shard writer:                 {ours:.2f} s ({args.n / ours:,.0f} rows/s)")
        print(f"ratio writer/baseline throughput: {baseline / ours:.2f} (target >= 0.8)")
        print(f"samples query by part over {args.n + 3 * (args.n // 10):,} rows: {query * 1000:.0f} ms -> {counts}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
