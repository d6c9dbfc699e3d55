"""`RunResult`: what one program did, with the physics read from what it printed."""

from __future__ import annotations

import os
import signal
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from civilinstruct.physics.reading import read_compliance, read_max_drift, read_periods
from civilinstruct.sandbox.probe_model import ModelProbe, reaches_into_interpreter, summarise

# "terminated": the process ended (often with exit code 0, from OpenSees' C++) before the program's last line.
RunStatus = Literal["ok", "error", "timeout", "crashed", "killed", "oom", "terminated"]
PeriodCheck = Literal["verified", "mismatch", "unverified", "none"]
PERIOD_TOLERANCE = 0.01  # printed T1 within 1% of the program's own eigen T1: verified
# Signals that mean the program itself broke (a segfault through ctypes, an abort in OpenSees' C++).
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT, signal.SIGSYS,
                 signal.SIGTRAP}


class RunResult(BaseModel):
    """One run. `max_drift` and `compliance` are read from stdout when not given.

    Periods: `printed_period_s` is what stdout says; `period_s` (and `periods`) are the program's own eigen
    solution when the probe saw one, else what it printed. `period_check` says whether the two agree.
    """

    status: RunStatus
    exit_code: int | None = None
    exception_type: str | None = None
    exception_message: str | None = None
    error_line: int | None = Field(None, description="1-based line in the program itself")
    total_lines: int = 0
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_s: float = 0.0
    period_s: float | None = None
    periods: list[float] = Field(default_factory=list)
    max_drift: float | None = None
    compliance: Literal["pass", "fail"] | None = None
    last_line: int | None = Field(None, description="terminated runs: the last program line known to be reached")
    model: ModelProbe | None = Field(None, description="the model the program built, read by the sandbox's probe")
    printed_period_s: float | None = Field(None, description="T1 as the program printed it")
    period_check: PeriodCheck = Field("none", description="verified: printed T1 within 1% of its own eigen T1; "
                                                          "mismatch: printed another; unverified: printed one "
                                                          "without calling eigen; none: printed none")

    @model_validator(mode="before")
    @classmethod
    def _read_physics(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = data.get("stdout") or ""
        model = data.get("model")
        if not out and model is None:
            return data
        data = dict(data)
        wanted = "printed_period_s" not in data or (data.get("periods") is None and data.get("period_s") is None)
        printed = read_periods(out) if out and wanted else []
        if data.get("printed_period_s") is None and printed:
            data["printed_period_s"] = printed[0]
        own = _eigen_periods(model)
        if data.get("periods") is None and data.get("period_s") is None:
            periods = own or printed
            data["periods"] = periods
            data["period_s"] = periods[0] if periods else None
        elif data.get("period_s") is None and data.get("periods"):
            data["period_s"] = data["periods"][0]
        if "period_check" not in data:
            data["period_check"] = check_period(data.get("printed_period_s"), model)
        if not out:
            return data
        if "max_drift" not in data:
            data["max_drift"] = read_max_drift(out)
        if "compliance" not in data:
            data["compliance"] = read_compliance(out)
        return data

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _eigen_periods(model: Any) -> list[float]:
    if model is None:
        return []
    periods = model.eigen_periods_s if isinstance(model, ModelProbe) else model.get("eigen_periods_s")
    return list(periods or [])


def check_period(printed: float | None, model: ModelProbe | dict | None) -> PeriodCheck:
    """How a printed T1 relates to the program's own eigen solution (see `PeriodCheck`)."""
    if printed is None:
        return "none"
    calls = (model.eigen_calls if isinstance(model, ModelProbe) else int(model.get("eigen_calls") or 0)) \
        if model is not None else 0
    if not calls:
        return "unverified"
    own = _eigen_periods(model)
    if own and abs(printed - own[0]) <= PERIOD_TOLERANCE * own[0]:
        return "verified"
    return "mismatch"  # another number, or a period printed after eigen failed


def total_lines(code: str) -> int:
    """Lines of the program as an editor counts them."""
    return len(code.splitlines())


def from_zygote(raw: dict[str, Any], code: str, timeout: float, max_output: int) -> RunResult:
    """Turn the zygote's raw report (wait status, captured output, exception) into a `RunResult`."""
    wait_status = raw.get("wait_status")
    exit_code: int | None = None
    signum: int | None = None
    if wait_status is not None:
        if os.WIFSIGNALED(wait_status):
            signum = os.WTERMSIG(wait_status)
            exit_code = -signum
        else:
            exit_code = os.WEXITSTATUS(wait_status)
    exc_type = raw.get("exception_type")
    exc_msg = raw.get("exception_message")
    stderr = raw.get("stderr", "")
    if raw.get("worker_died"):
        status: RunStatus = "crashed"
    elif raw.get("timed_out"):
        status = "timeout"
        exc_type, exc_msg = exc_type or "Timeout", exc_msg or f"wall-clock limit of {timeout:g} s reached"
    elif raw.get("flooded"):
        status = "killed"
        exc_type = "OutputLimitExceeded"
        exc_msg = f"printed more than {raw.get('stdout_bytes', 0) + raw.get('stderr_bytes', 0)} bytes; killed"
    elif raw.get("memory_held") is not None:  # the supervisor's watch: the whole tree passed the cap (memwatch)
        status = "oom"
        exc_type = "MemoryLimitExceeded"
        exc_msg = (f"the program's processes and files held {raw['memory_held'] / (1 << 20):.0f} MB together, over "
                   f"its cap of {int(raw.get('memory_cap') or 0) / (1 << 20):.0f} MB; killed")
    elif exc_type == "MemoryError" or (signum is not None and ("std::bad_alloc" in stderr or raw.get("oom_killed"))):
        status = "oom"
    elif signum is not None:
        status = "crashed" if signum in CRASH_SIGNALS else "killed"
        exc_type = exc_type or f"Signal{signal.Signals(signum).name if _known(signum) else signum}"
        exc_msg = exc_msg or f"terminated by signal {signum}"
    elif raw.get("reached_end") is False and not exc_type:  # ended from C (OpenSees' exit()) or by os._exit
        status = "terminated"
        exc_type = "Terminated"
        exc_msg = f"the process ended with exit code {exit_code} before the program's last line"
    elif exit_code == 0 and not exc_type:
        status = "ok"
    else:
        status = "error"
    model = raw.get("model") or summarise(raw.get("probe"))
    stdout = raw.get("stdout", "")
    printed = read_periods(stdout)
    check = check_period(printed[0] if printed else None, model)
    if model is not None and model.eigen_periods_s and reaches_into_interpreter(code):
        # It could have forged its eigen record from inside the process: not evidence of anything.
        model = model.model_copy(update={"eigen_periods_s": []})
        check = "unverified" if printed else "none"
    return RunResult(
        status=status, exit_code=exit_code, exception_type=exc_type, exception_message=exc_msg,
        error_line=raw.get("error_line"), total_lines=total_lines(code),
        stdout=stdout, stderr=stderr, printed_period_s=printed[0] if printed else None,
        **({} if model is not None and model.eigen_periods_s else {"periods": printed,
                                                                   "period_s": printed[0] if printed else None}),
        stdout_truncated=bool(raw.get("stdout_truncated")), stderr_truncated=bool(raw.get("stderr_truncated")),
        wall_s=round(float(raw.get("wall_s", 0.0)), 6),
        last_line=raw.get("last_line") if status == "terminated" else None, model=model, period_check=check,
    )


def _known(signum: int) -> bool:
    try:
        signal.Signals(signum)
    except ValueError:
        return False
    return True
