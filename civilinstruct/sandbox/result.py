"""`RunResult`: what one program did, with the physics read from what it printed."""

from __future__ import annotations

import os
import signal
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from civilinstruct.physics.reading import read_compliance, read_max_drift, read_periods

RunStatus = Literal["ok", "error", "timeout", "crashed", "killed", "oom"]
# Signals that mean the program itself broke (a segfault through ctypes, an abort in OpenSees' C++).
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT, signal.SIGSYS,
                 signal.SIGTRAP}


class RunResult(BaseModel):
    """One run. `period_s`, `periods`, `max_drift` and `compliance` are read from stdout when not given."""

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

    @model_validator(mode="before")
    @classmethod
    def _read_physics(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = data.get("stdout") or ""
        if not out:
            return data
        data = dict(data)
        if data.get("periods") is None and data.get("period_s") is None:
            periods = read_periods(out)
            data["periods"] = periods
            data["period_s"] = periods[0] if periods else None
        elif data.get("period_s") is None and data.get("periods"):
            data["period_s"] = data["periods"][0]
        if "max_drift" not in data:
            data["max_drift"] = read_max_drift(out)
        if "compliance" not in data:
            data["compliance"] = read_compliance(out)
        return data

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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
    elif exc_type == "MemoryError" or (signum is not None and ("std::bad_alloc" in stderr or raw.get("oom_killed"))):
        status = "oom"
    elif signum is not None:
        status = "crashed" if signum in CRASH_SIGNALS else "killed"
        exc_type = exc_type or f"Signal{signal.Signals(signum).name if _known(signum) else signum}"
        exc_msg = exc_msg or f"terminated by signal {signum}"
    elif exit_code == 0 and not exc_type:
        status = "ok"
    else:
        status = "error"
    return RunResult(
        status=status, exit_code=exit_code, exception_type=exc_type, exception_message=exc_msg,
        error_line=raw.get("error_line"), total_lines=total_lines(code),
        stdout=raw.get("stdout", ""), stderr=stderr,
        stdout_truncated=bool(raw.get("stdout_truncated")), stderr_truncated=bool(raw.get("stderr_truncated")),
        wall_s=round(float(raw.get("wall_s", 0.0)), 6),
    )


def _known(signum: int) -> bool:
    try:
        signal.Signals(signum)
    except ValueError:
        return False
    return True
