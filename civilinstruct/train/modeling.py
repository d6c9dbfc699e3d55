"""Loading a model and its tokenizer, choosing precision, and the LoRA set-up both stages share.

Why one module: SFT writes what GRPO, `serve --backend hf` and `bench run` load, so loading and saving must
agree in one place (a LoRA run saves its adapter *and* the merged model, so every later stage loads a plain
model directory and GRPO's KL reference is the SFT policy itself).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError
from civilinstruct.train.config import TrainSettings


def resolve_precision(precision: str) -> str:
    """`auto` is bf16 on a GPU that supports it, fp32 elsewhere (CPU training in bf16 is slow and lossy)."""
    import torch

    if precision != "auto":
        return precision
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return "bf16"
    return "fp32"


def torch_dtype(precision: str) -> Any:
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]


def load_tokenizer(model_ref: str) -> Any:
    """The model's tokenizer, with a pad token (TRL pads batches) and a chat template (the data is chat)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_ref)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if not getattr(tokenizer, "chat_template", None):
        raise CivilError(f"{model_ref}: the tokenizer has no chat template; use an instruct/chat model "
                         f"or add one (tokenizer.chat_template) and save it with the model")
    return tokenizer


def load_model(model_ref: str, precision: str) -> Any:
    """A causal LM; a LoRA adapter directory is loaded onto its base and merged, so it trains like any model."""
    from transformers import AutoModelForCausalLM

    dtype = torch_dtype(precision)
    if Path(model_ref, "adapter_config.json").is_file() and not Path(model_ref, "config.json").is_file():
        from peft import AutoPeftModelForCausalLM

        return AutoPeftModelForCausalLM.from_pretrained(model_ref, dtype=dtype).merge_and_unload()
    return AutoModelForCausalLM.from_pretrained(model_ref, dtype=dtype)


def lora_config(settings: TrainSettings) -> Any:
    """The peft LoRA config, or None for full fine-tuning."""
    if not settings.lora:
        return None
    from peft import LoraConfig

    target: Any = settings.lora_target
    if target != "all-linear":
        target = [t.strip() for t in target.split(",") if t.strip()]
    return LoraConfig(r=settings.lora_r, lora_alpha=settings.lora_alpha, lora_dropout=settings.lora_dropout,
                      target_modules=target, task_type="CAUSAL_LM", bias="none")


def trainer_args(settings: TrainSettings, precision: str) -> dict[str, Any]:
    """The TrainingArguments fields both TRL configs take (each stage adds its own, then the YAML `trl:` extras)."""
    import torch

    args: dict[str, Any] = dict(
        output_dir=str(Path(settings.out) / "checkpoints"),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps,
        learning_rate=settings.lr,
        per_device_train_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum,
        warmup_steps=settings.warmup_ratio,  # a float below 1 is a ratio of the total steps (transformers 5)
        logging_steps=settings.logging_steps,
        save_steps=settings.save_steps,
        save_total_limit=settings.save_total_limit,
        report_to=settings.report_to,
        seed=settings.seed,
        data_seed=settings.seed,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        gradient_checkpointing=settings.gradient_checkpointing,
        use_cpu=not torch.cuda.is_available(),
        disable_tqdm=True,  # progress is drawn by a rich callback (or not at all), never by tqdm
        dataloader_num_workers=0,
    )
    if settings.gradient_checkpointing:
        args["gradient_checkpointing_kwargs"] = {"use_reentrant": False}
    return args


def save_final(trainer: Any, tokenizer: Any, settings: TrainSettings) -> dict[str, str]:
    """Write the trained policy to `out`: a plain model dir (merged if LoRA) and, with LoRA, `out/adapter`."""
    out = Path(settings.out)
    written: dict[str, str] = {}
    model = trainer.model
    if settings.lora:
        model.save_pretrained(out / "adapter")
        tokenizer.save_pretrained(out / "adapter")
        written["adapter"] = str(out / "adapter")
        if not settings.merge_lora:
            return written
        model = model.merge_and_unload()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    written["model"] = str(out)
    return written


def peak_memory_gb() -> float | None:
    """Peak GPU memory of this process (None on CPU), for the benchmark table."""
    import torch

    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**30, 2)
