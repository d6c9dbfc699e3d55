"""Checking shards before trusting them: registered shards that are gone or damaged, and shard files the catalog
does not know (a build killed between rename and registration, or a catalog whose WAL lost its last commits).

Nothing that holds data is deleted without the user asking (`build --repair`): a damaged registered shard stops a
build with one line naming it and the repair; a whole, readable unregistered shard is adopted (registered again),
because its rows were written and fsynced and recomputing them would only cost time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from civilinstruct.errors import CivilError
from civilinstruct.store.sample import SCHEMA


@dataclass
class ShardCheck:
    """One shard file: its ids when whole and readable, else why not."""

    path: Path
    ids: list[str] | None = None
    problem: str | None = None


def check_shard(path: Path, part: str, expected_rows: int | None = None) -> ShardCheck:
    """Read a shard's id and part columns (every page of them is decoded and checksummed) and compare its rows."""
    if not path.exists():
        return ShardCheck(path, problem="the file is missing")
    try:
        table = pq.read_table(path, columns=["id", "part"])
    except (pa.ArrowException, OSError) as exc:
        return ShardCheck(path, problem=f"not a readable Parquet shard ({str(exc).splitlines()[0][:160]})")
    missing = set(SCHEMA.names) - set(pq.read_schema(path).names)
    if missing:
        return ShardCheck(path, problem=f"not a civilinstruct shard (no column {sorted(missing)[0]})")
    if expected_rows is not None and table.num_rows != expected_rows:
        return ShardCheck(path, problem=f"has {table.num_rows} rows, the catalog registered {expected_rows}")
    parts = set(table.column("part").to_pylist())
    if parts - {part}:
        return ShardCheck(path, problem=f"holds rows of part {sorted(parts - {part})[0]!r}, not {part!r}")
    return ShardCheck(path, ids=table.column("id").to_pylist())


def repair_hint(data_dir: Path, part: str) -> str:
    return (f"run `civilinstruct build {part} --data {data_dir} --repair` (or the same manifest with --repair) to drop "
            f"it and rebuild its samples; `civilinstruct catalog {data_dir} --verify` lists every bad shard")


def bad_shard_error(data_dir: Path, part: str, check: ShardCheck, registered: bool) -> CivilError:
    what = "registered shard" if registered else "shard file not in the catalog"
    return CivilError(f"{check.path}: {what}: {check.problem}; {repair_hint(data_dir, part)}")
