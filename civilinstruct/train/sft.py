"""Stage I: supervised fine-tuning on parts 1-3 with TRL's SFTTrainer (conversational prompt/completion rows).

The loss falls on the reference answer only (paper Eq. 4: maximise the likelihood of the code given the
instruction); the trained policy is written to `out` as a plain model directory, which is what stage II uses
as its frozen KL reference.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from civilinstruct.train.config import SFTSettings, to_dict
from civilinstruct.train.data import TrainRows


def run_sft(settings: SFTSettings, rows: TrainRows, model_ref: str, *, progress: bool = True) -> dict[str, Any]:
    """Train, save, and return a summary (steps, first/last loss, speed, where the model went)."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from civilinstruct.train.callbacks import MetricsFile, RichProgress, quiet_stdout, read_metrics
    from civilinstruct.train.modeling import (load_model, load_tokenizer, lora_config, peak_memory_gb,
                                              resolve_precision, save_final, trainer_args)

    out = Path(settings.out)
    out.mkdir(parents=True, exist_ok=True)
    precision = resolve_precision(settings.precision)
    tokenizer = load_tokenizer(model_ref)
    model = load_model(model_ref, precision)
    config = SFTConfig(
        **trainer_args(settings, precision) | dict(
            max_length=settings.max_length,
            packing=settings.packing,
            shuffle_dataset=True,
            dataset_num_proc=None,
        ) | settings.trl,
    )
    callbacks: list[Any] = [MetricsFile(out / "metrics.jsonl")]
    if progress:
        callbacks.append(RichProgress("SFT"))
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows.rows),
                         processing_class=tokenizer, peft_config=lora_config(settings), callbacks=callbacks)
    quiet_stdout(trainer)
    started = time.perf_counter()
    result = trainer.train()
    wall = time.perf_counter() - started
    written = save_final(trainer, tokenizer, settings)
    losses = [r["loss"] for r in read_metrics(out / "metrics.jsonl") if "loss" in r]
    summary = {
        "stage": "sft", "model": written.get("model"), "adapter": written.get("adapter"),
        "steps": int(result.global_step), "train_loss": float(result.training_loss),
        "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
        "wall_s": round(wall, 2), "steps_per_s": round(result.global_step / wall, 4) if wall else None,
        "peak_gpu_gb": peak_memory_gb(), "precision": precision, "data": rows.summary(),
        "settings": to_dict(settings),
    }
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary
