"""Stage II: GRPO on the expert part with the MGHR reward and a KL penalty to the frozen SFT policy.

TRL builds the reference model from the directory the policy was loaded from (or, with LoRA, disables the
adapter), so loading the SFT output as `--model` makes the KL term exactly the paper's KL to the SFT policy.
Rewards come from `MGHRReward`: the generated programs run in a sandbox pool, never in this process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from civilinstruct.train.config import GRPOSettings, to_dict
from civilinstruct.train.data import TrainRows


def run_grpo(settings: GRPOSettings, rows: TrainRows, model_ref: str, *, progress: bool = True,
             reward: Any = None) -> dict[str, Any]:
    """Train, save, and return a summary (steps, reward curve, speed, where the model went).

    `reward` replaces the default `MGHRReward` (same call signature); the caller then owns closing it.
    """
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from civilinstruct.train.callbacks import MetricsFile, RichProgress, quiet_stdout, read_metrics
    from civilinstruct.train.modeling import (load_model, load_tokenizer, lora_config, peak_memory_gb,
                                              resolve_precision, save_final, trainer_args)
    from civilinstruct.train.rewards import MGHRReward

    out = Path(settings.out)
    out.mkdir(parents=True, exist_ok=True)
    precision = resolve_precision(settings.precision)
    tokenizer = load_tokenizer(model_ref)
    tokenizer.padding_side = "left"  # prompts are left-padded so every completion starts at the same column
    model = load_model(model_ref, precision)
    config = GRPOConfig(
        **trainer_args(settings, precision) | dict(
            num_generations=settings.num_generations,
            beta=settings.beta,
            max_completion_length=settings.max_completion_length,
            temperature=settings.temperature,
            top_p=settings.top_p,
            loss_type=settings.loss_type,
            scale_rewards=settings.scale_rewards,
            use_vllm=settings.use_vllm,
            remove_unused_columns=False,  # the reward needs the ground_truth column
            log_completions=False,
        ) | settings.trl,
    )
    own_reward = reward is None
    reward_fn = reward or MGHRReward(workers=settings.reward_workers, timeout_s=settings.reward_timeout_s,
                                     allow_weak_isolation=settings.allow_weak_isolation, mode=settings.reward_mode)
    callbacks: list[Any] = [MetricsFile(out / "metrics.jsonl")]
    if progress:
        callbacks.append(RichProgress("GRPO"))
    try:
        trainer = GRPOTrainer(model=model, reward_funcs=[reward_fn], args=config,
                              train_dataset=Dataset.from_list(rows.rows), processing_class=tokenizer,
                              peft_config=lora_config(settings), callbacks=callbacks)
        quiet_stdout(trainer)
        started = time.perf_counter()
        result = trainer.train()
        wall = time.perf_counter() - started
    finally:
        if own_reward:
            reward_fn.close()
    written = save_final(trainer, tokenizer, settings)
    records = read_metrics(out / "metrics.jsonl")
    curve = [{"step": r["step"], "reward": r["reward"], "reward_std": r.get("reward_std"), "kl": r.get("kl"),
              **{k: v for k, v in r.items() if k.startswith("mghr/") and k.endswith("/mean")}}
             for r in records if "reward" in r]
    summary = {
        "stage": "grpo", "model": written.get("model"), "adapter": written.get("adapter"),
        "steps": int(result.global_step), "train_loss": float(result.training_loss),
        "reward_curve": curve, "wall_s": round(wall, 2),
        "reward_s": round(float(getattr(reward_fn, "seconds", 0.0)), 2),  # time spent scoring (sandbox runs)
        "steps_per_s": round(result.global_step / wall, 4) if wall else None,
        "peak_gpu_gb": peak_memory_gb(), "precision": precision, "data": rows.summary(),
        "settings": to_dict(settings),
    }
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary

