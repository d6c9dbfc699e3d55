"""Reward throughput for a GRPO group of 8 completions: our sandboxed MGHR vs the source paper's pool approach.

Baseline (measured in the same run, same 8 completions, same worker count): the source's public reward
executes each program with a bare `exec` inside a `multiprocessing` pool started with the spawn method, per
reward call (every worker re-imports Python, numpy and openseespy). A second baseline keeps that spawn pool
warm across calls (its best case; still no isolation, and one segfault breaks it).
Ours: `civilinstruct.scoring.reward.mghr_reward` on the process-wide sandbox pool (warm zygotes, bubblewrap isolation).

    .venv/bin/python benchmarks/reward_throughput.py [--groups 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing as mp
import statistics
import sys
import time
from typing import Any


def paper_exec(code: str) -> tuple[bool, str]:
    """What the paper's worker does: exec the program in-process, capturing stdout."""
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "<program>", "exec"), {"__name__": "__main__"})
        return True, buf.getvalue()
    except BaseException as exc:  # noqa: BLE001 - the baseline swallows everything, like the original
        return False, f"{type(exc).__name__}: {exc}"


def paper_reward(texts: list[str], workers: int, timeout: float, pool: Any = None) -> list[tuple[bool, str]]:
    """The same static parts as ours (format, AST) in-process, then the programs through a spawn pool
    (a fresh one unless `pool` is given): only the execution strategy differs between the two arms.
    """
    from civilinstruct.scoring.ast_coverage import analyze
    from civilinstruct.scoring.format import extract_program, format_reward

    codes = [extract_program(t) or "" for t in texts]
    for text, code in zip(texts, codes):
        format_reward(text), analyze(code)
    own = pool is None
    pool = pool or mp.get_context("spawn").Pool(workers)
    try:
        handles = [pool.apply_async(paper_exec, (c,)) for c in codes]
        return [h.get(timeout=timeout) for h in handles]
    finally:
        if own:
            pool.terminate()
            pool.join()


def group(size: int, seed: int) -> tuple[list[str], list[float]]:
    """`size` completions in the trained format for distinct designable buildings, and their reference T1."""
    from civilinstruct.codegen import answer
    from civilinstruct.design import DesignError, design, sample_specs

    texts: list[str] = []
    truths: list[float] = []
    for i, spec in enumerate(sample_specs(50 * size, seed)):
        try:
            d = design(spec)
        except DesignError:
            continue
        texts.append(answer(d, seed + i))
        truths.append(d.t1_s)
        if len(texts) == size:
            return texts, truths
    raise SystemExit("not enough designable specs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=5, help="GRPO groups (reward calls) to time")
    parser.add_argument("--size", type=int, default=8, help="completions per group")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    from civilinstruct.scoring import reward
    from civilinstruct.scoring.format import extract_program
    from civilinstruct.sandbox import Sandbox

    groups = [group(args.size, seed=1000 + g) for g in range(args.groups)]
    lines = [len(extract_program(t).splitlines()) for texts, _ in groups for t in texts]
    print(f"{args.groups} groups x {args.size} completions, programs {min(lines)}-{max(lines)} lines "
          f"(median {int(statistics.median(lines))}), {args.workers} workers")

    ours: list[float] = []
    box = Sandbox(timeout=args.timeout, workers=args.workers).__enter__()
    reward._sandbox = box  # the process-wide pool a trainer would use, created once
    try:
        reward.mghr_reward(completions=groups[0][0][:args.workers], ground_truth=groups[0][1][:args.workers])  # warm
        for texts, truths in groups:
            start = time.perf_counter()
            scores = reward.mghr_reward(completions=texts, ground_truth=truths)
            ours.append(time.perf_counter() - start)
        ours_ok = sum(p["status"] == "ok" for p in reward.mghr_components(completions=groups[-1][0],
                                                                         ground_truth=groups[-1][1]))
        print(f"ours: rewards of the last group {[round(s, 3) for s in scores]}")
    finally:
        reward.close_sandbox()

    cold: list[float] = []
    for texts, _ in groups:
        start = time.perf_counter()
        results = paper_reward(texts, args.workers, args.timeout)
        cold.append(time.perf_counter() - start)
    cold_ok = sum(ok for ok, _ in results)

    warm: list[float] = []
    with mp.get_context("spawn").Pool(args.workers) as pool:
        paper_reward(groups[0][0][:args.workers], args.workers, args.timeout, pool)
        warm_ok = 0
        for texts, _ in groups:
            start = time.perf_counter()
            warm_ok += sum(ok for ok, _ in paper_reward(texts, args.workers, args.timeout, pool))
            warm.append(time.perf_counter() - start)

    m_ours, m_cold, m_warm = (statistics.median(x) for x in (ours, cold, warm))
    sys.stderr.flush()
    print(f"\nprograms that ran to the end, last group: ours {ours_ok}/{args.size}, paper spawn-per-call "
          f"{cold_ok}/{args.size}; warm spawn pool, all groups: {warm_ok}/{args.size * args.groups}")
    print(f"median seconds per group of {args.size}: ours {m_ours:.3f}, paper spawn-per-call {m_cold:.3f}, "
          f"paper warm spawn pool {m_warm:.3f}")
    print(f"speed-up (paper / ours): {m_cold / m_ours:.2f}x vs spawn-per-call, {m_warm / m_ours:.2f}x vs warm pool")
    print(f"groups per second: ours {1 / m_ours:.2f}, paper {1 / m_cold:.2f}")


if __name__ == "__main__":
    main()
