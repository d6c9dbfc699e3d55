"""Training settings: dataclasses whose fields carry `help`, so CLI flags, YAML files and docs share one source.

Defaults target an 8B code model with LoRA on one 80 GB GPU (bf16, gradient checkpointing); `precision="auto"`
falls back to fp32 on a CPU so the same settings run the tiny test model. Only the standard library is imported
here: the CLI validates settings before torch is loaded.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from civilinstruct.errors import CivilError
from civilinstruct.parts import RL_PARTS, SFT_PARTS

RECIPES = Path(__file__).with_name("recipes")  # YAML settings for an 8B code model with LoRA on one 80 GB GPU
GRPO_PARTS: tuple[str, ...] = RL_PARTS  # stage II reads the RL parts; stage I the SFT_PARTS
Precision = Literal["auto", "bf16", "fp16", "fp32"]


def _f(default: Any, help: str, **kwargs: Any) -> Any:
    """A dataclass field with its help text in `metadata` (read by the CLI and the README table)."""
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help, **kwargs})
    return field(default=default, metadata={"help": help, **kwargs})


@dataclass
class TrainSettings:
    """What both stages share: data, model, output, optimisation, LoRA, precision."""

    data: str = _f("", "civilinstruct data dir (has catalog.duckdb) or an export dir of parquet files")
    model: str = _f("", "model directory (save_pretrained layout), or hf:ORG/NAME to load from the Hub cache")
    out: str = _f("", "output directory: checkpoints, the final model, metrics.jsonl, train_summary.json")
    parts: list[str] = _f([], "parts to train on (default: the stage's parts)")
    version: str | None = _f(None, "part version to read from a data dir (default: the newest)")
    max_samples: int | None = _f(None, "use at most this many rows (after shuffling with --seed)")
    include_heldout: bool = _f(False, "a data dir: also train on its validation/test splits (never on BMEval "
                                      "buildings)")
    cases: str | None = _f(None, "BMEval cases parquet whose buildings are also kept out of training")
    allow_truncation: bool = _f(False, "train even when the length limit cuts more than 5% of rows (warns)")
    seed: int = _f(0, "seed for data order, LoRA init and sampling")
    epochs: float = _f(3.0, "passes over the data (ignored when --max-steps is set)")
    max_steps: int = _f(-1, "stop after this many optimizer steps (-1: use epochs)")
    learning_rate: float | None = _f(None, "peak learning rate (default: stage default for LoRA / full tuning)")
    batch_size: int = _f(2, "per-device train batch size")
    grad_accum: int = _f(16, "gradient accumulation steps")
    warmup_ratio: float = _f(0.03, "fraction of steps spent warming up the learning rate")
    lora: bool = _f(False, "train a LoRA adapter instead of all weights (needed for 8B on one 80 GB GPU)")
    lora_r: int = _f(64, "LoRA rank")
    lora_alpha: int = _f(128, "LoRA alpha (scale = alpha / r)")
    lora_dropout: float = _f(0.05, "LoRA dropout")
    lora_target: str = _f("all-linear", "modules LoRA wraps: 'all-linear' or a comma-separated list of names")
    merge_lora: bool = _f(True, "also write the merged full model to --out (what serve, bench and GRPO load)")
    precision: Precision = _f("auto", "auto (bf16 on a GPU, fp32 on CPU), bf16, fp16 or fp32", choices=["auto", "bf16", "fp16", "fp32"])
    gradient_checkpointing: bool = _f(True, "recompute activations to save memory")
    logging_steps: int = _f(1, "log every N steps")
    save_steps: int = _f(500, "checkpoint every N steps (the final model is always saved)")
    save_total_limit: int = _f(2, "keep at most this many checkpoints")
    report_to: str = _f("none", "where TRL also reports metrics: none, tensorboard, wandb, ...")
    trl: dict[str, Any] = _f({}, "extra TRL config fields (YAML only), e.g. {use_vllm: true, lr_scheduler_type: cosine}")

    stage: str = dataclasses.field(default="", init=False, repr=False, metadata={"internal": True})

    def default_parts(self) -> tuple[str, ...]:
        raise NotImplementedError

    def default_learning_rate(self) -> float:
        raise NotImplementedError

    @property
    def lr(self) -> float:
        return self.learning_rate if self.learning_rate is not None else self.default_learning_rate()

    @property
    def selected_parts(self) -> list[str]:
        return list(self.parts) or list(self.default_parts())


@dataclass
class SFTSettings(TrainSettings):
    """Stage I: supervised fine-tuning on parts 1-3, loss on the assistant turn only (paper Eq. 4)."""
    max_length: int = _f(32768, "max tokens per example (bug_cot chats hold two whole programs: ~80k characters "
                                "at p95 in the demo build; `civilinstruct stats DATA --tokenizer MODEL`)")
    completion_only_loss: bool = _f(True, "loss on the last assistant turn only, not on the instruction")
    packing: bool = _f(False, "pack several examples into one max_length sequence")
    stage: str = dataclasses.field(default="sft", init=False, repr=False, metadata={"internal": True})

    def default_parts(self) -> tuple[str, ...]:
        return SFT_PARTS

    def default_learning_rate(self) -> float:
        return 1e-4 if self.lora else 1e-5


@dataclass
class GRPOSettings(TrainSettings):
    """Stage II: GRPO on the expert part with the MGHR reward and a KL penalty to the SFT policy."""

    epochs: float = _f(1.0, "passes over the prompts (ignored when --max-steps is set)")
    batch_size: int = _f(4, "per-device completions per micro-batch (batch_size x grad_accum: a multiple of G)")
    grad_accum: int = _f(8, "gradient accumulation steps (one generation batch per optimizer step)")
    num_generations: int = _f(8, "completions sampled per prompt (the group G)")
    beta: float = _f(0.04, "KL coefficient to the frozen reference (SFT) policy; 0 drops the reference model")
    max_completion_length: int = _f(12288, "max generated tokens per completion (expert reference answers: "
                                           "~36k characters at p95 in the demo build)")
    temperature: float = _f(1.0, "sampling temperature for the rollouts")
    top_p: float = _f(1.0, "nucleus sampling for the rollouts")
    loss_type: str = _f("grpo", "TRL loss: grpo (paper), dapo, dr_grpo, bnpo, ...")
    scale_rewards: str = _f("group", "reward normalisation: group (paper), batch or none")
    reward_workers: int = _f(8, "sandbox workers running the completions' programs")
    reward_timeout_s: float = _f(60.0, "wall-clock limit per generated program")
    reward_mode: Literal["verified", "paper"] = _f(
        "verified", "reward rules: verified (period checked against the program's own eigen) or paper (the "
        "published rules)", choices=["verified", "paper"])
    allow_weak_isolation: bool = _f(False, "let the reward sandbox run without bubblewrap (says so loudly)")
    use_vllm: bool = _f(False, "generate rollouts with vLLM colocated on the GPU (needs vllm and a GPU)")
    stage: str = dataclasses.field(default="grpo", init=False, repr=False, metadata={"internal": True})

    def default_parts(self) -> tuple[str, ...]:
        return GRPO_PARTS

    def default_learning_rate(self) -> float:
        return 1e-5 if self.lora else 1e-6


def public_fields(cls: type[TrainSettings]) -> list[dataclasses.Field]:
    """The user-settable fields of a settings class, in declaration order."""
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]


def help_for(cls: type[TrainSettings], name: str) -> str:
    """The help text of one field, shown by the CLI flag of the same name."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            return str(f.metadata.get("help", ""))
    raise KeyError(name)


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML settings file: a mapping of field names (dashes or underscores) to values."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise CivilError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise CivilError(f"config file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise CivilError(f"config file {path} must hold a mapping of settings, not {type(data).__name__}")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def make_settings(cls: type[TrainSettings], *layers: dict[str, Any]) -> TrainSettings:
    """Defaults, then each layer in order (YAML file, then flags given on the command line); None means unset."""
    known = {f.name: f for f in public_fields(cls)}
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if value is None:
                continue
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=2, cutoff=0.5)
                hint = f" (did you mean {' or '.join(close)}?)" if close else ""
                raise CivilError(f"unknown {cls.__name__[:-8].lower()} setting '{key}'{hint}")
            merged[key] = _coerce(known[key], value)
    try:
        settings = cls(**merged)
    except TypeError as exc:
        raise CivilError(f"bad settings: {exc}") from None
    _check_types(settings)
    return settings


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    """YAML 1.1 reads `1e-4` as a string: turn numeric strings into the number a float/int field wants."""
    annotation = str(f.type)
    if isinstance(value, str) and ("float" in annotation or annotation.startswith("int")):
        try:
            return int(value) if annotation.startswith("int") else float(value)
        except ValueError:
            raise CivilError(f"setting '{f.name}' must be a number, got {value!r}") from None
    return value


