"""The reward's parts without the sandbox: format, program extraction, AST scoping, r_exec values."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civilinstruct.scoring.reward import completion_text, parse_ground_truth, combine
from civilinstruct.scoring.ast_coverage import analyze
from civilinstruct.scoring.execution import exec_reward
from civilinstruct.scoring.format import extract_program, format_reward

CODE = "x = 1\n"


@pytest.mark.parametrize(("text", "expected"), [
    (f"<think>plan</think>\n<answer>\n```python\n{CODE}```\n</answer>", 1.0),
    (f"<think>plan</think><answer>```python\n{CODE}``` and ```python\n{CODE}```</answer>", 0.75),
    ("<think>plan</think><answer>no code here</answer>", 0.5),
    (f"<answer>```python\n{CODE}```</answer>", 0.75),
    (f"```python\n{CODE}```", 0.25),
    (f"<think>```python\n{CODE}```</think><answer>```python\n{CODE}```</answer>", 0.0),
    (f"<think>still thinking ```python\n{CODE}```", 0.0),
    ("<think>plan</think>", 0.25),
    (f"<answer>```python\n{CODE}```</answer><think>late</think>", 0.5),  # wrong order: loose code
    ("plain words", 0.0),
])
def test_format_reward(text: str, expected: float) -> None:
    assert format_reward(text) == pytest.approx(expected)


def test_extract_prefers_answer_and_never_takes_think() -> None:
    text = "<think>```python\nsecret()\n```</think>```python\ndraft()\n```<answer>```python\nfinal()\n```</answer>"
    assert extract_program(text) == "final()\n"
    assert extract_program("<think>```python\nonly_here()\n```</think>") is None
    assert extract_program("```python\na()\n```\nfix:\n```python\nb()\n```") == "b()\n"
    assert extract_program("```\nplain()\n```") == "plain()\n"
    assert extract_program("import openseespy.opensees as ops\nops.wipe()") is not None
    assert extract_program("just prose about opensees") is None
    # a truncated generation: the block runs to the end of the text
    assert extract_program("<answer>```python\nops.wipe()\nops.mod") == "ops.wipe()\nops.mod"


@pytest.mark.parametrize(("code", "calls", "undefined"), [
    ("import openseespy.opensees as ops\nops.node(1, 0.0)", {"node"}, set()),
    ("from openseespy.opensees import *\nwipe()\nnode(1)\neigen(1)", {"wipe", "node", "eigen"}, set()),
    ("import openseespy.opensees as ops\no = ops\no.fix(1, 1)", {"fix"}, set()),
    ("from openseespy.opensees import element as el\nel('x')", {"element"}, set()),
    ("import openseespy.opensees\nopenseespy.opensees.mass(1)", {"mass"}, set()),
    ("import opensees\nopensees.mass(1)", {"mass"}, set()),
    ("from openseespy import opensees as OS\nOS.wipe()", {"wipe"}, set()),
    ("import openseespy.opensees as ops\nn = ops.node\nn(1)", {"node"}, set()),
    ("import openseespy.opensees as ops\ngetattr(ops, 'analyze')(1)", {"analyze"}, set()),
    # a parameter called ops shadows the module alias inside the function
    ("import openseespy.opensees as ops\ndef f(ops):\n    ops.node(1)", set(), set()),
    # a loop variable rebinds the alias in its scope; an import inside a function is local to it
    ("import openseespy.opensees as ops\nfor ops in range(3):\n    pass\nops.node(1)", set(), set()),
    ("def build():\n    import openseespy.opensees as ops\n    ops.node(1)\nbuild()", {"node"}, set()),
    ("def build():\n    import openseespy.opensees as ops\nops.node(1)", set(), {"ops"}),
    # calls inside functions, loops and comprehensions count
    ("import openseespy.opensees as ops\ndef f():\n    [ops.node(j) for j in range(2)]\nfor k in range(2):\n"
     "    ops.fix(k)", {"node", "fix"}, set()),
    # comprehension variables do not leak in Python 3
    ("xs = [i for i in range(3)]\nprint(i)", set(), {"i"}),
    # class bodies are not visible from methods
    ("class A:\n    k = 1\n    def g(self):\n        return k", set(), {"k"}),
    # globals assigned after the function, `global` declarations, closures, loop/with/except targets, walrus
    ("def f():\n    return m\nm = 1", set(), set()),
    ("def f():\n    global G\n    G = 2\nf()\nprint(G)", set(), set()),
    ("def o():\n    a = 1\n    def i():\n        return a + b\n    return i", set(), {"b"}),
    ("for i in range(3):\n    pass\nprint(i)\ntry:\n    pass\nexcept Exception as e:\n    print(e)\n"
     "(y := 3)\nprint(y)", set(), set()),
    ("f = lambda q: q + r", set(), {"r"}),
    ("from math import *\nprint(sqrt(2), pi)", set(), set()),
    ("from somewhere import *\nprint(anything)", set(), set()),  # unknown star import: cannot judge
    ("from openseespy.opensees import *\nprint(not_a_command)", set(), {"not_a_command"}),
])
def test_ast_scoping(code: str, calls: set[str], undefined: set[str]) -> None:
    report = analyze(code)
    assert report.parsed
    assert report.calls == calls
    assert report.undefined == undefined


def test_ast_score_tiers_and_penalty(frame_program: str) -> None:
    assert analyze(frame_program).score == 1.0
    assert analyze(frame_program + "def later():\n    return nope + nada\n").score == pytest.approx(0.8)
    assert analyze("import openseespy.opensees as ops\nops.eigen(1)").score == pytest.approx(0.2 / 5)
    assert analyze("x = (").score == 0.0 and not analyze("x = (").parsed
    assert analyze(None).score == 0.0


def _run(status: str = "ok", exc: str | None = None, line: int | None = None, total: int = 200,
         period: float | None = None, verdict: str | None = None, check: str | None = None,
         drift: float | None = 0.0015, printed: float | None = None, last: int | None = None) -> SimpleNamespace:
    """A run as the probing sandbox reports it; `check` defaults to verified when a period is given."""
    return SimpleNamespace(status=status, exception_type=exc, error_line=line, total_lines=total,
                           period_s=period, compliance=verdict, max_drift=drift, last_line=last,
                           printed_period_s=period if printed is None else printed,
                           period_check=check or ("verified" if period is not None else "none"))


@pytest.mark.parametrize(("run", "gt", "expected"), [
    (None, 1.0, 0.0),
    (_run("error", "SyntaxError", 12), 1.0, 0.05),
    (_run("error", "ModuleNotFoundError", 1), 1.0, 0.05),
    (_run("timeout"), 1.0, 0.10),
    (_run("crashed"), 1.0, 0.10),
    (_run("error", "RuntimeError", 40), 1.0, 0.18),
    (_run("error", "OpenSeesError", 200), 1.0, 0.50),
    (_run(period=None), 1.0, 0.60),
    (_run(period=None, verdict="pass"), 1.0, 0.65),
    (_run(period=1.05, verdict="pass"), 1.0, 1.0),
    (_run(period=1.05), 1.0, 0.95),
    (_run(period=1.15, verdict="pass"), 1.0, 0.9),
    (_run(period=0.7, verdict="pass"), 1.0, 0.8),
    (_run(period=2.0, verdict="pass"), 1.0, 0.7),
    (_run(period=2.0, verdict="fail"), 1.0, 0.65),
    (_run(period=1.0, verdict="pass"), None, 0.8),
    (_run(period=float("nan"), verdict="pass"), 1.0, 0.65),
])
def test_exec_reward_table(run: SimpleNamespace | None, gt: float | None, expected: float) -> None:
    """The published table: paper mode on any run, verified mode on verified periods with agreeing drifts."""
    assert exec_reward(run, gt, mode="paper") == pytest.approx(expected)
    assert exec_reward(run, gt) == pytest.approx(expected)


@pytest.mark.parametrize(("run", "paper", "verified"), [
    # printed 1.05 s, the program's own eigen says 1.6 s: the paper credits the print, verified does not
    (_run(period=1.6, printed=1.05, check="mismatch", verdict="pass"), 1.0, 0.65),
    # printed without any eigen call (the 14-line fake): no more than a run that printed no period
    (_run(period=None, printed=1.05, check="unverified", verdict="pass"), 1.0, 0.65),
    # hard-coded PASS with no drift printed: the bonus needs the program's own drift within 1/550
    (_run(period=1.05, verdict="pass", drift=None), 1.0, 0.95),
    (_run(period=1.05, verdict="pass", drift=1 / 400), 1.0, 0.95),
    (_run(period=None, printed=1.05, check="unverified", verdict="pass", drift=None), 1.0, 0.60),
    # OpenSees ended the process from C on line 150 of 200: a runtime error at its last line, in both modes
    (_run("terminated", last=150), 0.40, 0.40),
])
def test_verified_mode_changes(run: SimpleNamespace, paper: float, verified: float) -> None:
    assert exec_reward(run, 1.0, mode="paper") == pytest.approx(paper)
    assert exec_reward(run, 1.0) == pytest.approx(verified)
    assert exec_reward(run, 1.0) <= exec_reward(_run(period=None, verdict="pass"), 1.0) or run.period_check == \
        "verified"


def test_non_conforming_model_gets_no_period_credit() -> None:
    run = _run(period=1.05, verdict="pass")
    assert exec_reward(run, 1.0, conforms=False) == pytest.approx(0.65)
    assert exec_reward(run, 1.0, conforms=True) == exec_reward(run, 1.0) == pytest.approx(1.0)
    assert exec_reward(run, 1.0, mode="paper", conforms=False) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown reward mode"):
        exec_reward(run, 1.0, mode="published")


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0, 5), b=st.floats(0, 5), verdict=st.sampled_from([None, "pass", "fail"]))
def test_exec_reward_monotone_in_period_error(a: float, b: float, verdict: str | None) -> None:
    """A period closer to the reference never earns less."""
    near, far = sorted([a, b])
    r_near = exec_reward(_run(period=1.0 + near, verdict=verdict), 1.0)
    r_far = exec_reward(_run(period=1.0 + far, verdict=verdict), 1.0)
    assert r_near >= r_far
    assert r_far >= exec_reward(_run(period=None, verdict=verdict), 1.0)  # any period beats none


_TOKENS = list("ab x=()\n:<>/`") + ["<think>", "</think>", "<answer>", "</answer>", "```python\n", "```",
                                    "import openseespy.opensees as ops\n", "ops.node(1)\n", "undefined_x\n"]
_TEXT = st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, status=st.sampled_from(["ok", "error", "timeout", "crashed"]),
       line=st.integers(0, 500), total=st.integers(0, 300), period=st.none() | st.floats(allow_nan=True),
       gt=st.none() | st.floats(-1, 10))
def test_reward_in_unit_interval(text: str, status: str, line: int, total: int, period: float | None,
                                 gt: float | None) -> None:
    run = SimpleNamespace(status=status, exception_type="ValueError" if status == "error" else None,
                          error_line=line, total_lines=total, period_s=period, compliance="pass")
    parts = combine(text, gt, run)
    for key in ("reward", "r_fmt", "r_ast", "r_exec"):
        assert 0.0 <= parts[key] <= 1.0


def test_completion_text_and_ground_truth() -> None:
    assert completion_text([{"role": "assistant", "content": "hi"}]) == "hi"
    assert completion_text("plain") == "plain"
    assert completion_text(None) == ""
    assert parse_ground_truth("0.85") == 0.85
    assert parse_ground_truth({"ground_truth": "1.2"}) == 1.2
    assert parse_ground_truth("n/a") is None and parse_ground_truth(-1) is None
