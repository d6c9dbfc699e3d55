"""The structured diagnosis (problem, root cause, fix, prevention) and the offline rules that write it.

`offline_answer` is the offline backend's handler for `prompts/bugfix.j2`: it classifies the failure from the
evidence in the prompt variables, applies the repair rule and writes the diagnosis, so the offline path and an
LLM produce the same JSON (`Diagnosis`).
"""

from __future__ import annotations

import difflib
import random
import re
from typing import Any

from pydantic import BaseModel

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.classify import classify
from civilinstruct.pipelines.bug_cot.evidence import Evidence, Repair
from civilinstruct.pipelines.bug_cot.realrules import cut_at
from civilinstruct.pipelines.bug_cot.repair import repair


class Diagnosis(BaseModel):
    """What the assistant answers; `repaired_program` is re-executed before the sample is kept."""

    problem: str
    root_cause: str
    fix: str
    prevention: str
    repaired_program: str = ""


# Per failure type: (problem, root cause, prevention) phrasings; {line}, {code}, {message} are filled in.
TEXTS: dict[str, list[tuple[str, str, str]]] = {
    F.UNTERMINATED_STRING: [
        ("Python refuses to compile the script: `{message}` on line {line}.",
         "A string literal on line {line} (`{code}`) opens a quote that is never closed, so the tokenizer reads "
         "the rest of the line as string content and reaches the end of the line inside the literal. Nothing "
         "runs: the OpenSees model is never built.",
         "Close every quote on the line where it opens, keep long scripts in small generated blocks that are each "
         "compiled (`compile(src, name, 'exec')`) before running, and let an editor or linter flag unbalanced quotes."),
        ("The run stops before any OpenSees command executes with a SyntaxError at line {line}.",
         "Line {line} (`{code}`) has an unterminated string literal: the closing quote is missing, which is the most "
         "common failure of long generated scripts with many repetitive command lines.",
         "When writing long OpenSeesPy scripts, generate repetitive lines from one checked pattern (or a loop) rather "
         "than by hand, and run a syntax check before execution."),
    ],
    F.UNDEFINED_NAME: [
        ("The script stops with `{message}` at line {line}.",
         "Line {line} (`{code}`) uses a variable name that was never assigned: a misspelling of a section or "
         "material property defined earlier in the script. Python resolves names at run time, so the error only "
         "appears when that line is reached, after part of the model is already built.",
         "Define section and material properties once, at the top, with consistent names, and reuse them; a linter "
         "(pyflakes/ruff F821) catches undefined names before the run."),
        ("A NameError interrupts the model definition at line {line}.",
         "The name used on line {line} does not exist; it is a typo of a property defined earlier, so the element "
         "on this line is never created.",
         "Keep property names short and systematic (A_col, I_col, A_beam, ...) and check them with a linter."),
    ],
    F.ARGUMENT_COUNT: [
        ("OpenSees rejects the command on line {line} (`{code}`): {message}.",
         "The call on line {line} passes fewer arguments than the command needs. OpenSees parses arguments by "
         "position, so a missing trailing argument (here the geometric transformation tag, node coordinate or DOF "
         "flag) makes the parser read the wrong thing or run out of input; the misleading message is typical.",
         "Check each command against its documented signature (e.g. elasticBeamColumn eleTag iNode jNode A E Iz "
         "transfTag in 2D), and write repeated commands from one template so every instance has the same arity."),
        ("The model definition fails at line {line}: OpenSees reports `{message}`.",
         "The command on line {line} has the wrong number of arguments compared with the same command elsewhere "
         "in the script; OpenSees cannot build the object.",
         "Compare repeated command lines for consistent argument counts, and prefer helper functions that take "
         "named arguments for elements and supports."),
    ],
    F.UNDEFINED_TAG: [
        ("Creating the element on line {line} fails: `{message}`.",
         "The element on line {line} (`{code}`) refers to a tag (node or geometric transformation) that was never "
         "defined. OpenSees looks objects up by integer tag when the element is added to the domain; a missing "
         "tag aborts the command.",
         "Define nodes, transformations, materials and sections before the elements that use them, keep tags in "
         "named variables (colTransf = 1, beamTransf = 2) instead of literals, and check references before building."),
        ("OpenSees cannot find an object referenced on line {line}.",
         "A tag used on line {line} has no matching definition in the domain, so the element cannot be created.",
         "Give every tag a named constant and assert that referenced tags exist before creating elements."),
    ],
    F.NDF_MISMATCH: [
        ("The model breaks at line {line} with `{message}`.",
         "The `model` command declares a number of degrees of freedom per node (-ndf) that does not match what the "
         "rest of the script assumes: a 2D frame (-ndm 2) needs 3 DOFs per node (ux, uy, rz) for beam-column "
         "elements, and every fix/mass command gives one value per DOF.",
         "Choose ndm/ndf once from the element family (2D frame: 2/3; 3D frame: 3/6) and derive the length of fix "
         "and mass vectors from ndf."),
        ("A DOF-count error stops the script at line {line}.",
         "-ndf in `model` is inconsistent with the frame elements and the supports: the element or fix command on "
         "line {line} expects a different number of DOFs per node.",
         "Keep ndm/ndf and every per-DOF vector consistent; 2D frames use -ndf 3."),
    ],
    F.MISSING_SETUP: [
        ("`analyze` on line {line} fails: {message}.",
         "The static analysis is run before the analysis object is defined. OpenSees builds the analysis from the "
         "components declared before `analysis('Static')` (constraint handler, numberer, system, test, algorithm, "
         "integrator); without `analysis(...)` there is nothing to run. (OpenSees substitutes defaults for a "
         "missing constraints/numberer/system with a warning, but not for the analysis itself.)",
         "Write the full analysis block (constraints, numberer, system, test, algorithm, integrator, analysis) "
         "before every `analyze`, explicitly, even where defaults exist."),
        ("The gravity analysis never starts: line {line} reports `{message}`.",
         "The analysis set-up that must precede `analyze` is missing, so OpenSees has no Analysis object.",
         "Keep one reusable function that declares the whole analysis block, and call it before analyze()."),
    ],
    F.EIGEN_BEFORE_MASS: [
        ("The eigenvalue analysis on line {line} fails (`{message}`), so no period is computed.",
         "`eigen` is called before any nodal mass is assigned. The mass matrix is zero at that point, so the "
         "generalized eigenproblem K phi = lambda M phi has no valid solution, and the eigen solver the program "
         "chose fails (the log says: {message}).",
         "Follow the order nodes -> supports -> elements -> masses -> eigen; compute periods only after all masses "
         "(dead + 0.5 live) are assigned."),
        ("The modal analysis fails at line {line} (`{code}`).",
         "The modal analysis runs while the mass matrix is still empty: masses are assigned later in the script.",
         "Assign every floor mass before calling eigen, and check that the total assigned mass is non-zero."),
    ],
    F.SINGULAR_STIFFNESS: [
        ("The analysis fails at line {line}: {message}.",
         "The structure has no effective supports (no fix command restrains any DOF), so the global stiffness "
         "matrix is singular: the frame can move as a rigid body, so whatever uses it first fails - the eigen "
         "solution (zero or negative eigenvalues, hence a math error computing the period) or a static step.",
         "Fix the base nodes in every DOF (a fixed base for RC frames) right after defining the nodes, and check "
         "that the number of restrained DOFs is non-zero before analysing."),
        ("The run stops at line {line} (`{code}`): {message}.",
         "Without restrained DOFs the stiffness matrix is singular (rigid-body modes): the first computation that "
         "factorises it (here line {line}) fails, whether that is the eigen analysis or a static step.",
         "Always define boundary conditions; a quick check is that ops.eigen on the unrestrained model gives "
         "near-zero eigenvalues."),
    ],
    F.NON_CONVERGING: [
        ("The static analysis does not converge at line {line}: {message}.",
         "The convergence test is impossible to satisfy (tolerance far below machine precision and too few "
         "iterations), so even a linear elastic model fails the test and `analyze` returns a negative code.",
         "Use a tolerance relative to the problem (NormDispIncr 1e-8 with 10-50 iterations) and check the return "
         "code of every analyze call, with a fallback algorithm if needed."),
        ("`analyze` returns a failure code and the script stops at line {line}.",
         "The test command's tolerance and iteration limit cannot be met; the algorithm gives up at the first step.",
         "Set realistic test parameters and test the return value of analyze()."),
    ],
    F.WRONG_UNITS: [
        ("The program runs but reports T1 = {period} s, which is implausible for this {stories}-storey frame "
         "(off by more than a factor of 5 from the 0.05-0.15 s per storey an RC frame has).",
         "The units are inconsistent: Young's modulus is given in a unit a factor of 1000 off the kN-m-t system used "
         "elsewhere. Since T is proportional to 1/sqrt(E), the period is off by about sqrt(1000) = 31.6.",
         "Fix one unit system (kN, m, t, s: E of C30 = 3.0e7 kN/m2) at the top of the script, and compare the first "
         "period with an empirical estimate before trusting results: a factor of 30 is a unit error."),
        ("The first period, {period} s, is off by more than a factor of 5 from what a {stories}-storey RC frame has.",
         "The elastic modulus is in the wrong unit (a factor 1000), which scales the stiffness and the periods.",
         "Comment the units next to every material constant and sanity-check T1 against the empirical formula."),
    ],
    F.DRIFT: [
        ("The program runs, but the drift check fails: the maximum interstory drift is {drift}, above 1/550.",
         "The columns are far too flexible: their moment of inertia is reduced by a stray factor, so the lateral "
         "stiffness is a fraction of the designed value and the elastic drift exceeds the GB 50011 limit.",
         "Use gross-section properties (or the code's cracked-section factors, 0.7 for columns), and check the "
         "drift ratio against 1/550 as part of every design iteration."),
        ("The frame violates the drift limit: max drift {drift} > 1/550.",
         "The column section stiffness has been scaled down, so the lateral stiffness is insufficient.",
         "Keep stiffness modifiers explicit and documented, and review sections whenever the drift check fails."),
    ],
}
TEXTS[F.NO_PERIOD] = [
    ("The program runs and prints its drift check, but no first period: the log has no `T1 = ...` line.",
     "The script never calls `eigen`, so no modal analysis is run and no period exists to print; the masses are "
     "assigned but unused.",
     "End every model with the modal analysis (eigen after the last mass) and print T1 with its unit."),
]
TEXTS["truncated"] = [
    ("Python refuses to compile the script: `{message}` on line {line}, its last line (`{code}`).",
     "The program stops in the middle of a statement: the answer that produced it was cut off (at the generation "
     "token limit), so its last statement is unfinished and nothing runs. The code before the cut is fine.",
     "Keep generated scripts within the token budget (loops instead of one line per node and element), and check "
     "that an answer ends with a closed code block before running it."),
]
GENERIC = ("The program fails at line {line}: {message}.",
           "The command on line {line} cannot be executed in the current model state.",
           "Check each command's preconditions and its documented signature.")


