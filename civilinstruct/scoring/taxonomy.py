"""The failure taxonomy of the paper's section 6.3, read from what a program did, not from which words it printed.

Stages in the paper's order; a failed generation gets the label of its first failing stage:

| stage          | labels                                                                                    |
|----------------|-------------------------------------------------------------------------------------------|
| executability  | NoProgram, SyntaxError.unterminated_string, SyntaxError, NameError, OpenSees.<command>    |
|                | (the OpenSees command on the failing line), Timeout, Crashed (signal, memory, output      |
|                | flood), Terminated (ended from C before its last line), other Python exception types      |
| compliance     | Compliance.Drift / .Strength / .AxialRatio: the program's own failing check line names    |
|                | that check (or its printed drift exceeds 1/550); Compliance.Missing: no verdict;          |
|                | Compliance.Unsupported: a PASS with no printed drift behind it; Compliance.Other          |
| period         | Period.Unknown (none printed), Period.ModalSetup (its eigen call failed), Period.Unverified|
|                | (printed without any eigen call), Period.Mismatch (printed another number than its own   |
|                | eigen T1), Period.OutOfTolerance (verified, but outside the ground truth's tolerance)     |
| spec           | Spec.<field>: the model is not the building asked for (first `wrong` field)               |

Why the check lines: every program prints the word "drift" somewhere, so a failed verdict cannot be put down to
drift because the word appears; the line that carries the failing verdict says which check failed.
"""

from __future__ import annotations

import re
from typing import Any

from civilinstruct.physics.codes import DRIFT_LIMIT_FRAME
from civilinstruct.physics.reading import read_compliance
from civilinstruct.scoring.execution import RunLike

# "truncated": an answer the server cut at its token limit (set by bench/runmeta.py from finish_reason)
STAGES = ("executability", "compliance", "period", "spec", "truncated")
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
_CHECKS = (  # order matters: "axial" and "drift" before the generic strength words
    ("AxialRatio", re.compile(r"axial|轴压比", re.I)),
    ("Drift", re.compile(r"drift|位移角|层间位移", re.I)),
    ("Strength", re.compile(r"flexur|moment|shear|capacity|strength|bending|d\s*/\s*c|demand|reinforcement|"
                            r"rebar|承载力|受弯|受剪|配筋|强度", re.I)),
)
_OVERALL = re.compile(r"compliance|overall|verdict|design\s+check|结论|总体|综合", re.I)
_CALL = re.compile(r"(?:\b\w+\s*\.\s*)?\b([A-Za-z_]\w*)\s*\(")
_MODAL_HINTS = ("eigen", "arpack", "symmbandlapack", "fullgensolver", "genbandarpack")


def executability_label(program: str | None, run: RunLike | None) -> str:
    """The label of a run that did not end cleanly (see the module table)."""
    if not program:
        return "NoProgram"
    status = getattr(run, "status", None)
    if status == "timeout":
        return "Timeout"
    if status in ("crashed", "killed", "oom"):
        return "Crashed"
    if status == "terminated":
        return "Terminated"
    exc = getattr(run, "exception_type", None) or "Error"
    if exc in SYNTAX_ERRORS:
        message = (getattr(run, "exception_message", None) or "").lower()
        return "SyntaxError.unterminated_string" if "unterminated" in message and "string" in message \
            else "SyntaxError"
    if exc == "OpenSeesError":
        command = failing_command(program, getattr(run, "error_line", None))
        return f"OpenSees.{command}" if command else "OpenSees"
    return exc


def failing_command(program: str, line: int | None) -> str | None:
    """The OpenSees command called on the failing line (`ops.element(...)` -> element), if one is."""
    lines = program.splitlines()
    if not line or not 1 <= line <= len(lines):
        return None
    calls = _CALL.findall(lines[line - 1].split("#", 1)[0])
    return calls[-1] if calls else None


def compliance_label(run: RunLike | None) -> str | None:
    """None when the verdict is a PASS backed by the program's own drift within 1/550; else the label."""
    verdict = getattr(run, "compliance", None)
    drift = getattr(run, "max_drift", None)
    drift_fails = drift is not None and drift > DRIFT_LIMIT_FRAME * 1.0005
    if verdict is None:
        return "Compliance.Missing"
    if verdict == "pass":
        if drift is None:
            return "Compliance.Unsupported"
        return "Compliance.Drift" if drift_fails else None
    failing = failing_checks(getattr(run, "stdout", "") or "")
    if failing:
        return f"Compliance.{failing[0]}"
    return "Compliance.Drift" if drift_fails else "Compliance.Other"


def failing_checks(stdout: str) -> list[str]:
    """Checks (Drift, Strength, AxialRatio) named by the lines that carry a failing verdict, in printed order."""
    found: list[str] = []
    for line in stdout.splitlines():
        if read_compliance(line) != "fail":
            continue
        name = next((n for n, pattern in _CHECKS if pattern.search(line)), None)
        if name is None and not _OVERALL.search(line):
            continue
        if name is not None and name not in found:
            found.append(name)
    return found


def period_label(run: RunLike | None, error: float | None, tolerance_ok: bool) -> str | None:
    """None when the period is verified and within tolerance; else the label."""
    check = getattr(run, "period_check", None)
    model = getattr(run, "model", None)
    eigen_failed = bool(getattr(model, "eigen_failed", False)) if model is not None else False
    if check == "verified":
        return None if tolerance_ok else "Period.OutOfTolerance"
    if check == "mismatch":
        own = list(getattr(model, "eigen_periods_s", None) or []) if model is not None else []
        return "Period.ModalSetup" if eigen_failed and not own else "Period.Mismatch"
    if check == "unverified":
        return "Period.Unverified"
    stderr = (getattr(run, "stderr", "") or "").lower()
    if eigen_failed or any(h in stderr for h in _MODAL_HINTS):
        return "Period.ModalSetup"
    return "Period.Unknown"


def spec_label(conformance: dict[str, Any] | None) -> str | None:
    """`Spec.<field>` for the first field modelled wrong (or Spec.NotModelled); None when it conforms or is unknown."""
    if conformance is None or conformance.get("conforms"):
        return None
    wrong = [f for f, s in conformance["fields"].items() if s == "wrong"]
    return f"Spec.{wrong[0]}" if wrong else "Spec.NotModelled"


def label(program: str | None, run: RunLike | None, executes: bool, period_error: float | None,
          period_in_tolerance: bool, conformance: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(stage, label) of the first failing stage, or (None, None) when the generation passes every check."""
    if not executes:
        return "executability", executability_label(program, run)
    if (mode := compliance_label(run)) is not None:
        return "compliance", mode
    if (mode := period_label(run, period_error, period_in_tolerance)) is not None:
        return "period", mode
    if (mode := spec_label(conformance)) is not None:
        return "spec", mode
    return None, None
