"""The GRPO reward: the project's MGHR, run through a sandbox pool this trainer owns, with its parts logged.

Why one reward function rather than three weighted ones (r_fmt, r_ast, r_exec): r_exec needs every program
run, and TRL calls each reward function separately, so three functions would run each program three times
(or share a cache keyed on text). One call runs each distinct program once in the sandbox, the 0.05/0.25/0.70
weights stay in `civilinstruct.scoring.reward` where the bench and verl read them, and TRL's `log_metric` hook still
puts every component's mean and std (and the run outcomes) in the per-step logs next to `reward`/`reward_std`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civilinstruct.sandbox import ProgramRunner

COMPONENTS = ("r_fmt", "r_ast", "r_exec")


def _mean_std(values: list[float]) -> tuple[float, float]:
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.pstdev(values) if len(values) > 1 else 0.0


def component_metrics(parts: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Batch statistics of the MGHR parts: mean/std per component, and how the programs fared.

    >>> component_metrics([{"r_fmt": 1.0, "r_ast": 0.5, "r_exec": 0.1, "status": "error", "has_program": True,
    ...                     "period_error": None}])["mghr/r_fmt/mean"]
    1.0
    """
    out: dict[str, float] = {}
    for name in COMPONENTS:
        mean, std = _mean_std([float(p[name]) for p in parts if p.get(name) is not None])
        out[f"mghr/{name}/mean"], out[f"mghr/{name}/std"] = mean, std
    n = max(len(parts), 1)
    out["mghr/has_program"] = sum(bool(p.get("has_program")) for p in parts) / n
    out["mghr/exec_ok"] = sum(p.get("status") == "ok" for p in parts) / n
    errors = [p["period_error"] for p in parts if p.get("period_error") is not None]
    out["mghr/period_within_30pct"] = sum(e <= 0.30 for e in errors) / n
    out["mghr/compliance_pass"] = sum(p.get("compliance") == "pass" for p in parts) / n
    out["mghr/period_verified"] = sum(p.get("period_check") == "verified" for p in parts) / n
    specs = [p["spec_conformance"] for p in parts if p.get("spec_conformance") is not None]
    if specs:
        out["mghr/spec_conforms"] = sum(bool(s["conforms"]) for s in specs) / len(specs)
    return out


class MGHRReward:
    """A TRL reward function (`reward_funcs=[MGHRReward(...)]`) whose programs run in its own sandbox pool.

    The pool starts on the first batch and is reused every step (pre-forked workers: no interpreter start-up
    per program); `close()` stops it. Untrusted code never runs in the training process.
    """

    __name__ = "mghr"

    def __init__(self, *, workers: int = 8, timeout_s: float = 60.0, allow_weak_isolation: bool = False,
                 sandbox_factory: Callable[[], ProgramRunner] | None = None, mode: str = "verified") -> None:
        from civilinstruct.scoring.execution import check_mode

        self.mode = check_mode(mode)
        self.workers = workers
        self.timeout_s = timeout_s
        self.allow_weak_isolation = allow_weak_isolation
        self._factory = sandbox_factory
        self._sandbox: ProgramRunner | None = None
        self.calls = 0
        self.seconds = 0.0
        self.history: list[dict[str, float]] = []

    def _box(self) -> ProgramRunner:
        if self._sandbox is None:
            if self._factory is not None:
                box = self._factory()
            else:
                from civilinstruct.sandbox import Sandbox

                box = Sandbox(timeout=self.timeout_s, workers=self.workers,
                              allow_weak_isolation=self.allow_weak_isolation)
            self._sandbox = box.__enter__()
        return self._sandbox

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], ground_truth: Sequence[Any] | None = None,
                 log_metric: Callable[[str, float], None] | None = None,
                 log_extra: Callable[[str, list[Any]], None] | None = None, **kwargs: Any) -> list[float]:
        from civilinstruct.scoring.reward import mghr_components

        started = time.perf_counter()
        parts = mghr_components(prompts, completions, ground_truth, sandbox=self._box(), mode=self.mode)
        self.calls += 1
        metrics = component_metrics(parts)
        metrics["mghr/seconds"] = time.perf_counter() - started  # reward wall time of this batch
        self.seconds += metrics["mghr/seconds"]
        self.history.append(metrics)
        if log_metric is not None:
            for name, value in metrics.items():
                if not math.isnan(value):
                    log_metric(name, value)
        if log_extra is not None:
            for name in (*COMPONENTS, "status", "period_s"):
                log_extra(name, [p.get(name) for p in parts])
        return [float(p["reward"]) for p in parts]

    def close(self) -> None:
        box, self._sandbox = self._sandbox, None
        if box is not None:
            box.__exit__(None, None, None)

    def __enter__(self) -> "MGHRReward":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
