"""train.preflight: the cheap checks before torch loads, on real folders (CPU only: this machine has no GPU, so
CUDA_VISIBLE_DEVICES is set empty where a GPU count matters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.train.config import GRPOSettings, SFTSettings
from civilinstruct.train.preflight import check_chat_template, check_model, check_out, gpu_count, preflight


def _model(path: Path, template: str | None = "{{ messages }}", config: str = "config.json") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / config).write_text("{}")
    tok: dict[str, object] = {"tokenizer_class": "PreTrainedTokenizerFast"}
    if template is not None:
        tok["chat_template"] = template
    (path / "tokenizer_config.json").write_text(json.dumps(tok))
    return path


def test_check_model_accepts_a_saved_model_and_a_hub_name(tmp_path: Path) -> None:
    """Guards the two accepted forms: a save_pretrained folder (returned as its path) and hf:ORG/NAME (the name)."""
    model = _model(tmp_path / "m")
    assert check_model(str(model)) == str(model)
    assert check_model("hf:Qwen/Qwen3-0.6B") == "Qwen/Qwen3-0.6B"
    adapter = _model(tmp_path / "lora", config="adapter_config.json")
    assert check_model(str(adapter)) == str(adapter)


@pytest.mark.parametrize("make, match", [
    (lambda p: "", "no model given"),
    (lambda p: "hf:justaname", "hf:ORG/NAME"),
    (lambda p: str(p / "absent"), "does not exist"),
    (lambda p: str((p / "f.txt").write_text("x") and p / "f.txt"), "not a directory"),
    (lambda p: str((p / "empty").mkdir() or p / "empty"), "holds no model"),
])
def test_check_model_refusals(tmp_path: Path, make, match: str) -> None:  # type: ignore[no-untyped-def]
    """Guards each refusal of the --model value with its own one-line reason."""
    with pytest.raises(CivilError, match=match):
        check_model(make(tmp_path))


def test_chat_template_is_required(tmp_path: Path) -> None:
    """Guards the chat rule: a tokenizer without a template, no tokenizer, or unreadable JSON is refused; a
    separate chat_template.jinja is enough."""
    with pytest.raises(CivilError, match="no chat template"):
        check_chat_template(_model(tmp_path / "a", template=None))
    bare = tmp_path / "b"
    bare.mkdir()
    with pytest.raises(CivilError, match="has no tokenizer"):
        check_chat_template(bare)
    (bare / "tokenizer_config.json").write_text("{not json")
    with pytest.raises(CivilError, match="not readable JSON"):
        check_chat_template(bare)
    (bare / "chat_template.jinja").write_text("{{ messages }}")
    check_chat_template(bare)


def test_check_out(tmp_path: Path) -> None:
    """Guards --out: empty and an existing file are refused; a new or existing folder is fine."""
    with pytest.raises(CivilError, match="no output directory"):
        check_out("")
    (tmp_path / "f").write_text("x")
    with pytest.raises(CivilError, match="is a file"):
        check_out(str(tmp_path / "f"))
    assert check_out(str(tmp_path / "new")) == tmp_path / "new"


def test_gpu_count_honours_an_empty_visible_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards CUDA_VISIBLE_DEVICES="" and "-1": no GPU whatever the driver has."""
    for value in ("", "-1"):
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", value)
        assert gpu_count() == 0


def test_preflight_order_and_gpu_only_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the order a user fixes things (data, model, out, device), the GRPO adapter-only refusal, and
    GPU-only options refused without a GPU."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    data = tmp_path / "data"
    data.mkdir()
    model = _model(tmp_path / "m")
    with pytest.raises(CivilError, match="no data given"):
        preflight(SFTSettings(model=str(model), out=str(tmp_path / "o")))
    with pytest.raises(CivilError, match="data path does not exist"):
        preflight(SFTSettings(data=str(tmp_path / "nope"), model="", out=""))
    with pytest.raises(CivilError, match="no model given"):
        preflight(SFTSettings(data=str(data), model="", out=""))
    with pytest.raises(CivilError, match="no output directory"):
        preflight(SFTSettings(data=str(data), model=str(model), out=""))
    assert preflight(SFTSettings(data=str(data), model=str(model), out=str(tmp_path / "o"))) == str(model)
    with pytest.raises(CivilError, match="--precision bf16 needs a GPU"):
        preflight(SFTSettings(data=str(data), model=str(model), out=str(tmp_path / "o"), precision="bf16"))
    with pytest.raises(CivilError, match="--use-vllm needs a GPU"):
        preflight(GRPOSettings(data=str(data), model=str(model), out=str(tmp_path / "o"), use_vllm=True))
    adapter = _model(tmp_path / "lora", config="adapter_config.json")
    with pytest.raises(CivilError, match="LoRA adapter only"):
        preflight(GRPOSettings(data=str(data), model=str(adapter), out=str(tmp_path / "o"), beta=0.04))
