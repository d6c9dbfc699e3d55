"""SFT then GRPO on a tiny local model, through the CLI, with the real store, the real reward and sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trainkit import frame_program, invoke_json

pytest.importorskip("trl")
pytestmark = [pytest.mark.train, pytest.mark.slow]  # its module fixtures train real (tiny) models


def _metrics(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def _loss_on(model_dir: Path, messages: list[dict]) -> float:
    """Mean next-token loss of a model on one chat: a check that the weights on disk are the trained ones."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    ids = tok.apply_chat_template(messages, return_tensors="pt", return_dict=True)["input_ids"]
    with torch.no_grad():
        return float(model(input_ids=ids, labels=ids).loss)


def _chat(stories: int) -> list[dict]:
    code = frame_program(stories)
    return [{"role": "system", "content": "You write OpenSeesPy programs."},
            {"role": "user", "content": f"Model a {stories}-story RC frame and compute T1."},
            {"role": "assistant", "content": f"<think>A {stories}-story frame: nodes, masses, columns, beams, then "
                                             f"eigen.</think>\n<answer>\n```python\n{code}```\n</answer>"}]


def test_sft_lowers_the_training_loss(sft_run: Path) -> None:
    losses = [r["loss"] for r in _metrics(sft_run) if "loss" in r]
    assert len(losses) == 80
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.5 * first, (first, last)
    summary = json.loads((sft_run.parent / "summary.json").read_text())
    assert summary["steps"] == 80 and summary["data"]["per_part"] == {"api_pairs": 6, "long_code": 4, "bug_cot": 1}


def test_sft_checkpoint_loads_back_trained(sft_run: Path, tiny_model: Path) -> None:
    chat = _chat(2)
    assert _loss_on(sft_run, chat) < 0.5 * _loss_on(tiny_model, chat)
    checkpoint = sft_run / "checkpoints" / "checkpoint-40"
    assert (checkpoint / "config.json").is_file()
    assert _loss_on(checkpoint, chat) < _loss_on(tiny_model, chat)


def test_grpo_runs_the_real_reward_and_logs_it(grpo_run: Path) -> None:
    steps = [r for r in _metrics(grpo_run) if "reward" in r]
    assert [r["step"] for r in steps] == [1, 2]
    for record in steps:
        for key in ("reward", "reward_std", "kl", "rewards/mghr/mean", "rewards/mghr/std",
                    "mghr/r_fmt/mean", "mghr/r_fmt/std", "mghr/r_ast/mean", "mghr/r_exec/mean", "mghr/r_exec/std"):
            assert key in record, key
        # the logged parts are the parts of the logged reward: R = 0.05 r_fmt + 0.25 r_ast + 0.70 r_exec
        combined = 0.05 * record["mghr/r_fmt/mean"] + 0.25 * record["mghr/r_ast/mean"] + 0.70 * record["mghr/r_exec/mean"]
        assert record["reward"] == pytest.approx(combined, abs=1e-4)
    # the SFT policy writes fenced programs, so the sandbox ran some of them
    assert max(r["mghr/has_program"] for r in steps) > 0
    assert max(r["mghr/r_exec/mean"] for r in steps) > 0
    summary = json.loads((grpo_run.parent / "summary.json").read_text())
    assert [p["step"] for p in summary["reward_curve"]] == [1, 2]
    assert summary["settings"]["beta"] == 0.04 and summary["settings"]["loss_type"] == "grpo"


def test_grpo_checkpoint_loads_back_and_generates(grpo_run: Path, tiny_model: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(grpo_run)
    model = AutoModelForCausalLM.from_pretrained(grpo_run).eval()
    prompt = tok.apply_chat_template(_chat(3)[:2], add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**prompt, max_new_tokens=16, do_sample=False)
    assert out.shape[1] > prompt["input_ids"].shape[1]
    assert _loss_on(grpo_run, _chat(2)) < 0.5 * _loss_on(tiny_model, _chat(2))  # it started from the SFT policy


def test_sft_with_lora_writes_adapter_and_merged_model(tmp_path: Path, train_data: Path, tiny_model: Path) -> None:
    (tmp_path / "lora.yaml").write_text("lora_r: 4\nlora_alpha: 8\ngradient_checkpointing: false\nmax_length: 256\n")
    summary = invoke_json(["train", "sft", "--data", str(train_data), "--model", str(tiny_model), "--lora",
                           "--out", str(tmp_path / "out"), "--config", str(tmp_path / "lora.yaml"),
                           "--max-steps", "3", "--batch-size", "2", "--grad-accum", "1", "--json"])
    assert summary["adapter"] and summary["model"] and summary["settings"]["learning_rate"] == 1e-4
    adapter = json.loads((tmp_path / "out" / "adapter" / "adapter_config.json").read_text())
    assert adapter["r"] == 4
    from safetensors import safe_open

    with safe_open(str(tmp_path / "out" / "model.safetensors"), "pt") as fh:
        names = list(fh.keys())
    assert names and not any("lora" in n for n in names)  # merged: a plain model anyone can load
    assert _loss_on(tmp_path / "out", _chat(1)) > 0
