"""How the expert set selects (issue 16, item 7): an engineering plausibility band for T1 and a score whose parts
spread, each rejection with its reason.

Plausibility band of the bare-frame T1 (what the programs print), for the building of the spec:
- lower: T1 >= `LOWER` x the GB 50009 Appendix F estimate. That formula describes the infilled building, which is
  stiffer than the bare frame, so a bare frame well below it models too little mass or too much stiffness.
- upper: the first-mode drift estimate theta ~ alpha(psi_T T) g T^2 / (2 pi^2 H) (Gamma ~ 4/pi and a sine shape
  whose steepest slope is pi / (2H) times the roof displacement) must stay within `DRIFT_SLACK` x 1/550. Over 200
  designed frames (seed 41) that estimate ran at 0.86-1.32x the analysed drift, so a T1 beyond the bound cannot
  belong to a frame that passes the drift check of GB 50011 5.5.1.

Expert score (0-100) from the re-run in the sandbox: executes 20, spec conformance 15 (share of fields ok),
verified period 15 (unverified 3.75), consistent checks 15, code clauses printed 15 (share of `CLAUSES`) and
engineering 20: a design an engineer would send back scores 0 there, so it falls below the threshold whatever
else it does well, with the rule it breaks as the reason (`engineering_reasons`):
- the building does not pass its own checks (Compliance: FAIL, e.g. the Y drift the 3D model finds);
- drift utilisation above `DRIFT_UTILISATION` of 1/550 (no margin left for the accidental eccentricity of
  GB 50011 5.2.3 or the infill the model leaves out);
- effective modal mass below 90% in a direction analysed (GB 50011 5.2.2 commentary, JGJ 3-2010 5.1.13);
- the minimum shear coefficient reached only by amplifying the storey shears by more than `MAX_AMPLIFICATION`
  (JGJ 3-2010 4.3.12 commentary: a large shortfall means the stiffness should be revised, not the forces);
- a torsional first-mode ratio Tt / T1 above 0.9 in a space model of a tall building (JGJ 3-2010 3.4.5, whose
  scope 1.0.2 is 10 stories or more, or over 28 m);
- a single-span frame in either direction (weak redundancy: GB 50011 6.1.5, JGJ 3-2010 6.1.2);
- the verified T1 outside `period_band`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from civilinstruct.physics.codes import DRIFT_LIMIT_FRAME

if TYPE_CHECKING:
    from civilinstruct.sandbox import RunResult

LOWER = 0.6
DRIFT_SLACK = 1.5
EXPERT_THRESHOLD = 90.0
WEIGHTS = {"executes": 20.0, "conformance": 15.0, "period": 15.0, "checks": 15.0, "clauses": 15.0, "engineering": 20.0}
DRIFT_UTILISATION = 0.97
MIN_MASS_SHARE = 0.90
MAX_AMPLIFICATION = 1.15
MAX_TORSION_RATIO = 0.90
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


class Parts(dict[str, float]):
    """The score's parts (part -> points) and, in `reasons`, the engineering rules the design breaks."""

    reasons: list[str]

    def __init__(self, parts: dict[str, float], reasons: list[str]) -> None:
        super().__init__(parts)
        self.reasons = reasons


_MASS_SHARE = re.compile(r"mass participation(?: \(([XY])\))? = ([\d.]+) ?%", re.I)
_AMPLIFIED = re.compile(r"amplified by up to x([\d.]+)")
_TORSION = re.compile(r"Tt / T1 = ([\d.]+)")


def engineering_reasons(spec: Any, run: RunResult) -> list[str]:
    """The engineering rules (module docstring) that the re-run of a design's program breaks, as short reasons."""
    from civilinstruct.physics.period import PSI_T_FRAME, empirical_period
    from civilinstruct.physics.reading import read_compliance, read_max_drift

    stdout = run.stdout or ""

    def get(key: str) -> Any:
        return spec[key] if isinstance(spec, dict) else getattr(spec, key)

    out: list[str] = []
    if read_compliance(stdout) == "fail":
        out.append("fails its own checks")
    drift = read_max_drift(stdout)
    if drift is not None and drift > DRIFT_UTILISATION * DRIFT_LIMIT_FRAME:
        out.append(f"drift utilisation > {DRIFT_UTILISATION:g} of 1/550")
    shares = [float(m.group(2)) / 100.0 for m in _MASS_SHARE.finditer(stdout)]
    if shares and min(shares) < MIN_MASS_SHARE:
        out.append(f"modal mass < {MIN_MASS_SHARE:.0%}")
    amplified = [float(x) for x in _AMPLIFIED.findall(stdout)]
    if amplified and max(amplified) > MAX_AMPLIFICATION:
        out.append(f"shears amplified > x{MAX_AMPLIFICATION:g} to reach lambda (too flexible)")
    torsion = [float(x) for x in _TORSION.findall(stdout)]
    tall = get("stories") >= 10 or get("stories") * get("story_height_m") > 28.0  # JGJ 3-2010 1.0.2: its scope
    if torsion and tall and max(torsion) > MAX_TORSION_RATIO:
        out.append(f"torsion period ratio > {MAX_TORSION_RATIO:g}")
    if min(get("bays_x"), get("bays_y")) < 2:
        out.append("single-span frame (weak redundancy)")
    t1 = getattr(run, "period_s", None)
    if t1:
        fields = {k: get(k) for k in ("stories", "story_height_m", "intensity", "design_group", "site_class")}
        height = get("stories") * get("story_height_m")
        low, high = period_band(fields, empirical_period(height, get("bays_x") * get("span_x_m")), PSI_T_FRAME)
        if not low <= t1 <= high:
            out.append("verified T1 outside the engineering band")
    return out


def expert_score(spec: Any, run: RunResult) -> tuple[float, dict[str, float]]:
    """(score, parts) of a re-run parent program; `parts.reasons` names the engineering rules it breaks."""
    from civilinstruct.physics.conformance import FIELDS, check_conformance
    from civilinstruct.scoring.program import verdict_consistent

    parts = dict.fromkeys(WEIGHTS, 0.0)
    if run.status != "ok":
        return 0.0, Parts(parts, [f"re-run: {run.status}"])
    stdout = run.stdout or ""
    parts["executes"] = WEIGHTS["executes"]
    checked = check_conformance(spec, run.model)
    ok = sum(1 for f in FIELDS if checked["fields"][f] == "ok")
    parts["conformance"] = WEIGHTS["conformance"] * (1.0 if checked["conforms"] else ok / len(FIELDS))
    parts["period"] = {"verified": 1.0, "unverified": 0.25}.get(run.period_check, 0.0) * WEIGHTS["period"]
    parts["checks"] = WEIGHTS["checks"] if verdict_consistent(stdout) else 0.0
    parts["clauses"] = WEIGHTS["clauses"] * sum(c in stdout for c in CLAUSES) / len(CLAUSES)
    reasons = engineering_reasons(spec, run)
    parts["engineering"] = 0.0 if reasons else WEIGHTS["engineering"]
    rounded = Parts({k: round(v, 3) for k, v in parts.items()}, reasons)
    return round(sum(rounded.values()), 3), rounded


def weakest(parts: dict[str, float]) -> str:
    """The part furthest below its weight (a rejection reason's key); for engineering, with the rules broken."""
    key = max(WEIGHTS, key=lambda k: (WEIGHTS[k] - parts.get(k, 0.0)) / WEIGHTS[k])
    reasons = getattr(parts, "reasons", None)
    return f"{key} ({'; '.join(reasons)})" if key == "engineering" and reasons else key
