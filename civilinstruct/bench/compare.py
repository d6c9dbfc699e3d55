"""Compare two scored BMEval runs: pass@k of each, their difference, and bootstrap confidence intervals.

The bootstrap resamples cases (the unit the benchmark samples), paired: one draw of case indices is applied to both
runs, so the interval of the difference reflects that both models answered the same buildings. Only cases present
in both runs are compared. 128 cases give intervals of several points; a difference whose interval contains 0 is
not evidence that one model is better.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from civilinstruct.bench.passk import pass_at_k
from civilinstruct.errors import CivilError

CHECKS = (("pass@1", "executes", 1), ("pass@k", "executes", None), ("pass@k_period", "period_ok", None),
          ("pass@k_compliance", "compliance_ok", None), ("pass@k_strict", "strict", None))


def per_case(outcomes: Sequence[dict[str, Any]], k: int) -> dict[str, dict[str, float]]:
    """{case_id: {metric: pass@k of that case}} from per-generation outcomes (`bench score --outcomes`)."""
    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in outcomes:
        by_case[str(o["case_id"])].append(o)
    result: dict[str, dict[str, float]] = {}
    for case, rows in by_case.items():
        if len(rows) < k:
            raise CivilError(f"case {case} has {len(rows)} generations; pass@{k} needs {k} (use a smaller --k)")
        result[case] = {name.replace("@k", f"@{k}"): pass_at_k(len(rows), sum(bool(r[check]) for r in rows), kk or k)
                        for name, check, kk in CHECKS}
    return result


def compare(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], k: int = 5, samples: int = 2000,
            confidence: float = 0.95, seed: int = 0) -> dict[str, Any]:
    """Metrics (percent) of A and B on their shared cases with percentile-bootstrap intervals, and B - A."""
    import numpy as np

    pa, pb = per_case(a, k), per_case(b, k)
    shared = sorted(set(pa) & set(pb))
    if not shared:
        raise CivilError("the two runs share no case: were they made from the same cases file?")
    metrics = list(pa[shared[0]])
    va = np.array([[pa[c][m] for m in metrics] for c in shared]) * 100
    vb = np.array([[pb[c][m] for m in metrics] for c in shared]) * 100
    draws = np.random.default_rng(seed).integers(0, len(shared), size=(samples, len(shared)))
    boot_a, boot_b = va[draws].mean(axis=1), vb[draws].mean(axis=1)
    lo, hi = (1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100

    def interval(values: Any, j: int) -> list[float]:
        return [round(float(np.percentile(values[:, j], lo)), 2), round(float(np.percentile(values[:, j], hi)), 2)]

    rows = []
    for j, name in enumerate(metrics):
        diff_ci = interval(boot_b - boot_a, j)
        rows.append({"metric": name, "a": round(float(va[:, j].mean()), 2), "a_ci": interval(boot_a, j),
                     "b": round(float(vb[:, j].mean()), 2), "b_ci": interval(boot_b, j),
                     "diff": round(float(vb[:, j].mean() - va[:, j].mean()), 2), "diff_ci": diff_ci,
                     "significant": diff_ci[0] > 0 or diff_ci[1] < 0})
    return {"k": k, "cases": len(shared), "only_a": len(set(pa) - set(pb)), "only_b": len(set(pb) - set(pa)),
            "bootstrap": {"samples": samples, "confidence": confidence, "seed": seed, "unit": "case, paired"},
            "metrics": rows}
