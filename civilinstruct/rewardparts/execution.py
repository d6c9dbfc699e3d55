"""r_exec: how far a program got in the sandbox, and how right its fundamental period is.

The values follow the paper (section 5.3.3) where it gives them, and fill its gaps so that the reward is
monotone along the path a program has to travel: nothing < a syntax or import failure < a timeout or
crash < a runtime error (more with progress) < a clean run without a period < a clean run with a period
(more the closer it is). A run that ends well but never prints a period is capped at 0.65, below any run
with a period, so a policy cannot collect most of the reward by skipping the modal analysis.

| outcome                                  | r_exec                                     |
|------------------------------------------|--------------------------------------------|
| no program in the completion             | 0.0                                        |
| SyntaxError / IndentationError / TabError | 0.05 (it never ran, progress is meaningless)|
| ImportError / ModuleNotFoundError        | 0.05                                       |
| timeout                                  | 0.10                                       |
| crashed / killed / oom                   | 0.10                                       |
| other exception on line l of L           | 0.10 + 0.40 * l / L  (base + progress)     |
| ok, no period printed                    | 0.60 + verdict bonus (at most 0.65)        |
| ok, |T - T_ref| / T_ref <= 0.10          | 0.95 + verdict bonus (1.0)                 |
| ok, <= 0.20 / <= 0.40 / more             | 0.85 / 0.75 / 0.65 + verdict bonus         |
| ok, period but no reference given        | 0.75 + verdict bonus                       |

The tiers are the issue's 1.0 / 0.9 / 0.8 / 0.7 with the verdict: a run earns the top value only with an
affirmative compliance verdict that no negation cancels (the sandbox's `compliance == "pass"`).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

SYNTAX_ERRORS = frozenset({"SyntaxError", "IndentationError", "TabError"})
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
R_SYNTAX = 0.05
R_IMPORT = 0.05
R_TIMEOUT = 0.10
R_CRASH = 0.10
BASE = 0.10
PROGRESS_SCALE = 0.40
NO_PERIOD = 0.60
NO_REFERENCE = 0.75
VERDICT_BONUS = 0.05
PERIOD_TIERS = ((0.10, 1.0), (0.20, 0.9), (0.40, 0.8), (math.inf, 0.7))


class RunLike(Protocol):
    """The fields of the sandbox's `RunResult` that r_exec reads."""

    status: str
    exception_type: str | None
    error_line: int | None
    total_lines: int | None
    period_s: float | None
    compliance: str | None


def relative_error(period: float | None, reference: float | None) -> float | None:
    """|T - T_ref| / T_ref, or None when either is missing or not a positive finite number."""
    if not _positive(period) or not _positive(reference):
        return None
    return abs(float(period) - float(reference)) / float(reference)  # type: ignore[arg-type]


def _positive(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x)) and float(x) > 0
    except (TypeError, ValueError):
        return False


def period_tier(error: float) -> float:
    """The issue's tier value for a relative period error (1.0 at <= 10% ... 0.7 beyond 40%)."""
    for bound, value in PERIOD_TIERS:
        if error <= bound:
            return value
    return PERIOD_TIERS[-1][1]


def printed_period(run: Any) -> float | None:
    """T1 as the program printed it (what these rules read; with the sandbox's probe `period_s` is the program's
    own eigen T1, which a program that prints no period still has)."""
    printed = getattr(run, "printed_period_s", None)
    if printed is not None or hasattr(run, "printed_period_s"):
        return printed
    return getattr(run, "period_s", None)


def exec_reward(run: RunLike | None, ground_truth: float | None) -> float:
    """r_exec in [0, 1] for one sandbox result (None: no program was found). See the module table.

    >>> from types import SimpleNamespace as R
    >>> exec_reward(R(status="error", exception_type="KeyError", error_line=40, total_lines=200,
    ...               period_s=None, compliance=None), 1.0)
    0.18
    >>> exec_reward(R(status="ok", exception_type=None, error_line=None, total_lines=200,
    ...               period_s=1.15, compliance="pass"), 1.0)
    0.9
    """
    if run is None:
        return 0.0
    status = run.status
    if status == "timeout":
        return R_TIMEOUT
    if status in ("crashed", "killed", "oom"):
        return R_CRASH
    if status != "ok":
        if run.exception_type in SYNTAX_ERRORS:
            return R_SYNTAX
        if run.exception_type in IMPORT_ERRORS:
            return R_IMPORT
        line, total = run.error_line or 0, run.total_lines or 0
        progress = min(1.0, max(0.0, line / total)) if total > 0 else 0.0
        return round(BASE + PROGRESS_SCALE * progress, 6)
    bonus = VERDICT_BONUS if run.compliance == "pass" else 0.0
    period = printed_period(run)
    if not _positive(period):
        return round(NO_PERIOD + bonus, 6)
    error = relative_error(period, ground_truth)
    if error is None:
        return round(NO_REFERENCE + bonus, 6)
    return round(period_tier(error) - VERDICT_BONUS + bonus, 6)
