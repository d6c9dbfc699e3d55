"""Scoring BMEval: 128 cases x 5 generations of long programs (target <= 3 minutes on 2 cores).

Builds the cases and the offline generator's answers (not timed), then times `bench score`'s core on all of
them with the sandbox pool. Baseline, measured in the same run on a sample: each program executed on its own,
sequentially, in a fresh `python` subprocess (the paper: "executed sequentially in a restricted sandbox"),
so every run pays interpreter + numpy + openseespy start-up. Prints the metrics (the offline generator must
reach Pass@5_strict >= 90%) and the per-program speed-up.

    .venv/bin/python benchmarks/bench_score.py [--cases 128] [--n 5] [--workers 2] [--baseline-sample 32]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _baselines import run_fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=128)
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--baseline-sample", type=int, default=32)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "civilinstruct-bench-score")
    args = parser.parse_args()

    from civilinstruct.bench.cases import build_cases, read_cases, write_cases
    from civilinstruct.bench.run import run_bench
    from civilinstruct.bench.score import score_rows
    from civilinstruct.llm import OfflineBackend
    from civilinstruct.scoring.format import extract_program
    from civilinstruct.sandbox import Sandbox

    args.workdir.mkdir(parents=True, exist_ok=True)
    cases_path = args.workdir / f"cases-{args.cases}-{args.seed}.parquet"
    gens_path = args.workdir / f"gens-{args.cases}-{args.seed}-{args.n}.parquet"
    with Sandbox(timeout=args.timeout, workers=args.workers) as box:
        if not cases_path.exists():
            start = time.perf_counter()
            cases, dropped = build_cases(args.cases, args.seed, box)
            write_cases(cases, cases_path)
            print(f"built {len(cases)} cases in {time.perf_counter() - start:.1f} s (dropped {dict(dropped)})")
        cases = read_cases(cases_path)
        start = time.perf_counter()
        run_bench(cases, gens_path, OfflineBackend(seed=0), n=args.n, model="offline", concurrency=1)
        print(f"generations ready in {time.perf_counter() - start:.1f} s: {gens_path}")

        import pyarrow.parquet as pq

        rows = pq.read_table(gens_path).to_pylist()
        programs = [extract_program(r["completion"]) or "" for r in rows]
        lines = [len(p.splitlines()) for p in programs]
        print(f"{len(rows)} generations, programs {min(lines)}-{max(lines)} lines (median "
              f"{int(statistics.median(lines))}), {args.workers} sandbox workers, {os.cpu_count()} cores")
        start = time.perf_counter()
        summary = score_rows(rows, box, k=min(5, args.n))
        ours = time.perf_counter() - start
    print("metrics:", summary["metrics"])
    print(f"ours: scored {len(rows)} generations in {ours:.1f} s ({ours / len(rows) * 1000:.0f} ms per program; "
          f"target <= 180 s: {'met' if ours <= 180 else 'MISSED'})")

    sample = programs[:: max(1, len(programs) // args.baseline_sample)][: args.baseline_sample]
    base = run_fresh(sample, workers=1, timeout=args.timeout).seconds
    per_base, per_ours = base / len(sample), ours / len(rows)
    print(f"baseline: {len(sample)} programs sequentially in fresh subprocesses in {base:.1f} s "
          f"({per_base * 1000:.0f} ms per program); extrapolated to {len(rows)}: {per_base * len(rows):.0f} s")
    per_par = run_fresh(sample, workers=args.workers, timeout=args.timeout).per_program
    print(f"baseline, {args.workers} fresh subprocesses at a time: {per_par * 1000:.0f} ms per program; "
          f"extrapolated to {len(rows)}: {per_par * len(rows):.0f} s")
    print(f"speed-up per program (baseline / ours): {per_base / per_ours:.2f}x vs sequential, "
          f"{per_par / per_ours:.2f}x vs {args.workers} parallel fresh subprocesses")


if __name__ == "__main__":
    main()
