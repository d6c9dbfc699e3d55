"""`civilinstruct train sft|grpo|tiny-model`: the two training stages of the source paper, on TRL.

Every check a user can fail (paths, empty parts, GPU-only options, bad settings) runs before torch is imported;
flags override a `--config` YAML file, which overrides the defaults in `civilinstruct.train.config`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from civilinstruct.cli.common import console, new_app, print_json
from civilinstruct.train.config import GRPOSettings, SFTSettings, help_for

_S, _G = SFTSettings, GRPOSettings


def _prepare(cls: type, config: Path | None, flags: dict[str, Any], bf16: bool) -> tuple[Any, str, Any]:
    """Settings, the model to load and the rows: everything that can fail cheaply, before torch."""
    from civilinstruct.errors import require_extra
    from civilinstruct.train.config import load_yaml, make_settings
    from civilinstruct.train.data import load_rows
    from civilinstruct.train.preflight import preflight

    if bf16:
        flags["precision"] = "bf16"
    settings = make_settings(cls, load_yaml(config) if config else {}, flags)
    model_ref = preflight(settings)
    for module in ("torch", "transformers", "trl", "peft", "datasets"):
        require_extra(module, "train")
    rows = load_rows(settings.data, settings.stage, settings.selected_parts, version=settings.version,
                     completion_only=getattr(settings, "completion_only_loss", True),
                     max_samples=settings.max_samples, seed=settings.seed,
                     include_heldout=settings.include_heldout, cases=settings.cases)
    from civilinstruct.train.lengths import check_lengths

    rows.lengths = check_lengths(settings, rows, model_ref)
    if rows.lengths and rows.lengths.get("warning"):
        from civilinstruct.cli.common import err_console

        err_console.print(f"warning: {rows.lengths['warning'].rsplit(';', 1)[0]} (--allow-truncation)", highlight=False)
    return settings, model_ref, rows


def _progress(progress: bool, as_json: bool) -> bool:
    """Whether to draw the training bar; without one, the libraries' bars (datasets, transformers) go too."""
    if progress and not as_json:
        return True
    from civilinstruct.progress import silence_library_bars

    silence_library_bars()
    return False


