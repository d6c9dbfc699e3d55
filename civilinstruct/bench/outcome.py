"""What one generation achieved on one BMEval case, and, when it failed, where and how (paper section 6.3).

Judging is stricter than the paper's in one respect: the period and the verdict count only for a program
that ran to the end (a period printed before a crash is not a result).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from civilinstruct.rewardparts.execution import printed_period, relative_error

PERIOD_TOLERANCE = 0.30  # |T - T_ref| / T_ref, appendix A.2
STAGES = ("executability", "compliance", "period", "truncated")  # truncated: cut at the token limit (runmeta)
_MODAL_HINTS = ("eigen", "arpack", "symmbandlapack", "fullgensolver", "genbandarpack", "eigenso")


@dataclass(slots=True)
class Outcome:
    """One generation's verdicts; `stage`/`mode` name its first failing check (None when strict)."""

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(case_id: str, sample_index: int, program: str | None, run: Any, ground_truth: float | None,
          reward: float | None = None) -> Outcome:
    """The three checks of BMEval for one generation, plus its failure stage and mode."""
    status = getattr(run, "status", None) if program else None
    executes = status == "ok"
    period = printed_period(run) if executes else None  # (the paper's metric: what the program printed)
    error = relative_error(period, ground_truth)
    period_ok = error is not None and error <= PERIOD_TOLERANCE
    compliance = getattr(run, "compliance", None) if executes else None
    compliance_ok = compliance == "pass"
    strict = executes and period_ok and compliance_ok
    stage, mode = (None, None) if strict else _failure(program, run, executes, compliance_ok, period, error,
                                                      ground_truth)
    return Outcome(case_id=case_id, sample_index=sample_index, status=status,
                   exception_type=getattr(run, "exception_type", None) if program else None,
                   period_s=period, ground_truth=ground_truth, period_error=error, compliance=compliance,
                   executes=executes, period_ok=period_ok, compliance_ok=compliance_ok, strict=strict,
                   stage=stage, mode=mode, reward=reward)


def _failure(program: str | None, run: Any, executes: bool, compliance_ok: bool, period: float | None,
             error: float | None, ground_truth: float | None) -> tuple[str, str]:
    """First failing stage in the paper's order (executability, compliance, period) and its mode."""
    if not program:
        return "executability", "NoProgram"
    if not executes:
        return "executability", error_mode(run)
    if not compliance_ok:
        verdict = getattr(run, "compliance", None)
        if verdict == "fail":
            out = (getattr(run, "stdout", "") or "").lower()
            for word, name in (("drift", "Drift"), ("axial", "AxialRatio"), ("period", "Period")):
                if word in out:
                    return "compliance", f"Compliance.{name}"
            return "compliance", "Compliance.Fail"
        return "compliance", "Compliance.Missing"
    if period is None:
        err = (getattr(run, "stderr", "") or "").lower()
        if any(h in err for h in _MODAL_HINTS):
            return "period", "Period.ModalSetup"
        return "period", "Period.Unknown"
    if error is None:
        return "period", "Period.NoReference"
    return "period", "Period.TooShort" if period < (ground_truth or 0) else "Period.TooLong"


def error_mode(run: Any) -> str:
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
