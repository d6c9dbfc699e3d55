"""Judging one generation, failure modes, and the six metrics on a hand-built set of outcomes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from civilinstruct.bench.outcome import error_mode, judge
from civilinstruct.bench.score import summarize
from civilinstruct.errors import CivilError

P = "print(1)\n"


def run(status: str = "ok", period: float | None = 1.0, verdict: str | None = "pass", exc: str | None = None,
        msg: str | None = None, stdout: str = "", stderr: str = "", check: str | None = None,
        drift: float | None = 0.0015, model: object = None, line: int | None = None) -> SimpleNamespace:
    """A run as the probing sandbox reports it (period verified unless `check` says otherwise)."""
    return SimpleNamespace(status=status, period_s=period, printed_period_s=period, compliance=verdict,
                           exception_type=exc, exception_message=msg, stdout=stdout, stderr=stderr,
                           period_check=check or ("verified" if period is not None else "none"), max_drift=drift,
                           model=model, error_line=line)


def test_judge_stages_and_modes() -> None:
    ok = judge("c", 0, P, run(period=1.25), 1.0)
    assert ok.strict and ok.verified and ok.stage is None and ok.period_error == pytest.approx(0.25)
    assert judge("c", 0, None, None, 1.0).mode == "NoProgram"
    syntax = judge("c", 0, P, run("error", None, None, "SyntaxError",
                                 "unterminated string literal (detected at line 412)"), 1.0)
    assert (syntax.stage, syntax.mode) == ("executability", "SyntaxError.unterminated_string")
    assert judge("c", 0, P, run("error", None, None, "SyntaxError", "invalid syntax"), 1.0).mode == "SyntaxError"
    assert judge("c", 0, P, run("timeout"), 1.0).mode == "Timeout"
    assert judge("c", 0, P, run("oom"), 1.0).mode == "Crashed"
    assert judge("c", 0, P, run("terminated"), 1.0).mode == "Terminated"
    program = "import openseespy.opensees as ops\nops.wipe()\nops.element('elasticBeamColumn', 1, 1, 2)\n"
    assert judge("c", 0, program, run("error", exc="OpenSeesError", line=3), 1.0).mode == "OpenSees.element"
    drift = judge("c", 0, P, run(verdict="fail", stdout="Drift 1/320 > 1/550: NOT satisfied"), 1.0)
    assert (drift.stage, drift.mode) == ("compliance", "Compliance.Drift")
    # every program prints "drift"; the failing check line decides
    out = "Drift check: 1/700 <= 1/550 -> PASS\nColumn flexure check: max D/C = 1.2 > 1.00 -> FAIL\nCompliance: FAIL"
    assert judge("c", 0, P, run(verdict="fail", stdout=out), 1.0).mode == "Compliance.Strength"
    out = "Max drift 1/700 OK\n轴压比 0.95 > 0.85，不满足\n结论：不满足"
    assert judge("c", 0, P, run(verdict="fail", stdout=out), 1.0).mode == "Compliance.AxialRatio"
    assert judge("c", 0, P, run(verdict=None), 1.0).mode == "Compliance.Missing"
    assert judge("c", 0, P, run(drift=None), 1.0).mode == "Compliance.Unsupported"
    assert judge("c", 0, P, run(period=None), 1.0).mode == "Period.Unknown"
    assert judge("c", 0, P, run(period=None, stderr="ArpackSolver::Error"), 1.0).mode == "Period.ModalSetup"
    unverified = judge("c", 0, P, run(period=1.0, check="unverified"), 1.0)
    assert unverified.strict and not unverified.verified and unverified.mode == "Period.Unverified"
    assert judge("c", 0, P, run(check="mismatch"), 1.0).mode == "Period.Mismatch"
    failed_eigen = SimpleNamespace(eigen_failed=True, eigen_periods_s=[])
    assert judge("c", 0, P, run(check="mismatch", model=failed_eigen), 1.0).mode == "Period.ModalSetup"
    assert judge("c", 0, P, run(period=0.5), 1.0).mode == "Period.OutOfTolerance"
    spec = {"conforms": False, "fields": {"stories": "wrong", "story_height": "ok"}}
    wrong = judge("c", 0, P, run(), 1.0, conformance=spec)
    assert wrong.strict and (wrong.stage, wrong.mode, wrong.wrong_fields) == ("spec", "Spec.stories", ["stories"])
    # a period or verdict printed before a crash does not count
    crashed = judge("c", 0, P, run("error", exc="OpenSeesError", msg="See stderr output"), 1.0)
    assert not crashed.period_ok and not crashed.compliance_ok


def test_band_ground_truth() -> None:
    inside = judge("c", 0, P, run(period=1.5), 1.0, band=(1.2, 1.8))
    assert inside.period_ok and inside.period_error == 0.0 and inside.verified
    slack = judge("c", 0, P, run(period=1.95), 1.0, band=(1.2, 1.8))
    assert slack.period_ok and slack.period_error == pytest.approx(0.15 / 1.8)
    assert not judge("c", 0, P, run(period=2.1), 1.0, band=(1.2, 1.8)).period_ok
    assert not judge("c", 0, P, run(period=1.0), 1.0, band=(1.2, 1.8)).period_ok


def test_error_mode_groups_numbers_and_names() -> None:
    a = error_mode(run("error", exc="NameError", msg="name 'nodeTag3' is not defined"))
    b = error_mode(run("error", exc="NameError", msg="name 'x' is not defined"))
    assert a == b == "NameError: name '…' is not defined"
    assert error_mode(run("error", exc="IndexError", msg="")) == "IndexError"


def test_summarize_hand_computed() -> None:
    # case A: 5/5 strict. case B: 2 run (one with the period right but no verdict), 3 syntax errors.
    outs = [judge("A", i, P, run(), 1.0) for i in range(5)]
    outs += [judge("B", 0, P, run(verdict=None), 1.0), judge("B", 1, P, run(period=3.0), 1.0)]
    outs += [judge("B", i, P, run("error", None, None, "SyntaxError", "invalid syntax"), 1.0) for i in (2, 3, 4)]
    s = summarize(outs, k=5)
    m = s["metrics"]
    assert m["pass@1"] == pytest.approx(100 * (1.0 + 0.4) / 2)
    assert m["pass@5"] == 100.0
    assert m["pass@5_period"] == 100.0          # B has one period within 30%
    assert m["pass@5_compliance"] == 100.0      # B has one affirmative verdict
    assert m["pass@5_strict"] == 50.0           # but never both in one program
    assert m["average"] == pytest.approx((100 + 100 + 50) / 3, abs=0.01)
    assert m["overall_average"] == pytest.approx((70 + 100 + 100 + 100 + 50 + 83.33) / 6, abs=0.01)
    f = s["failures"]
    assert f["failed"] == 5
    assert {r["stage"]: r["count"] for r in f["stages"]} == {"executability": 3, "compliance": 1, "period": 1,
                                                               "spec": 0, "truncated": 0}
    assert f["top_modes"][0] == {"mode": "SyntaxError", "count": 3, "percent": 60.0}
    assert m["pass@5_verified"] == 50.0 and "pass@5_verified" not in list(m)[:7]


def test_summarize_needs_k_generations() -> None:
    with pytest.raises(CivilError, match="needs 5 generations"):
        summarize([judge("A", 0, P, run(), 1.0)], k=5)
    with pytest.raises(CivilError):
        summarize([], k=1)
