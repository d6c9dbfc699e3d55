"""Benchmark of the long_code pipeline (issue #5 targets), end to end through the store and the sandbox.

Quality on N seeded specs: share of programs that execute (target >= 97%), FE T1 / empirical T1 (min, median,
max; raw and times psi_T), T1 / (0.1 N), share with an explicit, number-consistent verdict (target >= 97%),
answers in their instruction's language and stating the parameters it left out (issue 16), lines per program
(median >= 300). Speed: the pipeline's seconds per program, against a baseline measured in the same run (the
same programs, each in a fresh `python` process, as a naive runner would do), and the projected time for
3,100 programs against the 10-minute budget. `--full` builds the 3,100 for real.

    .venv/bin/python benchmarks/long_code.py --n 500 --seed 0 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from _baselines import run_fresh


def baseline_seconds(codes: list[str], workers: int) -> float:
    """Seconds per program when each runs in a fresh interpreter (no sandbox, `workers` at a time)."""
    return run_fresh(codes, workers).per_program


def language_and_assumptions(samples: list) -> tuple[int, int, int]:
    """(answers whose thinking and comments are in the instruction's language, instructions that leave a parameter
    out, answers among those whose thinking opens with the assumptions)."""
    from civilinstruct.spec.instructions import unstated_fields

    cjk = re.compile(r"[\u4e00-\u9fff]")
    match = assumed = stated = 0
    for s in samples:
        user = next(m.content for m in s.messages if m.role == "user")
        think = next(m.content for m in s.messages if m.role == "assistant").split("</think>")[0]
        comments = "\n".join(line for line in s.code.splitlines() if line.strip().startswith("#"))
        zh = bool(cjk.search(user))
        match += bool(cjk.search(think)) == zh and bool(cjk.search(comments)) == zh
        if unstated_fields(user):
            assumed += 1
            stated += "Assumptions (" in think or "设计假定" in think
    return match, assumed, stated


def space_frames(samples: list, n_specs: int) -> dict[str, object]:
    """Designable share, and the 3D space-frame programs (style `...-space`) of non-negative samples: how many print
    Compliance: FAIL (target 0 since the design checks Y too, issue 16) and their scores against the plane ones."""
    space, plane, space_fail = [], [], 0
    for s in samples:
        extra = json.loads(s.extra)
        if extra.get("negative"):
            continue
        if extra["style"].endswith("-space"):
            space.append(s.score)
            space_fail += s.execution.compliance == "fail"
        else:
            plane.append(s.score)
    return {"designable_share": round(len(samples) / n_specs, 4),
            "space_non_negative": len(space), "space_non_negative_fail": space_fail,
            "space_fail_share": round(space_fail / max(len(space), 1), 4),
            "score_space": quantiles(space) if space else {}, "score_plane": quantiles(plane) if plane else {},
            "score_space_share_100": round(sum(x >= 100.0 for x in space) / max(len(space), 1), 4)}


def quantiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"min": round(values[0], 3), "median": round(statistics.median(values), 3), "max": round(values[-1], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=30, help="programs in the fresh-interpreter baseline")
    parser.add_argument("--full", action="store_true", help="also build 3,100 programs for real")
    parser.add_argument("--allow-weak-isolation", action="store_true")
    args = parser.parse_args()

    from civilinstruct.pipelines.long_code import pipeline as long_code
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.store import Store

    def build(n: int, data: Path) -> tuple[float, object]:
        """(wall seconds, report); the machine's load average goes with the figures (a shared machine)."""
        options = BuildOptions(n=n, seed=args.seed, workers=args.workers, progress=False,
                               allow_weak_isolation=args.allow_weak_isolation)
        start = time.perf_counter()
        report = long_code.build(Store(data), options)
        return time.perf_counter() - start, report

    with tempfile.TemporaryDirectory() as tmp:
        elapsed, report = build(args.n, Path(tmp) / "data")
        samples = list(Store(Path(tmp) / "data").iter_samples("long_code"))
    attempted = len(samples)
    ok = [s for s in samples if s.execution.status == "ok"]
    ratios, ratios_psi, lines, consistent, scores, per_story = [], [], [], 0, [], []
    for s in samples:
        extra = json.loads(s.extra)
        lines.append(extra["lines"])
        consistent += bool(extra["verdict_consistent"])
        scores.append(s.score)
        if s.execution.period_s:
            emp = extra["design"]["empirical_t1_s"]
            ratios.append(s.execution.period_s / emp)
            ratios_psi.append(extra["design"]["psi_t"] * s.execution.period_s / emp)
            per_story.append(s.execution.period_s / (0.1 * json.loads(s.spec)["stories"]))
    language_match, assumed, stated = language_and_assumptions(samples)
    per_program = elapsed / max(attempted, 1)
    codes = [s.code for s in samples[: args.baseline]]
    base = baseline_seconds(codes, args.workers)
    result = {
        "specs": args.n, "designed": attempted, "not_designable": dict(report.dropped),
        "executes_share": round(len(ok) / attempted, 4),
        "fe_over_empirical": quantiles(ratios), "psi_fe_over_empirical": quantiles(ratios_psi),
        "t1_over_0.1n": quantiles(per_story),
        "verdict_consistent_share": round(consistent / attempted, 4),
        "language_match_share": round(language_match / attempted, 4),
        "instructions_leaving_parameters_out": assumed, "answers_stating_assumptions": stated,
        "lines": {"median": statistics.median(lines), "min": min(lines), "max": max(lines)},
        "score": {"median": statistics.median(scores), "share_over_90": round(sum(x > 90 for x in scores) / attempted, 4)},
        **space_frames(samples, args.n),
        "seconds": round(elapsed, 1), "seconds_per_program": round(per_program, 4),
        "baseline_fresh_interpreter_s_per_program": round(base, 4),
        "speedup_vs_baseline": round(base / per_program, 2),
        "projected_3100_s": round(per_program * 3100, 1),
        "projected_3100_over_600s_budget": round(per_program * 3100 / 600, 3),
        "load_average_1min": os.getloadavg()[0],
    }
    if args.full:
        with tempfile.TemporaryDirectory() as tmp:
            full_s, full_report = build(3100, Path(tmp) / "data")
        result["full_3100"] = {"seconds": round(full_s, 1), "written": full_report.written, "failed": full_report.failed,
                               "over_600s_budget": round(full_s / 600, 3), "load_average_1min": os.getloadavg()[0]}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
