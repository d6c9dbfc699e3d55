"""train.lengths: the pre-training check that the length limits fit the data (refuse, or warn when allowed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.train.config import GRPOSettings, SFTSettings
from civilinstruct.train.data import TrainRows
from civilinstruct.train.lengths import MAX_CUT_SHARE, char_counter, check_lengths, grpo_report, sft_report


def _row(prompt: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def test_sft_report_by_hand() -> None:
    """Guards the SFT counts in characters: totals 4+6, 4+16, 30+5 against a limit of 20 cut one row (35; the 20
    is not over it), and one prompt (30 chars) alone reaches the limit."""
    rows = [_row("abcd", "x" * 6), _row("abcd", "y" * 16), _row("p" * 30, "z" * 5)]
    report = sft_report(rows, 20, char_counter)
    assert (report["measured"], report["cut"], report["prompt_too_long"]) == (3, 1, 1)
    assert report["cut_share"] == round(1 / 3, 4)
    assert report["tokens"]["max"] == 35
    prompt_completion = {"prompt": [{"role": "user", "content": "ab"}],
                         "completion": [{"role": "assistant", "content": "cde"}]}
    assert sft_report([prompt_completion], 4, char_counter)["cut"] == 1  # 2 + 3 > 4


def test_grpo_report_skips_empty_references() -> None:
    """Guards the rollout check: references longer than the limit are cut; an empty one is not measured."""
    report = grpo_report(["a" * 5, "b" * 11, ""], 10, char_counter)
    assert (report["measured"], report["cut"], report["cut_share"]) == (2, 1, 0.5)


def test_a_hub_name_is_not_measured() -> None:
    """Guards the offline rule: a model reference that is not a local folder is left to transformers."""
    assert check_lengths(SFTSettings(data="d"), TrainRows(rows=[_row("a", "b")], source="store"),
                         "Qwen/not-a-dir") is None


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from civilinstruct.train.tiny import train_tokenizer

    out = tmp_path_factory.mktemp("tok")
    texts = ["ops.node(1, 0.0, 0.0)\n", "ops.element('elasticBeamColumn', 1, 1, 2, 0.25, 3e7, 0.005, 1)\n"] * 20
    train_tokenizer(texts, vocab_size=300, granularity="word").save_pretrained(out)
    return out


@pytest.mark.slow  # trains a small tokenizer and imports transformers
def test_check_lengths_refuses_warns_and_passes(tokenizer_dir: Path) -> None:
    """Guards the three outcomes with the model's own tokenizer: 1 of 10 rows cut (10% > 5%) is refused naming
    --max-length, is a warning with --allow-truncation, and a limit above every row passes; a limit below every
    prompt is refused as keeping no answer."""
    from civilinstruct.train.lengths import tokenizer_counter

    count = tokenizer_counter(tokenizer_dir)
    rows = [_row("Model node 1.", "ops.node(1, 0.0, 0.0)") for _ in range(9)]
    rows.append(_row("Model node 1.", "ops.node(1, 0.0, 0.0)\n" * 40))
    short, long_ = (count(rows[0]["messages"], False), count(rows[-1]["messages"], False))
    assert short < long_
    data = TrainRows(rows=rows, source="store")
    assert 1 / 10 > MAX_CUT_SHARE
    with pytest.raises(CivilError, match=r"--max-length \d+ would cut 1 of 10 rows \(10%"):
        check_lengths(SFTSettings(data="d", max_length=short), data, str(tokenizer_dir))
    warned = check_lengths(SFTSettings(data="d", max_length=short, allow_truncation=True), data, str(tokenizer_dir))
    assert warned is not None and warned["allowed"] and "--allow-truncation" in warned["warning"]
    ok = check_lengths(SFTSettings(data="d", max_length=long_), data, str(tokenizer_dir))
    assert ok is not None and ok["cut"] == 0 and "warning" not in ok
    with pytest.raises(CivilError, match="shorter than every prompt"):
        check_lengths(SFTSettings(data="d", max_length=2), data, str(tokenizer_dir))
    grpo = TrainRows(rows=[], source="store", references=["ops.node(1, 0.0, 0.0)"] * 3)
    with pytest.raises(CivilError, match="--max-completion-length 1 would cut 3 of 3"):
        check_lengths(GRPOSettings(data="d", max_completion_length=1), grpo, str(tokenizer_dir))
    assert check_lengths(GRPOSettings(data="d"), TrainRows(rows=[], source="export"), str(tokenizer_dir)) is None
