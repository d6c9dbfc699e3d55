"""The chat turns of a sample: a question about the failing run, and the structured answer.

Variants of one failure are different questions (the paper expands each error into related questions), not
rewordings: fix this program; explain this log; why does this model give no period; review this diff. Each
kind shows the user what that question needs and answers only what it asks.
"""

from __future__ import annotations

import random

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.diagnose import Diagnosis, diff_text
from civilinstruct.pipelines.bug_cot.evidence import Evidence

FIX, EXPLAIN_LOG, NO_PERIOD, REVIEW_DIFF = "fix", "explain_log", "why_no_period", "review_diff"
# failures whose symptom is a missing or wrong period: the "why no period" question fits them
PERIOD_FAILURES = {F.NO_PERIOD, F.MISSING_MASS, F.EIGEN_BEFORE_MASS, F.WRONG_UNITS, F.PERIOD_MISMATCH}

OPENINGS = {
    FIX: ["My OpenSeesPy program fails. Diagnose the problem (problem, root cause, fix, prevention) and give me "
          "the fix as a diff.",
          "Debug this OpenSeesPy script: explain the failure from the log below, identify the root cause, fix it, "
          "and tell me how to avoid it next time."],
    EXPLAIN_LOG: ["What does this OpenSeesPy log mean? Explain what failed and why; I only need the explanation.",
                  "Explain this error from my OpenSeesPy run: which line is at fault and what OpenSees is "
                  "complaining about."],
    NO_PERIOD: ["Why does my OpenSeesPy model give no (or no sensible) fundamental period? What should I change?",
                "My frame model does not report a usable first period T1. What is wrong with the modal analysis?"],
    REVIEW_DIFF: ["I think this diff fixes my failing OpenSeesPy script. Review it: does it remove the failure, "
                  "and why?",
                  "Code review: is this patch the right fix for the error below? Explain what it changes."],
}

# what the LLM is asked besides the diagnosis, per question kind (prompts/bugfix.j2 `task`)
QUESTION_TASKS = {
    FIX: "The user asks for the fix: make it minimal.",
    EXPLAIN_LOG: "The user asks what the log means: make problem and root cause quote the log lines at fault.",
    NO_PERIOD: "The user asks why the model gives no usable period: explain it from the modal analysis.",
    REVIEW_DIFF: "The user will show your repair as a diff for review: change only the lines at fault.",
}


def question_kind(failure_type: str, variant: int) -> str:
    """The question a variant asks: 0 fix; then explain the log (or, for period failures, why no period);
    then review the diff."""
    second = NO_PERIOD if failure_type in PERIOD_FAILURES else EXPLAIN_LOG
    return [FIX, second, REVIEW_DIFF][variant % 3]


def user_message(program: str, ev: Evidence, exit_code: int | None, environment: str, hint: str | None,
                 rng: random.Random, kind: str = FIX, repaired: str = "") -> str:
    facts = [f"Status: {ev.status}; return code: {exit_code}"
             + (f"; error at line {ev.error_line}" if ev.error_line else ""), f"Environment: {environment}"]
    if hint:
        facts.append(f"Symptom: {hint}")
    log = ev.log() or "(no output)"
    text = f"{rng.choice(OPENINGS[kind])}\n\n" + "\n".join(facts) + f"\n\nLog:\n```\n{log}\n```\n\n"
    text += f"Program:\n```python\n{program.rstrip()}\n```"
    if kind == REVIEW_DIFF:
        text += f"\n\nProposed diff:\n```diff\n{diff_text(program, repaired)}\n```"
    return text


def assistant_message(d: Diagnosis, kind: str = FIX) -> str:
    """The answer to the question kind: the diagnosis with the repair as a diff (in `fix`); the whole program
    only where the diff changes most of it (a repair is a few lines, not the program copied back)."""
    if kind == EXPLAIN_LOG:
        return f"**Problem.** {d.problem}\n\n**Root cause.** {d.root_cause}\n\n**Prevention.** {d.prevention}"
    if kind == REVIEW_DIFF:
        return (f"**Verdict.** Yes: the diff removes the failure (the patched program was re-run and the failure "
                f"is gone).\n\n**What failed.** {d.problem}\n\n**Why the diff is right.** {d.root_cause}\n\n"
                f"**Prevention.** {d.prevention}")
    text = (f"**Problem.** {d.problem}\n\n**Root cause.** {d.root_cause}\n\n**Fix.** {d.fix}\n\n"
            f"**Prevention.** {d.prevention}")
    changed = sum(1 for line in d.fix.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))
    if "```diff" not in d.fix or changed > len(d.repaired_program.splitlines()) // 2:
        text += f"\n\n**Repaired program:**\n```python\n{d.repaired_program.rstrip()}\n```"
    return text
