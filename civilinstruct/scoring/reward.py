"""The multi-granularity hybrid reward (MGHR): R = 0.05 r_fmt + 0.25 r_ast + 0.70 r_exec.

Why a module of its own: the trainer (TRL or verl), `civilinstruct reward` and BMEval all score the same
way, and programs never run in the caller's process: every batch goes to the sandbox pool, which is
created once per process (on first use) and closed at exit, so a GRPO step does not pay its start-up.
The parts live in `civilinstruct.scoring` (format, ast_coverage, execution), each with its reasons.
Two rule sets (`mode`): `verified` (default: period credit only for a period the sandbox verified against the
program's own eigen solution, for the building asked for) and `paper` (the published rules, printed words).

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
from typing import TYPE_CHECKING, Any

from civilinstruct.scoring.ast_coverage import analyze
from civilinstruct.scoring.execution import (RunLike, check_mode, credited_period, exec_reward, printed_period,
                                             relative_error)
from civilinstruct.scoring.format import extract_program, format_reward

if TYPE_CHECKING:
    from civilinstruct.sandbox import ProgramRunner, RunResult, Sandbox

W_FMT, W_AST, W_EXEC = 0.05, 0.25, 0.70
DEFAULT_TIMEOUT_S = float(os.environ.get("CIVILINSTRUCT_REWARD_TIMEOUT", "60"))
DEFAULT_WORKERS = int(os.environ.get("CIVILINSTRUCT_REWARD_WORKERS", str(os.cpu_count() or 2)))

_sandbox: Sandbox | None = None
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


def instruction_of(prompt: Any) -> str | None:
    """The user's request in a plain (str) or conversational prompt: the last user turn."""
    if prompt is None:
        return None
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Iterable):
        users = [str(m.get("content") or "") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        return users[-1] if users else None
    return None


def conformance(instruction: str | None, run: RunLike | None) -> dict[str, Any] | None:
    """Spec conformance of the model a run built, for the building the instruction asks for (None: unknown)."""
    if not instruction or run is None:
        return None
    from civilinstruct.spec.instructions import conformance_for_instruction

    return conformance_for_instruction(instruction, getattr(run, "model", None))


def combine(text: str, ground_truth: Any, run: RunLike | None, static: tuple[str | None, float, Any] | None = None,
            mode: str = "verified", instruction: str | None = None) -> dict[str, Any]:
    """The reward and its components for one completion whose program already ran (`run`; None: no program)."""
    check_mode(mode)
    program, r_fmt, ast_report = static or static_parts(text)
    gt = parse_ground_truth(ground_truth)
    spec = conformance(instruction, run) if program else None
    conforms = None if spec is None else bool(spec["conforms"])
    r_exec = exec_reward(run if program else None, gt, mode=mode, conforms=conforms)
    reward = round(W_FMT * r_fmt + W_AST * ast_report.score + W_EXEC * r_exec, 6)
    period = credited_period(run, mode, conforms) if program else None
    return {
        "reward": reward,
        "r_fmt": r_fmt,
        "r_ast": ast_report.score,
        "r_exec": r_exec,
        "has_program": program is not None,
        "status": getattr(run, "status", None) if program else None,
        "exception_type": getattr(run, "exception_type", None) if program else None,
        "error_line": getattr(run, "error_line", None) if program else None,
        "mode": mode,
        "period_s": period,
        "printed_period_s": printed_period(run) if program and run is not None else None,
        "period_check": getattr(run, "period_check", None) if program else None,
        "spec_conformance": spec,
        "ground_truth": gt,
        "period_error": relative_error(period, gt),
        "compliance": getattr(run, "compliance", None) if program else None,
        "undefined_names": sorted(ast_report.undefined),
    }


def evaluate(texts: Sequence[str], truths: Sequence[Any], sandbox: ProgramRunner | None = None, progress: bool = False,
             mode: str = "verified", instructions: Sequence[str | None] | None = None,
             ) -> list[tuple[dict[str, Any], str | None, Any]]:
    """(components, program, run result) per text. The static parts are computed while the sandbox runs
    the programs, so a batch costs about max(static analysis, execution) rather than their sum.
    """
    from concurrent.futures import ThreadPoolExecutor

    if len(truths) != len(texts):
        raise ValueError(f"{len(texts)} completions but {len(truths)} ground truths")
    check_mode(mode)
    asked = list(instructions) if instructions is not None else [None] * len(texts)
    programs = [extract_program(t) for t in texts]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="civilinstruct-reward") as ex:
        future = ex.submit(run_programs, programs, sandbox, progress)
        statics = [(p, format_reward(t), analyze(p)) for t, p in zip(texts, programs)]
        runs = future.result()
    return [(combine(t, gt, run, st, mode=mode, instruction=ask), st[0], run)
            for t, gt, st, run, ask in zip(texts, truths, statics, runs, asked)]


