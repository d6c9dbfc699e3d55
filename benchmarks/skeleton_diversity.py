"""Program-skeleton diversity of the long_code part (issue 16, item 2).

Builds the offline answers of N seeded specs exactly as the pipeline does (`long_code.write_offline`), runs them in
the sandbox, and counts distinct skeletons (`civilinstruct.codegen.skeleton`: the order in which a program first
uses each called name, plus its kinds of blocks) among all programs and among those that ran with a verified
period and a conforming model. Baseline in the same run: the same designs rendered with the skeleton axes at their
codegen-v3 values (only the flat/functions layout varies), which is what the data had before. Also the sandbox
seconds per program of both sets (fibre columns and modalProperties must not make the build much slower).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/skeleton_diversity.py --n 100 --seed 23
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from dataclasses import replace


def distributions(jobs: list, runs: list) -> dict:
    """Issue 16's distributions on the same programs: T1 / 0.1N, long_code and expert scores, negatives, and why
    the expert selection would reject what it rejects."""
    import statistics

    from civilinstruct.pipelines.expert.select import EXPERT_THRESHOLD, expert_score, period_band, weakest
    from civilinstruct.pipelines.long_code.pipeline import negative_reject
    from civilinstruct.scoring.program import score_run

    def q(values: list[float]) -> dict:
        values = sorted(values)
        return {"min": round(values[0], 3), "median": round(statistics.median(values), 3), "max": round(values[-1], 3)}

    ratio, scores, experts, reasons, rules = [], [], [], collections.Counter(), collections.Counter()
    negatives = negatives_failing = 0
    for job, run in zip(jobs, runs):
        ratio.append(run.period_s / (0.1 * job.spec.stories))
        scores.append(score_run(run, job.code, job.design)[0])
        score, parts = expert_score(job.spec, run)
        experts.append(score)
        if job.notes.get("negative"):
            negatives += 1
            negatives_failing += negative_reject(job, run) is None
            reasons["negative sample"] += 1
            continue
        low, high = period_band(json.loads(job.spec.to_json()), job.design.empirical_t1_s, job.design.psi_t)
        if not low <= run.period_s <= high:
            reasons["period outside the plausible band"] += 1
        elif score < EXPERT_THRESHOLD:
            reasons[f"expert score < {EXPERT_THRESHOLD:g}: {weakest(parts)}"] += 1
            for rule in getattr(parts, "reasons", []):
                rules[rule] += 1
        else:
            reasons["kept"] += 1
    return {"t1_over_0.1N": q(ratio), "long_code_scores": dict(collections.Counter(scores)),
            "expert_scores": dict(sorted(collections.Counter(experts).items())), "negatives": negatives,
            "negatives_failing_the_named_check": negatives_failing, "expert_selection": dict(reasons),
            "engineering_rules_broken": dict(rules.most_common()),
            "space_frames_failing_y_drift": sum(1 for j, r in zip(jobs, runs) if "drift Y" in (r.stdout or "")
                                                and "Compliance: FAIL" in (r.stdout or "")
                                                and not j.notes.get("negative"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from civilinstruct.codegen import render_style
    from civilinstruct.codegen.skeleton import skeleton_id
    from civilinstruct.physics.conformance import check_conformance
    from civilinstruct.pipelines.base import BuildOptions, BuildReport
    from civilinstruct.pipelines.long_code.pipeline import make_jobs, write_offline

    options = BuildOptions(n=args.n, seed=args.seed, workers=args.workers, allow_weak_isolation=True, progress=False)
    jobs = make_jobs(options, set(), BuildReport(part="long_code", version="v1"))
    write_offline(jobs)
    from civilinstruct.codegen import style_for

    old_codes = []
    for job in jobs:
        style = style_for(job.style_seed)
        old = replace(style, layout=style.layout if style.layout != "class" else "functions", geometry="literal",
                      element="elastic", modal="hand", crosscheck="none", report="lines", frame="plane",
                      results="memory")
        old_codes.append(render_style(job.design, old))
    with options.sandbox() as box:
        start = time.perf_counter()
        new_runs = list(box.run_many([j.code for j in jobs], workers=args.workers))
        new_s = (time.perf_counter() - start) / len(jobs)
        start = time.perf_counter()
        old_runs = list(box.run_many(old_codes, workers=args.workers))
        old_s = (time.perf_counter() - start) / len(jobs)

    def good(job, run) -> bool:
        return (run.status == "ok" and run.period_check == "verified" and run.model is not None
                and check_conformance(job.spec, run.model)["conforms"])

    new_ids = [skeleton_id(j.code) for j in jobs]
    old_ids = [skeleton_id(c) for c in old_codes]
    good_new = [i for i, (j, r) in zip(new_ids, zip(jobs, new_runs)) if good(j, r)]
    good_old = [i for i, (j, r) in zip(old_ids, zip(jobs, old_runs)) if good(j, r)]
    counts = collections.Counter(new_ids)
    dist = distributions(jobs, new_runs)
    print(json.dumps({**dist,
        "programs": len(jobs), "seed": args.seed,
        "skeletons": len(set(new_ids)), "skeletons_verified_conforming": len(set(good_new)),
        "verified_conforming": len(good_new),
        "baseline_skeletons": len(set(old_ids)), "baseline_verified_conforming": len(good_old),
        "largest_skeleton_share": round(max(counts.values()) / len(jobs), 3),
        "styles_axes": {axis: dict(collections.Counter(getattr(__import__("civilinstruct.codegen", fromlist=["style_for"]).style_for(j.style_seed), axis) for j in jobs))
                        for axis in ("layout", "geometry", "element", "modal", "crosscheck", "report", "frame", "results")},
        "seconds_per_program": round(new_s, 4), "baseline_seconds_per_program": round(old_s, 4),
        "slowdown": round(new_s / old_s, 3),
    }, indent=1))


if __name__ == "__main__":
    main()
