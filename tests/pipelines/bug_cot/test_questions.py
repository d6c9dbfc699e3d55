"""The chat turns of a Bug-CoT sample (`bug_cot.questions`): which question a variant asks, what the user shows,
and an answer that answers only that question."""

from __future__ import annotations

import random

import pytest

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.diagnose import Diagnosis, diff_text
from civilinstruct.pipelines.bug_cot.evidence import Evidence
from civilinstruct.pipelines.bug_cot.questions import (EXPLAIN_LOG, FIX, NO_PERIOD, OPENINGS, REVIEW_DIFF,
                                                       assistant_message, question_kind, user_message)

BROKEN = "import openseespy.opensees as ops\nops.wipe()\nops.nodee(1, 0.0, 0.0)\n" + "x = 1\n" * 10
REPAIRED = BROKEN.replace("ops.nodee(", "ops.node(")
EV = Evidence(status="error", exit_code=1, exception_type="AttributeError", error_line=3,
              exception_message="module 'openseespy.opensees' has no attribute 'nodee'",
              stderr="Traceback ...\nAttributeError: module 'openseespy.opensees' has no attribute 'nodee'")
DIAGNOSIS = Diagnosis(problem="p.", root_cause="r.", fix="```diff\n" + diff_text(BROKEN, REPAIRED) + "\n```",
                      prevention="v.", repaired_program=REPAIRED)


@pytest.mark.parametrize(("failure", "kinds"), [
    (F.UNDEFINED_NAME, [FIX, EXPLAIN_LOG, REVIEW_DIFF, FIX]),
    (F.MISSING_MASS, [FIX, NO_PERIOD, REVIEW_DIFF, FIX]),  # a period failure asks why there is no period
])
def test_question_kinds_rotate_by_variant(failure: str, kinds: list[str]) -> None:
    assert [question_kind(failure, v) for v in range(4)] == kinds


def test_the_user_shows_status_log_and_program() -> None:
    text = user_message(BROKEN, EV, 1, "openseespy 3.5", "no period printed", random.Random(0))
    assert text.split("\n\n")[0] in OPENINGS[FIX]
    assert "Status: error; return code: 1; error at line 3" in text and "Symptom: no period printed" in text
    assert "has no attribute 'nodee'" in text and text.endswith(f"```python\n{BROKEN.rstrip()}\n```")
    assert "Proposed diff" not in text


def test_a_review_question_shows_the_diff() -> None:
    text = user_message(BROKEN, EV, 1, "env", None, random.Random(0), kind=REVIEW_DIFF, repaired=REPAIRED)
    assert "Proposed diff:\n```diff\n--- failing.py" in text and "+ops.node(1, 0.0, 0.0)" in text
    assert "Symptom" not in text


def test_answers_answer_only_their_question() -> None:
    fix = assistant_message(DIAGNOSIS, FIX)
    assert "**Fix.**" in fix and "**Repaired program:**" not in fix  # a one-line diff, not the program again
    explain = assistant_message(DIAGNOSIS, EXPLAIN_LOG)
    assert "**Fix.**" not in explain and explain.startswith("**Problem.** p.")
    assert assistant_message(DIAGNOSIS, REVIEW_DIFF).startswith("**Verdict.** Yes")


def test_a_fix_that_rewrites_most_lines_carries_the_whole_program() -> None:
    rewritten = Diagnosis(problem="p", root_cause="r", fix="Rewrite the model.", prevention="v",
                          repaired_program=REPAIRED)
    assert assistant_message(rewritten, FIX).endswith(f"```python\n{REPAIRED.rstrip()}\n```")
