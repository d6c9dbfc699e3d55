"""The multi-granularity hybrid reward (MGHR): R = 0.05 r_fmt + 0.25 r_ast + 0.70 r_exec.

Why a module of its own: the trainer (TRL or verl), `civilinstruct reward` and BMEval all score the same
way, and programs never run in the caller's process: every batch goes to the sandbox pool, which is
created once per process (on first use) and closed at exit, so a GRPO step does not pay its start-up.
The parts live in `civilinstruct.rewardparts` (format, ast_coverage, execution), each with its reasons.

Example, a completion with the right shape but a program that fails on its first line:

>>> from types import SimpleNamespace as R
>>> text = "<think>plan</think><answer>```python\\nimport nothing_here\\n```</answer>"
>>> combine(text, 1.0, run=R(status="error", exception_type="ModuleNotFoundError", error_line=1,
...         total_lines=1, period_s=None, compliance=None))["reward"]
0.085
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from civilinstruct.rewardparts.ast_coverage import analyze
from civilinstruct.rewardparts.execution import exec_reward, printed_period, relative_error
from civilinstruct.rewardparts.format import extract_program, format_reward

W_FMT, W_AST, W_EXEC = 0.05, 0.25, 0.70
DEFAULT_TIMEOUT_S = float(os.environ.get("CIVILINSTRUCT_REWARD_TIMEOUT", "60"))
DEFAULT_WORKERS = int(os.environ.get("CIVILINSTRUCT_REWARD_WORKERS", str(os.cpu_count() or 2)))

_sandbox: Any = None
_sandbox_lock = threading.Lock()


def completion_text(completion: Any) -> str:
    """The text of a plain (str) or conversational (list of {role, content}) completion."""
    if completion is None:
        return ""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    if isinstance(completion, Iterable):
        parts = [m for m in completion if isinstance(m, dict)]
        said = [str(m.get("content") or "") for m in parts if m.get("role", "assistant") == "assistant"]
        return "\n".join(said if said else [str(m.get("content") or "") for m in parts])
    return str(completion)


def parse_ground_truth(value: Any) -> float | None:
    """A reference period from a float, a numeric string (the verl layout stores strings) or a dict."""
    if isinstance(value, dict):
        value = value.get("ground_truth", value.get("period_s"))
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out > 0 else None


def static_parts(text: str) -> tuple[str | None, float, Any]:
    """What needs no execution: the program, r_fmt, and the AST report."""
    program = extract_program(text)
    return program, format_reward(text), analyze(program)


def combine(text: str, ground_truth: Any, run: Any, static: tuple[str | None, float, Any] | None = None,
            ) -> dict[str, Any]:
    """The reward and its components for one completion whose program already ran (`run`; None: no program)."""
    program, r_fmt, ast_report = static or static_parts(text)
    gt = parse_ground_truth(ground_truth)
    r_exec = exec_reward(run if program else None, gt)
    reward = round(W_FMT * r_fmt + W_AST * ast_report.score + W_EXEC * r_exec, 6)
    period = printed_period(run) if program and run is not None else None
    return {
        "reward": reward,
        "r_fmt": r_fmt,
        "r_ast": ast_report.score,
        "r_exec": r_exec,
        "has_program": program is not None,
        "status": getattr(run, "status", None) if program else None,
        "exception_type": getattr(run, "exception_type", None) if program else None,
        "error_line": getattr(run, "error_line", None) if program else None,
        "period_s": period,
        "ground_truth": gt,
        "period_error": relative_error(period, gt),
        "compliance": getattr(run, "compliance", None) if program else None,
        "undefined_names": sorted(ast_report.undefined),
    }


def evaluate(texts: Sequence[str], truths: Sequence[Any], sandbox: Any = None, progress: bool = False,
             ) -> list[tuple[dict[str, Any], str | None, Any]]:
    """(components, program, run result) per text. The static parts are computed while the sandbox runs
    the programs, so a batch costs about max(static analysis, execution) rather than their sum.
    """
    from concurrent.futures import ThreadPoolExecutor

    if len(truths) != len(texts):
        raise ValueError(f"{len(texts)} completions but {len(truths)} ground truths")
    programs = [extract_program(t) for t in texts]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="civilinstruct-reward") as ex:
        future = ex.submit(run_programs, programs, sandbox, progress)
        statics = [(p, format_reward(t), analyze(p)) for t, p in zip(texts, programs)]
        runs = future.result()
    return [(combine(t, gt, run, st), st[0], run) for t, gt, st, run in zip(texts, truths, statics, runs)]


def get_sandbox() -> Any:
    """The process-wide sandbox pool, created on first use and closed at interpreter exit."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            from civilinstruct.sandbox import Sandbox

            box = Sandbox(timeout=DEFAULT_TIMEOUT_S, workers=DEFAULT_WORKERS,
                          allow_weak_isolation=os.environ.get("CIVILINSTRUCT_ALLOW_WEAK_ISOLATION") == "1")
            _sandbox = box.__enter__()
            atexit.register(close_sandbox)
        return _sandbox


