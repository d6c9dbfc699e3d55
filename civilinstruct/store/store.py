"""`Store`: one data directory of shards and its catalog; the entry point for writers and readers."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civilinstruct.errors import CivilError
from civilinstruct.store import catalog
from civilinstruct.store.sample import PARTS, SCHEMA, Sample
from civilinstruct.store.recovery import check_shard, repair_hint
from civilinstruct.store.process import Holder
from civilinstruct.store.writer import ACTIVE_BUILDS, ShardWriter


# Rows decoded at a time when streaming a part: a long_code or bug_cot row is 50-100 KB with its messages, so a
# batch is a few MB whatever the shard size. Kept below the size of a small build's parts (the demo writes 40-60
# long rows a part), so a reader's memory is the same for a demo and a full release.
BATCH_ROWS = 64


def version_key(version: str) -> tuple[Any, ...]:
    """Natural order, so v10 comes after v9."""
    return tuple(int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", version))


class Store:
    """A civilinstruct data directory: `<data>/<part>/<version>/shard-NNNNN.parquet` + `<data>/catalog.duckdb`."""

    def __init__(self, data_dir: str | Path, *, repair: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.repair = repair  # writers drop damaged shards (their samples are rebuilt) instead of stopping
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise CivilError(f"{self.data_dir}: exists and is not a directory")

    # -- writing -------------------------------------------------------------------------------------------
    def writer(self, part: str, version: str, *, pipeline: str | None = None,
               params: dict[str, Any] | None = None, shard_size: int = 20_000,
               flush_interval_s: float = 30.0) -> ShardWriter:
        """A crash-safe, resumable writer for one part/version (hold it in a `with` block)."""
        return ShardWriter(self.data_dir, part, version, pipeline=pipeline, params=params, shard_size=shard_size,
                           flush_interval_s=flush_interval_s, repair=self.repair)

    # -- catalog ---------------------------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.data_dir / catalog.CATALOG_NAME).exists()

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a read-only query on the catalog, as dicts."""
        with catalog.connect(self.data_dir, read_only=True) as con:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]

    def versions(self, part: str) -> list[str]:
        self._check_part(part)
        if not self.exists():
            return []
        rows = self.query("SELECT DISTINCT version FROM shards WHERE part = ?", [part])
        return sorted((r["version"] for r in rows), key=version_key)

    def latest_version(self, part: str) -> str | None:
        versions = self.versions(part)
        return versions[-1] if versions else None

    def shard_paths(self, part: str, version: str | None = None) -> list[Path]:
        """Registered shards of a part (its latest version unless one is named), in order."""
        version = version or self.latest_version(part)
        if version is None:
            return []
        rows = self.query("SELECT path FROM shards WHERE part = ? AND version = ? ORDER BY shard_index",
                          [part, version])
        return [self.data_dir / r["path"] for r in rows]

    def summary(self) -> dict[str, Any]:
        """Parts, versions, shards, sample counts and builds: what `civilinstruct catalog` prints."""
        parts = self.query("""
            SELECT part, version, count(*) AS shards, sum(n_samples) AS samples, sum(bytes) AS bytes,
                   max(created_at) AS last_write
            FROM shards GROUP BY part, version ORDER BY part, version""")
        shown = ("build_id", "part", "version", "pipeline", "status", "written", "skipped", "started_at",
                 "finished_at")
        builds = []
        for row in self.query("SELECT * FROM builds ORDER BY started_at"):  # (* : a catalog not yet migrated)
            b = {key: row[key] for key in shown}
            holder = Holder(row["pid"], row.get("pid_start"), row.get("boot_id")) if row["pid"] is not None else None
            if b["status"] == "running" and not build_alive(b["build_id"], holder):
                b["status"] = "interrupted"  # died without saying so (kill -9, a full disk), or its pid is reused
            builds.append(b)
        return {"data": str(self.data_dir), "parts": parts, "builds": builds}

    def verify(self) -> list[dict[str, Any]]:
        """Every registered shard read and compared with its catalog row: [] when all are whole, else one
        {part, version, path, problem} per bad shard (`catalog --verify`; `build --repair` drops them)."""
        if not self.exists():
            raise CivilError(f"{self.data_dir / catalog.CATALOG_NAME}: no catalog here (not a civilinstruct data "
                             "directory, or nothing built yet)")
        problems = []
        for row in self.query("SELECT part, version, path, n_samples FROM shards ORDER BY part, version, shard_index"):
            found = check_shard(self.data_dir / row["path"], row["part"], row["n_samples"])
            if found.problem is not None:
                problems.append({"part": row["part"], "version": row["version"], "path": row["path"],
                                 "problem": found.problem})
        return problems

    # -- reading ---------------------------------------------------------------------------------------------
    def read(self, part: str, version: str | None = None, columns: list[str] | None = None) -> pa.Table:
        """All samples of a part as one Arrow table (empty table with the schema when there are none)."""
        self._check_part(part)
        paths = self.shard_paths(part, version)
        if not paths:
            return SCHEMA.empty_table() if columns is None else SCHEMA.empty_table().select(columns)
        return pa.concat_tables([_read_shard(p, columns) for p in paths])

    def iter_batches(self, part: str, version: str | None = None, columns: list[str] | None = None,
                     batch_size: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """A part's rows a batch at a time, only the columns asked for: a reader holds one batch, not the part."""
        self._check_part(part)
        for path in self.shard_paths(part, version):
            yield from iter_shard(path, columns, batch_size)

    def iter_samples(self, part: str, version: str | None = None,
                     ids: Collection[str] | None = None) -> Iterator[Sample]:
        """Samples in store order, decoded a batch at a time. With `ids`, only those: only row groups holding one
        of them are decoded (found from the id column), so fetching a few rows does not decode the whole part."""
        wanted = None if ids is None else pa.array(list(ids), pa.string())
        for path in self.shard_paths(part, version):
            for batch in iter_shard(path, None, ids=wanted):
                for row in batch.to_pylist():
                    yield Sample.from_row(row)

    def get(self, sample_id: str) -> Sample | None:
        """One sample by id (or by a unique id prefix of at least 8 characters)."""
        if len(sample_id) < 8:
            raise CivilError(f"id {sample_id!r} is too short: give at least 8 characters")
        found: list[tuple[Path, str]] = []
        for rel in (r["path"] for r in self.query("SELECT path FROM shards ORDER BY part, version, shard_index")):
            ids = _read_shard(self.data_dir / rel, ["id"]).column("id")
            hits = pc.filter(ids, pc.starts_with(ids, sample_id)).to_pylist()
            found += [(self.data_dir / rel, hit) for hit in hits]
        if len({hit for _, hit in found}) > 1:
            raise CivilError(f"id prefix {sample_id!r} is ambiguous; give more characters")
        if not found:
            return None
        path, full_id = found[-1]  # the same id in two versions: the newest
        table = _read_shard(path, None)
        return Sample.from_row(table.filter(pc.equal(table.column("id"), full_id)).to_pylist()[0])

    def sql(self, query: str) -> list[dict[str, Any]]:
        """Run a query against the `samples` view (all registered shards) in an in-memory DuckDB."""
        con = duckdb.connect()
        try:
            paths = [str(p.resolve()) for part in PARTS for v in self.versions(part)
                     for p in self.shard_paths(part, v)]
            if not paths:
                return []
            con.execute(f"CREATE VIEW samples AS {catalog.select_shards_sql(paths)}")
            cur = con.execute(query)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        finally:
            con.close()

    @staticmethod
    def _check_part(part: str) -> None:
        if part not in PARTS:
            raise CivilError(f"unknown part {part!r} (expected one of: {', '.join(PARTS)})")


def _read_shard(path: Path, columns: list[str] | None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _shard_error(path, exc) from None


def iter_shard(path: Path, columns: list[str] | None, batch_size: int = BATCH_ROWS,
               ids: pa.Array | None = None) -> Iterator[pa.RecordBatch]:
    """One shard as record batches of `batch_size` rows (pages are decoded as the batches are asked for); with
    `ids`, only the rows with those ids, from the row groups that hold them."""
    try:
        shard = pq.ParquetFile(path)
        groups = None if ids is None else _row_groups_holding(shard, ids)
        if groups == []:
            return
        for batch in shard.iter_batches(batch_size=batch_size, columns=columns, row_groups=groups):
            yield batch if ids is None else batch.filter(pc.is_in(batch.column("id"), value_set=ids))
    except (pa.ArrowInvalid, OSError) as exc:
        raise _shard_error(path, exc) from None


def _row_groups_holding(shard: pq.ParquetFile, ids: pa.Array) -> list[int]:
    """The row groups of a shard that hold one of `ids` (reads the id column only)."""
    return [i for i in range(shard.num_row_groups)
            if pc.any(pc.is_in(shard.read_row_group(i, columns=["id"]).column("id"), value_set=ids)).as_py()]


def build_alive(build_id: str, holder: Holder | None) -> bool:
    """Whether a build recorded as running still runs: its very process (pid, start time, boot) exists and, in
    this process, it is open. A row from before migration m003 has no start time: its pid alone decides."""
    if holder is None:
        return False
    if holder.pid == os.getpid() and holder.alive():
        return build_id in ACTIVE_BUILDS
    return holder.alive()


def _shard_error(path: Path, exc: Exception) -> CivilError:
    """A registered shard that is gone or unreadable, as one line with the repair."""
    part = path.parent.parent.name
    hint = repair_hint(path.parent.parent.parent, part)
    if isinstance(exc, FileNotFoundError):
        return CivilError(f"{path}: registered shard is missing; {hint}")
    return CivilError(f"{path}: not a readable Parquet shard ({str(exc).splitlines()[0]}); {hint}")
