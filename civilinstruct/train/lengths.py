"""Do the length settings fit the data? Measured with the model's own tokenizer before torch loads the model.

SFT cuts every example longer than `max_length` (and an example whose prompt alone is that long teaches nothing);
GRPO cuts every rollout at `max_completion_length`, so a limit shorter than the reference answers caps the reward
of a policy that answers as the data does. `train` refuses when more than `MAX_CUT_SHARE` of the rows would be
cut, unless `--allow-truncation`, in which case it warns and records the share in the run summary.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError
from civilinstruct.release.lengthstats import SAMPLE_ROWS, Counter_, char_counter, percentiles, tokenizer_counter

__all__ = ["MAX_CUT_SHARE", "SAMPLE_ROWS", "char_counter", "check_lengths", "grpo_report", "percentiles",
           "sft_report", "tokenizer_counter"]

MAX_CUT_SHARE = 0.05  # "more than a few percent"


def _sample(items: Sequence[Any], seed: int) -> list[Any]:
    if len(items) <= SAMPLE_ROWS:
        return list(items)
    return random.Random(seed).sample(list(items), SAMPLE_ROWS)


def sft_report(rows: Sequence[dict[str, Any]], max_length: int, count: Counter_, seed: int = 0) -> dict[str, Any]:
    """How many SFT rows `max_length` would cut, and how many it would leave with no answer at all."""
    totals, prompts = [], []
    for row in _sample(rows, seed):
        chat = row.get("messages") or [*row["prompt"], *row["completion"]]
        prompt = row.get("prompt") or chat[:-1]
        totals.append(count(chat, False))
        prompts.append(count(prompt, True))
    cut = sum(t > max_length for t in totals)
    no_answer = sum(p >= max_length for p in prompts)
    return {"limit": "max_length", "value": max_length, "measured": len(totals), "cut": cut,
            "cut_share": round(cut / len(totals), 4) if totals else 0.0, "prompt_too_long": no_answer,
            "tokens": percentiles(totals)}


def grpo_report(references: Sequence[str], max_completion_length: int, count: Counter_,
                seed: int = 0) -> dict[str, Any]:
    """How many reference answers are longer than the rollout limit (a policy answering like them is cut)."""
    lengths = [count([{"role": "assistant", "content": r}], False) for r in _sample(references, seed) if r]
    cut = sum(n > max_completion_length for n in lengths)
    return {"limit": "max_completion_length", "value": max_completion_length, "measured": len(lengths), "cut": cut,
            "cut_share": round(cut / len(lengths), 4) if lengths else 0.0, "tokens": percentiles(lengths)}


def check_lengths(settings: Any, rows: Any, model_ref: str) -> dict[str, Any] | None:
    """Measure, then refuse (or warn with `allow_truncation`) when more than MAX_CUT_SHARE of rows are cut."""
    if not Path(model_ref).is_dir():
        return None  # a Hub name is resolved by transformers later; nothing local to measure with
    count = tokenizer_counter(model_ref)
    if settings.stage == "sft":
        report = sft_report(rows.rows, settings.max_length, count, settings.seed)
        flag = "--max-length"
    else:
        if not rows.references:
            return None  # an export dir carries no reference answers
        report = grpo_report(rows.references, settings.max_completion_length, count, settings.seed)
        flag = "--max-completion-length"
    report["allowed"] = bool(settings.allow_truncation)
    if report.get("prompt_too_long", 0) and report["prompt_too_long"] >= report["measured"]:
        raise CivilError(f"{flag} {report['value']} is shorter than every prompt measured: no row would keep any "
                         f"of its answer (tokens p50 {report['tokens']['p50']}); raise {flag}")
    if report["cut_share"] > MAX_CUT_SHARE:
        p = report["tokens"]
        message = (f"{flag} {report['value']} would cut {report['cut']} of {report['measured']} rows "
                   f"({100 * report['cut_share']:.0f}%; tokens p50 {p['p50']}, p95 {p['p95']}, max {p['max']}); "
                   f"raise {flag} to about {p['p95']} or pass --allow-truncation")
        if not settings.allow_truncation:
            raise CivilError(message)
        report["warning"] = message
    return report
