"""Fixtures for the trainer tests: one data dir, one tiny model, one SFT run and one GRPO run per test session.

Built once even under pytest-xdist: the first worker builds under a file lock in the session's shared temp root,
the others reuse what it wrote (the pattern pytest-xdist documents for session fixtures).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from trainkit import build_data_dir, corpus, invoke_json, weak_isolation

# Small enough for 2 shared CPU cores, big enough that the SFT model writes fenced programs that GRPO runs.
SFT_YAML = """\
max_steps: 80
batch_size: 4
grad_accum: 1
learning_rate: 0.003
max_length: 512
gradient_checkpointing: false
save_steps: 40
"""


def _shared(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]) -> Path:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by all xdist workers of this session, and only of this session
    path = root / f"civilinstruct-train-{name}"
    with FileLock(str(path) + ".lock"):
        if not (path / ".done").exists():
            path.mkdir(parents=True, exist_ok=True)
            build(path)
            (path / ".done").write_text("ok")
    return path


@pytest.fixture(scope="session")
def train_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _shared(tmp_path_factory, "data", lambda p: build_data_dir(p / "data")) / "data"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, train_data: Path) -> Path:
    def build(path: Path) -> None:
        from civilinstruct.train.tiny import build_tiny_model

        build_tiny_model(path / "model", corpus(train_data))

    return _shared(tmp_path_factory, "tiny", build) / "model"


@pytest.fixture(scope="session")
def sft_run(tmp_path_factory: pytest.TempPathFactory, train_data: Path, tiny_model: Path) -> Path:
    def build(path: Path) -> None:
        (path / "sft.yaml").write_text(SFT_YAML)
        summary = invoke_json(["train", "sft", "--data", str(train_data), "--model", str(tiny_model),
                               "--out", str(path / "out"), "--config", str(path / "sft.yaml"), "--json"])
        (path / "summary.json").write_text(json.dumps(summary))

    return _shared(tmp_path_factory, "sft", build) / "out"


@pytest.fixture(scope="session")
def grpo_run(tmp_path_factory: pytest.TempPathFactory, train_data: Path, sft_run: Path) -> Path:
    def build(path: Path) -> None:
        args = ["train", "grpo", "--data", str(train_data), "--model", str(sft_run), "--out", str(path / "out"),
                "--max-steps", "2", "--batch-size", "8", "--grad-accum", "1", "--num-generations", "8",
                "--max-completion-length", "64", "--lr", "1e-4", "--beta", "0.04", "--reward-workers", "2",
                "--reward-timeout", "30", "--json"]
        if weak_isolation():
            args.append("--allow-weak-isolation")
        summary = invoke_json(args)
        (path / "summary.json").write_text(json.dumps(summary))

    return _shared(tmp_path_factory, "grpo", build) / "out"