def _first_message(ev: Evidence) -> str:
    if ev.exception_type and ev.exception_message and ev.exception_message != "See stderr output":
        return f"{ev.exception_type}: {ev.exception_message}"
    said = [l.strip() for l in ev.stderr.splitlines() if "See stderr output" not in l]  # the runner's placeholder
    warn = next((l for l in said if "WARNING" in l), None) or next((l for l in said if "rror" in l), None)
    return warn or (ev.exception_type or ev.status)


_LOG_LINE = re.compile(r"warning|error|failed|fail\b|never closed|not defined|invalid|drift|T1\s*=", re.I)


def log_quote(ev: Evidence, limit: int = 3) -> list[str]:
    """The lines of the run's own output that show the failure (never the runner's 'See stderr output')."""
    source = ev.stderr if ev.status != "ok" else ev.stdout
    found = [l.strip() for l in source.splitlines() if _LOG_LINE.search(l) and "See stderr output" not in l]
    found = list(dict.fromkeys(found))[-limit:]
    if not found and ev.exception_type and ev.exception_message and ev.exception_message != "See stderr output":
        found = [f"{ev.exception_type}: {ev.exception_message}"]
    return found


def diff_text(broken: str, repaired: str) -> str:
    diff = difflib.unified_diff(broken.splitlines(), repaired.splitlines(), "failing.py", "repaired.py", lineterm="",
                                n=1)
    return "\n".join(diff)


