"""Which ground-truth mode accepts which right answers: reference programs and code-compliant stiffer/lighter variants.

For `--n` sampled buildings (BMEval's sampler and seed), the design module's reference design and three variants
are rendered and run in the sandbox:
- `stiffer`: every column and the X beams one 50 mm step larger;
- `stiff_end`: the stiff end of the band (axial ratio >= 0.30, beams up to span/8);
- `lighter`: X beams one step shallower than the reference (columns kept), a lighter frame that may or may not
  still pass;
A variant counts as code-compliant only when its own program runs, says PASS and prints a max drift within 1/550.
Each mode's acceptance is its Pass@1_period test on the program's printed T1: fe (30% of the reference program's
T1), empirical (30% of GB 50009 Appendix F) and band ([lo / 1.1, hi x 1.1]).

    PYTHONPATH=. python benchmarks/ground_truth_modes.py --n 24
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from civilinstruct.bench.band import period_band, resized, stiff_end
from civilinstruct.bench.outcome import period_within
from civilinstruct.codegen import render
from civilinstruct.design import DesignError, design, sample_specs
from civilinstruct.physics.codes import DRIFT_LIMIT_FRAME
from civilinstruct.physics.period import empirical_period
from civilinstruct.sandbox import Sandbox

MODES = ("fe", "empirical", "band")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    items = []
    for spec in sample_specs(4 * args.n, args.seed):
        if len(items) >= args.n:
            break
        try:
            d = design(spec)
        except DesignError:
            continue
        band = period_band(spec)
        variants = {"reference": d, "stiffer": resized(d, 0.05, round(d.beam_h_m + 0.05, 3)),
                    "stiff_end": stiff_end(d)}
        if d.beam_h_m - 0.05 >= 0.4:
            variants["lighter"] = resized(d, 0.0, round(d.beam_h_m - 0.05, 3))
        items.append((spec, band, variants))
    programs = [(i, name, render(v, i)) for i, (_, _, vs) in enumerate(items) for name, v in vs.items()]
    with Sandbox(timeout=60.0, workers=args.workers, allow_weak_isolation=True) as box:
        runs = list(box.run_many([p for _, _, p in programs]))
    by_item: dict[int, dict[str, object]] = {}
    for (i, name, _), run in zip(programs, runs):
        by_item.setdefault(i, {})[name] = run
    compliant: Counter[str] = Counter()
    built: Counter[str] = Counter()
    accepted: Counter[tuple[str, str]] = Counter()
    for i, (spec, band, _) in enumerate(items):
        ref = by_item[i]["reference"]
        t_fe = getattr(ref, "printed_period_s", None) or ref.period_s
        refs = {"fe": t_fe, "empirical": empirical_period(spec.height_m, spec.width_x_m)}
        for name, run in by_item[i].items():
            built[name] += 1
            drift = run.max_drift
            if not (run.status == "ok" and run.compliance == "pass" and drift and drift <= DRIFT_LIMIT_FRAME * 1.0005):
                continue
            compliant[name] += 1
            t = getattr(run, "printed_period_s", None) or run.period_s
            for mode in MODES:
                ok = period_within(t, None, (band["lo"], band["hi"]))[1] if mode == "band" else \
                    period_within(t, refs[mode])[1]
                accepted[(name, mode)] += ok
    table = {name: {"built": built[name], "code_compliant": compliant[name],
                    **{mode: accepted[(name, mode)] for mode in MODES}} for name in built}
    print(json.dumps({"buildings": len(items), "seed": args.seed, "accepted": table}, indent=1))
    print("| program | built | code-compliant | fe accepts | empirical accepts | band accepts |")
    print("|---|---|---|---|---|---|")
    for name, row in table.items():
        print(f"| {name} | {row['built']} | {row['code_compliant']} | {row['fe']} | {row['empirical']} | "
              f"{row['band']} |")


if __name__ == "__main__":
    main()