def get_sandbox() -> Sandbox:
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


def run_programs(programs: Sequence[str | None], sandbox: ProgramRunner | None = None,
                 progress: bool = False) -> list[RunResult | None]:
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
                    ground_truth: Sequence[Any] | None = None, *, sandbox: ProgramRunner | None = None,
                    progress: bool = False, mode: str = "verified", **kwargs: Any) -> list[dict[str, Any]]:
    """Per completion: `reward` and its parts (`r_fmt`, `r_ast`, `r_exec`) plus what the run showed.

    The trainer logs these; `mghr_reward` is the same call reduced to the reward. The prompts' last user turn
    is the instruction that spec conformance reads (prompts that name no building are simply not checked).
    """
    texts = [completion_text(c) for c in completions]
    truths = list(ground_truth) if ground_truth is not None else [None] * len(texts)
    asked = [instruction_of(p) for p in prompts] if prompts is not None and len(prompts) == len(texts) else None
    return [parts for parts, _, _ in evaluate(texts, truths, sandbox=sandbox, progress=progress, mode=mode,
                                              instructions=asked)]


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

    verl keeps the extra numeric keys as per-sample metrics; missing values are reported as -1.0. The rule set
    is `extra_info["reward_mode"]`, else `CIVILINSTRUCT_REWARD_MODE`, else verified; `extra_info["instruction"]`
    (or `extra_info["spec"]`, as the expert part's rows carry it) turns on the spec-conformance check. Newer verl
    versions pass more keyword arguments (e.g. `reward_router_address`); they are accepted and ignored.
    """
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info])[0]


def compute_score_batch(data_sources: Sequence[str], solution_strs: Sequence[str], ground_truths: Sequence[Any],
                        extra_infos: Sequence[Any] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """verl's batch reward entry point (`reward_model.reward_manager=batch`): one dict per solution, as
    `compute_score`, with all the batch's programs run at once in the sandbox pool instead of one by one.
    One batch has one rule set: the first row's `extra_info["reward_mode"]`, else the environment's."""
    infos = [info if isinstance(info, dict) else {} for info in (extra_infos or [None] * len(solution_strs))]
    first = infos[0] if infos else {}
    mode = str(first.get("reward_mode") or os.environ.get("CIVILINSTRUCT_REWARD_MODE") or "verified")
    asked = [_verl_instruction(info) for info in infos]
    prompts = asked if any(a is not None for a in asked) else None
    parts = mghr_components(prompts, list(solution_strs), list(ground_truths), mode=mode)
    return [_verl_dict(p) for p in parts]


def _verl_instruction(info: dict[str, Any]) -> str | None:
    """The instruction a verl row carries: `instruction`, else the expert rows' `spec` read back as one."""
    instruction = info.get("instruction")
    if isinstance(instruction, str):
        return instruction
    if isinstance(info.get("spec"), dict):
        from civilinstruct.design import BuildingSpec

        return BuildingSpec(**info["spec"]).to_instruction(0)  # reads back as the same spec
    return None


def _verl_dict(parts: dict[str, Any]) -> dict[str, Any]:
    error = parts["period_error"]
    return {"score": parts["reward"], "r_fmt": parts["r_fmt"], "r_ast": parts["r_ast"],
            "r_exec": parts["r_exec"], "period_error": -1.0 if error is None else error}
