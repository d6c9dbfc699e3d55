"""`civilinstruct export DATA --format hf|trl|verl --out DIR`: a release as files other tools read directly.

- hf: a Hub-ready folder, one config per part (see `civilinstruct.release.hub`).
- trl: `sft/<split>.parquet` with conversational `messages` (parts 1-3, as stage I of the source paper trains on)
  and `grpo/<split>.parquet`, prompt-only `prompt` messages plus a `ground_truth` column (the expert part).
- verl: `<split>.parquet` rows `data_source`, `prompt`, `ability`, `reward_model` {style, ground_truth},
  `extra_info`, the layout of the source paper's released RL data.
Every export is written into a temporary folder and renamed into place, so a killed export leaves the old one; one
export at a time writes into one `--out` (release/outlock.py).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from civilinstruct.errors import CivilError
from civilinstruct.release.outlock import export_lock
from civilinstruct.release.manifest import RL_PARTS, SFT_PARTS, Manifest, Splits
from civilinstruct.release.rows import SplitWriters, iter_split_batches
from civilinstruct.release.splits import SplitPlan, plan_release
from civilinstruct.store import SampleStore, Store
from civilinstruct.store.diskerrors import disk_error

if TYPE_CHECKING:
    from civilinstruct.release.contamination import Contamination

Format = Literal["hf", "trl", "verl"]
FORMATS: tuple[str, ...] = ("hf", "trl", "verl")
MARKER = ".civilinstruct-export.json"
DATA_SOURCE = "civilinstruct"
ABILITY = "structural_modeling"

MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))


@dataclass
class ExportReport:
    """What an export wrote: files with row counts, and the split plan's summary."""

    format: str
    out: str
    files: dict[str, int] = field(default_factory=dict)
    splits: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "out": self.out, "files": self.files, "splits": self.splits}


def prompt_messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The conversation up to and including the last user turn: what a policy is asked (GRPO, verl)."""
    last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=-1)
    return [{"role": m["role"], "content": m["content"]} for m in messages[: last_user + 1]]


def ground_truth_text(value: float) -> str:
    """T1 as the string verl's reward receives (4 significant decimals is well inside the 30% tolerance)."""
    return f"{value:.4f}"


def export_release(data_dir: str | Path, fmt: str, out: str | Path, *, splits: Splits | None = None,
                   contamination: Contamination | None = None, manifest: Manifest | None = None) -> ExportReport:
    """Plan the splits over the whole data directory, then write the export in the chosen format."""
    if fmt not in FORMATS:
        raise CivilError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    store = Store(data_dir)
    if not store.exists():
        raise CivilError(f"{data_dir}: no catalog here (not a civilinstruct data directory, or nothing built yet)")
    out = Path(out)
    with export_lock(out):  # one export at a time into `out` (another fails at once, naming the holder)
        return _export_locked(store, fmt, out, splits or (manifest.splits if manifest else Splits()), contamination,
                              manifest)


def _export_locked(store: Store, fmt: str, out: Path, config: Splits, contamination: Any,
                   manifest: Manifest | None) -> ExportReport:
    data_dir = store.data_dir
    plan, parts = plan_release(store, config, contamination)
    if not parts:
        raise CivilError(f"{data_dir}: no samples to export (build some parts first)")
    tmp = _fresh_tmp(out)
    try:
        if fmt == "hf":
            from civilinstruct.release.hub import write_hf

            files = write_hf(store, parts, plan, tmp, manifest=manifest)
        elif fmt == "trl":
            files = write_trl(store, parts, plan, tmp)
        else:
            files = write_verl(store, parts, plan, tmp)
        if not files:
            raise CivilError(f"{data_dir}: nothing for the {fmt} export (it needs parts "
                             f"{', '.join(RL_PARTS if fmt == 'verl' else SFT_PARTS + RL_PARTS)})")
        report = ExportReport(fmt, str(out), {str(Path(p).relative_to(tmp)): n for p, n in files.items()},
                              plan.summary())
        (tmp / MARKER).write_text(json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n")
        _swap_into_place(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        error = disk_error(out, "write the export", exc) if isinstance(exc, Exception) else None
        if error is None:
            raise
        raise error from None
    return report


def _fresh_tmp(out: Path) -> Path:
    """A new temporary folder beside `out`, after removing those a killed export of `out` left behind."""
    for stale in [*out.parent.glob(f".tmp-{out.name}-*"), *out.parent.glob(f".old-{out.name}-*")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise CivilError(f"{out}: exists and is not an earlier civilinstruct export; choose another --out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".tmp-{out.name}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
    except OSError as exc:
        raise (disk_error(out, "write the export", exc)
               or CivilError(f"{out}: cannot write the export ({exc.strerror})")) from None
    return tmp


def _swap_into_place(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.parent / f".old-{out.name}-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_trl(store: SampleStore, parts: list[str], plan: SplitPlan, out: Path) -> dict[str, int]:
    """SFT conversational rows (parts 1-3) and GRPO prompt-only rows with `ground_truth` (expert)."""
    sft_schema = pa.schema([("id", pa.string()), ("part", pa.string()), ("messages", MESSAGES)])
    grpo_schema = pa.schema([("id", pa.string()), ("prompt", MESSAGES), ("ground_truth", pa.float64())])
    (out / "sft").mkdir()
    (out / "grpo").mkdir()
    with SplitWriters() as writers:
        for part in parts:
            for split, table in iter_split_batches(store, part, plan, ["id", "part", "messages", "ground_truth"]):
                if part in SFT_PARTS:
                    writers.write(str(out / "sft" / f"{split}.parquet"),
                                  table.select(["id", "part", "messages"]).cast(sft_schema))
                if part in RL_PARTS:
                    rows = [r for r in table.to_pylist() if r["ground_truth"] is not None]
                    if rows:
                        writers.write(str(out / "grpo" / f"{split}.parquet"), pa.Table.from_pylist(
                            [{"id": r["id"], "prompt": prompt_messages(r["messages"]),
                              "ground_truth": r["ground_truth"]} for r in rows], schema=grpo_schema))
    for sub in ("sft", "grpo"):
        if not any((out / sub).iterdir()):
            (out / sub).rmdir()
    return dict(writers.rows)


def write_verl(store: SampleStore, parts: list[str], plan: SplitPlan, out: Path) -> dict[str, int]:
    """verl RL parquet: one row per expert sample with its FE period as the rule reward's ground truth."""
    schema = pa.schema([
        ("data_source", pa.string()), ("prompt", MESSAGES), ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
        ("extra_info", pa.struct([("split", pa.string()), ("index", pa.int64()), ("id", pa.string()),
                                  ("part", pa.string()), ("spec", pa.string())])),
    ])
    index: dict[str, int] = {}
    with SplitWriters() as writers:
        for part in parts:
            if part not in RL_PARTS:
                continue
            for split, table in iter_split_batches(store, part, plan, ["id", "messages", "spec", "ground_truth"]):
                rows = []
                for r in table.to_pylist():
                    if r["ground_truth"] is None:
                        continue
                    i = index[split] = index.get(split, -1) + 1
                    rows.append({"data_source": DATA_SOURCE, "prompt": prompt_messages(r["messages"]),
                                 "ability": ABILITY,
                                 "reward_model": {"style": "rule", "ground_truth": ground_truth_text(r["ground_truth"])},
                                 "extra_info": {"split": split, "index": i, "id": r["id"], "part": part,
                                                "spec": r["spec"]}})
                if rows:
                    writers.write(str(out / f"{split}.parquet"), pa.Table.from_pylist(rows, schema=schema))
    return dict(writers.rows)
