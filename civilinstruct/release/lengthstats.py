"""Length percentiles of a data directory per part and split: what a training recipe's limits must fit.

Tokens with a tokenizer (a save_pretrained directory: the model you will train), characters without. The splits
are the release's (`civilinstruct.release.heldout`), so the numbers describe what `train` would actually read;
rows of BMEval buildings are reported as split `bmeval`.
"""

from __future__ import annotations

import math

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError

# The counters live here, below `train` (whose length checks import them): one way to count a chat's length.
SAMPLE_ROWS = 2000  # rows measured (a seeded sample of larger data: the share is what matters)

Counter_ = Callable[[list[dict[str, str]], bool], int]


def tokenizer_counter(model_dir: str | Path) -> Counter_:
    """Tokens of a chat under the model's chat template (transformers' tokenizer only; torch stays unloaded)."""
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(model_dir))
    except (OSError, ValueError) as exc:
        raise CivilError(f"{model_dir}: cannot load the tokenizer to measure lengths ({exc})") from None

    def count(chat: list[dict[str, str]], generation_prompt: bool) -> int:
        if getattr(tok, "chat_template", None):
            ids = tok.apply_chat_template(chat, tokenize=True, add_generation_prompt=generation_prompt)
            if isinstance(ids, dict) or hasattr(ids, "keys"):  # newer transformers return a BatchEncoding
                ids = ids["input_ids"]
            return len(ids)
        return len(tok("\n".join(m["content"] for m in chat)).input_ids)

    return count


def char_counter(chat: list[dict[str, str]], generation_prompt: bool = False) -> int:
    """Characters of a chat's contents (what `stats` reports without a tokenizer)."""
    return sum(len(m["content"]) for m in chat)


def percentiles(values: Sequence[int]) -> dict[str, int]:
    """p50 / p90 / p95 / p99 / max of a list of lengths (nearest rank)."""
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> int:  # nearest rank: ceil(q * n), with a tolerance for 0.9 * 10 = 9.000000000000002
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered) - 1e-9) - 1))]

    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def _chat(messages: Any) -> list[dict[str, str]]:
    return [{"role": str(m["role"]), "content": str(m["content"] or "")} for m in messages or []]


def length_stats(data_dir: str | Path, tokenizer: str | Path | None = None, parts: list[str] | None = None,
                 cases: Path | None = None, seed: int = 0) -> dict[str, Any]:
    """{"unit", "plan", "groups": [{part, split, rows, measured, prompt, answer, total}]} (percentile dicts)."""
    from civilinstruct.release.heldout import contamination_for, release_settings
    from civilinstruct.release.manifest import PART_ORDER
    from civilinstruct.release.splits import assign_splits, index_store, latest_shards
    from civilinstruct.store import Store, iter_shard

    store = Store(data_dir)
    settings = release_settings(data_dir)
    shards = latest_shards(store, list(PART_ORDER))
    index, dirty = index_store(store, shards, contamination_for(data_dir, settings, cases))
    plan = assign_splits(index, settings.splits, dirty)
    count = tokenizer_counter(tokenizer) if tokenizer else char_counter
    chats: dict[tuple[str, str], list[list[dict[str, str]]]] = defaultdict(list)
    for part, paths in shards.items():
        if parts and part not in parts:
            continue
        for path in paths:
            for batch in iter_shard(path, ["id", "messages"]):
                for row in batch.to_pylist():
                    chats[(part, plan.split_of(row["id"]) or "bmeval")].append(_chat(row["messages"]))
    groups = []
    for (part, split), items in sorted(chats.items()):
        rows = len(items)
        if rows > SAMPLE_ROWS:
            items = random.Random(f"{seed}-{part}-{split}").sample(items, SAMPLE_ROWS)
        prompt, answer, total = [], [], []
        for chat in items:
            last = max((i for i, m in enumerate(chat) if m["role"] == "assistant"), default=len(chat))
            prompt.append(count(chat[:last], True))
            answer.append(count(chat[last:last + 1], False) if last < len(chat) else 0)
            total.append(count(chat[:last + 1], False))
        groups.append({"part": part, "split": split, "rows": rows, "measured": len(items),
                       "prompt": percentiles(prompt), "answer": percentiles(answer), "total": percentiles(total)})
    return {"unit": "tokens" if tokenizer else "characters", "tokenizer": str(tokenizer) if tokenizer else None,
            "plan": settings.to_dict(), "groups": groups}
