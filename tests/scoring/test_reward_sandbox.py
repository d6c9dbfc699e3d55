"""The reward end to end: real programs run in the real sandbox, components derived by hand.

Hand derivations (R = 0.05 r_fmt + 0.25 r_ast + 0.70 r_exec; the frame calls all 24 tier commands):
good (period within 10%, verdict)   1, 1, 1.00            -> 1.0
period 15% off (verdict)            1, 1, 0.90            -> 0.05 + 0.25 + 0.63   = 0.93
no period printed (verdict)         1, 1, 0.65            -> 0.05 + 0.25 + 0.455  = 0.755
runtime error line 40 of 200        1, 0, 0.10 + 0.4*0.2  -> 0.05 + 0.126        = 0.176
timeout                             1, 0, 0.10            -> 0.05 + 0.07         = 0.12
syntax error                        1, 0, 0.05            -> 0.05 + 0.035        = 0.085
code in think                       0, 0, 0               -> 0
no tags (bare fenced block)         0.25, 1, 1.0          -> 0.0125 + 0.25 + 0.7 = 0.9625
undefined name (never called)       1, 0.9, 1.0           -> 0.05 + 0.225 + 0.7  = 0.975
negated verdict ("not satisfied")   1, 0, 0.95 (no bonus) -> 0.05 + 0.665        = 0.715
"""

from __future__ import annotations

import pytest
from reward_programs import answer

from civilinstruct.scoring import reward
from civilinstruct.scoring.reward import compute_score, mghr_components, mghr_reward
from civilinstruct.sandbox import Sandbox


@pytest.fixture(scope="module")
def box():
    with Sandbox(timeout=3.0, workers=2, allow_weak_isolation=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def t1(box, frame_program: str) -> float:
    run = box.run(frame_program)
    assert run.status == "ok" and run.compliance == "pass"
    assert run.period_s == pytest.approx(0.4994, abs=2e-3)
    return run.period_s


@pytest.mark.slow
def test_hand_derived_table(box, frame_program: str, t1: float) -> None:
    runtime_error = "\n".join(["x = 1"] * 39 + ["raise RuntimeError('boom')"] + ["x = 2"] * 160) + "\n"
    no_period = frame_program.replace('print(f"Fundamental period T1 = {T1:.4f} s")', "pass")
    undefined = frame_program + "def later():\n    return never_defined\n"
    table = [
        ("good", answer(frame_program), t1, (1.0, 1.0, 1.0, 1.0)),
        ("15% off", answer(frame_program), t1 / 1.15, (1.0, 1.0, 0.9, 0.93)),
        ("no period", answer(no_period), t1, (1.0, 1.0, 0.65, 0.755)),
        ("error line 40/200", answer(runtime_error), t1, (1.0, 0.0, 0.18, 0.176)),
        ("timeout", answer("while True:\n    pass\n"), t1, (1.0, 0.0, 0.10, 0.12)),
        ("syntax error", answer("x = (\n"), t1, (1.0, 0.0, 0.05, 0.085)),
        ("code in think", f"<think>```python\n{frame_program}```</think><answer>see above</answer>", t1,
         (0.0, 0.0, 0.0, 0.0)),
        ("no tags", f"```python\n{frame_program}```", t1, (0.25, 1.0, 1.0, 0.9625)),
        ("undefined name", answer(undefined), t1, (1.0, 0.9, 1.0, 0.975)),
        ("negated verdict", answer(f"print('T1 = {t1} s')\nprint('Drift check: requirement is not satisfied')\n"),
         t1, (1.0, 0.0, 0.95, 0.715)),
    ]
    parts = mghr_components(None, [t for _, t, _, _ in table], [gt for _, _, gt, _ in table], sandbox=box,
                            mode="paper")
    for (name, _, _, (fmt, ast, exe, total)), got in zip(table, parts):
        assert (got["r_fmt"], got["r_ast"], got["r_exec"], got["reward"]) == pytest.approx(
            (fmt, ast, exe, total), abs=1e-6), name
    # verified mode (default) agrees on every row but the last: a printed T1 without any eigen call is
    # unverified, so it scores as no period, and no drift number backs a verdict: 0.60 -> 0.05 + 0.42 = 0.47
    verified = mghr_components(None, [t for _, t, _, _ in table], [gt for _, _, gt, _ in table], sandbox=box)
    for (name, _, _, (fmt, ast, exe, total)), got in zip(table, verified):
        if name == "negated verdict":
            exe, total = 0.60, 0.47
        assert (got["r_fmt"], got["r_ast"], got["r_exec"], got["reward"]) == pytest.approx(
            (fmt, ast, exe, total), abs=1e-6), name
    by_name = {name: got for (name, *_), got in zip(table, parts)}
    assert by_name["error line 40/200"]["error_line"] == 40
    assert by_name["timeout"]["status"] == "timeout"
    assert by_name["syntax error"]["exception_type"] == "SyntaxError"
    assert by_name["undefined name"]["undefined_names"] == ["never_defined"]


def test_trl_and_verl_entry_points_use_shared_pool(box, frame_program: str, t1: float, monkeypatch) -> None:
    monkeypatch.setattr(reward, "_sandbox", box)  # the process-wide pool, here the test's warm one
    convo = [[{"role": "assistant", "content": answer(frame_program)}], [{"role": "assistant", "content": "hi"}]]
    scores = mghr_reward(prompts=[[{"role": "user", "content": "p"}]] * 2, completions=convo,
                         ground_truth=[str(t1), str(t1)], completion_ids=[[1], [2]], extra_column=["a", "b"])
    assert scores == [1.0, 0.0]
    verl = compute_score("civilinstruct", answer(frame_program), str(t1 * 1.3))
    assert verl["score"] == pytest.approx(0.05 + 0.25 + 0.7 * 0.8) and verl["period_error"] == pytest.approx(
        0.3 / 1.3, abs=1e-3)


def test_lazy_pool_is_created_once_and_closed(monkeypatch) -> None:
    monkeypatch.setattr(reward, "_sandbox", None)
    monkeypatch.setenv("CIVILINSTRUCT_ALLOW_WEAK_ISOLATION", "1")
    first = reward.get_sandbox()
    try:
        assert reward.get_sandbox() is first
        # a printed T1 without any eigen call: unverified, so r_exec is that of a clean run without a period
        assert mghr_reward(completions=[answer("print('T1 = 0.5 s')\n")], ground_truth=[0.5]) == [
            pytest.approx(0.05 + 0.7 * 0.60)]
    finally:
        reward.close_sandbox()
    assert reward._sandbox is None
