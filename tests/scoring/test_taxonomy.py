"""The failure taxonomy (`scoring.taxonomy`) on run results built by hand: each stage's labels and their order.
(The same labels on real failing programs through the sandbox: tests/bench/test_bench_taxonomy.py.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from civilinstruct.sandbox import RunResult
from civilinstruct.scoring.taxonomy import (compliance_label, executability_label, failing_checks, failing_command,
                                            label, period_label, spec_label)

PROGRAM = "import openseespy.opensees as ops\nops.wipe()\nops.element('elasticBeamColumn', 1, 1, 2, 9)\n"


def error(exc: str, message: str = "", line: int | None = None) -> RunResult:
    return RunResult(status="error", exception_type=exc, exception_message=message, error_line=line)


@pytest.mark.parametrize(("run", "expected"), [
    (RunResult(status="timeout"), "Timeout"),
    (RunResult(status="oom"), "Crashed"),
    (RunResult(status="terminated"), "Terminated"),
    (error("SyntaxError", "unterminated string literal (detected at line 3)"), "SyntaxError.unterminated_string"),
    (error("IndentationError", "unexpected indent"), "SyntaxError"),
    (error("OpenSeesError", "", 3), "OpenSees.element"),
    (error("OpenSeesError", "", None), "OpenSees"),
    (error("NameError", "name 'x' is not defined"), "NameError"),
])
def test_executability_labels(run: RunResult, expected: str) -> None:
    assert executability_label(PROGRAM, run) == expected


def test_no_program_comes_first() -> None:
    assert executability_label(None, RunResult(status="timeout")) == "NoProgram"
    assert executability_label("", None) == "NoProgram"


def test_failing_command_reads_the_failing_line_without_its_comment() -> None:
    assert failing_command("a = 1\nops.fix(1, 1)  # ops.mass(...)\n", 2) == "fix"
    assert failing_command("ops.fix(1, 1)\n", 9) is None and failing_command("x = 1\n", 1) is None


def test_compliance_labels_come_from_the_failing_check_line() -> None:
    passing = RunResult(status="ok", stdout="max drift = 0.0012\nCompliance: PASS\n")
    assert passing.compliance == "pass" and compliance_label(passing) is None
    failing = RunResult(status="ok", stdout="drift check: 0.0012 <= 1/550 -> PASS\n"
                                            "axial ratio check: 0.9 <= 0.75 -> FAIL\nCompliance: FAIL\n")
    assert compliance_label(failing) == "Compliance.AxialRatio"
    assert compliance_label(RunResult(status="ok", stdout="T1 = 0.5 s\n")) == "Compliance.Missing"
    unsupported = SimpleNamespace(compliance="pass", max_drift=None, stdout="")
    assert compliance_label(unsupported) == "Compliance.Unsupported"
    too_much = SimpleNamespace(compliance="pass", max_drift=0.01, stdout="")
    assert compliance_label(too_much) == "Compliance.Drift"


def test_failing_checks_in_printed_order_and_in_chinese() -> None:
    stdout = "受弯承载力验算: FAIL\n层间位移角: 1/300 > 1/550 -> FAIL\nbeam moment check -> FAIL\n"
    assert failing_checks(stdout) == ["Strength", "Drift"]


@pytest.mark.parametrize(("check", "model", "ok", "expected"), [
    ("verified", None, True, None),
    ("verified", None, False, "Period.OutOfTolerance"),
    ("mismatch", SimpleNamespace(eigen_failed=True, eigen_periods_s=[]), True, "Period.ModalSetup"),
    ("mismatch", SimpleNamespace(eigen_failed=False, eigen_periods_s=[0.4]), True, "Period.Mismatch"),
    ("unverified", None, True, "Period.Unverified"),
    ("none", None, True, "Period.Unknown"),
])
def test_period_labels(check: str, model: object, ok: bool, expected: str | None) -> None:
    assert period_label(SimpleNamespace(period_check=check, model=model, stderr=""), 0.5, ok) == expected


def test_a_failed_eigen_solver_on_stderr_is_a_modal_setup_problem() -> None:
    run = SimpleNamespace(period_check="none", model=None, stderr="ArpackSolver::Error: could not solve")
    assert period_label(run, None, False) == "Period.ModalSetup"


def test_spec_label_names_the_first_wrong_field() -> None:
    assert spec_label(None) is None and spec_label({"conforms": True, "fields": {}}) is None
    assert spec_label({"conforms": False, "fields": {"stories": "ok", "span_x_m": "wrong"}}) == "Spec.span_x_m"
    assert spec_label({"conforms": False, "fields": {"stories": "missing"}}) == "Spec.NotModelled"


def test_label_stops_at_the_first_failing_stage() -> None:
    crashed = RunResult(status="oom")
    assert label(PROGRAM, crashed, False, None, False, None) == ("executability", "Crashed")
    ran = RunResult(status="ok", stdout="T1 = 0.5 s\n")  # no verdict: compliance fails before the period
    assert label(PROGRAM, ran, True, 0.9, False, None) == ("compliance", "Compliance.Missing")
