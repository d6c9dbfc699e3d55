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
| terminated (did not reach its end) at l  | 0.10 + 0.40 * l / L                        |
| ok, no period printed                    | 0.60 + verdict bonus (at most 0.65)        |
| ok, |T - T_ref| / T_ref <= 0.10          | 0.95 + verdict bonus (1.0)                 |
| ok, <= 0.20 / <= 0.40 / more             | 0.85 / 0.75 / 0.65 + verdict bonus         |
| ok, period but no reference given        | 0.75 + verdict bonus                       |

The tiers are the issue's 1.0 / 0.9 / 0.8 / 0.7 with the verdict: a run earns the top value only with an
affirmative compliance verdict that no negation cancels (the sandbox's `compliance == "pass"`).

Two modes (issue 15). `paper`: the published rules above, reading the period the program printed. `verified`
(the default) changes three things, because printed words prove nothing:
- period credit only for a `verified` period (printed within 1% of the T1 of the program's own eigen solution,
  as the sandbox's probe saw it); `mismatch`, `unverified` and `none` score as a run without a period;
- the period of a model that is not the building asked for (spec conformance `wrong`, when the instruction is
  known) is not credited either;
- the verdict bonus needs the verdict to agree with the program's own printed drift and the 1/550 limit
  (a hard-coded "PASS" with no drift printed earns nothing).
A run that did not reach its end (`terminated`: OpenSees ended the process from C) scores, in both modes, as a
runtime error on the last line it reached.
"""

from __future__ import annotations

import math
from typing import Any, Literal, Protocol

from civilinstruct.physics.codes import DRIFT_LIMIT_FRAME
from civilinstruct.store.protocols import RunRecord

RewardMode = Literal["verified", "paper"]
MODES: tuple[str, ...] = ("verified", "paper")

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


class RunLike(RunRecord, Protocol):
    """A run as scoring reads it (r_exec, the taxonomy, the 0-100 score): what the store keeps of a run
    (`RunRecord`) plus its output and the probe's verdicts.

    Read-only, so `RunResult` (whose status is a Literal) fits. The readers use `getattr` with a default, so a
    stored `Execution` or a test's namespace that lacks a field (no stdout, no probe model) still scores.
    """

    @property
    def total_lines(self) -> int | None: ...
    @property
    def stdout(self) -> str: ...
    @property
    def stderr(self) -> str: ...
    @property
    def printed_period_s(self) -> float | None: ...
    @property
    def period_check(self) -> str: ...
    @property
    def model(self) -> object: ...


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


def check_mode(mode: str) -> str:
    """`mode` if it is a known reward mode; ValueError otherwise."""
    if mode not in MODES:
        raise ValueError(f"unknown reward mode {mode!r}: use {' or '.join(MODES)}")
    return mode


def printed_period(run: RunLike | None) -> float | None:
    """T1 as the program printed it (what the paper's rules read)."""
    printed = getattr(run, "printed_period_s", None)
    if printed is not None or hasattr(run, "printed_period_s"):
        return printed
    return getattr(run, "period_s", None)


def credited_period(run: RunLike | None, mode: str = "verified", conforms: bool | None = None) -> float | None:
    """The period the reward may credit: printed (paper) or verified against the program's own eigen (verified)."""
    if run is None:
        return None
    if check_mode(mode) == "paper":
        return printed_period(run)
    if getattr(run, "period_check", None) != "verified" or conforms is False:
        return None
    return getattr(run, "period_s", None)


def verdict_agrees(run: RunLike) -> bool:
    """An affirmative verdict backed by the program's own printed drift within 1/550 (verified mode's bonus)."""
    drift = getattr(run, "max_drift", None)
    return (getattr(run, "compliance", None) == "pass" and _positive(drift)
            and float(drift) <= DRIFT_LIMIT_FRAME * 1.0005)  # type: ignore[arg-type]


def exec_reward(run: RunLike | None, ground_truth: float | None, mode: str = "verified",
                conforms: bool | None = None) -> float:
    """r_exec in [0, 1] for one sandbox result (None: no program was found). See the module table.

    `conforms`: whether the probed model is the building asked for (None: unknown, no instruction).

    >>> from types import SimpleNamespace as R
    >>> exec_reward(R(status="error", exception_type="KeyError", error_line=40, total_lines=200,
    ...               period_s=None, compliance=None), 1.0)
    0.18
    >>> ok = dict(status="ok", exception_type=None, error_line=None, total_lines=200, max_drift=0.0015,
    ...           compliance="pass")
    >>> exec_reward(R(**ok, period_s=1.15, period_check="verified"), 1.0)
    0.9
    >>> exec_reward(R(**ok, period_s=1.15, period_check="unverified"), 1.0), exec_reward(
    ...     R(**ok, period_s=1.15, period_check="unverified"), 1.0, mode="paper")
    (0.65, 0.9)
    """
    check_mode(mode)
    if run is None:
        return 0.0
    status = run.status
    if status == "timeout":
        return R_TIMEOUT
    if status in ("crashed", "killed", "oom"):
        return R_CRASH
    if status == "terminated":
        line, total = getattr(run, "last_line", None) or 0, run.total_lines or 0
        progress = min(1.0, max(0.0, line / total)) if total > 0 else 0.0
        return round(BASE + PROGRESS_SCALE * progress, 6)
    if status != "ok":
        if run.exception_type in SYNTAX_ERRORS:
            return R_SYNTAX
        if run.exception_type in IMPORT_ERRORS:
            return R_IMPORT
        line, total = run.error_line or 0, run.total_lines or 0
        progress = min(1.0, max(0.0, line / total)) if total > 0 else 0.0
        return round(BASE + PROGRESS_SCALE * progress, 6)
    if mode == "paper":
        bonus = VERDICT_BONUS if run.compliance == "pass" else 0.0
    else:
        bonus = VERDICT_BONUS if verdict_agrees(run) else 0.0
    period = credited_period(run, mode, conforms)
    if not _positive(period):
        return round(NO_PERIOD + bonus, 6)
    error = relative_error(period, ground_truth)
    if error is None:
        return round(NO_REFERENCE + bonus, 6)
    return round(period_tier(error) - VERDICT_BONUS + bonus, 6)
