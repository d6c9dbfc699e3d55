"""Judging one generation, failure modes, and the six metrics on a hand-built set of outcomes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from civilinstruct.bench.outcome import error_mode, judge
from civilinstruct.bench.score import summarize
from civilinstruct.errors import CivilError

P = "print(1)\n"


def run(status: str = "ok", period: float | None = 1.0, verdict: str | None = "pass", exc: str | None = None,
        msg: str | None = None, stdout: str = "", stderr: str = "") -> SimpleNamespace:
    return SimpleNamespace(status=status, period_s=period, compliance=verdict, exception_type=exc,
                           exception_message=msg, stdout=stdout, stderr=stderr)


def test_judge_stages_and_modes() -> None:
    ok = judge("c", 0, P, run(period=1.25), 1.0)
    assert ok.strict and ok.stage is None and ok.period_error == pytest.approx(0.25)
    assert judge("c", 0, None, None, 1.0).mode == "NoProgram"
    syntax = judge("c", 0, P, run("error", None, None, "SyntaxError",
                                 "unterminated string literal (detected at line 412)"), 1.0)
    assert (syntax.stage, syntax.mode) == ("executability", "SyntaxError: unterminated string literal")
    assert judge("c", 0, P, run("timeout"), 1.0).mode == "Timeout"
    drift = judge("c", 0, P, run(verdict="fail", stdout="Drift 1/320 > 1/550: NOT satisfied"), 1.0)
    assert (drift.stage, drift.mode) == ("compliance", "Compliance.Drift")
    assert judge("c", 0, P, run(verdict=None), 1.0).mode == "Compliance.Missing"
    assert judge("c", 0, P, run(period=None), 1.0).mode == "Period.Unknown"
    assert judge("c", 0, P, run(period=None, stderr="ArpackSolver::Error"), 1.0).mode == "Period.ModalSetup"
    assert judge("c", 0, P, run(period=0.5), 1.0).mode == "Period.TooShort"
    assert judge("c", 0, P, run(period=1.31), 1.0).mode == "Period.TooLong"
    # a period or verdict printed before a crash does not count
    crashed = judge("c", 0, P, run("error", exc="OpenSeesError", msg="See stderr output"), 1.0)
    assert not crashed.period_ok and not crashed.compliance_ok


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
                                                         "truncated": 0}
    assert f["top_modes"][0] == {"mode": "SyntaxError: invalid syntax", "count": 3, "percent": 60.0}


def test_summarize_needs_k_generations() -> None:
    with pytest.raises(CivilError, match="needs 5 generations"):
        summarize([judge("A", 0, P, run(), 1.0)], k=5)
    with pytest.raises(CivilError):
        summarize([], k=1)
