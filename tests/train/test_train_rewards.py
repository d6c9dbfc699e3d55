"""The GRPO reward adapter on hand-written completions: the real MGHR, programs run in the real sandbox."""

from __future__ import annotations

from collections import defaultdict

import pytest
from trainkit import answer, frame_program, run_period, weak_isolation

from civilinstruct.train.rewards import MGHRReward, component_metrics


def test_component_metrics_summarise_a_batch() -> None:
    parts = [{"r_fmt": 1.0, "r_ast": 1.0, "r_exec": 1.0, "status": "ok", "has_program": True, "period_error": 0.01,
              "compliance": "pass"},
             {"r_fmt": 0.0, "r_ast": 0.0, "r_exec": 0.0, "status": None, "has_program": False, "period_error": None,
              "compliance": None}]
    m = component_metrics(parts)
    assert m["mghr/r_exec/mean"] == 0.5 and m["mghr/r_exec/std"] == 0.5
    assert m["mghr/exec_ok"] == 0.5 and m["mghr/period_within_30pct"] == 0.5 and m["mghr/has_program"] == 0.5


def test_reward_runs_programs_in_the_sandbox_and_logs_parts() -> None:
    code = frame_program(2)
    truth = run_period(code)
    completions = [
        [{"role": "assistant", "content": answer(code, "A 2-story frame.")}],  # right program, right period
        [{"role": "assistant", "content": answer(code.replace("ops.eigen(1)", "ops.eigen(1) + undefined_x"), "x")}],
        [{"role": "assistant", "content": "no program at all"}],
    ]
    logged: dict[str, list[float]] = defaultdict(list)
    extra: dict[str, list] = {}
    with MGHRReward(workers=2, timeout_s=30, allow_weak_isolation=weak_isolation()) as reward:
        rewards = reward(prompts=[[{"role": "user", "content": "p"}]] * 3, completions=completions,
                         ground_truth=[truth] * 3, log_metric=lambda k, v: logged[k].append(v),
                         log_extra=extra.__setitem__, completion_ids=[[1]] * 3, trainer_state=None)
    assert extra["r_exec"][0] == 1.0 and extra["r_fmt"][0] == 1.0  # exact period, passing verdict, clean format
    assert rewards[0] > 0.8  # r_ast is partial: the frame has no load pattern or static analysis
    assert 0 < rewards[1] < rewards[0]  # ran, failed late: base plus progress
    assert rewards[2] == 0.0
    assert extra["status"] == ["ok", "error", None]
    assert logged["mghr/exec_ok"] == [pytest.approx(1 / 3)]
    assert logged["mghr/r_fmt/mean"][0] == pytest.approx(2 / 3)
    combined = (0.05 * logged["mghr/r_fmt/mean"][0] + 0.25 * logged["mghr/r_ast/mean"][0]
                + 0.70 * logged["mghr/r_exec/mean"][0])
    assert sum(rewards) / 3 == pytest.approx(combined, abs=1e-6)
