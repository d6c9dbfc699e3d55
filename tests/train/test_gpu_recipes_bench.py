"""benchmarks/gpu_recipes.py with tiny shapes on the CPU: the GPU script's code paths, so the device run is no first run.

The 8B figures come from a GPU (benchmarks/RESULTS.md); here the same steps run on a 2-layer model, and the LoRA
parameter count is checked against r x (in + out) summed over every linear layer but the LM head (peft's
`all-linear`), the count that gives 167.8M adapter parameters at 8B shapes.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.train,
    pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("torch", "transformers", "peft")),
                       reason="needs the [train] extra"),
]

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_recipes.py"


def _script():
    spec = importlib.util.spec_from_file_location("gpu_recipes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lora_count(shape: dict, r: int = 64) -> int:
    h, m = shape["hidden_size"], shape["intermediate_size"]
    kv = h // shape["num_attention_heads"] * shape["num_key_value_heads"]
    per_layer = (h + h) + 2 * (h + kv) + (h + h) + 2 * (h + m) + (m + h)  # q, k, v, o, gate, up, down
    return r * per_layer * shape["num_hidden_layers"]


@pytest.mark.slow
def test_tiny_run_trains_rolls_out_and_tabulates(tmp_path: Path) -> None:
    gr = _script()
    out = tmp_path / "gpu.json"
    args = gr.parse_args(["--tiny", "--cpu", "--head", "full", "--steps", "1", "--lengths", "32",
                          "--grpo-lengths", "24", "--gen-batches", "2", "--gen-tokens", "3", "--json", str(out)])
    result = gr.run(args)
    assert result["lora_params"] == _lora_count(gr.SHAPES["tiny"])
    assert _lora_count(gr.SHAPES["8b"]) == 167_772_160  # what the H100 run reported as 167.8M
    assert [(r["batch"], r["length"]) for r in result["sft"]] == [(2, 32)]
    assert [(r["batch"], r["length"]) for r in result["grpo"]] == [(4, 24)]
    for row in result["sft"] + result["grpo"]:
        assert row["ok"] and row["tokens_per_s"] > 0 and all(math.isfinite(x) for x in row["losses"])
    assert result["sft"][0]["losses"][0] == pytest.approx(math.log(gr.SHAPES["tiny"]["vocab_size"]), rel=0.05)
    (roll,) = result["rollout"]
    assert roll["ok"] and roll["new_tokens"] == 3 and roll["adapter"] is True
    assert out.read_text().count('"length"') == 2  # the JSON file holds every row
    assert "| sft | 2 x 32 |" in gr.table(result)
