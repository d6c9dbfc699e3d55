"""Break a good OpenSeesPy program the ways generated programs break (the source paper's failure study).

Each mutator lists every place it can break a program (`Mutation`s, one per site and variant); the engine
picks a few per class with a seeded RNG. A mutation is an edit of whole lines, so its inverse is known; the
pipeline only falls back on that inverse when the rule-based repair cannot fix the failure from evidence.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.source import (
    OpsCall, calls_of, join, lines_of, node_coordinates, numeric_assignments, ops_calls, rewrite_call,
)


@dataclass(frozen=True)
class Mutation:
    """A broken program: the failure it should cause, a stable key (class, site, variant) and what was done."""

    failure_type: str
    key: str
    program: str
    line: int
    description: str


Mutator = Callable[[str], list[Mutation]]


def _edit(program: str, line: int, new: str | None) -> str:
    lines = lines_of(program)
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return join(lines)


def _single_line(calls: list[OpsCall]) -> list[OpsCall]:
    return [c for c in calls if c.lineno == c.end_lineno]


def unterminated_string(program: str) -> list[Mutation]:
    """Drop the closing quote of the last string literal on a line (the dominant failure of long scripts)."""
    out = []
    lines = lines_of(program)
    for number, text in enumerate(lines, start=1):
        code = text.split("#", 1)[0]
        strings = list(re.finditer(r"""(?<![\w'"])[fF]?(['"])[^'"\\\n]*\1""", code))
        if not strings or code.count("'''") or code.count('"""'):
            continue
        last = strings[-1]
        if not re.search(r"[,)]", code[last.end():]):
            continue
        broken = text[: last.end() - 1] + text[last.end():]
        out.append(Mutation(F.UNTERMINATED_STRING, f"unterminated:{number}", _edit(program, number, broken), number,
                            f"closing quote of {last.group(0)} removed"))
    return out


def argument_count(program: str) -> list[Mutation]:
    """Drop the last argument of a node, element or fix call."""
    out = []
    for call in _single_line(calls_of(program, "element") + calls_of(program, "node") + calls_of(program, "fix")):
        if len(call.args) < 3 or not call.top_level:
            continue
        broken = rewrite_call(program, call, call.args[:-1])
        if broken:
            out.append(Mutation(F.ARGUMENT_COUNT, f"argcount:{call.lineno}", broken,
                                call.lineno, f"last argument ({call.args[-1]}) of {call.command} dropped"))
    return out


def undefined_tag(program: str) -> list[Mutation]:
    """Point an element at a transformation or node that was never defined."""
    out = []
    transf_tags = {c.args[1] for c in calls_of(program, "geomTransf") if len(c.args) > 1}
    node_tags = {int(t) for t in node_coordinates(program)}
    for call in _single_line(calls_of(program, "element")):
        if not call.top_level or len(call.args) < 5:
            continue
        args = list(call.args)
        if args[-1] in transf_tags:
            bad = str(max(int(t) for t in transf_tags if t.isdigit()) + 10) if all(
                t.isdigit() for t in transf_tags) else "99"
            variant, args[-1] = "transf", bad
        elif node_tags and args[3].isdigit() and int(args[3]) in node_tags:
            variant, args[3] = "node", str(max(node_tags) + 1000)
        else:
            continue
        broken = rewrite_call(program, call, args)
        if broken is None:
            continue
        out.append(Mutation(F.UNDEFINED_TAG, f"tag-{variant}:{call.lineno}", broken,
                            call.lineno, f"{variant} tag changed to undefined {args[-1] if variant == 'transf' else args[3]}"))
    return out


def ndf_mismatch(program: str) -> list[Mutation]:
    """Declare the wrong number of DOFs per node in `model`."""
    out = []
    lines = lines_of(program)
    for call in calls_of(program, "model")[:1]:
        text = lines[call.lineno - 1]
        match = re.search(r"""(['"]-ndf['"]\s*,\s*)(\d+)""", text)
        if not match:
            continue
        for wrong in {"3": ("2", "6"), "6": ("3", "4"), "2": ("3",)}.get(match.group(2), ()):
            new = text[: match.start(2)] + wrong + text[match.end(2):]
            out.append(Mutation(F.NDF_MISMATCH, f"ndf-{wrong}:{call.lineno}", _edit(program, call.lineno, new),
                                call.lineno, f"-ndf {match.group(2)} changed to {wrong}"))
    return out


_SETUP = ("constraints", "numberer", "system", "test", "algorithm", "integrator", "analysis")


def missing_setup(program: str) -> list[Mutation]:
    """Forget `analysis(...)`, or the whole analysis set-up block, before the first `analyze`."""
    analyze = calls_of(program, "analyze")
    if not analyze:
        return []
    first = analyze[0].lineno
    setup = [c for c in ops_calls(program) if c.command in _SETUP and c.lineno < first and c.top_level]
    analysis = [c for c in setup if c.command == "analysis"]
    out = []
    if analysis:
        line = analysis[-1].lineno
        out.append(Mutation(F.MISSING_SETUP, f"setup-analysis:{line}", _edit(program, line, None), line,
                            "analysis(...) removed"))
    if len(setup) >= 3:
        lines = lines_of(program)
        drop = {c.lineno for c in setup}
        out.append(Mutation(F.MISSING_SETUP, f"setup-block:{min(drop)}",
                            join([t for i, t in enumerate(lines, start=1) if i not in drop]), min(drop),
                            f"analysis set-up ({', '.join(c.command for c in setup)}) removed"))
    return out


def eigen_before_mass(program: str) -> list[Mutation]:
    """Move the eigen analysis in front of the mass assignment."""
    eigens = [c for c in calls_of(program, "eigen") if c.top_level and c.stmt_lineno == c.stmt_end_lineno]
    masses = [c for c in calls_of(program, "mass") if c.top_level]
    if not eigens or not masses or eigens[0].lineno < masses[0].lineno:
        return []
    lines = lines_of(program)
    stmt = lines.pop(eigens[0].stmt_lineno - 1)
    at = masses[0].stmt_lineno - 1
    lines.insert(at, stmt)
    return [Mutation(F.EIGEN_BEFORE_MASS, f"eigen-early:{eigens[0].lineno}", join(lines), at + 1,
                     "eigen moved before the first mass")]


def singular_stiffness(program: str) -> list[Mutation]:
    """Leave the structure unsupported: remove every fix, or release every fixed DOF."""
    fixes = [c for c in calls_of(program, "fix") if c.top_level and c.lineno == c.end_lineno]
    if not fixes:
        return []
    lines = lines_of(program)
    drop = {c.lineno for c in fixes}
    removed = join([t for i, t in enumerate(lines, start=1) if i not in drop])
    released = list(lines)
    for c in fixes:
        released[c.lineno - 1] = lines[c.lineno - 1].replace(
            ", ".join(c.args), ", ".join([c.args[0]] + ["0"] * (len(c.args) - 1)), 1)
    return [Mutation(F.SINGULAR_STIFFNESS, f"nofix-removed:{fixes[0].lineno}", removed, fixes[0].lineno,
                     "all fix commands removed"),
            Mutation(F.SINGULAR_STIFFNESS, f"nofix-released:{fixes[0].lineno}", join(released), fixes[0].lineno,
                     "all support flags set to 0")]


_MODULUS = re.compile(r"^E[cs]?$|^E_c$|(^|_)E$|^E_|MODULUS|YOUNG", re.I)


def wrong_units(program: str) -> list[Mutation]:
    """Give Young's modulus in the wrong unit (MPa for kPa, Pa for kPa): periods off by sqrt(1000)."""
    out = []
    for name, line, number in numeric_assignments(program):
        if not _MODULUS.search(name):
            continue
        text = lines_of(program)[line - 1]
        for factor, label in ((1e-3, "div1000"), (1e3, "mul1000")):
            value = float(number) * factor
            new = text.replace(number, f"{value:.4g}", 1)
            out.append(Mutation(F.WRONG_UNITS, f"units-{label}:{line}", _edit(program, line, new), line,
                                f"{name} = {number} changed to {value:.4g}"))
    return out


def non_converging(program: str) -> list[Mutation]:
    """Make the convergence test impossible to satisfy (and iterate with Newton, where a Linear step ignores it)."""
    out = []
    lines = lines_of(program)
    algorithms = {c.lineno: c for c in _single_line(calls_of(program, "algorithm")) if c.kind == "Linear"}
    for call in _single_line(calls_of(program, "test")):
        if not call.top_level or len(call.args) < 3:
            continue
        linear = next((c for line, c in sorted(algorithms.items()) if line > call.lineno), None)
        for label, args in (("tol", (call.args[0], "1.0e-30", "1")), ("unbalance", ("'NormUnbalance'", "1.0e-30", "2"))):
            broken = rewrite_call(program, call, args + call.args[3:])
            if broken is None:
                continue
            if linear is not None:
                broken = _edit(broken, linear.lineno, lines[linear.lineno - 1].replace(linear.args[0], "'Newton'", 1))
            out.append(Mutation(F.NON_CONVERGING, f"conv-{label}:{call.lineno}", broken,
                                call.lineno, f"test({', '.join(call.args)}) changed to test({', '.join(args)})"))
    return out


_COLUMN_STIFFNESS = re.compile(r"^(COL\w*(CRACK|STIFF|MODIF)\w*|I_?col\w*|I_?c)$", re.I)


def drift_failure(program: str) -> list[Mutation]:
    """Make the columns too flexible (a stray stiffness modifier), so the drift check fails."""
    coords = node_coordinates(program)
    names: set[str] = set()
    for call in calls_of(program, "element"):
        if len(call.args) >= 8 and call.args[2].isdigit() and call.args[3].isdigit():
            i, j = coords.get(int(call.args[2])), coords.get(int(call.args[3]))
            if i and j and abs(i[-1] - j[-1]) > 0 and abs(i[0] - j[0]) < 1e-9:  # vertical: a column
                names.add(call.args[6])
    out = []
    for number, text in enumerate(lines_of(program), start=1):
        match = re.match(r"^(\w+)(\s*=\s*)([^#]+?)(\s*#.*)?$", text)
        if match and (match.group(1) in names or _COLUMN_STIFFNESS.search(match.group(1))):
            for factor in ("0.05", "0.1"):
                new = f"{match.group(1)}{match.group(2)}{factor} * {match.group(3)}{match.group(4) or ''}"
                out.append(Mutation(F.DRIFT, f"drift-{factor}:{number}", _edit(program, number, new), number,
                                    f"{match.group(1)} scaled by {factor}"))
    return out


def undefined_name(program: str) -> list[Mutation]:
    """Misspell a variable where an OpenSees call uses it."""
    out = []
    lines = lines_of(program)
    for call in _single_line([c for c in ops_calls(program) if c.top_level]):
        names = [a for a in call.args if re.fullmatch(r"[A-Za-z_]\w{2,}", a)]
        if not names:
            continue
        name = names[-1]
        typo = name[:-1] if len(name) > 3 else name + "_"
        new = re.sub(rf"\b{re.escape(name)}\b", typo, lines[call.lineno - 1], count=1)
        out.append(Mutation(F.UNDEFINED_NAME, f"name:{call.lineno}", _edit(program, call.lineno, new), call.lineno,
                            f"{name} misspelled as {typo}"))
    return out


MUTATORS: dict[str, Mutator] = {
    F.UNTERMINATED_STRING: unterminated_string,
    F.ARGUMENT_COUNT: argument_count,
    F.UNDEFINED_TAG: undefined_tag,
    F.NDF_MISMATCH: ndf_mismatch,
    F.MISSING_SETUP: missing_setup,
    F.EIGEN_BEFORE_MASS: eigen_before_mass,
    F.SINGULAR_STIFFNESS: singular_stiffness,
    F.WRONG_UNITS: wrong_units,
    F.NON_CONVERGING: non_converging,
    F.DRIFT: drift_failure,
    F.UNDEFINED_NAME: undefined_name,
}


def mutate(program: str, rng: random.Random, sites_per_class: int = 2,
           classes: list[str] | None = None) -> list[Mutation]:
    """Up to `sites_per_class` distinct mutations of each class, chosen by `rng` (seeded per parent)."""
    chosen: list[Mutation] = []
    for name in classes or list(MUTATORS):
        candidates = MUTATORS[name](program)
        rng.shuffle(candidates)
        chosen += candidates[:sites_per_class]
    return chosen
