"""verl's entry points: `compute_score` takes the keyword arguments newer verl passes; the batch entry point
scores a whole batch at once with the same numbers as one by one (programs run in the sandbox pool)."""

from __future__ import annotations

import pytest
from reward_programs import answer

from civilinstruct.scoring import reward
from civilinstruct.scoring.reward import compute_score, compute_score_batch
from civilinstruct.sandbox import Sandbox


@pytest.fixture(scope="module")
def box():
    with Sandbox(timeout=10.0, workers=2, allow_weak_isolation=True) as sb:
        yield sb


def test_batch_matches_single_and_accepts_kwargs(box, frame_program: str, monkeypatch) -> None:
    monkeypatch.setattr(reward, "_sandbox", box)
    run = box.run(frame_program)
    assert run.status == "ok"
    truth = str(run.period_s * 1.3)
    solutions = [answer(frame_program), "no program here"]
    single = [compute_score("civilinstruct", s, truth, {"index": i}, reward_router_address=None)
              for i, s in enumerate(solutions)]
    batch = compute_score_batch(["civilinstruct"] * 2, solutions, [truth, truth], [{}, {}], extra="ignored")
    assert batch == single
    assert batch[0]["score"] == pytest.approx(0.05 + 0.25 + 0.7 * 0.8) and batch[1]["score"] == 0.0