def _report(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(summary)
        return
    data = summary["data"]
    console.print(f"[bold]{summary['stage']}[/]: {summary['steps']} steps on {data['rows']} rows "
                  f"({', '.join(f'{k} {v}' for k, v in data['per_part'].items())}) in {summary['wall_s']} s, "
                  f"{summary['precision']}")
    if summary["stage"] == "sft":
        console.print(f"loss {summary['first_loss']:.4f} -> {summary['last_loss']:.4f}")
    elif summary["reward_curve"]:
        first, last = summary["reward_curve"][0], summary["reward_curve"][-1]
        console.print(f"reward {first['reward']:.4f} -> {last['reward']:.4f} (std {last['reward_std']:.4f})")
    for key in ("model", "adapter"):
        if summary.get(key):
            console.print(f"{key}: {summary[key]}")


def register(app: typer.Typer) -> None:
    group = new_app(help="Fine-tune a model on this project's data: SFT (stage I), then GRPO with the MGHR reward.")

    @group.command("sft")
    def sft(
        data: Path = typer.Option(None, "--data", help=help_for(_S, "data")),
        model: str = typer.Option(None, "--model", help=help_for(_S, "model")),
        out: Path = typer.Option(None, "--out", help=help_for(_S, "out")),
        config: Path = typer.Option(None, "--config", help="YAML file of settings (field names as in --help)"),
        lora: bool = typer.Option(None, "--lora/--no-lora", help=help_for(_S, "lora")),
        epochs: float = typer.Option(None, "--epochs", help=help_for(_S, "epochs")),
        max_steps: int = typer.Option(None, "--max-steps", help=help_for(_S, "max_steps")),
        learning_rate: float = typer.Option(None, "--lr", "--learning-rate", help=help_for(_S, "learning_rate")),
        batch_size: int = typer.Option(None, "--batch-size", help=help_for(_S, "batch_size")),
        grad_accum: int = typer.Option(None, "--grad-accum", help=help_for(_S, "grad_accum")),
        max_length: int = typer.Option(None, "--max-length", help=help_for(_S, "max_length")),
        parts: list[str] = typer.Option(None, "--part", help=help_for(_S, "parts") + " (repeat the flag)"),
        version: str = typer.Option(None, "--version", help=help_for(_S, "version")),
        max_samples: int = typer.Option(None, "--max-samples", help=help_for(_S, "max_samples")),
        include_heldout: bool = typer.Option(None, "--include-heldout", help=help_for(_S, "include_heldout")),
        cases: Path = typer.Option(None, "--cases", help=help_for(_S, "cases")),
        allow_truncation: bool = typer.Option(None, "--allow-truncation", help=help_for(_S, "allow_truncation")),
        seed: int = typer.Option(None, "--seed", help=help_for(_S, "seed")),
        precision: str = typer.Option(None, "--precision", help=help_for(_S, "precision")),
        bf16: bool = typer.Option(False, "--bf16", help="shorthand for --precision bf16 (needs a GPU)"),
        as_json: bool = typer.Option(False, "--json", help="print the run summary as JSON"),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="draw a progress bar on stderr"),
    ) -> None:
        """Stage I: supervised fine-tuning on api_pairs, long_code and bug_cot (TRL SFTTrainer, chat format).

        Reads a data dir or an export dir; writes the trained model (merged, if --lora) to --out, plus
        metrics.jsonl (per-step loss) and train_summary.json.
        """
        flags = dict(data=data and str(data), model=model, out=out and str(out), lora=lora, epochs=epochs,
                     max_steps=max_steps, learning_rate=learning_rate, batch_size=batch_size,
                     grad_accum=grad_accum, max_length=max_length, parts=parts or None, version=version,
                     max_samples=max_samples, seed=seed, precision=precision, include_heldout=include_heldout,
                     cases=cases and str(cases), allow_truncation=allow_truncation)
        settings, model_ref, rows = _prepare(SFTSettings, config, flags, bf16)
        from civilinstruct.train.sft import run_sft

        _report(run_sft(settings, rows, model_ref, progress=_progress(progress, as_json)), as_json)

    @group.command("grpo")
    def grpo(
        data: Path = typer.Option(None, "--data", help=help_for(_G, "data")),
        model: str = typer.Option(None, "--model", help=help_for(_G, "model") + " (normally the SFT output)"),
        out: Path = typer.Option(None, "--out", help=help_for(_G, "out")),
        config: Path = typer.Option(None, "--config", help="YAML file of settings (field names as in --help)"),
        num_generations: int = typer.Option(None, "--num-generations", help=help_for(_G, "num_generations")),
        beta: float = typer.Option(None, "--beta", help=help_for(_G, "beta")),
        lora: bool = typer.Option(None, "--lora/--no-lora", help=help_for(_G, "lora")),
        epochs: float = typer.Option(None, "--epochs", help=help_for(_G, "epochs")),
        max_steps: int = typer.Option(None, "--max-steps", help=help_for(_G, "max_steps")),
        learning_rate: float = typer.Option(None, "--lr", "--learning-rate", help=help_for(_G, "learning_rate")),
        batch_size: int = typer.Option(None, "--batch-size", help=help_for(_G, "batch_size")),
        grad_accum: int = typer.Option(None, "--grad-accum", help=help_for(_G, "grad_accum")),
        max_completion_length: int = typer.Option(None, "--max-completion-length",
                                                  help=help_for(_G, "max_completion_length")),
        temperature: float = typer.Option(None, "--temperature", help=help_for(_G, "temperature")),
        reward_workers: int = typer.Option(None, "--reward-workers", envvar="CIVILINSTRUCT_REWARD_WORKERS",
                                           help=help_for(_G, "reward_workers")),
        reward_timeout_s: float = typer.Option(None, "--reward-timeout", help=help_for(_G, "reward_timeout_s")),
        reward_mode: str = typer.Option(None, "--mode", "--reward-mode", help=help_for(_G, "reward_mode")),
        allow_weak_isolation: bool = typer.Option(None, "--allow-weak-isolation",
                                                  help=help_for(_G, "allow_weak_isolation")),
        use_vllm: bool = typer.Option(None, "--use-vllm", help=help_for(_G, "use_vllm")),
        parts: list[str] = typer.Option(None, "--part", help=help_for(_G, "parts") + " (repeat the flag)"),
        version: str = typer.Option(None, "--version", help=help_for(_G, "version")),
        max_samples: int = typer.Option(None, "--max-samples", help=help_for(_G, "max_samples")),
        include_heldout: bool = typer.Option(None, "--include-heldout", help=help_for(_G, "include_heldout")),
        cases: Path = typer.Option(None, "--cases", help=help_for(_G, "cases")),
        allow_truncation: bool = typer.Option(None, "--allow-truncation", help=help_for(_G, "allow_truncation")),
        seed: int = typer.Option(None, "--seed", help=help_for(_G, "seed")),
        precision: str = typer.Option(None, "--precision", help=help_for(_G, "precision")),
        bf16: bool = typer.Option(False, "--bf16", help="shorthand for --precision bf16 (needs a GPU)"),
        as_json: bool = typer.Option(False, "--json", help="print the run summary (with the reward curve) as JSON"),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="draw a progress bar on stderr"),
    ) -> None:
        """Stage II: GRPO on the expert part with the MGHR reward and a KL penalty to the --model (SFT) policy.

        Generated programs run in the sandbox pool, never in the training process. Per step, metrics.jsonl
        holds reward, reward_std, kl and every reward component (mghr/r_fmt, mghr/r_ast, mghr/r_exec: mean, std).
        """
        flags = dict(data=data and str(data), model=model, out=out and str(out), num_generations=num_generations,
                     beta=beta, lora=lora, epochs=epochs, max_steps=max_steps, learning_rate=learning_rate,
                     batch_size=batch_size, grad_accum=grad_accum, max_completion_length=max_completion_length,
                     temperature=temperature, reward_workers=reward_workers, reward_timeout_s=reward_timeout_s,
                     reward_mode=reward_mode,
                     allow_weak_isolation=allow_weak_isolation, use_vllm=use_vllm, parts=parts or None,
                     version=version, max_samples=max_samples, seed=seed, precision=precision,
                     include_heldout=include_heldout, cases=cases and str(cases), allow_truncation=allow_truncation)
        settings, model_ref, rows = _prepare(GRPOSettings, config, flags, bf16)
        from civilinstruct.train.grpo import run_grpo

        _report(run_grpo(settings, rows, model_ref, progress=_progress(progress, as_json)), as_json)

    @group.command("tiny-model")
    def tiny_model(
        data: Path = typer.Option(..., "--data", help="data dir or export dir whose text trains the tokenizer"),
        out: Path = typer.Option(..., "--out", help="where to write the model (save_pretrained layout)"),
        vocab_size: int = typer.Option(768, "--vocab-size", help="BPE vocabulary size"),
        hidden_size: int = typer.Option(64, "--hidden-size", help="model width"),
        layers: int = typer.Option(2, "--layers", help="transformer layers"),
        seed: int = typer.Option(0, "--seed", help="seed of the random initialisation"),
        as_json: bool = typer.Option(False, "--json", help="print what was written as JSON"),
    ) -> None:
        """Build a tiny random-init Llama with a tokenizer trained on the data's own text (CPU demos and tests).

        Nothing is downloaded: the model learns only from what `train sft` then feeds it.
        """
        from civilinstruct.errors import CivilError, require_extra
        from civilinstruct.train.data import corpus_texts

        texts = corpus_texts(data)
        if not texts:
            raise CivilError(f"no text found in {data} to train a tokenizer on")
        require_extra("torch", "train")
        from civilinstruct.train.tiny import build_tiny_model

        path = build_tiny_model(out, texts, vocab_size=vocab_size, hidden_size=hidden_size, layers=layers, seed=seed)
        result = {"model": str(path), "texts": len(texts), "vocab_size": vocab_size, "hidden_size": hidden_size,
                  "layers": layers}
        if as_json:
            print_json(result)
        else:
            console.print(f"tiny model written to {path} (tokenizer trained on {len(texts)} texts)")

    app.add_typer(group, name="train")
