"""Bug-CoT at scale, offline: samples written per failure type, drops per reason, and time.

    .venv/bin/python benchmarks/bug_cot.py --data /tmp/bugcot-bench --n 3500 --workers 2

With no long_code part in DATA the pipeline designs and renders its own programs (seeded). Every sample's
repair was re-executed in the sandbox; the script re-reads the shards and checks that too.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("/tmp/bugcot-bench"))
    parser.add_argument("--n", type=int, default=3500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--allow-weak-isolation", action="store_true")
    args = parser.parse_args()

    from civilinstruct.pipelines.bug_cot import pipeline as bug_cot
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.store import Store

    store = Store(args.data)
    options = BuildOptions(n=args.n, seed=args.seed, workers=args.workers, timeout_s=60, progress=True,
                           allow_weak_isolation=args.allow_weak_isolation, extra={"sites_per_class": args.sites})
    start = time.perf_counter()
    report = bug_cot.build(store, options)
    elapsed = time.perf_counter() - start
    samples = list(store.iter_samples("bug_cot"))
    by_type = Counter(s.failure_type for s in samples)
    methods = Counter(json.loads(s.extra)["repair_method"] for s in samples)
    verified = sum(1 for s in samples if s.execution and s.execution.status == "ok")
    print(f"written this run: {report.written}; skipped (already there): {report.skipped_existing}")
    print(f"samples in store: {len(samples)}; repairs verified ok by execution: {verified}")
    print(f"time: {elapsed:.1f} s ({report.written / elapsed if elapsed else 0:.2f} samples/s written)")
    print("by failure type:")
    for name, count in by_type.most_common():
        print(f"  {name:32s} {count:6d}")
    print("repair method:", dict(methods))
    print("dropped:", dict(sorted(report.dropped.items())))
    print("notes:", report.notes)


if __name__ == "__main__":
    main()
