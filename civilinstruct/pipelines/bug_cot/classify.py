"""Name the failure of a run from its evidence and a static reading of the program.

The label must be what the run shows, not what a mutation intended: the pipeline keeps a mutated program only
when its classified failure equals the mutation's class.
"""

from __future__ import annotations

import re

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.evidence import Evidence
from civilinstruct.pipelines.bug_cot.source import OpsCall, calls_of, node_coordinates, ops_calls

_ARGS = re.compile(r"insufficient number of arguments|is not integer|invalid #args|wrong number of arg|"
                   r"invalid number of arg|want: |not enough arg|missing .* argument", re.I)
_TAG = re.compile(r"none found with tag|no node \S+ exists|does not exist|not found with tag|"
                  r"could not find|no .* with tag", re.I)
_ANALYZE_FAILED = re.compile(r"failed to converge|analyze failed|the algorithm failed|convergencetest object failed|"
                             r"singular|factori[sz]ation failed|zero pivot", re.I)
_EIGEN_FAILED = re.compile(r"Starting vector is zero|numerically undetermined or infinite|failed to do eigen|"
                           r"EigenSOE failed", re.I)
_SINGULAR = re.compile(r"singular|zero pivot|factori[sz]ation failed", re.I)


def stories(program: str) -> int | None:
    """Storeys of a frame defined node by node: distinct vertical coordinates minus one."""
    coords = node_coordinates(program)
    if not coords:
        return None
    vertical = {round(c[-1], 3) for c in coords.values()}
    return len(vertical) - 1 or None


def implausible_period(period_s: float, program: str, reference_s: float | None = None) -> bool:
    """A period off by a unit factor: 5x away from the reference, or outside 0.01-1.0 s per storey."""
    if reference_s:
        ratio = period_s / reference_s
        return ratio > 5 or ratio < 0.2
    n = stories(program)
    return n is not None and not (0.01 * n <= period_s <= 1.0 * n)


def _call_at(program: str, line: int | None) -> OpsCall | None:
    if line is None:
        return None
    return next((c for c in ops_calls(program) if c.lineno <= line <= c.end_lineno), None)


def classify(evidence: Evidence, program: str, reference_period_s: float | None = None) -> str | None:
    """The failure type of a run, or None when it ran, reported a plausible period and passed its checks."""
    if evidence.status == "timeout":
        return F.TIMEOUT
    if evidence.status in {"crashed", "killed", "oom"}:
        return F.CRASH
    if (evidence.status == "error" or evidence.compliance == "fail") and _EIGEN_FAILED.search(evidence.text):
        static = _eigen_order(program)
        if static:
            return static
    if (evidence.status == "error" or evidence.compliance == "fail") and unsupported(program):
        return F.SINGULAR_STIFFNESS
    if evidence.status == "ok":
        if evidence.period_s is not None and implausible_period(evidence.period_s, program, reference_period_s):
            return F.WRONG_UNITS
        if evidence.compliance == "fail":
            return F.DRIFT
        if evidence.period_check == "mismatch":
            return F.PERIOD_MISMATCH
        if evidence.period_check == "none" and not calls_of(program, "eigen"):
            return F.NO_PERIOD
        return None
    kind, text = evidence.exception_type or "", evidence.text
    if kind in {"SyntaxError", "IndentationError", "TabError"}:
        return F.UNTERMINATED_STRING if "unterminated string" in text else F.SYNTAX_OTHER
    if kind in {"NameError", "UnboundLocalError"}:
        return F.UNDEFINED_NAME
    if re.search(r"incompatible with frame elements|invalid # of (constraint|mass) values|number of dof", text, re.I):
        return F.NDF_MISMATCH
    if "No Analysis type has been specified" in text or "no current load pattern" in text:
        return F.MISSING_SETUP
    call = _call_at(program, evidence.error_line)
    if _EIGEN_FAILED.search(text) or (call is not None and call.command == "eigen"):
        static = _eigen_order(program)
        if static:
            return static
    if _TAG.search(text):
        return F.UNDEFINED_TAG
    if call is not None and (_ARGS.search(text) or _arity_differs(program, call)):
        return F.ARGUMENT_COUNT
    if _ANALYZE_FAILED.search(text) or (call is not None and call.command in {"analyze", "eigen"}):
        if unsupported(program) or _SINGULAR.search(text):
            return F.SINGULAR_STIFFNESS
        return F.NON_CONVERGING
    return F.OTHER


def unsupported(program: str) -> bool:
    """No fix command restrains any DOF (only literal flags are read; a program that parses is required)."""
    if not ops_calls(program):
        return False
    fixes = calls_of(program, "fix")
    return not fixes or all(set(c.args[1:]) <= {"0"} for c in fixes)


def _eigen_order(program: str) -> str | None:
    """Eigen before any mass, or no mass at all: the static reason for an eigen failure."""
    masses, eigens = calls_of(program, "mass"), calls_of(program, "eigen")
    if not masses:
        return F.MISSING_MASS
    if eigens and eigens[0].lineno < masses[0].lineno:
        return F.EIGEN_BEFORE_MASS
    return None


def _arity_differs(program: str, call: OpsCall) -> bool:
    peers = [c for c in calls_of(program, call.command) if c.kind == call.kind and c is not call]
    if len(peers) < 2:
        return False
    counts = [len(c.args) for c in peers]
    mode = max(set(counts), key=counts.count)
    return len(call.args) != mode
