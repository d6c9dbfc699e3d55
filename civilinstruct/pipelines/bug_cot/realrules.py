"""Repair rules for failures that real generations show and planted mutations rarely do: answers cut at the
token limit, programs that never run an eigen analysis, columns made too flexible by a stray modifier.

Each rule reads only the program and its run; `why_not` says, in one line, why a case gets no repair, so a
harvest reports what it could not fix instead of guessing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.evidence import Evidence, Repair, Rule
from civilinstruct.pipelines.bug_cot.source import (calls_of, compiles, join, lines_of, ops_calls, ops_prefix,
                                         top_statement_end)

CUT_LINES = 6  # a truncated answer's unfinished statement: at most this many lines at the end of the program
_COLUMN_STIFFNESS = re.compile(r"^(COL\w*(CRACK|STIFF|MODIF)\w*|I_?col\w*|I_?c|Ic\w*)$", re.I)
_FACTOR = r"(0?\.\d+|\d+(?:\.\d*)?[eE]-\d+)"
_MODEL_COMMANDS = {"node", "fix", "mass", "element", "equalDOF", "rigidDiaphragm", "geomTransf"}


def first_of(*rules: Rule) -> Rule:
    """A rule that applies the first of `rules` that gives a repair."""
    def apply(program: str, ev: Evidence) -> Repair | None:
        for rule in rules:
            found = rule(program, ev)
            if found is not None:
                return found
        return None
    apply.__doc__ = " / ".join(r.__name__ for r in rules)
    return apply


def cut_at(program: str, ev: Evidence) -> int | None:
    """The line where a truncated answer was cut: a syntax error in the program's last few lines, else None."""
    lines = [line for line in lines_of(program)]
    while lines and not lines[-1].strip():
        lines.pop()
    if not ev.error_line or ev.exception_type not in ("SyntaxError", "IndentationError") or not lines:
        return None
    return ev.error_line if len(lines) - ev.error_line < CUT_LINES else None


def drop_cut_tail(program: str, ev: Evidence) -> Repair | None:
    """Remove the statement a truncated answer left unfinished, when the model and its eigen analysis came
    before the cut (the program then runs and reports T1; what followed the cut is not invented)."""
    line = cut_at(program, ev)
    if line is None:
        return None
    lines = lines_of(program)
    for keep in range(line - 1, max(-1, line - 1 - CUT_LINES), -1):
        candidate = join(lines[:keep]) if keep else ""
        if compiles(candidate):
            break
    else:
        return None
    if not calls_of(candidate, "eigen") or "print" not in candidate:
        return None
    removed = len(lines) - keep
    return Repair(candidate, f"removed the {removed} unfinished line(s) from line {keep + 1}, where the "
                                     f"answer was cut off; the checks after the cut are not restored")


def add_eigen(program: str, ev: Evidence) -> Repair | None:
    """Run the modal analysis the program never ran (after its model is complete) and print T1."""
    if calls_of(program, "eigen") or not calls_of(program, "mass"):
        return None
    model = [c for c in ops_calls(program) if c.command in _MODEL_COMMANDS]
    at = top_statement_end(program, max(c.lineno for c in model))
    prefix = ops_prefix(program)
    lines = lines_of(program)
    lines[at:at] = ["", "# modal analysis: first period", f"eigen_values = {prefix}eigen(1)",
                    "T1 = 2 * 3.141592653589793 / eigen_values[0] ** 0.5", "print(f'T1 = {T1:.4f} s')"]
    return Repair(join(lines), f"added an eigen analysis and a T1 print after line {at}, where the model "
                                       f"is complete")


def _value(expr: str, known: dict[str, float]) -> float | None:
    """A numeric expression of literals and already-known names (+ - * / **), or None."""
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None
    ops: dict[type[ast.operator], Callable[[float, float], float]] = {
        ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__,
        ast.Pow: float.__pow__}

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in known:
            return known[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(node)

    try:
        return walk(tree)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


def restore_column_stiffness(program: str, ev: Evidence) -> Repair | None:
    """Drop a stray small factor on a column's moment of inertia, the reason its drift check fails.

    A factor is stray only when the section is impossible with it and plausible without it: for a rectangle
    12 I / A^2 is the aspect ratio h/b, so a value below 0.25 (and back in 0.25-4 without the factor) is a
    modifier, not a dimension. Undersized columns pass this test and are reported, not "repaired"."""
    lines = lines_of(program)
    known: dict[str, float] = {}
    areas = {c.args[6]: c.args[4] for c in calls_of(program, "element")
             if c.kind == "elasticBeamColumn" and len(c.args) >= 8}
    for number, text in enumerate(lines, start=1):
        match = re.match(r"^(\w+)\s*=\s*(.+?)(\s*#.*)?$", text)
        if not match:
            continue
        name, expr = match.group(1), match.group(2)
        value = _value(expr, known)
        if value is not None:
            known[name] = value
        area = known.get(areas.get(name, ""))
        if value is None or not area or not _COLUMN_STIFFNESS.search(name) or 12 * value / area ** 2 >= 0.25:
            continue
        for pattern in (rf"\s*\*\s*{_FACTOR}$", rf"^{_FACTOR}\s*\*\s*"):
            found = re.search(pattern, expr)
            if not found or float(found.group(1)) >= 0.5:
                continue
            stripped = expr[: found.start()] + expr[found.end():]
            ratio = 12 * (_value(stripped, known) or 0.0) / area ** 2
            if 0.25 <= ratio <= 4:
                lines[number - 1] = text.replace(expr, stripped, 1)
                times = ratio / (12 * value / area ** 2)
                return Repair(join(lines), f"removed the factor {found.group(1)} on {name} (line {number}): "
                                                   f"with it the column section is {times:.0f} times too flexible "
                                                   f"for its area")
    return None


def why_not(program: str, ev: Evidence, failure_type: str) -> str:
    """Why no rule repairs this case, in one line."""
    if failure_type in F.UNREPAIRABLE:
        return F.UNREPAIRABLE[failure_type]
    line = cut_at(program, ev)
    if failure_type in (F.UNTERMINATED_STRING, F.SYNTAX_OTHER) and line is not None:
        return (f"the answer was cut off at line {line}, before its modal analysis and T1 output: the missing "
                "rest of the model cannot be recovered from the program")
    if failure_type == F.NO_PERIOD:
        return "no eigen analysis and no mass: the floor masses are design input the program does not contain"
    if failure_type == F.DRIFT:
        return ("no stray stiffness modifier: the columns are too small for the 1/550 limit, and resizing them is "
                "a design change, not a bug fix")
    return f"no rule repairs a {failure_type} failure from this evidence (line {ev.error_line})"