def write_diagnosis(failure_type: str, ev: Evidence, broken: str, repaired: str, note: str,
                    rng: random.Random) -> Diagnosis:
    """Fill one phrasing of the failure type's texts with the run's evidence and the repair's diff."""
    from civilinstruct.pipelines.bug_cot.classify import stories

    key = "truncated" if cut_at(broken, ev) is not None and failure_type in (F.UNTERMINATED_STRING, F.SYNTAX_OTHER) \
        else failure_type
    problem, cause, prevention = rng.choice(TEXTS.get(key, [GENERIC]))
    lines = broken.splitlines()
    line = ev.error_line or _first_changed_line(broken, repaired)
    n = stories(broken) or 0
    code = lines[line - 1].strip() if line and line <= len(lines) else ""
    slots = {"line": line, "code": code,
             "message": _first_message(ev), "period": f"{ev.period_s:.3g}" if ev.period_s else "?",
             "stories": n, "t_est": f"{0.1 * n:.2g}", "drift": f"{ev.max_drift:.5f}" if ev.max_drift else "?"}
    fix = f"{note[0].upper()}{note[1:]}.\n\n```diff\n{diff_text(broken, repaired)}\n```"
    quoted = log_quote(ev)
    problem_text = problem.format(**slots)
    if quoted:  # the evidence, verbatim: what the run printed
        problem_text += "\n\nThe log says:\n" + "\n".join(f"> {q}" for q in quoted)
    cause_text = cause.format(**slots)
    if code and code not in cause_text:
        cause_text += f" The line at fault is line {line}: `{code}`."
    return Diagnosis(problem=problem_text, root_cause=cause_text, fix=fix,
                     prevention=prevention.format(**slots), repaired_program=repaired)


