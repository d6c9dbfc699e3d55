"""The chat turns of a sample: the user's failing run, phrased a few ways, and the structured answer."""

from __future__ import annotations

import random

from civilinstruct.bugcot.diagnose import Diagnosis
from civilinstruct.bugcot.evidence import Evidence

OPENINGS = [
    "My OpenSeesPy program fails. Diagnose the problem (problem, root cause, fix, prevention) and give me the "
    "corrected program.",
    "I ran the following OpenSeesPy structural model and it did not work. What went wrong, why, and how do I fix "
    "it? Please return the full repaired script.",
    "Debug this OpenSeesPy script: explain the failure from the log below, identify the root cause, fix it, and "
    "tell me how to avoid it next time. Include the complete fixed program.",
    "The run of my RC frame model in OpenSeesPy failed. Here are the run details, the log and the code. Please "
    "find the bug and provide a working version.",
]


def user_message(program: str, ev: Evidence, exit_code: int | None, environment: str, hint: str | None,
                 rng: random.Random) -> str:
    facts = [f"Status: {ev.status}; return code: {exit_code}"
             + (f"; error at line {ev.error_line}" if ev.error_line else ""), f"Environment: {environment}"]
    if hint:
        facts.append(f"Symptom: {hint}")
    log = ev.log() or "(no output)"
    return (f"{rng.choice(OPENINGS)}\n\n" + "\n".join(facts) + f"\n\nLog:\n```\n{log}\n```\n\n"
            f"Program:\n```python\n{program.rstrip()}\n```")


def assistant_message(d: Diagnosis) -> str:
    """The answer: the diagnosis with the repair as a diff (in `fix`); the whole program only where the diff
    changes most of it (a repair is a few lines, not the program copied back)."""
    text = (f"**Problem.** {d.problem}\n\n**Root cause.** {d.root_cause}\n\n**Fix.** {d.fix}\n\n"
            f"**Prevention.** {d.prevention}")
    changed = sum(1 for line in d.fix.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))
    if "```diff" not in d.fix or changed > len(d.repaired_program.splitlines()) // 2:
        text += f"\n\n**Repaired program:**\n```python\n{d.repaired_program.rstrip()}\n```"
    return text