def close_sandbox() -> None:
    """Close the shared pool (also registered with atexit)."""
    global _sandbox
    with _sandbox_lock:
        box, _sandbox = _sandbox, None
    if box is not None:
        box.__exit__(None, None, None)


def run_programs(programs: Sequence[str | None], sandbox: Any = None, progress: bool = False) -> list[Any]:
    """Run each distinct program once, in parallel in the sandbox; None for a missing program.

    GRPO groups often repeat a completion; running duplicates once is free speed.
    """
    unique = list(dict.fromkeys(p for p in programs if p))
    if not unique:
        return [None] * len(programs)
    box = sandbox if sandbox is not None else get_sandbox()
    results = dict(zip(unique, box.run_many(unique, progress=progress)))
    return [results[p] if p else None for p in programs]


def mghr_components(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                    ground_truth: Sequence[Any] | None = None, *, sandbox: Any = None,
                    progress: bool = False, **kwargs: Any) -> list[dict[str, Any]]:
    """Per completion: `reward` and its parts (`r_fmt`, `r_ast`, `r_exec`) plus what the run showed.

    The trainer logs these; `mghr_reward` is the same call reduced to the reward.
    """
    texts = [completion_text(c) for c in completions]
    truths = list(ground_truth) if ground_truth is not None else [None] * len(texts)
    return [parts for parts, _, _ in evaluate(texts, truths, sandbox=sandbox, progress=progress)]


def mghr_reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                ground_truth: Sequence[Any] | None = None, **kwargs: Any) -> list[float]:
    """TRL reward function: one float in [0, 1] per completion (plain or conversational).

    `ground_truth` is the dataset column of reference periods (floats or numeric strings). Extra dataset
    columns arrive in `kwargs` and are ignored. The programs run in the sandbox pool, never here.

    >>> mghr_reward(prompts=["p"], completions=["no code at all"], ground_truth=["1.2"])
    [0.0]
    """
    kwargs.pop("completion_ids", None)
    return [c["reward"] for c in mghr_components(prompts, completions, ground_truth, **kwargs)]


def compute_score(data_source: str, solution_str: str, ground_truth: Any,
                  extra_info: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """verl's reward entry point: {"score": R, "r_fmt", "r_ast", "r_exec", "period_error"} for one solution.

    verl keeps the extra numeric keys as per-sample metrics; missing values are reported as -1.0. Newer verl
    versions pass more keyword arguments (e.g. `reward_router_address`); they are accepted and ignored.
    """
    return _verl_dict(mghr_components(None, [solution_str], [ground_truth])[0])


def compute_score_batch(data_sources: Sequence[str], solution_strs: Sequence[str], ground_truths: Sequence[Any],
                        extra_infos: Sequence[Any] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """verl's batch reward entry point (`reward_model.reward_manager=batch`): one dict per solution, as
    `compute_score`, with all the batch's programs run at once in the sandbox pool instead of one by one."""
    return [_verl_dict(p) for p in mghr_components(None, list(solution_strs), list(ground_truths))]


def _verl_dict(parts: dict[str, Any]) -> dict[str, Any]:
    error = parts["period_error"]
    return {"score": parts["reward"], "r_fmt": parts["r_fmt"], "r_ast": parts["r_ast"],
            "r_exec": parts["r_exec"], "period_error": -1.0 if error is None else error}