def _first_changed_line(a: str, b: str) -> int | None:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
        if x != y:
            return i
    return None


def offline_answer(text: str, seed: int, variables: dict[str, Any] | None = None) -> Diagnosis:
    """The offline `bugfix` handler: classify from the prompt's evidence, repair by rules, diagnose.

    With no applicable rule the answer has an empty `repaired_program` (the pipeline then drops or falls back).
    """
    v = variables or {}
    program = str(v.get("program", ""))
    ev = v.get("evidence")
    if not isinstance(ev, Evidence):
        ev = Evidence(status=str(v.get("status", "error")), exit_code=v.get("return_code"),
                      error_line=v.get("error_line"), stderr=str(v.get("error_log", "")),
                      exception_type=v.get("exception_type"), exception_message=v.get("exception_message"),
                      period_s=v.get("period_s"), max_drift=v.get("max_drift"), compliance=v.get("compliance"))
    failure_type = v.get("failure_type") or classify(ev, program, v.get("reference_period_s")) or F.OTHER
    fixed: Repair | None = repair(program, ev, failure_type)
    rng = random.Random(f"{seed}:{failure_type}:{len(program)}")
    if fixed is None:
        return write_diagnosis(failure_type, ev, program, program, "no rule applies", rng).model_copy(
            update={"repaired_program": "", "fix": "No rule-based fix applies."})
    return write_diagnosis(failure_type, ev, program, fixed.program, fixed.note, rng)
