"""Checks that run before torch is imported: a bad path or a GPU-only option fails in a second, not a minute.

Nothing here allocates or imports a heavy library; `gpu_count` reads the driver's files instead of asking CUDA.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from civilinstruct.errors import CivilError
from civilinstruct.train.config import GRPOSettings, TrainSettings

HUB_PREFIX = "hf:"


def gpu_count() -> int:
    """How many NVIDIA GPUs this process may use, read from the driver (no torch, no CUDA context)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return 0
    proc = Path("/proc/driver/nvidia/gpus")
    count = len(list(proc.iterdir())) if proc.is_dir() else 0
    if count == 0 and shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
            count = sum(1 for line in out.stdout.splitlines() if line.startswith("GPU "))
        except (OSError, subprocess.SubprocessError):
            count = 0
    if visible is not None and count:
        count = min(count, len([v for v in visible.split(",") if v.strip()]))
    return count


def check_model(model: str) -> str:
    """A model directory in save_pretrained layout (or a LoRA adapter dir), or `hf:ORG/NAME`; returns what to load."""
    if not model:
        raise CivilError("no model given: pass --model DIR (a save_pretrained directory)")
    if model.startswith(HUB_PREFIX):
        name = model[len(HUB_PREFIX):]
        if name.count("/") != 1:
            raise CivilError(f"hub model must look like hf:ORG/NAME, not {model!r}")
        return name
    path = Path(model).expanduser()
    if not path.exists():
        raise CivilError(f"model path does not exist: {path} (to load from the Hugging Face Hub write hf:ORG/NAME)")
    if not path.is_dir():
        raise CivilError(f"model path is not a directory: {path}")
    if not (path / "config.json").is_file() and not (path / "adapter_config.json").is_file():
        raise CivilError(f"{path} holds no model: expected config.json (or adapter_config.json) from save_pretrained")
    check_chat_template(path)
    return str(path)


def check_chat_template(path: Path) -> None:
    """The data is chat, so the tokenizer saved with the model must carry a chat template."""
    import json

    if (path / "chat_template.jinja").is_file() or (path / "chat_template.json").is_file():
        return
    config = path / "tokenizer_config.json"
    if not config.is_file():
        raise CivilError(f"{path} has no tokenizer (tokenizer_config.json); save the tokenizer with the model")
    try:
        template = json.loads(config.read_text()).get("chat_template")
    except (OSError, ValueError):
        raise CivilError(f"{config} is not readable JSON") from None
    if not template:
        raise CivilError(f"{path}: the tokenizer has no chat template; use an instruct/chat model or add one")


def check_out(out: str) -> Path:
    if not out:
        raise CivilError("no output directory given: pass --out DIR")
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise CivilError(f"--out is a file, not a directory: {path}")
    return path


def check_device(settings: TrainSettings) -> None:
    """GPU-only options on a machine without a GPU fail here, before any allocation."""
    gpus = gpu_count()
    if settings.precision in ("bf16", "fp16") and gpus == 0:
        raise CivilError(f"--precision {settings.precision} needs a GPU and none is visible; use --precision auto")
    if isinstance(settings, GRPOSettings) and settings.use_vllm:
        if gpus == 0:
            raise CivilError("--use-vllm needs a GPU and none is visible")
        import importlib.util

        if importlib.util.find_spec("vllm") is None:
            raise CivilError("--use-vllm needs vllm: pip install vllm (matching torch 2.13)")
    if settings.trl.get("use_cpu") is False and gpus == 0:
        raise CivilError("trl.use_cpu: false needs a GPU and none is visible")


def preflight(settings: TrainSettings) -> str:
    """Every cheap check, in the order a user fixes them; returns the model reference to load."""
    if not settings.data:
        raise CivilError("no data given: pass --data DATA_DIR_OR_EXPORT")
    if not Path(settings.data).expanduser().exists():
        raise CivilError(f"data path does not exist: {settings.data}")
    model = check_model(settings.model)
    adapter_only = Path(model, "adapter_config.json").is_file() and not Path(model, "config.json").is_file()
    if isinstance(settings, GRPOSettings) and settings.beta > 0 and adapter_only:
        # TRL rebuilds the KL reference from the config's path, which for a merged adapter is the base model
        raise CivilError(f"{model} is a LoRA adapter only; pass the SFT --out directory (the merged model) so the "
                         f"KL reference is the SFT policy")
    check_out(settings.out)
    check_device(settings)
    return model
