"""Bad input to `train sft|grpo` fails in one line with a non-zero exit, before torch/transformers/TRL load."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.store import Lineage, Message, Sample, Store, make_id
from civilinstruct.train import preflight

HEAVY = ("torch", "transformers", "trl", "peft", "accelerate")


def _model_dir(path: Path, template: bool = True) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    (path / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{{ x }}"} if template else {}))
    return path


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    with Store(tmp_path / "data").writer("api_pairs", "v1") as w:
        w.add(Sample(id=make_id("api_pairs", i=0), part="api_pairs", lineage=Lineage(pipeline="t", pipeline_version="v1"),
                     messages=[Message(role="user", content="q"), Message(role="assistant", content="a")]))
    return tmp_path / "data"


def _fails(args: list[str], message: str) -> None:
    before = set(sys.modules)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    loaded = {m.split(".")[0] for m in set(sys.modules) - before}
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_missing_model_path(tmp_path: Path, data: Path) -> None:
    _fails(["train", "sft", "--data", str(data), "--model", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
           "model path does not exist")


def test_model_dir_without_a_model_or_chat_template(tmp_path: Path, data: Path) -> None:
    (tmp_path / "empty").mkdir()
    _fails(["train", "sft", "--data", str(data), "--model", str(tmp_path / "empty"), "--out", str(tmp_path / "o")],
           "holds no model")
    model = _model_dir(tmp_path / "m", template=False)
    _fails(["train", "sft", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "o")],
           "no chat template")


@pytest.mark.slow
def test_missing_and_empty_parts(tmp_path: Path, data: Path) -> None:
    model = _model_dir(tmp_path / "m")
    _fails(["train", "grpo", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "o")],
           "part expert is empty or missing")
    _fails(["train", "sft", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "o")],
           "part long_code is empty or missing")
    _fails(["train", "sft", "--data", str(tmp_path / "nodata"), "--model", str(model), "--out", str(tmp_path / "o")],
           "data path does not exist")


def test_gpu_only_options_without_a_gpu(tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert preflight.gpu_count() == 0
    model = _model_dir(tmp_path / "m")
    base = ["--data", str(data), "--model", str(model), "--out", str(tmp_path / "o"), "--part", "api_pairs"]
    _fails(["train", "sft", *base, "--bf16"], "needs a GPU")
    _fails(["train", "sft", *base, "--precision", "fp16"], "needs a GPU")
    _fails(["train", "grpo", *base, "--use-vllm"], "needs a GPU")


def test_bad_config_file(tmp_path: Path, data: Path) -> None:
    model = _model_dir(tmp_path / "m")
    (tmp_path / "c.yaml").write_text("epochz: 2\n")
    _fails(["train", "sft", "--data", str(data), "--model", str(model), "--out", str(tmp_path / "o"),
            "--config", str(tmp_path / "c.yaml")], "unknown sft setting 'epochz' (did you mean epochs?)")


def test_required_inputs(tmp_path: Path) -> None:
    _fails(["train", "sft"], "no data given")
    _fails(["train", "grpo", "--data", str(tmp_path)], "no model given")


def test_no_heavy_import_in_a_fresh_process(tmp_path: Path) -> None:
    """The same check where nothing else has loaded torch yet (other tests in this worker may have)."""
    import subprocess

    code = ("import sys\nfrom typer.testing import CliRunner\nfrom civilinstruct.cli.app import app\n"
            f"r = CliRunner().invoke(app, ['train', 'sft', '--data', {str(tmp_path)!r}, '--model', "
            f"{str(tmp_path / 'nope')!r}, '--out', {str(tmp_path / 'o')!r}])\n"
            "print(r.exit_code, sorted(m for m in ('torch', 'transformers', 'trl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["1", "[]"], out.stdout + out.stderr
