"""Trainer speed on CPU with the tiny local model, with ratios against baselines measured in the same run.

  sft     - steps/s and tokens/s of `run_sft` (full fine-tuning) and the loss it reaches.
  grpo    - steps/s of `run_grpo` from the SFT model, the reward curve, and the share of each step spent in the
            reward (the generated programs running in the sandbox pool).
  reward  - the GRPO reward on one real batch of completions sampled from the SFT model: `MGHRReward` (a
            sandbox pool kept warm across steps, duplicate programs run once) vs the baseline that runs each
            program in a fresh `python` subprocess (interpreter + numpy + openseespy start-up paid per program),
            same worker count.

    .venv/bin/python benchmarks/train_speed.py [--sft-steps 80] [--grpo-steps 4] [--generations 8]
                                               [--workers 2] [--json]

Numbers are for the tiny model only (64-wide, 2 layers): they show where a step's time goes, not 8B speed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "train"))  # the test data kit: real store, real OpenSeesPy programs


def _weak() -> bool:
    from civilinstruct.sandbox import isolation

    return not isolation.probe().full


def bench_sft(tmp: Path, data: Path, model: Path, steps: int) -> dict:
    from civilinstruct.train.config import SFTSettings, make_settings
    from civilinstruct.train.data import load_rows
    from civilinstruct.train.sft import run_sft

    settings = make_settings(SFTSettings, dict(data=str(data), model=str(model), out=str(tmp / "sft"),
                                               max_steps=steps, batch_size=4, grad_accum=1, learning_rate=3e-3,
                                               max_length=512, gradient_checkpointing=False, save_steps=10**6))
    summary = run_sft(settings, load_rows(data, "sft", settings.selected_parts), str(model), progress=False)
    records = [json.loads(x) for x in (tmp / "sft" / "metrics.jsonl").read_text().splitlines()]
    tokens = max(r.get("num_tokens", 0) for r in records)
    return {"steps": summary["steps"], "wall_s": summary["wall_s"], "steps_per_s": summary["steps_per_s"],
            "tokens_per_s": round(tokens / summary["wall_s"], 1), "first_loss": round(summary["first_loss"], 3),
            "last_loss": round(summary["last_loss"], 3)}


def bench_grpo(tmp: Path, data: Path, model: Path, steps: int, generations: int, workers: int) -> dict:
    from civilinstruct.train.config import GRPOSettings, make_settings
    from civilinstruct.train.data import load_rows
    from civilinstruct.train.grpo import run_grpo

    settings = make_settings(GRPOSettings, dict(
        data=str(data), model=str(model), out=str(tmp / "grpo"), max_steps=steps, batch_size=generations,
        grad_accum=1, num_generations=generations, max_completion_length=64, learning_rate=1e-4,
        gradient_checkpointing=False, reward_workers=workers, allow_weak_isolation=_weak(), save_steps=10**6))
    summary = run_grpo(settings, load_rows(data, "grpo", ["expert"]), str(model), progress=False)
    curve = [{k: round(v, 4) if isinstance(v, float) else v for k, v in p.items()} for p in summary["reward_curve"]]
    return {"steps": summary["steps"], "wall_s": summary["wall_s"], "steps_per_s": summary["steps_per_s"],
            "reward_s": summary["reward_s"], "reward_share": round(summary["reward_s"] / summary["wall_s"], 3),
            "reward_curve": curve}


def _sample_completions(model: Path, data: Path, n: int) -> tuple[list, list]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from civilinstruct.train.data import load_rows

    rows = load_rows(data, "grpo", ["expert"]).rows
    tok, lm = AutoTokenizer.from_pretrained(model), AutoModelForCausalLM.from_pretrained(model).eval()
    torch.manual_seed(0)
    completions, truths = [], []
    for row in rows:
        ids = tok.apply_chat_template(row["prompt"], add_generation_prompt=True, return_tensors="pt", return_dict=True)
        out = lm.generate(**ids, max_new_tokens=96, do_sample=True, num_return_sequences=n)
        for seq in out:
            text = tok.decode(seq[ids["input_ids"].shape[1]:], skip_special_tokens=True)
            completions.append([{"role": "assistant", "content": text}])
            truths.append(row["ground_truth"])
    return completions, truths


class SubprocessBox:
    """The baseline runner: each program in a fresh `python` (no isolation, start-up paid per program)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def __enter__(self) -> "SubprocessBox":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    @staticmethod
    def _run(program: str) -> object:
        from types import SimpleNamespace

        from civilinstruct.physics.reading import read_compliance, read_period

        with tempfile.TemporaryDirectory() as cwd:
            try:
                p = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                                   cwd=cwd)
            except subprocess.TimeoutExpired:
                return SimpleNamespace(status="timeout", exception_type=None, error_line=None, total_lines=None,
                                       period_s=None, compliance=None)
        lines = re.findall(r'File "<string>", line (\d+)', p.stderr)
        exc = re.findall(r"^(\w+(?:Error|Exception)):", p.stderr, re.M)
        return SimpleNamespace(status="ok" if p.returncode == 0 else "error", exception_type=exc[-1] if exc else None,
                               error_line=int(lines[-1]) if lines else None, total_lines=program.count("\n") + 1,
                               period_s=read_period(p.stdout), compliance=read_compliance(p.stdout))

    def run_many(self, programs: list[str], progress: bool = False, workers: int | None = None) -> list[object]:
        with ThreadPoolExecutor(workers or self.workers) as pool:
            return list(pool.map(self._run, programs))


