"""How the zygote's raw report becomes a `RunResult` status, and the physics read from stdout."""

from __future__ import annotations

import os
import signal

import pytest

from civilinstruct.sandbox.result import RunResult, from_zygote


def wait_status(exit_code: int | None = None, sig: int | None = None) -> int:
    return sig if sig is not None else (exit_code or 0) << 8


@pytest.mark.parametrize(("raw", "status", "exit_code"), [
    ({"wait_status": wait_status(0)}, "ok", 0),
    ({"wait_status": wait_status(1), "exception_type": "ValueError"}, "error", 1),
    ({"wait_status": wait_status(3), "exception_type": "SystemExit"}, "error", 3),
    ({"wait_status": wait_status(1), "exception_type": "MemoryError"}, "oom", 1),
    ({"wait_status": wait_status(sig=signal.SIGSEGV)}, "crashed", -11),
    ({"wait_status": wait_status(sig=signal.SIGABRT), "stderr": "terminate called after throwing an instance of "
      "'std::bad_alloc'"}, "oom", -6),
    ({"wait_status": wait_status(sig=signal.SIGKILL), "oom_killed": True}, "oom", -9),
    ({"wait_status": wait_status(sig=signal.SIGKILL)}, "killed", -9),
    ({"wait_status": wait_status(sig=signal.SIGKILL), "memory_held": 300 << 20, "memory_cap": 256 << 20}, "oom", -9),
    ({"wait_status": wait_status(sig=signal.SIGKILL), "timed_out": True}, "timeout", -9),
    ({"wait_status": wait_status(sig=signal.SIGKILL), "flooded": True, "stdout_bytes": 99}, "killed", -9),
    ({"wait_status": None, "worker_died": True, "exception_type": "SandboxWorkerDied"}, "crashed", None),
])
def test_status_mapping(raw: dict, status: str, exit_code: int | None) -> None:
    result = from_zygote(raw, "a = 1\nb = 2\n", timeout=5.0, max_output=100)
    assert (result.status, result.exit_code) == (status, exit_code)
    assert result.total_lines == 2


def test_wait_status_helper_matches_the_os() -> None:
    assert os.WEXITSTATUS(wait_status(3)) == 3 and os.WTERMSIG(wait_status(sig=9)) == 9


def test_physics_is_read_from_stdout_unless_given() -> None:
    out = "Mode 1: T = 0.85 s\nMode 2: T = 0.27 s\nmax drift = 1/720 < 1/550, OK\n"
    read = RunResult(status="ok", stdout=out)
    assert (read.period_s, read.periods, read.compliance) == (0.85, [0.85, 0.27], "pass")
    assert read.max_drift == pytest.approx(1 / 720)
    given = RunResult(status="ok", stdout=out, period_s=1.0, periods=[1.0], max_drift=None, compliance=None)
    assert (given.period_s, given.max_drift, given.compliance) == (1.0, None, None)
    assert RunResult(status="error").period_s is None