def _check_types(settings: TrainSettings) -> None:
    """Reject values a YAML file can carry but the trainer cannot use, with the field's name."""
    numeric = (int, float)
    for f in public_fields(type(settings)):
        value = getattr(settings, f.name)
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        if value is None or default is None:
            continue
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, numeric):
            ok = isinstance(value, numeric) and not isinstance(value, bool)
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise CivilError(f"setting '{f.name}' must be {type(default).__name__}, got {value!r}")
    if "choices" in _meta(settings, "precision") and settings.precision not in _meta(settings, "precision")["choices"]:
        raise CivilError(f"precision must be one of auto, bf16, fp16, fp32, not {settings.precision!r}")
    if settings.batch_size < 1 or settings.grad_accum < 1:
        raise CivilError("batch_size and grad_accum must be at least 1")
    if isinstance(settings, GRPOSettings):
        if settings.num_generations < 2:
            raise CivilError("num_generations must be at least 2 (GRPO compares completions within a group)")
        if (settings.batch_size * settings.grad_accum) % settings.num_generations:
            raise CivilError(f"batch_size x grad_accum ({settings.batch_size} x {settings.grad_accum}) must be a "
                             f"multiple of num_generations ({settings.num_generations})")
        if settings.beta < 0:
            raise CivilError("beta (the KL coefficient) must be >= 0")


def _meta(settings: TrainSettings, name: str) -> dict[str, Any]:
    return dict(next(f.metadata for f in dataclasses.fields(settings) if f.name == name))


def to_dict(settings: TrainSettings) -> dict[str, Any]:
    """The settings as plain data (written next to the model so a run can be repeated)."""
    data = {f.name: getattr(settings, f.name) for f in public_fields(type(settings))}
    data["stage"] = settings.stage
    data["learning_rate"] = settings.lr
    data["parts"] = settings.selected_parts
    return data