def bench_reward(model: Path, data: Path, generations: int, workers: int) -> dict:
    from civilinstruct.train.rewards import MGHRReward

    completions, truths = _sample_completions(model, data, generations)
    prompts = [None] * len(completions)
    with MGHRReward(workers=workers, allow_weak_isolation=_weak()) as reward:
        reward(prompts=prompts, completions=completions[:1], ground_truth=truths[:1])  # pool start-up, once per run
        started = time.perf_counter()
        ours = reward(prompts=prompts, completions=completions, ground_truth=truths)
        ours_s = time.perf_counter() - started
    with MGHRReward(sandbox_factory=lambda: SubprocessBox(workers)) as baseline:
        started = time.perf_counter()
        base = baseline(prompts=prompts, completions=completions, ground_truth=truths)
        base_s = time.perf_counter() - started
    programs = reward.history[-1]["mghr/has_program"]
    return {"completions": len(completions), "with_program": round(programs * len(completions)),
            "pool_s": round(ours_s, 3), "subprocess_s": round(base_s, 3),
            "speedup": round(base_s / ours_s, 2) if ours_s else None,
            "mean_reward_pool": round(sum(ours) / len(ours), 4), "mean_reward_subprocess": round(sum(base) / len(base), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sft-steps", type=int, default=80)
    parser.add_argument("--grpo-steps", type=int, default=4)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from transformers.utils import logging as hf_logging
    from trainkit import build_data_dir, corpus

    from civilinstruct.train.tiny import build_tiny_model

    hf_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        data = build_data_dir(tmp / "data")
        model = build_tiny_model(tmp / "tiny", corpus(data))
        result = {"sft": bench_sft(tmp, data, model, args.sft_steps)}
        print(json.dumps({"sft": result["sft"]}), file=sys.stderr)
        result["reward"] = bench_reward(tmp / "sft", data, args.generations * 2, args.workers)
        print(json.dumps({"reward": result["reward"]}), file=sys.stderr)
        result["grpo"] = bench_grpo(tmp, data, tmp / "sft", args.grpo_steps, args.generations, args.workers)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    s, g, r = result["sft"], result["grpo"], result["reward"]
    print(f"sft    {s['steps']} steps  {s['steps_per_s']} steps/s  {s['tokens_per_s']} tok/s  "
          f"loss {s['first_loss']} -> {s['last_loss']}")
    print(f"grpo   {g['steps']} steps  {g['steps_per_s']} steps/s  reward share of wall {g['reward_share']:.0%}")
    for p in g["reward_curve"]:
        print(f"         step {p['step']}: reward {p['reward']}  std {p['reward_std']}  kl {p['kl']}  "
              f"r_fmt {p.get('mghr/r_fmt/mean')}  r_ast {p.get('mghr/r_ast/mean')}  r_exec {p.get('mghr/r_exec/mean')}")
    print(f"reward {r['completions']} completions ({r['with_program']} with a program): pool {r['pool_s']} s vs "
          f"subprocess-per-program {r['subprocess_s']} s  -> {r['speedup']}x  "
          f"(mean reward {r['mean_reward_pool']} vs {r['mean_reward_subprocess']})")


if __name__ == "__main__":
    main()
