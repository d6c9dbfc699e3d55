"""3D space-frame programs of every designable spec: how many print Compliance: FAIL, and how they score (issue 16).

long_code draws the 3D skeleton for one sample in four (fewer among the written rows), too few to measure the
Y-direction failures on a few hundred specs; here every designable spec of N seeded ones gets its 3D program
(`Style(layout, frame="space")`, layouts alternating), run in the sandbox and scored with `scoring.program.score_run`.
Reports: designable share, refusals by reason, FAIL count, programs whose governing drift exceeds 1/550, score
quantiles. Run it against another checkout with PYTHONPATH=<checkout> to compare.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/space_frames.py --n 200 --seed 0 --allow-weak-isolation
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import statistics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="seeded specs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--allow-weak-isolation", action="store_true")
    args = parser.parse_args()

    from civilinstruct.codegen import Style, render_style
    from civilinstruct.design import DesignError, design, sample_specs
    from civilinstruct.sandbox import Sandbox
    from civilinstruct.scoring.program import score_run

    designs, refused = [], collections.Counter()
    for spec in sample_specs(args.n, args.seed):
        try:
            designs.append(design(spec))
        except DesignError as exc:
            refused[re.split(r"[:(]", str(exc))[0].strip()[:60]] += 1
    layouts = ("flat", "functions", "class")
    codes = [render_style(d, Style(layouts[k % 3], frame="space")) for k, d in enumerate(designs)]
    with Sandbox(timeout=180, workers=args.workers, allow_weak_isolation=args.allow_weak_isolation) as box:
        runs = list(box.run_many(codes))
    fails = [r for r in runs if r.status == "ok" and re.search(r"^Compliance:\s*FAIL", r.stdout, re.M)]
    over = [r for r in runs if r.status == "ok" and (r.max_drift or 0.0) > 1 / 550 * 1.0005]
    scores = [score_run(r, c, d)[0] for r, c, d in zip(runs, codes, designs)]
    print(json.dumps({
        "specs": args.n, "designable": len(designs), "designable_share": round(len(designs) / args.n, 4),
        "refused": dict(refused.most_common()), "executed": sum(r.status == "ok" for r in runs),
        "compliance_fail": len(fails), "fail_share": round(len(fails) / max(len(designs), 1), 4),
        "governing_drift_over_1_550": len(over),
        "score": {"min": min(scores), "median": statistics.median(scores), "max": max(scores),
                  "share_100": round(sum(s >= 100.0 for s in scores) / len(scores), 4)},
    }, indent=2))


if __name__ == "__main__":
    main()
