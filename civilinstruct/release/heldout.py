"""Held-out by construction: a data directory remembers the split plan and the benchmark that built it.

`civilinstruct build MANIFEST` writes `DATA/release.json` (the manifest's `splits` and `decontaminate` sections)
before any work, so `export DATA` and `train --data DATA` make the release's splits without being told the manifest
again. A directory built part by part has no record; it gets the default splits and the default BMEval cases
(`bench cases --n 128 --seed 0`, rebuilt once and cached under DATA/bench/), so a benchmark building never reaches
training by default either.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError
from civilinstruct.release.manifest import Decontaminate, Manifest, Splits

RECORD_NAME = "release.json"
DEFAULT_DECONTAMINATE = Decontaminate(bench_seed=0, bench_n=128)  # the README's `bench cases --n 128 --seed 0`


@dataclass
class ReleaseSettings:
    """The splits and benchmark cases that make a data directory's held-out sets, and where they came from."""

    splits: Splits
    decontaminate: Decontaminate | None
    source: str  # "manifest <name>", "DATA/release.json" or "defaults"

    def to_dict(self) -> dict[str, Any]:
        return {"splits": self.splits.model_dump(mode="json"),
                "decontaminate": self.decontaminate.model_dump(mode="json") if self.decontaminate else None,
                "source": self.source}


def write_record(data_dir: str | Path, manifest: Manifest) -> Path:
    """Record the manifest's split plan and decontamination in DATA/release.json (atomically)."""
    path = Path(data_dir) / RECORD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"manifest": manifest.name, "version": manifest.version,
              **ReleaseSettings(manifest.splits, manifest.decontaminate, "").to_dict()}
    record.pop("source")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_record(data_dir: str | Path) -> dict[str, Any] | None:
    """The recorded split plan, or None (a directory not built from a manifest)."""
    path = Path(data_dir) / RECORD_NAME
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CivilError(f"{path}: not valid JSON ({exc.msg}); rebuild with the manifest to rewrite it") from None


def release_settings(data_dir: str | Path, manifest: Manifest | None = None) -> ReleaseSettings:
    """A manifest's settings, else the directory's record, else the defaults (with the default BMEval cases)."""
    if manifest is not None:
        return ReleaseSettings(manifest.splits, manifest.decontaminate, f"manifest {manifest.name}")
    record = read_record(data_dir)
    if record is not None:
        try:
            decon = record.get("decontaminate")
            return ReleaseSettings(Splits(**record.get("splits") or {}),
                                   Decontaminate(**decon) if decon else None, str(Path(data_dir) / RECORD_NAME))
        except (TypeError, ValueError) as exc:
            raise CivilError(f"{Path(data_dir) / RECORD_NAME}: unreadable split plan ({exc})") from None
    return ReleaseSettings(Splits(), DEFAULT_DECONTAMINATE, "defaults")


def contamination_for(data_dir: str | Path, settings: ReleaseSettings, cases: Path | None = None,
                      allow_weak_isolation: bool = False) -> Any:
    """The benchmark cases whose buildings stay out of every split: the settings' and a `--cases` file."""
    from civilinstruct.release.contamination import load_contamination

    weak = allow_weak_isolation or os.environ.get("CIVILINSTRUCT_ALLOW_WEAK_ISOLATION", "") not in ("", "0")
    return load_contamination(settings.decontaminate, cases, data_dir=Path(data_dir), allow_weak_isolation=weak)


def training_plan(data_dir: str | Path, parts: list[str], version: str | None = None, cases: Path | None = None,
                  allow_weak_isolation: bool = False) -> tuple[Any, ReleaseSettings]:
    """The split plan train reads: every part indexed (bug_cot and expert follow their long_code building),
    with `version` in place of the latest for the parts trained on."""
    from civilinstruct.release.manifest import PART_ORDER
    from civilinstruct.release.splits import assign_splits, index_store, latest_shards
    from civilinstruct.store import Store

    store = Store(data_dir)
    settings = release_settings(data_dir)
    shards = latest_shards(store, list(PART_ORDER))
    if version is not None:
        for part in parts:
            if part in shards:
                shards[part] = store.shard_paths(part, version)
    leaks = contamination_for(data_dir, settings, cases, allow_weak_isolation)
    index, dirty = index_store(store, shards, leaks)
    return assign_splits(index, settings.splits, dirty), settings


def overlap(data_dir: str | Path, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """How many rows (by part) and buildings of DATA the benchmark `cases` share (same building or instruction)."""
    from civilinstruct.release.contamination import Contamination
    from civilinstruct.release.manifest import PART_ORDER
    from civilinstruct.release.splits import index_store, latest_shards
    from civilinstruct.store import Store

    store = Store(data_dir)
    if not store.exists():
        raise CivilError(f"{data_dir}: not a civilinstruct data directory (no catalog)")
    for case in cases:
        if not isinstance(case.get("spec"), str | dict):
            case["spec"] = json.dumps(case.get("spec") or {})
    index, dirty = index_store(store, latest_shards(store, list(PART_ORDER)), Contamination(cases))
    by_part = {part: sum(key in dirty for _, key in rows) for part, rows in index.items()}
    return {"rows": sum(by_part.values()), "buildings": len(dirty), "by_part": by_part}
