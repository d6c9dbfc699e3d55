"""Training rows from this project's own data: a store data dir (shards + catalog) or an export dir (parquet).

Stage I rows are conversational prompt/completion pairs (the instruction, then the reference answer) so the loss
falls on the answer only, as in the paper's Eq. 4; stage II rows are prompt-only with the FE period as
`ground_truth`, which TRL hands to the reward. Only pyarrow is used: this runs before torch is imported, so an
empty or missing part fails in a second.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError

HELD_OUT_NAMES = ("test", "validation", "valid", "val", "eval", "dev")  # export files never trained on


@dataclass
class TrainRows:
    """Rows ready for `datasets.Dataset.from_list`, and where they came from."""

    rows: list[dict[str, Any]]
    source: str  # "store" or "export"
    per_part: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    heldout: dict[str, Any] = field(default_factory=dict)  # the split plan used and what it kept out
    references: list[str] = field(default_factory=list)  # GRPO: the reference answers (for the length check)
    lengths: dict[str, Any] | None = None  # `civilinstruct.train.lengths` report

    def summary(self) -> dict[str, Any]:
        return {"rows": len(self.rows), "source": self.source, "per_part": dict(self.per_part),
                "dropped": dict(self.dropped), "files": self.files, "heldout": self.heldout, "lengths": self.lengths}


def is_store_dir(path: Path) -> bool:
    """A civilinstruct data dir has a catalog; anything else with parquet files is read as an export."""
    from civilinstruct.store.catalog import CATALOG_NAME

    return (path / CATALOG_NAME).is_file()


# -- row shapes -----------------------------------------------------------------------------------------------
def _messages(value: Any) -> list[dict[str, str]]:
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in value or []]


def sft_row(messages: Any, completion_only: bool) -> tuple[dict[str, Any] | None, str | None]:
    """One SFT row from a chat, or (None, reason) when the chat has nothing to learn from."""
    chat = _messages(messages)
    last = max((i for i, m in enumerate(chat) if m["role"] == "assistant"), default=None)
    if last is None:
        return None, "no assistant turn"
    if last == 0:
        return None, "no instruction before the answer"
    if not chat[last]["content"].strip():
        return None, "empty answer"
    if not completion_only:
        return {"messages": chat[: last + 1]}, None
    return {"prompt": chat[:last], "completion": [chat[last]]}, None


def grpo_row(prompt: Any, ground_truth: Any) -> tuple[dict[str, Any] | None, str | None]:
    """One prompt-only GRPO row: the chat up to the first answer, and the reference period in seconds."""
    chat = _messages(prompt)
    first = next((i for i, m in enumerate(chat) if m["role"] == "assistant"), len(chat))
    chat = chat[:first]
    if not any(m["role"] == "user" and m["content"].strip() for m in chat):
        return None, "no user prompt"
    try:
        truth = float(ground_truth)
    except (TypeError, ValueError):
        return None, "no ground truth"
    if not truth > 0:
        return None, "no ground truth"
    return {"prompt": chat, "ground_truth": truth}, None


# -- readers --------------------------------------------------------------------------------------------------
def _from_store(path: Path, stage: str, parts: list[str], version: str | None, completion_only: bool,
                include_heldout: bool, cases: Path | None) -> TrainRows:
    """Rows of the train split only (unless `include_heldout`), never a BMEval building: the splits are the
    release's (`civilinstruct.release.heldout`: recorded by `build MANIFEST`, else the defaults)."""
    from civilinstruct.release.heldout import training_plan
    from civilinstruct.store import PARTS, Store

    store = Store(path)
    out = TrainRows(rows=[], source="store")
    for part in parts:
        if part not in PARTS:
            raise CivilError(f"unknown part {part!r} (expected one of: {', '.join(PARTS)})")
        if version is not None and version not in store.versions(part):
            raise CivilError(f"part {part} has no version {version!r} in {path} (has: "
                             f"{', '.join(store.versions(part)) or 'none'})")
    plan, settings = training_plan(path, parts, version, cases)
    kept_out: Counter[str] = Counter()
    for part in parts:
        columns = ["id", "messages", "ground_truth"] if stage == "grpo" else ["id", "messages"]
        table = store.read(part, version, columns=columns)
        if table.num_rows == 0:
            raise CivilError(f"part {part} is empty or missing in {path}: build it first "
                             f"(civilinstruct build {part} --data {path})")
        data = table.to_pydict()
        for i, messages in enumerate(data["messages"]):
            split = plan.split_of(data["id"][i])
            if split is None or (split != "train" and not include_heldout):
                kept_out[f"{part}/{split or 'bmeval'}"] += 1
                continue
            row, reason = (grpo_row(messages, data["ground_truth"][i]) if stage == "grpo"
                           else sft_row(messages, completion_only))
            if row is not None and stage == "grpo":
                out.references.append(_last_assistant(messages))
            _keep(out, part, row, reason)
    out.heldout = {"plan": settings.to_dict(), "include_heldout": include_heldout, "kept_out": dict(kept_out),
                   "bmeval_rows": sum(n for k, n in kept_out.items() if k.endswith("/bmeval"))}
    if not out.rows and kept_out:
        raise CivilError(f"nothing to train on in {path}: all {sum(kept_out.values())} rows of "
                         f"{', '.join(parts)} are held out ({dict(kept_out)}); --include-heldout trains on "
                         f"validation/test too")
    return out


