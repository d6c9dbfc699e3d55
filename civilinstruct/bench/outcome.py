"""What one generation achieved on one BMEval case, and, when it failed, where and how (paper section 6.3).

Judging is stricter than the paper's in one respect: the period and the verdict count only for a program
that ran to the end (a period printed before a crash is not a result).

The paper's three checks (`executes`, `period_ok`, `compliance_ok`, hence `strict`) read what the program
printed, exactly as published, so the six metrics stay comparable. `verified` is issue 15's stricter pass:
it executes, its model conforms to the instruction's building, its period is verified against its own eigen
solution and within the ground truth's tolerance, and its PASS verdict is backed by its own printed drift
within 1/550. The failure label (`stage`, `mode`, see `taxonomy`) names the first check a generation fails
on the way to `verified`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from civilinstruct.scoring.taxonomy import STAGES, label
from civilinstruct.scoring.execution import RunLike, printed_period, relative_error

PERIOD_TOLERANCE = 0.30  # |T - T_ref| / T_ref, appendix A.2
BAND_SLACK = 0.10  # --ground-truth band: a period within [lo / 1.1, hi * 1.1] (modelling choices differ)
__all__ = ["BAND_SLACK", "PERIOD_TOLERANCE", "STAGES", "Outcome", "judge", "period_within"]


@dataclass(slots=True)
class Outcome:
    """One generation's verdicts; `stage`/`mode` name its first failing check (None when verified)."""

    case_id: str
    sample_index: int
    status: str | None
    exception_type: str | None
    period_s: float | None
    ground_truth: float | None
    period_error: float | None
    compliance: str | None
    executes: bool
    period_ok: bool
    compliance_ok: bool
    strict: bool
    stage: str | None
    mode: str | None
    reward: float | None = None
    period_check: str | None = None
    verified_period_s: float | None = None
    conforms: bool | None = None
    wrong_fields: list[str] | None = None
    verified: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def period_within(period: float | None, ground_truth: float | None, band: tuple[float, float] | None = None,
                  ) -> tuple[float | None, bool]:
    """(relative error, within tolerance) against a reference period, or against a band when one is given.

    Band error is the distance to the nearer edge (0 inside), relative to that edge.
    """
    if band is not None:
        lo, hi = band
        if period is None or not period > 0:
            return None, False
        error = 0.0 if lo <= period <= hi else (lo - period) / lo if period < lo else (period - hi) / hi
        return error, lo / (1 + BAND_SLACK) <= period <= hi * (1 + BAND_SLACK)
    error = relative_error(period, ground_truth)
    return error, error is not None and error <= PERIOD_TOLERANCE


def judge(case_id: str, sample_index: int, program: str | None, run: RunLike | None, ground_truth: float | None,
          reward: float | None = None, conformance: dict[str, Any] | None = None,
          band: tuple[float, float] | None = None) -> Outcome:
    """The three checks of BMEval for one generation, the verified pass, and its failure stage and label.

    `conformance`: `check_conformance` of the model the run built (None: not checked); `band`: the range of T1
    over code-compliant designs (`--ground-truth band`) instead of one reference period.
    """
    status = getattr(run, "status", None) if program else None
    executes = status == "ok"
    period = printed_period(run) if executes else None
    error, period_ok = period_within(period, ground_truth, band)
    compliance = getattr(run, "compliance", None) if executes else None
    compliance_ok = compliance == "pass"
    strict = executes and period_ok and compliance_ok
    check = getattr(run, "period_check", None) if executes else None
    own = getattr(run, "period_s", None) if check == "verified" else None
    own_error, own_ok = period_within(own, ground_truth, band)
    stage, mode = label(program, run, executes, own_error, own_ok, conformance)
    conforms = None if conformance is None else bool(conformance["conforms"])
    wrong = None if conformance is None else [f for f, v in conformance["fields"].items() if v == "wrong"]
    return Outcome(case_id=case_id, sample_index=sample_index, status=status,
                   exception_type=getattr(run, "exception_type", None) if program else None,
                   period_s=period, ground_truth=ground_truth, period_error=error, compliance=compliance,
                   executes=executes, period_ok=period_ok, compliance_ok=compliance_ok, strict=strict,
                   stage=stage, mode=mode, reward=reward, period_check=check, verified_period_s=own,
                   conforms=conforms, wrong_fields=wrong, verified=executes and stage is None)


def error_mode(run: RunLike | None) -> str:
    """A short, groupable name for a failed run: `SyntaxError: unterminated string literal`, `Timeout`, ..."""
    status = getattr(run, "status", None)
    if status in ("timeout", "crashed", "killed", "oom"):
        return {"timeout": "Timeout", "crashed": "Crashed", "killed": "Killed", "oom": "OutOfMemory"}[status]
    exc = getattr(run, "exception_type", None) or "Error"
    message = (getattr(run, "exception_message", None) or "").strip().splitlines()
    text = message[0] if message else ""
    text = re.sub(r"\s*\((detected at line \d+|<[^>]*>, line \d+|line \d+)\)", "", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    return f"{exc}: {text[:60]}" if text else exc
