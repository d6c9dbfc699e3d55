"""Length percentiles of a data directory per part and split: what a training recipe's limits must fit.

Tokens with a tokenizer (a save_pretrained directory: the model you will train), characters without. The splits
are the release's (`civilinstruct.release.heldout`), so the numbers describe what `train` would actually read;
rows of BMEval buildings are reported as split `bmeval`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from civilinstruct.train.lengths import SAMPLE_ROWS, char_counter, percentiles


def _chat(messages: Any) -> list[dict[str, str]]:
    return [{"role": str(m["role"]), "content": str(m["content"] or "")} for m in messages or []]


def length_stats(data_dir: str | Path, tokenizer: str | Path | None = None, parts: list[str] | None = None,
                 cases: Path | None = None, seed: int = 0) -> dict[str, Any]:
    """{"unit", "plan", "groups": [{part, split, rows, measured, prompt, answer, total}]} (percentile dicts)."""
    from civilinstruct.release.heldout import contamination_for, release_settings
    from civilinstruct.release.manifest import PART_ORDER
    from civilinstruct.release.splits import assign_splits, index_store, latest_shards
    from civilinstruct.store import Store, iter_shard
    from civilinstruct.train.lengths import tokenizer_counter

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
