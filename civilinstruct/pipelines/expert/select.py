"""How the expert set selects (issue 16, item 7): an engineering plausibility band for T1 and a score whose parts
spread, each rejection with its reason.

Plausibility band of the bare-frame T1 (what the programs print), for the building of the spec:
- lower: T1 >= `LOWER` x the GB 50009 Appendix F estimate. That formula describes the infilled building, which is
  stiffer than the bare frame, so a bare frame well below it models too little mass or too much stiffness.
- upper: the first-mode drift estimate theta ~ alpha(psi_T T) g T^2 / (2 pi^2 H) (Gamma ~ 4/pi and a sine shape
  whose steepest slope is pi / (2H) times the roof displacement) must stay within `DRIFT_SLACK` x 1/550. Over 200
  designed frames (seed 41) that estimate ran at 0.86-1.32x the analysed drift, so a T1 beyond the bound cannot
  belong to a frame that passes the drift check of GB 50011 5.5.1.

Expert score (0-100) from the re-run in the sandbox: executes 25, spec conformance 20 (share of fields ok),
verified period 20 (unverified 5), consistent checks 15, code clauses printed 20 (share of `CLAUSES`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from civilinstruct.physics.codes import DRIFT_LIMIT_FRAME

if TYPE_CHECKING:
    from civilinstruct.sandbox import RunResult

LOWER = 0.6
DRIFT_SLACK = 1.5
EXPERT_THRESHOLD = 90.0
WEIGHTS = {"executes": 25.0, "conformance": 20.0, "period": 20.0, "checks": 15.0, "clauses": 20.0}
CLAUSES = ("1/550", "GB 50011 5.2.5", "JGJ 3-2010 5.4.1", "JGJ 3-2010 5.4.4", "GB 50011 6.2.4", "GB 50068",
           "GB 50011 6.2.2", "GB 50011 5.2.1")


def _drift_estimate(t1: float, spec: dict[str, Any], psi_t: float) -> float:
    from civilinstruct.physics.spectrum import alpha

    height = spec["stories"] * spec["story_height_m"]
    a = alpha(min(psi_t * t1, 6.0), spec["intensity"], spec["design_group"], spec["site_class"])
    return float(a * 9.81 * t1 ** 2 / (2.0 * math.pi ** 2 * height))


def period_band(spec: dict[str, Any], empirical_t1_s: float, psi_t: float) -> tuple[float, float]:
    """(lowest, highest) plausible bare-frame T1 in seconds for a code-compliant frame of this building."""
    lo, hi = 0.05, 6.0 / psi_t
    limit = DRIFT_SLACK * DRIFT_LIMIT_FRAME
    if _drift_estimate(hi, spec, psi_t) > limit:
        for _ in range(50):  # the estimate grows with T: bisect for where it reaches the limit
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if _drift_estimate(mid, spec, psi_t) <= limit else (lo, mid)
    return LOWER * empirical_t1_s, hi


def expert_score(spec: Any, run: RunResult) -> tuple[float, dict[str, float]]:
    """(score, parts) of a re-run parent program."""
    from civilinstruct.physics.conformance import FIELDS, check_conformance
    from civilinstruct.scoring.program import verdict_consistent

    parts = dict.fromkeys(WEIGHTS, 0.0)
    if run.status != "ok":
        return 0.0, parts
    stdout = run.stdout or ""
    parts["executes"] = WEIGHTS["executes"]
    checked = check_conformance(spec, run.model)
    ok = sum(1 for f in FIELDS if checked["fields"][f] == "ok")
    parts["conformance"] = WEIGHTS["conformance"] * (1.0 if checked["conforms"] else ok / len(FIELDS))
    parts["period"] = {"verified": 1.0, "unverified": 0.25}.get(run.period_check, 0.0) * WEIGHTS["period"]
    parts["checks"] = WEIGHTS["checks"] if verdict_consistent(stdout) else 0.0
    parts["clauses"] = WEIGHTS["clauses"] * sum(c in stdout for c in CLAUSES) / len(CLAUSES)
    parts = {k: round(v, 3) for k, v in parts.items()}
    return round(sum(parts.values()), 3), parts


def weakest(parts: dict[str, float]) -> str:
    """The part furthest below its weight (a rejection reason's key)."""
    return max(WEIGHTS, key=lambda k: (WEIGHTS[k] - parts.get(k, 0.0)) / WEIGHTS[k])