def _last_assistant(messages: Any) -> str:
    chat = _messages(messages)
    return next((m["content"] for m in reversed(chat) if m["role"] == "assistant"), "")


def _held_out(path: Path, root: Path) -> bool:
    names = [p.lower() for p in path.relative_to(root).parts]
    return any(n.split(".")[0].split("-")[0] in HELD_OUT_NAMES for n in names)


def _from_export(path: Path, stage: str, parts: list[str], completion_only: bool,
                 cases: Path | None) -> TrainRows:
    import pyarrow.parquet as pq

    root = path if path.is_dir() else path.parent
    files = [path] if path.is_file() else sorted(path.rglob("*.parquet"))
    if not files:
        raise CivilError(f"{path} is neither a civilinstruct data dir (no catalog.duckdb) nor an export "
                         f"(no .parquet files)")
    out = TrainRows(rows=[], source="export")
    needed = "prompt" if stage == "grpo" else "messages"
    leaks = None
    if cases is not None:  # an export is decontaminated already; a benchmark named here is checked too
        from civilinstruct.release.contamination import load_contamination

        leaks = load_contamination(None, cases)
    for file in files:
        if path.is_dir() and _held_out(file, root):
            out.dropped["held-out split file"] += 1
            continue
        names = pq.read_schema(file).names
        if needed not in names:
            continue
        table = pq.read_table(file).to_pylist()
        out.files.append(str(file.relative_to(root)) if path.is_dir() else file.name)
        for record in table:
            part = str(record.get("part") or record.get("data_source") or "export")
            if "part" in record and record["part"] not in parts:
                continue
            if leaks is not None and leaks.matches(_messages(record.get("messages") or record.get("prompt")), None):
                out.dropped["BMEval building"] += 1
                continue
            if stage == "grpo":
                truth = record.get("ground_truth")
                if truth is None and isinstance(record.get("reward_model"), dict):
                    truth = record["reward_model"].get("ground_truth")  # the verl layout
                row, reason = grpo_row(record["prompt"], truth)
            else:
                row, reason = sft_row(record["messages"], completion_only)
            _keep(out, part, row, reason)
    if not out.files:
        raise CivilError(f"no parquet file under {path} has a '{needed}' column "
                         f"(export with: civilinstruct export DATA --format trl --out DIR)")
    return out


def _keep(out: TrainRows, part: str, row: dict[str, Any] | None, reason: str | None) -> None:
    if row is None:
        out.dropped[reason or "unusable"] += 1
        return
    out.rows.append(row)
    out.per_part[part] += 1


def load_rows(data: str | Path, stage: str, parts: list[str], *, version: str | None = None,
              completion_only: bool = True, max_samples: int | None = None, seed: int = 0,
              include_heldout: bool = False, cases: str | Path | None = None) -> TrainRows:
    """The rows of one training stage ("sft" or "grpo"); raises `CivilError` when there is nothing to train on.

    A data dir gives its train split only (`include_heldout`: validation and test too); BMEval buildings (the
    recorded or default benchmark, and `cases`) never reach training.
    """
    path = Path(data).expanduser()
    if not path.exists():
        raise CivilError(f"data path does not exist: {path}")
    bench = Path(cases).expanduser() if cases else None
    if path.is_dir() and is_store_dir(path):
        out = _from_store(path, stage, parts, version, completion_only, include_heldout, bench)
    else:
        out = _from_export(path, stage, parts, completion_only, bench)
    if not out.rows:
        why = ", ".join(f"{n} {r}" for r, n in out.dropped.items()) or "no rows"
        raise CivilError(f"nothing to train on in {path} for parts {', '.join(parts)} ({why})")
    if max_samples is not None and len(out.rows) > max_samples:
        random.Random(seed).shuffle(out.rows)
        out.rows = out.rows[:max_samples]
    return out


def corpus_texts(data: str | Path) -> list[str]:
    """Every message text of a data dir (all parts) or an export dir: what a local test tokenizer learns from."""
    path = Path(data).expanduser()
    if not path.exists():
        raise CivilError(f"data path does not exist: {path}")
    texts: list[str] = []
    if path.is_dir() and is_store_dir(path):
        from civilinstruct.store import PARTS, Store

        store = Store(path)
        for part in PARTS:
            for chat in store.read(part, columns=["messages"]).column("messages").to_pylist():
                texts.extend(m["content"] for m in chat or [])
        return texts
    import pyarrow.parquet as pq

    for file in [path] if path.is_file() else sorted(path.rglob("*.parquet")):
        names = pq.read_schema(file).names
        for column in ("messages", "prompt", "completion"):
            if column in names:
                for value in pq.read_table(file, columns=[column]).column(column).to_pylist():
                    texts.extend(m["content"] for m in _messages(value))
    return texts
