"""Rule-based repairs: each reads only the failing program and its run, like an engineer at a traceback.

A rule returns the repaired program and a one-line note, or None when it does not apply. Nothing here is
trusted: the pipeline re-executes every repair and keeps it only if it runs and the failure is gone.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.classify import stories
from civilinstruct.pipelines.bug_cot.evidence import Evidence, Repair, Rule
from civilinstruct.pipelines.bug_cot.realrules import (  # the rules real generations need (truncation, no T1, drift)
    add_eigen, drop_cut_tail, first_of, restore_column_stiffness,
)
from civilinstruct.pipelines.bug_cot.source import (
    OpsCall, assigned_names, calls_of, compiles, join, lines_of, model_dims, node_coordinates, numeric_assignments,
    ops_calls, ops_prefix, rewrite_call, top_statement_end,
)


def close_string(program: str, ev: Evidence) -> Repair | None:
    """Insert the missing quote at the first place (before a `,`, `)` or `]`) that makes the program compile."""
    if not ev.error_line:
        return None
    lines = lines_of(program)
    if ev.error_line > len(lines):
        return None
    text = lines[ev.error_line - 1]
    opening = _unterminated_quote(text)
    if opening is None:
        return None
    quote = text[opening]
    for pos in [i for i in range(opening + 1, len(text)) if text[i] in ",)]"] + [len(text)]:  # ] : a subscript key
        candidate = text[:pos] + quote + text[pos:]
        repaired = join(lines[: ev.error_line - 1] + [candidate] + lines[ev.error_line:])
        if compiles(repaired):
            return Repair(repaired, f"closed the string opened at column {opening + 1} of line {ev.error_line}")
    return None


def _unterminated_quote(text: str) -> int | None:
    inside: str | None = None
    start = None
    for i, ch in enumerate(text):
        if inside is None and ch == "#":
            break
        if ch in "'\"" and (i == 0 or text[i - 1] != "\\"):
            if inside is None:
                inside, start = ch, i
            elif ch == inside:
                inside = None
    return start if inside else None


def fix_name(program: str, ev: Evidence) -> Repair | None:
    """Replace an undefined name with the closest name the program defines."""
    match = re.search(r"name '(\w+)' is not defined", ev.exception_message or ev.stderr)
    if not match or not ev.error_line:
        return None
    wrong = match.group(1)
    known = sorted(assigned_names(program) - {wrong})
    best = difflib.get_close_matches(wrong, known, n=1, cutoff=0.6)
    if not best:
        return None
    lines = lines_of(program)
    lines[ev.error_line - 1] = re.sub(rf"\b{re.escape(wrong)}\b", best[0], lines[ev.error_line - 1])
    return Repair(join(lines), f"renamed {wrong} to {best[0]} on line {ev.error_line}")


def _call_at(program: str, line: int | None) -> OpsCall | None:
    if line is None:
        return None
    return next((c for c in ops_calls(program) if c.lineno <= line <= c.end_lineno and c.lineno == c.end_lineno), None)


def _peer_value(program: str, call: OpsCall, position: int, exclude: str | None = None) -> str | None:
    """The value that the most similar calls of the same command have at `position` (when they agree)."""
    peers = [c for c in calls_of(program, call.command)
             if c.kind == call.kind and c.lineno != call.lineno and len(c.args) > position]
    if not peers:
        return None

    def similarity(peer: OpsCall) -> int:
        return sum(a == b for k, (a, b) in enumerate(zip(peer.args, call.args)) if k != position)

    best = max(similarity(p) for p in peers)
    votes = Counter(p.args[position] for p in peers if similarity(p) == best and p.args[position] != exclude)
    if not votes:
        return None
    value, count = votes.most_common(1)[0]
    return value if count / sum(votes.values()) >= 0.6 else None


def pad_arguments(program: str, ev: Evidence) -> Repair | None:
    """Complete a call that has fewer arguments than its siblings, with the value the siblings agree on."""
    call = _call_at(program, ev.error_line)
    if call is None:
        return None
    peers = [c for c in calls_of(program, call.command) if c.kind == call.kind and c.lineno != call.lineno]
    counts = Counter(len(c.args) for c in peers)
    if not counts:
        return None
    arity = counts.most_common(1)[0][0]
    if arity <= len(call.args):
        return None
    args = list(call.args)
    padded = list(call.args) + [""] * (arity - len(args))
    probe = OpsCall(call.command, call.lineno, call.end_lineno, call.stmt_lineno, call.stmt_end_lineno,
                    call.top_level, tuple(padded))
    for position in range(len(args), arity):
        value = _peer_value(program, probe, position)
        if value is None:
            return None
        args.append(value)
    repaired = rewrite_call(program, call, args)
    if repaired is None:
        return None
    return Repair(repaired, f"completed {call.command} on line {call.lineno} with {', '.join(args[len(call.args):])}")


def replace_tag(program: str, ev: Evidence) -> Repair | None:
    """Swap an undefined tag for the one that sibling calls use at the same position."""
    match = re.search(r"(?:none found with tag:?|no Node)\s*(-?\d+)", ev.stderr)
    call = _call_at(program, ev.error_line)
    if not match or call is None or match.group(1) not in call.args:
        return None
    position = call.args.index(match.group(1))
    value = _peer_value(program, call, position, exclude=match.group(1))
    if value is None:
        return None
    args = list(call.args)
    args[position] = value
    repaired = rewrite_call(program, call, args)
    return Repair(repaired, f"tag {match.group(1)} on line {call.lineno} replaced by {value}") if repaired else None


def set_ndf(program: str, ev: Evidence) -> Repair | None:
    """Declare the DOFs per node that the elements and supports need (3 in 2D frames, 6 in 3D)."""
    ndm, ndf = model_dims(program)
    fixes = Counter(len(c.args) - 1 for c in calls_of(program, "fix"))
    wanted = fixes.most_common(1)[0][0] if fixes else {2: 3, 3: 6}.get(ndm or 0)
    if ndm == 2 and wanted not in (2, 3):
        wanted = 3
    if wanted is None or wanted == ndf:
        return None
    model = calls_of(program, "model")[0]
    lines = lines_of(program)
    text = lines[model.lineno - 1]
    new = re.sub(r"""(['"]-ndf['"]\s*,\s*)\d+""", rf"\g<1>{wanted}", text, count=1)
    if new == text:
        return None
    lines[model.lineno - 1] = new
    return Repair(join(lines), f"-ndf {ndf} changed to {wanted} on line {model.lineno}")


_DEFAULT_SETUP = {
    "constraints": "constraints('Plain')", "numberer": "numberer('RCM')", "system": "system('BandGeneral')",
    "test": "test('NormDispIncr', 1.0e-8, 10)", "algorithm": "algorithm('Newton')",
    "integrator": "integrator('LoadControl', {step})", "analysis": "analysis('Static')",
}


def add_setup(program: str, ev: Evidence) -> Repair | None:
    """Declare the analysis components the failing `analyze` needs and that were never set before it."""
    call = _call_at(program, ev.error_line)
    if call is None or call.command != "analyze":
        return None
    before = {c.command for c in ops_calls(program) if c.lineno < call.lineno}
    missing = [name for name in _DEFAULT_SETUP if name not in before]
    if "analysis" not in missing:
        return None
    steps = call.args[0] if call.args and call.args[0].isdigit() else "1"
    step = f"{1.0 / int(steps):.6g}" if int(steps) > 0 else "1.0"
    prefix = ops_prefix(program)
    lines = lines_of(program)
    at = lines[call.stmt_lineno - 1]
    indent = at[:len(at) - len(at.lstrip())]
    block = [indent + prefix + _DEFAULT_SETUP[name].format(step=step) for name in missing]
    lines[call.stmt_lineno - 1: call.stmt_lineno - 1] = block
    return Repair(join(lines), f"declared {', '.join(missing)} before line {call.stmt_lineno}")


_MODEL_COMMANDS = {"node", "fix", "mass", "element", "equalDOF", "rigidDiaphragm", "geomTransf", "section",
                   "uniaxialMaterial", "nDMaterial"}


def move_eigen(program: str, ev: Evidence) -> Repair | None:
    """Run the eigen analysis once the model is complete: after the last mass, element and support."""
    eigens = [c for c in calls_of(program, "eigen") if c.top_level]
    masses = calls_of(program, "mass")
    if not eigens or not masses:
        return None
    eigen = eigens[0]
    model = [c for c in ops_calls(program) if c.command in _MODEL_COMMANDS]
    last = top_statement_end(program, max(c.lineno for c in model))
    if last < eigen.stmt_lineno:
        return None
    lines = lines_of(program)
    stmt = lines[eigen.stmt_lineno - 1: eigen.stmt_end_lineno]
    del lines[eigen.stmt_lineno - 1: eigen.stmt_end_lineno]
    at = last - len(stmt)
    lines[at:at] = stmt
    return Repair(join(lines), f"moved the eigen call from line {eigen.stmt_lineno} to after the model definition "
                               f"(line {last})")


def add_supports(program: str, ev: Evidence) -> Repair | None:
    """Fix every DOF of the base nodes (lowest elevation) when nothing restrains the structure."""
    fixes = calls_of(program, "fix")
    if fixes and not all(set(c.args[1:]) <= {"0"} for c in fixes):
        return None
    coords = node_coordinates(program)
    ndm, ndf = model_dims(program)
    if not coords or not ndf:
        return None
    base = min(c[-1] for c in coords.values())
    bases = sorted(t for t, c in coords.items() if abs(c[-1] - base) < 1e-9)
    lines = lines_of(program)
    if fixes:  # released supports: restrain them again
        for c in fixes:
            lines[c.lineno - 1] = lines[c.lineno - 1].replace(", ".join(c.args), ", ".join([c.args[0]] + ["1"] * ndf), 1)
        return Repair(join(lines), f"restrained all {ndf} DOFs of {len(fixes)} supports")
    nodes = [c for c in calls_of(program, "node") if c.top_level]
    at = max(c.stmt_end_lineno for c in nodes)
    prefix = ops_prefix(program)
    lines[at:at] = [f"{prefix}fix({t}, {', '.join(['1'] * ndf)})" for t in bases]
    return Repair(join(lines), f"added fixed supports at the {len(bases)} base nodes after line {at}")


def loosen_test(program: str, ev: Evidence) -> Repair | None:
    """Replace an unattainable convergence test with a standard displacement-increment test."""
    tests = [c for c in calls_of(program, "test") if c.lineno == c.end_lineno]
    bad = [c for c in tests if len(c.args) >= 3 and _tight(c)]
    if not bad:
        return None
    repaired = program
    for call in bad:
        repaired = rewrite_call(repaired, call, ["'NormDispIncr'", "1.0e-8", "50"] + list(call.args[3:])) or repaired
    return Repair(repaired, f"convergence test on line {bad[0].lineno} set to NormDispIncr 1e-8, 50 iterations")


def _tight(call: OpsCall) -> bool:
    try:
        tol, iters = float(call.args[1]), int(float(call.args[2]))
    except ValueError:
        return False
    return tol < 1e-12 or iters < 3


def rescale_modulus(program: str, ev: Evidence) -> Repair | None:
    """Scale Young's modulus by the power of 1000 that brings the period back to the empirical range."""
    n = stories(program)
    if ev.period_s is None or not n:
        return None
    k = round(math.log10((ev.period_s / (0.1 * n)) ** 2) / 3)
    if k == 0:
        return None
    from civilinstruct.pipelines.bug_cot.mutations import _MODULUS

    for name, line, number in numeric_assignments(program):
        if _MODULUS.search(name):
            lines = lines_of(program)
            value = float(number) * 1000.0 ** k
            lines[line - 1] = lines[line - 1].replace(number, f"{value:.4g}", 1)
            return Repair(join(lines), f"{name} rescaled by 1000^{k} to {value:.4g} on line {line}")
    return None


RULES: dict[str, Rule] = {
    F.UNTERMINATED_STRING: first_of(drop_cut_tail, close_string),
    F.SYNTAX_OTHER: drop_cut_tail,
    F.NO_PERIOD: add_eigen,
    F.DRIFT: restore_column_stiffness,
    F.UNDEFINED_NAME: fix_name,
    F.ARGUMENT_COUNT: pad_arguments,
    F.UNDEFINED_TAG: replace_tag,
    F.NDF_MISMATCH: set_ndf,
    F.MISSING_SETUP: add_setup,
    F.EIGEN_BEFORE_MASS: move_eigen,
    F.SINGULAR_STIFFNESS: add_supports,
    F.NON_CONVERGING: loosen_test,
    F.WRONG_UNITS: rescale_modulus,
}


def repair(program: str, evidence: Evidence, failure_type: str) -> Repair | None:
    """The rule for `failure_type` applied to the program, or None when no rule applies."""
    rule = RULES.get(failure_type)  # (why_not says why a None is a None)
    return rule(program, evidence) if rule else None
